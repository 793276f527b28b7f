"""First-order Taylor terms in floats: root points by scipy, gradients by finite differences.

The model is a plain callable on a numpy vector.  Root points: given, the
origin, the root on a segment (``scipy.optimize.brentq`` on the line),
or the nearest root (``scipy.optimize.minimize`` with an equality constraint).
Gradients are central differences.  Nothing here knows about SymPy.

>>> f = lambda x: float(np.linalg.norm(x - np.array([1.0, 0.0])) - 1.0)
>>> root = segment_root(f, np.array([1.0, 0.0]), np.array([4.0, 4.0]))
>>> np.round(root, 6).tolist()
[1.6, 0.8]
>>> np.round(terms(f, root, np.array([4.0, 4.0])), 6).tolist()
[1.44, 2.56]
"""

from __future__ import annotations

from typing import Callable

from symxai.lazy import numpy as np


def gradient(f: Callable, z, step: float = 1e-6) -> np.ndarray:
    """Central finite differences of f at z, with a step scaled to |z_i|."""
    z = np.asarray(z, dtype=float)
    out = np.zeros_like(z)
    for i in range(z.size):
        h = step * max(1.0, abs(z[i]))
        up, down = z.copy(), z.copy()
        up[i] += h
        down[i] -= h
        out[i] = (f(up) - f(down)) / (2 * h)
    return out


def segment_root(f: Callable, start, end) -> np.ndarray:
    """The root of f on the segment start -> end (f must change sign there)."""
    start, end = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    g = lambda t: f(start + t * (end - start))
    if g(0.0) * g(1.0) > 0:
        raise ValueError("f does not change sign on the segment: no root point there")
    from scipy.optimize import brentq  # scipy loads when a reference runs, not with every `check`

    t = brentq(g, 0.0, 1.0, xtol=1e-15, rtol=1e-15, maxiter=500)
    return start + t * (end - start)


def nearest_root(f: Callable, x, starts: int = 8, seed: int = 0) -> np.ndarray:
    """The point z with f(z) = 0 closest to x (SLSQP from several starts near x)."""
    x = np.asarray(x, dtype=float)
    rng = np.random.default_rng(seed)
    best, best_d = None, np.inf
    from scipy.optimize import minimize

    for k in range(starts):
        z0 = x + (0 if k == 0 else rng.normal(scale=1.0, size=x.size))
        res = minimize(lambda z: float(np.sum((z - x) ** 2)), z0, method="SLSQP",
                       constraints=[{"type": "eq", "fun": lambda z: f(z)}],
                       options={"ftol": 1e-14, "maxiter": 500})
        if res.success and abs(f(res.x)) < 1e-8 and res.fun < best_d:
            best, best_d = res.x, res.fun
    if best is None:
        raise ValueError("no root found near the point")
    return best


def terms(f: Callable, root, x, gradient_at=None) -> np.ndarray:
    """phi_i = [grad f(a)]_i (x_i - root_i), a = root unless ``gradient_at`` is given."""
    root, x = np.asarray(root, dtype=float), np.asarray(x, dtype=float)
    at = root if gradient_at is None else np.asarray(gradient_at, dtype=float)
    return gradient(f, at) * (x - root)
