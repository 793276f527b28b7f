"""LIME: closed forms through the CLI, exact sparse solutions, and verification that bites."""

from pathlib import Path

import numpy as np
import sympy
from click.testing import CliRunner

from symxai.cli import main
from symxai.methods.surrogates.lime import _kkt_lasso
from symxai.reference.lime import best_subset, lasso_constrained
from symxai.specs.spec import load_sheet
from symxai.solve.verify import verify

SPEC = Path(__file__).resolve().parents[2] / "problems" / "yale-hw1.yaml"
R = sympy.Rational


def solved(key):
    task = load_sheet(SPEC).task(key)
    return task, task.method.solve(task.problem)


def check(*args):
    return CliRunner().invoke(main, ["check", str(SPEC), *args], catch_exceptions=False).exit_code


def test_cli_weighted_form_right_unweighted_wrong():
    assert check("lime.b", "beta=(X.T*W*X)^-1*X.T*W*y") == 0
    assert check("lime.b", "beta=(X.T*X)^-1*X.T*y") == 1
    assert check("lime.b", "beta=(X.T*W*X)^-1*X.T*y") == 1


def test_closed_forms_verify_and_injected_errors_fail():
    for key, name in (("lime.b", "beta"), ("lime.d", "beta_ridge")):
        task, sol = solved(key)
        assert verify(task, sol).passed
        X, W, y = (task.symbols[s] for s in ("X", "W", "y"))
        sol.answers[name].value = (X.T * X).inverse() * X.T * y  # the kernel weights forgotten
        assert [c.answer for c in verify(task, sol).failures()] == [name]


def test_ridge_has_the_multiplier():
    task, sol = solved("lime.d")
    X, W, y, lam = (task.symbols[s] for s in ("X", "W", "y", "lambda"))
    n = X.shape[1]
    expected = (X.T * W * X + lam * sympy.Identity(n)).inverse() * X.T * W * y
    values = task.method.sample(task.problem, task.symbols, np.random.default_rng(5))
    from symxai.expr.numeval import evaluate
    assert np.allclose(evaluate(sol.answers["beta_ridge"].value, values), evaluate(expected, values))


def test_sparse_answers_and_active_sets():
    task, sol = solved("lime.c")
    assert list(sol.answers["beta_l0"].value) == [R(264, 109), 0, R(87, 109)]
    assert list(sol.answers["beta_l1"].value) == [R(47, 20), 0, R(3, 20)]
    assert verify(task, sol).passed
    sol.answers["beta_l1"].value = sympy.ImmutableMatrix([R(5, 2), 0, 0])  # a feasible but not optimal point
    sol.answers["beta_l0"].value = sympy.ImmutableMatrix([R(54, 19), 0, 0])  # best single feature, not best pair
    assert {c.answer for c in verify(task, sol).failures()} == {"beta_l0", "beta_l1"}


def test_exact_lasso_matches_slsqp_on_random_problems():
    rng = np.random.default_rng(0)
    for _ in range(5):
        X = rng.integers(-3, 4, size=(7, 3))
        y = rng.integers(-5, 6, size=7)
        w = rng.integers(1, 4, size=7)
        W = np.diag(w)
        G = sympy.ImmutableMatrix((X.T @ W @ X).tolist())
        c = sympy.ImmutableMatrix((X.T @ W @ y).tolist())
        if G.det() == 0:
            continue
        t = R(1, 1)
        beta, *_ = _kkt_lasso(G, c, t)
        assert np.allclose(np.array(beta, dtype=float).ravel(), lasso_constrained(X, W, y, 1.0), atol=1e-6)
        assert best_subset(X, W, y, 3).shape == (3,)
