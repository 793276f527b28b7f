"""Permutation importance by enumeration: the MSE after each of the n! orderings of one column, averaged.

>>> X = np.array([[0.0], [1.0], [2.0]])
>>> out = exact_permutation_importance(X, np.array([0.0, 1.0, 2.0]), np.array([1.0]), 0.0, 0)
>>> round(out["importance"], 6), out["permutations"]
(1.333333, 6)
"""

from __future__ import annotations

from itertools import permutations

from symxai.lazy import numpy as np


def exact_permutation_importance(X, y, w, b: float, j: int) -> dict:
    """Mean over all permutations of column j of MSE(permuted) - MSE, with the MSE and cov(e, x_j)."""
    X, y, w = np.asarray(X, float), np.asarray(y, float), np.asarray(w, float)

    def mse(A):
        return float(np.mean((y - A @ w - b) ** 2))

    base = mse(X)
    total, count = 0.0, 0
    for order in permutations(range(len(X))):
        Xp = X.copy()
        Xp[:, j] = X[list(order), j]
        total += mse(Xp)
        count += 1
    e = y - X @ w - b
    cov = float(np.mean(e * (X[:, j] - X[:, j].mean())))
    return {"mse": base, "importance": total / count - base, "cov": cov, "permutations": count}
