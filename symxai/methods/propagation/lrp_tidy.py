"""Canonical forms of LRP relevances: cancelled rational functions with factored denominators (field
arithmetic over QQ, far faster than cancel/factor on expression trees); gated formulas simplified."""

from __future__ import annotations

from functools import lru_cache

import sympy


@lru_cache(maxsize=8192)
def tidy(e):
    """(Remembered: regions that share an activation pattern, a boundary and its inactive side, pass the
    same formulas through.) Canonical form: a cancelled rational function, its denominator written as a product of the affine
    factors it is made of; simplify only for gated formulas (symbolic weights)."""
    e = sympy.sympify(e)
    if e.has(sympy.Max, sympy.Min) or any(not _stabiliser_step(h) for h in e.atoms(sympy.Heaviside)):
        return sympy.simplify(e)
    if e.has(sympy.sign, sympy.Heaviside):
        return _opaque_signs(e)
    gens = tuple(sorted(e.free_symbols, key=str))
    if not gens:
        return e
    try:
        f = _field(gens).from_sympy(e)
    except (sympy.polys.polyerrors.PolynomialError, sympy.CoercionFailed, ValueError, TypeError,
            ZeroDivisionError):
        return sympy.factor(sympy.cancel(e)) if _small(e, 200) else e
    return _show(f)


@lru_cache(maxsize=4096)
def cancelled(e):
    """``sympy.cancel(e)`` for a rational function over QQ, computed in the field (dense gcds): the same
    reduced rational function, written as ``tidy`` writes it; anything else goes through sympy.cancel.
    (Remembered: an open region's formula is taken to each boundary it touches.)"""
    e = sympy.sympify(e)
    gens = tuple(sorted(e.free_symbols, key=str))
    if not gens or e.has(sympy.Heaviside, sympy.sign, sympy.Max, sympy.Min, sympy.Piecewise):
        return sympy.cancel(e)
    try:
        f = _field(gens).from_sympy(e)
    except (sympy.polys.polyerrors.PolynomialError, sympy.CoercionFailed, ValueError, TypeError,
            ZeroDivisionError):
        return sympy.cancel(e)
    return _show(f)


@lru_cache(maxsize=64)
def _field(gens):
    """The field of rational functions in ``gens`` over QQ: cancelling there is polynomial gcd on dense
    coefficient lists, measured 10-50x faster than cancel/factor on expression trees."""
    return sympy.QQ.frac_field(*gens)


def show_parts(n, d):
    """``tidy`` of the rational function n / d (polynomials of a ring over QQ, d not 0), as
    (expression, numerator, constant, [(factor, exponent)]) of the canonical element of the field of the
    generators that occur (as ``substituted`` writes it; the polynomials in that field's ring), or None
    when none occurs (a constant: the caller tidies its expression)."""
    from symxai.solve import ratfield

    R = n.ring
    used = sorted(ratfield.used(n) | ratfield.used(d))
    if not used:
        return None
    K = _field(tuple(R.symbols[i] for i in used)).field
    f = K.new(ratfield.moved(n, K.ring), ratfield.moved(d, K.ring))
    if f.denom == f.denom.ring.one:
        return _factored(f.numer), f.numer, 1, []
    const, factors = _den_factor_list(f.denom)
    return _show(f, (const, factors)), f.numer, const, factors


def _show(f, factored=None):
    """A field element as numerator / (product of factors): the denominator's factors are found by
    factoring it (it is a product of a few affine forms; ``factored``: found already), a small numerator
    is factored too."""
    ring = f.numer.ring
    num, den = f.numer, f.denom
    if den == ring.one:
        return _factored(num)
    const, factors = factored or _den_factor_list(den)
    expr_den = sympy.Mul(*[g.as_expr() ** k for g, k in factors])
    return _factored(num) / (const * expr_den)


_KNOWN: dict = {}  # ring -> the irreducible factors of the denominators factored so far


def _den_factor_list(den):
    """``den.factor_list()``: the factors already found in other denominators of the same ring are divided
    out first (the regions of one network share their affine factors) and only what is left is factored;
    factorization is unique, so the constant and the factors (each primitive with a positive leading
    coefficient, as factor_list writes them) are the same.  Multivariate factoring of whole denominators
    took ~15% of the 3-3-2-1 test network's solve (issue 15 item 4)."""
    known = _KNOWN.setdefault(den.ring, [])
    rest, found = den, []
    for g in known:
        if rest.is_ground:
            break
        k = 0
        while True:
            q, r = divmod(rest, g)
            if r:
                break
            rest, k = q, k + 1
        if k:
            found.append((g, k))
    if rest.is_ground:
        return rest.LC, found
    const, more = rest.factor_list()
    known.extend(g for g, _ in more)
    return const, found + list(more)


