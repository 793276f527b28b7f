"""LIME's surrogate regressions in floats: weighted least squares, ridge, best subset, lasso.

Weighted least squares is ordinary least squares on rows scaled by the
square roots of the weights (a Cholesky factor for a full W); ridge adds
sqrt(lambda) I as extra rows; the l0 problem is solved by trying every
support; the l1-constrained problem by SLSQP on beta = u - v, u, v >= 0.
Shares no code with the symbolic route.

>>> X = np.array([[1.0, 0], [0, 1], [1, 1]]); y = np.array([1.0, 2, 3]); W = np.eye(3)
>>> [round(float(v), 6) for v in weighted_lstsq(X, W, y)]
[1.0, 2.0]
>>> [round(float(v), 6) for v in best_subset(X, W, y, 1)]
[0.0, 2.5]
"""

from __future__ import annotations

from itertools import combinations

from symxai.lazy import numpy as np


def _root(W) -> np.ndarray:
    """R with R^T R = W: sqrt of the diagonal when W is diagonal, else a Cholesky factor."""
    W = np.asarray(W, dtype=float)
    if np.allclose(W, np.diag(np.diag(W))):
        return np.diag(np.sqrt(np.diag(W)))
    return np.linalg.cholesky(W).T


def weighted_lstsq(X, W, y) -> np.ndarray:
    """argmin ||W^(1/2) (y - X beta)||^2 by np.linalg.lstsq on the scaled rows."""
    R = _root(W)
    return np.linalg.lstsq(R @ np.asarray(X, float), R @ np.asarray(y, float).reshape(-1), rcond=None)[0]


def ridge(X, W, y, lam: float) -> np.ndarray:
    """argmin ||W^(1/2)(y - X beta)||^2 + lam ||beta||^2 as least squares with sqrt(lam) I appended."""
    R, X = _root(W), np.asarray(X, float)
    n = X.shape[1]
    A = np.vstack([R @ X, np.sqrt(lam) * np.eye(n)])
    b = np.concatenate([R @ np.asarray(y, float).reshape(-1), np.zeros(n)])
    return np.linalg.lstsq(A, b, rcond=None)[0]


def loss(X, W, y, beta) -> float:
    r = np.asarray(y, float).reshape(-1) - np.asarray(X, float) @ beta
    return float(r @ np.asarray(W, float) @ r)


def best_subset(X, W, y, k: int) -> np.ndarray:
    """The l0-constrained optimum: weighted least squares on every support of size <= k."""
    X = np.asarray(X, float)
    n = X.shape[1]
    best, best_loss = np.zeros(n), loss(X, W, y, np.zeros(n))
    for size in range(1, k + 1):
        for support in combinations(range(n), size):
            beta = np.zeros(n)
            beta[list(support)] = weighted_lstsq(X[:, support], W, y)
            value = loss(X, W, y, beta)
            if value < best_loss - 1e-12:
                best, best_loss = beta, value
    return best


def lasso_constrained(X, W, y, t: float) -> np.ndarray:
    """argmin ||W^(1/2)(y - X beta)||^2 subject to ||beta||_1 <= t, by SLSQP on beta = u - v."""
    X, W, y = np.asarray(X, float), np.asarray(W, float), np.asarray(y, float).reshape(-1)
    n = X.shape[1]
    scale = max(1.0, float(np.abs(X.T @ W @ X).max()))  # SLSQP's line search dislikes large objectives
    G, c = X.T @ W @ X / scale, X.T @ W @ y / scale

    def split(z):
        return z[:n] - z[n:]

    def objective(z):
        b = split(z)
        return b @ G @ b - 2 * c @ b

    def gradient(z):
        g = 2 * (G @ split(z) - c)
        return np.concatenate([g, -g])

    from scipy.optimize import minimize  # imported when needed: scipy costs `check` half a second

    res = minimize(objective, np.zeros(2 * n), jac=gradient, method="SLSQP",
                   bounds=[(0, None)] * (2 * n),
                   constraints=[{"type": "ineq", "fun": lambda z: t - z.sum(), "jac": lambda z: -np.ones(2 * n)}],
                   options={"ftol": 1e-15, "maxiter": 1000})
    if not res.success:
        raise RuntimeError(f"the lasso solver failed: {res.message}")
    return split(res.x)
