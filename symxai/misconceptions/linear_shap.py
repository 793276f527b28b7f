"""Misconceptions about Linear SHAP (interventional and conditional), one row each.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/xai-shap-family.yaml").task("linear-conditional.d2")
>>> rows = misconceptions(task.problem, task.method.solve(task.problem))
>>> [r.values for r in rows if r.label == "interventional-for-conditional"][0]
{'phi_1': 1, 'phi_2': 0}
"""

from __future__ import annotations

import sympy

from symxai.methods.shap_family._shapsum import shapley_values
from symxai.methods.shap_family.linear_shap import coalition_values
from symxai.misconceptions import Law, Misconception


def misconceptions(problem, solution) -> list:
    """Rows for the problem's mode, then efficiency."""
    p, d = problem, problem.d
    names = [f"{p.prefix}_{i + 1}" for i in range(d)]

    def row(label, message, values):
        return Misconception(label, message, {n: sympy.simplify(val) for n, val in zip(names, values)})
    inter = [p.w[i] * (p.point[i] - p.mean[i]) for i in range(d)]
    rows = []
    if p.mode == "conditional":
        v = coalition_values(p)
        full = (1 << d) - 1
        rows += [
            row("interventional-for-conditional", "you computed interventional values w_i (x_i - mu_i); conditional "
                "(observational) SHAP fills the missing features with E[X_Sbar | x_S], so correlated features "
                "share credit", inter),
            row("leave-one-out", "you took v(N) - v(N without i) only: that is one marginal contribution, the "
                "Shapley value averages over all coalitions", [v[full] - v[full & ~(1 << i)] for i in range(d)]),
            row("empty-coalition-only", "you took v({i}) - v(empty) only, the effect of observing feature i "
                "alone: the Shapley value averages over all coalitions", [v[1 << i] - v[0] for i in range(d)]),
        ]
    elif p.cov is not None:
        rows.append(row("conditional-for-interventional", "you conditioned the missing features on x_S "
                        "(observational SHAP); the exercise asks for interventional values, which draw them "
                        "from the background independently", shapley_values(coalition_values(p, "conditional"), d)))
    rows += [
        row("no-centering", "you took w_i x_i: SHAP values explain f(x) - E[f(X)], so every feature is "
            "measured against the background mean E[x_i]", [p.w[i] * p.point[i] for i in range(d)]),
        row("no-weight", "you took x_i - E[x_i] without the weight w_i: the model's coefficient scales the "
            "contribution", [p.point[i] - p.mean[i] for i in range(d)]),
    ]
    if p.cov is not None:
        rows.append(row("standardised", "you divided by the standard deviation sqrt(Sigma_ii): SHAP values are in "
                        "the units of the prediction, phi_i = w_i (x_i - mu_i) is not standardised",
                        [inter[i] / sympy.sqrt(p.cov[i, i]) for i in range(d)]))
    rows.append(row("reversed", "you took w_i (mu_i - x_i): the value is the change from the background to the "
                    "point, w_i (x_i - mu_i)", [-v for v in inter]))
    if p.b != 0:
        rows.append(row("bias-shared", "you shared the bias b among the features; b is in f(x) and in E[f(X)] "
                        "alike and cancels from every marginal contribution", [v + p.b / d for v in inter]))
    gain = sympy.simplify(sum(p.w[i] * (p.point[i] - p.mean[i]) for i in range(d)))
    rows.append(Law("efficiency", f"your values do not add up to f(x) - E[f(X)] = {gain} (efficiency): at least "
                    "one of them is wrong", tuple(names), lambda given: sum(given[n] for n in names) - gain))
    return rows


def intermediates(problem, solution) -> dict:
    """The coalition values v(S) as v_12, v_empty, ..."""
    from symxai.misconceptions.shapley import coalition_name
    v, d = coalition_values(problem), problem.d
    return {coalition_name([k + 1 for k in range(d) if m >> k & 1], d): (v[m], "coalition value v(S)")
            for m in range(1 << d)}
