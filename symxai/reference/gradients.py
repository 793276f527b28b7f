"""Gradient attributions in floats: finite differences, a Riemann sum and Monte Carlo.

``f`` is any numeric function of a vector.  Gradients are central
differences; Integrated Gradients is a midpoint Riemann sum along the
straight path; SmoothGrad is a seeded Monte Carlo mean with its standard
error.  Shares no code with the symbolic route.

>>> f = lambda x: max(0.0, x[0] + x[1] - 1.0)
>>> [round(float(v), 3) for v in integrated_gradients(f, [2.0, 1.0], [0.0, 0.0])]
[1.333, 0.667]
>>> g, se = smoothgrad(lambda x: x[0] ** 2, [1.0], 0.5, samples=4000, seed=0)
>>> bool(abs(g[0] - 2.0) < 5 * se[0])
True
"""

from __future__ import annotations

from typing import Callable

from symxai.lazy import numpy as np

STEP = 1e-6


def gradient(f: Callable, x, h: float = STEP) -> np.ndarray:
    """Central differences of f at x."""
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    for i in range(len(x)):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        out[i] = (f(up) - f(down)) / (2 * h)
    return out


def gradient_x_input(f: Callable, x) -> np.ndarray:
    return np.asarray(x, dtype=float) * gradient(f, x)


def integrated_gradients(f: Callable, x, baseline, steps: int = 4000) -> np.ndarray:
    """(x - x') * mean of the gradient at the midpoints of ``steps`` equal pieces of the path."""
    x, baseline = np.asarray(x, dtype=float), np.asarray(baseline, dtype=float)
    total = np.zeros_like(x)
    for k in range(steps):
        total += gradient(f, baseline + (k + 0.5) / steps * (x - baseline))
    return (x - baseline) * total / steps


def smoothgrad(f: Callable, x, sigma: float, samples: int = 20000, seed: int = 0):
    """Monte Carlo mean of the gradient at x + N(0, sigma^2 I) and its standard error per feature."""
    rng = np.random.default_rng(seed)
    x = np.asarray(x, dtype=float)
    grads = np.array([gradient(f, x + sigma * rng.standard_normal(len(x)), h=1e-4) for _ in range(samples)])
    return grads.mean(axis=0), grads.std(axis=0, ddof=1) / np.sqrt(samples)
