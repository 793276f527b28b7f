"""Robust and non-robust features, in floats: sampled accuracies and an LP attack.

The data model of Tsipras et al.: y uniform on {-1, 1}; x_1 = y with
probability p, -y otherwise; x_2..x_{d+1} ~ N(eta y, 1).  Accuracies are
Monte Carlo estimates with their standard error; the worst case of a linear
score under an l_inf budget is the optimum of a linear program.  Shares no
code with the symbolic route.

>>> acc, se = accuracy(np.array([1.0, 0, 0]), d=2, eta=0.5, p=0.9, samples=20000, seed=0)
>>> abs(acc - 0.9) < 5 * se
True
>>> x_adv, score = lp_attack(np.array([0.0, 0.5, 0.5]), np.array([1, 0.1, 0.1]), 0.15)
>>> round(score, 6), [round(float(v), 6) for v in x_adv]
(-0.05, [1.0, -0.05, -0.05])
"""

from __future__ import annotations

from symxai.lazy import numpy as np


def sample_data(d: int, eta: float, p: float, samples: int, rng: np.random.Generator):
    """(X, y): ``samples`` draws of (x, y) with x in R^{d+1}."""
    y = rng.choice([-1.0, 1.0], size=samples)
    flip = rng.random(samples) >= p
    x1 = np.where(flip, -y, y)
    rest = rng.standard_normal((samples, d))
    rest += eta * y[:, None]
    return np.column_stack([x1, rest]), y


def accuracy(w, d: int, eta: float, p: float, samples: int = 200_000, seed: int = 0,
             chunk: int = 20_000) -> tuple[float, float]:
    """Monte Carlo accuracy of sign(w^T x) and its standard error (drawn in chunks to bound memory)."""
    rng = np.random.default_rng(seed)
    right = 0
    done = 0
    while done < samples:
        n = min(chunk, samples - done)
        X, y = sample_data(d, eta, p, n, rng)
        right += int(np.sum(np.sign(X @ np.asarray(w, dtype=float)) == y))
        done += n
    acc = right / samples
    return acc, float(np.sqrt(max(acc * (1 - acc), 1.0 / samples) / samples))


def lp_attack(w, x, eps: float, tie_break: float = 1e-6):
    """The point of the l_inf ball around x with the smallest score w^T x'.

    x' = x + u - v with 0 <= u, v <= eps; a tiny cost on u + v makes the
    optimum unique (features with zero weight stay where they are).
    Returns (x', w^T x').
    """
    w, x = np.asarray(w, dtype=float), np.asarray(x, dtype=float)
    n = len(x)
    cost = np.concatenate([w + tie_break, -w + tie_break])
    from scipy.optimize import linprog  # imported when needed: scipy costs `check` half a second

    res = linprog(cost, bounds=[(0.0, eps)] * (2 * n), method="highs")
    if not res.success:
        raise RuntimeError(f"the attack LP failed: {res.message}")
    x_adv = x + res.x[:n] - res.x[n:]
    return x_adv, float(w @ x_adv)
