"""Linear SHAP: Shapley values of f(x) = w^T x + b against a background distribution.

Interventional (``mode: interventional``): a coalition keeps x_S and averages the missing features
over the background independently of x_S, v(S) = E[f(x_S, X_Sbar)]; for a linear model only the
means mu enter, and the Shapley sum collapses to phi_i = w_i (x_i - mu_i).  Conditional
(``mode: conditional``, Gaussian background N(mu, Sigma)): v(S) = E[f(X) | X_S = x_S] =
w^T m(S) + b with the conditional mean m_Sbar = mu_Sbar + Sigma_{Sbar S} Sigma_SS^{-1} (x_S - mu_S),
so correlated features share credit.  Both are derived from the Shapley sum over all coalitions,
not asserted; verified against a moment-matched background in floats.
"""

from __future__ import annotations

from dataclasses import dataclass

from symxai.lazy import numpy as np
import sympy

from symxai.solve.model import Line, Solution, Table, Tex
from symxai.reference import shap_family as ref
from symxai.specs.schema import Choice, Expr, Field, ListOf, Name, Record
from symxai.methods import register
from symxai.methods.shap_family._shapsum import coalition_set, feature_step, ordered_masks, shapley_formula, shapley_values
from symxai.methods.base import BuildContext, Method

MAX_FEATURES = 5


@dataclass
class LinearShapProblem:
    w: list
    b: object
    point: list
    mean: list
    cov: object  # ImmutableMatrix or None
    mode: str
    prefix: str

    @property
    def d(self) -> int:
        return len(self.w)


def conditional_mean(p: LinearShapProblem, mask: int) -> list:
    """The input with x_S kept and the missing features at E[X_Sbar | X_S = x_S] (Gaussian)."""
    d = p.d
    s = [k for k in range(d) if mask >> k & 1]
    rest = [k for k in range(d) if not mask >> k & 1]
    x = list(p.point)
    if not rest:
        return x
    if not s:
        return list(p.mean)
    cov = p.cov
    gain = cov.extract(rest, s) * cov.extract(s, s).inv()
    shift = gain * sympy.ImmutableMatrix([p.point[k] - p.mean[k] for k in s])
    for n, j in enumerate(rest):
        x[j] = sympy.simplify(p.mean[j] + shift[n])
    return x


def coalition_values(p: LinearShapProblem, mode: str | None = None) -> list:
    """v(S) for every bitmask S under ``mode`` (default the problem's)."""
    mode = mode or p.mode
    out = []
    for m in range(1 << p.d):
        if mode == "interventional":
            x = [p.point[k] if m >> k & 1 else p.mean[k] for k in range(p.d)]
        else:
            x = conditional_mean(p, m)
        out.append(sympy.simplify(sum((wk * xk for wk, xk in zip(p.w, x)), p.b)))
    return out


