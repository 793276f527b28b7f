"""One layer's relevances assembled in a polynomial ring, share by share (issue 15 item 4).

``tidy`` of a layer's relevance R_j = sum_k coef z_jk / den_k R_k converts the SymPy sum into the field
of rational functions (``from_sympy``), which cancels at every node of the expression tree: on the
2-8-8-1 network (8 shares per relevance, denominators of up to 17 affine factors) that was most of
the per-region work.  Here every relevance is kept beside its expression as numerator / (constant *
product of irreducible factors); the denominators of the shares are known by construction (den_k, a
small polynomial factored once, times the factors of R_k), so the common denominator is the product of
the largest powers and the numerator a sum of polynomial products; one gcd (the field's canonical
form) cancels what is left (trial division by each factor measured twice as slow on 2-8-8-1), and
the next layer starts from that cancelled form.  Only the result is converted to an expression, written exactly as ``tidy`` writes the
same rational function (the canonical element of the same field, through ``lrp_tidy._show``).

Anything that is not a rational function over QQ in the ring's symbols (a sign stabiliser's sign(z),
Max of a symbolic weight, a float) returns None, and the caller tidies the expressions as before.

>>> import sympy
>>> from symxai.solve.lrp_rules import RULES, propagate
>>> x1, x2, g = sympy.symbols("x1 x2 gamma", nonnegative=True)
>>> W, b = sympy.ImmutableMatrix([[1, 2], [2, -1]]), sympy.ImmutableMatrix([0, 1])
>>> step = propagate([x1, x2], W, b, [x1 + x2, x1], RULES["gamma"], {"gamma": g})
>>> gens = ring_gens([x1, x2, g])
>>> fast, _ = layer(step, [x1 + x2, x1], None, gens)
>>> from symxai.methods.propagation.lrp_tidy import tidy
>>> fast == [tidy(r) for r in step.relevance]
True
"""

from __future__ import annotations

import sympy

from symxai.solve import ratfield


def ring_gens(symbols) -> tuple:
    """The generators of a region's ring: the symbols sorted by name (as ``tidy`` sorts them)."""
    return tuple(sorted(set(symbols), key=str))


class Rel:
    """num / (const * prod f**e over factors): num a ring polynomial, factors {irreducible f: e} (num and
    the denominator need not be coprime)."""

    __slots__ = ("num", "const", "factors")

    def __init__(self, num, const, factors):
        self.num, self.const, self.factors = num, const, factors


# (ring generators, the layer's relevance as a SymPy sum) -> (expression, Rel): regions that share an
# activation pattern pass the same formulas through (as tidy remembers them)
_DONE: dict = {}
_FACTORS: dict = {}  # (ring, polynomial) -> (constant, {factor: exponent}): small denominators, factored once


def _factor(poly):
    key = (poly.ring, poly)
    hit = _FACTORS.get(key)
    if hit is None:
        if poly.is_ground:
            hit = (poly.LC, {})
        else:
            const, fl = poly.factor_list()
            hit = (const, {f: e for f, e in fl})
        _FACTORS[key] = hit
    return hit


def _from_expr(expr, R):
    """``expr`` (a relevance as tidy writes it, or a polynomial) as a Rel of ring ``R``; None if it is not one."""
    p = ratfield.parts(expr, R.symbols)
    if p is None:
        return None
    n, d = p
    const, factors = _factor(d) if not d.is_ground else (d.LC, {})
    if not factors:
        return Rel(n, const, {})
    return Rel(n, const, dict(factors))


def _poly(expr, R):
    try:
        return R.from_expr(sympy.sympify(expr))
    except ratfield._FAIL:
        return None


def layer(step, above: list, above_ring: list | None, gens: tuple):
    """The relevances of the layer below ``step`` (its ``terms``), as (expressions, Rels), or None when
    the ring route does not apply; ``above`` are the expressions of R_k, ``above_ring`` their Rels
    (None: converted from the expressions)."""
    from symxai.methods.propagation.lrp_tidy import show_parts, tidy

    if step.terms is None or any(e.has(sympy.Heaviside, sympy.sign, sympy.Max, sympy.Min, sympy.Float)
                                 for e in map(sympy.sympify, above)):
        return None
    R = ratfield.ring(gens)
    keys = [(gens, e) for e in step.relevance]
    hits = [_DONE.get(key) for key in keys]
    if all(h is not None for h in hits):
        return [h[0] for h in hits], [h[1] for h in hits]
    if above_ring is None:
        above_ring = [_from_expr(e, R) for e in above]
        if any(r is None for r in above_ring):
            return None
    n_low = len(step.relevance)
    # per contributing (k, part): coefficient * z_j (polynomials), denominator as constant and factors
    shares = []
    for k, contrib in enumerate(step.terms):
        rk = above_ring[k]
        if not rk.num:
            continue
        for coef, z, den in contrib:
            c, dpoly = _poly(coef, R), _poly(den, R)
            zs = [_poly(v, R) for v in z]
            if c is None or dpoly is None or any(v is None for v in zs) or not dpoly:
                return None
            dconst, dfac = _factor(dpoly)
            fac = dict(rk.factors)
            for f, e in dfac.items():
                fac[f] = fac.get(f, 0) + e
            shares.append((c * rk.num, R.domain.quo(R.domain.one, dconst * rk.const), zs, fac))
    exprs, rels = [], []
    for j in range(n_low):
        if hits[j] is not None:
            rels.append(None)
            exprs.append(None)
            continue
        terms = [(cn * zs[j], q, fac) for cn, q, zs, fac in shares if zs[j]]
        terms = [t for t in terms if t[0]]
        if not terms:
            rels.append(Rel(R.zero, R.domain.one, {}))
            exprs.append(None)
            continue
        common: dict = {}
        for _, _, fac in terms:
            for f, e in fac.items():
                if e > common.get(f, 0):
                    common[f] = e
        num = R.zero
        powers: dict = {}
        for t, q, fac in terms:
            for f, e in common.items():
                m = e - fac.get(f, 0)
                if m:
                    if (f, m) not in powers:
                        powers[(f, m)] = f ** m
                    t = t * powers[(f, m)]
            num += t.mul_ground(q) if q != R.domain.one else t
        rels.append(Rel(num, R.domain.one, common))
        exprs.append(None)
    for j, rel in enumerate(rels):
        if hits[j] is not None:
            exprs[j], rels[j] = hits[j]
            continue
        if not rel.num:
            exprs[j] = sympy.Integer(0)
            continue
        den = R.one
        for f, e in rel.factors.items():
            den = den * f ** e
        out = show_parts(rel.num, den)
        if out is None:  # a constant: as tidy writes it
            exprs[j] = tidy(step.relevance[j])
            continue
        exprs[j], num, const, factors = out
        # the next layer starts from the cancelled form
        rels[j] = Rel(ratfield.embedded(num, R), const, {ratfield.embedded(f, R): e for f, e in factors})
    if len(_DONE) > 8192:
        _DONE.clear()
    for key, e, rel in zip(keys, exprs, rels):
        _DONE[key] = (e, rel)
    return exprs, rels
