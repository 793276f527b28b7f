"""DeepLIFT with the rescale rule on a small ReLU network, beside Integrated Gradients and LRP-0.

Against a reference input x0 every neuron gets a difference from reference: Delta z = z(x) - z(x0)
before and Delta a = a(x) - a(x0) after its activation.  The rescale rule gives a ReLU the multiplier
Delta a / Delta z (its gradient at x where Delta z = 0, as captum does); a linear layer passes
multipliers back through its weights (the chain rule for multipliers), so
m_x = W_1^T (r_1 * W_2^T (r_2 * ... )) and the contributions C_i = (x_i - x0_i) m_{x_i} add up to
f(x) - f(x0) (summation to delta).  The same network is explained by Integrated Gradients from x0
(``integrated-gradients``' exact piecewise integral) and by LRP-0 at x (the bias absorbs its share).

Verified against a numpy forward pass with the multipliers written out layer by layer, a Riemann sum
for IG and symxai's numpy LRP; tests compare with captum's ``DeepLift``.
"""

from __future__ import annotations

from dataclasses import dataclass

from symxai.lazy import numpy as np
import sympy

from symxai.solve.model import Figure, Line, Solution, Table, Tex
from symxai.solve.network import Network, build_network, figure_data
from symxai.expr.printing import tex
from symxai.reference import deeplift as ref
from symxai.reference import gradients as ref_gradients
from symxai.reference import lrp as ref_lrp
from symxai.specs.schema import Bool, Choice, Expr, Field, ListOf, Name, Record
from symxai.methods.propagation import deeplift_revealcancel as revealcancel
from symxai.methods import register
from symxai.methods.base import BuildContext, Method

_LAYER = Record({
    "neurons": Field(ListOf(Name(), 1), required=True, doc="names of the layer's neurons (h1, h2, ...)"),
    "weights": Field(ListOf(ListOf(Expr(), 1), 1), required=True, doc="one row per neuron, one entry per neuron below"),
    "bias": Field(ListOf(Expr(), 1), doc="one bias per neuron (default 0)"),
    "activation": Field(Choice("relu", "linear"), doc="default relu, linear for the output layer"),
})


@dataclass
class DeepLiftProblem:
    net: Network
    point: list
    baseline: list
    compare: bool
    rule: str = "rescale"

    def forward(self, x):
        """(pre-activations, activations) per layer at x, exactly."""
        a, zs, acts = list(x), [], []
        for layer in self.net.layers:
            z = [sympy.nsimplify(sum(layer.weights[k, j] * a[j] for j in range(len(a))) + layer.bias[k])
                 for k in range(layer.width)]
            a = [sympy.Max(0, v) if layer.activation == "relu" else v for v in z]
            zs.append(z)
            acts.append(a)
        return zs, acts


def rescale_multipliers(p: DeepLiftProblem):
    """Per layer, the rescale multiplier of each neuron (Delta a / Delta z, or the gradient at x where Delta z = 0)."""
    zx, ax = p.forward(p.point)
    z0, a0 = p.forward(p.baseline)
    out = []
    for layer, zl, al, zb, ab in zip(p.net.layers, zx, ax, z0, a0):
        if layer.activation != "relu":
            out.append([sympy.Integer(1)] * layer.width)
            continue
        out.append([(a - c) / (z - y) if z != y else sympy.Integer(1 if z > 0 else 0)
                    for z, a, y, c in zip(zl, al, zb, ab)])
    return out


