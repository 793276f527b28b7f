"""Maximisers of activation-maximisation objectives by numerical optimisation.

Each objective is written directly in numpy (the Gaussian log-density through
``scipy.stats``) and maximised with ``scipy.optimize.minimize`` from several
random starting points; every distinct point that reaches the best value is
returned, so an objective with two maximisers yields both.  Nothing here
knows the closed forms of the symbolic engine.

>>> found = maximisers(lambda x: max(x[0], x[1]) - 0.5 * x @ x, 2, kinks=True)
>>> sorted([round(float(v), 4) + 0.0 for v in p] for p in found)  # + 0.0: -0.0 prints as 0.0
[[0.0, 1.0], [1.0, 0.0]]
"""

from __future__ import annotations

from typing import Callable

from symxai.lazy import numpy as np


def maximisers(objective: Callable, dim: int, *, starts: int = 6, seed: int = 0, scale: float = 3.0,
               kinks: bool = False, value_tol: float = 1e-7, merge: float = 1e-4) -> list[np.ndarray]:
    """Every distinct point found from ``starts`` random starts whose value is within ``value_tol`` of the best.

    ``kinks``: the objective is not differentiable everywhere (max); polish each run with Nelder-Mead.
    """
    from scipy.optimize import minimize  # scipy loads when a reference runs, not with every `check`

    rng = np.random.default_rng(seed)
    runs = []
    for _ in range(starts):
        x0 = rng.normal(scale=scale, size=dim)
        res = minimize(lambda x: -objective(x), x0, method="BFGS", jac="3-point", options={"gtol": 1e-11})
        if kinks:  # a kink can stall BFGS a hair away from the optimum; a simplex polish finishes it
            res = minimize(lambda x: -objective(x), res.x, method="Nelder-Mead",
                           options={"xatol": 1e-12, "fatol": 1e-15, "maxiter": 4000})
        runs.append((-float(res.fun), res.x))
    best = max(v for v, _ in runs)
    found: list[np.ndarray] = []
    for value, x in runs:
        if value < best - value_tol * max(1.0, abs(best)):
            continue
        if all(np.linalg.norm(x - y) > merge * max(1.0, np.linalg.norm(y)) for y in found):
            found.append(x)
    return found


def unique_maximiser(objective: Callable, dim: int, **kwargs) -> np.ndarray:
    """The maximiser, or an array of NaN if the starts disagree (no unique maximiser)."""
    found = maximisers(objective, dim, **kwargs)
    return found[0] if len(found) == 1 else np.full(dim, np.nan)


def linear(w: np.ndarray, b: float) -> Callable:
    """f(x) = w . x + b."""
    return lambda x: float(w @ x + b)


def squared_norm(x: np.ndarray) -> float:
    return float(np.sum(x * x))


def log_gaussian(mu: np.ndarray, sigma: np.ndarray) -> Callable:
    """x -> log N(x; mu, Sigma), from the density's formula (Cholesky factor for the solve and the determinant).

    >>> round(log_gaussian(np.zeros(2), np.eye(2))(np.zeros(2)), 6)  # -log(2 pi)
    -1.837877
    """
    from scipy.linalg import cho_factor, cho_solve

    factor = cho_factor(sigma)
    log_norm = -0.5 * len(mu) * np.log(2 * np.pi) - np.sum(np.log(np.diag(factor[0])))

    def logpdf(x):
        r = np.asarray(x, dtype=float) - mu
        return float(log_norm - 0.5 * r @ cho_solve(factor, r))
    return logpdf


def two_class_mixture(mu: np.ndarray, sigma: np.ndarray, prior: float, seed: int = 0):
    """log p(omega_c | x) and log p(x) for a mixture of class c ~ N(mu, Sigma) and another class.

    The other class (mean shifted at random, same covariance) is invented
    here: the identity of Bayes' rule must hold whatever it is.

    >>> post, evid, lik = two_class_mixture(np.zeros(2), np.eye(2), 0.25)
    >>> round(bayes_constant(post, evid, lik, 2), 6) == round(float(np.log(0.25)), 6)
    True
    """
    from scipy.stats import multivariate_normal

    rng = np.random.default_rng(seed)
    own = multivariate_normal(mean=mu, cov=sigma)
    other = multivariate_normal(mean=mu + rng.normal(scale=2.0, size=len(mu)), cov=sigma)

    def log_evidence(x):
        return float(np.logaddexp(np.log(prior) + own.logpdf(x), np.log1p(-prior) + other.logpdf(x)))

    def log_posterior(x):
        return float(np.log(prior) + own.logpdf(x) - log_evidence(x))

    return log_posterior, log_evidence, lambda x: float(own.logpdf(x))


def bayes_constant(log_posterior, log_evidence, log_likelihood, dim: int, *, points: int = 6, seed: int = 1) -> float:
    """log p(omega|x) + log p(x) - log p(x|omega) at random x; NaN if it is not constant in x."""
    rng = np.random.default_rng(seed)
    vals = [log_posterior(x) + log_evidence(x) - log_likelihood(x)
            for x in rng.normal(scale=2.0, size=(points, dim))]
    return float(np.mean(vals)) if np.ptp(vals) < 1e-9 else float("nan")
