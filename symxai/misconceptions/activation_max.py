"""Misconceptions about activation maximisation: the classic slips in x* = argmax f(x) + Omega(x).

Each row recomputes the prototype from the problem's own pieces (the model's
gradient, the penalty weight, the Gaussian's mean and covariance, the
generator) the way a student with that slip would.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/tub-ml1-lecture14.yaml").task("am-linear")
>>> rows = misconceptions(task.problem, task.method.solve(task.problem))
>>> [r.label for r in rows]
['penalty-factor', 'minimiser', 'penalty-squared']
"""

from __future__ import annotations

import sympy

from symxai.misconceptions import Misconception


def _quadratic(p):
    """Rows for J = f - kappa ||v||^2 (kappa > 0), with or without a generator x = A z + c."""
    kappa = -p.s * p.lam
    grad = p.A.T * p.w if p.z is not None else p.w
    slips = [
        ("penalty-factor", "the gradient of lambda ||x||^2 is 2 lambda x, not lambda x: you lost the factor 2",
         grad / kappa),
        ("minimiser", "you solved for the minimiser: the objective is maximised, so x* points along the "
         "gradient of f, not against it", -grad / (2 * kappa)),
        ("penalty-squared", "the penalty is lambda ||x||^2, not (lambda ||x||)^2: the weight appears once",
         grad / (2 * kappa ** 2)),
    ]
    rows = []
    for label, message, star in slips:
        values = {"z_star": star, "x_star": p.A * star + p.c} if p.z is not None else {"x_star": star}
        rows.append(Misconception(label, message, values))
    if p.z is not None:
        right = grad / (2 * kappa)
        rows += [
            Misconception("generator-offset", "x = A z + c: the prototype in input space includes the offset c",
                          {"x_star": p.A * right}),
            Misconception("no-generator", "f is maximised over the code z, so the penalty acts on z and the "
                          "weights reach z through A^T: x* = A A^T w / (2 lambda) + c, not w / (2 lambda)",
                          {"x_star": p.w / (2 * kappa)}),
            Misconception("missing-transpose", "the gradient of w^T A z with respect to z is A^T w",
                          {"z_star": p.A * p.w / (2 * kappa)} if p.A.shape[0] == p.A.shape[1] else {}),
        ]
    return rows


def _gaussian(p):
    grad = p.w
    return [
        Misconception("inverse-covariance", "the Gaussian's gradient is -Sigma^-1 (x - mu), so solving for x "
                      "multiplies by Sigma, not by Sigma^-1", {"x_star": p.Sigma.I * grad + p.mu}),
        Misconception("missing-mean", "the Gaussian is centred at mu: x - mu = Sigma w, so x* = mu + Sigma w",
                      {"x_star": p.Sigma * grad}),
        Misconception("minimiser", "you solved for the minimiser: the prototype moves from mu along Sigma w, "
                      "towards larger f", {"x_star": p.mu - p.Sigma * grad}),
        Misconception("half-quadratic", "log N has -(1/2)(x - mu)^T Sigma^-1 (x - mu), whose gradient is "
                      "-Sigma^-1 (x - mu): you doubled it", {"x_star": p.Sigma * grad / 2 + p.mu}),
    ]


def _posterior(p):
    d = p.x.shape[0]
    return [
        Misconception("no-log", "the constant is log p(omega_c), a logarithm: the objective is a sum of logs",
                      {"const": p.prior}),
        Misconception("bayes-sign", "log p(omega_c | x) + log p(x) = log p(x | omega_c) + log p(omega_c): "
                      "the prior is added, not subtracted", {"const": -sympy.log(p.prior)}),
        Misconception("gaussian-normaliser", "the normaliser -(d/2) log(2 pi) - (1/2) log det Sigma belongs to "
                      "log N(x; mu, Sigma) itself, not to the constant",
                      {"const": sympy.log(p.prior) - d * sympy.log(2 * sympy.pi) / 2}),
        Misconception("covariance-scaled", "log N(x; mu, Sigma) is largest at its mean mu; Sigma only shapes "
                      "how fast it falls off", {"x_star": p.Sigma * p.mu}),
    ]


def _max(p):
    kappa = -p.s * p.lam
    n = len(p.inputs)
    unit = [sympy.ImmutableMatrix([1 / (2 * kappa) if j == k else 0 for j in range(n)]) for k in range(n)]
    tie = sympy.ImmutableMatrix([1 / (2 * n * kappa)] * n)
    return [
        Misconception("one-maximiser", "max(x1, ..., xn) is symmetric in its inputs: every input can be the "
                      "largest, and each case gives a maximiser of the same value", {"x_star": unit[0]}),
        Misconception("one-maximiser", "max(x1, ..., xn) is symmetric in its inputs: every input can be the "
                      "largest, and each case gives a maximiser of the same value",
                      {"x_star": sympy.FiniteSet(unit[-1])}),
        Misconception("tie-point", "you shared the gradient of max equally between tied inputs; but J is "
                      "smaller at the tie than at a point where one input wins alone", {"x_star": tie}),
        Misconception("tie-point", "you shared the gradient of max equally between tied inputs; but J is "
                      "smaller at the tie than at a point where one input wins alone",
                      {"x_star": sympy.FiniteSet(tie)}),
        Misconception("penalty-factor", "the gradient of lambda ||x||^2 is 2 lambda x: you lost the factor 2",
                      {"x_star": sympy.FiniteSet(*[2 * u for u in unit])}),
    ]


def misconceptions(problem, solution) -> list:
    """Rows for the problem's model and regulariser (rows never fire where they equal the answer)."""
    p = problem
    if p.model == "max":
        return _max(p)
    if p.model == "posterior":
        return _posterior(p)
    if p.omega == "l2":
        return _quadratic(p)
    return _gaussian(p)
