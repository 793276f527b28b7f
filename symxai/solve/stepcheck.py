"""Checking the worked steps: every displayed equality, not only the answers.

A worked solution displays chains such as ``phi_1 = 1/3 + 1/3 = 2/3`` and
equations such as ``2 lambda x = w``.  Each neighbouring pair of terms joined
by ``=`` is one displayed equality.  A pair is *checked* when both terms have a
SymPy value (a SymPy term, or a ``Tex`` notation with its ``value``): it is then
compared exactly where both sides are exact numbers, and otherwise numerically
at parameter points drawn by the method's sampler, after substituting the
step's ``where`` meanings (and, for an equation, the solution point ``at``).
A pair that cannot be compared counts as shown but not checked; a pair that
compares unequal is a false step, which fails the build like a false answer.

>>> import sympy
>>> from symxai.solve.model import Line, Solution
>>> x = sympy.Symbol("x", positive=True)
>>> s = Solution()
>>> s.step("Expand.", Line((x + 1)**2, x**2 + 2*x + 1))
>>> s.step("Wrong.", Line((x + 1)**2, x**2 + 1))
>>> report = check_lines(s, lambda rng: {x: float(rng.uniform(0.5, 3))})
>>> report.checked, report.total, len(report.failures)
(2, 2, 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from symxai.lazy import numpy as np
import sympy

from symxai.solve.model import Line, Solution, Tex
from symxai.expr.numeval import evaluate

POINTS = 6  # parameter points per equality with free symbols
TOLERANCE = 1e-8  # relative, for pairs compared in floats
APPROX = 5e-6  # relative, for a displayed decimal (x approx 0.998650: six digits)


@dataclass
class StepFailure:
    step: int  # 1-based index of the step in the solution
    title: str
    left: str
    right: str
    detail: str

    def __str__(self) -> str:
        where = f"step {self.step}" + (f" ({self.title})" if self.title else "")
        return f"{where}: {self.left} = {self.right} is false: {self.detail}"


@dataclass
class StepReport:
    checked: int = 0
    total: int = 0
    failures: list[StepFailure] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)  # why a shown equality was not checked

    @property
    def passed(self) -> bool:
        return not self.failures


def _value(term):
    if isinstance(term, Tex):
        return term.value
    if isinstance(term, str):
        return None
    return term


def _meaning(value, where: dict):
    """``value`` with the step's named intermediates replaced by what they stand for (to a fixed point)."""
    if not where or not isinstance(value, sympy.Basic):
        return value
    for _ in range(8):
        new = value.xreplace(where)
        if new == value:
            break
        value = new
    return value


def _exact(value) -> bool:
    return isinstance(value, sympy.Basic) and not isinstance(value, sympy.MatrixExpr) \
        and value.is_number and not value.has(sympy.Float)


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Index(sympy.Symbol):
    """An index ``i = 1..upper`` of a step in general dimension ([x]_i with x in R^d): drawn in
    ``1..upper`` once ``upper`` has its value, so that ``x[i - 1, 0]`` is an entry of x.

    >>> d = sympy.Symbol("d", integer=True, positive=True)
    >>> i = Index("i", d)
    >>> 1 <= _draw(i, np.random.default_rng(0), {d: 3}) <= 3
    True
    """

    def __new__(cls, name, upper):
        obj = super().__new__(cls, name, integer=True, positive=True)
        obj.upper = upper
        return obj

    def __getnewargs_ex__(self):
        return (self.name, self.upper), {}


def _draw(symbol, rng, known=None):
    """A value for a scalar symbol the method's sampler does not cover, by its assumptions."""
    if isinstance(symbol, Index):
        upper = sympy.sympify(symbol.upper).xreplace({k: sympy.Integer(v) for k, v in (known or {}).items()
                                                       if isinstance(v, (int, np.integer))})
        return int(rng.integers(1, int(upper) + 1))
    if symbol.is_integer:
        low = 1 if symbol.is_positive else (0 if symbol.is_nonnegative else -4)
        return int(rng.integers(low, 7))
    if symbol.is_positive:
        return float(rng.uniform(0.25, 3.0))
    if symbol.is_nonnegative:
        return float(rng.uniform(0.0, 3.0))
    return float(rng.uniform(-3.0, 3.0))


