"""The worked LRP solution in a teaching assistant's shape.

First the rule instantiated for the network: each layer's relevances as formulas in the activations
and in the relevances of the layer above (the general relations an exercise asks for), with the
shortcuts that hold recognised from computed facts (equal positive output weights give R_j = v h_j;
LRP-0 on a ReLU network without biases is gradient x input; a network symmetric in its two inputs).
Then the open regions of fixed activation pattern (a table where the formulas are short), the
measure-zero boundaries in one sentence that says whether the relevances are continuous there (or
where they jump, e.g. at gamma = 0), and one figure with the relevances of the main case.  Every
displayed equality carries the region it holds on (``Step.domain``) and is checked by stepcheck.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from symxai.lazy import numpy as np
import sympy

from symxai.methods.propagation.lrp_tidy import cancelled, substituted, tidy as _canonical
from symxai.solve.lrp_rules import propagate
from symxai.solve.model import Figure, Line, Table, Tex
from symxai.solve.network import figure_data
from symxai.expr.printing import tex
from symxai.expr.texwidth import width
from symxai.solve import ratfield
from symxai.solve.regions import defined_on, forward, region_point, same_on

R_OUT = sympy.Symbol("R_out")
OPEN = "open"  # Step.domain: any full-dimensional region
TABLE_CELL = 12  # a table only when every cell's printed width is at most this
WIDE_GENERAL = 4  # the general rule's R_j not put over a common denominator when more shares meet there


def is_open(region) -> bool:
    return all(s != 0 for _, s in region.constraints)


def activation_symbols(net) -> list:
    """Per level the symbols of the activations: the inputs, then h3, h4, ... per layer."""
    return [list(net.inputs)] + [[sympy.Symbol(n) for n in layer.neurons] for layer in net.layers]


def meanings(net, pre) -> dict:
    """What the hidden activations, y and R_out stand for, in the inputs (h3 -> max(0, x1 - x2))."""
    out, values = {}, {sympy.Symbol(str(x)): x for x in net.inputs}
    for li, layer in enumerate(net.layers):
        for k, name in enumerate(layer.neurons):
            values[sympy.Symbol(name)] = pre(net, li, k).xreplace(values)
            out[sympy.Symbol(name)] = values[sympy.Symbol(name)]
    out[R_OUT] = out[sympy.Symbol(net.layers[-1].neurons[net.output])]
    return out


def _display(step, layer, j, above) -> Tex | None:
    """sum_k R_k z_jk / den_k written out as the rule reads, before anything cancels; terms with
    z = 0 or R_k = 0 left out."""
    code, value = "", sympy.Integer(0)
    for k in range(layer.width):
        z, den = step.fractions[k][j]
        if z == 0 or above[k] == 0 or step.zero[k]:
            continue
        value += z / den * above[k]
        z = sympy.factor(z.func(*z.args) if isinstance(z, sympy.Mul) else z)
        den = sympy.Add(*[sympy.factor(t.func(*t.args) if isinstance(t, sympy.Mul) else t)
                          for t in sympy.Add.make_args(den)])
        neg = z.could_extract_minus_sign()
        frac = tex(-z if neg else z) if den == 1 else f"\\frac{{{tex(-z if neg else z)}}}{{{tex(den)}}}"
        code += (" - " if neg else (" + " if code else "")) + f"{tex(above[k])}\\, {frac}"
    if not code:
        return None
    return Tex(code.strip(), value)


def _collected(step, j, above, tidy):
    """sum_k c_jk R_k with each share c_jk = z_jk / den_k cancelled: x1/(x1 + x2) R_3 + R_4."""
    terms, same = [], True
    for k in range(len(above)):
        z, den = step.fractions[k][j]
        if z == 0 or above[k] == 0 or step.zero[k]:
            continue
        terms.append((tidy(z / den), above[k]))
        same &= tidy(z / den) == z / den and sympy.fraction(sympy.together(z / den))[1] == den
    if not terms:
        return sympy.Integer(0)
    if same:
        return None  # nothing cancels: the written-out rule is already the simplest form
    code = ""
    for c, r in terms:
        neg = c.could_extract_minus_sign()
        mag = -c if neg else c
        body = tex(r) if mag == 1 else (f"{tex(mag)}\\, {tex(r)}" if not isinstance(mag, sympy.Add)
                                        else f"\\left({tex(mag)}\\right) {tex(r)}")
        code += (" - " if neg else (" + " if code else "")) + body
    return Tex(code.strip(), sum((c * r for c, r in terms), sympy.Integer(0)))


def general(sol, p, tidy, pre) -> dict:
    """The rule written out for this network, layer by layer from the output: R_j in the
    activations and in the relevances above; returns the relevances in those symbols."""
    net = p.network
    acts = activation_symbols(net)
    where = meanings(net, pre)
    above = [R_OUT if k == net.output else sympy.Integer(0) for k in range(net.layers[-1].width)]
    top = net.layers[-1]
    y_h = sum((top.weights[net.output, j] * acts[-2][j] for j in range(top.weights.shape[1])),
              sympy.Integer(0)) + top.bias[net.output]
    relations = {}
    for li in range(len(net.layers) - 1, -1, -1):
        layer = net.layers[li]
        step = propagate(acts[li], layer.weights, layer.bias, above, p.rules[li], p.params_of(li),
                         bias=p.bias, stabiliser=p.stabiliser, conv=p.conv)
        names = net.input_relevance if li == 0 else net.layers[li - 1].relevance
        lines, shortcut = [], None
        for j, name in enumerate(names):
            count = sum(1 for k in range(layer.width) if step.fractions and step.fractions[k][j][0] != 0
                        and above[k] != 0 and not step.zero[k])
            # over a common denominator only where few shares meet: with WIDE_GENERAL or more the sum is shown
            # share by share anyway, and cancelling a sum of 8 shares in 18 symbols took minutes (2-8-8-1)
            wide = bool(step.fractions) and count > WIDE_GENERAL
            value = step.relevance[j] if wide else tidy(step.relevance[j])
            relations[name] = value
            shown = _display(step, layer, j, above) if step.fractions else None
            collected = _collected(step, j, above, tidy) if shown is not None else value
            if collected is not None and shown is not None and shown.code.count("\\frac") > count:
                shown = None  # fractions of fractions (h_3/2 over h_3/2 + h_4/2): the cancelled share says it
            terms = [sympy.Symbol(name)] + ([shown] if shown is not None else [])
            if collected is not None:
                terms.append(collected)
            if li == len(net.layers) - 1:
                direct = tidy(value.xreplace({R_OUT: y_h}))
                if len(tex(direct)) < len(tex(value)):
                    terms.append(direct)
            lines.append(Line(*terms))
        if li == len(net.layers) - 1:
            shortcut = _equal_weights(net, acts, relations, names, tidy, y_h)
        above_names = "R_{\\mathrm{out}} = y" if li == len(net.layers) - 1 else \
            ", ".join(f"${tex(sympy.Symbol(n))}$" for n in layer.relevance)
        text = (f"Layer {li + 1} ({p.rules[li].title}), from " +
                (f"${above_names} = {tex(y_h)}$" if li == len(net.layers) - 1 else above_names) + ":")
        sol.step(text, *lines, title="The rule for this network" if li == len(net.layers) - 1 else "",
                 where=where, domain=OPEN)
        if shortcut:
            sol.step(shortcut)
        above = [sympy.Symbol(n) for n in names]
    return relations


def _equal_weights(net, acts, relations, names, tidy, y_h) -> str:
    """The sentence for equal positive output weights, when R_j = v h_j holds for every j."""
    top = net.layers[-1]
    w = [top.weights[net.output, j] for j in range(top.weights.shape[1])]
    if len(set(w)) != 1 or not (w[0].is_positive) or top.bias[net.output] != 0:
        return ""
    v = w[0]
    if not all(tidy(relations[n].xreplace({R_OUT: y_h}) - v * acts[-2][j]) == 0 for j, n in enumerate(names)):
        return ""
    keeps = "its own activation" if v == 1 else f"${tex(v)}$ times its activation"
    return (f"All weights into the output are equal and positive ($v = {tex(v)}$), so each hidden neuron "
            f"receives $R_j = v\\,h_j$: {keeps}, whatever the region.")


def proof(sol, p, restrict, cond_tex, pre) -> None:
    """y written in the hidden activations, the region's activations substituted, compared with f."""
    net, f = p.network, p.implements
    pieces = f.rewrite(sympy.Piecewise)
    pieces = pieces if isinstance(pieces, sympy.Piecewise) else sympy.Piecewise((pieces, True))
    top = net.layers[-1]
    w = [top.weights[net.output, j] for j in range(top.weights.shape[1])]
    hs = activation_symbols(net)[-2]
    y_h = sum((wj * h for wj, h in zip(w, hs)), sympy.Integer(0)) + top.bias[net.output]
    where = meanings(net, pre)
    ok, lines = True, []
    for region in p.regions:
        _, acts = forward(net, region.signs)
        y = sympy.expand(acts[-1][net.output])
        fr = restrict(pieces, region)
        same = fr is not None and same_on(region, y, fr)
        ok &= same
        if not is_open(region):
            continue
        vals = acts[-2]
        sub = Tex(_substituted(w, vals, top.bias[net.output]),
                  sum((wj * v for wj, v in zip(w, vals)), sympy.Integer(0)) + top.bias[net.output])
        terms = [Tex(cond_tex(region)), sympy.Symbol("y"), sub, y] + ([f] if same else [])
        rel = ("=>",) + ("=",) * (len(terms) - 2)
        lines.append(Line(*terms, rel=rel, domain=region))
    cont = f.has(sympy.Max, sympy.Min, sympy.Abs) or not f.has(sympy.Piecewise)
    folded = p.repeat and ok and cont  # the boundaries said in the intro, no closing paragraph
    intro = ("Substituting the active neurons' values into $y = " + tex(y_h) + "$ region by region (both "
             "sides are continuous, so they agree on the boundaries too):" if folded else
             "Substituting the active neurons' values into $y = " + tex(y_h) + "$ region by region:"
             if p.repeat else "On each region of fixed activation pattern the network is linear: substitute "
             "the active neurons' values into $y = " + tex(y_h) + "$ and compare with [[f]] there.")
    close = (("Both sides are continuous, so they agree on the boundaries as well: the network implements "
              "$f$ on the whole domain." if cont else
              "They agree on the boundaries as well (checked region by region): the network implements $f$.")
             if ok else "In some region they differ: the network does NOT implement $f$.")
    sol.step(intro, *lines, title="The network implements f", where=where, f=f)
    if not folded:
        sol.step(close)


