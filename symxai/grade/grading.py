"""The decision procedure behind ``equivalence.compare``: points, exactness, undefined values.

Bounded by counts, never by the clock: at most ``TRIES`` random draws, ``POINTS``
agreeing random points, ``probes.MAX_PROBES`` probe points, ``EXACT_POINTS``
adaptive-precision evaluations, and symbolic cancellation only of small
differences.  See ``symxai.grade.equivalence`` for the rules.

>>> import sympy
>>> from symxai.specs.symbols import SymbolDecl, SymbolTable
>>> table = SymbolTable([SymbolDecl("x")])
>>> x = table["x"]
>>> decide(x, x * (x - 1) / (x - 1), table, (), None, 0, None, 16, True).status
'right'
>>> decide(sympy.Rational(2, 3), sympy.Rational(2, 3) + sympy.Max(0, x - 5), table, (), None, 0, None, 16, True).how
'your answer depends on x, the correct one does not'
"""

from __future__ import annotations

import sympy

from symxai.lazy import numpy as np
from symxai.grade import equivalence as eq
from symxai.expr.numeval import evaluate, free_parameters
from symxai.grade.probes import probe_points


def _subs(value, solution):
    return value.xreplace(solution) if solution and hasattr(value, "xreplace") else value


def _has_float(value) -> bool:
    try:
        return bool(sympy.sympify(value).atoms(sympy.Float))
    except (TypeError, AttributeError, sympy.SympifyError):
        return False


def _names(value) -> set:
    return {getattr(s, "name", str(s)) for s in free_parameters(value)}


def _dimensions(*values) -> set:
    """Names of the symbols in the shapes of the matrices of ``values`` (d in a d x d Sigma)."""
    out = set()
    for value in values:
        try:
            mats = sympy.sympify(value).atoms(sympy.MatrixSymbol)
        except (TypeError, AttributeError, sympy.SympifyError):
            continue
        for m in mats:
            out |= {s.name for dim in m.shape for s in sympy.sympify(dim).free_symbols}
    return out


def _extra(expected, given) -> set:
    return _names(given) - _names(expected) - _dimensions(expected, given)


def _drop_cancelled(expected, given):
    """``given`` with symbols the expected answer does not have cancelled, or None when they stay."""
    extra = _extra(expected, given)
    if not extra:
        return given
    if isinstance(given, sympy.Basic) and not given.has(sympy.Piecewise) and not eq.shape_of(given):
        if sympy.count_ops(given) <= eq.EXACT_OPS and not eq._big_power(given):
            reduced = sympy.cancel(sympy.together(given))
            if not _extra(expected, reduced):
                return reduced
    return None


def _plain(v):
    if isinstance(v, (np.ndarray, float, bool, int, list)):
        return v
    return str(v)


def _rational(v):
    if isinstance(v, (bool, np.bool_)):
        return sympy.true if v else sympy.false
    if isinstance(v, (int, np.integer)):
        return sympy.Integer(int(v))
    return sympy.Rational(float(v))


def exact_difference_at(expected, given, values) -> float | None:
    """expected - given at ``values`` (read as exact binary fractions), to 15 digits with adaptive
    precision; 0.0 when it cannot be told from 0 within ``EXACT_DIGITS`` digits; None when the
    answers are not explicit scalars or matrices (symbolic matrix expressions).

    >>> x = sympy.Symbol("x", real=True)
    >>> exact_difference_at(x, x + sympy.sin(10**6 * x) / 10**10, {x: 0.25}) != 0
    True
    >>> exact_difference_at(sympy.sin(x)**2, 1 - sympy.cos(x)**2, {x: 0.25})
    0.0
    """
    if isinstance(expected, sympy.FiniteSet) or isinstance(given, sympy.FiniteSet):
        return None
    point = {k: _rational(v) for k, v in values.items() if isinstance(k, sympy.Symbol)}
    matrices = {k: v for k, v in values.items() if isinstance(k, sympy.MatrixSymbol)}
    if matrices:
        return _matrix_difference(expected, given, point, matrices)
    if eq.shape_of(expected) and not (isinstance(expected, sympy.MatrixBase) and isinstance(given, sympy.MatrixBase)):
        return None
    diff = sympy.ImmutableMatrix(expected) - sympy.ImmutableMatrix(given) if eq.shape_of(expected) \
        else sympy.sympify(expected) - sympy.sympify(given)
    return _largest(diff, point)


MAX_EXACT_SIZE = 8  # matrices up to this size are compared in exact rationals at a point


