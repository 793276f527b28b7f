"""A fitted one-class SVM in floats: gamma = "scale", the layer-1 neurons, the score and the decision function.

Computed from the kernel expansion f(x) = sum_i alpha_i exp(-gamma ||x - u_i||^2) directly (a stable
log-sum-exp for o), sharing no code with ``symxai.methods.neuralize.svm_fitted``.

>>> h, o, g = fitted_svm(np.array([0.0, 0.0]), np.array([[0.0, 0.0]]), np.array([2.0]), 1.0, 1.0)
>>> round(float(h[0]), 6), round(o, 6), round(g, 6)
(-0.693147, -0.693147, 1.0)
"""

from __future__ import annotations

from symxai.lazy import numpy as np


def scale_gamma(X) -> float:
    """scikit-learn's gamma="scale": 1 / (n_features * X.var())."""
    X = np.asarray(X, dtype=float)
    return 1.0 / (X.shape[1] * X.var())


def fitted_svm(x, U, alpha, gamma: float, rho: float):
    """(h, o, g): h_i = D_i - log(alpha_i/rho)/gamma, o = -log(f/rho)/gamma, g = f - rho."""
    D = ((np.asarray(U, float) - np.asarray(x, float)) ** 2).sum(axis=1)
    logs = np.log(np.asarray(alpha, float)) - gamma * D
    top = logs.max()
    log_f = top + np.log(np.exp(logs - top).sum())
    h = D - np.log(np.asarray(alpha, float) / rho) / gamma
    return h, float(-(log_f - np.log(rho)) / gamma), float(np.exp(log_f) - rho)
