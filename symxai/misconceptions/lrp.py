"""Misconceptions about LRP: another rule than the one asked, the bias convention, no conservation.

Each row re-runs the engine's propagation with the student's mistake built in
(LRP-0 where LRP-gamma or z+ was asked, z+ where gamma was asked, the biases
left out or counted as a neuron the other way round), so the wrong answers are
exact Piecewise formulas over the same regions as the right ones.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/tub-ml-sheet11.yaml").task("lrp-min.A")
>>> rows = misconceptions(task.problem, task.method.solve(task.problem))
>>> [r.label for r in rows]
['rule-lrp0', 'rule-z+', 'conservation']
"""

from __future__ import annotations

from dataclasses import replace

import sympy

from symxai.misconceptions import Law, Misconception

# rule asked -> the rules a student typically uses instead, with what they did
_INSTEAD = {
    "gamma": [("lrp0", "you propagated with LRP-0 (gamma = 0): the rule asked adds gamma w_jk^+ to every "
               "weight, in the numerator and in the denominator"),
              ("z+", "you kept only the positive weights (the z+ rule, the limit gamma -> oo); LRP-gamma keeps "
                     "the negative weights and adds gamma w_jk^+")],
    "z+": [("lrp0", "you propagated with LRP-0, all weights; the z+ rule keeps only the positive weights "
                    "w_jk^+, in the numerator and in the denominator")],
    "lrp0": [("z+", "you kept only the positive weights (z+); LRP-0 uses every weight w_jk as it is")],
    "epsilon": [("lrp0", "you left out the stabiliser epsilon in the denominator (that is LRP-0)")],
}
_BIAS = {"neuron": ("ignore", "you left the biases out of the denominators; the convention here counts each bias "
                              "as a neuron of activation 1, which absorbs part of the relevance"),
         "ignore": ("neuron", "you counted the biases in the denominators; the convention here leaves them out, "
                              "so the relevance of a layer is conserved")}


def _answers(problem, **change) -> dict:
    from symxai.methods.propagation.lrp import Lrp  # the engine's own propagation, with the mistake built into the problem

    wrong = replace(problem, implements=None, refined=None, **change)  # regions split for the wrong rule
    return {name: answer.value for name, answer in Lrp().solve(wrong).answers.items()}


def misconceptions(problem, solution) -> list:
    """Rows for every rule a student may use instead of the asked one, the other bias convention, and the
    conservation law of the input relevances (for networks without biases or stabilisers)."""
    rows, asked = [], {r.key for r in problem.rules}
    if len(asked) == 1 and problem.regions is not None:  # with symbolic weights w+ = Max(0, w) is no help
        from symxai.solve.lrp_rules import RULES
        (key,) = asked
        for other, message in _INSTEAD.get(key, []):
            rows.append(Misconception(f"rule-{other}", message,
                                      _answers(problem, rules=[RULES[other]] * len(problem.rules))))
    if problem.network.has_bias and any(r.bias for r in problem.rules):
        other, message = _BIAS[problem.bias]
        rows.append(Misconception("bias-convention", message, _answers(problem, bias=other)))
    if problem.regions is None:  # symbolic weights: gates H(z) in the answers
        rows.append(Misconception(
            "relu-ignored", "you treated every hidden neuron as active; a ReLU neuron with z_j <= 0 has a_j = 0 "
            "and receives and passes on no relevance (the factor H(z_j) in the answer)",
            {n: a.value.replace(sympy.Heaviside, lambda *args: sympy.Integer(1))
             for n, a in solution.answers.items()}))
    conserving = not problem.network.has_bias and not any(r.stabilised for r in problem.rules)
    if conserving and solution is not None:
        names = tuple(problem.network.input_relevance)
        total = sympy.Add(*[solution.answers[n].value for n in names])
        conserving = _conserves(problem, total)
    if conserving and solution is not None:
        rows.append(Law("conservation", "your input relevances do not add up to the output y: without biases "
                        "every rule here conserves relevance from layer to layer", names,
                        lambda given: sympy.Add(*[given[n] for n in names]) - total))
    return rows



def _conserves(problem, total) -> bool:
    """Do the engine's input relevances add up to y in every region?  Not where a denominator vanishes
    (z+ on x1 - x2 at x1 = 0 passes nothing): there the conservation hint would be false."""
    if problem.regions is None:
        return True
    import numpy as np

    from symxai.expr.numeval import evaluate
    from symxai.solve.regions import region_point
    y, rng = problem.network.output_expression(), np.random.default_rng(0)
    for region in problem.regions:
        point = region_point(region, rng)
        if point is not None:
            values = {s: 1 for s in sympy.sympify(total).free_symbols}  # a parameter (gamma): one admissible value
            values.update(zip(problem.network.inputs, point))
            if abs(evaluate(total, values) - evaluate(y, values)) > 1e-9 * max(1.0, abs(evaluate(y, values))):
                return False
    return True
