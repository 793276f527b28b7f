"""Neuralization of a fitted one-class SVM (``svm-neuralization`` with numeric support vectors): scikit-learn's
offset rho and gamma = "scale".

scikit-learn's ``OneClassSVM`` scores g(x) = f(x) - rho with f(x) = sum_i alpha_i exp(-gamma ||x - u_i||^2)
(``dual_coef_``, ``support_vectors_``, ``offset_`` = rho); x is an inlier iff g(x) > 0.  The outlier score
o(x) = -gamma^-1 log(f(x)/rho) is positive exactly for outliers, and neuralizes as

    h_i = ||x - u_i||^2 - gamma^-1 log(alpha_i / rho),   o = -gamma^-1 log sum_i exp(-gamma h_i),

so g(x) = rho (exp(-gamma o(x)) - 1).  Without ``offset`` rho = 1 (the textbook o = -gamma^-1 log f).
``gamma: scale`` is scikit-learn's 1 / (d Var(X)) over every entry of the training data ``data`` (d features);
``gamma: auto`` is 1/d.  Decimals (scikit-learn's printed parameters) are read as exact rationals.

The reference (``symxai.reference.svm_fitted``) evaluates the kernel expansion in numpy.

>>> scale_gamma(sympy.Matrix([[0, 0], [2, 2]]))
1/2
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symxai.solve.model import Line, Solution, Tex
from symxai.specs.schema import AnyOf, Expr, Field, ListOf, Name

SUPPORT = AnyOf(ListOf(Name(), 1), ListOf(ListOf(Expr(), 1), 1),
                expected="a list of declared vector names, or of numeric support vectors (rows)")
INPUT = AnyOf(Name(), ListOf(Expr(), 1), expected="a declared vector name, or a list of numbers / scalar names")
FIELDS = {
    "offset": Field(Expr(), doc="numeric support: scikit-learn's offset_ rho > 0, g(x) = f(x) - rho (default 1)"),
    "data": Field(ListOf(ListOf(Expr(), 1), 1), doc="numeric support: the training rows, for gamma: scale"),
}


@dataclass
class FittedSvmProblem:
    x: sympy.ImmutableMatrix  # the input: numbers or declared scalars
    support: list  # ImmutableMatrix columns u_i
    alpha: list
    gamma: sympy.Expr
    rho: sympy.Expr
    gamma_rule: str  # "given", "scale" or "auto"
    data: sympy.ImmutableMatrix | None = None
    has_offset: bool = False

    @property
    def M(self) -> int:
        return len(self.support)


def applies(params) -> bool:
    """Numeric support vectors (rows of numbers) rather than declared vector names."""
    return any(not isinstance(u, str) for u in params["support"])


def scale_gamma(X):
    """scikit-learn's gamma = "scale": 1 / (n_features * X.var()), the variance over all entries."""
    vals = list(X)
    mean = sympy.Add(*vals) / len(vals)
    var = sympy.Add(*[(v - mean)**2 for v in vals]) / len(vals)
    return 1 / (X.shape[1] * var) if var != 0 else None


