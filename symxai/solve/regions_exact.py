"""Exact feasibility of a few linear constraints in a few variables, by Fourier-Motzkin elimination.

The region enumeration asks again and again whether constraints z > 0, z = 0, z < 0 (z affine in the
inputs) and the input domain (x >= 0 or x > 0) have a common point.  With two or three inputs and a
dozen constraints, eliminating the variables one by one exactly (each row scaled to coprime integers) is
faster than a linear program (scipy's HiGHS, ~30 ms a call with its set-up) and answers exactly: no
box, no margin.  Strictness is carried through the elimination (a combination is strict when one of
its two rows is), which keeps the method exact for mixed strict and non-strict systems.

A row is (coefficients, constant, kind): ``sum c_i x_i + c0`` compared with 0 by kind ``">"``,
``">="`` or ``"="``.

>>> from fractions import Fraction as F
>>> feasible_rows([((F(1), F(-1)), F(0), ">"), ((F(-1), F(1)), F(0), ">")], 2)
False
>>> feasible_rows([((F(1), F(-1)), F(0), ">="), ((F(-1), F(1)), F(0), ">=")], 2)
True
>>> feasible_rows([((F(1), F(0)), F(-1), "="), ((F(0), F(1)), F(0), ">"), ((F(-1), F(-1)), F(2), ">")], 2)
True
>>> feasible_rows([((F(1), F(0)), F(-1), "="), ((F(0), F(1)), F(0), ">"), ((F(-1), F(-1)), F(1), ">")], 2)
False
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd, lcm

MAX_ROWS = 600  # beyond this many rows after an elimination step the caller falls back to a linear program


class TooLarge(Exception):
    """The elimination grew beyond MAX_ROWS rows."""


def _normalise(coeffs, c0, kind):
    """Scale an integer row to its primitive form (coefficients and constant coprime, for '=' the first
    nonzero coefficient positive): rows that are positive multiples of each other (for '=' any
    multiples) compare equal, as when the first nonzero coefficient is scaled to +-1."""
    lead = next((c for c in coeffs if c != 0), None)
    if lead is None:
        return coeffs, c0, kind
    g = gcd(*coeffs, c0)
    if kind == "=" and lead < 0:
        g = -g
    if g == 1:
        return coeffs, c0, kind
    return tuple(c // g for c in coeffs), c0 // g, kind


def _integral(co, c0, kind):
    """A row of Fractions times the (positive) least common multiple of its denominators (an integer
    row as it is)."""
    if type(c0) is int and all(type(c) is int for c in co):
        return co, c0, kind
    m = lcm(*(Fraction(c).denominator for c in co), Fraction(c0).denominator)
    return tuple(int(Fraction(c) * m) for c in co), int(Fraction(c0) * m), kind


def _constant_ok(c0, kind) -> bool:
    return c0 > 0 if kind == ">" else (c0 >= 0 if kind == ">=" else c0 == 0)


def feasible_rows(rows, d: int) -> bool:
    """Is there x in R^d satisfying every row?  Raises TooLarge when the elimination blows up."""
    # in integers: every row is scaled by a positive number, which changes no row's solutions
    rows = [_integral(co, c0, kind) for co, c0, kind in rows]
    # equalities first: each one fixes a variable in terms of the others
    while True:
        eq = next((r for r in rows if r[2] == "=" and any(c != 0 for c in r[0])), None)
        if eq is None:
            break
        co, c0, _ = eq
        i = next(t for t, c in enumerate(co) if c != 0)
        a, sa = abs(co[i]), (1 if co[i] > 0 else -1)
        out = []
        for r in rows:
            if r is eq:
                continue
            f = r[0][i]
            if f == 0:
                out.append(r)
            else:  # |a| r - sign(a) f eq: a positive multiple of r minus a multiple of the equality
                fs = sa * f
                out.append((tuple(a * u - fs * v for u, v in zip(r[0], co)), a * r[1] - fs * c0, r[2]))
        rows = out
    return _eliminate(rows, d)


def _eliminate(rows, d: int) -> bool:
    current = set()
    for co, c0, kind in rows:
        if all(c == 0 for c in co):
            if not _constant_ok(c0, kind):
                return False
            continue
        current.add(_normalise(co, c0, kind))
    for i in range(d):
        pos, neg, rest = [], [], set()
        for r in current:
            c = r[0][i]
            if c > 0:
                pos.append(r)
            elif c < 0:
                neg.append(r)
            else:
                rest.add(r)
        if not pos or not neg:  # x_i can be taken large enough: every row with x_i is satisfiable
            current = rest
            continue
        if len(pos) * len(neg) + len(rest) > MAX_ROWS:
            raise TooLarge(len(pos) * len(neg) + len(rest))
        for p in pos:
            for n in neg:
                a, b = p[0][i], -n[0][i]  # a > 0, b > 0: b * p + a * n has no x_i
                co = tuple(b * u + a * v for u, v in zip(p[0], n[0]))
                c0 = b * p[1] + a * n[1]
                kind = ">" if ">" in (p[2], n[2]) else ">="
                if all(c == 0 for c in co):
                    if not _constant_ok(c0, kind):
                        return False
                    continue
                rest.add(_normalise(co, c0, kind))
        current = rest
    return all(_constant_ok(c0, kind) for co, c0, kind in current)
