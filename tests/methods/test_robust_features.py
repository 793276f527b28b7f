"""Robust vs non-robust features: the closed forms, the attack, the CLI verdicts, and verification that bites."""

from pathlib import Path

import numpy as np
import sympy
from click.testing import CliRunner

from symxai.cli import main
from symxai.expr.exprparse import Phi
from symxai.reference.robust_features import accuracy, lp_attack
from symxai.specs.spec import load_sheet
from symxai.solve.verify import verify

SPEC = Path(__file__).resolve().parents[2] / "problems" / "eth-riai-ex10.yaml"


def solved(key):
    task = load_sheet(SPEC).task(key)
    return task, task.method.solve(task.problem)


def check(*args):
    return CliRunner().invoke(main, ["check", str(SPEC), *args], catch_exceptions=False)


def test_accuracies_are_phi_3_and_p():
    task, sol = solved("robust-features.accuracy")
    assert sol.answers["acc_f1"].value == Phi(3)
    assert sol.answers["acc_f2"].value == sympy.Rational(399, 400)
    assert verify(task, sol).passed


def test_cli_accepts_the_done_criteria_and_rejects_a_slip():
    assert check("robust-features.accuracy", "acc_f2=0.9975").exit_code == 0
    assert check("robust-features.accuracy", "acc_f1=Phi(3)").exit_code == 0
    assert check("robust-features.accuracy", "acc_f1=Phi(0.3)").exit_code == 1
    assert check("robust-features.accuracy", "acc_f2=0.9975^2").exit_code == 1


def test_injected_wrong_accuracy_fails_monte_carlo():
    task, sol = solved("robust-features.accuracy")
    sol.answers["acc_f1"].value = Phi(2)  # 0.977: the variance 1/d forgotten would give a different d-dependence
    result = verify(task, sol)
    assert [c.answer for c in result.failures()] == ["acc_f1"]


def test_adversarial_answers_and_injected_errors():
    task, sol = solved("robust-features.adversarial")
    assert sol.answers["exists_f1"].value == sympy.true
    assert sol.answers["exists_f2"].value == sympy.false
    x_adv = np.array(sol.answers["x_adv_f1"].value, dtype=float).ravel()
    x = np.r_[1.0, np.full(100, 0.1)]
    assert np.max(np.abs(x_adv - x)) <= 0.15 + 1e-12 and x_adv[1:].mean() < 0
    assert verify(task, sol).passed
    sol.answers["exists_f2"].value = sympy.true
    sol.answers["x_adv_f1"].value = sympy.ImmutableMatrix([1] + [sympy.Rational(-1, 10)] * 100)  # outside the box
    assert {c.answer for c in verify(task, sol).failures()} == {"exists_f2", "x_adv_f1"}


def test_cli_adversarial_booleans():
    assert check("robust-features.adversarial", "exists_f1=true", "exists_f2=false").exit_code == 0
    assert check("robust-features.adversarial", "exists_f2=true").exit_code == 1


def test_symbolic_eta_and_p_are_verified_at_random_points():
    text = SPEC.read_text().replace("eta: 3/sqrt(d)\n      p: 0.9975", "eta: eta\n      p: p").replace(
        "d: [integer, positive]\n    statement: |\n      Labels", "d: [integer, positive]\n      eta: positive\n"
        "      p: positive\n    statement: |\n      Labels")
    import re
    text = re.sub(r"    names:.*?\n(      .*\n)+", "", text, count=1)  # eta and p are symbols now, not names
    from symxai.specs.spec import loads_sheet
    task = loads_sheet(text, str(SPEC)).task("robust-features.accuracy")
    sol = task.method.solve(task.problem)
    eta, d = task.symbols["eta"], task.symbols["d"]
    assert sol.answers["acc_f1"].value == Phi(sympy.sqrt(d) * eta)
    assert verify(task, sol, points=2).passed


def test_reference_pieces():
    acc, se = accuracy(np.r_[0.0, np.full(4, 0.25)], d=4, eta=0.5, p=0.9, samples=40_000, seed=3)
    assert abs(acc - 0.841345) < 5 * se  # Phi(0.5 * 2)
    x_adv, score = lp_attack(np.r_[1.0, 0, 0], np.r_[1.0, 0.1, 0.1], 0.15)
    assert np.allclose(x_adv, [0.85, 0.1, 0.1]) and abs(score - 0.85) < 1e-9
