"""DeepLIFT's RevealCancel rule: positive and negative parts of every unit's input treated apart.

For unit k with input difference Delta z = Delta z+ + Delta z- (the sums of the positive and of the
negative terms w_kj Delta a_j), and f its activation at the reference pre-activation z0,

    Delta y+ = 1/2 (f(z0 + Dz+) - f(z0)) + 1/2 (f(z0 + Dz- + Dz+) - f(z0 + Dz-))
    Delta y- = 1/2 (f(z0 + Dz-) - f(z0)) + 1/2 (f(z0 + Dz+ + Dz-) - f(z0 + Dz+))

(the Shapley value of the two parts), with multipliers r+ = Delta y+ / Delta z+ and r- = Delta y- / Delta z-
(0 where the part is 0).  The parts propagate on their own: Dz+ collects w_kj Delta a_j+ over the
positive weights and w_kj Delta a_j- over the negative ones (Dz- the rest), and multipliers flow back
along the same edges.  Delta y+ + Delta y- = Delta y, so summation to delta still holds; where a unit's
positive and negative inputs cancel (Delta z = 0), both parts still get credit, which the rescale rule
(multiplier Delta y / Delta z) cannot give.  This module is the symbolic route; the numeric one is
``symxai.reference.deeplift.deeplift_reveal_cancel``.
"""

from __future__ import annotations

import sympy

from symxai.solve.model import Line, Table, Tex


def _f(activation, v):
    return sympy.Max(0, v) if activation == "relu" else v


def _split(v):
    return (v, sympy.Integer(0)) if v > 0 else (sympy.Integer(0), v)


def parts(p):
    """Per layer, per unit: (Dz+, Dz-, Dy+, Dy-, r+, r-), exactly, and the (positive, negative) parts of
    every level's differences, inputs first."""
    z0, _ = p.forward(p.baseline)
    level = [_split(sympy.nsimplify(x - b)) for x, b in zip(p.point, p.baseline)]
    levels, out = [level], []
    for li, layer in enumerate(p.net.layers):
        units, nxt = [], []
        for k in range(layer.width):
            w = [layer.weights[k, j] for j in range(len(level))]
            pos = sympy.Add(*[wj * (lj[0] if wj > 0 else lj[1]) for wj, lj in zip(w, level) if wj != 0])
            neg = sympy.Add(*[wj * (lj[1] if wj > 0 else lj[0]) for wj, lj in zip(w, level) if wj != 0])
            base = z0[li][k]

            def f(v, act=layer.activation):
                return _f(act, v)
            yp = sympy.simplify((f(base + pos) - f(base)) / 2 + (f(base + neg + pos) - f(base + neg)) / 2)
            yn = sympy.simplify((f(base + neg) - f(base)) / 2 + (f(base + pos + neg) - f(base + pos)) / 2)
            rp = sympy.simplify(yp / pos) if pos != 0 else sympy.Integer(0)
            rn = sympy.simplify(yn / neg) if neg != 0 else sympy.Integer(0)
            units.append((pos, neg, yp, yn, rp, rn))
            nxt.append((yp, yn))
        out.append(units)
        level = nxt
        levels.append(level)
    return out, levels


def contributions(p):
    """The input contributions C_i and the (positive, negative) multipliers of every level (inputs first)."""
    units, levels = parts(p)
    top = p.net.layers[-1]
    m = [(sympy.Integer(1), sympy.Integer(1)) if k == p.net.output else (sympy.Integer(0), sympy.Integer(0))
         for k in range(top.width)]
    back = []
    for li in range(len(p.net.layers) - 1, -1, -1):
        layer, lu = p.net.layers[li], units[li]
        mz = [(mk[0] * u[4], mk[1] * u[5]) for mk, u in zip(m, lu)]  # multipliers of Dz+ and Dz-
        below = []
        for j in range(len(levels[li])):
            plus = minus = sympy.Integer(0)
            for k in range(layer.width):
                w = layer.weights[k, j]
                if w > 0:
                    plus, minus = plus + w * mz[k][0], minus + w * mz[k][1]
                elif w < 0:
                    plus, minus = plus + w * mz[k][1], minus + w * mz[k][0]
            below.append((sympy.simplify(plus), sympy.simplify(minus)))
        m = below
        back.append(m)
    back = back[::-1]
    C = [sympy.simplify(dp * mp + dn * mn) for (dp, dn), (mp, mn) in zip(levels[0], back[0])]
    return C, back, units


def steps(sol, p):
    """The worked RevealCancel steps (after the figure); returns the contributions."""
    C, levels, units = contributions(p)
    rows = []
    for layer, lu in zip(p.net.layers, units):
        for name, (pos, neg, yp, yn, rp, rn) in zip(layer.neurons, lu):
            rows.append([sympy.Symbol(name), pos, neg, yp, yn, rp, rn])
    sol.step("Carry every difference as a positive and a negative part (an input's difference is one or the "
             "other): a unit's $\\Delta z^{+}$ collects $w_{kj}\\Delta a_j^{+}$ over its positive weights and "
             "$w_{kj}\\Delta a_j^{-}$ over its negative ones, $\\Delta z^{-}$ the rest. The change of the unit's output "
             "is shared between the two parts as the Shapley value of a two-player game (each part added first "
             "half of the time):",
             Line(Tex("\\Delta y^{+}"), Tex("\\tfrac12\\bigl(f(z_0 + \\Delta z^{+}) - f(z_0)\\bigr) + \\tfrac12\\bigl("
                                            "f(z_0 + \\Delta z^{-} + \\Delta z^{+}) - f(z_0 + \\Delta z^{-})\\bigr)"),
                  kind="formula"),
             Line(Tex("r^{\\pm}"), Tex("\\Delta y^{\\pm}/\\Delta z^{\\pm}"), kind="formula"),
             table=Table([Tex("unit"), Tex("\\Delta z^{+}"), Tex("\\Delta z^{-}"), Tex("\\Delta y^{+}"),
                          Tex("\\Delta y^{-}"), Tex("r^{+}"), Tex("r^{-}")], rows),
             title="RevealCancel multipliers")
    back = []
    for li in reversed(range(len(levels))):
        below = "\\boldsymbol{x}" if li == 0 else f"a^{{({li})}}"
        back.append(Line(Tex(f"m^{{+}}_{{{below}}}"), sympy.ImmutableMatrix([[v[0] for v in levels[li]]]),
                         kind="definition"))
        back.append(Line(Tex(f"m^{{-}}_{{{below}}}"), sympy.ImmutableMatrix([[v[1] for v in levels[li]]]),
                         kind="definition"))
    sol.step("Multipliers flow back separately for the two parts, starting from $1$ for both at the explained "
             "output: a positive weight $w_{kj}$ passes $w_{kj} r^{+}_k$ to the positive part of $a_j$ and "
             "$w_{kj} r^{-}_k$ to its negative part, a negative weight the other way round.", *back,
             title="Backward pass of the multipliers")
    d = len(p.net.inputs)
    sol.step("Contributions multiply each input's difference from reference by the multiplier of its sign:",
             *[Line(sympy.Symbol(f"C_{i + 1}"),
                    sympy.Mul(p.point[i] - p.baseline[i], levels[0][i][0 if p.point[i] > p.baseline[i] else 1],
                              evaluate=False), C[i]) for i in range(d)], title="Contributions")
    return C
