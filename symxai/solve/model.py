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
    """LaTeX written by a method for a fixed notation (e.g. ``\\sum_{S}``).

    ``value`` is what the notation stands for in this instance, as a SymPy object
    computed by a route of its own (the gradient by differentiating J, say), so that a
    displayed equality with this term can be checked; without it such an equality is
    counted as shown but not checked.
    """

    code: str
    value: Any = field(default=None, compare=False)


LINE_KINDS = ("chain", "equation", "definition", "formula")


@dataclass
class Line:
    """One display line: terms joined by relations, e.g. ``phi_1 = 1/3 + 1/3 = 2/3``.

    Terms are SymPy objects (printed by symxai's printer) or ``Tex``.  ``kind`` says
    what the line claims, and so how ``stepcheck`` checks it:

    - ``chain``: every two neighbouring terms are equal on the task's domain;
    - ``equation``: its last relation is a condition that holds at the solution, not
      everywhere (the stationarity condition 2 lambda x = w); ``at`` maps the unknowns
      to the solution's values, and the last two terms are compared after substituting
      it; the relations before it are identities like a chain's;
    - ``definition``: the first term is a name defined by what follows (J(x) := f(x) -
      Omega(x)), as are notations without a value right after it; the rest is a chain;
    - ``formula``: a general formula in index notation (the definition of phi_i),
      stated rather than claimed of this instance; neither checked nor counted.
    """

    terms: tuple
    rel: str | tuple = "="
    kind: str = "chain"
    at: dict | None = None
    domain: Any = None  # where this line holds, when not where its step does (Step.domain)

    def __init__(self, *terms, rel: str | tuple = "=", kind: str = "chain", at: dict | None = None,
                 domain: Any = None):
        if kind not in LINE_KINDS:
            raise ValueError(f"Line kind must be one of {LINE_KINDS}, got {kind!r}")
        if isinstance(rel, str) and rel == "=":
            terms = _without_repeats(terms)
        self.terms, self.rel, self.kind, self.at, self.domain = tuple(terms), rel, kind, at, domain

    def relations(self) -> list[str]:
        """The relation between each two neighbouring terms (``rel`` may name one per pair:
        ``("=", "approx")`` for Phi(3) = ... approx 0.998650)."""
        pairs = max(len(self.terms) - 1, 0)
        if isinstance(self.rel, str):
            return [self.rel] * pairs
        if len(self.rel) != pairs:
            raise ValueError(f"a line of {len(self.terms)} terms needs {pairs} relations, got {len(self.rel)}")
        return list(self.rel)


def _without_repeats(terms) -> list:
    """A chain never shows the same member twice in a row ("y = a2 = a2"): the repeat says nothing.

    >>> import sympy
    >>> a = sympy.Symbol("a")
    >>> Line(sympy.Symbol("y"), a, a).terms
    (y, a)
    """
    out = []
    for term in terms:
        if out and type(term) is type(out[-1]) and (term.code == out[-1].code if isinstance(term, Tex)
                                                      else _same(term, out[-1])):
            continue
        out.append(term)
    return out


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


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
    where: dict = field(default_factory=dict)  # meanings of intermediate names (h_3 -> ReLU(x1 - x2))
    domain: Any = None  # where the lines hold, for a method that draws points there (an LRP region)


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
    where: dict = field(default_factory=dict)  # meanings of names used in every step (r = ||x - mu||)
    cases: list = field(default_factory=list)  # LaTeX sentences for the answer box (the case a1 = a2)

    def step(self, text: str = "", *lines: Line, title: str = "", table: Table | None = None,
             figure: Figure | None = None, where: dict | None = None, domain=None, **values) -> None:
        self.steps.append(Step(text=text, lines=list(lines), table=table, figure=figure,
                               values=values, title=title, where=dict(where or {}), domain=domain))

    def answer(self, name: str, value, description: str = "", tolerance: float | None = None) -> None:
        self.answers[name] = Answer(name, value, description, tolerance)

    def _repr_markdown_(self) -> str:  # Jupyter: the worked solution as math (symxai.notebook)
        from symxai.notebook import solution_markdown
        return solution_markdown(self)

    def _repr_latex_(self) -> str:
        from symxai.notebook import solution_latex
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
    steps: Any = None  # a stepcheck.StepReport once the worked steps are checked (build, solve)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def _repr_markdown_(self) -> str:  # Jupyter: a table of the checks (symxai.notebook)
        from symxai.notebook import verification_markdown
        return verification_markdown(self)

    def _repr_latex_(self) -> str:
        from symxai.notebook import verification_latex
        return verification_latex(self)
