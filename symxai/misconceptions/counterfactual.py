"""Misconceptions about counterfactual explanations: each row reruns the closed form with one slip.

l2: the step divided by ||w|| instead of ||w||^2, the step taken the wrong way, the bias forgotten in
the score, the immutable features moved anyway, the target probability used as a score.  l1: the
costs ignored (largest |w_i| instead of |w_i| / c_i), the boxes ignored, the l2 closed form used for
the l1 problem.  A row gives the coordinates of x' and the distance or cost they imply.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/xai-global-and-counterfactual.yaml").task("cf-l2")
>>> rows = misconceptions(task.problem, task.method.solve(task.problem))
>>> [r.label for r in rows]
['norm-not-squared', 'wrong-direction', 'bias-forgotten', 'misses-target']
"""

from __future__ import annotations

from dataclasses import replace

import sympy

from symxai.misconceptions import Law, Misconception


def _solved(p):
    from symxai.methods.prototypes.counterfactual import Counterfactual, _greedy

    if p.norm == "l1" and _greedy(p)[1] != 0:
        return None
    return [Counterfactual().solve(p).answers[f"{p.prefix}_{i + 1}"].value for i in range(len(p.w))]


def _row(p, label, message, xs):
    if xs is None:
        return None
    names = [f"{p.prefix}_{i + 1}" for i in range(len(p.w))]
    delta = [sympy.simplify(a - b) for a, b in zip(xs, p.x)]
    values = dict(zip(names, xs))
    if p.norm == "l2":
        values["dist"] = sympy.simplify(sympy.sqrt(sum(v**2 for v in delta)))
    else:
        values["cost"] = sympy.simplify(sum(c * sympy.Abs(v) for c, v in zip(p.cost, delta)))
    return Misconception(label, message, values)


def _l2_step(p, scale_power):
    wm = [p.w[i] if i not in p.immutable else 0 for i in range(len(p.w))]
    s = sum(a * b for a, b in zip(p.w, p.x)) + p.b
    norm = sympy.sqrt(sum(v**2 for v in wm))
    return [sympy.simplify(x + (p.score_target - s) / norm**scale_power * v) for x, v in zip(p.x, wm)]


def misconceptions(p, solution) -> list:
    """The rows that apply to this problem (immutables, logistic, boxes, costs only where given)."""
    rows = []
    if p.norm == "l2":
        rows.append(_row(p, "norm-not-squared", "You divided the gap t - s(x) by ||w|| instead of ||w||^2: the "
                         "step along w must be (t - s)/||w||^2 for w^T delta to equal t - s.", _l2_step(p, 1)))
        wrong = [sympy.simplify(2 * x - v) for x, v in zip(p.x, _solved(p))]
        rows.append(_row(p, "wrong-direction", "You moved against the gap: x' = x - ((t - s)/||w||^2) w lowers "
                         "the score when it should rise (or the other way round).", wrong))
        if p.b != 0:
            rows.append(_row(p, "bias-forgotten", "You left the bias b out of the score s(x) = w^T x + b.",
                             _solved(replace(p, b=sympy.Integer(0)))))
        if p.immutable:
            rows.append(_row(p, "moved-immutable", "You changed an immutable feature: its entry of w must be "
                             "set to 0 before the projection.", _solved(replace(p, immutable=set()))))
    else:
        ones = [sympy.Integer(1)] * len(p.w)
        if any(c != 1 for c in p.cost):
            rows.append(_row(p, "costs-ignored", "You moved the features by the size of |w_i| alone; with costs "
                             "the order is by |w_i| / c_i, the score bought per unit of cost.",
                             _solved(replace(p, cost=ones))))
        if any(v is not None for v in p.low + p.high):
            none = [None] * len(p.w)
            rows.append(_row(p, "box-ignored", "Your counterfactual leaves the allowed box: a feature can move only "
                             "up to its bound, then the next best feature takes over.",
                             _solved(replace(p, low=none, high=none))))
        rows.append(_row(p, "l2-for-l1", "You used the l2 projection x + ((t - s)/||w||^2) w, which moves every "
                         "feature; the l1 optimum moves as few features as the boxes allow.", _l2_step(p, 2)))
    if p.model == "logistic":
        rows.append(_row(p, "probability-as-score", "You used the target probability p as the target score; the "
                         "score must reach the logit ln(p/(1 - p)).", _solved(replace(p, model="linear"))))
    return [r for r in rows if r is not None] + [laws(p)]


def laws(p):
    """The counterfactual lies on the target level set: w^T x' + b = t."""
    names = tuple(f"{p.prefix}_{i + 1}" for i in range(len(p.w)))
    return Law("misses-target", "Your x' does not reach the target score: w^T x' + b must equal t.", names,
               lambda given: sum(w * given[n] for w, n in zip(p.w, names)) + p.b - p.score_target)


def intermediates(p, solution) -> dict:
    """The score s(x) of the point and the target score t."""
    s = sympy.nsimplify(sum(w * x for w, x in zip(p.w, p.x)) + p.b)
    return {"s": (s, "score s(x) = w^T x + b of the point"), "t": (sympy.simplify(p.score_target), "target score")}
