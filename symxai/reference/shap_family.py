"""Numeric references for the SHAP family, in floats, sharing no code with the symbolic path.

Games are averaged over all d! orderings (not summed over coalitions with weights); Gaussian
expectations come from a moment-matched background of 2d sigma points (exact for the first two
moments, hence for linear models and linear regressions); KernelSHAP is solved by numpy least
squares after eliminating one unknown; tree expectations are sums over leaves of path probabilities.

>>> [round(float(v), 6) for v in ordering_shapley(lambda s: float(len(s) ** 2), 2)]
[2.0, 2.0]
"""

from __future__ import annotations

from itertools import combinations, permutations
from math import comb

from symxai.lazy import numpy as np


def ordering_shapley(game, d: int) -> list[float]:
    """Shapley values of ``game(frozenset of 0-based features)``: the mean over all orderings."""
    cache: dict = {}

    def v(s):
        if s not in cache:
            cache[s] = float(game(s))
        return cache[s]
    total = np.zeros(d)
    count = 0
    for order in permutations(range(d)):
        s = frozenset()
        for i in order:
            t = s | {i}
            total[i] += v(t) - v(s)
            s = t
        count += 1
    return [float(v) for v in total / count]


def sigma_points(mean, cov) -> np.ndarray:
    """2d points mu +- sqrt(d) L e_k (L L^T = cov): their mean is mu and their covariance cov."""
    mean = np.asarray(mean, dtype=float)
    d = len(mean)
    root = np.linalg.cholesky(np.asarray(cov, dtype=float)) * np.sqrt(d)
    return np.vstack([mean + root[:, k] for k in range(d)] + [mean - root[:, k] for k in range(d)])


def interventional_game(f, point, background):
    """v(S) = mean over the background rows of f(x_S, b_Sbar)."""
    point = np.asarray(point, dtype=float)
    rows = np.asarray(background, dtype=float)

    def game(s):
        keep = [i in s for i in range(len(point))]
        return float(np.mean([f(np.where(keep, point, row)) for row in rows]))
    return game


def conditional_game(f, point, background):
    """v(S) = f(x_S, E[X_Sbar | x_S]) with the conditional mean as the least-squares regression of
    X_Sbar on X_S over the background (exact for a Gaussian background matched in two moments)."""
    point = np.asarray(point, dtype=float)
    rows = np.asarray(background, dtype=float)
    d = len(point)

    def game(s):
        s = sorted(s)
        rest = [j for j in range(d) if j not in s]
        x = point.copy()
        if rest:
            design = np.hstack([np.ones((len(rows), 1)), rows[:, s]])
            coef, *_ = np.linalg.lstsq(design, rows[:, rest], rcond=None)
            x[rest] = np.concatenate([[1.0], point[s]]) @ coef
        return float(f(x))
    return game


def kernel_shap(game, d: int) -> tuple[list[float], list[float]]:
    """Kernel weights by size and the constrained weighted least-squares solution over all proper,
    non-empty coalitions (phi_d eliminated by efficiency), via numpy lstsq."""
    empty, full = game(frozenset()), game(frozenset(range(d)))
    rows, targets, weights = [], [], []
    for k in range(1, d):
        for s in combinations(range(d), k):
            z = np.array([1.0 if i in s else 0.0 for i in range(d)])
            rows.append(z[:-1] - z[-1])
            targets.append(game(frozenset(s)) - empty - z[-1] * (full - empty))
            weights.append((d - 1) / (comb(d, k) * k * (d - k)))
    root = np.sqrt(np.array(weights))
    sol, *_ = np.linalg.lstsq(np.array(rows) * root[:, None], np.array(targets) * root, rcond=None)
    phi = list(sol) + [full - empty - float(np.sum(sol))]
    return [(d - 1) / (comb(d, k) * k * (d - k)) for k in range(1, d)], phi


def tree_leaves(nodes: dict, root) -> list[tuple[float, list]]:
    """Every leaf as (value, path) with path [(node, went_left)], by depth-first walk."""
    out = []

    def walk(key, path):
        node = nodes[key]
        if "value" in node:
            out.append((float(node["value"]), path))
            return
        walk(node["left"], path + [(key, True)])
        walk(node["right"], path + [(key, False)])
    walk(root, [])
    return out


def path_dependent_game(nodes: dict, root, point):
    """v(S): sum over leaves of value times the path probability, where a split on a feature in S
    follows x (probability 0 or 1) and any other split goes each way in proportion to cover."""
    leaves = tree_leaves(nodes, root)

    def game(s):
        total = 0.0
        for value, path in leaves:
            p = 1.0
            for key, left in path:
                node = nodes[key]
                if node["feature"] in s:
                    p *= 1.0 if (point[node["feature"]] <= node["threshold"]) == left else 0.0
                else:
                    child = nodes[node["left"] if left else node["right"]]
                    p *= child["cover"] / node["cover"]
            total += value * p
        return total
    return game


def tree_predict(nodes: dict, root, x) -> float:
    """The tree's output at x, by walking from the root."""
    key = root
    while "value" not in nodes[key]:
        node = nodes[key]
        key = node["left"] if x[node["feature"]] <= node["threshold"] else node["right"]
    return float(nodes[key]["value"])


def interaction_values(game, d: int) -> np.ndarray:
    """SHAP interaction values (Lundberg et al. 2020): off the diagonal half the Shapley interaction
    index, computed as the mean second difference at the moment the pair arrives together (orderings
    in which i and j are neighbours); on the diagonal phi_i minus the row's other entries."""
    out = np.zeros((d, d))
    count = 0
    for order in permutations(range(d)):
        count += 1
        for a in range(d - 1):
            i, j = order[a], order[a + 1]
            s = frozenset(order[:a])
            delta = game(s | {i, j}) - game(s | {i}) - game(s | {j}) + game(s)
            out[i, j] += delta
            out[j, i] += delta
    # i, j are neighbours in 2 (d-1)! of the d! orderings; the index is the mean over those, halved
    out = out * d / (4.0 * count)
    phi = ordering_shapley(game, d)
    for i in range(d):
        out[i, i] = phi[i] - (out[i].sum() - out[i, i])
    return out
