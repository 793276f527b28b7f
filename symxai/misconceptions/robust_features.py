"""Misconceptions about robust and non-robust features: the accuracies and the l_inf attacks.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/eth-riai-ex10.yaml").task("robust-features.accuracy")
>>> [(r.label, r.values.get("acc_f1")) for r in misconceptions(task.problem, None)][:2]
[('no-sqrt-d', Phi(3/sqrt(d))), ('std-as-variance', Phi(3*sqrt(d)))]
"""

from __future__ import annotations

import sympy

from symxai.misconceptions import Misconception
from symxai.expr.exprparse import Phi


def _accuracy(p):
    eta, d, prob = p.eta, p.d, p.p
    return [
        Misconception("no-sqrt-d", "the mean of the d weak features has standard deviation 1/sqrt(d), not 1: "
                      "P = Phi(eta / (1/sqrt(d))) = Phi(eta sqrt(d))", {"acc_f1": Phi(sympy.simplify(eta))}),
        Misconception("std-as-variance", "Var of the average is d/d^2 = 1/d, so the standard deviation is "
                      "1/sqrt(d): you divided by the variance", {"acc_f1": Phi(sympy.simplify(eta * d))}),
        Misconception("complement", "f is right when y w^T x > 0, which has probability Phi(mu/sigma), not "
                      "1 - Phi(mu/sigma)", {"acc_f1": 1 - Phi(sympy.simplify(eta * sympy.sqrt(d))),
                                             "acc_f2": 1 - prob}),
        Misconception("coin-flip", "when x_1 = -y, f_2 = sign(x_1) is wrong for sure, not right half the time",
                      {"acc_f2": prob + (1 - prob) / 2}),
    ]


def _adversarial(p, solution):
    right = solution.answers["x_adv_f1"].value if solution is not None else None
    rows = [
        Misconception("robust-fooled", "f_2 = sign(x_1) changes only if x_1 changes sign, and a budget "
                      "eps < |x_1| cannot do that: no adversarial example exists for f_2", {"exists_f2": sympy.true}),
        Misconception("average-robust", "averaging many weak features does not make f_1 robust: moving each by "
                      "eps moves the average by the full eps", {"exists_f1": sympy.false}),
    ]
    if right is not None:
        n = right.shape[0] - 1
        first, rest = p.x_first, p.x_rest
        eps = p.eps
        make = lambda a, b: sympy.ImmutableMatrix([a] + [b] * n)
        rows += [
            Misconception("wrong-direction", "to lower w^T x the attack moves each feature against the sign of "
                          "its weight: x - eps sign(w)", {"x_adv_f1": make(first, rest + eps)}),
            Misconception("moved-robust-feature", "f_1 gives the robust feature weight 0, so the attack "
                          "x - eps sign(w_1) leaves x_1 where it is (sign(0) = 0); moving x_1 too is wasted budget",
                          {"x_adv_f1": make(first - eps, rest - eps)}),
            Misconception("gradient-step", "an l_inf attack moves every feature by the full eps (x - eps "
                          "sign(w)), not by eps times the weight", {"x_adv_f1": make(first, rest - eps / n)}),
        ]
    return rows


def misconceptions(problem, solution) -> list:
    """Rows for the part asked: the accuracies' Gaussian tail, or the attacks and their existence."""
    return _accuracy(problem) if problem.part == "accuracy" else _adversarial(problem, solution)
