"""Misconceptions about neuralizing a one-class SVM: the bias of the distance neurons and the pooling.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/tub-ml-sheet11.yaml").task("neuralization.b")
>>> [r.label for r in misconceptions(task.problem, task.method.solve(task.problem))]
['max-pooling', 'sum-pooling', 'mean-pooling', 'bound-kept']
"""

from __future__ import annotations

import sympy

from symxai.misconceptions import Misconception
from symxai.methods.expansion.radial import Norm


def _layer1(p):
    g = p.gamma
    dist = [Norm(p.x - u) ** 2 for u in p.support]
    slips = [
        ("bias-sign", "alpha_i e^{-gamma D_i} = e^{-gamma (D_i - log(alpha_i)/gamma)}: the bias is "
         "-log(alpha_i)/gamma, a large weight lowers h_i", [D + sympy.log(a) / g for D, a in zip(dist, p.alpha)]),
        ("bias-without-gamma", "pulling alpha_i into the exponent gives log(alpha_i) - gamma D_i = "
         "-gamma (D_i - log(alpha_i)/gamma): the bias is divided by gamma",
         [D - sympy.log(a) for D, a in zip(dist, p.alpha)]),
        ("no-bias", "the weights alpha_i do not vanish: they become the biases -log(alpha_i)/gamma",
         dist),
        ("norm-not-squared", "the Gaussian kernel uses the squared distance ||x - u_i||^2",
         [Norm(p.x - u) - sympy.log(a) / g for u, a in zip(p.support, p.alpha)]),
    ]
    rows = []
    for label, message, hs in slips:
        values = {f"h_{i + 1}": h for i, h in enumerate(hs)}
        values["o"] = -sympy.log(sum(sympy.exp(-g * h) for h in hs)) / g
        rows.append(Misconception(label, message, values))
    right = [D - sympy.log(a) / g for D, a in zip(dist, p.alpha)]
    rows.append(Misconception("score-without-gamma", "o = -log(f)/gamma: the score divides the log by gamma",
                              {"o": -sympy.log(sum(sympy.exp(-g * h) for h in right))}))
    rows.append(Misconception("soft-max", "-log sum exp(-gamma h_i) / gamma is a soft minimum; you wrote the soft "
                              "maximum log sum exp(gamma h_i) / gamma",
                              {"o": sympy.log(sum(sympy.exp(g * h) for h in right)) / g}))
    return rows


def _limit(p):
    H = p.layer1
    return [
        Misconception("max-pooling", "-log sum exp(-gamma h_i)/gamma is dominated by the smallest h_i: the "
                      "limit is the minimum, not the maximum", {"o": sympy.Max(*H)}),
        Misconception("sum-pooling", "the log of a sum is not the sum of the logs: the limit keeps only the "
                      "smallest term", {"o": sympy.Add(*H)}),
        Misconception("mean-pooling", "for large gamma the smallest h_i dominates the sum; the others' "
                      "weights e^{-gamma (h_j - min h)} vanish, so the limit is not an average",
                      {"o": sympy.Add(*H) / len(H)}),
        Misconception("bound-kept", "the lower bound min h - log(M)/gamma tends to min h: log(M)/gamma "
                      "vanishes as gamma -> oo", {"o": sympy.Min(*H) - sympy.log(len(H))}),
    ]


def misconceptions(problem, solution) -> list:
    """Rows for part a (the network) or part b (the limit gamma -> oo), or of a fitted model."""
    if not hasattr(problem, "layer1"):
        from symxai.methods.neuralize.svm_fitted import misconception_rows
        return misconception_rows(problem)
    return _limit(problem) if problem.layer1 else _layer1(problem)