def build(ctx, params):
    if isinstance(params["input"], str):
        ctx.problem(params.loc_of("input"), "with numeric support vectors, input is a list (numbers or scalar names)")
        return None
    x = ctx.vector(params["input"])
    rows = params["support"]
    us = [ctx.vector(r, rows.loc_of(i)) if not isinstance(r, str) else None for i, r in enumerate(rows)]
    alpha = [ctx.expr(v, params["weights"].loc_of(i)) for i, v in enumerate(params["weights"])]
    if x is None or None in us or None in alpha:
        if any(isinstance(r, str) for r in rows):
            ctx.problem(params.loc_of("support"), "support mixes names and numbers: give every support vector as numbers")
        return None
    if any(u.shape != x.shape or not all(v.is_number for v in u) for u in us):
        ctx.problem(params.loc_of("support"), f"every support vector needs {len(x)} numbers, like the input")
        return None
    if len(alpha) != len(us):
        ctx.problem(params.loc_of("weights"), f"{len(alpha)} weights for {len(us)} support vectors")
        return None
    if any(a.is_positive is not True for a in alpha):
        ctx.problem(params.loc_of("weights"), "the weights alpha_i (dual_coef_) must be positive numbers")
        return None
    rho = sympy.Integer(1)
    if "offset" in params:
        rho = ctx.expr(params["offset"], params.loc_of("offset"))
        if rho is None:
            return None
        if rho.is_positive is not True:
            ctx.problem(params.loc_of("offset"), "the offset rho must be > 0 (log(f/rho) needs it; scikit-learn's "
                        "offset_ of a Gaussian one-class SVM is positive)")
            return None
    data = None
    raw = params["gamma"]
    if raw in ("scale", "auto"):
        if raw == "scale":
            if "data" not in params:
                ctx.problem(params.loc_of("gamma"), "gamma: scale needs data: the training rows (gamma = "
                            "1/(d Var(X)))")
                return None
            data = ctx.matrix(params["data"])
            if data is None:
                return None
            if data.shape[1] != len(x) or not all(v.is_number for v in data):
                ctx.problem(params.loc_of("data"), f"data needs rows of {len(x)} numbers, like the input")
                return None
            gamma = scale_gamma(data)
            if gamma is None:
                ctx.problem(params.loc_of("data"), "gamma: scale divides by the variance of data, which is 0 here")
                return None
        else:
            gamma = sympy.Rational(1, len(x))
    else:
        gamma = ctx.expr(raw, params.loc_of("gamma"))
        if gamma is None:
            return None
        if gamma.is_positive is not True:
            ctx.problem(params.loc_of("gamma"), "gamma must be > 0, scale or auto")
            return None
    return FittedSvmProblem(x, us, alpha, gamma, rho, raw if raw in ("scale", "auto") else "given", data,
                            "offset" in params)


def answer_names(p) -> list[str]:
    return [f"h_{i + 1}" for i in range(p.M)] + ["o"] + (["g"] if p.has_offset else [])


def _sq(v):
    return sympy.expand((v.T * v)[0, 0])


def solve(p) -> Solution:
    sol, g = Solution(), p.gamma
    rho = sympy.Symbol("rho")
    sol.step("The fitted model scores $g(\\boldsymbol{x}) = f(\\boldsymbol{x}) - \\rho$ with the kernel expansion "
             "$f(\\boldsymbol{x}) = \\sum_i \\alpha_i e^{-\\gamma\\|\\boldsymbol{x} - \\boldsymbol{u}_i\\|^2}$; "
             "$\\boldsymbol{x}$ is an inlier iff $g(\\boldsymbol{x}) > 0$, i.e. $f(\\boldsymbol{x}) > \\rho$ "
             "(scikit-learn: \\texttt{decision\\_function}, $\\rho$ = \\texttt{offset\\_}).",
             *([Line(rho, p.rho, kind="definition")] if p.has_offset else []), title="The model")
    if p.gamma_rule == "scale":
        vals = list(p.data)
        mean = sympy.Add(*vals) / len(vals)
        var = sympy.Add(*[(v - mean)**2 for v in vals]) / len(vals)
        sol.step("scikit-learn's \\texttt{gamma=\"scale\"} is $1/(d\\,\\mathrm{Var}(X))$ with the variance over all "
                 "[[n]] entries of the training data and $d = $ [[d]] features:",
                 Line(Tex("\\bar X"), mean, kind="definition"), Line(Tex("\\mathrm{Var}(X)"), var, kind="definition"),
                 Line(sympy.Symbol("gamma"), sympy.Pow(sympy.Mul(len(p.x), var, evaluate=False), -1, evaluate=False), g),
                 n=sympy.Integer(len(vals)), d=sympy.Integer(len(p.x)), title="The kernel width")
    elif p.gamma_rule == "auto":
        sol.step("scikit-learn's \\texttt{gamma=\"auto\"} is $1/d$:", Line(sympy.Symbol("gamma"), g),
                 title="The kernel width")
    D = [_sq(p.x - u) for u in p.support]
    h = [sympy.expand(Di - sympy.log(a / p.rho) / g) for Di, a in zip(D, p.alpha)]
    sol.step("The outlier score $o(\\boldsymbol{x}) = -\\gamma^{-1}\\log\\bigl(f(\\boldsymbol{x})/\\rho\\bigr)$ is "
             "positive exactly where $f < \\rho$ (an outlier). Pulling $\\alpha_i/\\rho = e^{\\log(\\alpha_i/\\rho)}$ "
             "into each kernel term gives the first layer, squared distances with a bias:",
             Line(Tex("\\frac{\\alpha_i}{\\rho} e^{-\\gamma D_i}"),
                  Tex("e^{-\\gamma\\left(D_i - \\gamma^{-1}\\log(\\alpha_i/\\rho)\\right)}"), Tex("e^{-\\gamma h_i}"),
                  kind="formula"),
             *[Line(sympy.Symbol(f"h_{k + 1}"), h[k]) for k in range(p.M)], title="Layer 1")
    o = -sympy.log(sympy.Add(*[sympy.exp(-g * hk) for hk in h])) / g
    H = [sympy.Symbol(f"h_{k + 1}") for k in range(p.M)]
    sol.step("Layer 2 pools them with a soft-min:",
             Line(Tex("o(\\boldsymbol{x})"), -sympy.log(sympy.Add(*[sympy.exp(-g * hk) for hk in H])) / g),
             where=dict(zip(H, h)), title="Layer 2")
    for k, v in enumerate(h):
        sol.answer(f"h_{k + 1}", v, f"layer-1 neuron {k + 1}")
    sol.answer("o", o, "the outlier score -log(f/rho)/gamma")
    if p.has_offset:
        f = sympy.Add(*[a * sympy.exp(-g * Di) for a, Di in zip(p.alpha, D)])
        gx = f - p.rho
        sol.step("Back to scikit-learn's decision function: $g(\\boldsymbol{x}) = \\rho\\,(e^{-\\gamma o} - 1)$, "
                 "negative exactly where $o > 0$:",
                 Line(sympy.Symbol("g"), Tex("\\rho\\,(e^{-\\gamma o} - 1)", p.rho * (sympy.exp(-g * o) - 1)), gx),
                 title="Checking the result")
        sol.answer("g", gx, "the decision function f(x) - rho")
    return sol


