"""Influence functions for linear and ridge regression, beside the exact leave-one-out change.

Objective J(theta) = sum_i 1/2 (y_i - x_i^T theta)^2 + lambda/2 ||theta||^2 with Hessian
H = X^T X + lambda I and minimiser theta_hat = H^-1 X^T y.  Removing training point k changes the
parameters by

- influence (one Newton step, the first-order picture): dIF = H^-1 grad l_k(theta_hat) = -r_k H^-1 x_k,
  r_k = y_k - x_k^T theta_hat;
- exactly (Sherman-Morrison): dLOO = dIF / (1 - h_kk), h_kk = x_k^T H^-1 x_k the leverage (the hat
  matrix's diagonal entry).

On a test point the loss l_t = 1/2 (y_t - x_t^T theta)^2 changes by grad l_t^T dIF to first order
and by l_t(theta_hat + dLOO) - l_t(theta_hat) exactly.  Verified by refitting without the point.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symxai.solve.model import Line, Solution, Tex
from symxai.reference import influence as ref
from symxai.specs.schema import Expr, Field, Int, ListOf, Record
from symxai.methods import register
from symxai.methods.base import BuildContext, Method
from symxai.methods.prototypes.counterfactual import numbers


@dataclass
class InfluenceProblem:
    X: sympy.ImmutableMatrix
    y: sympy.ImmutableMatrix
    lam: sympy.Expr
    k: int  # 0-based index of the removed point
    x_test: sympy.ImmutableMatrix
    y_test: sympy.Expr

    @property
    def d(self) -> int:
        return self.X.shape[1]


def _vec(v):
    return sympy.ImmutableMatrix(v)


@register
class Influence(Method):
    name = "influence"
    reference_name = "numpy: refit without the point (least squares), hat matrix and solve for the influence"
    params = Record({
        "X": Field(ListOf(ListOf(Expr(), 1), 1), required=True,
                   doc="training inputs, one row per point (add a column of ones for an intercept)"),
        "y": Field(ListOf(Expr(), 1), required=True, doc="training targets"),
        "lambda": Field(Expr(), doc="ridge penalty lambda >= 0 (default 0: least squares)"),
        "remove": Field(Int(minimum=1), required=True, doc="the training point (1-based) whose influence is asked"),
        "x_test": Field(ListOf(Expr(), 1), required=True, doc="the test input"),
        "y_test": Field(Expr(), required=True, doc="the test target"),
    })

    def build(self, ctx: BuildContext, params):
        X = ctx.matrix(params["X"], params.loc_of("X"))
        y = numbers(ctx, params, "y")
        lam = ctx.expr(params.get("lambda", 0), params.loc_of("lambda") if "lambda" in params else None)
        y_test = ctx.expr(params["y_test"], params.loc_of("y_test"))
        if X is None or y is None or lam is None or y_test is None:
            return None
        x_test = numbers(ctx, params, "x_test", X.shape[1])
        if x_test is None:
            return None
        if any(not v.is_number for v in X) or not lam.is_number or not y_test.is_number:
            ctx.problem(params.loc, "X, lambda and y_test must be numbers (this method works on a given data set)")
            return None
        if len(y) != X.shape[0]:
            ctx.problem(params.loc_of("y"), f"y needs {X.shape[0]} entries, one per row of X")
            return None
        if lam < 0:
            ctx.problem(params.loc_of("lambda"), "lambda must be >= 0")
            return None
        k = int(params["remove"]) - 1
        if k >= X.shape[0]:
            ctx.problem(params.loc_of("remove"), f"there are {X.shape[0]} training points")
            return None
        H = X.T * X + lam * sympy.eye(X.shape[1])
        if H.det() == 0:
            ctx.problem(params.loc_of("X"), "X^T X + lambda I is singular: theta is not unique (add points or lambda > 0)")
            return None
        rest = X[[i for i in range(X.shape[0]) if i != k], :]
        if (rest.T * rest + lam * sympy.eye(X.shape[1])).det() == 0:
            ctx.problem(params.loc_of("remove"), "without this point the fit is not unique (leverage 1)")
            return None
        return InfluenceProblem(X, _vec(y), lam, k, _vec(x_test), y_test)

    def answer_names(self, p) -> list[str]:
        d = range(1, p.d + 1)
        return ([f"theta_{i}" for i in d] + [f"Delta_IF_{i}" for i in d] + ["h_kk"] + [f"Delta_LOO_{i}" for i in d]
                + ["dL_IF", "dL_LOO"])

    def solve(self, p: InfluenceProblem) -> Solution:
        sol = Solution()
        X, y, d, k = p.X, p.y, p.d, p.k
        H = X.T * X + p.lam * sympy.eye(d)
        Hinv = H.inv()
        theta = Hinv * X.T * y
        sol.step("The objective $J(\\theta) = \\sum_i \\tfrac12(y_i - \\boldsymbol{x}_i^\\top\\theta)^2 + "
                 "\\tfrac{\\lambda}{2}\\|\\theta\\|^2$ has the constant Hessian $H$ and the minimiser "
                 "$\\hat\\theta = H^{-1}X^\\top\\boldsymbol{y}$:",
                 Line(Tex("H"), Tex("X^\\top X + \\lambda I", X.T * X + p.lam * sympy.eye(d)), H, kind="definition"),
                 Line(Tex("X^\\top\\boldsymbol{y}"), X.T * y, kind="definition"),
                 Line(Tex("\\hat\\theta"), Tex("H^{-1}X^\\top\\boldsymbol{y}", Hinv * X.T * y), theta.T,
                      kind="definition"), title="The fit")
        for i in range(d):
            sol.answer(f"theta_{i + 1}", theta[i], f"fitted parameter {i + 1}")
        xk = X[k, :].T
        r = sympy.simplify(y[k] - (xk.T * theta)[0])
        grad = -r * xk
        u = Hinv * xk
        dif = -r * u
        sol.step(f"Point $k = {k + 1}$ has the residual $r_k = y_k - \\boldsymbol{{x}}_k^\\top\\hat\\theta$ and the loss "
                 "gradient $\\nabla_\\theta \\ell_k = -r_k\\boldsymbol{x}_k$ at $\\hat\\theta$. Removing the point "
                 "is upweighting it by $\\varepsilon = -1$; the influence function takes the first-order "
                 "change, $-H^{-1}\\nabla\\ell_k$ per unit $\\varepsilon$, so",
                 Line(Tex("r_k"), Tex("y_k - \\boldsymbol{x}_k^\\top\\hat\\theta", y[k] - (xk.T * theta)[0]), r,
                      kind="definition"),
                 Line(Tex("\\nabla_\\theta\\ell_k(\\hat\\theta)"), grad.T, kind="definition"),
                 Line(Tex("\\Delta\\theta_{\\mathrm{IF}}"), Tex("H^{-1}\\nabla_\\theta\\ell_k(\\hat\\theta)", Hinv * grad),
                      dif.T, kind="definition"), title="Influence on the parameters")
        for i in range(d):
            sol.answer(f"Delta_IF_{i + 1}", dif[i], f"influence estimate of the change of theta_{i + 1} when point k is removed")
        lev = sympy.simplify((xk.T * Hinv * xk)[0])
        sol.step("Refitting without the point removes $\\boldsymbol{x}_k\\boldsymbol{x}_k^\\top$ from $H$; by "
                 "Sherman--Morrison the exact change is the influence estimate divided by $1 - h_{kk}$, where the "
                 "leverage $h_{kk}$ is the $k$-th diagonal entry of the hat matrix $X H^{-1} X^\\top$:",
                 Line(sympy.Symbol("h_kk"), Tex("\\boldsymbol{x}_k^\\top H^{-1}\\boldsymbol{x}_k", (xk.T * Hinv * xk)[0]),
                      lev),
                 Line(Tex("\\Delta\\theta_{\\mathrm{LOO}}"), Tex("\\frac{\\Delta\\theta_{\\mathrm{IF}}}{1 - h_{kk}}",
                                                               dif / (1 - lev)), (dif / (1 - lev)).T, kind="definition"),
                 title="Exact leave-one-out")
        sol.answer("h_kk", lev, "leverage h_kk of point k")
        loo = dif / (1 - lev)
        for i in range(d):
            sol.answer(f"Delta_LOO_{i + 1}", sympy.simplify(loo[i]), f"exact change of theta_{i + 1} when point k is removed")
        xt = p.x_test
        rt = sympy.simplify(p.y_test - (xt.T * theta)[0])
        dl_if = sympy.simplify((-rt * xt.T * dif)[0])
        new = theta + loo
        before = sympy.Rational(1, 2) * rt**2
        after = sympy.simplify(sympy.Rational(1, 2) * (p.y_test - (xt.T * new)[0])**2)
        dl_loo = sympy.simplify(after - before)
        sol.step("On the test point, $\\ell_t(\\theta) = \\tfrac12(y_t - \\boldsymbol{x}_t^\\top\\theta)^2$; the "
                 "influence estimate of its change is the directional derivative along "
                 "$\\Delta\\theta_{\\mathrm{IF}}$, the exact change needs the refitted parameters:",
                 Line(Tex("r_t"), Tex("y_t - \\boldsymbol{x}_t^\\top\\hat\\theta", p.y_test - (xt.T * theta)[0]), rt,
                      kind="definition"),
                 Line(sympy.Symbol("dL_IF"), Tex("-r_t\\,\\boldsymbol{x}_t^\\top\\Delta\\theta_{\\mathrm{IF}}",
                                                 (-rt * xt.T * dif)[0]), dl_if),
                 Line(sympy.Symbol("dL_LOO"), Tex("\\ell_t(\\hat\\theta + \\Delta\\theta_{\\mathrm{LOO}}) - "
                                                  "\\ell_t(\\hat\\theta)", after - before), dl_loo),
                 title="Influence on a test loss")
        sol.step("The two differ by the leverage factor on the parameters, and on the loss also by the curvature "
                 "of $\\ell_t$ that a first-order estimate leaves out: the influence function is exact only in the "
                 "limit of a small weight change, and least accurate for high-leverage points.")
        sol.answer("dL_IF", dl_if, "influence estimate of the change of the test loss")
        sol.answer("dL_LOO", dl_loo, "exact change of the test loss when point k is removed")
        return sol

    def reference(self, p: InfluenceProblem, values: dict) -> dict:
        X = [[float(v) for v in p.X.row(i)] for i in range(p.X.shape[0])]
        out = ref.influence(X, [float(v) for v in p.y], float(p.lam), p.k, [float(v) for v in p.x_test],
                            float(p.y_test))
        names = {"theta": "theta", "dif": "Delta_IF", "dloo": "Delta_LOO"}
        result = {}
        for key, prefix in names.items():
            for i, v in enumerate(out[key]):
                result[f"{prefix}_{i + 1}"] = float(v)
        result.update(h_kk=out["lev"], dL_IF=out["dl_if"], dL_LOO=out["dl_loo"])
        return result

    def tolerance(self, p, answer):
        return 1e-8
