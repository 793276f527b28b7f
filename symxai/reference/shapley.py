"""Shapley values by averaging marginal contributions over orderings, in floats.

All d! orderings for small d; a seeded Monte Carlo sample of orderings
otherwise, with a standard-error bound.  Shares no code with the coalition
route of the symbolic engine.

>>> f = lambda x: min(x[0], max(x[1], x[2]))
>>> [round(float(v), 6) for v in all_orderings(f, [1, 1, 1], [0, 0, 0])]
[0.666667, 0.166667, 0.166667]
"""

from __future__ import annotations

from itertools import permutations
from typing import Callable, Sequence

from symxai.lazy import numpy as np


def _contributions(f: Callable, order: Sequence[int], point, baseline) -> np.ndarray:
    x = np.array(baseline, dtype=float)
    out = np.zeros(len(point))
    before = float(f(x))
    for i in order:
        x[i] = point[i]
        after = float(f(x))
        out[i] = after - before
        before = after
    return out


def all_orderings(f: Callable, point, baseline) -> np.ndarray:
    """Exact (up to float rounding) Shapley values: the mean over all d! orderings."""
    d = len(point)
    total = np.zeros(d)
    count = 0
    for order in permutations(range(d)):
        total += _contributions(f, order, point, baseline)
        count += 1
    return total / count


def monte_carlo(f: Callable, point, baseline, samples: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Estimate and standard error from ``samples`` random orderings (seeded)."""
    rng = np.random.default_rng(seed)
    d = len(point)
    draws = np.array([_contributions(f, rng.permutation(d), point, baseline) for _ in range(samples)])
    return draws.mean(axis=0), draws.std(axis=0, ddof=1) / np.sqrt(samples)