def _matrix_difference(expected, given, point, matrices):
    """expected - given with the sampled matrices as exact rational matrices (resized to the sampled
    dimension), so that a relative 1e-15 difference in a vector answer is seen."""
    import numpy as np

    resized = {}
    for m, arr in matrices.items():
        arr = np.asarray(arr, dtype=float)
        shape = tuple(int(sympy.sympify(s).xreplace(point)) for s in m.shape)
        if max(shape) > MAX_EXACT_SIZE:
            return None
        exact = sympy.ImmutableMatrix(shape[0], shape[1], [sympy.Rational(float(x)) for x in arr.reshape(-1)])
        resized[m] = exact
    def explicit(v):
        v = sympy.sympify(v).xreplace(point)
        v = v.xreplace({sympy.MatrixSymbol(m.name, *[sympy.sympify(s).xreplace(point) for s in m.shape]): e
                        for m, e in resized.items()})
        v = v.xreplace(resized)
        v = v.doit() if hasattr(v, "doit") else v
        return sympy.ImmutableMatrix(v.as_explicit()) if hasattr(v, "as_explicit") else v
    try:
        e, g = explicit(expected), explicit(given)
    except (TypeError, ValueError, AttributeError, sympy.SympifyError):
        return None
    if isinstance(e, sympy.MatrixBase) != isinstance(g, sympy.MatrixBase):
        e = e[0] if isinstance(e, sympy.MatrixBase) and e.shape == (1, 1) else e
        g = g[0] if isinstance(g, sympy.MatrixBase) and g.shape == (1, 1) else g
    if isinstance(e, sympy.MatrixBase) and (not isinstance(g, sympy.MatrixBase) or e.shape != g.shape):
        return None
    if any(getattr(x, "free_symbols", None) for x in (e, g)):
        return None
    return _largest(e - g, {})


def _largest(diff, point):
    worst = 0.0
    for d in (diff if isinstance(diff, sympy.MatrixBase) else [diff]):
        d = sympy.sympify(d).xreplace(point)
        if d.is_Rational:
            if d != 0:  # a nonzero below the smallest float still counts
                worst = max(worst, abs(float(d)) or 1e-300)
            continue
        if d.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            return None
        try:
            value = d.evalf(15, maxn=eq.EXACT_DIGITS, strict=True)
        except sympy.core.evalf.PrecisionExhausted:
            continue
        if not value.is_number:
            return None
        if value != 0:
            worst = max(worst, abs(complex(value)) or 1e-300)
    return worst


def _nudge(values, rng, symbols):
    """``values`` moved by a relative 1e-6 in every free real scalar (off a singular set)."""
    moved = dict(values)
    for k, v in values.items():
        decl = symbols.by_object.get(k)
        if isinstance(k, sympy.Symbol) and isinstance(v, float) and decl is not None and "integer" not in decl.assume:
            moved[k] = v + 1e-6 * max(1.0, abs(v)) * float(rng.choice([1.0, -1.0]))
    return moved


class _Judge:
    def __init__(self, expected, given, symbols, rest, tol, exact):
        self.expected, self.given, self.symbols, self.rest = expected, given, symbols, rest
        self.tol, self.exact = tol, exact
        self.exact_left = eq.EXACT_POINTS
        self.names = _names(expected) | _names(given)
        self.rng = np.random.default_rng(12345)

    def wrong(self, values, g, e, difference=None):
        shown = {str(k): _plain(v) for k, v in values.items() if getattr(k, "name", None) in self.names}
        return eq.Verdict("wrong", "sampled", shown, _plain(g), _plain(e), difference)

    def at(self, values):
        """None (agrees), "lost" (the engine's answer is undefined here), or a wrong Verdict."""
        e = evaluate(self.expected, values)
        if not eq._finite(e):
            return "lost"
        g = evaluate(self.given, values)
        if not eq._finite(g):  # removable singularity, or the student's answer is really undefined?
            moved = _nudge(values, self.rng, self.symbols)
            if moved == values or not eq.holds(self.rest, moved):
                # the correct answer has a value here and the student's has none: that is wrong, not lost
                return self.wrong(values, "undefined", e)
            e2, g2 = evaluate(self.expected, moved), evaluate(self.given, moved)
            if not eq._finite(e2):
                return "lost"
            if eq._finite(g2) and eq.error(g2, e2) <= 1e-5:
                return None
            return self.wrong(values, "undefined" if not eq._finite(g2) else g, e)
        if not eq.error(g, e) <= self.tol:
            return self.wrong(values, g, e)
        if self.exact and self.exact_left > 0:
            self.exact_left -= 1
            d = exact_difference_at(self.expected, self.given, values)
            if d:
                return self.wrong(values, g, e, d)
        return None


