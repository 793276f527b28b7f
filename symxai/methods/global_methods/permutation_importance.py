"""Permutation feature importance of a linear model, exactly: the average over all n! permutations.

For f(x) = w^T x + b on n points with residuals e_i = y_i - f(x_i), permuting column j by pi
changes prediction i by w_j (x_{pi(i),j} - x_ij).  Averaged over all n! permutations,
E[x_{pi(i),j}] is the column mean and E[x_{pi(i),j}^2] the mean of squares, so the expected
increase of the mean squared error is

    PI_j = E_pi[MSE_pi] - MSE = 2 w_j^2 Var(x_j) + 2 w_j Cov(e, x_j)

with the population (1/n) variance and covariance.  The covariance term vanishes for the least
squares fit (its residuals are orthogonal to every feature); for independent features in the
population PI_j tends to 2 w_j^2 Var(x_j).

Verified by enumerating every permutation in numpy (tests: scikit-learn's Monte Carlo
``permutation_importance`` within a stated tolerance).
"""

from __future__ import annotations

from dataclasses import dataclass

from symxai.lazy import numpy as np
import sympy

from symxai.solve.model import Line, Solution, Tex
from symxai.reference import permutation_importance as ref
from symxai.specs.schema import Expr, Field, Int, ListOf, Record
from symxai.methods import register
from symxai.methods.base import BuildContext, Method
from symxai.methods.prototypes.counterfactual import numbers

MAX_ROWS = 7  # 7! = 5040 permutations for the reference


@dataclass
class PermutationProblem:
    w: list
    b: sympy.Expr
    rows: list
    y: list
    j: int

    def residuals(self):
        return [yi - sum(wk * xk for wk, xk in zip(self.w, r)) - self.b for r, yi in zip(self.rows, self.y)]