def _substituted(w, vals, bias) -> str:
    """sum_k w_k h_k with each h_k replaced by its value in parentheses: a_1 - (a_1 - a_2); a weight
    shared by every term (in size) is pulled out: 1/2 ((x_1 + x_2) + (x_1 - x_2) + 0)."""
    used = [(wk, v) for wk, v in zip(w, vals) if wk != 0]
    common = abs(used[0][0]) if used and len({abs(wk) for wk, _ in used}) == 1 and bias == 0 else 1
    out = ""
    for wk, v in used:
        inner = "0" if v == 0 else (f"({tex(v)})" if isinstance(v, sympy.Add) else tex(v))
        coef = abs(wk) / common
        body = inner if coef == 1 else f"{tex(coef)}\\,{inner}"
        out += (" - " if wk < 0 else (" + " if out else "")) + body
    if bias != 0:
        out += f" + {tex(bias)}" if bias > 0 else f" - {tex(-bias)}"
    out = out.strip() or "0"
    return out if common == 1 else f"{tex(common)}\\left({out}\\right)"


def regions_part(sol, p, per_region, names, cond_tex) -> None:
    """The open regions: a table where every formula is short, else one short block per region."""
    net = p.network
    opens = [i for i, r in enumerate(p.regions) if is_open(r)]
    hidden = [n for layer in net.layers[:-1] for n in layer.relevance]
    order = hidden + list(net.input_relevance)
    cells = [[per_region[i][n] for n in order] for i in opens]
    short = all(width(tex(c)) <= TABLE_CELL for row in cells for c in row) and len(order) <= 7
    intro = ("Inserting the activations of each region:" if p.repeat else
             "Inserting the activations of each region of fixed activation pattern "
             "(an inactive neuron has $h_j = 0$ and passes nothing on):")
    if short:
        header = ["Region"] + [Tex(tex(sympy.Symbol(n))) for n in order]
        rows = [[Tex(cond_tex(p.regions[i]))] + row for i, row in zip(opens, cells)]
        sol.step(intro, title="The open regions", table=Table(header, rows))
        return
    for count, i in enumerate(opens):
        region = p.regions[i]
        mirror = next(((j, m) for j in opens[:count] if (m := mirrored(net, per_region[j], per_region[i], order))),
                      None)
        if mirror is not None:
            j, m = mirror
            x1, x2 = net.inputs
            pairs = [(a, b) for a, b in m.items() if a != b and str(a) < str(b)]
            said = ", ".join(f"${tex(sympy.Symbol(a))} \\leftrightarrow {tex(sympy.Symbol(b))}$" for a, b in pairs)
            sol.step(f"Region ${cond_tex(region)}$: the mirror image of region ${cond_tex(p.regions[j])}$. Its "
                     f"formulas are those above with ${tex(x1)} \\leftrightarrow {tex(x2)}$ exchanged, and with "
                     f"them {said} (compared formula by formula).")
            continue
        _, acts = forward(net, region.signs)
        active = ", ".join(f"${tex(sympy.Symbol(n))} = {tex(acts[li + 1][k])}$"
                           for li, layer in enumerate(net.layers[:-1]) for k, n in enumerate(layer.neurons))
        lines = [Line(sympy.Symbol(n), per_region[i][n]) for n in order]
        sol.step((intro + " " if count == 0 else "") + f"Region ${cond_tex(region)}$: {active}.", *lines,
                 title="The open regions" if count == 0 else "", domain=region)


