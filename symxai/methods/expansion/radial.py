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
    """Worked steps [(text, Line, ..., meanings), ...] of the general-d derivation, or None when
    f is not radial about ``reference``; the last item of each is what x_i, c_i stand for (entries of
    the vectors x, c at an index i), for the step's ``where``.

    >>> x1, x2, th = sympy.symbols("x1 x2 theta", positive=True)
    >>> steps = general_segment_terms(sympy.sqrt((x1 - 1)**2 + x2**2) - th, [x1, x2], [1, 0])
    >>> len(steps), steps[1][2].terms[1]
    (5, theta/Norm(-c + x))
    """
    from symxai.solve.model import Line, Tex

    found = radial_profile(f, inputs)
    if found is None or reference is None:
        return None
    center, g, rho = found
    if any(sympy.simplify(c - a) != 0 for c, a in zip(center, reference)):
        return None
    from symxai.solve.stepcheck import Index

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
    # what the displayed lines claim, for random d, x, c (stepcheck draws them): x_i is entry i of x,
    # the root point is c + t (x - c) as a vector, its gradient the chain rule applied to it
    i = Index("i", d)
    entry = {xi: X[i - 1, 0], ci: C[i - 1, 0]}
    root = C + show(ts) * (X - C)
    grad_value = sympy.diff(g, rho).subs(rho, Norm(root - C)) * (root[i - 1, 0] - C[i - 1, 0]) / Norm(root - C)
    gap_value = X[i - 1, 0] - root[i - 1, 0]
    j = sympy.Symbol("j", integer=True, positive=True)
    at_j = lambda e: e.xreplace({i: j})
    total = sympy.Sum(at_j(grad_value * gap_value), (j, 1, d))
    # the sum of the terms in closed form: phi_i = K (x_i - c_i)^2 with K free of i, and the squares add up to r^2
    K = sympy.simplify(phi_i / (xi - ci) ** 2)
    closed = sympy.simplify(K * r ** 2) if not K.has(xi, ci) else None
    exact = closed is not None and sympy.simplify(closed - g.subs(rho, r)) == 0
    from symxai.expr.printing import tex

    # the prose names the vectors as the spec does (mu, not a generic c, for f = ||x - mu|| - theta)
    bx, bc, xi_, ci_ = tex(X), tex(C), tex(xi), tex(ci)
    steps = [
        ("In general dimension $d$ the function depends on $" + bx + "$ only through the distance to "
         "the reference point $" + bc + "$, $f(" + bx + ") = g(\\|" + bx + " - " + bc + "\\|)$ with",
         Line(Tex("g(\\rho)"), g, kind="definition")),
        ("On the segment $\\tilde{" + bx + "} = " + bc + " + t(" + bx + " - " + bc + ")$ the distance "
         "is $t\\,\\|" + bx + " - " + bc + "\\|$, so the root condition $g(t\\|" + bx + " - " + bc + "\\|) = 0$ gives",
         Line(show(g.subs(rho, t * r)), 0, kind="equation", at={t: show(ts)}), Line(t, show(ts), kind="definition")),
        ("By the chain rule, $\\nabla f(\\tilde{" + bx + "}) = g'(\\|\\tilde{" + bx + "} - " + bc + "\\|)\\,"
         "(\\tilde{" + bx + "} - " + bc + ")/\\|\\tilde{" + bx + "} - " + bc + "\\|$, and "
         "$\\tilde{" + bx + "} - " + bc + "$ points along $" + bx + " - " + bc + "$; "
         "also $" + xi_ + " - \\tilde{x}_i = (1 - t)(" + xi_ + " - " + ci_ + ")$:",
         Line(Tex("[\\nabla f(\\tilde{" + bx + "})]_i", grad_value), show(grad_i)),
         Line(Tex("x_i - \\tilde{x}_i", gap_value), show(sympy.factor((1 - ts) * (xi - ci))))),
        ("Hence, for every $i$ and every dimension $d$:",
         Line(Tex("\\phi_i", grad_value * gap_value), show(phi_i))),
    ]
    if closed is not None:
        steps.append((("Since $\\sum_i (" + xi_ + " - " + ci_ + ")^2 = \\|" + bx + " - " + bc + "\\|^2$, the terms add up to "
                       + ("$f(" + bx + ")$ itself: the first-order expansion is exact in every dimension, the "
                          "higher-order terms vanish." if exact else
                          "the first-order part of $f(" + bx + ")$; the higher-order terms make up the rest.")),
                      Line(Tex("\\sum_{i=1}^{d} \\phi_i", total), show(closed),
                           *([Tex("f(" + bx + ")", g.subs(rho, Norm(X - C)))] if exact else []))))
    return [(text, *lines, entry) for text, *lines in steps]