@register
class PermutationImportance(Method):
    name = "permutation-importance"
    reference_name = "numpy: the mean squared error after every one of the n! permutations of the column"
    params = Record({
        "w": Field(ListOf(Expr(), 1), required=True, doc="the weights of the linear model"),
        "b": Field(Expr(), doc="the bias (default 0)"),
        "data": Field(ListOf(ListOf(Expr(), 1), 1), required=True, doc=f"the inputs, one row per point (at most {MAX_ROWS})"),
        "y": Field(ListOf(Expr(), 1), required=True, doc="the targets"),
        "feature": Field(Int(minimum=1), required=True, doc="the feature j (1-based) that is permuted"),
    })

    def build(self, ctx: BuildContext, params):
        w = numbers(ctx, params, "w")
        y = numbers(ctx, params, "y")
        X = ctx.matrix(params["data"], params.loc_of("data"))
        b = ctx.expr(params.get("b", 0), params.loc_of("b") if "b" in params else None)
        if w is None or y is None or X is None or b is None:
            return None
        if X.shape[1] != len(w) or any(not v.is_number for v in X) or not b.is_number:
            ctx.problem(params.loc_of("data"), f"every row of data needs {len(w)} numbers, one per weight")
            return None
        if X.shape[0] != len(y) or not 2 <= len(y) <= MAX_ROWS:
            ctx.problem(params.loc_of("y"), f"one target per row, and 2 to {MAX_ROWS} rows (got {X.shape[0]} rows, "
                        f"{len(y)} targets)")
            return None
        j = int(params["feature"]) - 1
        if j >= len(w):
            ctx.problem(params.loc_of("feature"), f"features are numbered 1..{len(w)}")
            return None
        return PermutationProblem(w, b, [list(X.row(i)) for i in range(X.shape[0])], y, j)

    def answer_names(self, p) -> list[str]:
        return ["mse", "var", "cov", "PI"]

    def solve(self, p: PermutationProblem) -> Solution:
        sol = Solution()
        n, wj = len(p.rows), p.w[p.j]
        e = p.residuals()
        mse = sympy.Add(*[ei**2 for ei in e]) / n
        sol.step("Residuals of the model on the data and its mean squared error:",
                 Line(Tex("\\boldsymbol{e}"), sympy.ImmutableMatrix([e]), kind="definition"),
                 Line(sympy.Symbol("mse"), sympy.Mul(sympy.Rational(1, n), sympy.Add(*[sympy.Pow(ei, 2, evaluate=False)
                                                                                       for ei in e], evaluate=False),
                                                     evaluate=False), mse), title="The unpermuted error")
        col = [r[p.j] for r in p.rows]
        mean = sympy.Add(*col) / n
        var = sympy.Add(*[(c - mean)**2 for c in col]) / n
        cov = sympy.Add(*[ei * (c - mean) for ei, c in zip(e, col)]) / n
        sol.step(f"Permuting column $j = {p.j + 1}$ by $\\pi$ changes prediction $i$ by $w_j(x_{{\\pi(i),j}} - x_{{ij}})$, "
                 "so the squared error of point $i$ becomes $(e_i - w_j(x_{\\pi(i),j} - x_{ij}))^2$. Over a uniformly "
                 "random permutation $x_{\\pi(i),j}$ is a uniformly random entry of the column: its mean is "
                 "$\\bar x_j$ and its mean square $\\overline{x_j^2}$. Expanding and averaging over $i$,",
                 Line(Tex("\\mathrm{PI}_j"), Tex("\\mathbb{E}_\\pi[\\mathrm{MSE}_\\pi] - \\mathrm{MSE}"),
                      Tex("2w_j^2\\operatorname{Var}(x_j) + 2w_j\\operatorname{Cov}(e, x_j)"), kind="formula"),
                 title="Averaging over all permutations")
        sol.step("with the population variance and covariance $\\frac1n\\sum_i$ (the average includes the identity "
                 "permutation):",
                 Line(Tex("\\bar x_j"), mean, kind="definition"),
                 Line(sympy.Symbol("var"), Tex("\\frac1n\\sum_i (x_{ij} - \\bar x_j)^2", var), var),
                 Line(sympy.Symbol("cov"), Tex("\\frac1n\\sum_i e_i(x_{ij} - \\bar x_j)", cov), cov))
        pi = sympy.nsimplify(2 * wj**2 * var + 2 * wj * cov)
        sol.step("", Line(sympy.Symbol("PI"), sympy.Add(sympy.Mul(2, sympy.Pow(wj, 2, evaluate=False), var, evaluate=False),
                                                        sympy.Mul(2, wj, cov, evaluate=False), evaluate=False), pi))
        sol.step(("The covariance term is zero here: the residuals are uncorrelated with the feature, as they are "
                  "for a least-squares fit. " if cov == 0 else
                  "The residuals are correlated with the feature (the model is not the least-squares fit on this "
                  "data), which adds the covariance term. ") +
                 "The other features enter only through the residuals; how strongly $x_j$ is correlated with them "
                 "does not appear in the formula. With correlated features, though, the permuted points may lie far "
                 "from the data, and correlated features can share their weight in many ways, so the importance of "
                 "each says little about what a model refitted without it would lose.")
        sol.answer("mse", sympy.nsimplify(mse), "mean squared error on the data")
        sol.answer("var", var, "population variance of feature j")
        sol.answer("cov", cov, "population covariance of the residuals with feature j")
        sol.answer("PI", pi, "expected increase of the MSE when feature j is permuted")
        return sol

    def reference(self, p: PermutationProblem, values: dict) -> dict:
        X = np.array([[float(v) for v in r] for r in p.rows])
        w, y = np.array([float(v) for v in p.w]), np.array([float(v) for v in p.y])
        out = ref.exact_permutation_importance(X, y, w, float(p.b), p.j)
        return {"mse": out["mse"], "var": float(np.var(X[:, p.j])), "cov": out["cov"], "PI": out["importance"]}

    def tolerance(self, p, answer):
        return 1e-9
