"""Exact coalition values and Shapley values from them.

``coalition_values`` evaluates a SymPy expression on all 2^d coalitions at once
in scaled integers (``symxai.solve.scaled``); ``shapley_from_values`` turns them into
exact Shapley values with integer sums grouped by coalition size.
Where the expression holds anything else (exp, log, symbols that stay
symbolic) it returns None and the caller falls back to SymPy substitution.

>>> import sympy
>>> x1, x2, x3 = sympy.symbols("x1 x2 x3")
>>> values = coalition_values(sympy.Min(x1, sympy.Max(x2, x3)), [x1, x2, x3], [1, 1, 1], [0, 0, 0])
>>> list(values)
[0, 0, 0, 1, 0, 1, 0, 1]
>>> shapley_from_values(values, 3)
[Fraction(2, 3), Fraction(1, 6), Fraction(1, 6)]
"""

from __future__ import annotations

import numbers
from fractions import Fraction
from functools import lru_cache
from math import factorial, gcd
from typing import Sequence

from symxai.lazy import numpy as np
import sympy
from sympy.external.gmpy import MPQ

from symxai.solve.scaled import INT64_LIMIT, compile_scaled, coalition_columns

def _exact_number(v):
    """A SymPy rational as an int when it is whole, else an MPQ (gmpy2's mpq when
    installed: an order of magnitude faster than fractions.Fraction)."""
    v = sympy.Rational(v)
    return int(v.p) if v.q == 1 else MPQ(int(v.p), int(v.q))


def is_exact(v) -> bool:
    """Whether ``v`` is an exact rational number of any of the kinds used here."""
    return isinstance(v, (int, numbers.Rational)) or type(v).__name__ in ("PythonMPQ", "mpq", "mpz")


class CoalitionValues:
    """The 2^d coalition values v(S) = num[S] / den (index = bitmask), exactly.

    ``num`` is an integer numpy array (int64, or Python ints where values grow
    large); single values become ints or Fractions only when asked for.
    """

    def __init__(self, num: np.ndarray, den: int):
        self.num, self.den = num, int(den)

    def __len__(self) -> int:
        return len(self.num)

    def __getitem__(self, mask: int):
        n = int(self.num[mask])
        return n // self.den if n % self.den == 0 else Fraction(n, self.den)

    def __iter__(self):
        return (self[m] for m in range(len(self)))

    def same(self, a: np.ndarray, b: np.ndarray) -> bool:
        """Whether v(a[k]) == v(b[k]) for every k (bitmask arrays)."""
        return bool(np.array_equal(self.num[a], self.num[b]))


def coalition_values(expr, inputs: Sequence, point: Sequence, baseline: Sequence) -> CoalitionValues | None:
    """All 2^d values v(S) = f(x_S), index = bitmask, exactly; None if not possible this way.

    The expression is compiled once (``symxai.solve.scaled``) and evaluated on whole
    columns of scaled integers, so each node of f costs one vectorised integer
    pass over the 2^d coalitions.
    """
    cols = coalition_columns(point, baseline)
    if cols is None:
        return None
    fn = compile_scaled(sympy.sympify(expr), {s: i for i, s in enumerate(inputs)})
    if fn is None:
        return None
    result = fn(cols)
    num = result.num
    if not isinstance(num, np.ndarray):  # f does not depend on the inputs
        num = np.full(1 << len(inputs), num, dtype=np.int64 if abs(num) < INT64_LIMIT else object)
    return CoalitionValues(num, result.den)


def coalition_point(mask: int, point: Sequence, baseline: Sequence) -> list:
    """The input where features in ``mask`` (bit i = feature i) take the point, others the baseline."""
    return [p if mask >> i & 1 else b for i, (p, b) in enumerate(zip(point, baseline))]


def weight(size: int, d: int) -> Fraction:
    """The Shapley weight |S|!(d-|S|-1)!/d! of a coalition of ``size`` features."""
    return Fraction(factorial(size) * factorial(d - size - 1), factorial(d))


# Float64 adds integers exactly while every partial sum stays below 2^53.
FLOAT_EXACT = 1 << 53


