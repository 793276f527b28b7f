"""Partial dependence and ICE by brute force: evaluate a vectorised model on copies of the data.

``model(X)`` takes an (m, d) array and returns m predictions.  For each grid value the data's
column j is overwritten and the model run on all rows; ICE keeps the rows, PDP averages them.

>>> model = lambda X: X[:, 0] * X[:, 1]
>>> X = np.array([[0.0, -1.0], [5.0, 1.0], [1.0, 3.0]])
>>> ice(model, X, 0, [2.0]).ravel().tolist(), partial_dependence(model, X, 0, [2.0]).tolist()
([-2.0, 2.0, 6.0], [2.0])
"""

from __future__ import annotations

from symxai.lazy import numpy as np


def ice(model, X, j: int, grid) -> np.ndarray:
    """(n, len(grid)) array: row i, grid value g -> model(x_i with x_ij = g)."""
    X = np.asarray(X, float)
    out = np.empty((len(X), len(grid)))
    for g_index, g in enumerate(grid):
        Xg = X.copy()
        Xg[:, j] = g
        out[:, g_index] = model(Xg)
    return out


def partial_dependence(model, X, j: int, grid) -> np.ndarray:
    """The mean of the ICE curves at every grid value."""
    return ice(model, X, j, grid).mean(axis=0)
