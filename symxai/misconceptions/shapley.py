"""Misconceptions about Shapley values, one row each, and the coalition values as intermediates.

Every row recomputes the attributions the way a student with that
misconception would, from the same coalition values v(S) = f(x_S) the engine
uses; a given answer matches a row when it equals that value (and the value is
not the right one).

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/tub-ml-sheet14.yaml").task("shapley")
>>> rows = misconceptions(task.problem, task.method.solve(task.problem))
>>> [r.values for r in rows if r.label == "equal-weights"][0]
{'phi_1': 3/4, 'phi_2': 1/4, 'phi_3': 1/4}
"""

from __future__ import annotations

from fractions import Fraction
from math import comb, factorial

import sympy

from symxai.misconceptions import Law, Misconception


def _banzhaf(v, d, i):
    return sum(v[m | 1 << i] - v[m] for m in range(1 << d) if not m >> i & 1) / sympy.Integer(2 ** (d - 1))


def _unweighted(v, d, i):
    return sum(v[m | 1 << i] - v[m] for m in range(1 << d) if not m >> i & 1)


def _shifted_weights(v, d, i):
    # |S|!(d-|S|)!/d! instead of |S|!(d-|S|-1)!/d!: the classic off-by-one in the formula
    return sum(sympy.Rational(factorial(bin(m).count("1")) * factorial(d - bin(m).count("1")), factorial(d))
               * (v[m | 1 << i] - v[m]) for m in range(1 << d) if not m >> i & 1)


def _size_weights(v, d, i):
    # 1/d per coalition size but no 1/C(d-1, |S|) inside the size
    return sum(sympy.Rational(1, d) * (v[m | 1 << i] - v[m]) for m in range(1 << d) if not m >> i & 1)


def _leave_one_out(v, d, i):
    full = (1 << d) - 1
    return v[full] - v[full & ~(1 << i)]


def _add_one(v, d, i):
    return v[1 << i] - v[0]


def _one_ordering(v, d, i):
    return v[(1 << (i + 1)) - 1] - v[(1 << i) - 1]


# label, what the student did, rule(v, d, i) -> phi_i under that misconception
ROWS = [
    ("equal-weights", "you averaged the marginal contributions with equal weights 1/2^(d-1) (the Banzhaf "
     "value); Shapley weights a coalition S by |S|!(d-|S|-1)!/d!", _banzhaf),
    ("no-weights", "you added up the marginal contributions without the weights |S|!(d-|S|-1)!/d!", _unweighted),
    ("weight-off-by-one", "you used the weight |S|!(d-|S|)!/d!; the factorial is (d-|S|-1)!, the features "
     "other than i that are not in S", _shifted_weights),
    ("size-weights-only", "you weighted each coalition by 1/d only; within a size |S| the weight is also "
     "divided by the number of such coalitions, C(d-1, |S|)", _size_weights),
    ("leave-one-out", "you computed f(x) - f(x without feature i) (occlusion, leave one out): that is one "
     "marginal contribution, not the Shapley average over all coalitions", _leave_one_out),
    ("add-one-in", "you computed f(only feature i) - f(baseline): the contribution to the empty coalition "
     "only", _add_one),
    ("equal-split", "you split f(x) - f(baseline) equally among the d features (phi_i = (f(x) - f(baseline))/d); "
     "Shapley values share it by each feature's marginal contributions", lambda v, d, i: (v[(1 << d) - 1] - v[0]) / d),
    ("one-ordering", "you took the marginal contributions along the single ordering 1, 2, ..., d; Shapley "
     "averages over all d! orderings", _one_ordering),
]


def _values(problem, solution):
    from symxai.methods.shap_family.shapley import Shapley  # the engine's coalition values, as its solution uses them

    raw = Shapley().coalition_values(problem)
    return [sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sympy.sympify(v) for v in raw]


def _linear_network(problem):
    A, B = problem.network[:2]  # (A, B, a, b): linear in x, the biases cancel from f(x) - f(baseline) splits
    W = B * A
    return [W[problem.output, i] * (problem.point[i] - problem.baseline[i]) for i in range(problem.d)]


def misconceptions(problem, solution) -> list:
    """The Shapley catalogue: one Misconception per row of ROWS, the ReLU row for networks, efficiency."""
    v, d = _values(problem, solution), problem.d
    names = [f"{problem.prefix}_{i + 1}" for i in range(d)]
    rows = [Misconception(label, message, {n: sympy.simplify(rule(v, d, i)) for i, n in enumerate(names)})
            for label, message, rule in ROWS]
    if problem.network is not None:
        rows.append(Misconception("relu-dropped", "you treated the network as linear (g = B A x): the ReLU "
                                  "switches off hidden units with negative input",
                                  dict(zip(names, _linear_network(problem)))))
    gain = v[(1 << d) - 1] - v[0]
    rows.append(Law("efficiency", f"your Shapley values do not add up to f(x) - f(baseline) = {gain} "
                    "(efficiency): at least one of them is wrong", tuple(names),
                    lambda given: sum(given[n] for n in names) - gain))
    return rows


def coalition_name(members, d: int) -> str:
    """v_12 for v({1, 2}); v_empty for the empty coalition; v_1_10 when d > 9.

    >>> coalition_name([1, 2], 3), coalition_name([], 3), coalition_name([1, 10], 10)
    ('v_12', 'v_empty', 'v_1_10')
    """
    if not members:
        return "v_empty"
    return "v_" + ("".join if d < 10 else "_".join)(str(k) for k in members)


def intermediates(problem, solution) -> dict:
    """The coalition values v(S) = f(x_S) under the names of ``coalition_name``."""
    v, d = _values(problem, solution), problem.d
    out = {}
    for m in range(1 << d):
        members = [k + 1 for k in range(d) if m >> k & 1]
        out[coalition_name(members, d)] = (v[m], "coalition value f(x_S) for S = {"
                                           + ", ".join(map(str, members)) + "}")
    return out
