"""Stress test over seeds: spread, failures caught, fixed exercises vary only the verification points."""

from __future__ import annotations

import subprocess
import sys

import sympy

from symxai.batch.stress import stress


def test_random_exercise_spreads_its_answers():
    report = stress("problems/tub-ml-sheet14.yaml", "shapley", seeds=6)
    assert report.failures == [] and len(report.runs) == 6
    spread = report.spread()
    assert set(spread) == {"phi_1", "phi_2", "phi_3"} and spread["phi_1"]["distinct"] > 1
    assert "6 seed(s), 6 verified, 0 failed" in report.text()


def test_fixed_exercise_and_injected_failure(wrong_phi_1):
    report = stress("problems/eth-riai-ex10.yaml", "shapley-relu", seeds=2)
    assert report.failures == [] and report.spread()["phi_2"]["distinct"] == 1
    wrong_phi_1()
    report = stress("problems/tub-ml-sheet14.yaml", "shapley", seeds=2)
    assert len(report.failures) == 2 and "phi_1" in report.failures[0]
    assert "FAILED seed 0" in report.text()


def test_stress_cli_exit_status():
    out = subprocess.run([sys.executable, "-m", "symxai", "stress", "problems/tub-ml-sheet14.yaml", "shapley",
                          "--seeds", "2"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "2 seed(s), 2 verified" in out.stdout