def _factored(poly):
    """A small polynomial factored (a1^2 a2 gamma (gamma + 1)), a large one expanded (factoring costs)."""
    if len(poly.terms()) > 12:
        return poly.as_expr()
    const, factors = poly.factor_list()
    return const * sympy.Mul(*[g.as_expr() ** k for g, k in factors])


def _small(e, limit: int) -> bool:
    """Has ``e`` at most ``limit`` nodes? Stops counting early, unlike count_ops on a large formula."""
    for n, _ in enumerate(sympy.preorder_traversal(e)):
        if n >= limit:
            return False
    return True


def _stabiliser_step(h) -> bool:
    """Is ``h`` the step of the sign stabiliser with sign(0) = +1, Heaviside(z, 1) (it writes
    z + eps (2 Heaviside(z, 1) - 1))? Nothing else in LRP makes Heaviside(z, 1): gated formulas and
    ReLUs use Heaviside(z, 0), and those keep going through simplify."""
    return len(h.args) == 2 and h.args[1] == 1


def _opaque_signs(e):
    """The sign stabiliser's z + eps sign(z), or z + eps (2 Heaviside(z, 1) - 1) under sign(0) = +1 (a
    sign that is not fixed in the symbols): each sign(z) or Heaviside(z, 1) is one more generator of the
    field, so the formula is cancelled like any other; simplify on these took ~95% (sign) and ~80%
    (Heaviside) of the time of a 2-3-3-1 network (issue 15 item 4). Exact: the cancelled form equals the
    original as rational functions in the symbols and the stand-ins, so at every point where the original
    is defined, whatever value each stand-in takes there."""
    atoms = sorted(e.atoms(sympy.sign, sympy.Heaviside), key=sympy.default_sort_key)
    stand = {a: sympy.Dummy(f"sign{i}") for i, a in enumerate(atoms)}
    back = {d: a for a, d in stand.items()}
    return tidy(e.xreplace(stand)).xreplace(back)


def substituted(e, *subs):
    """``tidy`` of ``e`` with each substitution of ``subs`` applied in turn (``e.xreplace(s)`` for each s, a
    dict or None), computed in a polynomial ring: ``e`` is converted once (remembered) and the substitutions
    are compositions, instead of an expression tree rebuilt and converted into the field per boundary.  A
    substitution prefixed by the string "cancel" (``"cancel", s``) is applied after cancelling, as
    ``cancelled(...)`` does.  None when that does not apply: a written denominator that vanishes
    after a substitution (``xreplace`` gives zoo or nan), or a formula that is not a rational function
    over QQ; the caller then takes the expression route, with the same result as before.

    >>> x1, x2, g = sympy.symbols("x1 x2 gamma")
    >>> e = tidy(x1 * g / (x1 * (g + 1) - x2))
    >>> substituted(e, {x2: x1}) == tidy(e.xreplace({x2: x1}))
    True
    >>> substituted(e, {g: 0}, {x2: x1}) is None  # x1/(x1 - x1): zoo
    True
    >>> substituted(x1 * (x1 - x2) / ((x1 - x2) * x2), ("cancel", {x2: x1}))
    1
    """
    from symxai.solve import ratfield

    e = sympy.sympify(e)
    plain = [s[1] if isinstance(s, tuple) else s for s in subs]
    extra = set()
    for s in plain:
        for k, v in (s or {}).items():
            extra.add(k)
            extra |= sympy.sympify(v).free_symbols
    gens = ratfield.gens_of(e, extra=extra)
    if not gens:
        return None
    p = ratfield.parts(e, gens)
    for s, sub in zip(subs, plain):
        if p is not None and isinstance(s, tuple):
            n, d = p[0].cancel(p[1])
            p = (n, d)
        p = ratfield.substituted(p, sub)
    if p is None:
        return None
    n, d = p
    if not n:
        return sympy.Integer(0)
    R = n.ring
    used = sorted(ratfield.used(n) | ratfield.used(d))
    if not used:
        return R.domain.to_sympy(n.LC) / R.domain.to_sympy(d.LC)
    F = _field(tuple(R.symbols[i] for i in used))
    K = F.field  # the field tidy converts into: the same canonical element, the same printed form
    return _show(K.new(ratfield.moved(n, K.ring), ratfield.moved(d, K.ring)))
