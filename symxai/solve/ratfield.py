"""Rational functions over QQ as (numerator, denominator) polynomials, converted once per formula.

The comparisons and restrictions of LRP's Piecewise answers (``regions.same_on``, the boundary
sentences of ``lrp_solution``) used to turn ``a - b`` or ``f.xreplace(boundary)`` into SymPy's field of
rational functions for every pair and every boundary, through ``from_sympy``, which cancels at every
node of the expression tree (issue 15 item 4: ~25% of the 3-3-2-1 test network's solve).  Here a
formula written as numerator / denominator (as ``lrp_tidy`` writes it) is converted once into two
polynomials of a ring (no gcds), and substitutions of a boundary's equalities are polynomial
compositions.  The written denominator is kept uncancelled, so a caller can tell whether the formula
*as written* is defined after a substitution (where SymPy's ``xreplace`` would give ``zoo`` or ``nan``).

>>> x1, x2, g = sympy.symbols("x1 x2 gamma")
>>> gens = (g, x1, x2)
>>> a = parts(x1 * g / (x1 + x2), gens)
>>> n, d = substituted(a, {x2: x1})
>>> sympy.simplify(n.as_expr() / d.as_expr())
gamma/2
>>> substituted(parts(1 / (x1 - x2), gens), {x2: x1}) is None
True
"""

from __future__ import annotations

from functools import lru_cache

import sympy

_FAIL = (sympy.polys.polyerrors.PolynomialError, sympy.CoercionFailed, ValueError, TypeError, ZeroDivisionError)


@lru_cache(maxsize=64)
def ring(gens: tuple):
    return sympy.polys.rings.PolyRing(gens, sympy.QQ, sympy.polys.orderings.lex)


def gens_of(*exprs, extra=()) -> tuple:
    """The sorted generators (by name, as lrp_tidy sorts them) of every symbol in ``exprs`` and ``extra``."""
    syms = set(extra)
    for e in exprs:
        syms |= free(e)
    return tuple(sorted(syms, key=str))


@lru_cache(maxsize=16384)
def free(e) -> frozenset:
    """``e.free_symbols``, remembered (SymPy walks the whole tree on every call)."""
    return frozenset(sympy.sympify(e).free_symbols)


@lru_cache(maxsize=16384)
def parts(expr, gens: tuple):
    """(numerator, denominator) of ``expr`` as written (``sympy.fraction``), polynomials of ``ring(gens)``;
    None when it is not a rational function of that shape over QQ (Heaviside, sign, Max, floats ...)."""
    expr = sympy.sympify(expr)
    if not isinstance(expr, sympy.Expr) or expr.has(sympy.Heaviside, sympy.sign, sympy.Max, sympy.Min,
                                                    sympy.Piecewise, sympy.Float):
        return None
    num, den = sympy.fraction(expr)
    R = ring(gens)
    try:
        n, d = R.from_expr(num), R.from_expr(den)
    except _FAIL:
        return None
    if not d:
        return None
    return n, d


def _ring_subs(sub: dict, gens: tuple):
    R = ring(gens)
    out = []
    for x, v in sub.items():
        out.append((R(x), R.from_expr(sympy.sympify(v))))
    return out


def substituted(p, sub: dict | None):
    """``p`` = (numerator, denominator) with ``sub`` (symbol -> expression in the ring's generators, each
    value free of the substituted symbols) composed in; None when the written denominator becomes 0."""
    if p is None:
        return None
    n, d = p
    if sub:
        try:
            pairs = _ring_subs(sub, n.ring.symbols)
        except _FAIL:
            return None
        n, d = _compose(n, pairs), _compose(d, pairs)
    if not d:
        return None
    return n, d


