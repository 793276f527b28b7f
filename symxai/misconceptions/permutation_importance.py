"""Misconceptions about permutation feature importance of a linear model, one row each.

The factor 2 lost (w_j^2 Var instead of 2 w_j^2 Var: the permuted value and the original one both
vary); the sample variance (divide by n - 1) where the average over permutations gives 1/n; the
covariance term dropped for a model that is not the least-squares fit; |w_j| instead of w_j^2; the
ratio MSE_pi / MSE reported for the difference.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/xai-global-and-counterfactual.yaml").task("permutation.a")
>>> rows = misconceptions(task.problem, task.method.solve(task.problem))
>>> [(r.label, r.values["PI"]) for r in rows]
[('no-factor-two', 21/4), ('sample-variance', 83/6), ('cross-term-dropped', 10), ('weight-not-squared', 11/2), ('ratio', 43)]
"""

from __future__ import annotations

import sympy

from symxai.misconceptions import Misconception


def misconceptions(p, solution) -> list:
    """The rows for this problem (the cross-term row only where the covariance is not 0)."""
    a = {n: v.value for n, v in solution.answers.items()}
    wj, n = p.w[p.j], len(p.rows)
    var, cov = a["var"], a["cov"]
    rows = [
        Misconception("no-factor-two", "You lost the factor 2: shuffling moves both the permuted value and the "
                      "original one away from the mean, E[(x_pi - x)^2] = 2 Var(x_j).",
                      {"PI": wj**2 * var + wj * cov}),
        Misconception("sample-variance", "You used the sample variance (divide by n - 1); the average over all "
                      "permutations gives the population variance (divide by n).",
                      {"PI": 2 * wj**2 * var * n / (n - 1) + 2 * wj * cov, "var": var * n / (n - 1)}),
    ]
    if cov != 0:
        rows.append(Misconception("cross-term-dropped", "You dropped 2 w_j Cov(e, x_j): it vanishes only when the "
                                  "residuals are uncorrelated with the feature (a least-squares fit).",
                                  {"PI": 2 * wj**2 * var}))
    if abs(wj) != 1:
        rows.append(Misconception("weight-not-squared", "The change of a prediction is w_j times the change of "
                                  "x_j, so its square carries w_j^2, not |w_j|.",
                                  {"PI": 2 * abs(wj) * var + 2 * wj * cov}))
    if a["mse"] != 0:
        rows.append(Misconception("ratio", "You gave the ratio MSE_pi / MSE; the importance asked for is the "
                                  "difference MSE_pi - MSE.", {"PI": sympy.simplify((a["mse"] + a["PI"]) / a["mse"])}))
    return rows
