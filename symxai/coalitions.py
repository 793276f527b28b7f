"""Exact coalition values and Shapley values from them.

``exact_evaluator`` compiles a SymPy expression once into nested Python
closures over ``fractions.Fraction`` (no code generation, no eval), so the 2^d
coalition values of a piecewise-linear or polynomial function with rational
inputs cost microseconds each.  Where the expression holds anything else
(exp, log, symbols that stay symbolic) it returns None and the caller falls
back to SymPy substitution.

>>> import sympy
>>> x1, x2, x3 = sympy.symbols("x1 x2 x3")
>>> f = exact_evaluator(sympy.Min(x1, sympy.Max(x2, x3)), [x1, x2, x3])
>>> values = [f(coalition_point(m, (1, 1, 1), (0, 0, 0))) for m in range(8)]
>>> shapley_from_values(values, 3)
[Fraction(2, 3), Fraction(1, 6), Fraction(1, 6)]
"""

from __future__ import annotations

from fractions import Fraction
from math import factorial
from typing import Callable, Sequence

import sympy

Evaluator = Callable[[Sequence], object]


def _relu(v):
    return v if v > 0 else 0 * v


def _pow(base, exp: int):
    return base ** exp if exp >= 0 else Fraction(1) / (base ** -exp)


def _compile(expr, index: dict) -> Evaluator | None:
    if expr in index:
        i = index[expr]
        return lambda xs: xs[i]
    if expr.is_Integer:
        n = int(expr)
        return lambda xs: n
    if expr.is_Rational:
        q = Fraction(int(expr.p), int(expr.q))
        return lambda xs: q
    args = [_compile(a, index) for a in expr.args]
    if any(a is None for a in args):
        return None
    name = type(expr).__name__
    if expr.is_Add:
        return lambda xs: sum(a(xs) for a in args)
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
        return lambda xs: max(a(xs) for a in args)
    if name == "Min":
        return lambda xs: min(a(xs) for a in args)
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


def coalition_point(mask: int, point: Sequence, baseline: Sequence) -> list:
    """The input where features in ``mask`` (bit i = feature i) take the point, others the baseline."""
    return [p if mask >> i & 1 else b for i, (p, b) in enumerate(zip(point, baseline))]


def weight(size: int, d: int) -> Fraction:
    """The Shapley weight |S|!(d-|S|-1)!/d! of a coalition of ``size`` features."""
    return Fraction(factorial(size) * factorial(d - size - 1), factorial(d))


def shapley_from_values(values: Sequence, d: int) -> list:
    """Shapley values from the 2^d coalition values (index = bitmask).

    Differences are summed per coalition size first, so each feature costs
    2^(d-1) additions and only d weighted terms; rational values are brought
    to one common denominator so the inner loop runs on integers.
    """
    if all(isinstance(v, (int, Fraction)) for v in values):
        den = 1
        for v in values:
            if isinstance(v, Fraction) and den % v.denominator:
                den = den * v.denominator // _gcd(den, v.denominator)
        ints = [int(v * den) for v in values]
        return [Fraction(x, den) for x in _weighted(ints, d, integer=True)]
    return _weighted(list(values), d, integer=False)


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def _weighted(values: list, d: int, integer: bool) -> list:
    sizes = [bin(m).count("1") for m in range(1 << d)]
    out = []
    for i in range(d):
        bit = 1 << i
        per_size = [0] * d
        for mask in range(1 << d):
            if not mask & bit:
                per_size[sizes[mask]] += values[mask | bit] - values[mask]
        if integer:
            total = sum(Fraction(per_size[k] * factorial(k) * factorial(d - k - 1)) for k in range(d))
            out.append(total / factorial(d))
        else:
            out.append(sympy.Add(*[sympy.Rational(factorial(k) * factorial(d - k - 1), factorial(d)) * per_size[k]
                                   for k in range(d)]))
    return out
