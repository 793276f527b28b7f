"""LRP at one numeric input point (``point: {x1: 1, x2: 1/2}``): one activation pattern, every relevance
an exact number.

The point is checked here (names are the network's inputs, each given once; values exact numbers by the
whitelist parser, inside the declared sign domain of the input), the forward pass is done in exact
rationals, and the rule of ``symxai.solve.lrp_rules.propagate`` runs on those numbers.  The worked solution
is what an instructor writes at a point: the rule once (``lrp_rule_text``), the forward pass with the
numbers substituted, each layer's shares written out, and one table of every unit's activation and
relevance.  The numpy reference (``symxai.reference.lrp``) is evaluated at the same point.
"""

from __future__ import annotations

import sympy

from symxai.expr.printing import tex
from symxai.solve.lrp_rules import propagate
from symxai.solve.model import Line, Table, Tex
from symxai.methods.propagation.lrp_tidy import tidy

SIGNS = ("positive", "nonnegative", "negative", "nonpositive", "nonzero", "integer")


def check(ctx, params, net) -> dict | None:
    """The point as {input Symbol: exact number}, or None after a problem reported at its line."""
    raw, loc = params["point"], params.loc_of("point")
    inputs = {str(x): x for x in net.inputs}
    out, bad = {}, False
    for name in raw:
        where = raw.loc_of(name)
        if name not in inputs:
            ctx.problem(raw.key_loc(name), f"point: '{name}' is not an input of the network "
                        f"(inputs: {', '.join(inputs)})")
            bad = True
            continue
        value = raw[name]
        v = ctx.expr(value, where)
        if v is None:
            bad = True
            continue
        if not isinstance(v, sympy.Basic) or v.free_symbols or not v.is_number or v.is_real is not True \
                or v.has(sympy.Float):
            ctx.problem(where, f"point: {name} = {str(value)[:40]!r} must be an exact real number "
                        "(an integer, a fraction such as 1/2, or a closed form such as sqrt(2))")
            bad = True
            continue
        x = inputs[name]
        broken = [a for a in SIGNS if getattr(x, f"is_{a}") is True and getattr(v, f"is_{a}") is not True]
        if broken:
            ctx.problem(where, f"point: {name} = {tex_free(v)} is outside the declared domain of {name} "
                        f"({broken[0]})")
            bad = True
            continue
        out[x] = v
    missing = [n for n, x in inputs.items() if x not in out and n not in raw]
    if missing and not bad:
        ctx.problem(loc, f"point: give every input of the network (missing: {', '.join(missing)})")
        bad = True
    if bad:
        return None
    symbolic = set().union(*(layer.weights.free_symbols | layer.bias.free_symbols for layer in net.layers))
    if symbolic:
        ctx.problem(loc, "point: needs numeric weights and biases (symbolic: "
                    f"{', '.join(sorted(map(str, symbolic)))})")
        return None
    return out


def tex_free(v) -> str:
    return str(v).replace("**", "^")


def check_params(ctx, params, p) -> bool:
    """Rule parameters must be numbers at a point (a symbolic gamma leaves no single number)."""
    free = set().union(*(sympy.sympify(v).free_symbols for li in range(len(p.network.layers))
                         for key, v in p.params_of(li).items() if key not in ("low", "high")),
                       *(sympy.ImmutableMatrix(v).free_symbols for key, v in p.params.items() if key in ("low", "high")))
    if free:
        ctx.problem(params.loc_of("point"), "point: needs numeric rule parameters (symbolic: "
                    f"{', '.join(sorted(map(str, free)))})")
        return False
    if p.implements is not None:
        ctx.problem(params.loc_of("implements"), "implements: is proved over the symbolic inputs, not at a point")
        return False
    return True


def forward(net, point: dict):
    """Pre-activations and activations of every layer at the point, exactly (inputs first in ``acts``)."""
    acts, zs = [[point[x] for x in net.inputs]], []
    for layer in net.layers:
        a = acts[-1]
        z = [sympy.sympify(sum((layer.weights[k, j] * a[j] for j in range(len(a))), sympy.Integer(0)) + layer.bias[k])
             for k in range(layer.width)]
        zs.append(z)
        acts.append([sympy.Max(0, v) if layer.activation == "relu" else v for v in z])
    return zs, acts