def _fill(values: dict, rng, *terms) -> dict:
    """``values`` plus a drawn value for every other free scalar symbol of ``terms`` (a general
    identity in d or eta holds for every admissible value, not only the exercise's), and random
    entries for every other matrix symbol, in the drawn dimension (a general identity in
    mu_c, mu_k in R^d holds for random centroids).  Indices (``Index``) are drawn last, within
    their dimension."""
    out = dict(values)
    terms = [t for t in terms if isinstance(t, sympy.Basic)]
    free = set().union(*(t.free_symbols for t in terms)) if terms else set()
    matrices = set().union(*(t.atoms(sympy.MatrixSymbol) for t in terms)) if terms else set()
    for m in matrices:
        free |= set().union(*(sympy.sympify(s).free_symbols for s in m.shape))
    free = {s for s in free - set(out) if isinstance(s, sympy.Symbol) and not isinstance(s, sympy.Dummy)}
    for symbol in sorted(free, key=lambda s: (isinstance(s, Index), str(s))):
        out[symbol] = _draw(symbol, rng, out)
    taken = {k.name for k in out if isinstance(k, sympy.MatrixSymbol)}
    for m in sorted(matrices, key=str):
        if m.name in taken:
            continue
        shape = [sympy.sympify(s).xreplace({k: sympy.Integer(v) for k, v in out.items()
                                            if isinstance(v, (int, np.integer))}) for s in m.shape]
        if all(s.is_Integer for s in shape):
            out[m] = rng.normal(size=tuple(int(s) for s in shape))
            taken.add(m.name)
    return out


def _unwrap(value):
    """A display wrapper (a 1x1 matrix shown as the scalar it is) as the value it stands for: a
    SymPy function with a ``checked_value`` method is replaced by what that returns."""
    if not isinstance(value, sympy.Basic):
        return value
    return value.replace(lambda e: callable(getattr(type(e), "checked_value", None)),
                         lambda e: e.checked_value())


def _names(solution: Solution) -> set[str]:
    """Names the solution introduces (the first term of a line, the answers): a value stands for
    them only through a meaning, never a random draw."""
    names = set(solution.answers)
    for step in solution.steps:
        for line in step.lines:
            if line.kind != "equation" and line.terms and isinstance(line.terms[0], (sympy.Symbol, sympy.MatrixSymbol)):
                names.add(line.terms[0].name)
    return names


def _vector(value):
    """A one-row or one-column matrix as a column: the sheets print both as the same tuple."""
    if isinstance(value, sympy.MatrixBase) and 1 in value.shape:
        return sympy.ImmutableMatrix(list(value))
    return value


def _compare(left, right, sampler, rng, tolerance: float = TOLERANCE) -> str | None:
    """None when ``left`` equals ``right``; else what shows they differ.  Raises when they cannot be compared."""
    left, right = _vector(left), _vector(right)
    if isinstance(left, sympy.MatrixBase) and isinstance(right, sympy.MatrixBase) and left.shape != right.shape:
        return f"shapes {left.shape} and {right.shape}"
    if _exact(left) and _exact(right) and tolerance == TOLERANCE:
        difference = sympy.simplify((left - right).doit())
        if difference == 0:
            return None
        if difference.is_number and difference.is_zero is False:
            return f"the exact difference is {_short(difference)}"
    free = any(isinstance(v, sympy.Basic) and (v.free_symbols or v.atoms(sympy.MatrixSymbol))
               for v in (left, right))
    for _ in range(POINTS if free else 1):
        values = _fill(sampler(rng) if free else {}, rng, left, right)
        a, b = evaluate(left, values), evaluate(right, values)
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        if a.size != b.size:
            return f"sizes {a.size} and {b.size}"
        a, b = a.reshape(-1), b.reshape(-1)
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            if np.array_equal(a, b, equal_nan=True):
                continue
            return f"{a.tolist()} against {b.tolist()} at {values}"
        if np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))) > tolerance:
            at = ", ".join(f"{k} = {np.round(np.asarray(v, dtype=float), 6).tolist()}" for k, v in values.items())
            return f"{np.round(a, 6).tolist()} against {np.round(b, 6).tolist()} at {at or 'the given values'}"
    return None