def mirrored(net, seen: dict, values: dict, names: list) -> dict | None:
    """The names of ``values`` matched to those of ``seen`` with the two inputs exchanged (R_1 -> R_2,
    R_h2 -> R_h3), when every formula of ``values`` is a formula of ``seen`` with x1 <-> x2; else None."""
    if len(net.inputs) != 2:
        return None
    x1, x2 = net.inputs
    swap = {x1: x2, x2: x1}
    n1, n2 = net.input_relevance
    out = {n1: n2, n2: n1}
    for n in names:
        if n in out:
            if not _equal(values[n], seen[out[n]].xreplace(swap)):
                return None
            continue
        match = [m for m in names if m not in (n1, n2) and _equal(values[n], seen[m].xreplace(swap))]
        if not match:
            return None
        # a neuron whose formula is 0 in both regions keeps its place
        out[n] = n if n in match else match[0]
    return out if sorted(out.values()) == sorted(out) else None  # a permutation of the names


def _equal(a, b) -> bool:
    """``cancel(together(a - b)) == 0``: for rational functions over QQ by ``ratfield.same`` (a check
    modulo a prime at a random point first, then exact cross products), else by SymPy's ``cancel``."""
    from symxai.solve.ratfield import same

    a, b = sympy.sympify(a), sympy.sympify(b)
    found = same(a, b)
    return found if found is not None else sympy.cancel(sympy.together(a - b)) == 0