def relevances(p, point: dict):
    """(zs, acts, [(layer index, StepDetail, R below)] first layer first) at the point."""
    net = p.network
    zs, acts = forward(net, point)
    R = net.output_relevance(acts[-1])
    steps = []
    for li in range(len(net.layers) - 1, -1, -1):
        layer = net.layers[li]
        step = propagate(acts[li], layer.weights, layer.bias, R, p.rules[li], p.params_of(li),
                         bias=p.bias, stabiliser=p.stabiliser, conv=p.conv)
        R = [tidy(r) for r in step.relevance]
        steps.append((li, step, R))
    return zs, acts, steps[::-1]


def values(p) -> dict:
    """Every answer (the relevances of every layer below the output) at the point."""
    net = p.network
    _, _, steps = relevances(p, p.point)
    out = {}
    for li, step, R in steps:
        below = net.input_relevance if li == 0 else net.layers[li - 1].relevance
        out.update(zip(below, R))
    return out


def _arith(layer, k, below) -> str:
    """The pre-activation with the numbers of the layer below substituted, as TeX (1 \\cdot 1 - 2 \\cdot 1/2)."""
    parts = []
    for j, a in enumerate(below):
        w = layer.weights[k, j]
        if w == 0:
            continue
        term = f"{tex(abs(w))} \\cdot {_paren(a)}" if abs(w) != 1 else _paren(a)
        parts.append(("-" if w < 0 else "+", term))
    if layer.bias[k] != 0:
        parts.append(("-" if layer.bias[k] < 0 else "+", tex(abs(layer.bias[k]))))
    if not parts:
        return "0"
    text = ("-" if parts[0][0] == "-" else "") + parts[0][1]
    text += "".join(f" {s} {t}" for s, t in parts[1:])
    return f"\\max(0,\\ {text})" if layer.activation == "relu" else text


def _paren(a) -> str:
    return f"({tex(a)})" if a < 0 else tex(a)