@register
class LinearShap(Method):
    name = "linear-shap"
    reference_name = "orderings over a moment-matched background (2d sigma points), regression for the conditional mean"
    params = Record({
        "w": Field(ListOf(Expr(), 1), required=True, doc="the weights w_1..w_d of f(x) = w^T x + b"),
        "b": Field(Expr(), doc="the bias b (default 0)"),
        "point": Field(ListOf(Expr(), 1), required=True, doc="the input x to explain"),
        "mean": Field(ListOf(Expr(), 1), required=True, doc="the background mean mu = E[X]"),
        "cov": Field(ListOf(ListOf(Expr(), 1), 1), doc="the background covariance Sigma (numbers; needed for conditional)"),
        "mode": Field(Choice("interventional", "conditional"), doc="which coalition value (default interventional)"),
        "prefix": Field(Name(), doc="answer names are PREFIX_1..PREFIX_d (default phi)"),
    })

    def build(self, ctx: BuildContext, params):
        w, point, mean = (ctx.vector(params[k]) for k in ("w", "point", "mean"))
        b = ctx.expr(params["b"], params.loc_of("b")) if "b" in params else sympy.Integer(0)
        cov = ctx.matrix(params["cov"]) if "cov" in params else None
        if w is None or point is None or mean is None or b is None or ("cov" in params and cov is None):
            return None
        d = len(w)
        if d > MAX_FEATURES:
            ctx.problem(params.loc_of("w"), f"at most {MAX_FEATURES} features for a worked Linear SHAP solution")
            return None
        for key, vec in (("point", point), ("mean", mean)):
            if len(vec) != d:
                ctx.problem(params.loc_of(key), f"{key} has {len(vec)} entries, but w has {d}")
                return None
        mode = params.get("mode", "interventional")
        if cov is not None:
            if cov.shape != (d, d) or cov.free_symbols or cov != cov.T or \
                    not all(cov[:k, :k].det() > 0 for k in range(1, d + 1)):
                ctx.problem(params.loc_of("cov"), f"cov must be a symmetric positive definite {d}x{d} matrix of numbers")
                return None
        elif mode == "conditional":
            ctx.problem(params.loc_of("mode"), "conditional values need the covariance: give cov")
            return None
        return LinearShapProblem(list(w), b, list(point), list(mean), cov, mode, params.get("prefix", "phi"))

    def answer_names(self, p: LinearShapProblem) -> list[str]:
        return [f"{p.prefix}_{i + 1}" for i in range(p.d)]

    def solve(self, p: LinearShapProblem) -> Solution:
        d, full = p.d, (1 << p.d) - 1
        v = coalition_values(p)
        phis = shapley_values(v, d)
        sol = Solution()
        E = sympy.Function("E")
        wx = sum((wk * xk for wk, xk in zip(p.w, p.point)), p.b)
        wmu = sum((wk * mk for wk, mk in zip(p.w, p.mean)), p.b)
        if p.mode == "interventional":
            sol.step("A coalition $S$ keeps the features in $S$ at $\\boldsymbol{x}$ and averages the others over "
                     "the background, independently of $\\boldsymbol{x}_S$. Since $f$ is linear, only the means enter:",
                     Line(Tex("v(S)"), Tex("\\mathbb{E}\\left[f(\\boldsymbol{x}_S, \\boldsymbol{X}_{\\bar S})\\right]"),
                          Tex("b + \\sum_{i \\in S} w_i x_i + \\sum_{j \\notin S} w_j \\mu_j"), kind="formula"),
                     shapley_formula(), title="The interventional game")
        else:
            sol.step("A coalition $S$ observes $\\boldsymbol{X}_S = \\boldsymbol{x}_S$; the missing features take "
                     "their conditional mean under the Gaussian $\\mathcal{N}(\\boldsymbol{\\mu}, \\Sigma)$:",
                     Line(Tex("v(S)"), Tex("\\mathbb{E}\\left[f(\\boldsymbol{X}) \\mid \\boldsymbol{X}_S = "
                                           "\\boldsymbol{x}_S\\right]"), Tex("\\boldsymbol{w}^\\top \\boldsymbol{m}(S) + b"),
                          kind="formula"),
                     Line(Tex("\\boldsymbol{m}_{\\bar S}(S)"), Tex("\\boldsymbol{\\mu}_{\\bar S} + \\Sigma_{\\bar S S}"
                          "\\Sigma_{S S}^{-1}(\\boldsymbol{x}_S - \\boldsymbol{\\mu}_S)"), kind="formula"),
                     shapley_formula(), title="The conditional game")
        sol.step("The prediction and the expected prediction:",
                 Line(Tex("f(\\boldsymbol{x})", wx), v[full]),
                 Line(Tex("\\mathbb{E}[f(\\boldsymbol{X})]", wmu), v[0]))
        rows = []
        for m in ordered_masks(d):
            x = conditional_mean(p, m) if p.mode == "conditional" else None
            missing = [sympy.nsimplify(x[k]) if x is not None else p.mean[k] for k in range(d) if not m >> k & 1]
            rows.append([coalition_set(m, d), sympy.ImmutableMatrix([missing]) if missing else Tex("\\text{--}"),
                         v[m]])
        head = "\\mathbb{E}[\\boldsymbol{X}_{\\bar S} \\mid \\boldsymbol{x}_S]" if p.mode == "conditional" \
            else "\\boldsymbol{\\mu}_{\\bar S}"
        sol.step("The coalition values, with the values the missing features take:",
                 table=Table([Tex("S"), Tex(head), Tex("v(S)")], rows), title="Coalition values")
        for i in range(d):
            name = sympy.Symbol(f"{p.prefix}_{i + 1}")
            gap = sympy.Add(p.point[i], -p.mean[i], evaluate=False) if p.mean[i] != 0 else p.point[i]  # no "2 + 0"
            extra = (sympy.Mul(p.w[i], gap, evaluate=False),) if p.mode == "interventional" else ()
            feature_step(sol, v, d, i, phis[i], name, extra=extra)
        if p.mode == "interventional":
            sol.step("Every marginal contribution of feature $i$ is the same, $w_i (x_i - \\mu_i)$, so the weights "
                     "(which sum to 1) leave $\\phi_i = w_i (x_i - \\mu_i)$.")
        sol.step("Efficiency: the values add up to the prediction minus the expected prediction.",
                 Line(Tex("\\sum_i \\phi_i"), sympy.Add(*phis, evaluate=False), sympy.simplify(sum(phis)),
                      kind="definition"),
                 Line(Tex("f(\\boldsymbol{x}) - \\mathbb{E}[f(\\boldsymbol{X})]", wx - wmu), sympy.simplify(v[full] - v[0])),
                 title="Checking the result")
        if p.mode == "conditional":
            self._compare_step(sol, p, phis)
        for i, phi in enumerate(phis):
            sol.answer(f"{p.prefix}_{i + 1}", phi, f"{p.mode} SHAP value of feature {i + 1}")
        return sol

    def _compare_step(self, sol, p, phis) -> None:
        inter = [sympy.simplify(p.w[i] * (p.point[i] - p.mean[i])) for i in range(p.d)]
        rows = [[sympy.Integer(i + 1), inter[i], phis[i]] for i in range(p.d)]
        text = ("Compared with the interventional values $w_i (x_i - \\mu_i)$, conditioning moves credit between "
                "correlated features; both sets add up to the same total.")
        for i in range(p.d):
            if inter[i] == 0 and phis[i] != 0:
                why = "has weight 0 and is never used by $f$" if p.w[i] == 0 else \
                    f"sits at its mean ($x_{{{i + 1}}} = \\mu_{{{i + 1}}}$), so its interventional value is 0"
                text += (f" Feature {i + 1} {why}, yet it receives credit: through the correlations, observing it "
                         "changes the conditional expectation of the prediction (its $\\Delta_S$ are not all 0).")
        if inter == phis:
            text = "Here the conditional values coincide with the interventional ones $w_i (x_i - \\mu_i)$."
        sol.step(text, table=Table([Tex("i"), Tex("w_i (x_i - \\mu_i)"), Tex("\\phi_i^{\\text{cond}}")], rows),
                 title="Correlated features share credit")

    def reference(self, p: LinearShapProblem, values: dict) -> dict:
        sub = {k: v for k, v in values.items() if isinstance(v, (int, float))}
        num = lambda e: float(sympy.sympify(e).xreplace(sub))  # noqa: E731
        w, x, mu, b = np.array([num(e) for e in p.w]), [num(e) for e in p.point], [num(e) for e in p.mean], num(p.b)
        cov = np.array(p.cov.tolist(), dtype=float) if p.cov is not None else np.eye(p.d)
        background = ref.sigma_points(mu, cov)
        f = lambda z: float(w @ np.asarray(z)) + b  # noqa: E731
        game = (ref.conditional_game if p.mode == "conditional" else ref.interventional_game)(f, x, background)
        return {f"{p.prefix}_{i + 1}": v for i, v in enumerate(ref.ordering_shapley(game, p.d))}
