"""Misconceptions about first-order Taylor explanations phi_i = [grad f(x~)]_i (x_i - x~_i).

Every row reruns the recipe with one ingredient taken wrongly: the gradient at
the data point instead of at the root (or the reverse), the difference to the
reference point instead of to the root, a forgotten difference, a squared
norm differentiated as a norm, the root point itself misplaced.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/tub-ml1-lecture14.yaml").task("taylor-linear")
>>> rows = misconceptions(task.problem, task.method.solve(task.problem))
>>> [(r.label, r.values["phi_1"]) for r in rows if r.label == "forgot-difference"]
[('forgot-difference', w1)]
"""

from __future__ import annotations

import sympy

from symxai.misconceptions import Misconception


def _root(p, solution):
    if "x_tilde" in solution.answers:
        return list(solution.answers["x_tilde"].value)
    if p.strategy == "given":
        return list(p.given)
    return [sympy.Integer(0)] * p.d


def _unsquared(f):
    """f with every sqrt(S) replaced by S: the norm read as a squared norm."""
    return f.replace(lambda e: e.is_Pow and e.exp == sympy.S.Half, lambda e: e.base)


def _terms(p, gradient_of, at, diff):
    at_map = dict(zip(p.inputs, at))
    return {f"phi_{i + 1}": sympy.diff(gradient_of, v).xreplace(at_map) * diff[i] for i, v in enumerate(p.inputs)}


def misconceptions(problem, solution) -> list:
    """Rows for a Taylor problem: where the gradient is taken, what it multiplies, the root point."""
    p = problem
    x, root = list(p.point), _root(p, solution)
    at = root if p.gradient_at == "root" else x
    diff = [a - b for a, b in zip(x, root)]
    rows = []
    if p.gradient_at == "root":
        rows.append(Misconception("gradient-at-point", "the gradient belongs at the root point x~ (the expansion "
                                  "point), not at the data point x", _terms(p, p.f, x, diff)))
    else:
        rows.append(Misconception("gradient-at-root", "this exercise takes the gradient at x itself; at x the "
                                  "function is saturated and its gradient is zero", _terms(p, p.f, root, diff)))
    rows.append(Misconception("forgot-difference", "phi_i is the gradient times (x_i - x~_i): you gave the "
                              "gradient alone", _terms(p, p.f, at, [1] * p.d)))
    rows.append(Misconception("forgot-root", "phi_i multiplies the gradient by x_i - x~_i, the step from the "
                              "root point, not by x_i", _terms(p, p.f, at, x)))
    gain = p.f.xreplace(dict(zip(p.inputs, x))) - p.f.xreplace(dict(zip(p.inputs, root)))
    rows.append(Misconception("whole-prediction", "phi_i is one feature's share; you gave every feature the whole "
                              "f(x) - f(x~)", {f"phi_{i + 1}": gain for i in range(p.d)}))
    if p.reference is not None:
        rows.append(Misconception("difference-to-reference", "the step is x_i - x~_i from the root point on the "
                                  "segment, not x_i - mu_i from the reference point: the factor (1 - t) is missing",
                                  _terms(p, p.f, at, [a - b for a, b in zip(x, p.reference)])))
        rows.append(Misconception("root-is-reference", "the reference point is where f is smallest, not where "
                                  "f = 0: the root lies on the segment from it towards x",
                                  {"x_tilde": sympy.ImmutableMatrix(p.reference)}))
        rows.append(Misconception("root-from-point", "you measured the step t from x instead of from the "
                                  "reference point: x~ = mu + t (x - mu)",
                                  {"x_tilde": sympy.ImmutableMatrix([a + b - r for a, b, r in
                                                                     zip(x, p.reference, root)])}))
    if p.solved_root:
        rows.append(Misconception("root-is-point", "the root point satisfies f(x~) = 0; the data point x does "
                                  "not", {"x_tilde": sympy.ImmutableMatrix(x)}))
    unsquared = _unsquared(p.f)
    if unsquared != p.f:
        rows.append(Misconception("squared-norm", "you differentiated ||x - mu|| as if it were ||x - mu||^2 "
                                  "(gradient 2(x - mu)); the norm's gradient is (x - mu)/||x - mu||",
                                  _terms(p, unsquared, at, diff)))
    if p.shapley:
        from symxai.methods.shap_family.shapley import Shapley, ShapleyProblem

        shap = Shapley().solve(ShapleyProblem([p.f], 0, list(p.inputs), x, root, "phi"))
        rows.append(Misconception("shapley-values", "these are the Shapley values (features removed to the "
                                  "root point); the question asks for the gradient terms",
                                  {n: shap.answers[n].value for n in shap.answers}))
    return rows
