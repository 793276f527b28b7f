"""Radial functions f(x) = g(||x - c||): recognised, and expanded on the segment c -> x in any dimension.

A closed form beside the component route of the Taylor method: where f
depends on the inputs only through one Euclidean distance, the root point on
the segment from the centre and the first-order terms follow for general d
from the profile g alone.

>>> import sympy
>>> x1, x2, th = sympy.symbols("x1 x2 theta", positive=True)
>>> center, g, rho = radial_profile(sympy.sqrt((x1 - 1)**2 + x2**2) - th, [x1, x2])
>>> center, g
([1, 0], rho - theta)
"""

from __future__ import annotations

import re

import sympy


class Norm(sympy.Function):
    """The Euclidean norm ||v|| of a vector expression, kept unevaluated for display."""

    nargs = 1
    is_nonnegative = True

    @classmethod
    def eval(cls, v):
        # an explicit vector (after numbers are put in) has a plain value
        if not v.atoms(sympy.MatrixSymbol):
            m = v.doit() if hasattr(v, "doit") else v
            if isinstance(m, sympy.MatrixBase):
                return sympy.sqrt(sum(e**2 for e in m))
        return None


def radial_profile(f, inputs):
    """(centre, g(rho), rho) when f = g(sqrt(sum_i (x_i - c_i)^2)), else None."""
    rho = sympy.Symbol("rho", positive=True)
    for root in f.atoms(sympy.Pow):
        if root.exp != sympy.S.Half:
            continue
        base = sympy.expand(root.base)
        center = [-base.coeff(v, 1) / 2 for v in inputs]
        if any(c.free_symbols & set(inputs) for c in center):
            continue
        if sympy.expand(base - sum((v - c) ** 2 for v, c in zip(inputs, center))) != 0:
            continue
        g = f.xreplace({root: rho})
        if not g.free_symbols & set(inputs):
            return center, g, rho
    return None


def _stem(obj, default: str) -> str:
    m = re.fullmatch(r"([A-Za-z]+)\d+", getattr(obj, "name", ""))
    return m.group(1) if m else default


def general_segment_terms(f, inputs, reference):
    """Worked steps [(text, Line, ...), ...] of the general-d derivation, or None when
    f is not radial about ``reference``.

    >>> x1, x2, th = sympy.symbols("x1 x2 theta", positive=True)
    >>> steps = general_segment_terms(sympy.sqrt((x1 - 1)**2 + x2**2) - th, [x1, x2], [1, 0])
    >>> len(steps), steps[1][1].terms[1]
    (4, theta/Norm(-c + x))
    """
    from symxai.solve.model import Line, Tex

    found = radial_profile(f, inputs)
    if found is None or reference is None:
        return None
    center, g, rho = found
    if any(sympy.simplify(c - a) != 0 for c, a in zip(center, reference)):
        return None
    d = sympy.Symbol("d", integer=True, positive=True)
    xs, cs = _stem(inputs[0], "x"), _stem(center[0], "c")
    X, C = sympy.MatrixSymbol(xs, d, 1), sympy.MatrixSymbol(cs, d, 1)
    xi, ci = sympy.Symbol(f"{xs}_i", real=True), sympy.Symbol(f"{cs}_i", real=True)
    r, t = sympy.Symbol("r", positive=True), sympy.Symbol("t", positive=True)
    norm = Norm(X - C)
    roots = [s for s in sympy.solve(g.subs(rho, t * r), t)]
    if len(roots) != 1:
        return None
    ts = roots[0]
    slope = sympy.diff(g, rho).subs(rho, ts * r)
    grad_i = sympy.simplify(slope * (xi - ci) / r)
    phi_i = sympy.factor(sympy.simplify(grad_i * (1 - ts) * (xi - ci)))
    show = lambda e: e.xreplace({r: norm})
    return [
        ("In general dimension $d$ the function depends on $\\boldsymbol{x}$ only through the distance to "
         "the reference point, $f(\\boldsymbol{x}) = g(\\|\\boldsymbol{x} - \\boldsymbol{c}\\|)$ with",
         Line(Tex("g(\\rho)"), g), Line(Tex("\\boldsymbol{c}"), C)),
        ("On the segment $\\tilde{\\boldsymbol{x}} = \\boldsymbol{c} + t(\\boldsymbol{x} - \\boldsymbol{c})$ the distance "
         "is $t\\,\\|\\boldsymbol{x} - \\boldsymbol{c}\\|$, so the root condition $g(t\\|\\boldsymbol{x} - \\boldsymbol{c}\\|) = 0$ gives",
         Line(t, show(ts))),
        ("By the chain rule, $\\nabla f(\\tilde{\\boldsymbol{x}}) = g'(\\|\\tilde{\\boldsymbol{x}} - \\boldsymbol{c}\\|)\\,"
         "(\\tilde{\\boldsymbol{x}} - \\boldsymbol{c})/\\|\\tilde{\\boldsymbol{x}} - \\boldsymbol{c}\\|$, and "
         "$\\tilde{\\boldsymbol{x}} - \\boldsymbol{c}$ points along $\\boldsymbol{x} - \\boldsymbol{c}$; "
         "also $x_i - \\tilde{x}_i = (1 - t)(x_i - c_i)$:",
         Line(Tex("[\\nabla f(\\tilde{\\boldsymbol{x}})]_i"), show(grad_i)),
         Line(Tex("x_i - \\tilde{x}_i"), show(sympy.factor((1 - ts) * (xi - ci))))),
        ("Hence, for every $i$ and every dimension $d$:",
         Line(Tex("\\phi_i"), show(phi_i))),
    ]
