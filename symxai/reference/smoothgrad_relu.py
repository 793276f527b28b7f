"""SmoothGrad in floats for any vectorised f: a seeded Monte Carlo mean of central-difference gradients.

All noise samples are drawn at once (a matrix of shape samples x d) and f is
evaluated on whole columns, so 200000 samples cost a few array operations.
Shares no code with the closed form of ``symxai.methods.saliency.smoothgrad``: it never
looks at f's units, only at its values.

>>> import numpy as np
>>> relu = lambda a: np.maximum(a, 0.0)
>>> g, se = smoothgrad_mc(lambda x1, x2: relu(x1 - x2), [0.0, 0.0], 1.0, samples=100000, seed=1)
>>> bool(abs(g[0] - 0.5) < 5 * se[0] and abs(g[1] + 0.5) < 5 * se[1])
True
"""

from __future__ import annotations

from typing import Callable

from symxai.lazy import numpy as np

STEP = 1e-6


def smoothgrad_mc(f: Callable, x, sigma: float, samples: int = 200000, seed: int = 0, h: float = STEP):
    """(mean, standard error) of grad f(x + eps), eps ~ N(0, sigma^2 I); f takes one array per input."""
    rng = np.random.default_rng(seed)
    x = np.asarray(x, dtype=float)
    pts = x[None, :] + sigma * rng.standard_normal((samples, len(x)))
    grads = np.empty_like(pts)
    for i in range(len(x)):
        up, down = pts.copy(), pts.copy()
        up[:, i] += h
        down[:, i] -= h
        grads[:, i] = (np.broadcast_to(f(*up.T), samples) - np.broadcast_to(f(*down.T), samples)) / (2 * h)
    return grads.mean(axis=0), grads.std(axis=0, ddof=1) / np.sqrt(samples)
