"""Neuralization of a one-class SVM with a Gaussian kernel.

f(x) = sum_i alpha_i exp(-gamma ||x - u_i||^2) and the outlier score
o(x) = -log f(x) / gamma become a two-layer network: distance neurons
h_i = ||x - u_i||^2 - log(alpha_i) / gamma and a soft-min pooling
o = -log sum_i exp(-gamma h_i) / gamma.  The identity is proved term by term
by SymPy; for gamma -> oo the pooling tends to min_i h_i, squeezed between
min h - log(M)/gamma and min h.  Verified against the score computed from the
kernel expansion itself (numpy), and the limit by a stable log-sum-exp at a
huge gamma.
"""

from __future__ import annotations

from dataclasses import dataclass

from symxai.lazy import numpy as np
import sympy

from symxai.solve.model import Line, Solution, Tex
from symxai.expr.printing import tex
from symxai.reference import neuralization as ref
from symxai.specs.schema import Expr, Field, ListOf, Name, Record
from symxai.methods import register
from symxai.methods.base import BuildContext, Method
from symxai.methods.expansion.radial import Norm
from symxai.methods.neuralize import svm_fitted

LIMIT_GAMMA = 1e9


@dataclass
class SvmProblem:
    x: sympy.MatrixSymbol
    support: list  # MatrixSymbols u_1..u_M
    alpha: list
    gamma: sympy.Expr
    layer1: list | None = None  # symbols h_1..h_M of part b (layer 2 alone)

    @property
    def M(self) -> int:
        return len(self.support)


def _vector(ctx, params, key, name):
    obj = ctx.symbols.objects.get(name)
    if not isinstance(obj, sympy.MatrixSymbol) or obj.shape[1] != 1:
        ctx.problem(params.loc_of(key), f"'{name}' must be a declared vector (shape [d])")
        return None
    return obj


