"""Layer-wise relevance propagation on small ReLU networks, exactly and case by case.

The output y is the relevance of the output neuron (R_out = y); each layer
passes relevance down with its rule (one ``propagate`` over the table in
``symxai.solve.lrp_rules``).  With symbolic inputs the domain is split into the
regions of a fixed activation pattern (``symxai.solve.regions``) and every
relevance is a Piecewise; with symbolic weights a ReLU gate stays symbolic.
The worked solution (``lrp_solution``; ``lrp_gated`` for symbolic weights,
``lrp_rule_text`` for the rule paragraph, said once per exercise) shows the
proof that the network implements a given f, the rule as general relations
between the layers, the open regions compactly and the boundaries in one
sentence.  Verified against a plain numpy forward/backward pass at points of
every region and on the boundaries between them.
"""

from __future__ import annotations

import math

from dataclasses import dataclass, field
from functools import lru_cache

from symxai.lazy import numpy as np
import sympy

from symxai.solve.lrp_rules import DEFAULTS, PRESETS, RULES, check_rule_params, propagate
from symxai.solve.model import Figure, Line, Solution, Tex
from symxai.solve.network import build_network, figure_data
from symxai.reference import lrp as ref
from symxai.solve.regions import (Region, defined_on, describe, enumerate_regions, feasible, forward, piecewise, readable,
                                  refine, region_point, same_on, sign_on)
from symxai.specs.schema import AnyOf, Bool, Choice, Expr, Field, Int, ListOf, MapOf, Name, Record
from symxai.specs.limits import MAX_LRP_HIDDEN, MAX_LRP_REGIONS, over
from symxai.methods.propagation.lrp_tidy import tidy as _tidy
from symxai.methods.propagation import lrp_gated as gated
from symxai.methods.propagation import lrp_ring
from symxai.methods.propagation import lrp_point as at_point
from symxai.methods.propagation import lrp_rule_text as rule_text
from symxai.methods.propagation import lrp_solution as shape
from symxai.methods import register
from symxai.methods.base import BuildContext, Method

_LAYER = Record({
    "neurons": Field(ListOf(Name(), 1), required=True, doc="names of the layer's neurons (h3, h4, ...)"),
    "weights": Field(ListOf(ListOf(Expr(), 1), 1), required=True,
                     doc="one row per neuron of this layer, one entry per neuron of the layer below"),
    "bias": Field(ListOf(Expr(), 1), doc="one bias per neuron (default 0)"),
    "activation": Field(Choice("relu", "linear"), doc="default relu, linear for the output layer"),
    "relevance": Field(ListOf(Name(), 1), doc="answer names of the neurons' relevances (default R_<neuron>)"),
    "rule": Field(Choice(*RULES), doc="this layer's rule (overrides the exercise's rule)"),
    "epsilon": Field(Expr(), doc="this layer's LRP-epsilon (overrides the exercise's)"),
    "gamma": Field(Expr(), doc="this layer's LRP-gamma (overrides the exercise's)"),
    "alpha": Field(Expr(), doc="this layer's alpha (overrides the exercise's)"),
    "beta": Field(Expr(), doc="this layer's beta (overrides the exercise's)"),
})
_PER_LAYER = ("epsilon", "gamma", "alpha", "beta")
_RULE = Choice(*RULES)
GATED = "gated"  # Step.domain of the symbolic-weight case: points where the output is not 0