@lru_cache(maxsize=2)
def _sizes(d: int) -> np.ndarray:
    """|S| for every bitmask S of d features."""
    masks = np.arange(1 << d, dtype=np.int64)
    if hasattr(np, "bitwise_count"):  # numpy >= 2.0
        return np.bitwise_count(masks).astype(np.intp)
    sizes = np.zeros(1 << d, dtype=np.intp)
    for i in range(d):
        sizes += (masks >> i) & 1
    return sizes


def _size_sums(num: np.ndarray, d: int) -> tuple[list[int], list[list[int]]]:
    """T_k = sum of num over coalitions of size k, and A_ik = that sum over those containing i.

    Exact either way: as float64 bincounts when every partial sum is an integer below 2^53
    (then float addition is exact), else as integer sums over the coalitions sorted by size.
    """
    sizes = _sizes(d)
    bound = int(np.abs(num).max()) if len(num) else 0
    if bound << d < FLOAT_EXACT:
        v = num.astype(np.float64)
        total = np.bincount(sizes, weights=v, minlength=d + 1)
        inside = [np.bincount(sizes.reshape(-1, 2, 1 << i)[:, 1, :].ravel(),
                              weights=v.reshape(-1, 2, 1 << i)[:, 1, :].ravel(), minlength=d + 1)
                  for i in range(d)]
        return [int(t) for t in total], [[int(t) for t in row] for row in inside]
    if bound << d >= INT64_LIMIT:
        num = num.astype(object)
    order = np.argsort(sizes, kind="stable")
    starts = np.searchsorted(sizes[order], np.arange(d + 1))
    v = num[order]
    zero = 0 if v.dtype == object else v.dtype.type(0)
    total = [int(t) for t in np.add.reduceat(v, starts)]
    inside = [[int(t) for t in np.add.reduceat(np.where((order >> i) & 1 == 1, v, zero), starts)] for i in range(d)]
    return total, inside


def _integer_shapley(num: np.ndarray, d: int) -> list[int]:
    """d! times the Shapley values of the integer game ``num`` (exact integers).

    phi_i = sum_k [w(k-1) A_ik - w(k) (T_k - A_ik)], with T_k the sum of v over
    coalitions of size k and A_ik that sum over those containing i.
    """
    total, inside = _size_sums(num, d)
    w = [factorial(k) * factorial(d - k - 1) for k in range(d)]  # d! times the weight of size k
    return [sum(w[k - 1] * a[k] for k in range(1, d + 1)) - sum(w[k] * (total[k] - a[k]) for k in range(d))
            for a in inside]


def shapley_from_values(values, d: int) -> list:
    """Shapley values from the 2^d coalition values (index = bitmask).

    Exact values (a CoalitionValues, or ints and rationals) are brought to one
    denominator and summed as integers, grouped by coalition size; floats take
    the same route in floating point; SymPy values (parameters) are summed in SymPy.
    """
    if isinstance(values, CoalitionValues):
        return [Fraction(n, factorial(d) * values.den) for n in _integer_shapley(values.num, d)]
    values = list(values)
    if all(is_exact(v) for v in values):
        den = 1
        for v in values:
            if not isinstance(v, int):
                den = den * int(v.denominator) // gcd(den, int(v.denominator))
        num = np.array([int(v * den) for v in values], dtype=object)
        return shapley_from_values(CoalitionValues(num, den), d)
    floats = all(isinstance(v, (float, np.floating)) for v in values)
    array = np.array(values, dtype=float if floats else object)
    masks = np.arange(1 << d)
    sizes = np.array([bin(m).count("1") for m in range(1 << d)])
    out = []
    for i in range(d):
        without = masks[(masks >> i) & 1 == 0]
        diffs = array[without | (1 << i)] - array[without]
        size = sizes[without]
        per_size = [diffs[size == k].sum() if np.any(size == k) else 0 for k in range(d)]
        if floats:
            out.append(float(sum(per_size[k] * factorial(k) * factorial(d - k - 1) / factorial(d) for k in range(d))))
        else:
            out.append(sympy.Add(*[sympy.Rational(factorial(k) * factorial(d - k - 1), factorial(d)) * per_size[k]
                                   for k in range(d)]))
    return out
