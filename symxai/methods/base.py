"""What a method is: build a problem from spec parameters, solve it, and
compute a numeric reference that shares no code with the symbolic solution.

A method module defines one subclass of ``Method`` decorated with
``@register``; the registry finds it by name.  ``BuildContext`` turns spec
values into SymPy objects through the safe parser, collecting every problem
with its file, line and column.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from symxai.lazy import numpy as np
import sympy

from symxai.errors import ExpressionError, Location, Problem
from symxai.expr.exprparse import parse, parse_value
from symxai.specs.limits import MAX_INPUTS, MAX_MATRIX, MAX_VECTOR
from symxai.solve.model import Solution
from symxai.specs.schema import Record
from symxai.specs.symbols import SymbolTable
from symxai.specs.yamlload import Map, Seq


class BuildContext:
    """Converts located spec values into SymPy objects; problems are collected, not raised."""

    def __init__(self, file: str, symbols: SymbolTable, lines: list[str], problems: list[Problem]):
        self.file, self.symbols, self.lines, self.problems = file, symbols, lines, problems
        self.earlier: list = []  # the problems built for the earlier parts of the same exercise
        # True when this exact spec text was built without problems by this exact code before (a
        # check-cache entry, symxai/grade/answercache.py): a check whose only outcome is a problem
        # (never a change of the built problem) may then be skipped
        self.known_valid = False

    def problem(self, loc: Location | None, message: str) -> None:
        loc = loc or Location(self.file)
        line = self.lines[loc.line - 1] if 0 < loc.line <= len(self.lines) else ""
        self.problems.append(Problem(loc, message, line))

    def _loc(self, value, loc):
        return getattr(value, "loc", None) or loc

    def expr(self, value, loc: Location | None = None, *, extra: dict | None = None):
        """A spec value (number or expression text) as a SymPy object, or None after a problem."""
        if isinstance(value, bool) or value is None:
            self.problem(self._loc(value, loc), f"expected an expression, got {value!r}")
            return None
        if isinstance(value, int):
            return sympy.Integer(value)
        names = self.symbols.names()
        if extra:
            names.update(extra)
        try:
            out = parse(str(value), names)
        except ExpressionError as exc:
            where = self._loc(value, loc)
            if where is not None and exc.position is not None and where.line:
                line = self.lines[where.line - 1] if where.line <= len(self.lines) else ""
                offset = 1 if line[where.column - 1:where.column] in "\"'" else 0
                where = Location(where.file, where.line, where.column + offset + exc.position)
            self.problem(where, f"{exc.message} in expression {str(value)[:80]!r}")
            return None
        if isinstance(out, sympy.Basic) and out.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan):
            self.problem(self._loc(value, loc), f"expected a finite value, got {str(value)[:80]!r} "
                         "(infinity and undefined values are not allowed in a spec)")
            return None
        return out

    def value(self, value, loc=None):
        """Like ``expr`` but also booleans, tuples and sets (answers given in specs)."""
        if isinstance(value, bool):
            return sympy.true if value else sympy.false
        if isinstance(value, str):
            try:
                return parse_value(str(value), self.symbols.names())
            except ExpressionError as exc:
                self.problem(self._loc(value, loc), f"{exc.message} in {str(value)[:80]!r}")
                return None
        return self.expr(value, loc)

    def scalars(self, names, loc=None) -> list | None:
        """A list of declared scalar symbol names (e.g. a method's ``inputs``) as Symbols, or None."""
        if not isinstance(names, Seq):
            self.problem(self._loc(names, loc), "expected a list of declared scalar names")
            return None
        if len(names) > MAX_INPUTS:
            self.problem(self._loc(names, loc), f"at most {MAX_INPUTS} inputs (got {len(names)}); see docs/spec.md#limits")
            return None
        out, seen = [], {}
        for i, name in enumerate(names):
            sym = self.symbols.objects.get(name)
            if not isinstance(sym, sympy.Symbol):
                self.problem(names.loc_of(i), f"input '{name}' must be a declared scalar symbol")
                return None
            if name in seen:
                self.problem(names.loc_of(i), f"input '{name}' is listed twice (first as input {seen[name] + 1}); "
                             "the inputs must be distinct")
                return None
            seen[name] = i
            out.append(sym)
        return out

    def vector(self, value, loc=None):
        """A list of expressions as a column ImmutableMatrix (or None)."""
        if not isinstance(value, Seq):
            self.problem(self._loc(value, loc), "expected a list of numbers or expressions")
            return None
        if len(value) > MAX_VECTOR:
            self.problem(value.loc, f"a vector has at most {MAX_VECTOR} entries (got {len(value)}); see docs/spec.md#limits")
            return None
        items = [self.expr(v, value.loc_of(i)) for i, v in enumerate(value)]
        if any(i is None for i in items):
            return None
        return sympy.ImmutableMatrix(items)

    def matrix(self, value, loc=None):
        """A list of equally long rows as an ImmutableMatrix (or None)."""
        if not isinstance(value, Seq) or not all(isinstance(r, Seq) for r in value) or not value:
            self.problem(self._loc(value, loc), "expected a matrix: a list of rows, each a list")
            return None
        if len({len(r) for r in value}) != 1:
            self.problem(value.loc, "every row of a matrix must have the same length")
            return None
        if len(value) * len(value[0]) > MAX_MATRIX:
            self.problem(value.loc, f"a matrix has at most {MAX_MATRIX} entries (got {len(value)}x{len(value[0])}); "
                         "see docs/spec.md#limits")
            return None
        rows = [[self.expr(v, r.loc_of(j)) for j, v in enumerate(r)] for r in value]
        if any(v is None for r in rows for v in r):
            return None
        return sympy.ImmutableMatrix(rows)


class Method(ABC):
    """One explanation method.  Subclasses set ``name``, ``params`` and ``reference_name``."""

    name: ClassVar[str]
    params: ClassVar[Record]
    reference_name: ClassVar[str] = "independent numeric computation"
    points: ClassVar[int] = 6  # parameter points tried when answers are symbolic
    # Steps that hold region by region (an LRP relevance is x1 - x2 where x1 > x2) carry their region as
    # Step.domain; stepcheck then draws the step's points with ``sample_in(problem, symbols, rng, domain)``.
    steps_by_region: ClassVar[bool] = False

    def reference_name_for(self, problem) -> str:
        """How this problem's answers were checked (``reference_name``, unless the instance differs)."""
        return self.reference_name

    @abstractmethod
    def build(self, ctx: BuildContext, params: Map) -> Any:
        """Turn validated spec parameters into the method's problem object (None on problems)."""

    @abstractmethod
    def answer_names(self, problem) -> list[str]:
        """Every answer the method derives for this problem, in order."""

    @abstractmethod
    def solve(self, problem) -> Solution:
        """Derive every answer symbolically, with the worked steps."""

    @abstractmethod
    def reference(self, problem, values: dict) -> dict[str, Any]:
        """Numeric answers at ``values`` ({sympy symbol: number}) by a route that shares
        no code with ``solve``; floats, numpy arrays or booleans, keyed by answer name."""

    def sample(self, problem, symbols: SymbolTable, rng: np.random.Generator) -> dict:
        """Random values for the free symbols; methods with domain constraints override this."""
        return symbols.sample(rng)

    def sampler_counts_draws(self, problem) -> bool:
        """Whether ``sample`` changes ``problem`` (a counter of its draws), so that a draw skipped
        changes what is drawn next.  A check settles an answer without sampling (``grade.check._settled``)
        only where it does not; such methods override this."""
        return False

    def accepts(self, problem, answer: str, value) -> tuple[bool, str] | None:
        """For an answer the exercise accepts in many forms (any adversarial example, any maximiser):
        (whether ``value`` has the defining property, why not).  None: compare with the engine's answer."""
        return None

    def tolerance(self, problem, answer: str) -> float:
        """Absolute/relative tolerance of the comparison for ``answer``."""
        return 1e-9