@dataclass
class LrpProblem:
    network: object
    rules: list  # one Rule per layer, first layer first
    params: dict  # gamma, epsilon, alpha, beta, low, high as SymPy values
    bias: str
    stabiliser: str
    implements: object | None
    boundaries: bool = True  # z = 0 as regions of their own
    conv: dict = field(default_factory=dict)  # the other conventions (lrp_rules.DEFAULTS), bias/stabiliser aside
    layer_params: list | None = None  # per layer: the rule parameters where a layer sets its own
    point: dict | None = None  # {input: exact number}: LRP at one point (lrp_point), no regions

    def params_of(self, li: int) -> dict:
        return self.layer_params[li] if self.layer_params else self.params
    draws: list = field(default_factory=lambda: [0])
    found: list | None = field(default=None, repr=False)
    refined: list | None = field(default=None, repr=False)
    repeat: bool = False  # an earlier part of the exercise stated the same rule: not stated again

    @property
    def regions(self) -> list | None:
        """The activation regions (None: symbolic weights, one symbolic case), split further wherever a
        denominator (or a sign a convention asks about) changes sign inside one, so that 0/0 := 0 holds at
        every point; enumerated by linear programs when first needed, not when a sheet is loaded."""
        if self.network.symbolic_weights:
            return None
        if self.point is not None:
            return []  # one point, one activation pattern: no regions enumerated
        if self.found is None:
            self.found = enumerate_regions(self.network, boundaries=self.boundaries)
        if self.refined is None:
            refined = refine(self.found, lambda r: Lrp().relevances(self, r, dry=True), boundaries=self.boundaries)
            self.refined = refined  # _domain_faces solves on these regions
            if self.boundaries and not self.network.has_bias:  # the faces split off are probed again, their inputs now 0 in every formula
                self.refined = refine(self._domain_faces(refined), lambda r: Lrp().relevances(self, r, dry=True),
                                      boundaries=self.boundaries)
        return self.refined

    def _domain_faces(self, regions: list) -> list:
        """Split off a face x_i = 0 of the input domain (x_i >= 0) from a region whose formulas, as
        written, are undefined there for some parameter value (a2 = 0 at gamma = 0): the face then
        gets its own formulas, so the answer is defined at every point of the domain.  Done for networks
        without biases only: with biases a face needs its own region enumeration (not done yet)."""
        out = []
        for region in regions:
            parts = [region]
            for x in self.network.inputs:
                if not (x.is_nonnegative or x.is_positive) or x.is_positive:
                    continue
                nxt = []
                for r in parts:
                    face = Region(r.signs, r.constraints + [(sympy.Add(x, 0), 0)], r.inputs)
                    rest = Region(r.signs, r.constraints + [(sympy.Add(x, 0), 1)], r.inputs)
                    if dict(r.constraints).get(x) is not None or not (feasible(face.constraints, r.inputs)
                                                                     and feasible(rest.constraints, r.inputs)):
                        nxt.append(r)
                        continue
                    values = Lrp()._values(self, r).values()
                    nxt.extend([rest, face] if not all(defined_on(face, v) for v in values) else [r])
                parts = nxt
            out.extend(parts)
        return out

    def sign(self, region):
        """The sign oracle of propagate on one region (None: SymPy's own assumptions)."""
        if region is None:
            return None
        return lambda e: sign_on(region, e, boundaries=self.boundaries)


