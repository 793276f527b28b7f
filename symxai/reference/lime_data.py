"""LIME on a data set in floats: kernel weights, least squares, ridge and lasso with an unpenalised intercept.

Least squares and ridge: np.linalg.lstsq on sqrt(pi)-scaled rows with a column of ones for the intercept
(ridge adds sqrt(alpha) I rows that leave the intercept free). Lasso: cyclic coordinate descent with
soft-thresholding on scikit-learn's objective 1/(2 sum pi) sum pi_i r_i^2 + alpha ||beta||_1, the intercept
updated in closed form after every sweep. Shares no code with ``symxai.methods.surrogates.lime_data``.

>>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([1.0, 3.0, 5.0])
>>> beta, b0 = fit(X, y, np.ones(3), "none", 0.0, True)
>>> [round(float(v), 6) for v in beta], round(b0, 6)
([2.0], 1.0)
"""

from __future__ import annotations

from symxai.lazy import numpy as np


def kernel(X, x0, width: float) -> np.ndarray:
    """The lime package's tabular kernel: sqrt(exp(-d^2 / width^2)), d the Euclidean distance to x0."""
    d = np.sqrt(((np.asarray(X, float) - np.asarray(x0, float)) ** 2).sum(axis=1))
    return np.sqrt(np.exp(-d ** 2 / width ** 2))


def _lstsq(X, y, w, alpha, intercept):
    m, n = X.shape
    r = np.sqrt(w)
    A = r[:, None] * (np.hstack([X, np.ones((m, 1))]) if intercept else X)
    b = r * y
    if alpha > 0:
        pen = np.hstack([np.sqrt(alpha) * np.eye(n), np.zeros((n, 1))]) if intercept else np.sqrt(alpha) * np.eye(n)
        A, b = np.vstack([A, pen]), np.concatenate([b, np.zeros(n)])
    sol = np.linalg.lstsq(A, b, rcond=None)[0]
    return (sol[:n], float(sol[n])) if intercept else (sol, 0.0)


def _lasso(X, y, w, alpha, intercept, sweeps: int = 200000, tol: float = 1e-14):
    m, n = X.shape
    w = w / w.sum()  # the objective 1/2 sum w_i r_i^2 + alpha ||beta||_1 with weights summing to 1
    beta, b0 = np.zeros(n), 0.0
    for _ in range(sweeps):
        old = beta.copy()
        if intercept:
            b0 = float(w @ (y - X @ beta))
        for j in range(n):
            r = y - b0 - X @ beta + X[:, j] * beta[j]
            rho, z = float(w @ (X[:, j] * r)), float(w @ X[:, j] ** 2)
            beta[j] = np.sign(rho) * max(abs(rho) - alpha, 0.0) / z
        if np.max(np.abs(beta - old)) < tol:
            break
    if intercept:
        b0 = float(w @ (y - X @ beta))
    return beta, b0


def fit(X, y, w, penalty: str, alpha: float, intercept: bool):
    """(beta, beta_0) of the weighted surrogate; beta_0 = 0 without an intercept."""
    X, y, w = np.asarray(X, float), np.asarray(y, float), np.asarray(w, float)
    if penalty == "lasso":
        return _lasso(X, y, w, alpha, intercept)
    return _lstsq(X, y, w, alpha if penalty == "ridge" else 0.0, intercept)
