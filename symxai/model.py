"""The data that flows through the pipeline, as small typed objects.

spec (``spec.SheetSpec``) -> task (``Task``: one exercise or part, its symbols
and the method's problem object) -> ``Solution`` (ordered ``Step`` s and named
``Answer`` s) -> ``Verification`` (one ``Check`` per answer) -> document.

>>> import sympy
>>> s = Solution()
>>> s.step("Add the two terms.", Line(sympy.Symbol("y"), sympy.Integer(2)))
>>> s.answer("y", sympy.Integer(2))
>>> [a.name for a in s.answers.values()], len(s.steps)
(['y'], 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Tex:
    """LaTeX written by a method for a fixed notation (e.g. ``\\\\sum_{S}``)."""

    code: str


@dataclass
class Line:
    """One display line: terms joined by relations, e.g. ``phi_1 = 1/3 + 1/3 = 2/3``.

    Terms are SymPy objects (printed by symxai's printer) or ``Tex``.
    """

    terms: tuple
    rel: str = "="

    def __init__(self, *terms, rel: str = "="):
        self.terms, self.rel = tuple(terms), rel


@dataclass
class Table:
    """A table: header cells (Tex or text) and rows of SymPy objects / Tex / str."""

    header: list
    rows: list[list]
    caption: str = ""


@dataclass
class Figure:
    """A figure rendered by a named template in templates/figures/ with its data."""

    template: str
    data: dict
    caption: str = ""


@dataclass
class Step:
    """One step of a worked solution: prose, then display lines, a table or a figure.

    Prose may embed values as ``[[name]]``; they are printed in math mode
    from ``values`` by the printer, never pasted in as strings.
    """

    text: str = ""
    lines: list[Line] = field(default_factory=list)
    table: Table | None = None
    figure: Figure | None = None
    values: dict[str, Any] = field(default_factory=dict)
    title: str = ""


@dataclass
class Answer:
    """A named answer: a SymPy value (expression, matrix, Piecewise, boolean, set)."""

    name: str
    value: Any
    description: str = ""
    tolerance: float | None = None  # for answers computed numerically (e.g. lasso)


@dataclass
class Solution:
    steps: list[Step] = field(default_factory=list)
    answers: dict[str, Answer] = field(default_factory=dict)

    def step(self, text: str = "", *lines: Line, title: str = "", table: Table | None = None,
             figure: Figure | None = None, **values) -> None:
        self.steps.append(Step(text=text, lines=list(lines), table=table, figure=figure,
                               values=values, title=title))

    def answer(self, name: str, value, description: str = "", tolerance: float | None = None) -> None:
        self.answers[name] = Answer(name, value, description, tolerance)

    def _repr_markdown_(self) -> str:  # Jupyter: the worked solution as math (symxai.notebook)
        from .notebook import solution_markdown
        return solution_markdown(self)

    def _repr_latex_(self) -> str:
        from .notebook import solution_latex
        return solution_latex(self)


@dataclass
class Check:
    """The outcome of comparing one answer with its numeric reference."""

    answer: str
    passed: bool
    points: int  # how many parameter points were tried
    max_error: float
    tolerance: float
    reference: str  # how the reference value was obtained
    detail: str = ""  # the first disagreement, if any
    engine_value: Any = None
    reference_value: Any = None


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def _repr_markdown_(self) -> str:  # Jupyter: a table of the checks (symxai.notebook)
        from .notebook import verification_markdown
        return verification_markdown(self)

    def _repr_latex_(self) -> str:
        from .notebook import verification_latex
        return verification_latex(self)