def eq_text(region) -> str:
    """A boundary by its equalities only: "$x_1 = x_2$", or "the origin"."""
    from symxai.solve.regions import Region, describe
    eqs = [(z, s) for z, s in region.constraints if s == 0]
    if _is_origin(tuple(z for z, _ in eqs), tuple(region.inputs)):
        return "the origin"
    cond = describe(Region(region.signs, eqs, region.inputs))
    parts = cond.args if isinstance(cond, sympy.And) else [cond]
    return "$" + ",\\ ".join(tex(c) for c in parts) + "$"


@lru_cache(maxsize=1024)
def _is_origin(zeros: tuple, inputs: tuple) -> bool:
    """Do the equalities z = 0 leave only the origin (remembered: the boundary sentences and the answer-box
    cases name each boundary several times)?"""
    point = sympy.solve(list(zeros), list(inputs), dict=True)
    return bool(point and len(point[0]) == len(inputs) and all(v == 0 for v in point[0].values()))


def _adjacent(b, o) -> bool:
    signs = dict(b.constraints)
    return all(signs.get(z, s) in (s, 0) for z, s in o.constraints)


def boundaries(sol, p, per_region, names, cond_tex) -> None:
    """One sentence on the measure-zero boundaries: continuous there, or where the relevance jumps."""
    regs = p.regions
    lows = [i for i, r in enumerate(regs) if not is_open(r)]
    if not lows:
        return
    inputs = list(p.network.input_relevance)
    where = ", ".join(dict.fromkeys(eq_text(regs[i]) for i in lows))
    jumps = []
    for b in lows:
        for o in (i for i, r in enumerate(regs) if is_open(r) and _adjacent(regs[b], r)):
            for n in inputs:
                fo, fb = per_region[o][n], per_region[b][n]
                if defined_on(regs[b], fo) and same_on(regs[b], fo, fb):
                    continue
                jumps.append((b, o, n))
    if not jumps:
        sol.step(f"On the boundaries ({where}) the rule again gives the values of the neighbouring formulas: "
                 "the relevances are continuous." if p.repeat else
                 f"On the boundaries between the regions ({where}) the rule gives the values of the "
                 "neighbouring formulas: the relevances are continuous there, and the formulas above hold "
                 "on the closed regions.", title="Boundaries")
        return
    params = sorted(set().union(*(ratfield.free(per_region[o][n]) for _, o, n in jumps))
                    - set(p.network.inputs), key=str)
    text = (f"On the boundaries ({where}) the rule gives the values of the neighbouring formulas "
            "wherever those are defined")
    bits = []
    for b0 in dict.fromkeys(bb for bb, _, _ in jumps):
        for param in params:
            at = {param: sympy.Integer(0)}
            rows = []
            for n in inputs:
                on = _restricted_tidy(regs[b0], per_region[b0][n], at)
                lim = {o: _restricted_tidy(regs[b0], per_region[o][n], at, cancel=True)
                       for bb, o, nn in jumps if bb == b0 and nn == n}
                if lim and any(v != on for v in lim.values()):
                    rows.append(f"${tex(sympy.Symbol(n))} = {tex(on)}$, while the formula "
                                + " and the one ".join(f"for ${_side(regs[b0], regs[o], cond_tex)}$ tends to "
                                                       f"${tex(v)}$" for o, v in lim.items()))
            if rows:
                bits.append(f"at ${tex(param)} = 0$ it does not: on {eq_text(regs[b0])} the rule gives "
                            + "; ".join(rows) + f", so the explanation jumps there for ${tex(param)} = 0$")
    positive = len(params) == 1 and all(_continuous_for_positive(regs[b], per_region[o][n], per_region[b][n],
                                                                  params[0]) for b, o, n in jumps)
    text += ((f" for every ${tex(params[0])} > 0$ (checked boundary by boundary)"
              if positive else "") + "; " + "; ".join(bits) + "."
             if bits else ": the relevances are continuous there; where a formula reads $0/0$ for a parameter "
             "value the boundary keeps a formula of its own in the answer.")
    sol.step(text, title="Boundaries")