@register
class Lrp(Method):
    name = "lrp"
    reference_name = "numpy LRP forward and backward pass at points in every region and on its boundaries"
    points = 12

    def reference_name_for(self, p) -> str:
        return ("plain numpy LRP forward and backward pass at the exercise's point" if getattr(p, "point", None)
                is not None else self.reference_name)
    steps_by_region = True
    params = Record({
        "inputs": Field(ListOf(Name(), 1), required=True, doc="the input symbols, in order"),
        "input_relevance": Field(ListOf(Name(), 1), doc="answer names of the inputs' relevances (default R_1..R_d)"),
        "layers": Field(ListOf(_LAYER, 1), required=True, doc="from the first hidden layer to the output"),
        "rule": Field(_RULE, doc="one rule for every layer: " + ", ".join(RULES)),
        "rules": Field(ListOf(_RULE, 1), doc="one rule per layer, first layer first"),
        "gamma": Field(Expr(), doc="LRP-gamma parameter (>= 0)"),
        "epsilon": Field(Expr(), doc="LRP-epsilon stabiliser (>= 0)"),
        "alpha": Field(Expr(), doc="alpha-beta rule, alpha - beta = 1"),
        "beta": Field(Expr()),
        "low": Field(ListOf(Expr(), 1), doc="z^B lower input bounds"),
        "high": Field(ListOf(Expr(), 1), doc="z^B upper input bounds"),
        "bias": Field(Choice("neuron", "ignore"), doc="bias as a neuron of activation 1 (default) or left out"),
        "stabiliser": Field(Choice("plus", "sign"), doc="epsilon added (default) or eps * sign(z)"),
        "preset": Field(Choice(*PRESETS), doc="every convention as symxai (default) or zennit sets it"),
        "sign_of_zero": Field(Choice("zero", "plus"), doc="sign(0) of the sign stabiliser: 0 (default) or +1 (zennit)"),
        "gamma_negative": Field(Choice("textbook", "generalised"),
                                doc="LRP-gamma where z_k < 0: w + gamma w+ (default) or w + gamma w- (zennit)"),
        "split_inputs": Field(Bool(), doc="negative activations use the mirrored weight transform (zennit)"),
        "zB_bias": Field(Choice("add", "cancel"), doc="z^B: b_k in the denominator (default) or cancelled"),
        "w2_bias": Field(Choice("ignore", "square"), doc="w^2: bias left out (default) or b_k^2 in the denominator"),
        "implements": Field(Expr(), doc="f to prove region by region that the network computes"),
        "boundaries": Field(Bool(), doc="treat z = 0 as regions of their own (default true)"),
        "output": Field(AnyOf(Name(), Int(minimum=1)), doc="the explained neuron of a multi-output network, by name or "
                        "1-based index (R_out = its value, the other outputs 0)"),
        "point": Field(MapOf(Expr()), doc="explain at one point: every input an exact number ({x1: 1, x2: 1/2}); "
                       "the answers are numbers"),
    })

    def build(self, ctx: BuildContext, params):
        net = build_network(ctx, params)  # the rules are checked below even when the network is not sound
        if net is not None and not self._within_budget(ctx, params, net, regions="point" not in params):
            net = None
        point = at_point.check(ctx, params, net) if net is not None and "point" in params else None
        if "point" in params and point is None:
            net = None
        checked = self._rules(ctx, params, len(params["layers"]), len(params["inputs"]))
        if net is None or checked is None:
            return None
        rules, values, per_layer = checked
        f = ctx.expr(params["implements"], params.loc_of("implements")) if "implements" in params else None
        conv = dict(PRESETS[params.get("preset", "symxai")])
        conv.update({k: params[k] for k in DEFAULTS if k in params})
        bias, stabiliser = conv.pop("bias"), conv.pop("stabiliser")
        layered = per_layer if any(any(k in raw for k in _PER_LAYER) for raw in params["layers"]) else None
        p = LrpProblem(net, rules, values, bias, stabiliser, f, params.get("boundaries", True), conv, layered,
                       point=point)
        if point is not None and not at_point.check_params(ctx, params, p):
            return None
        key = rule_text.conventions_key(p)  # a later part of the same exercise with the same rule does not repeat it
        p.repeat = any(isinstance(q, LrpProblem) and rule_text.conventions_key(q) == key for q in ctx.earlier)
        return p

    @staticmethod
    def _rules(ctx: BuildContext, params, n: int, d: int):
        """(rules, shared values, per-layer values) of the n layers on d inputs, or None after a problem."""
        own_rule = [raw.get("rule") for raw in params["layers"]]
        if "rule" in params and "rules" in params or "rules" in params and any(own_rule):
            ctx.problem(params.loc_of("rules"), "give either rules (one per layer) or rule (for every layer, "
                        "a layer's own rule: overriding it), not both")
            return None
        if "rules" in params:
            keys = list(params["rules"])
            if len(keys) != n:
                ctx.problem(params.loc_of("rules"), f"{len(keys)} rules for {n} layers")
                return None
        else:  # the exercise's rule, where a layer names none of its own
            keys = [r or params.get("rule") for r in own_rule]
            if None in keys:
                ctx.problem(params.loc, "give rule (for every layer), rules (one per layer) or a rule in every layer "
                            f"(layer {keys.index(None) + 1} has none)")
                return None
        values, bad = {}, False
        for key in ("gamma", "epsilon", "alpha", "beta"):
            if key in params:
                values[key] = ctx.expr(params[key], params.loc_of(key))
        for key in ("low", "high"):
            if key in params:
                values[key] = ctx.vector(params[key], params.loc_of(key))
                if values[key] is not None and len(values[key]) != d:
                    ctx.problem(params.loc_of(key), f"{key} needs one bound per input ({d})")
                    bad = True
        if bad or any(v is None for v in values.values()):
            return None
        rules = [RULES[k] for k in keys]
        per_layer = []
        for raw in params["layers"]:
            own = {k: ctx.expr(raw[k], raw.loc_of(k)) for k in _PER_LAYER if k in raw}
            if any(v is None for v in own.values()):
                return None
            per_layer.append({**values, **own})
        messages = {m: None for li, rule in enumerate(rules) for m in check_rule_params(rule, per_layer[li], li == 0)}
        for message in messages:  # at the parameter it names (epsilon must be >= 0), else at the rule
            key = message.split(" ", 1)[0]
            ctx.problem(params.loc_of(key if key in params else "rules" if "rules" in params else "rule"), message)
        return None if messages else (rules, values, per_layer)

    @staticmethod
    def _within_budget(ctx: BuildContext, params, net, regions: bool = True) -> bool:
        """The network is small enough: its activation regions are enumerated one linear program
        each, and h hidden units on d inputs cut the input space into up to sum_{i<=d} C(h, i)."""
        for k, layer in enumerate(net.layers):
            used = (layer.weights.free_symbols | layer.bias.free_symbols) & set(net.inputs)
            if used:
                ctx.problem(params.loc_of("layers"), f"layer {k + 1}: weights and biases are numbers or parameters, "
                            f"not inputs ({', '.join(sorted(map(str, used)))}): the network must be affine in its inputs")
                return False
        hidden = sum(layer.width for layer in net.layers[:-1])
        d = len(net.inputs)
        if hidden > MAX_LRP_HIDDEN:
            ctx.problem(params.loc_of("layers"), over("lrp", "hidden units in total", hidden, MAX_LRP_HIDDEN))
            return False
        bound = sum(math.comb(hidden, i) for i in range(min(d, hidden) + 1))
        if regions and not net.symbolic_weights and bound > MAX_LRP_REGIONS:  # at a point: one pattern
            ctx.problem(params.loc_of("layers"), over("lrp", f"activation regions (the bound sum_(i<=d) C(h, i) "
                        f"for h = {hidden} hidden units on d = {d} inputs)", bound, MAX_LRP_REGIONS))
            return False
        return True

    def answer_names(self, p: LrpProblem) -> list[str]:
        names = list(p.network.input_relevance)
        for layer in p.network.layers[:-1]:
            names += layer.relevance
        return names

    # -- symbolic route -------------------------------------------------
    def relevances(self, p: LrpProblem, region, dry: bool = False):
        """Forward pass and every propagation step on one region (None: symbolic gates); ``dry`` forms
        only the denominators (raising ``Undecided`` where the region must be split).

        The arithmetic stays in SymPy expressions, each layer's relevances tidied (cancelled and factored
        while small): measured faster, and far more readable, than a field of rational functions, whose
        canonical form is a fully expanded quotient."""
        zs, acts = forward(p.network, region.signs if region is not None else None)
        if region is not None:  # on a face x_i = 0 of the domain the input is 0 in every formula
            face = {z: sympy.Integer(0) for z, s in region.constraints if s == 0 and z in p.network.inputs}
            if face:
                acts = [[sympy.sympify(v).xreplace(face) for v in level] for level in acts]
        R = p.network.output_relevance(acts[-1])
        steps, sign = [], p.sign(region)
        gens, rels = None if dry or region is None else _ring_gens(p), None
        for li in range(len(p.network.layers) - 1, -1, -1):
            layer = p.network.layers[li]
            step = propagate(acts[li], layer.weights, layer.bias, R, p.rules[li], p.params_of(li),
                             bias=p.bias, stabiliser=p.stabiliser, conv=p.conv, sign=sign, dry=dry)
            if dry:
                R = step.relevance
            else:  # assembled in a polynomial ring where the formulas are rational functions over QQ (lrp_ring)
                fast = lrp_ring.layer(step, R, rels, gens) if gens is not None else None
                R, rels = fast if fast is not None else ([_tidy(r) for r in step.relevance], None)
            steps.append((li, step, R))
        return zs, acts, steps[::-1]

    def solve(self, p: LrpProblem) -> Solution:
        if p.point is not None:
            sol = Solution()
            at_point.solve(sol, p, lambda s: s.step("", figure=Figure("network", {**figure_data(p.network, in_statement=True),
                                                                                  "statement_only": True})),
                           rule_text.conventions, _pre, _names)
            for name, value in at_point.values(p).items():
                sol.answer(name, value, f"relevance {name}")
            return sol
        if p.regions is None:
            return self._solve_gated(p)
        sol, net = Solution(), p.network
        sol.step("", figure=Figure("network", {**figure_data(net, in_statement=True),
                                                                "statement_only": True}))
        if not p.repeat:
            rule_text.conventions(sol, p)
        if p.implements is not None:
            shape.proof(sol, p, _restrict, _cond_tex, _pre)
        shape.general(sol, p, _tidy, _pre)
        per_region = [self._values(p, region) for region in p.regions]
        names = self.answer_names(p)
        answers = {n: piecewise(p.regions, [c[n] for c in per_region]) for n in names}
        shape.shortcuts(sol, p, answers)
        shape.regions_part(sol, p, per_region, names, _cond_tex)
        shape.boundaries(sol, p, per_region, names, _cond_tex)
        shape.main_figure(sol, p, per_region)
        sol.cases = shape.cases(p, per_region, list(net.input_relevance), _cond_tex)
        for name in names:
            sol.answer(name, answers[name], f"relevance {name}")
        return sol

    def _values(self, p, region) -> dict:
        """Every relevance on one region."""
        net = p.network
        _, _, steps = self.relevances(p, region)
        out = {}
        for li, step, R in steps:
            below = net.input_relevance if li == 0 else net.layers[li - 1].relevance
            out.update(zip(below, R))
        return out

    def _solve_gated(self, p: LrpProblem) -> Solution:
        """Symbolic weights: one case, each ReLU gate written as a step function."""
        sol, net = Solution(), p.network
        if gated.applies(p):
            first = gated.solve(sol, p, rule_text.conventions, shape.general, _tidy, _pre, shape.meanings)
            _, acts = forward(net, None)
            meaning = {sympy.Symbol(n): v for n, v in zip(net.layers[-1].relevance, net.output_relevance(acts[-1]))}
            for step in sol.steps[first:]:
                step.where = {**meaning, **step.where}
                step.domain = GATED
            values = self._values(p, None)
            for name in self.answer_names(p):
                sol.answer(name, values[name], f"relevance {name}")
            return sol
        sol.step("The network, with the weight of each connection on its arrow:",
                 *[Line(sympy.Symbol(n), _pre(net, li, k), kind="definition") for li, layer in enumerate(net.layers)
                   for k, n in enumerate(layer.neurons)],
                 title="The network", figure=Figure("network", figure_data(net, in_statement=True)))
        rule_text.conventions(sol, p)
        first = len(sol.steps)
        out = self._case(sol, p, None)
        _, acts = forward(net, None)
        meaning = {sympy.Symbol(n): v for n, v in zip(net.layers[-1].relevance, net.output_relevance(acts[-1]))}
        meaning.update(shape.meanings(net, _pre))
        for step in sol.steps[first:]:
            step.where.update(meaning)
            step.domain = GATED  # away from the points where every gate is shut (0/0 := 0 there)
        for name in self.answer_names(p):
            sol.answer(name, out[name], f"relevance {name}")
        return sol

    def sample_in(self, p: LrpProblem, symbols, rng, domain):
        """Parameter values with the inputs at a point of ``domain``: a region, ``"open"`` (any
        full-dimensional region) or None (any region, as ``sample``)."""
        if p.point is not None:
            return self.sample(p, symbols, rng)
        if domain == GATED:
            for _ in range(50):
                values = self.sample(p, symbols, rng)
                y = self.reference_output(p, values)
                if abs(y) > 1e-9:
                    break
            return values
        if domain is None or p.regions is None:
            return self.sample(p, symbols, rng)
        if domain == shape.OPEN:
            return self.interior_sample(p, symbols, rng)
        values = symbols.sample(rng)
        point = region_point(domain, rng)
        if point is not None:
            values.update(zip(p.network.inputs, point))
        return values

    def _case(self, sol, p, region):
        net = p.network
        zs, acts, steps = self.relevances(p, region)
        where = f"Region ${_cond_tex(region)}$" if region is not None and region.constraints else "Forward pass"
        fwd = [Line(sympy.Symbol(n), acts[li + 1][k]) for li, layer in enumerate(net.layers)
               for k, n in enumerate(layer.neurons)]
        sol.step("Forward pass (inactive neurons have activation 0):", *fwd, title=where)
        out = {}
        y = acts[-1][net.output]
        sol.step("", Line(Tex("R_{\\mathrm{out}}", y), y))
        above = net.output_relevance(acts[-1])
        for li, step, R in reversed(steps):
            layer = net.layers[li]
            below_names = net.input_relevance if li == 0 else net.layers[li - 1].relevance
            rows = []
            for j, name in enumerate(below_names):
                rows.append(Line(sympy.Symbol(name), *_instantiated(step, layer, j, above), R[j]))
                out[name] = R[j]
            total = _tidy(sum(R))
            zero = [layer.neurons[k] for k in range(layer.width) if step.zero[k]]
            note = (f" Neurons with vanishing denominator ({_names(zero)}) pass nothing on." if zero else "")
            absorbed = _tidy(sum(step.bias_shares))
            keep = (f" The biases absorb [[absorbed]]." if absorbed != 0 else "")
            sol.step(f"Layer {li + 1} ({p.rules[li].title}): relevance of {_names(below_names)} from the layer "
                     f"above." + note + keep, *rows,
                     Line(Tex("\\sum_j R_j", sum(sympy.Symbol(n) for n in below_names)), total), absorbed=absorbed)
            above = R
        if region is not None and len(p.regions) <= 6 and max(l.width for l in net.layers) <= 8:
            rel = dict(out)
            sol.step("Relevance on each neuron:", figure=Figure("network", figure_data(net, rel)))
        conserved = _tidy(sum(out[n] for n in net.input_relevance) - y)
        sol.step("Conservation: " + ("the input relevances add up to $y$." if conserved == 0 else
                                     "the input relevances add up to $y$ minus [[lost]] (absorbed by biases, "
                                     "stabiliser, or lost at neurons with vanishing denominator)."), lost=conserved)
        return out

    def reference_output(self, p: LrpProblem, values: dict) -> float:
        """The explained output at ``values``, by a plain float forward pass."""
        sub = {k: v for k, v in values.items() if isinstance(k, sympy.Symbol)}
        a = [float(sub.get(x, 1.0)) for x in p.network.inputs]
        for layer in p.network.layers:
            z = [sum(float(sympy.sympify(layer.weights[k, j]).xreplace(sub)) * a[j] for j in range(len(a)))
                 + float(sympy.sympify(layer.bias[k]).xreplace(sub)) for k in range(layer.width)]
            a = [max(0.0, t) if layer.activation == "relu" else t for t in z]
        return a[p.network.output]

    # -- numeric reference ----------------------------------------------
    def sampler_counts_draws(self, p) -> bool:
        return getattr(p, "point", None) is None  # the regions are drawn from in turn (p.draws)

    def sample(self, p: LrpProblem, symbols, rng):
        values = symbols.sample(rng)
        if p.point is not None:  # the inputs are the point; any other symbol is sampled
            values.update({x: float(v) for x, v in p.point.items()})
            return values
        for _ in range(len(p.regions or [])):
            region = p.regions[p.draws[0] % len(p.regions)]
            p.draws[0] += 1
            point = region_point(region, rng)
            if point is not None:
                values.update(zip(p.network.inputs, point))
                break
        return values

    def interior_sample(self, p: LrpProblem, symbols, rng):
        """Like ``sample``, but only inside full-dimensional regions: feedback names a mistake by the
        formula a student wrote for a region, not by what that formula happens to give on a kink."""
        if p.point is not None:
            return self.sample(p, symbols, rng)
        open_regions = [r for r in p.regions or [] if all(s != 0 for _, s in r.constraints)]
        values = symbols.sample(rng)
        if open_regions:
            region = open_regions[int(rng.integers(len(open_regions)))]
            point = region_point(region, rng)
            if point is not None:
                values.update(zip(p.network.inputs, point))
        return values

    def reference(self, p: LrpProblem, values: dict) -> dict:
        sub = {k: sympy.Float(v, 30) if isinstance(v, float) else sympy.Integer(v) for k, v in values.items()
               if isinstance(k, sympy.Symbol) and isinstance(v, (int, float))}
        if p.point is not None:  # the exercise's point, whatever was sampled (answers there are constants)
            sub.update(p.point)
        needed = set(p.network.inputs).union(*(sympy.sympify(v).free_symbols for li in range(len(p.network.layers))
                                              for v in p.params_of(li).values()),
                                            *(layer.weights.free_symbols | layer.bias.free_symbols
                                              for layer in p.network.layers))
        for s in needed - set(sub):
            sub[s] = sympy.Integer(1)  # no compared answer depends on it (all constant): any admissible value
        num = lambda e: float(sympy.sympify(e).xreplace(sub))  # noqa: E731
        net = p.network
        W = [np.array([[num(w) for w in layer.weights.row(k)] for k in range(layer.width)]) for layer in net.layers]
        b = [np.array([num(v) for v in layer.bias]) for layer in net.layers]
        params = [{k: (np.array([num(x) for x in v]) if k in ("low", "high") else num(v))
                   for k, v in p.params_of(li).items()} for li in range(len(net.layers))]
        x = np.array([num(x) for x in net.inputs])
        rel = ref.lrp(W, b, [layer.activation for layer in net.layers], [r.key for r in p.rules], params, x,
                      bias_neuron=p.bias == "neuron", stabiliser=p.stabiliser, conv=p.conv, explain=net.output)
        out = {n: float(v) for n, v in zip(net.input_relevance, rel[0])}
        for li, layer in enumerate(net.layers[:-1]):
            out.update({n: float(v) for n, v in zip(layer.relevance, rel[li + 1])})
        return out


