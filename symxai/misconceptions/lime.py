"""Misconceptions about LIME's weighted least-squares surrogate and its budgets.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/yale-hw1.yaml").task("lime.b")
>>> [(r.label, r.values["beta"]) for r in misconceptions(task.problem, None)][0]
('unweighted', (X.T*X)**(-1)*X.T*y)
"""

from __future__ import annotations

import sympy

from symxai.misconceptions import Misconception
from symxai.methods.surrogates.lime import _kkt_lasso, support_fits


def _closed(p):
    X, W, y = p.X, p.W, p.y
    n = X.shape[1]
    if p.kind == "least-squares":
        name = "beta"
        rows = [
            ("unweighted", "LIME weights every sample by its kernel weight: (X^T W X)^-1 X^T W y, not the plain "
             "least-squares (X^T X)^-1 X^T y", (X.T * X).I * X.T * y),
            ("weight-once", "W appears on both sides of the normal equations: X^T W X beta = X^T W y",
             (X.T * W * X).I * X.T * y),
            ("weight-once", "W appears on both sides of the normal equations: X^T W X beta = X^T W y",
             (X.T * X).I * X.T * W * y),
            ("inverse-weights", "the loss is (y - X beta)^T W (y - X beta): W itself, not W^-1",
             (X.T * W.I * X).I * X.T * W.I * y),
        ]
    else:
        name, lam, I = "beta_ridge", p.lam, sympy.Identity(n)
        rows = [
            ("no-penalty", "the l2 budget adds lambda I to X^T W X (the Lagrange multiplier's term)",
             (X.T * W * X).I * X.T * W * y),
            ("unweighted", "the ridge surrogate keeps the kernel weights: (X^T W X + lambda I)^-1 X^T W y",
             (X.T * X + lam * I).I * X.T * y),
            ("penalty-sign", "the penalty lambda ||beta||^2 is added to the loss: + lambda I",
             (X.T * W * X - lam * I).I * X.T * W * y),
            ("penalty-factor", "the gradient of lambda ||beta||^2 is 2 lambda beta and the loss's is "
             "2 X^T W (X beta - y): the 2s cancel, leaving lambda I", (X.T * W * X + 2 * lam * I).I * X.T * W * y),
        ]
    return [Misconception(label, message, {name: value}) for label, message, value in rows]


def _best_subset(G, c, loss, n, k):
    best, best_loss = sympy.zeros(n, 1), loss(sympy.zeros(n, 1))
    for _, beta in support_fits(G, c, n, k):
        if loss(beta) < best_loss:
            best, best_loss = beta, loss(beta)
    return sympy.ImmutableMatrix(best)


def _sparse(p):
    X, y, n = p.X, p.y, p.X.shape[1]
    out = {}
    for weighted in (True, False):
        W = p.W if weighted else sympy.eye(X.shape[0])
        G, c = sympy.ImmutableMatrix(X.T * W * X), sympy.ImmutableMatrix(X.T * W * y)
        loss = (lambda W: lambda b: ((y - X * b).T * W * (y - X * b))[0])(W)
        out[weighted] = (G.solve(c), _best_subset(G, c, loss, n, p.k), _kkt_lasso(G, c, p.t)[0])
    ols = out[True][0]
    keep = sorted(range(n), key=lambda i: -abs(ols[i]))[:p.k]
    thresholded = sympy.ImmutableMatrix([ols[i] if i in keep else 0 for i in range(n)])
    scaled = ols * p.t / sum(abs(v) for v in ols)
    return [
        Misconception("no-budget", "this is the unconstrained weighted least-squares solution: the budget "
                      "(at most k nonzero, or ||beta||_1 <= t) binds here", {"beta_l0": ols, "beta_l1": ols}),
        Misconception("unweighted", "the fit weights each sample by its kernel weight",
                      {"beta_l0": out[False][1], "beta_l1": out[False][2]}),
        Misconception("thresholded", "zeroing the smallest coefficients of the full fit is not the best subset: "
                      "refit the kept features", {"beta_l0": thresholded}),
        Misconception("scaled-down", "shrinking the full fit until ||beta||_1 = t is not the lasso: the KKT "
                      "conditions move the coefficients unequally and can set some to 0", {"beta_l1": scaled}),
    ]


def misconceptions(problem, solution) -> list:
    """Rows for the closed forms (least squares, ridge) or the sparse budgets on data."""
    if problem.kind == "data":
        from symxai.methods.surrogates.lime_data import misconception_rows
        return misconception_rows(problem)
    return _sparse(problem) if problem.kind == "sparse" else _closed(problem)
