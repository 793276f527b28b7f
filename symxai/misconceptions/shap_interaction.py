"""Misconceptions about SHAP interaction values: the factor 1/2, the diagonal, the weights.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/xai-shap-family.yaml").task("interactions.product")
>>> rows = misconceptions(task.problem, task.method.solve(task.problem))
>>> [r.values["phi_12"] for r in rows if r.label in ("no-half", "shapley-weights")]
[6, 3]
"""

from __future__ import annotations

from math import factorial

import sympy

from symxai.methods.shap_family._shapsum import shapley_values
from symxai.methods.shap_family.shap_interaction import ShapInteraction
from symxai.misconceptions import Law, Misconception


def _pairs(v, d, weight):
    out = {}
    for i in range(d):
        for j in range(i + 1, d):
            pair = 1 << i | 1 << j
            out[(i, j)] = sympy.nsimplify(sum((weight(bin(m).count("1")) * (v[m | pair] - v[m | 1 << i] - v[m | 1 << j] + v[m])
                                               for m in range(1 << d) if not m & pair), sympy.Integer(0)))
    return out


def _named(pairs, diagonal, d) -> dict:
    out = {f"phi_{i + 1}{j + 1}": val for (i, j), val in pairs.items()}
    out.update({f"phi_{i + 1}{i + 1}": sympy.nsimplify(val) for i, val in enumerate(diagonal)})
    return out


def misconceptions(problem, solution) -> list:
    """Rows for the usual slips, then efficiency over the whole matrix."""
    d = problem.d
    v = ShapInteraction().values(problem)
    phis = shapley_values(v, d)
    half = _pairs(v, d, lambda s: sympy.Rational(factorial(s) * factorial(d - s - 2), 2 * factorial(d - 1)))

    def diag(pairs):
        return [phis[i] - sum(val for (a, b), val in pairs.items() if i in (a, b)) for i in range(d)]
    index = {k: 2 * val for k, val in half.items()}
    sw = _pairs(v, d, lambda s: sympy.Rational(factorial(s) * factorial(d - s - 1), factorial(d)))
    last = _pairs(v, d, lambda s: sympy.Integer(1 if s == d - 2 else 0))
    rows = [
        Misconception("no-half", "you took the whole Shapley interaction index as phi_ij; SHAP interaction values "
                      "split it evenly between phi_ij and phi_ji (the factor 1/2)", _named(index, diag(index), d)),
        Misconception("diagonal-is-shapley", "you put the Shapley value phi_i on the diagonal; the main effect is "
                      "phi_ii = phi_i minus the interactions of feature i", _named(half, phis, d)),
        Misconception("shapley-weights", "you weighted the second differences by the Shapley weights "
                      "|S|!(d-|S|-1)!/d!; a pair is weighted by |S|!(d-|S|-2)!/(2(d-1)!)", _named(sw, diag(sw), d)),
        Misconception("full-coalition-only", "you took the second difference v(N) - v(N-i) - v(N-j) + v(N-ij) "
                      "only; the interaction value averages it over all coalitions without i and j, and halves it",
                      _named(last, diag(last), d)),
    ]
    names = [f"phi_{i + 1}{j + 1}" for i in range(d) for j in range(i, d)]
    gain = sympy.nsimplify(v[-1] - v[0])

    def residual(given):
        return sum(given[n] * (1 if n[-1] == n[-2] else 2) for n in names) - gain
    rows.append(Law("efficiency", f"your matrix does not add up to v(N) - v(empty) = {gain} (count each phi_ij "
                    "for i != j twice): at least one entry is wrong", tuple(names), residual))
    return rows
