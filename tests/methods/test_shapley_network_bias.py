"""Shapley ``network`` specs with biases, g = B ReLU(A x + a) + b, against a brute force over orderings."""

from itertools import permutations
from math import factorial
from pathlib import Path

import numpy as np
import pytest
import sympy

from symxai.misconceptions import catalogue
from symxai.solve.verify import verify
from symxai.specs.spec import load_sheet, loads_sheet

SPEC = Path(__file__).resolve().parents[1] / "specs" / "shapley-network-bias.yaml"
R = sympy.Rational


def solved(text=None):
    sheet = loads_sheet(text, str(SPEC)) if text else load_sheet(SPEC)
    task = sheet.task("shapley-bias")
    return task, task.method.solve(task.problem)


def brute_force(A, a, B, b, x, base, k=0):
    """Exact Shapley values by averaging marginal contributions over all orderings (fractions)."""
    from fractions import Fraction as F

    def g(z):
        h = [max(F(0), sum(F(A[j][i]) * z[i] for i in range(len(z))) + F(a[j])) for j in range(len(A))]
        return sum(F(B[k][j]) * h[j] for j in range(len(h))) + F(b[k])

    d = len(x)
    phi = [F(0)] * d
    for order in permutations(range(d)):
        z = [F(v) for v in base]
        for i in order:
            before = g(z)
            z[i] = F(x[i])
            phi[i] += g(z) - before
    return [p / factorial(d) for p in phi]


def test_corpus_example():
    task, sol = solved()
    phi = [sol.answers[f"phi_{i}"].value for i in (1, 2, 3)]
    assert phi == [R(4), R(-3, 2), R(3, 2)]
    assert [R(p.numerator, p.denominator) for p in brute_force([[1, -1, 0], [0, 1, 1]], [1, -2], [[2, 1]], [-1],
                                                               [2, 1, 3], [0, 0, 0])] == phi
    assert sum(phi) == 5 - 1  # g(x) - g(0): the bias b cancels, the hidden bias a does not
    assert verify(task, sol).passed


@pytest.mark.parametrize("seed", range(4))
def test_random_biased_networks(seed):
    rng = np.random.default_rng(seed)
    A, a = rng.integers(-2, 3, (3, 3)).tolist(), rng.integers(-2, 3, 3).tolist()
    B, b = rng.integers(-2, 3, (2, 3)).tolist(), rng.integers(-2, 3, 2).tolist()
    x, base = rng.integers(-3, 4, 3).tolist(), rng.integers(-1, 2, 3).tolist()
    k = int(seed % 2)
    text = SPEC.read_text().replace(
        "        A: [[1, -1, 0], [0, 1, 1]]\n        a: [1, -2]\n        B: [[2, 1]]\n        b: [-1]\n",
        f"        A: {A}\n        a: {a}\n        B: {B}\n        b: {b}\n", 1).replace(
        "      point: [2, 1, 3]\n      baseline: [0, 0, 0]\n",
        f"      point: {x}\n      baseline: {base}\n      output: {k + 1}\n", 1)
    task, sol = solved(text)
    expected = brute_force(A, a, B, b, x, base, k)
    assert [sol.answers[f"phi_{i + 1}"].value for i in range(3)] == [R(p.numerator, p.denominator) for p in expected]
    assert verify(task, sol).passed


def test_injected_wrong_answer_is_caught():
    task, sol = solved()
    sol.answers["phi_1"].value = R(2)  # the hidden bias a left out: ReLU(x1 - x2) at the point is 1, not 2
    assert [c.answer for c in verify(task, sol).failures()] == ["phi_1"]


def test_without_biases_nothing_changes():
    text = SPEC.read_text().replace("        a: [1, -2]\n", "", 1).replace("        b: [-1]\n", "", 1)
    task, sol = solved(text)
    expected = brute_force([[1, -1, 0], [0, 1, 1]], [0, 0], [[2, 1]], [0], [2, 1, 3], [0, 0, 0])
    assert [sol.answers[f"phi_{i}"].value for i in (1, 2, 3)] == [R(p.numerator, p.denominator) for p in expected]


def test_catalogue_runs_on_a_biased_network():
    task, sol = solved()
    assert "relu-dropped" in {r.label for r in catalogue(task.method, task.problem, sol)}


def test_bias_length_is_a_located_error():
    text = SPEC.read_text().replace("        a: [1, -2]\n", "        a: [1, -2, 0]\n", 1)
    with pytest.raises(Exception, match="a needs 2 entries") as info:
        loads_sheet(text, str(SPEC))
    assert "shapley-network-bias.yaml:" in str(info.value)