def _continuous_for_positive(boundary, open_value, value, param) -> bool:
    """Does the open region's formula, with ``param`` > 0, take the boundary's value there wherever it is
    defined there (a formula that reads 0/0 at the origin for every parameter value is not compared)?"""
    pos = sympy.Symbol(str(param), positive=True)
    fo, fb = (_with(sympy.sympify(v), param, pos) for v in (open_value, value))
    return not defined_on(boundary, fo) or same_on(boundary, fo, fb)


@lru_cache(maxsize=1024)
def _with(value, param, pos):
    """``value.xreplace({param: pos})``, remembered: the jumps of the 3-3-2-1 test network share their
    formulas (58 rebuilds of large formulas, ~1 s, were 37 different pairs)."""
    return value.xreplace({param: pos})


def _side(boundary, region, cond_tex) -> str:
    """The open region by the side of the boundary it lies on (a_1 > a_2), else by all its conditions."""
    from symxai.solve.regions import Region, describe
    signs = dict(region.constraints)
    eqs = [z for z, s in boundary.constraints if s == 0 and signs.get(z, 0) != 0]
    if len(eqs) != 1:
        return cond_tex(region)
    return tex(describe(Region(region.signs, [(eqs[0], signs[eqs[0]])], region.inputs)))


def _restricted_tidy(region, value, at=None, cancel=False):
    """``tidy`` of ``value`` with ``at`` substituted (then cancelled when ``cancel``, as ``cancelled`` does)
    and restricted to the boundary: by polynomial composition where the written denominators stay nonzero
    (``lrp_tidy.substituted``), else through expressions as before; the same formula either way."""
    zeros = tuple(z for z, s in region.constraints if s == 0)
    return _restricted_tidy_of(zeros, value, tuple(at.items()) if at is not None else None, cancel)


@lru_cache(maxsize=4096)
def _restricted_tidy_of(zeros: tuple, value, at, cancel):
    """``_restricted_tidy`` remembered per boundary (its equalities) and formula: on the 3-3-2-1 test
    network 1053 calls ask 702 questions (neighbouring regions share formulas)."""
    at = dict(at) if at is not None else None
    sol = _restriction(zeros)
    fast = substituted(value, at, ("cancel", sol) if cancel else sol)
    if fast is not None:
        return fast
    value = value.xreplace(at) if at else value
    value = cancelled(value) if cancel else value
    return _canonical(value.xreplace(sol) if sol is not None else value)


