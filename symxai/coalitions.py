"""Exact coalition values and Shapley values from them.

``exact_evaluator`` compiles a SymPy expression once into nested Python
closures over ``fractions.Fraction`` (no code generation, no eval), so the 2^d
coalition values of a piecewise-linear or polynomial function with rational
inputs cost microseconds each.  Where the expression holds anything else
(exp, log, symbols that stay symbolic) it returns None and the caller falls
back to SymPy substitution.

>>> import sympy
>>> x1, x2, x3 = sympy.symbols("x1 x2 x3")
>>> values = coalition_values(sympy.Min(x1, sympy.Max(x2, x3)), [x1, x2, x3], [1, 1, 1], [0, 0, 0])
>>> values
[0, 0, 0, 1, 0, 1, 0, 1]
>>> shapley_from_values(values, 3)
[Fraction(2, 3), Fraction(1, 6), Fraction(1, 6)]
"""

from __future__ import annotations

import numbers
from fractions import Fraction
from math import factorial, gcd
from typing import Callable, Sequence

import numpy as np
import sympy
from sympy.external.gmpy import MPQ

Evaluator = Callable[[Sequence], object]


def _relu(v):
    if isinstance(v, np.ndarray):
        return np.maximum(v, 0)
    return v if v > 0 else 0 * v


def _max(values):
    out = values[0]
    for v in values[1:]:
        out = np.maximum(out, v) if isinstance(out, np.ndarray) or isinstance(v, np.ndarray) else max(out, v)
    return out


def _min(values):
    out = values[0]
    for v in values[1:]:
        out = np.minimum(out, v) if isinstance(out, np.ndarray) or isinstance(v, np.ndarray) else min(out, v)
    return out


def _pow(base, exp: int):
    return base ** exp if exp >= 0 else MPQ(1, 1) / (base ** -exp)


def _compile(expr, index: dict) -> Evaluator | None:
    if expr in index:
        i = index[expr]
        return lambda xs: xs[i]
    if expr.is_Integer:
        n = int(expr)
        return lambda xs: n
    if expr.is_Rational:
        q = MPQ(int(expr.p), int(expr.q))
        return lambda xs: q
    args = [_compile(a, index) for a in expr.args]
    if any(a is None for a in args):
        return None
    name = type(expr).__name__
    if expr.is_Add:
        def add(xs):
            out = args[0](xs)
            for a in args[1:]:
                out = out + a(xs)
            return out
        return add
    if expr.is_Mul:
        def mul(xs):
            out = 1
            for a in args:
                out = out * a(xs)
            return out
        return mul
    if expr.is_Pow and expr.exp.is_Integer:
        base, exp = args[0], int(expr.exp)
        return lambda xs: _pow(base(xs), exp)
    if name == "Max":
        return lambda xs: _max([a(xs) for a in args])
    if name == "Min":
        return lambda xs: _min([a(xs) for a in args])
    if name in ("ReLU", "relu") and len(args) == 1:
        inner = args[0]
        return lambda xs: _relu(inner(xs))
    if name == "Abs":
        inner = args[0]
        return lambda xs: abs(inner(xs))
    return None


def exact_evaluator(expr, inputs: Sequence) -> Evaluator | None:
    """A fast exact evaluator of ``expr`` at points given in the order of ``inputs``,
    or None when ``expr`` holds something only SymPy can evaluate exactly."""
    return _compile(sympy.sympify(expr), {s: i for i, s in enumerate(inputs)})


def _exact_number(v):
    """A SymPy rational as an int when it is whole, else an MPQ (gmpy2's mpq when
    installed: an order of magnitude faster than fractions.Fraction)."""
    v = sympy.Rational(v)
    return int(v.p) if v.q == 1 else MPQ(int(v.p), int(v.q))


def is_exact(v) -> bool:
    """Whether ``v`` is an exact rational number of any of the kinds used here."""
    return isinstance(v, (int, numbers.Rational)) or type(v).__name__ in ("PythonMPQ", "mpq", "mpz")


def coalition_values(expr, inputs: Sequence, point: Sequence, baseline: Sequence):
    """All 2^d values v(S) = f(x_S), index = bitmask, exactly; None if not possible this way.

    The expression is compiled once and evaluated on whole columns: numpy
    object arrays of Python ints and Fractions, so each node costs one
    vectorised pass over the 2^d coalitions instead of 2^d interpreted calls.
    """
    if not all(sympy.sympify(v).is_Rational for v in [*point, *baseline]):
        return None
    d = len(inputs)
    masks = np.arange(1 << d)
    columns = []
    for i in range(d):
        column = np.empty(1 << d, dtype=object)
        on = (masks >> i) & 1 == 1
        column[on] = _exact_number(point[i])
        column[~on] = _exact_number(baseline[i])
        columns.append(column)
    fn = exact_evaluator(expr, inputs)
    if fn is None:
        return None
    result = fn(columns)
    if not isinstance(result, np.ndarray):  # f does not depend on the inputs
        result = np.full(1 << d, result, dtype=object)
    return list(result)


def coalition_point(mask: int, point: Sequence, baseline: Sequence) -> list:
    """The input where features in ``mask`` (bit i = feature i) take the point, others the baseline."""
    return [p if mask >> i & 1 else b for i, (p, b) in enumerate(zip(point, baseline))]


def weight(size: int, d: int) -> Fraction:
    """The Shapley weight |S|!(d-|S|-1)!/d! of a coalition of ``size`` features."""
    return Fraction(factorial(size) * factorial(d - size - 1), factorial(d))


def shapley_from_values(values: Sequence, d: int) -> list:
    """Shapley values from the 2^d coalition values (index = bitmask).

    Differences are summed per coalition size first, so each feature costs one
    vectorised pass over 2^(d-1) coalitions and only d weighted terms; exact
    rationals are brought to one common denominator so the sums run on integers.
    """
    exact = all(is_exact(v) for v in values)
    floats = not exact and all(isinstance(v, (float, np.floating)) for v in values)
    if exact:
        den = 1
        for v in values:
            if not isinstance(v, int):
                den = den * int(v.denominator) // gcd(den, int(v.denominator))
        array = np.array([int(v * den) for v in values], dtype=object)
    else:
        array = np.array(values, dtype=float if floats else object)
    masks = np.arange(1 << d)
    sizes = np.array([bin(m).count("1") for m in range(1 << d)])
    out = []
    for i in range(d):
        without = masks[(masks >> i) & 1 == 0]
        diffs = array[without | (1 << i)] - array[without]
        size = sizes[without]
        per_size = [diffs[size == k].sum() if np.any(size == k) else 0 for k in range(d)]
        if exact:
            total = sum(Fraction(int(per_size[k]) * factorial(k) * factorial(d - k - 1)) for k in range(d))
            out.append(total / (factorial(d) * den))
        elif floats:
            out.append(float(sum(per_size[k] * factorial(k) * factorial(d - k - 1) / factorial(d) for k in range(d))))
        else:
            out.append(sympy.Add(*[sympy.Rational(factorial(k) * factorial(d - k - 1), factorial(d)) * per_size[k]
                                   for k in range(d)]))
    return out