@register
class DeepLift(Method):
    name = "deeplift"
    reference_name = ("numpy forward passes at x and x0 with the multipliers backpropagated layer by layer; "
                      "Riemann sum (IG); symxai's numpy LRP")
    params = Record({
        "inputs": Field(ListOf(Name(), 1), required=True, doc="the input symbols, in order"),
        "layers": Field(ListOf(_LAYER, 1), required=True, doc="from the first hidden layer to the output"),
        "output": Field(Name(), doc="the explained output neuron (needed when the output layer is wider than 1)"),
        "point": Field(ListOf(Expr(), 1), required=True, doc="the input x to explain"),
        "baseline": Field(ListOf(Expr(), 1), doc="the reference input x0 (default 0)"),
        "rule": Field(Choice("rescale", "reveal-cancel"), doc="DeepLIFT's rule for the ReLU units (default rescale)"),
        "compare": Field(Bool(), doc="also derive Integrated Gradients and LRP-0 on the network (default true)"),
    })

    def build(self, ctx: BuildContext, params):
        net = build_network(ctx, params)
        if net is None:
            return None
        if net.symbolic_weights:
            ctx.problem(params.loc_of("layers"), "DeepLIFT here needs numeric weights and biases")
            return None
        d = len(net.inputs)
        point = ctx.vector(params["point"], params.loc_of("point"))
        base = ctx.vector(params["baseline"], params.loc_of("baseline")) if "baseline" in params else sympy.zeros(d, 1)
        if point is None or base is None:
            return None
        if len(point) != d or len(base) != d or any(not v.is_number for v in list(point) + list(base)):
            ctx.problem(params.loc_of("point"), f"point and baseline need {d} numbers, one per input")
            return None
        return DeepLiftProblem(net, list(point), list(base), bool(params.get("compare", True)),
                               params.get("rule", "rescale"))

    def answer_names(self, p) -> list[str]:
        d = range(1, len(p.net.inputs) + 1)
        return [f"C_{i}" for i in d] + ([f"IG_{i}" for i in d] + [f"LRP_{i}" for i in d] if p.compare else [])

    def solve(self, p: DeepLiftProblem) -> Solution:
        sol = Solution()
        net, d = p.net, len(p.net.inputs)
        zx, ax = p.forward(p.point)
        z0, a0 = p.forward(p.baseline)
        r = rescale_multipliers(p)
        sol.step("The network, explained at [[x]] against the reference input [[x0]]:",
                 figure=Figure("network", figure_data(net, caption="The network")),
                 x=sympy.ImmutableMatrix(p.point).T, x0=sympy.ImmutableMatrix(p.baseline).T, title="Forward passes")
        rescale = p.rule == "rescale"
        rows = []
        for layer, zl, al, zb, ab, rl in zip(net.layers, zx, ax, z0, a0, r):
            for k, name in enumerate(layer.neurons):
                rows.append([sympy.Symbol(name), zl[k], al[k], zb[k], ab[k]] + ([rl[k]] if rescale else []))
        head = [Tex("unit"), Tex("z(\\boldsymbol{x})"), Tex("a(\\boldsymbol{x})"), Tex("z(\\boldsymbol{x}_0)"),
                Tex("a(\\boldsymbol{x}_0)")]
        if not rescale:
            sol.step("Both forward passes:", table=Table(head, rows))
            C = revealcancel.steps(sol, p)
        else:
            sol.step("Both forward passes, and the rescale multiplier $\\Delta a/\\Delta z$ of every unit (a linear "
                     "unit has $1$; a ReLU unit with $\\Delta z = 0$ takes its gradient at $\\boldsymbol{x}$):",
                     table=Table(head + [Tex("r")], rows))
            C = self._rescale(sol, p, r)
        fx = ax[-1][net.output]
        f0 = a0[-1][net.output]
        sol.step("Summation to delta: the contributions add up to the change of the output.",
                 Line(Tex("\\sum_i C_i", sympy.Add(*C)), sympy.simplify(sum(C))),
                 Line(Tex("f(\\boldsymbol{x}) - f(\\boldsymbol{x}_0)", fx - f0), sympy.simplify(fx - f0)))
        for i in range(d):
            sol.answer(f"C_{i + 1}", C[i], f"DeepLIFT ({p.rule}) contribution of input {i + 1}")
        if p.compare:
            self._compare(sol, p, C)
        return sol

    def _rescale(self, sol, p, r):
        """The rescale multipliers where a unit's input moved, their backward pass and the contributions."""
        net, d = p.net, len(p.net.inputs)
        zx, ax = p.forward(p.point)
        z0, a0 = p.forward(p.baseline)
        lines = []
        for layer, zl, al, zb, ab, rl in zip(net.layers, zx, ax, z0, a0, r):
            if layer.activation != "relu":
                continue
            for k, name in enumerate(layer.neurons):
                if zl[k] != zb[k]:
                    quotient = (f"\\frac{{{_paren(al[k])} - {_paren(ab[k])}}}"
                                f"{{{_paren(zl[k])} - {_paren(zb[k])}}}")
                    lines.append(Line(Tex(f"r_{{{tex(sympy.Symbol(name))}}}"),
                                      Tex(f"\\frac{{\\Delta a}}{{\\Delta z}}", (al[k] - ab[k]) / (zl[k] - zb[k])),
                                      Tex(quotient, (al[k] - ab[k]) / (zl[k] - zb[k])), rl[k], kind="definition"))
        if lines:
            sol.step("The ReLU multipliers where the unit's input moved:", *lines)
        m = sympy.ImmutableMatrix([[1 if k == net.output else 0 for k in range(net.layers[-1].width)]]).T
        back = []
        for li in range(len(net.layers) - 1, -1, -1):
            layer = net.layers[li]
            m = layer.weights.T * sympy.ImmutableMatrix([m[k] * r[li][k] for k in range(layer.width)])
            below = "\\boldsymbol{x}" if li == 0 else f"a^{{({li})}}"
            back.append(Line(Tex(f"m_{{{below}}}"), m.T, kind="definition"))
        sol.step("Multipliers flow back like gradients, with every ReLU's derivative replaced by its rescale "
                 "multiplier: $m_{\\mathrm{below}} = W^\\top (r \\odot m_{\\mathrm{above}})$, starting from $1$ at "
                 "the explained output.", *back, title="Backward pass of the multipliers")
        C = [sympy.simplify((x - b) * m[i]) for i, (x, b) in enumerate(zip(p.point, p.baseline))]
        sol.step("Contributions multiply each input's difference from reference by its multiplier:",
                 *[Line(sympy.Symbol(f"C_{i + 1}"), sympy.Mul(p.point[i] - p.baseline[i], m[i], evaluate=False), C[i])
                   for i in range(d)], title="Contributions")
        return C

    def _compare(self, sol, p, C):
        from symxai.methods.saliency.gradients import GradientProblem, IntegratedGradients

        net, d = p.net, len(p.net.inputs)
        f = net.output_expression()
        ig = IntegratedGradients().solve(GradientProblem(f, list(net.inputs), p.point, p.baseline, None, "IG"))
        IG = [ig.answers[f"IG_{i + 1}"].value for i in range(d)]
        LRP = lrp0(p)
        sol.step("Integrated Gradients from the same reference (the gradient averaged along the straight path, "
                 "integrated exactly between the kinks) and LRP-0 at $\\boldsymbol{x}$ (each unit's relevance split "
                 "in proportion to $a_j w_{jk}$, the bias keeping its share) on the same network:",
                 table=Table([Tex("input"), Tex("C_i"), Tex("\\mathrm{IG}_i"), Tex("\\mathrm{LRP}_i")],
                             [[sympy.Symbol(str(x)), C[i], IG[i], LRP[i]] for i, x in enumerate(net.inputs)]),
                 title="Beside IG and LRP")
        fx = p.forward(p.point)[1][-1][net.output]
        conserved = sympy.simplify(sum(LRP) - fx) == 0
        same_ig = all(sympy.simplify(a - b) == 0 for a, b in zip(C, IG))
        hidden = sum(layer.activation == "relu" for layer in net.layers)
        agree = ("Here DeepLIFT and IG agree, as they must with one hidden layer: the secant slope of a unit whose "
                 "input moves linearly along the path is the fraction of the path on which the unit is active."
                 if hidden == 1 and p.rule == "rescale" else "Here DeepLIFT and IG agree on this input; in general "
                 "they need not.")
        sol.step((agree if same_ig else
                  "DeepLIFT and IG differ: both add up to $f(\\boldsymbol{x}) - f(\\boldsymbol{x}_0)$, but " +
                  ("the rescale multiplier of a unit is the secant slope of its ReLU between the two passes"
                   if p.rule == "rescale" else "RevealCancel shares each unit's change between the positive and "
                   "the negative part of its input") +
                  ", while IG averages the gradient of the whole network along the path.") +
                 " LRP-0 explains $f(\\boldsymbol{x})$ itself, not a difference from a reference" +
                 ("; its relevances add up to $f(\\boldsymbol{x})$ here." if conserved else
                  "; part of $f(\\boldsymbol{x})$ goes to the biases" +
                  (", so its relevances add up to neither quantity." if sympy.simplify(sum(LRP) - sum(C)) != 0
                   else ".")))
        for i in range(d):
            sol.answer(f"IG_{i + 1}", IG[i], f"Integrated Gradients of input {i + 1} from the reference")
            sol.answer(f"LRP_{i + 1}", LRP[i], f"LRP-0 relevance of input {i + 1}")

    def reference(self, p: DeepLiftProblem, values: dict) -> dict:
        W = [np.array(layer.weights.tolist(), dtype=float) for layer in p.net.layers]
        b = [np.array(list(layer.bias), dtype=float) for layer in p.net.layers]
        acts = [layer.activation for layer in p.net.layers]
        x, x0 = np.array(p.point, dtype=float), np.array(p.baseline, dtype=float)
        rule = ref.deeplift_rescale if p.rule == "rescale" else ref.deeplift_reveal_cancel
        C = rule(W, b, acts, x, x0, p.net.output)
        out = {f"C_{i + 1}": float(v) for i, v in enumerate(C)}
        if p.compare:
            def f(v):
                return float(ref.forward(W, b, acts, np.asarray(v, float))[-1][p.net.output])
            IG = ref_gradients.integrated_gradients(f, x, x0)
            R = ref_lrp.lrp(W, b, acts, ["lrp0"] * len(W), {}, x, explain=p.net.output)[0]
            out.update({f"IG_{i + 1}": float(v) for i, v in enumerate(IG)})
            out.update({f"LRP_{i + 1}": float(v) for i, v in enumerate(R)})
        return out

    def tolerance(self, p, answer):
        return 2e-3 if answer.startswith("IG") else 1e-9


def _paren(v) -> str:
    """A number in LaTeX, in parentheses when negative (2 - (-1))."""
    return f"({tex(v)})" if v < 0 else tex(v)


def lrp0(p: DeepLiftProblem) -> list:
    """LRP-0 relevances of the inputs at the point, exactly: R_j = sum_k a_j w_kj / z_k R_k (0 where z_k = 0)."""
    zx, ax = p.forward(p.point)
    levels = [list(p.point)] + ax
    R = [v if k == p.net.output else sympy.Integer(0) for k, v in enumerate(ax[-1])]
    for li in range(len(p.net.layers) - 1, -1, -1):
        layer, a = p.net.layers[li], levels[li]
        R = [sympy.simplify(sum(a[j] * layer.weights[k, j] / zx[li][k] * R[k]
                                for k in range(layer.width) if zx[li][k] != 0)) for j in range(len(a))]
    return R
