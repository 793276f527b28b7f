"""Exact rational arithmetic on whole columns: numpy integer arrays over one denominator.

A value is ``num / den`` with ``num`` an integer numpy array (int64 while a
running bound on its magnitude says the machine integers cannot overflow,
Python-int object arrays beyond) or a plain int, and ``den`` a positive int.
So the 2^d coalition values of a piecewise-linear or polynomial function
cost a few vectorised integer passes per node of the expression instead of
2^d rational objects, and stay exact.  The compiler only walks the SymPy
tree once (no code generation, no eval); anything it does not know (exp,
negative powers, symbols that stay symbolic) gives None and the caller falls
back to another route.

>>> import numpy as np, sympy
>>> x, y = sympy.symbols("x y")
>>> fn = compile_scaled(sympy.Max(x, y) / 3 + sympy.Rational(1, 2), {x: 0, y: 1})
>>> v = fn([column([1, 2], 1), column([0, 1], 1)])
>>> v.num.tolist(), v.den
([5, 7], 6)
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd
from typing import Callable

from symxai.lazy import numpy as np
import sympy

# Largest magnitude kept in int64: one below 2^62 leaves room for a sum of two.
INT64_LIMIT = 1 << 62


@dataclass
class Scaled:
    """``num / den``: ``num`` an int or an integer array, ``den`` > 0, ``bound`` >= max |num|.

    ``owned`` says ``num`` is a temporary of this evaluation, so an operation may overwrite it
    (an input column is never owned).
    """

    num: object
    den: int
    bound: int
    owned: bool = False

    def scaled_num(self, factor: int, bound_after: int):
        """(``num * factor`` in a dtype that holds ``bound_after`` exactly, whether it is a temporary)."""
        num = self.num
        if bound_after >= INT64_LIMIT and isinstance(num, np.ndarray) and num.dtype != object:
            return num.astype(object) * factor, True
        if factor == 1:
            return num, self.owned
        return num * factor, isinstance(num, np.ndarray)


def column(numerators, den: int) -> Scaled:
    """A column of (int64-sized) integers over ``den``."""
    arr = np.asarray(numerators, dtype=np.int64)
    return Scaled(arr, den, int(np.abs(arr).max()) if arr.size else 0)


def _lcm(a: int, b: int) -> int:
    return a // gcd(a, b) * b


def _apply(ufunc, py, u, u_owned: bool, v, v_owned: bool):
    """ufunc(u, v), written into an operand that is a temporary of matching dtype when there is one."""
    if not isinstance(u, np.ndarray) and not isinstance(v, np.ndarray):
        return py(u, v), False
    dtype = object if any(isinstance(x, np.ndarray) and x.dtype == object for x in (u, v)) else np.int64
    for x, owned in ((u, u_owned), (v, v_owned)):
        if owned and isinstance(x, np.ndarray) and x.dtype == dtype:
            return ufunc(u, v, out=x), True
    return ufunc(u, v), True


def _combine(ufunc, py, a: Scaled, b: Scaled, bound_of) -> Scaled:
    den = _lcm(a.den, b.den)
    fa, fb = den // a.den, den // b.den
    bound = bound_of(a.bound * fa, b.bound * fb)
    u, u_owned = a.scaled_num(fa, bound)
    v, v_owned = b.scaled_num(fb, bound)
    num, owned = _apply(ufunc, py, u, u_owned, v, v_owned)
    return Scaled(num, den, bound, owned)


def _add(a: Scaled, b: Scaled) -> Scaled:
    return _combine(np.add, lambda u, v: u + v, a, b, lambda x, y: x + y)


def _subtract(a: Scaled, b: Scaled) -> Scaled:
    return _combine(np.subtract, lambda u, v: u - v, a, b, lambda x, y: x + y)


def _max(a: Scaled, b: Scaled) -> Scaled:
    return _combine(np.maximum, max, a, b, max)


def _min(a: Scaled, b: Scaled) -> Scaled:
    return _combine(np.minimum, min, a, b, max)


def _mul(a: Scaled, b: Scaled) -> Scaled:
    bound = a.bound * b.bound
    if isinstance(b.num, np.ndarray) and not isinstance(a.num, np.ndarray):
        a, b = b, a
    if not isinstance(b.num, np.ndarray) and b.num == 1:
        return Scaled(a.num, a.den * b.den, a.bound, a.owned)
    u, u_owned = a.scaled_num(1, bound)
    v, v_owned = b.scaled_num(1, bound)
    num, owned = _apply(np.multiply, lambda x, y: x * y, u, u_owned, v, v_owned)
    return Scaled(num, a.den * b.den, bound, owned)


def _unary(ufunc, py):
    def run(a: Scaled) -> Scaled:
        if not isinstance(a.num, np.ndarray):
            return Scaled(py(a.num), a.den, a.bound)
        return Scaled(ufunc(a.num, out=a.num) if a.owned else ufunc(a.num), a.den, a.bound, True)
    return run


_relu = _unary(lambda x, out=None: np.maximum(x, 0, out=out), lambda x: max(x, 0))
_abs = _unary(lambda x, out=None: np.absolute(x, out=out), abs)  # numpy looked up when used (symxai.lazy)
_negative = _unary(lambda x, out=None: np.negative(x, out=out), lambda x: -x)


def _fold(op, parts):
    def run(cols):
        out = parts[0](cols)
        for p in parts[1:]:
            out = op(out, p(cols))
        return out
    return run


def _sum(terms):
    """Add terms given as (compiled, sign): a term -t is subtracted, not negated first."""
    def run(cols):
        first, sign = terms[0]
        out = first(cols) if sign > 0 else _negative(first(cols))
        for term, sign in terms[1:]:
            out = (_add if sign > 0 else _subtract)(out, term(cols))
        return out
    return run


def compile_scaled(expr, index: dict) -> Callable[[list], Scaled] | None:
    """``expr`` as a function of input columns (Scaled, in the order of ``index``), or None."""
    if expr in index:
        i = index[expr]
        return lambda cols: cols[i]
    if expr.is_Rational:
        p, q = int(expr.p), int(expr.q)
        return lambda cols: Scaled(p, q, abs(p))
    if expr.is_Add:
        terms = []
        for arg in expr.args:
            coeff, rest = arg.as_coeff_Mul()
            negated = coeff == -1 and rest != 1
            term = compile_scaled(rest if negated else arg, index)
            if term is None:
                return None
            terms.append((term, -1 if negated else 1))
        return _sum(terms)
    args = [compile_scaled(a, index) for a in expr.args]
    if any(a is None for a in args):
        return None
    name = type(expr).__name__
    if expr.is_Mul:
        return _fold(_mul, args)
    if expr.is_Pow and expr.exp.is_Integer and int(expr.exp) >= 1:
        base, n = args[0], int(expr.exp)

        def power(cols):
            b = base(cols)
            b = out = Scaled(b.num, b.den, b.bound)  # not a temporary: each product reads it
            for _ in range(n - 1):
                out = _mul(out, b)
            return out
        return power
    if name == "Max":
        return _fold(_max, args)
    if name == "Min":
        return _fold(_min, args)
    if name in ("ReLU", "relu") and len(args) == 1:
        inner = args[0]
        return lambda cols: _relu(inner(cols))
    if name == "Abs":
        inner = args[0]
        return lambda cols: _abs(inner(cols))
    return None


def coalition_columns(point, baseline) -> list[Scaled] | None:
    """Input i over all 2^d bitmasks: the point where bit i is set, the baseline elsewhere."""
    values = [sympy.sympify(v) for v in [*point, *baseline]]
    if not all(v.is_Rational for v in values):
        return None
    d = len(point)
    cols = []
    for i in range(d):
        p, b = sympy.Rational(point[i]), sympy.Rational(baseline[i])
        den = _lcm(int(p.q), int(b.q))
        hi, lo = int(p.p) * (den // int(p.q)), int(b.p) * (den // int(b.q))
        bound = max(abs(hi), abs(lo))
        col = np.empty(1 << d, dtype=np.int64 if bound < INT64_LIMIT else object)
        halves = col.reshape(-1, 2, 1 << i)  # [..., 1, ...]: masks with bit i set
        halves[:, 0, :] = lo
        halves[:, 1, :] = hi
        cols.append(Scaled(col, den, bound))
    return cols