def _ring_gens(p) -> tuple:
    """Every symbol a relevance of ``p`` can contain: inputs, rule parameters, weights and biases."""
    syms = set(p.network.inputs)
    for li, layer in enumerate(p.network.layers):
        syms |= layer.weights.free_symbols | layer.bias.free_symbols
        for v in p.params_of(li).values():
            syms |= sympy.sympify(v).free_symbols
    return lrp_ring.ring_gens(syms)


def _pre(net, li, k):
    layer = net.layers[li]
    below = [sympy.Symbol(n) for n in net.neuron_names()[li]]
    z = sum((layer.weights[k, j] * below[j] for j in range(len(below))), sympy.Integer(0)) + layer.bias[k]
    return sympy.Max(0, z) if layer.activation == "relu" else z


def _instantiated(step, layer, j, above) -> list:
    """The rule written out for neuron j: sum_k z_jk / denominator_k * R_k, before simplifying; a
    neuron k above with no relevance (R_k = 0) contributes nothing and is not written."""
    if not step.fractions:
        return []
    terms = []
    for k in range(layer.width):
        z, den = step.fractions[k][j]
        if z == 0 or step.zero[k] or above[k] == 0:
            continue
        frac = sympy.Mul(z, sympy.Pow(den, -1, evaluate=False), evaluate=False) if den != 1 else z
        terms.append(sympy.Mul(frac, sympy.Symbol(layer.relevance[k]), evaluate=False))
    if not terms:
        return []
    return [sympy.Add(*terms, evaluate=False) if len(terms) > 1 else terms[0]]


