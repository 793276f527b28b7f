"""lrp_tidy.tidy: the stabiliser's sign(z) and Heaviside(z, 1) are cancelled as field generators (issue 15
item 4); the result equals the original exactly wherever the original is defined, on both sides of z = 0 and
at z = 0; gated formulas (Heaviside(z, 0)) keep going through simplify."""

from fractions import Fraction
import itertools

import sympy

from symxai.methods.propagation.lrp_tidy import tidy

h1, h2, h3, eps = sympy.symbols("h1 h2 h3 epsilon")


def _points():
    grid = [Fraction(k, 4) for k in range(-6, 7)]
    for a, b, c in itertools.product(grid, grid[::3], grid[::4]):
        yield {h1: sympy.Rational(a.numerator, a.denominator), h2: sympy.Rational(b.numerator, b.denominator),
               h3: sympy.Rational(c.numerator, c.denominator), eps: sympy.Rational(1, 4)}


def _agree(original, tidied):
    checked = 0
    for pt in _points():
        before = original.xreplace(pt)
        if before.has(sympy.zoo, sympy.nan) or not before.is_finite:
            continue
        assert sympy.simplify(tidied.xreplace(pt) - before) == 0, (pt, tidied, original)
        checked += 1
    assert checked > 100


def _stabilised(step):
    z1, z2 = 2 * h1 - h2 - 1, h1 + 2 * h2 - h3 - 1
    d1, d2 = 4 * z1 + step(z1), 4 * z2 + step(z2)  # 4 (z + eps step(z)), eps = 1/4
    return sympy.Mul(4 * h1, sympy.Pow(d1, -1)) * sympy.Symbol("R1") / 2 \
        + 2 * h1 * (h1 + h3) / ((h1 + h3) * d2) * sympy.Symbol("R2")


def test_heaviside_one_stand_in_is_exact_at_every_defined_point():
    e = _stabilised(lambda z: 2 * sympy.Heaviside(z, 1) - 1)
    t = tidy(e)
    assert not t.has(sympy.Dummy)
    assert t.atoms(sympy.Heaviside) == e.atoms(sympy.Heaviside)
    _agree(e.subs({sympy.Symbol("R1"): 3, sympy.Symbol("R2"): -5}),
           t.subs({sympy.Symbol("R1"): 3, sympy.Symbol("R2"): -5}))


def test_sign_stand_in_is_exact_at_every_defined_point():
    e = _stabilised(sympy.sign)
    t = tidy(e)
    assert not t.has(sympy.Dummy)
    _agree(e.subs({sympy.Symbol("R1"): 3, sympy.Symbol("R2"): -5}),
           t.subs({sympy.Symbol("R1"): 3, sympy.Symbol("R2"): -5}))


def test_gated_heaviside_zero_still_simplified():
    w = sympy.Symbol("w13", real=True)
    e = w * sympy.Heaviside(w * h1 - h2, 0) * h1 / (w * h1) + sympy.Heaviside(h1, 0) ** 2
    assert tidy(e) == sympy.simplify(e)
