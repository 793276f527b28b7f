"""Gradient attributions in closed form: gradient x input, Integrated Gradients, SmoothGrad.

One problem (f, its inputs, the point) and three strategies, registered as
three methods:

- ``gradient-x-input``: R_i = x_i df/dx_i(x); complete (sum R_i = f(x)) for
  positively homogeneous f such as bias-free ReLU networks;
- ``integrated-gradients``: IG_i = (x_i - x'_i) int_0^1 df/dx_i(x' + a(x - x')) da,
  integrated symbolically (ReLU as Max: its derivative is a step, so the
  integral splits exactly at the kinks on the path); always complete,
  sum IG_i = f(x) - f(x');
- ``smoothgrad``: E[grad f(x + eps)], eps ~ N(0, sigma^2 I), exactly for a
  polynomial f through the Gaussian moments E[eps^k] = sigma^k (k-1)!!
  (k even); for linear and quadratic f it equals the plain gradient; for a ReLU network with one hidden
  layer in closed form with Phi terms (``symxai.methods.saliency.smoothgrad``).

Verified against central differences, a midpoint Riemann sum along the path
and a seeded Monte Carlo mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from symxai.lazy import numpy as np
import sympy

from symxai.solve.model import Line, Solution, Tex
from symxai.reference import gradients as ref
from symxai.specs.schema import Choice, Expr, Field, ListOf, Name, Record
from symxai.methods import register
from symxai.methods.base import BuildContext, Method
from symxai.methods.saliency.smoothgrad import relu_network, solve_relu, undecided_unit
from symxai.reference.smoothgrad_relu import smoothgrad_mc

MC_SIGMAS = 5
RELU_GRAD = {"half": sympy.Rational(1, 2), "zero": sympy.Integer(0)}  # ReLU'(0): SymPy's H(0) = 1/2, torch's 0
PRESETS = {"symxai": "half", "captum": "zero"}


def fix_branches(f, at: dict, relu_grad=sympy.Rational(1, 2)):
    """f with every Max/Min replaced by the argument that is active at the point ``at`` (innermost first):
    the smooth piece of f around the point, whose gradient is f's gradient there.  At a tie, ReLU =
    Max(0, z) becomes ``relu_grad * z`` (ReLU'(0) as a convention; torch says 0) and any other Max/Min the
    mean of the tied arguments (torch.maximum's gradient at a tie); None when a tie cannot be decided
    because it depends on a symbol.

    >>> x = sympy.Symbol("x")
    >>> fix_branches(sympy.Max(0, x - 1) + sympy.Min(x, 2), {x: 3}), fix_branches(sympy.Max(0, x - 1), {x: 1}, 0)
    (x + 1, 0)
    """
    undecided = []
    at = {k: sympy.sympify(v) for k, v in at.items()}

    def choose(e):
        vals = [sympy.sympify(a).xreplace(at) for a in e.args]
        if not all(v.is_number and v.is_real for v in vals):
            undecided.append(e)
            return e
        best = (max if isinstance(e, sympy.Max) else min)(vals)
        tied = [a for a, v in zip(e.args, vals) if v == best]
        if len(tied) == 1:
            return tied[0]
        if len(e.args) == 2 and 0 in e.args:
            z = e.args[0] if e.args[1] == 0 else e.args[1]
            return relu_grad * z
        return sympy.Add(*tied) / len(tied)

    out = f.replace(lambda e: isinstance(e, (sympy.Max, sympy.Min)), choose)
    return None if undecided else out


def path_breakpoints(f, inputs, point, baseline):
    """The alphas in (0, 1) where a Max/Min of f switches along x' + alpha (x - x'), found by exact linear
    algebra interval by interval (innermost first, no sympy.solve); None when f's switches along the path
    are not piecewise linear in alpha or depend on a symbol (then the caller falls back).

    >>> x1, x2 = sympy.symbols("x1 x2")
    >>> path_breakpoints(sympy.Max(0, sympy.Max(0, x1 - sympy.Rational(1, 2)) - sympy.Rational(1, 4)), [x1], [1], [0])
    [1/2, 3/4]
    """
    a = sympy.Symbol("alpha")
    on_path = {x: b + a * (v - b) for x, v, b in zip(inputs, point, baseline)}
    atoms = sorted(f.atoms(sympy.Max, sympy.Min), key=lambda e: len(e.atoms(sympy.Max, sympy.Min)))
    breaks = [sympy.Integer(0), sympy.Integer(1)]
    for _ in range(len(atoms) + 1):
        new = set()
        for atom in atoms:
            for lo, hi in zip(breaks, breaks[1:]):
                mid = (lo + hi) / 2
                args = [fix_branches(sympy.sympify(g), {x: e.xreplace({a: mid}) for x, e in on_path.items()})
                        for g in atom.args]
                if any(g is None for g in args):
                    return None
                for i in range(len(args)):
                    for j in range(i + 1, len(args)):
                        d = sympy.expand((args[i] - args[j]).xreplace(on_path))
                        if d.free_symbols - {a} or sympy.degree(d, a) > 1:
                            return None
                        c1 = d.coeff(a, 1)
                        if c1 != 0:
                            root = -d.coeff(a, 0) / c1
                            if lo < root < hi:
                                new.add(root)
        if not new:
            return breaks[1:-1]
        breaks = sorted(set(breaks) | new)
    return None


@dataclass
class GradientProblem:
    f: sympy.Expr
    inputs: list
    point: list
    baseline: list
    sigma: sympy.Expr | None
    prefix: str
    mc_error: dict = field(default_factory=dict)
    relu_grad: sympy.Expr = sympy.Rational(1, 2)
    network: object = None  # smoothgrad of a one-hidden-layer ReLU network (symxai.methods.saliency.smoothgrad)

    def at(self, point):
        return self.f.xreplace(dict(zip(self.inputs, point)))


def _gaussian_moment(k: int, sigma):
    return sympy.Integer(0) if k % 2 else sigma**k * sympy.factorial2(k - 1)


class _GradientMethod(Method):
    default_prefix = "R"
    params = Record({
        "f": Field(Expr(), required=True, doc="the model f(x)"),
        "inputs": Field(ListOf(Name(), 1), required=True, doc="the features x_1..x_d, in order"),
        "point": Field(ListOf(Expr(), 1), required=True, doc="the input x to explain"),
        "baseline": Field(ListOf(Expr(), 1), doc="integrated-gradients: the baseline x' (default 0)"),
        "sigma": Field(Expr(), doc="smoothgrad: the noise level (a number or a declared positive symbol); f a "
                       "polynomial (Gaussian moments) or a one-hidden-layer ReLU network (Phi terms)"),
        "prefix": Field(Name(), doc="answer names PREFIX_1..PREFIX_d"),
        "relu_grad_at_zero": Field(Choice("half", "zero"),
                                   doc="ReLU'(0) at a kink: half (SymPy's Heaviside, default) or zero (torch)"),
        "preset": Field(Choice(*PRESETS), doc="conventions as symxai (default) or captum/torch set them"),
    })

    def build(self, ctx: BuildContext, params):
        inputs = ctx.scalars(params["inputs"], params.loc_of("inputs"))
        if inputs is None:
            return None
        f = ctx.expr(params["f"], params.loc_of("f"))
        point = ctx.vector(params["point"])
        baseline = ctx.vector(params["baseline"]) if "baseline" in params else sympy.zeros(len(inputs), 1)
        sigma = ctx.expr(params["sigma"], params.loc_of("sigma")) if "sigma" in params else None
        if f is None or point is None or baseline is None or ("sigma" in params and sigma is None):
            return None
        if len(point) != len(inputs) or len(baseline) != len(inputs):
            ctx.problem(params.loc, f"point and baseline need {len(inputs)} entries, one per input")
            return None
        if self.name == "smoothgrad":
            if sigma is None or sigma.is_positive is not True:
                ctx.problem(params.loc_of("sigma") if "sigma" in params else params.loc,
                            "smoothgrad needs sigma > 0 (a positive number or a symbol declared positive)")
                return None
            network = None if f.is_polynomial(*inputs) else relu_network(f, inputs)
            if not f.is_polynomial(*inputs) and network is None:
                ctx.problem(params.loc_of("f"), "the closed form of SmoothGrad needs f polynomial in the inputs "
                            "or a ReLU network with one hidden layer, P(x) + sum_j g_j(x) ReLU(w_j.x + b_j) (P polynomial, "
                            "g_j affine)")
                return None
            if network is not None and undecided_unit(network):
                ctx.problem(params.loc_of("f"), f"ReLU unit {undecided_unit(network)} of f: whether its input "
                            "weights are all zero depends on a symbol; give them as numbers")
                return None
        h0 = RELU_GRAD[params.get("relu_grad_at_zero", PRESETS[params.get("preset", "symxai")])]
        return GradientProblem(f, inputs, list(point), list(baseline), sigma, params.get("prefix", self.default_prefix),
                               relu_grad=h0, network=network if self.name == "smoothgrad" else None)

    def answer_names(self, p: GradientProblem) -> list[str]:
        return [f"{p.prefix}_{i + 1}" for i in range(len(p.inputs))]

    def sample(self, p, symbols, rng):
        return symbols.sample(rng)

    def _numeric_f(self, p: GradientProblem, values: dict):
        subs = {k: (sympy.Float(v, 30) if isinstance(v, float) else sympy.Integer(v)) for k, v in values.items()
                if isinstance(k, sympy.Symbol) and k not in p.inputs}
        # a parameter no compared answer depends on is not sampled; any admissible value will do
        free = set().union(*(sympy.sympify(e).free_symbols for e in [p.f, p.sigma or 0, *p.point, *p.baseline]))
        for s in free - set(p.inputs) - set(subs):
            subs[s] = sympy.Integer(1)
        fn = sympy.lambdify(p.inputs, p.f.xreplace(subs), modules="numpy")
        return (lambda x: float(fn(*x))), subs

    def _floats(self, vec, subs):
        return [float(sympy.sympify(v).xreplace(subs)) for v in vec]


@register
class GradientXInput(_GradientMethod):
    name = "gradient-x-input"
    reference_name = "central finite differences of f"

    def solve(self, p: GradientProblem) -> Solution:
        sol = Solution()
        at = dict(zip(p.inputs, p.point))
        piece = fix_branches(p.f, at, p.relu_grad) if p.f.has(sympy.Max, sympy.Min) else p.f
        f = piece if piece is not None else p.f  # a kink that depends on a symbol: SymPy's Heaviside decides
        R = [sympy.simplify(x * sympy.diff(f, s).xreplace(at)) for s, x in zip(p.inputs, p.point)]
        sol.step("Gradient $\\times$ input multiplies every partial derivative at the point by the feature value:",
                 Line(Tex("R_i"), Tex("x_i\\,\\frac{\\partial f}{\\partial x_i}(\\boldsymbol{x})"), kind="formula"),
                 title="Definition")
        for i, (s, r) in enumerate(zip(p.inputs, R)):
            sol.step("", Line(sympy.Symbol(f"{p.prefix}_{i + 1}"), sympy.Mul(p.point[i], sympy.diff(f, s).xreplace(at),
                                                                             evaluate=False), r))
        total, fx = sympy.simplify(sum(R)), sympy.simplify(p.at(p.point))
        same = sympy.simplify(total - fx) == 0
        sol.step("Completeness: " + ("the relevances add up to the prediction, as they must for a positively "
                                     "homogeneous $f$ (a ReLU network without biases)." if same else
                                     "the relevances do not add up to the prediction: $f$ is not positively "
                                     "homogeneous (a bias or a curved term), and gradient $\\times$ input is "
                                     "only a first-order picture."),
                 Line(Tex("\\sum_i R_i", sympy.Add(*R)), total), Line(Tex("f(\\boldsymbol{x})", p.f.xreplace(at)), fx),
                 title="Checking the result")
        for i, r in enumerate(R):
            sol.answer(f"{p.prefix}_{i + 1}", r, f"gradient x input of feature {i + 1}")
        return sol

    def reference(self, p, values):
        f, subs = self._numeric_f(p, values)
        R = ref.gradient_x_input(f, self._floats(p.point, subs))
        return {f"{p.prefix}_{i + 1}": float(r) for i, r in enumerate(R)}

    def tolerance(self, p, answer):
        return 1e-6


@register
class IntegratedGradients(_GradientMethod):
    name = "integrated-gradients"
    reference_name = "4000-step midpoint Riemann sum of finite-difference gradients on the path"
    default_prefix = "IG"

    def solve(self, p: GradientProblem) -> Solution:
        sol = Solution()
        a = sympy.Symbol("alpha", nonnegative=True)
        path = [b + a * (x - b) for x, b in zip(p.point, p.baseline)]
        sol.step("Integrated Gradients averages the gradient along the straight path from the baseline to the "
                 "point and multiplies by the distance travelled:",
                 Line(Tex("\\mathrm{IG}_i"), Tex("(x_i - x'_i)\\int_0^1 \\frac{\\partial f}{\\partial x_i}"
                                                  "\\bigl(\\boldsymbol{x}' + \\alpha(\\boldsymbol{x} - \\boldsymbol{x}')\\bigr)\\,d\\alpha"),
                      kind="formula"),
                 Line(Tex("\\boldsymbol{x}' + \\alpha(\\boldsymbol{x} - \\boldsymbol{x}')"), sympy.ImmutableMatrix(path),
                      kind="definition"),
                 title="Definition")
        on_path = dict(zip(p.inputs, path))
        kinks = path_breakpoints(p.f, p.inputs, p.point, p.baseline) if p.f.has(sympy.Max, sympy.Min) else []
        if kinks is not None and kinks:
            return self._piecewise_ig(sol, p, a, path, kinks)
        if kinks is None:  # switches that depend on a symbol: SymPy solves for them
            kinks = sorted({r for m in p.f.atoms(sympy.Max, sympy.Min) if len(m.args) == 2
                            for r in sympy.solve((m.args[0] - m.args[1]).xreplace(on_path), a)
                            if r.is_number and 0 < r < 1})
        if kinks:
            sol.step("The ReLU units switch on or off along the path at [[kinks]]; between these points the gradient "
                     "along the path is one smooth expression in $\\alpha$, so the integral splits there exactly.",
                     kinks=sympy.FiniteSet(*kinks))
        IG = []
        for i, s in enumerate(p.inputs):
            g = sympy.diff(p.f, s).xreplace(dict(zip(p.inputs, path)))
            g = g.rewrite(sympy.Piecewise) if g.has(sympy.Heaviside) else g
            integral = sympy.simplify(sympy.integrate(g, (a, 0, 1)))
            value = sympy.simplify((p.point[i] - p.baseline[i]) * integral)
            sol.step("", Line(sympy.Symbol(f"{p.prefix}_{i + 1}"),
                              sympy.Mul(p.point[i] - p.baseline[i], sympy.Integral(sympy.simplify(g), (a, 0, 1)),
                                        evaluate=False), value))
            IG.append(value)
        total = sympy.simplify(sum(IG))
        diff = sympy.simplify(p.at(p.point) - p.at(p.baseline))
        sol.step("Completeness holds by the fundamental theorem of calculus along the path:",
                 Line(Tex("\\sum_i \\mathrm{IG}_i", sympy.Add(*IG)), total),
                 Line(Tex("f(\\boldsymbol{x}) - f(\\boldsymbol{x}')", p.f.xreplace(dict(zip(p.inputs, p.point)))
                          - p.f.xreplace(dict(zip(p.inputs, p.baseline)))), diff),
                 title="Checking the result")
        for i, v in enumerate(IG):
            sol.answer(f"{p.prefix}_{i + 1}", v, f"Integrated Gradients of feature {i + 1}")
        return sol

    def _piecewise_ig(self, sol, p, a, path, kinks):
        """IG as a sum over the pieces of the path: on each the active branch of every ReLU is fixed (read
        off at the piece's midpoint), so its gradient is integrated exactly."""
        sol.step("The ReLU units switch on or off along the path at [[kinks]] (each found by solving one linear "
                 "equation in $\\alpha$ on the piece where it lies); between these points every unit keeps its "
                 "branch, so the integral splits there exactly.", kinks=sympy.FiniteSet(*kinks))
        ends = [sympy.Integer(0), *kinks, sympy.Integer(1)]
        on_path = dict(zip(p.inputs, path))
        pieces = []
        for lo, hi in zip(ends, ends[1:]):
            mid = {x: e.xreplace({a: (lo + hi) / 2}) for x, e in on_path.items()}
            pieces.append((lo, hi, fix_branches(p.f, mid, p.relu_grad)))
        IG = []
        for i, s in enumerate(p.inputs):
            parts = [sympy.integrate(sympy.expand(sympy.diff(g, s).xreplace(on_path)), (a, lo, hi))
                     for lo, hi, g in pieces]
            value = sympy.simplify((p.point[i] - p.baseline[i]) * sympy.Add(*parts))
            terms = [sympy.Integral(sympy.expand(sympy.diff(g, s).xreplace(on_path)), (a, lo, hi))
                     for lo, hi, g in pieces]
            sol.step("", Line(sympy.Symbol(f"{p.prefix}_{i + 1}"),
                              sympy.Mul(p.point[i] - p.baseline[i], sympy.Add(*terms, evaluate=False), evaluate=False),
                              value))
            IG.append(value)
        total = sympy.simplify(sum(IG))
        diff = sympy.simplify(p.at(p.point) - p.at(p.baseline))
        sol.step("Completeness holds by the fundamental theorem of calculus along the path:",
                 Line(Tex("\\sum_i \\mathrm{IG}_i", sympy.Add(*IG)), total),
                 Line(Tex("f(\\boldsymbol{x}) - f(\\boldsymbol{x}')", p.at(p.point) - p.at(p.baseline)), diff),
                 title="Checking the result")
        for i, v in enumerate(IG):
            sol.answer(f"{p.prefix}_{i + 1}", v, f"Integrated Gradients of feature {i + 1}")
        return sol

    def reference(self, p, values):
        f, subs = self._numeric_f(p, values)
        IG = ref.integrated_gradients(f, self._floats(p.point, subs), self._floats(p.baseline, subs))
        return {f"{p.prefix}_{i + 1}": float(v) for i, v in enumerate(IG)}

    def tolerance(self, p, answer):
        return 2e-3  # midpoint rule across a kink: error of order one step


@register
class SmoothGrad(_GradientMethod):
    name = "smoothgrad"
    reference_name = ("seeded Monte Carlo mean of finite-difference gradients (20000 samples; 200000 "
                      "for a ReLU network)")
    default_prefix = "SG"

    def solve(self, p: GradientProblem) -> Solution:
        if p.network is not None:
            return solve_relu(p, p.network)
        sol = Solution()
        eps = sympy.symbols(f"epsilon1:{len(p.inputs) + 1}", real=True)
        sol.step("SmoothGrad averages the gradient over Gaussian noise; for a polynomial $f$ the expectation is "
                 "exact: expand the shifted gradient in the noise and replace every power by its moment, "
                 "$\\mathbb{E}[\\epsilon^k] = 0$ for odd $k$ and $\\sigma^k (k-1)!!$ for even $k$.",
                 Line(Tex("\\mathrm{SG}_i"), Tex("\\mathbb{E}_{\\boldsymbol{\\epsilon}\\sim\\mathcal{N}(0,\\sigma^2 I)}"
                                                  "\\Bigl[\\frac{\\partial f}{\\partial x_i}(\\boldsymbol{x} + \\boldsymbol{\\epsilon})\\Bigr]"),
                      kind="formula"),
                 title="Definition")
        SG = []
        for i, s in enumerate(p.inputs):
            unexpanded = sympy.diff(p.f, s).xreplace({x: v + e for x, v, e in zip(p.inputs, p.point, eps)})
            shifted = sympy.expand(unexpanded)
            poly = sympy.Poly(shifted, *eps)
            value = sympy.simplify(sum(coeff * sympy.Mul(*[_gaussian_moment(k, p.sigma) for k in powers])
                                       for powers, coeff in poly.terms()))
            sol.step("", Line(Tex(f"\\frac{{\\partial f}}{{\\partial x_{{{i + 1}}}}}(\\boldsymbol{{x}}+\\boldsymbol{{\\epsilon}})",
                                  unexpanded), shifted), Line(sympy.Symbol(f"{p.prefix}_{i + 1}"), value))
            SG.append(value)
        degree = sympy.Poly(p.f, *p.inputs).total_degree()
        sol.step("For $f$ of degree at most two the gradient is affine, the noise averages out and SmoothGrad equals "
                 "the plain gradient; " + ("here the terms of degree three and higher add" if degree > 2 else "a cubic term would add") +
                 " terms in $\\sigma^2$ that depend on the noise level, not on the model at the point.")
        for i, v in enumerate(SG):
            sol.answer(f"{p.prefix}_{i + 1}", v, f"SmoothGrad of feature {i + 1}")
        return sol

    def reference(self, p, values):
        f, subs = self._numeric_f(p, values)
        sigma = float(sympy.sympify(p.sigma).xreplace(subs))
        if p.network is not None:  # f is piecewise linear: many cheap vectorised samples of f itself
            fv = sympy.lambdify(p.inputs, p.f.xreplace(subs), modules="numpy")
            mean, se = smoothgrad_mc(fv, self._floats(p.point, subs), sigma, samples=200000, seed=7)
        else:
            mean, se = ref.smoothgrad(f, self._floats(p.point, subs), sigma, samples=20000, seed=7)
        out = {}
        for i in range(len(p.inputs)):
            out[f"{p.prefix}_{i + 1}"] = float(mean[i])
            # verify's error is |engine - ref| / max(1, |ref|): the standard error on the same scale, so that
            # the tolerance stays 5 standard errors in absolute terms for a large SmoothGrad value too
            p.mc_error[f"{p.prefix}_{i + 1}"] = float(se[i]) / max(1.0, abs(float(mean[i])))
        return out

    def tolerance(self, p, answer):
        return max(MC_SIGMAS * p.mc_error.get(answer, 0.0), 1e-6)