def _names(names) -> str:
    from symxai.expr.printing import tex
    return ", ".join(f"${tex(sympy.Symbol(n))}$" for n in names)


def _t(e):
    from symxai.expr.printing import tex
    return tex(e)


def _cond_tex(region: Region) -> str:
    """The region as a reader writes it: constraints the others imply dropped, a chain where the
    constraints form one (a_1 > a_2 > 0), else the constraints separated by commas."""
    return _cond_tex_of(tuple(region.constraints), tuple(region.inputs))


@lru_cache(maxsize=4096)
def _cond_tex_of(constraints: tuple, inputs: tuple) -> str:
    """``_cond_tex`` remembered: the boundary sentences name each open region once per jump (on the
    3-3-2-1 test network 373 calls for 76 regions, ~9% of the solve)."""
    from symxai.expr.printing import tex
    cond = readable(Region({}, list(constraints), list(inputs)))
    if cond is sympy.true:
        return "\\text{everywhere}"
    code = tex(cond)
    if isinstance(cond, sympy.And) and "\\wedge" in code:
        code = ",\\ ".join(tex(c) for c in cond.args)
    return code


def _restrict(pieces, region):
    """The branch of a Piecewise f that holds on the whole region, or None (decided by linear programs)."""
    inputs = region.inputs
    for value, cond in pieces.args:
        if cond is sympy.true:
            return value
        rel = cond if isinstance(cond, sympy.core.relational.Relational) else None
        if rel is None:
            return None
        z = sympy.expand(rel.lhs - rel.rhs)
        inside = {sympy.StrictGreaterThan: (1,), sympy.GreaterThan: (1, 0), sympy.StrictLessThan: (-1,),
                  sympy.LessThan: (-1, 0), sympy.Equality: (0,)}[type(rel)]
        outside = [s for s in (1, 0, -1) if s not in inside]
        if not any(feasible(region.constraints + [(z, s)], inputs) for s in outside):
            return value  # the region lies inside this branch
        if any(feasible(region.constraints + [(z, s)], inputs) for s in inside):
            return None  # the region straddles the branch condition
    return None
