"""Is a given answer equivalent to the engine's, under the declared assumptions?

Every decision is bounded by work, never by the clock, so the same answer gets
the same verdict on an idle and on a saturated machine:

1. Kinds and shapes must agree (a vector is not a matrix, a set not a number).
2. The ``--assume`` equalities are solved together and substituted; contradictory
   ones leave nothing to decide ("undecided", never "right").
3. A symbol the student's answer depends on and the correct one does not is wrong,
   unless it cancels by bounded exact algebra (``x1 - x1``, ``(x1^2 - 1)/(x1 - 1) - x1``).
4. Exact first: the difference cancels to 0 (``cancel``/``simplify`` only for small
   differences).  Then points: ``POINTS`` random admissible points from the
   method's sampler plus probe points far from the origin and on and beside every
   kink (``symxai.grade.probes``).  Where both answers are exact (no decimals in the
   engine's answer) a nonzero difference at a point is wrong whatever its size:
   the difference is evaluated at the point with adaptive precision (up to
   ``EXACT_DIGITS`` digits).  Only answers with floats (a numerically computed
   engine answer) are compared with a relative tolerance (the exercise's stated
   one, default 1e-9).
5. A point where either answer is undefined is never silently dropped: a point
   where only the student's answer is undefined is moved off slightly (a removable
   singularity such as x(x-1)/(x-1) at 1); a point where the engine's is undefined
   counts against the decision, and when more than a quarter of the admissible
   points are lost that way, or fewer than ``POINTS`` remain, the verdict is
   "undecided", never "right".

>>> import sympy
>>> from symxai.specs.symbols import SymbolDecl, SymbolTable
>>> table = SymbolTable([SymbolDecl("x"), SymbolDecl("y")])
>>> x, y = table["x"], table["y"]
>>> compare(sympy.Max(x, y), (x + y + sympy.Abs(x - y)) / 2, table).status
'right'
>>> compare(x + y, x + 2 * y, table).status
'wrong'
>>> compare(sympy.FiniteSet(x, y), sympy.FiniteSet(y, x), table).status
'right'
>>> compare(x, x * (1 + sympy.Rational(1, 10**10)), table).status
'wrong'
>>> compare(y, y + sympy.Max(0, x - 10), table).status
'wrong'
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy
from sympy.logic.boolalg import BooleanAtom
from sympy.matrices.expressions.matexpr import MatrixExpr

from symxai.lazy import numpy as np
from symxai.grade.isolate import GUARD, OutOfTime, bounded, isolated  # noqa: F401  (re-exported: the first home of these)
from symxai.expr.numeval import substitution

TOLERANCE = 1e-9  # relative, for answers with floats only
POINTS = 16  # random admissible points
TRIES = 400  # random draws at most
EXACT_OPS = 250  # differences with more operations are not cancelled symbolically
SIMPLIFY_OPS = 40  # ... nor simplified with simplify() above this size
MAX_POWER = 12  # cancel() expands powers: larger integer exponents are left to the points
EXACT_POINTS = 6  # points where the difference is evaluated with adaptive precision
EXACT_DIGITS = 300  # the precision up to which a difference is told from zero
LOST_SHARE = 0.25  # of admissible points where the engine's answer may be undefined
TIME_LIMIT = GUARD  # kept for callers of the first version: the last guard, not a decision rule


@dataclass
class Verdict:
    status: str  # "right", "wrong", "undecided", "too-long"
    how: str = ""  # "exact", "agrees at N random admissible points", the reason for "undecided"
    counterexample: dict = field(default_factory=dict)  # {name: value} as plain numbers
    given_value: object = None  # plain: float, ndarray, list, bool or text
    expected_value: object = None
    difference: float | None = None  # |expected - given| at the counterexample, when exactly known


def shape_of(value):
    if isinstance(value, (MatrixExpr, sympy.MatrixBase)):
        return tuple(value.shape)
    return ()


class Contradiction(ValueError):
    """The assumptions cannot all hold."""


def solve_equalities(conditions):
    """The equalities among ``conditions`` solved together: ({symbol: value}, other conditions).

    >>> a, b = sympy.symbols("a b", real=True)
    >>> solve_equalities([sympy.Eq(a, b), b > 0])
    ({b: a}, [a > 0])
    >>> solve_equalities([sympy.Eq(a, 1), sympy.Eq(a, 2)])
    Traceback (most recent call last):
    ...
    symxai.grade.equivalence.Contradiction: the assumptions contradict each other
    """
    eqs = [c for c in conditions if isinstance(c, sympy.Eq)]
    rest = [c for c in conditions if not isinstance(c, sympy.Eq)]
    if any(c is sympy.false for c in conditions):
        raise Contradiction("the assumptions contradict each other")
    rest = [c for c in rest if c is not sympy.true]
    if not eqs:
        return {}, rest
    syms = sorted(set().union(*(e.free_symbols for e in eqs)), key=lambda s: s.name, reverse=True)
    try:
        found = sympy.solve(eqs, syms, dict=True)
    except (NotImplementedError, ValueError, TypeError):
        found = None
    if found == []:
        raise Contradiction("the assumptions contradict each other")
    if not found:
        return {}, list(conditions)  # not solvable in closed form: checked at each point instead
    solution = {k: v for k, v in found[0].items() if v.is_real is not False}
    rest = [c.xreplace(solution) for c in rest]
    if any(c is sympy.false for c in rest):
        raise Contradiction("the assumptions contradict each other")
    return solution, [c for c in rest if c is not sympy.true]


def holds(conditions, values: dict) -> bool:
    """Whether every condition is true at ``values`` (equalities up to round-off)."""
    scalars, _ = substitution(values)
    for cond in conditions:
        if isinstance(cond, sympy.Eq):
            try:
                if abs(complex((cond.lhs - cond.rhs).xreplace(scalars).evalf(20))) > 1e-12:
                    return False
            except (TypeError, ValueError):
                return False
            continue
        if cond.xreplace(scalars) not in (sympy.true, True):
            return False
    return True


def _finite(v) -> bool:
    if isinstance(v, bool):
        return True
    if isinstance(v, list):
        return all(_finite(e) for e in v)
    return bool(np.all(np.isfinite(np.asarray(v, dtype=float))))


def error(given, expected) -> float:
    """Relative error (floor 1) between two evaluated values; inf if incomparable."""
    if isinstance(given, bool) or isinstance(expected, bool):
        return 0.0 if isinstance(given, bool) and isinstance(expected, bool) and given == expected else float("inf")
    if isinstance(given, list) or isinstance(expected, list):
        if not (isinstance(given, list) and isinstance(expected, list)) or len(given) != len(expected):
            return float("inf")
        worst, left = 0.0, list(expected)
        for g in given:  # greedy matching: elements are far apart or equal
            errors = [error(g, e) for e in left]
            k = int(np.argmin(errors))
            worst = max(worst, errors[k])
            left.pop(k)
        return worst
    g, e = np.asarray(given, dtype=float).reshape(-1), np.asarray(expected, dtype=float).reshape(-1)
    if g.shape != e.shape:
        return float("inf")
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(e))):
        return 0.0 if np.array_equal(g, e) else float("inf")
    return float(np.max(np.abs(g - e) / np.maximum(1.0, np.abs(e)), initial=0.0))


def _big_power(expr) -> bool:
    return any(p.exp.is_Integer and abs(p.exp) > MAX_POWER for p in expr.atoms(sympy.Pow))


def cancels(diff) -> bool:
    """Whether ``diff`` is 0 by bounded exact algebra (False: not shown, not "nonzero")."""
    if isinstance(diff, sympy.MatrixBase):
        return all(cancels(v) for v in diff)
    if diff == 0:
        return True
    if not isinstance(diff, sympy.Basic) or diff.has(sympy.Piecewise, sympy.Float):
        return False
    ops = sympy.count_ops(diff)
    if ops > EXACT_OPS or _big_power(diff):
        return False
    if sympy.cancel(sympy.together(diff)) == 0:
        return True
    return ops <= SIMPLIFY_OPS and sympy.simplify(diff) == 0


def _exact_difference(expected, given):
    """expected - given as something ``cancels`` understands, or None."""
    if isinstance(expected, sympy.FiniteSet):
        return None
    if shape_of(expected) != shape_of(given) and {shape_of(expected), shape_of(given)} <= {(), (1, 1)}:
        return None
    if shape_of(expected):
        if any(sympy.sympify(s).free_symbols for s in expected.shape):
            return None  # symbolic dimension d: only sampling can tell
        return sympy.ImmutableMatrix(expected.as_explicit()) - sympy.ImmutableMatrix(given.as_explicit())
    return expected - given


def _sets_exactly_equal(expected, given) -> bool:
    left = list(expected.args)
    for g in given.args:
        match = next((e for e in left if cancels(_exact_difference(e, g))), None)
        if match is None:
            return False
        left.remove(match)
    return not left


def describe(value) -> str:
    """'a scalar', 'a vector of length 3', 'a 2x3 matrix', 'a set of 2 values'."""
    if isinstance(value, sympy.FiniteSet):
        return f"a set of {len(value)} values"
    shape = shape_of(value)
    if not shape:
        return "a truth value" if isinstance(value, BooleanAtom) else "a scalar"
    if shape[1] == 1:
        return f"a vector of length {shape[0]}"
    return f"a {shape[0]}x{shape[1]} matrix"


def _mismatch(expected, given) -> str | None:
    """Why two values cannot be equal whatever the symbols are, or None."""
    e_bool, g_bool = isinstance(expected, BooleanAtom), isinstance(given, BooleanAtom)
    if e_bool or g_bool:
        if e_bool and g_bool:
            return None if expected == given else f"expected {str(expected).lower()}"
        return "expected true or false" if e_bool else "expected an expression, got a truth value"
    e_set, g_set = isinstance(expected, sympy.FiniteSet), isinstance(given, sympy.FiniteSet)
    if e_set or g_set:
        if not (e_set and g_set):
            return (f"expected a set of {len(expected)} values, e.g. {{a, b}}" if e_set
                    else "expected a single value, not a set")
        if len(expected) != len(given):
            return f"the answer is a set of {len(expected)} values, yours has {len(given)}"
        return None
    es, gs = shape_of(expected), shape_of(given)
    if {es, gs} <= {(), (1, 1)}:
        return None  # a 1x1 matrix (w^T Sigma w) meets a scalar
    if es != gs:  # (d, 1) against (1, d) differs unless d = 1: the shapes must agree as written
        return f"shape: expected {describe(expected)}, got {describe(given)}"
    return None


_UNDEFINED = (sympy.nan, sympy.zoo, sympy.oo, -sympy.oo)  # x - x is not 0 for these


def _exact_scalar(value) -> bool:
    """An exact commutative scalar: no floats, no Piecewise, no matrix expression, nothing undefined."""
    return (isinstance(value, sympy.Expr) and not isinstance(value, MatrixExpr) and value.is_commutative
            and not value.has(sympy.Float, sympy.Piecewise, sympy.Order, sympy.AccumBounds, *_UNDEFINED))


def _same(e, g) -> bool:
    """The same tree (one structural comparison), and so a difference that is 0 as built."""
    return _exact_scalar(e) and _exact_scalar(g) and e == g and e - g == 0


def settled_exactly(expected, given, conditions=(), tolerance=None) -> Verdict | None:
    """The verdict ``compare`` would certainly give without drawing a point, found without its child
    process, its sampler or numpy; None for anything else (which ``compare`` then decides as before,
    so no verdict changes).

    Truth values are decided as ``compare`` decides them (it never samples them either).  Otherwise
    only exact scalars qualify (constants such as 2/3, sqrt(2)/2, Phi(3), or formulas such as
    w_1*x_1; no floats, no Piecewise, no matrix expressions), and explicit vectors and matrices of
    them of the same shape, without assumptions (``--assume``) or a tolerance, and only when the two
    are the same expression tree entry by entry (bounded work: one structural comparison, then the
    difference as built).  Then ``compare``'s exact difference is 0 before any cancellation, and it
    answers "right" ("exact") without drawing a point.  A wrong answer, or a right one written
    differently (``0.5`` for 1/2, ``x*(x + 1)`` for ``x**2 + x``), goes to ``compare``.

    >>> settled_exactly(sympy.Rational(2, 3), sympy.Rational(4, 6)).how
    'exact'
    >>> settled_exactly(sympy.sqrt(2) / 2, 1 / sympy.sqrt(2)).status
    'right'
    >>> settled_exactly(sympy.ImmutableMatrix([1, sympy.Rational(1, 2)]), sympy.ImmutableMatrix([1, sympy.Rational(1, 2)])).status
    'right'
    >>> [settled_exactly(sympy.Rational(1, 2), v) for v in (sympy.Float(0.5), sympy.Rational(1, 3), sympy.Symbol("x"))]
    [None, None, None]
    >>> x = sympy.Symbol("x")
    >>> settled_exactly(x**2 + x, x**2 + x).status, settled_exactly(x**2 + x, x * (x + 1))
    ('right', None)
    >>> settled_exactly(sympy.Rational(1, 2), sympy.Rational(1, 2), tolerance=1e-3) is None
    True
    >>> settled_exactly(sympy.true, sympy.false).how
    'expected true'
    """
    if conditions or tolerance is not None:
        return None
    if isinstance(expected, BooleanAtom) and isinstance(given, BooleanAtom):
        return Verdict("right", "exact") if expected == given else Verdict("wrong", _mismatch(expected, given))
    if isinstance(expected, sympy.MatrixBase) and isinstance(given, sympy.MatrixBase):
        if expected.shape != given.shape or not all(_same(e, g) for e, g in zip(expected, given)):
            return None
        return Verdict("right", "exact")
    if _same(expected, given):
        return Verdict("right", "exact")
    return None


def compare(expected, given, symbols, conditions=(), *, sample=None, seed: int = 0,
            tolerance: float | None = None, points: int = POINTS, exact: bool = True, probes: bool = True,
            movable=None, **_ignored) -> Verdict:
    """Compare ``given`` with ``expected``; ``sample(rng)`` may replace ``symbols.sample``.

    ``tolerance`` (relative) applies only where the engine's answer holds floats.  ``movable``: the
    symbols probe points may move (default: every real scalar without a declared range).  Never
    raises on a strange expression: what cannot be evaluated comes back "undecided".
    (A ``time_limit`` keyword of the first version is accepted and ignored.)
    """
    from symxai.grade.grading import decide

    reason = _mismatch(expected, given)
    if reason is not None:
        return Verdict("wrong", reason)
    if isinstance(expected, BooleanAtom):
        return Verdict("right", "exact")
    try:
        return decide(expected, given, symbols, tuple(conditions), sample, seed, tolerance, points, exact, probes,
                      movable)
    except Contradiction as exc:
        return Verdict("undecided", str(exc))
    except (ArithmeticError, TypeError, ValueError, AttributeError, NotImplementedError,
            RecursionError, IndexError, KeyError) as exc:
        return Verdict("undecided", f"the answer cannot be evaluated ({type(exc).__name__})")


_shape, _describe, _holds = shape_of, describe, holds  # names of the first version
