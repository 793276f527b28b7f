"""Neuralized models in numpy: one-class SVM scores and k-means with LRP.

The SVM score is computed from the kernel expansion itself, o = -log f / gamma
with f = sum_i alpha_i exp(-gamma ||x - u_i||^2), not from the network; the
min-pooling limit by a stable log-sum-exp at a very large gamma.  k-means
works from squared distances to the centroids; weights and biases of the
competitor neurons are read off by finite differences.

>>> u = np.array([[0.0, 0.0], [2.0, 0.0]])
>>> round(svm_score(np.array([1.0, 0.0]), u, np.array([1.0, 1.0]), 1.0), 6)
0.306853
>>> round(soft_min(np.array([3.0, 1.0, 2.0]), 1e9), 6)
1.0
"""

from __future__ import annotations

from symxai.lazy import numpy as np


def svm_score(x, support, alpha, gamma: float) -> float:
    """o(x) = -log(sum_i alpha_i exp(-gamma ||x - u_i||^2)) / gamma (support: M x d)."""
    sq = np.sum((np.asarray(support, dtype=float) - np.asarray(x, dtype=float).reshape(1, -1)) ** 2, axis=1)
    z = np.log(np.asarray(alpha, dtype=float)) - gamma * sq
    top = z.max()
    return float(-(top + np.log(np.sum(np.exp(z - top)))) / gamma)


def svm_layer1(x, support, alpha, gamma: float) -> np.ndarray:
    """The quantities whose soft-min is o: ||x - u_i||^2 - log(alpha_i) / gamma."""
    sq = np.sum((np.asarray(support, dtype=float) - np.asarray(x, dtype=float).reshape(1, -1)) ** 2, axis=1)
    return sq - np.log(np.asarray(alpha, dtype=float)) / gamma


def soft_min(h, gamma: float) -> float:
    """-log(sum_i exp(-gamma h_i)) / gamma, computed stably."""
    z = -gamma * np.asarray(h, dtype=float)
    top = z.max()
    return float(-(top + np.log(np.sum(np.exp(z - top)))) / gamma)


def kmeans_lrp(x, centroids, c: int, beta: float, step: float = 1e-6) -> dict:
    """Competitor scores h_k = ||x - mu_k||^2 - ||x - mu_c||^2 (k != c), their weights and
    biases by finite differences, soft-min relevances R_k and midpoint-rule input relevances."""
    x = np.asarray(x, dtype=float)
    mus = np.asarray(centroids, dtype=float)
    score = lambda z, k: float(np.sum((z - mus[k]) ** 2) - np.sum((z - mus[c]) ** 2))
    others = [k for k in range(len(mus)) if k != c]
    h = np.array([score(x, k) for k in others])
    w = np.zeros((len(others), x.size))
    for j, k in enumerate(others):
        for i in range(x.size):
            e = np.zeros(x.size)
            e[i] = step * max(1.0, abs(x[i]))
            w[j, i] = (score(x + e, k) - score(x - e, k)) / (2 * e[i])
    b = np.array([score(np.zeros(x.size), k) for k in others])
    out = float(h.min())
    soft = np.exp(-beta * (h - h.min()))
    R_hidden = soft / soft.sum() * out
    R_in = np.zeros(x.size)
    for j, k in enumerate(others):
        mid = (mus[c] + mus[k]) / 2  # the point of the boundary between c and k on their segment
        contrib = w[j] * (x - mid)
        R_in += contrib / contrib.sum() * R_hidden[j]
    return {"others": others, "h": h, "w": w, "b": b, "R_out": out, "R_hidden": R_hidden, "R_in": R_in}


def competitor_neuron(mu_k, mu_c, step: float = 1e-6) -> tuple[np.ndarray, float]:
    """Weights and bias of h(x) = ||x - mu_k||^2 - ||x - mu_c||^2 for centroids in any dimension:
    the gradient by central differences at a random point, the bias as h(0); h is affine, which is
    checked at a second point."""
    mu_k, mu_c = np.asarray(mu_k, dtype=float), np.asarray(mu_c, dtype=float)
    h = lambda z: float(np.sum((z - mu_k) ** 2) - np.sum((z - mu_c) ** 2))
    x = np.random.default_rng(len(mu_k)).normal(size=mu_k.size)
    w = np.array([(h(x + step * e) - h(x - step * e)) / (2 * step) for e in np.eye(mu_k.size)])
    b = h(np.zeros(mu_k.size))
    far = x + 3.0
    if abs(h(far) - (w @ far + b)) > 1e-6 * max(1.0, abs(h(far))):
        raise ArithmeticError("the competitor score is not affine")
    return w, b
