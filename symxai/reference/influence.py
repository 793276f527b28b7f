"""Leave-one-out by refitting, and the influence estimate by plain linear algebra, in numpy.

The fit solves the ridge problem as an augmented least-squares problem ([X; sqrt(lambda) I] theta ~
[y; 0], ``numpy.linalg.lstsq``); leaving point k out refits on the other rows.  The influence
estimate solves H u = grad l_k with H assembled from the rows, and the leverage is read off the
hat matrix X H^-1 X^T.  No Sherman-Morrison: the exact change is the difference of two fits.

>>> out = influence([[1.0], [1.0], [1.0]], [0.0, 0.0, 3.0], 0.0, 2, [1.0], 0.0)
>>> [round(float(v), 6) for v in (out["theta"][0], out["dloo"][0], out["dif"][0], out["lev"])]
[1.0, -1.0, -0.666667, 0.333333]
"""

from __future__ import annotations

from symxai.lazy import numpy as np


def ridge_fit(X, y, lam: float):
    """argmin ||y - X theta||^2 + lam ||theta||^2 by least squares on the augmented system."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    d = X.shape[1]
    A = np.vstack([X, np.sqrt(lam) * np.eye(d)]) if lam > 0 else X
    b = np.concatenate([y, np.zeros(d)]) if lam > 0 else y
    return np.linalg.lstsq(A, b, rcond=None)[0]


def influence(X, y, lam: float, k: int, x_test, y_test: float) -> dict:
    """theta, the influence estimate dif, the leverage, the refit change dloo and both test-loss changes."""
    X, y, xt = np.asarray(X, float), np.asarray(y, float), np.asarray(x_test, float)
    theta = ridge_fit(X, y, lam)
    keep = [i for i in range(len(y)) if i != k]
    theta_k = ridge_fit(X[keep], y[keep], lam)
    H = sum(np.outer(row, row) for row in X) + lam * np.eye(X.shape[1])
    grad = -(y[k] - X[k] @ theta) * X[k]  # gradient of 1/2 (y_k - x_k theta)^2
    dif = np.linalg.solve(H, grad)
    hat = X @ np.linalg.solve(H, X.T)

    def loss(t):
        return 0.5 * (y_test - xt @ t) ** 2

    grad_t = -(y_test - xt @ theta) * xt
    return {"theta": theta, "dif": dif, "lev": float(hat[k, k]), "dloo": theta_k - theta,
            "dl_if": float(grad_t @ dif), "dl_loo": float(loss(theta_k) - loss(theta))}