def solve(sol, p, figure_step, conventions, pre, names_tex) -> None:
    """The worked solution at the point; ``pre``/``names_tex`` are lrp.py's printers."""
    net, point = p.network, p.point
    figure_step(sol)
    if not p.repeat:
        conventions(sol, p)
    zs, acts, steps = relevances(p, point)
    meaning = {x: point[x] for x in net.inputs}
    meaning.update({sympy.Symbol(str(x)): point[x] for x in net.inputs})  # _pre names the inputs plainly
    for li, layer in enumerate(net.layers):
        meaning.update({sympy.Symbol(n): acts[li + 1][k] for k, n in enumerate(layer.neurons)})
    at = ", ".join(tex(point[x]) for x in net.inputs)
    xs = ", ".join(tex(x) for x in net.inputs)
    fwd = []
    for li, layer in enumerate(net.layers):
        below = acts[li]
        for k, n in enumerate(layer.neurons):
            value = acts[li + 1][k]
            fwd.append(Line(sympy.Symbol(n), pre(net, li, k), Tex(_arith(layer, k, below), value), value))
    hidden = [(n, acts[li + 1][k]) for li, layer in enumerate(net.layers) if layer.activation == "relu"
              for k, n in enumerate(layer.neurons)]
    on = [n for n, v in hidden if v > 0]
    off = [n for n, v in hidden if not v > 0]
    pattern = (" Active: " + (names_tex(on) if on else "none") + "; inactive: " + (names_tex(off) if off else "none")
               + "." if hidden else "")
    sol.step(f"Forward pass at $({xs}) = ({at})$:", *fwd, title="Forward pass", where=meaning)
    if pattern:
        sol.step("This is one activation pattern." + pattern)
    y = acts[-1][net.output]
    above = net.output_relevance(acts[-1])
    out_name = net.layers[-1].neurons[net.output]
    others = len(net.layers[-1].neurons) > 1
    sol.step(f"Start from the explained output ${tex(sympy.Symbol(out_name))}$" +
             (", every other output neuron with relevance $0$:" if others else ":"),
             Line(Tex("R_{\\mathrm{out}}", y), sympy.Symbol(out_name), y), where=meaning, title="Backward pass")
    rel = dict(zip(net.layers[-1].relevance, above))
    for li, step, R in reversed(steps):
        layer = net.layers[li]
        below_names = net.input_relevance if li == 0 else net.layers[li - 1].relevance
        rows = [Line(sympy.Symbol(name), *_shares(step, layer, j, above), R[j]) for j, name in enumerate(below_names)]
        where = {**meaning, **{sympy.Symbol(n): v for n, v in rel.items()}}
        zero = [layer.neurons[k] for k in range(layer.width) if step.zero[k]]
        note = f" A vanishing denominator ({names_tex(zero)}) passes nothing on." if zero else ""
        absorbed = tidy(sum(step.bias_shares, sympy.Integer(0)))
        keep = " The biases take [[absorbed]]." if absorbed != 0 else ""
        sol.step(f"Layer {li + 1} ({p.rules[li].title}):" + note + keep, *rows, where=where,
                 **({"absorbed": absorbed} if absorbed != 0 else {}))
        rel.update(zip(below_names, R))
        above = R
    rows = []
    for k, x in enumerate(net.inputs):
        rows.append([x, point[x], rel[net.input_relevance[k]]])
    for li, layer in enumerate(net.layers):
        for k, n in enumerate(layer.neurons):
            rows.append([sympy.Symbol(n), acts[li + 1][k], rel[layer.relevance[k]]])
    rows = [[r[0]] + [Tex(_slash(v), v) for v in r[1:]] for r in rows]  # a/b: readable in a table row
    total = tidy(sum((rel[n] for n in net.input_relevance), sympy.Integer(0)))
    lost = tidy(y - total)
    sol.step("Every unit's activation and relevance at the point:",
             table=Table([Tex("\\text{unit}"), Tex("a"), Tex("R")], rows), title="All relevances")
    sol.step("Conservation: the input relevances add up to [[total]]" +
             (" $= y$." if lost == 0 else
              f", that is $y {'-' if lost > 0 else '+'} {tex(abs(lost))}$: " + _where_lost(p, steps, lost)), total=total)


def _where_lost(p, steps, lost) -> str:
    """Who takes the relevance that does not reach the inputs, as computed for this instance."""
    biases = tidy(sum((b for _, step, _ in steps for b in step.bias_shares), sympy.Integer(0)))
    rest = tidy(lost - biases)
    parts = [f"the biases take ${tex(biases)}$"] if biases != 0 else []
    if rest != 0:
        stabilised = any(r.stabilised for r in p.rules)
        parts.append(("the stabiliser takes" if stabilised else "neurons with a vanishing denominator lose")
                     + f" ${tex(rest)}$")
    return " and ".join(parts) + "."


def _slash(v) -> str:
    """A rational as a/b (a table cell), anything else as TeX."""
    v = sympy.sympify(v)
    if isinstance(v, sympy.Rational) and v.q != 1:
        return f"{'-' if v < 0 else ''}{abs(v.p)}/{v.q}"
    return tex(v)


def _shares(step, layer, j, above) -> list:
    """Neuron j's shares written with the numbers of the point, z_jk / den_k * R_k for every k above with
    relevance; [] for a rule without one fraction per share (alpha-beta)."""
    if not step.fractions:
        return []
    parts, value = [], sympy.Integer(0)
    for k in range(layer.width):
        z, den = step.fractions[k][j]
        if z == 0 or step.zero[k] or above[k] == 0:
            continue
        value += sympy.sympify(z) / den * above[k]
        frac = f"\\frac{{{tex(abs(z))}}}{{{tex(den)}}}" if den != 1 else _paren(abs(z))
        parts.append(("-" if z < 0 else "+", f"{frac}\\, {tex(sympy.Symbol(layer.relevance[k]))}"))
    if not parts:
        return []
    text = ("-" if parts[0][0] == "-" else "") + parts[0][1] + "".join(f" {sg} {t}" for sg, t in parts[1:])
    return [Tex(text, value)]