def answer_meanings(solution: Solution) -> dict:
    """The answers' names as symbols, meaning the answers: a chain that starts ``phi_1 = ...`` claims
    that what follows equals the answer phi_1, and is checked against it.

    >>> import sympy
    >>> s = Solution(); s.answer("phi_1", sympy.Rational(2, 3))
    >>> sorted(set(answer_meanings(s).values()))
    [2/3]
    """
    meanings = {}
    for name, answer in solution.answers.items():
        value = answer.value
        if not isinstance(value, sympy.Basic) or isinstance(value, sympy.logic.boolalg.BooleanAtom):
            continue
        if isinstance(value, (sympy.MatrixBase, sympy.MatrixExpr)):
            rows, cols = value.shape
            meanings[sympy.MatrixSymbol(name, rows, cols)] = value
            meanings[sympy.Symbol(name)] = value
        else:
            meanings[sympy.Symbol(name)] = value
            meanings[sympy.Symbol(name, real=True)] = value
    return meanings


def check_lines(solution: Solution, sampler, *, seed: int = 0, sampler_for=None) -> StepReport:
    """Check every displayed equality of ``solution``; ``sampler(rng)`` draws parameter values, or
    ``sampler_for(domain)`` for a line or step that holds on a domain of its own (``Line.domain``,
    ``Step.domain``)."""
    report = StepReport()
    rng = np.random.default_rng(seed)
    answers = {**answer_meanings(solution), **solution.where}
    names = _names(solution) - {str(k) for k in solution.where}
    for number, step in enumerate(solution.steps, start=1):
        for line in step.lines:
            domain = line.domain if line.domain is not None else step.domain
            draw = sampler_for(domain) if sampler_for is not None and domain is not None else sampler
            _check_line(line, step, answers, names, number, draw, rng, report)
    return report


def _check_line(line: Line, step, answers: dict, names: set, number: int, sampler, rng,
                report: StepReport) -> None:
    if line.kind == "formula":
        return
    pairs = list(zip(line.terms, line.terms[1:], line.relations()))
    if line.kind == "definition":
        pairs = pairs[1:]
        while pairs and _value(pairs[0][0]) is None:
            pairs = pairs[1:]
    for index, (a, b, rel) in enumerate(pairs):
        if rel not in ("=", "approx"):
            continue
        report.total += 1
        left, right = _value(a), _value(b)
        if left is None or right is None:
            shown = a.code if isinstance(a, Tex) else str(a)
            report.unchecked.append(f"step {number}: {shown} = ... has a term without a value")
            continue
        where = {**answers, **step.where}
        left, right = _meaning(left, where), _meaning(right, where)
        if line.kind == "equation" and index == len(pairs) - 1:
            left, right = _meaning(left, line.at or {}), _meaning(right, line.at or {})
            left, right = _meaning(left, where), _meaning(right, where)  # the solution may use the names too
        unmeant = sorted({str(v) for side in (left, right) if isinstance(side, sympy.Basic)
                          for v in side.free_symbols | side.atoms(sympy.MatrixSymbol)} & names)
        if unmeant:
            report.unchecked.append(f"step {number}: {_short(left)} = {_short(right)}: "
                                    f"{', '.join(unmeant)} named without a meaning")
            continue
        try:
            left, right = _unwrap(left), _unwrap(right)
            problem = _compare(sympy.sympify(left), sympy.sympify(right), sampler, rng,
                               APPROX if rel == "approx" else TOLERANCE)
        except (TypeError, ValueError, ZeroDivisionError, AttributeError, sympy.SympifyError) as error:
            report.unchecked.append(f"step {number}: {_short(left)} = {_short(right)}: {type(error).__name__}")
            continue
        report.checked += 1
        if problem is not None:
            report.failures.append(StepFailure(number, step.title, _short(left), _short(right), problem))


def check_steps(task, solution: Solution, *, seed: int = 0) -> StepReport:
    """``check_lines`` at parameter points drawn by the task's own method sampler.  A method whose
    steps hold region by region (``Method.steps_by_region``) draws the points of a step with a
    ``domain`` by ``method.sample_in(problem, symbols, rng, domain)``: inside that region only."""
    def sampler(rng):
        return task.method.sample(task.problem, task.symbols, rng)

    sampler_for = None
    if task.method.steps_by_region:
        def sampler_for(domain):
            return lambda rng: task.method.sample_in(task.problem, task.symbols, rng, domain)
    return check_lines(solution, sampler, seed=seed, sampler_for=sampler_for)
