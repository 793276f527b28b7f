"""Misconceptions about DeepLIFT (rescale rule), one row each, and summation to delta as a law.

The gradient at x (or at the reference) times the difference from reference in place of the rescale
multipliers; the multipliers times x instead of x - x0; IG's path average or LRP-0's relevances
given as DeepLIFT's contributions; for RevealCancel, the rescale rule's contributions (first).  Rows that coincide with the right answer are dropped by the
grader (a zero reference makes x and x - x0 the same).

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/xai-global-and-counterfactual.yaml").task("deeplift")
>>> rows = misconceptions(task.problem, task.method.solve(task.problem))
>>> [r.label for r in rows]
['gradient-x-delta', 'gradient-at-reference', 'times-input', 'ig-for-deeplift', 'lrp-for-deeplift', 'summation-to-delta']
"""

from __future__ import annotations

import sympy

from symxai.misconceptions import Law, Misconception


def _gradient(p, at):
    from symxai.methods.saliency.gradients import fix_branches

    f = p.net.output_expression()
    piece = fix_branches(f, dict(zip(p.net.inputs, at)), sympy.Integer(0))
    return [sympy.diff(piece, x) for x in p.net.inputs]


def misconceptions(p, solution) -> list:
    """The rows for this problem."""
    from symxai.methods.propagation.deeplift import lrp0

    d = len(p.net.inputs)
    names = [f"C_{i + 1}" for i in range(d)]
    delta = [x - b for x, b in zip(p.point, p.baseline)]
    right = [solution.answers[n].value for n in names]
    m = [sympy.simplify(c / dx) if dx != 0 else sympy.Integer(0) for c, dx in zip(right, delta)]
    rows = [
        Misconception("gradient-x-delta", "You multiplied the gradient at x by x - x0. DeepLIFT replaces each "
                      "ReLU's derivative by its secant slope Delta a / Delta z between the two passes.",
                      dict(zip(names, [sympy.simplify(g * dx) for g, dx in zip(_gradient(p, p.point), delta)]))),
        Misconception("gradient-at-reference", "You took the gradient at the reference input x0; the multipliers "
                      "compare the two forward passes, they are not a derivative at one end.",
                      dict(zip(names, [sympy.simplify(g * dx) for g, dx in zip(_gradient(p, p.baseline), delta)]))),
        Misconception("times-input", "You multiplied the multipliers by x instead of the difference from "
                      "reference x - x0.", dict(zip(names, [sympy.simplify(mi * x) for mi, x in zip(m, p.point)]))),
    ]
    if p.compare:
        rows.append(Misconception("ig-for-deeplift", "These are the Integrated Gradients; DeepLIFT compares the two "
                                  "forward passes unit by unit, it does not average the gradient along the path.",
                                  {n: solution.answers[f"IG_{i + 1}"].value for i, n in enumerate(names)}))
    if p.rule == "reveal-cancel":
        from dataclasses import replace

        from symxai.methods.propagation.deeplift import DeepLift

        rescaled = DeepLift().solve(replace(p, rule="rescale", compare=False))
        rows.insert(0, Misconception("rescale-for-reveal-cancel", "These are the rescale rule's contributions; "
                                  "RevealCancel splits every unit's input into its positive and negative parts.",
                                  {n: rescaled.answers[n].value for n in names}))
    rows.append(Misconception("lrp-for-deeplift", "These are LRP-0 relevances at x: they explain f(x), not the "
                              "difference f(x) - f(x0) from the reference.", dict(zip(names, lrp0(p)))))
    zx = p.forward(p.point)[1][-1][p.net.output]
    z0 = p.forward(p.baseline)[1][-1][p.net.output]
    rows.append(Law("summation-to-delta", "Your contributions do not add up to f(x) - f(x0), which DeepLIFT's "
                    "contributions always do.", tuple(names),
                    lambda given: sum(given[n] for n in names) - (zx - z0)))
    return rows


def intermediates(p, solution) -> dict:
    """The rescale multiplier r_<unit> of every ReLU unit and the multipliers m_<input> of the inputs."""
    from symxai.methods.propagation.deeplift import rescale_multipliers

    out = {}
    for layer, rl in zip(p.net.layers, rescale_multipliers(p)):
        if layer.activation == "relu":
            for name, r in zip(layer.neurons, rl):
                out[f"r_{name}"] = (r, f"rescale multiplier Delta a / Delta z of unit {name}")
    for i, (x, b) in enumerate(zip(p.point, p.baseline)):
        if x != b:
            out[f"m_{i + 1}"] = (sympy.simplify(solution.answers[f"C_{i + 1}"].value / (x - b)),
                                 f"multiplier of input {i + 1}")
    return out