@register
class SvmNeuralization(Method):
    name = "svm-neuralization"
    reference_name = "numpy evaluation of -log(f)/gamma from the kernel expansion (log-sum-exp at gamma = 1e9 for the limit)"
    params = Record({
        "input": Field(svm_fitted.INPUT, required=True, doc="the vector x (with numeric support: a list)"),
        "support": Field(svm_fitted.SUPPORT, required=True,
                         doc="the support vectors u_1..u_M (declared vectors, or numbers as fitted: symxai/methods/neuralize/svm_fitted.py)"),
        "weights": Field(ListOf(Expr(), 1), required=True, doc="alpha_1..alpha_M, each > 0"),
        "gamma": Field(Expr(), required=True, doc="the kernel width gamma > 0 (numeric support: also scale or auto, "
                                                  "as scikit-learn)"),
        "limit": Field(ListOf(Name(), 1), doc="names of the layer-1 outputs h_1..h_M: asks for the limit gamma -> oo"),
        **svm_fitted.FIELDS,
    })

    def build(self, ctx: BuildContext, params):
        if svm_fitted.applies(params):
            return svm_fitted.build(ctx, params)
        if any(k in params for k in svm_fitted.FIELDS) or not isinstance(params["input"], str):
            ctx.problem(params.loc, "offset, data and a numeric input need numeric support vectors (rows of numbers)")
            return None
        x = _vector(ctx, params, "input", params["input"])
        support = [_vector(ctx, params, "support", n) for n in params["support"]]
        alpha = [ctx.expr(v, params["weights"].loc_of(i)) for i, v in enumerate(params["weights"])]
        gamma = ctx.expr(params["gamma"], params.loc_of("gamma"))
        if x is None or None in support or None in alpha or gamma is None:
            return None
        if len(alpha) != len(support):
            ctx.problem(params.loc_of("weights"), f"{len(alpha)} weights for {len(support)} support vectors")
            return None
        if any(a.is_positive is not True for a in alpha):
            ctx.problem(params.loc_of("weights"), "the weights alpha_i must be declared positive")
            return None
        if gamma.is_positive is not True:
            ctx.problem(params.loc_of("gamma"), "gamma must be > 0 (declare it positive)")
            return None
        if any(u.shape != x.shape for u in support):
            ctx.problem(params.loc_of("support"), "support vectors and input must have the same shape")
            return None
        layer1 = None
        if "limit" in params:
            layer1 = [ctx.symbols.objects.get(n) for n in params["limit"]]
            if len(layer1) != len(support) or not all(isinstance(h, sympy.Symbol) for h in layer1):
                ctx.problem(params.loc_of("limit"), f"limit needs {len(support)} declared scalar names h_1..h_M")
                return None
        return SvmProblem(x, support, alpha, gamma, layer1)

    def answer_names(self, p: SvmProblem) -> list[str]:
        if isinstance(p, svm_fitted.FittedSvmProblem):
            return svm_fitted.answer_names(p)
        return ["o"] if p.layer1 else [f"h_{i + 1}" for i in range(p.M)] + ["o"]

    def solve(self, p: SvmProblem) -> Solution:
        if isinstance(p, svm_fitted.FittedSvmProblem):
            return svm_fitted.solve(p)
        return self._limit(p) if p.layer1 else self._network(p)

    def _network(self, p: SvmProblem) -> Solution:
        sol, g = Solution(), p.gamma
        D = [sympy.Symbol(f"D_{i + 1}", positive=True) for i in range(p.M)]
        norms = [Norm(p.x - u) ** 2 for u in p.support]
        f_x = sum(a * sympy.exp(-g * n) for a, n in zip(p.alpha, norms))
        sol.step("The kernel expansion and the outlier score:", Line(Tex("f(\\boldsymbol{x})"), f_x, kind="definition"),
                 Line(Tex("o(\\boldsymbol{x})"), -sympy.log(f_x) / g, kind="definition"), title="Layer 1")
        h = [Di - sympy.log(a) / g for Di, a in zip(D, p.alpha)]
        for i in range(p.M):
            term = p.alpha[i] * sympy.exp(-g * D[i])
            rewritten = sympy.exp(-g * h[i])
            # the proof: alpha_i exp(-gamma D_i) = exp(log alpha_i - gamma D_i) = exp(-gamma h_i)
            if sympy.simplify(sympy.expand(rewritten) - term) != 0:
                raise ArithmeticError(f"term {i + 1} of the kernel sum could not be rewritten")
        # the rewriting for a general term i: alpha_i > 0, D_i >= 0 and gamma drawn at random by stepcheck
        a_i, D_i = sympy.Symbol("alpha_i", positive=True), sympy.Symbol("D_i", positive=True)
        h_i = D_i - sympy.log(a_i) / g
        sol.step("Write each weight as an exponential, $\\alpha_i = \\exp(\\log \\alpha_i)$, and pull it into the "
                 "kernel term ($D_i = \\|\\boldsymbol{x} - \\boldsymbol{u}_i\\|^2$). For every $i$ from $1$ to [[M]]:",
                 Line(Tex("\\alpha_i e^{-\\gamma D_i}", a_i * sympy.exp(-g * D_i)),
                      Tex("e^{\\log\\alpha_i - \\gamma D_i}", sympy.exp(sympy.log(a_i) - g * D_i)),
                      Tex("e^{-\\gamma\\left(D_i - \\gamma^{-1}\\log\\alpha_i\\right)}",
                          sympy.exp(-g * (D_i - sympy.log(a_i) / g))),
                      Tex("e^{-\\gamma h_i}", sympy.exp(-g * h_i))),
                 *[Line(sympy.Symbol(f"h_{k + 1}"), norms[k] - sympy.log(p.alpha[k]) / g) for k in range(p.M)],
                 M=sympy.Integer(p.M))
        H = [sympy.Symbol(f"h_{k + 1}") for k in range(p.M)]
        o_h = -sympy.log(sum(sympy.exp(-g * hk) for hk in H)) / g
        sol.step("Summing the terms, the score is a soft-min pooling of the layer-1 neurons:",
                 Line(Tex("o(\\boldsymbol{x})", -sympy.log(f_x) / g),
                      Tex("-\\gamma^{-1}\\log\\sum_{i=1}^{M} \\alpha_i e^{-\\gamma D_i}",
                          -sympy.log(sympy.Add(*[a * sympy.exp(-g * n) for a, n in zip(p.alpha, norms)])) / g), o_h),
                 title="Layer 2")
        sol.step("Layer 1 computes squared distances to the support vectors, shifted by a bias "
                 "$-\\gamma^{-1}\\log\\alpha_i$ (a large weight $\\alpha_i$ lowers $h_i$); layer 2 pools them.")
        answers = [n - sympy.log(a) / g for n, a in zip(norms, p.alpha)]
        for k, v in enumerate(answers):
            sol.answer(f"h_{k + 1}", v, f"layer-1 neuron {k + 1}")
        sol.answer("o", -sympy.log(sum(sympy.exp(-g * v) for v in answers)) / g, "the outlier score")
        return sol

    def _limit(self, p: SvmProblem) -> Solution:
        sol, g, H, M = Solution(), p.gamma, p.layer1, p.M
        m = sympy.Symbol("m", real=True)
        Mg = sympy.Symbol("M", integer=True, positive=True)  # the bound holds for any number of neurons
        o = -sympy.log(sum(sympy.exp(-g * hk) for hk in H)) / g
        sol.where[m] = sympy.Min(*H)
        sol.step("Layer 2 as a function of the layer-1 outputs, and their minimum $m = \\min_i h_i$:",
                 Line(Tex("o"), o, kind="definition"), Line(m, sympy.Min(*H), kind="definition"), title="Bounds")
        S = sympy.Symbol("S", positive=True)
        rest = sympy.Add(*[sympy.exp(-g * (hk - m)) for hk in H])
        sol.step("Factor $e^{-\\gamma m}$ out of the sum. Every remaining term $e^{-\\gamma(h_i - m)}$ lies in $(0, 1]$ "
                 "and at least one equals $1$, so the rest of the sum $S$ satisfies $1 \\le S \\le M$ for any number "
                 "$M$ of neurons (here $M =$ [[M]]):",
                 Line(Tex("o", o), m - sympy.log(S) / g), where={S: rest}, M=sympy.Integer(M))
        lower, upper = m - sympy.log(Mg) / g, m
        sol.step("Since $0 \\le \\log S \\le \\log M$:", Line(lower, Tex("o"), upper, rel="<="))
        lims = [sympy.limit(b, g, sympy.oo) for b in (lower, upper)]
        if any(sympy.simplify(v - m) != 0 for v in lims):
            raise ArithmeticError("the bounds do not squeeze to the minimum")
        # the instance's own bound (log 3, say), its limit computed separately from the general one
        instance = sympy.limit(m - sympy.log(M) / g, g, sympy.oo)
        sol.step("Both bounds tend to $m$ as $\\gamma \\to \\infty$, so the soft-min becomes a min-pooling:",
                 Line(Tex("\\lim_{\\gamma\\to\\infty}\\left(m - \\frac{\\log M}{\\gamma}\\right)", lims[0]), instance),
                 Line(Tex("\\lim_{\\gamma\\to\\infty} o", instance), sympy.Min(*H)), title="The limit")
        sol.step("The biases $-\\gamma^{-1}\\log\\alpha_i$ of layer 1 vanish in the same limit, so the score tends "
                 "to the squared distance to the nearest support vector, $\\min_i \\|\\boldsymbol{x} - \\boldsymbol{u}_i\\|^2$.")
        sol.answer("o", sympy.Min(*H), "the limit of the score for gamma -> oo")
        gap = sympy.log(Mg) / g
        sol.cases = [f"For any number $M$ of neurons the gap is bounded, $\\displaystyle {tex(m - gap)} \\le o \\le {tex(m)}$ "
                     f"with $m = \\min_i h_i$; here $M = {M}$: $\\displaystyle 0 \\le m - o \\le {tex(gap.xreplace({Mg: M}))}$."]
        return sol

    def reference(self, p: SvmProblem, values: dict) -> dict:
        if isinstance(p, svm_fitted.FittedSvmProblem):
            return svm_fitted.reference(p, values)
        if p.layer1:
            h = np.array([values[hk] for hk in p.layer1], dtype=float)
            return {"o": ref.soft_min(h, LIMIT_GAMMA)}
        x = np.asarray(values[p.x], dtype=float).reshape(-1)
        U = np.array([np.asarray(values[u], dtype=float).reshape(-1) for u in p.support])
        num = {k: v for k, v in values.items() if isinstance(v, (int, float))}
        alpha = np.array([float(a.subs(num)) for a in p.alpha])
        gamma = float(p.gamma.subs(num))
        out = {f"h_{k + 1}": float(v) for k, v in enumerate(ref.svm_layer1(x, U, alpha, gamma))}
        out["o"] = ref.svm_score(x, U, alpha, gamma)
        return out

    def tolerance(self, p: SvmProblem, answer: str) -> float:
        # log M / gamma at gamma = 1e9 bounds the gap between the soft-min and the min
        return 1e-8 if getattr(p, "layer1", None) else 1e-9