def _compose(poly, pairs):
    """``poly.compose(pairs)`` with the terms grouped by their powers of the substituted generators, so each
    product of powers of the replacements is formed once per group, not once per term (the same polynomial)."""
    R = poly.ring
    index = [R.gens.index(x) for x, _ in pairs]
    groups: dict = {}
    for monom, c in poly.items():
        key = tuple(monom[i] for i in index)
        rest = list(monom)
        for i in index:
            rest[i] = 0
        groups.setdefault(key, {})[tuple(rest)] = c
    powers: dict = {}
    out = R.zero
    for key, terms in groups.items():
        sub = R.one
        for (k, (_, g)), n in zip(enumerate(pairs), key):
            if n:
                if (k, n) not in powers:
                    powers[(k, n)] = g ** n
                sub = sub * powers[(k, n)]
                if not sub:
                    break
        if sub:
            out += R.from_dict(terms) * sub
    return out


def equal(p, q) -> bool:
    """Are two (numerator, denominator) pairs of one ring the same rational function?"""
    return p[0] * q[1] == q[0] * p[1]


def used(poly) -> set:
    """The indices of the generators that occur in ``poly``."""
    out = set()
    for monom in poly.keys():
        out.update(i for i, e in enumerate(monom) if e)
    return out


def moved(poly, R):
    """``poly`` in the ring ``R``, whose symbols include every generator that occurs in it."""
    src = poly.ring.symbols
    index = [src.index(s) for s in R.symbols]
    return R.from_dict({tuple(m[i] for i in index): c for m, c in poly.items()})


def embedded(poly, R):
    """``poly`` in the ring ``R``, whose symbols include every symbol of ``poly``'s ring (the way back
    from ``moved``).

    >>> x, y = sympy.symbols("x y")
    >>> small, big = ring((y,)), ring((x, y))
    >>> embedded(small.from_expr(2*y + 1), big) == big.from_expr(2*y + 1)
    True
    """
    src = poly.ring.symbols
    if src == R.symbols:
        return poly
    where = [R.symbols.index(s) for s in src]
    n = len(R.symbols)
    out = {}
    for m, c in poly.items():
        e = [0] * n
        for i, k in zip(where, m):
            e[i] = k
        out[tuple(e)] = c
    return R.from_dict(out)


_P = 2 ** 61 - 1  # a prime: formulas are compared at points modulo P before any polynomial product


def same(a, b) -> bool | None:
    """Are the expressions ``a`` and ``b`` the same rational function (``cancel(together(a - b)) == 0``)?
    None when either is not a rational function over QQ written as numerator / denominator, as
    ``lrp_tidy`` writes it (the caller decides another way).  Both are
    converted once (remembered) and compared first at a random point modulo a prime, exactly: a
    difference there proves them different; only when they agree there are the cross products formed
    (on the 2-8-8-1 network a relevance has ~1000 terms over 17 factors, and comparing formulas by
    ``cancel`` took minutes).

    >>> x1, x2, g = sympy.symbols("x1 x2 gamma")
    >>> same(x1 * g / (x1 + x2), (g * x1**2 + g * x1) / ((x1 + x2) * (x1 + 1))), same(x1 / (x1 + x2), x2 / (x1 + x2))
    (True, False)
    >>> same(sympy.sign(x1), x1), same(g - g * x2 / (x1 + x2), x1 * g / (x1 + x2))
    (None, None)
    """
    gens = gens_of(a, b)
    if not gens:
        return None
    pa, pb = parts(a, gens), parts(b, gens)
    if pa is None or pb is None:
        return None
    import random

    rng = random.Random(len(gens))
    for _ in range(3):
        point = [rng.randrange(2, _P - 1) for _ in gens]
        vals = [_mod_value(q, point) for q in (*pa, *pb)]
        if None in vals:
            continue  # a coefficient's denominator divisible by P: another point
        if (vals[0] * vals[3] - vals[2] * vals[1]) % _P:
            return False
        break
    return equal(pa, pb)


def _mod_value(poly, point):
    """``poly`` at ``point`` modulo _P (None when a coefficient's denominator is divisible by _P)."""
    total = 0
    for monom, c in poly.items():
        num, den = int(c.numerator), int(c.denominator)
        if den % _P == 0:
            return None
        t = num % _P * pow(den, _P - 2, _P) % _P
        for x, e in zip(point, monom):
            if e:
                t = t * pow(x, e, _P) % _P
        total += t
    return total % _P