def reference(p, values: dict) -> dict:
    from symxai.reference import svm_fitted as ref
    import numpy as np

    num = {k: v for k, v in values.items() if isinstance(k, sympy.Symbol)}
    x = np.array([float(sympy.sympify(v).xreplace(num)) for v in p.x])
    U = np.array([[float(v) for v in u] for u in p.support])
    alpha = np.array([float(a) for a in p.alpha])
    if p.gamma_rule == "scale":
        gamma = ref.scale_gamma(np.array(p.data, dtype=float))
    elif p.gamma_rule == "auto":
        gamma = 1.0 / len(x)
    else:
        gamma = float(p.gamma)
    h, o, g = ref.fitted_svm(x, U, alpha, gamma, float(p.rho))
    out = {f"h_{k + 1}": float(v) for k, v in enumerate(h)}
    out["o"] = o
    if p.has_offset:
        out["g"] = g
    return out


def _answers_with(p, alpha_over, gamma):
    D = [_sq(p.x - u) for u in p.support]
    h = [sympy.expand(Di - sympy.log(a) / gamma) for Di, a in zip(D, alpha_over)]
    values = {f"h_{k + 1}": v for k, v in enumerate(h)}
    values["o"] = -sympy.log(sympy.Add(*[sympy.exp(-gamma * hk) for hk in h])) / gamma
    return values


def misconception_rows(p) -> list:
    """The offset left out of the biases, the bias with the wrong sign, gamma = "auto" for "scale"."""
    from symxai.misconceptions import Misconception

    rows = []
    if p.has_offset and p.rho != 1:
        rows.append(Misconception("offset-ignored", "the score is -log(f/rho)/gamma: the offset rho enters every "
                                  "bias as -log(alpha_i/rho)/gamma", _answers_with(p, p.alpha, p.gamma)))
    rows.append(Misconception("bias-sign", "alpha_i/rho e^{-gamma D_i} = e^{-gamma (D_i - log(alpha_i/rho)/gamma)}: "
                              "the bias is -log(alpha_i/rho)/gamma",
                              _answers_with(p, [p.rho / a for a in p.alpha], p.gamma)))
    if p.gamma_rule == "scale" and p.gamma != sympy.Rational(1, len(p.x)):
        rows.append(Misconception("gamma-auto", "gamma=\"scale\" is 1/(d Var(X)); 1/d is gamma=\"auto\"",
                                  _answers_with(p, [a / p.rho for a in p.alpha], sympy.Rational(1, len(p.x)))))
    return rows
