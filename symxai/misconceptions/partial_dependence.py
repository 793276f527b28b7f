"""Misconceptions about partial dependence and ICE, one row each.

The curves summed instead of averaged; the model evaluated at the mean of the other features
(f(z, mean x_-j), the "plug-in" curve, which differs from the PDP wherever f is not linear in them);
the mean prediction of the data (a constant, the feature never varied); one ICE curve taken for the
PDP; the grid value put into every feature instead of feature j only.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/xai-global-and-counterfactual.yaml").task("pdp")
>>> rows = misconceptions(task.problem, task.method.solve(task.problem))
>>> [(r.label, r.values["pdp"]) for r in rows][:3]
[('sum-not-mean', 3*z + 2), ('plug-in-mean', z), ('mean-prediction', 11/3)]
"""

from __future__ import annotations

import sympy

from symxai.misconceptions import Misconception


def misconceptions(p, solution) -> list:
    """The rows for this problem."""
    pdp = solution.answers["pdp"].value
    n = len(p.rows)
    means = [sympy.Add(*[r[k] for r in p.rows]) / n for k in range(len(p.inputs))]
    plug = dict(zip(p.inputs, means))
    plug[p.inputs[p.j]] = p.z
    mean_pred = sympy.Add(*[p.f.xreplace(dict(zip(p.inputs, r))) for r in p.rows]) / n
    rows = [
        Misconception("sum-not-mean", "You added the ICE curves; the partial dependence is their mean (divide by n).",
                      {"pdp": sympy.expand(n * pdp)}),
        Misconception("plug-in-mean", "You evaluated f at the mean of the other features. The PDP averages f over "
                      "the data; the two agree only where f is linear in the other features.",
                      {"pdp": sympy.expand(p.f.xreplace(plug))}),
        Misconception("mean-prediction", "You averaged the model's predictions on the data as they are: feature "
                      "j must be set to z in every row.", {"pdp": sympy.simplify(mean_pred)}),
        Misconception("one-ice", "That is the ICE curve of the first point, not the mean over all points.",
                      {"pdp": solution.answers["ice_1"].value}),
        Misconception("z-everywhere", "You set every feature to z; only feature j takes the grid value.",
                      {"pdp": sympy.expand(p.f.xreplace({x: p.z for x in p.inputs}))}),
    ]
    return rows
