"""Misconceptions about the number of coalitions exact Shapley values need.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/eth-riai-ex10.yaml").task("shapley-cost")
>>> [r.label for r in misconceptions(task.problem, None)]
['orderings', 'one-feature', 'per-feature', 'nonempty']
"""

from __future__ import annotations

import sympy

from symxai.misconceptions import Misconception


def misconceptions(problem, solution) -> list:
    d = problem.d
    return [
        Misconception("orderings", "you counted orderings of the features (d!); the model is evaluated once per "
                      "coalition (subset), and there are 2^d of them", {"n_coalitions": sympy.factorial(d)}),
        Misconception("one-feature", "2^(d-1) are the coalitions one feature's Shapley value needs; all "
                      "features together need every subset: 2^d", {"n_coalitions": 2 ** (d - 1)}),
        Misconception("per-feature", "you counted d*2^(d-1) marginal contributions; they reuse the same "
                      "2^d coalition values", {"n_coalitions": d * 2 ** (d - 1)}),
        Misconception("nonempty", "the empty coalition counts too (f at the baseline): 2^d, not 2^d - 1",
                      {"n_coalitions": 2 ** d - 1}),
    ]
