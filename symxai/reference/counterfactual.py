"""Counterfactuals by numerical optimisation: SLSQP for the l2 problem, a linear program for the l1 one.

Nothing here knows the closed forms: the l2 counterfactual is found by ``scipy.optimize.minimize``
(SLSQP) from the point itself, the l1 one by ``scipy.optimize.linprog`` on the split variables
delta = u - v, u, v >= 0.

>>> xs, dist = l2_counterfactual([3.0, 4.0], 0.0, [0.0, 0.0], 5.0, [])
>>> [round(float(v), 6) for v in xs], round(dist, 6)
([0.6, 0.8], 1.0)
>>> xs, cost = l1_counterfactual([1.0, 2.0], 0.0, [0.0, 0.0], 4.0, [1.0, 1.0], [None, None], [None, 1.0], [])
>>> [round(float(v), 6) for v in xs], round(cost, 6)
([2.0, 1.0], 3.0)
"""

from __future__ import annotations

from symxai.lazy import numpy as np


def target_score(target: float, logistic: bool) -> float:
    """The score a counterfactual must reach: the target itself, or the logit of a target probability."""
    return float(np.log(target / (1.0 - target))) if logistic else float(target)


def l2_counterfactual(w, b, x, t, immutable):
    """argmin ||x' - x||_2 subject to w.x' + b = t and x'_i = x_i for i in ``immutable`` (0-based)."""
    from scipy.optimize import minimize

    w, x = np.asarray(w, float), np.asarray(x, float)
    bounds = [(0.0, 0.0) if i in immutable else (None, None) for i in range(len(w))]
    res = minimize(lambda d: 0.5 * d @ d, np.zeros_like(x), jac=lambda d: d, method="SLSQP", bounds=bounds,
                   constraints=[{"type": "eq", "fun": lambda d: w @ (x + d) + b - t, "jac": lambda d: w}],
                   options={"ftol": 1e-14, "maxiter": 500})
    if not res.success:
        raise ValueError(f"SLSQP failed: {res.message}")
    return x + res.x, float(np.linalg.norm(res.x))


def l1_counterfactual(w, b, x, t, cost, low, high, immutable):
    """argmin sum c_i |x'_i - x_i| subject to w.x' + b = t, low <= x' <= high (None: unbounded), immutables fixed."""
    from scipy.optimize import linprog

    w, x, c = np.asarray(w, float), np.asarray(x, float), np.asarray(cost, float)
    d = len(w)
    bounds_u, bounds_v = [], []
    for i in range(d):
        if i in immutable:
            bounds_u.append((0.0, 0.0))
            bounds_v.append((0.0, 0.0))
            continue
        bounds_u.append((0.0, None if high[i] is None else high[i] - x[i]))
        bounds_v.append((0.0, None if low[i] is None else x[i] - low[i]))
    res = linprog(np.concatenate([c, c]), A_eq=np.concatenate([w, -w])[None, :], b_eq=[t - b - w @ x],
                  bounds=bounds_u + bounds_v, method="highs")
    if res.status != 0:
        raise ValueError(f"linprog failed: {res.message}")
    delta = res.x[:d] - res.x[d:]
    return x + delta, float(res.fun)