@lru_cache(maxsize=1024)
def _restriction(zeros: tuple):
    """The boundary's equalities solved for the last-named inputs (remembered: every relevance on the
    boundary is restricted with the same solution)."""
    eqs = [sympy.Eq(z, 0) for z in zeros]
    unknowns = sorted(set().union(*(e.free_symbols for e in eqs)), key=str, reverse=True)[:len(eqs)]
    sol = sympy.solve(eqs, unknowns, dict=True)  # a2 -> a1: the case a1 = a2 in the first input's name
    return sol[0] if sol else None


def cases(p, per_region, names, cond_tex) -> list:
    """Answer-box sentences for the boundaries inside the domain that involve two inputs (a1 = a2); each
    value cancelled in the field of rational functions (lrp_tidy), not by sympy.simplify: on the 3-3-2-1
    test network simplify took ~130 of 265 CPU s here and wrote longer formulas (issue 15 item 4)."""
    out = []
    for i, r in enumerate(p.regions):
        eqs = [z for z, s in r.constraints if s == 0]
        if len(eqs) != 1 or len(eqs[0].free_symbols) < 2:
            continue
        vals = ", ".join(f"{tex(sympy.Symbol(n))} = {tex(_restricted_tidy(r, per_region[i][n]))}"
                         for n in names)
        out.append(f"At {eq_text(r)}: ${vals}$.")
    return out


def shortcuts(sol, p, answers) -> None:
    """Facts about the answers said when they hold: gradient x input at LRP-0, the input symmetry."""
    net = p.network
    opens = [r for r in p.regions if is_open(r)]
    rng = np.random.default_rng(7)
    points = [pt for r in opens for pt in [region_point(r, rng) for _ in range(2)] if pt is not None]
    inputs = list(net.inputs)
    gammas = sorted({v for li in range(len(net.layers)) for k, v in p.params_of(li).items()
                     if k == "gamma" and isinstance(v, sympy.Symbol)}, key=str)
    y = net.output_expression() if hasattr(net, "output_expression") else None
    at0 = {g: 0 for g in gammas}
    said = []

    def exact(expr, pt, extra=None):
        sub = {x: sympy.Rational(Fraction(v).limit_denominator(64)) for x, v in zip(inputs, pt)}
        sub.update(extra or {})
        return sympy.nsimplify(sympy.sympify(expr).xreplace(sub))

    rules = {r.key for r in p.rules}
    if y is not None and not net.has_bias and (rules == {"lrp0"} or (rules == {"gamma"} and gammas)):
        grad = [sympy.diff(y, x) for x in inputs]
        ok = all(exact(answers[n], pt, at0) == exact(x * g, pt)
                 for pt in points for n, x, g in zip(net.input_relevance, inputs, grad))
        if ok:
            lead = (f"At ${tex(gammas[0])} = 0$ the rule is LRP-0, and" if gammas else "The rule is LRP-0, and")
            parts = ", ".join(f"${tex(sympy.Symbol(n))} = {tex(x)}\\,\\partial y/\\partial {tex(x)}$"
                              for n, x in zip(net.input_relevance, inputs))
            said.append(f"{lead} LRP-0 on a ReLU network without biases is gradient $\\times$ input: {parts}.")
    if len(inputs) == 2:
        x1, x2 = inputs
        n1, n2 = net.input_relevance
        swap = {x1: x2, x2: x1}
        extra = {g: sympy.Rational(3, 4) for g in gammas}
        if points and all(exact(answers[n2], pt, extra) == exact(answers[n1].xreplace(swap), pt, extra)
                          for pt in points):
            said.append(f"The network is symmetric in ${tex(x1)} \\leftrightarrow {tex(x2)}$: "
                        f"${tex(sympy.Symbol(n2))}({tex(x1)}, {tex(x2)}) = {tex(sympy.Symbol(n1))}({tex(x2)}, {tex(x1)})$ "
                        "(checked at points of every open region), so one of the two regions below gives the other.")
    if said:
        sol.step(" ".join(said))


def main_figure(sol, p, per_region) -> None:
    """One figure: the network with the relevances of the first open region."""
    net = p.network
    opens = [i for i, r in enumerate(p.regions) if is_open(r)]
    if not opens or max(layer.width for layer in net.layers) > 8:
        return
    i = opens[0]
    from symxai.methods.propagation.lrp import _cond_tex
    sol.step(f"The relevances for ${_cond_tex(p.regions[i])}$ on the network:", title="Relevances",
             figure=Figure("network", figure_data(net, dict(per_region[i]))))