def _cancelled(expected, given) -> bool:
    """The exact step: the difference cancels by bounded algebra (sets element by element)."""
    if isinstance(expected, sympy.Basic) and expected.has(sympy.Piecewise):
        return False
    if isinstance(expected, sympy.FiniteSet):
        return eq._sets_exactly_equal(expected, given)
    diff = eq._exact_difference(expected, given)
    return diff is not None and eq.cancels(diff)


def constants(expected, given) -> bool:
    """Whether neither answer has a free parameter (a symbol or a matrix symbol)."""
    return not (free_parameters(expected) or free_parameters(given))


def exact_verdict(expected, given, tolerance=None) -> eq.Verdict | None:
    """``compare``'s verdict on two answers without free parameters and without conditions where its
    exact step decides it ("right", "exact", or a kind or shape that cannot match), else None (then
    only points can tell).  No point is drawn and numpy is not imported: ``grade.check`` runs this in
    a child before ``compare``.

    >>> exact_verdict(sympy.Rational(1, 3), 1 - sympy.Rational(2, 3)).how
    'exact'
    >>> exact_verdict(sympy.sqrt(2), sympy.sqrt(3)) is None
    True
    """
    if not constants(expected, given):
        return None
    reason = eq._mismatch(expected, given)
    if reason is not None:
        return eq.Verdict("wrong", reason)
    if isinstance(expected, eq.BooleanAtom):
        return eq.Verdict("right", "exact")
    try:
        if tolerance is None and not _has_float(expected) and _cancelled(expected, given):
            return eq.Verdict("right", "exact")
    except (ArithmeticError, TypeError, ValueError, AttributeError, NotImplementedError,
            RecursionError, IndexError, KeyError):
        pass  # compare decides it, and reports what it cannot evaluate as it always did
    return None


def decide(expected, given, symbols, conditions, sample, seed, tolerance, points, exact, probes=True,
           movable=None) -> eq.Verdict:
    """The verdict of ``equivalence.compare`` once kinds and shapes agree."""
    solution, rest = eq.solve_equalities(conditions)
    expected, given = _subs(expected, solution), _subs(given, solution)
    draw = sample or symbols.sample
    if rest:  # (no generator is made without conditions: numpy is imported only where points are drawn)
        rng = np.random.default_rng(seed)
        if not any(eq.holds(rest, draw(rng)) for _ in range(eq.TRIES)):
            return eq.Verdict("undecided", f"no admissible point in {eq.TRIES} tries: the assumptions may "
                              "contradict each other or the exercise's domain")
    reduced = _drop_cancelled(expected, given)
    if reduced is None:
        extra = sorted(_extra(expected, given))
        return eq.Verdict("wrong", f"your answer depends on {', '.join(extra)}, the correct one does not")
    given = reduced
    floats = tolerance is not None or _has_float(expected)
    tol = (eq.TOLERANCE if tolerance is None else tolerance) if floats else eq.TOLERANCE
    if exact and not floats and _cancelled(expected, given):
        return eq.Verdict("right", "exact")
    free = free_parameters(expected) | free_parameters(given)
    judge = _Judge(expected, given, symbols, rest, tol, exact and not floats)
    rng = np.random.default_rng(seed)
    wanted = points if free else 1
    tried = admissible = lost = 0
    agreed: list[dict] = []
    while len(agreed) < wanted and tried < eq.TRIES:
        tried += 1
        values = draw(rng)
        if not eq.holds(rest, values):
            continue
        admissible += 1
        outcome = judge.at(values)
        if outcome == "lost":
            lost += 1
            continue
        if outcome is not None:
            return outcome
        agreed.append(values)
    if admissible == 0:
        return eq.Verdict("undecided", f"no admissible point in {tried} tries: the assumptions may contradict "
                          "each other or the exercise's domain")
    if lost > eq.LOST_SHARE * admissible:
        return eq.Verdict("undecided", f"the correct answer is undefined at {lost} of {admissible} admissible "
                          "points (0/0 or a pole): cannot decide here")
    if len(agreed) < wanted:
        return eq.Verdict("undecided", f"only {len(agreed)} admissible points found in {tried} tries")
    probed = 0
    if free and probes:
        for values in probe_points([expected, given], symbols, agreed[:3], movable=movable):
            if not eq.holds(rest, values):
                continue
            outcome = judge.at(values)
            if outcome == "lost":
                continue  # a kink or a far point outside the engine's domain: not a random point
            if outcome is not None:
                return outcome
            probed += 1
    if not free:
        return eq.Verdict("right", "exact value")
    more = f" and {probed} probe points" if probed else ""
    return eq.Verdict("right", f"agrees at {len(agreed)} random admissible points{more}")
