"""Misconceptions about influence functions and leave-one-out, one row each.

The influence estimate taken for the exact leave-one-out change (the leverage factor forgotten) or
multiplied by 1 - h instead of divided; the sign of upweighting (epsilon = +1) for removing; the
ridge penalty left out of the Hessian; the Hessian of the mean loss (H / n) with the gradient of one
point's loss; the test-loss change with the wrong sign.  A law ties dLOO to dIF and the leverage.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/xai-global-and-counterfactual.yaml").task("influence.a")
>>> rows = misconceptions(task.problem, task.method.solve(task.problem))
>>> [r.label for r in rows]
['influence-as-loo', 'leverage-multiplied', 'upweight-sign', 'mean-hessian', 'test-loss-sign', 'loo-law']
"""

from __future__ import annotations

from dataclasses import replace

import sympy

from symxai.misconceptions import Law, Misconception


def _answers(p):
    from symxai.methods.global_methods.influence import Influence

    return {n: a.value for n, a in Influence().solve(p).answers.items()}


def misconceptions(p, solution) -> list:
    """The rows for this problem (the ridge row only where lambda > 0)."""
    right = {n: a.value for n, a in solution.answers.items()}
    d, n = p.d, p.X.shape[0]
    dif = [f"Delta_IF_{i + 1}" for i in range(d)]
    loo = [f"Delta_LOO_{i + 1}" for i in range(d)]
    lev = right["h_kk"]
    rows = [
        Misconception("influence-as-loo", "You took the influence estimate for the exact leave-one-out change; "
                      "refitting divides it by 1 - h_kk (the leverage factor).",
                      {b: right[a] for a, b in zip(dif, loo)}),
        Misconception("leverage-multiplied", "You multiplied by 1 - h_kk; Sherman-Morrison divides by it: "
                      "dLOO = dIF / (1 - h_kk).", {b: sympy.simplify(right[a] * (1 - lev)) for a, b in zip(dif, loo)}),
        Misconception("upweight-sign", "You used the change for upweighting the point (epsilon = +1): removing "
                      "it is epsilon = -1, so the change is +H^-1 grad l_k, not -H^-1 grad l_k.",
                      {**{a: -right[a] for a in dif}, **{b: -right[b] for b in loo}, "dL_IF": -right["dL_IF"]}),
        Misconception("mean-hessian", "You divided the Hessian by n (the mean loss) but kept the gradient of one "
                      "point's loss: the influence of a removal is then n times too large.",
                      {a: n * right[a] for a in dif}),
        Misconception("test-loss-sign", "The first-order change of the test loss is grad l_t^T dIF with "
                      "grad l_t = -r_t x_t; you dropped the minus sign of the residual's derivative.",
                      {"dL_IF": -right["dL_IF"]}),
    ]
    if p.lam != 0:
        rows.append(Misconception("ridge-forgotten", "You left lambda I out of the Hessian: for ridge regression "
                                  "H = X^T X + lambda I.",
                                  {k: v for k, v in _answers(replace(p, lam=sympy.Integer(0))).items()
                                   if k.startswith(("Delta_IF", "h_kk", "Delta_LOO", "dL_IF"))}))
    rows = [r for r in rows if r.label != "upweight-sign" or any(right[a] != 0 for a in dif)]
    rows.append(Law("loo-law", "Your exact change and influence estimate are not related by the leverage: "
                    "Delta_LOO_i (1 - h_kk) must equal dIF_i.", (*dif, *loo, "h_kk"),
                    lambda g: sum((g[b] * (1 - g["h_kk"]) - g[a])**2 for a, b in zip(dif, loo))))
    return rows


def intermediates(p, solution) -> dict:
    """The residual r_k of the removed point and r_t of the test point."""
    theta = sympy.ImmutableMatrix([solution.answers[f"theta_{i + 1}"].value for i in range(p.d)])
    r_k = sympy.simplify(p.y[p.k] - (p.X[p.k, :] * theta)[0])
    r_t = sympy.simplify(p.y_test - (p.x_test.T * theta)[0])
    return {"r_k": (r_k, "residual of the removed point"), "r_t": (r_t, "residual of the test point")}
