"""SmoothGrad of one-hidden-layer ReLU networks in closed form (Phi terms) against a seeded Monte Carlo mean."""

from pathlib import Path

import numpy as np
import pytest
import sympy

from symxai.expr.exprparse import Phi
from symxai.methods.saliency.smoothgrad import relu_network
from symxai.misconceptions import catalogue
from symxai.reference.smoothgrad_relu import smoothgrad_mc
from symxai.solve.verify import verify
from symxai.specs.spec import load_sheet, loads_sheet

SPEC = Path(__file__).resolve().parents[1] / "specs" / "smoothgrad-relu.yaml"
R = sympy.Rational


def solved(key, text=None):
    sheet = loads_sheet(text, str(SPEC)) if text else load_sheet(SPEC)
    task = sheet.task(key)
    return task, task.method.solve(task.problem)


def test_closed_form_of_the_corpus_example():
    task, sol = solved("smoothgrad-relu")
    s = task.symbols["sigma"]
    # units ReLU(x1 - x2 + 1) (z = 3/2, ||w|| = sqrt 2) and ReLU(x2 - 1) (z = 1/2, ||w|| = 1) at (2, 3/2)
    a, b = Phi(3 / (2 * sympy.sqrt(2) * s)), Phi(1 / (2 * s))
    assert sympy.simplify(sol.answers["SG_1"].value - (R(1, 2) + 2 * a)) == 0
    assert sympy.simplify(sol.answers["SG_2"].value - (-2 * a - b)) == 0
    assert verify(task, sol, points=3).passed


def test_against_monte_carlo_by_hand():
    """The answer at sigma = 0.7 against 400000 vectorised samples of f itself, within 5 standard errors."""
    task, sol = solved("smoothgrad-relu")
    s = task.symbols["sigma"]
    relu = lambda a: np.maximum(a, 0.0)
    f = lambda x1, x2: 2 * relu(x1 - x2 + 1) - relu(x2 - 1) + x1 / 2
    mean, se = smoothgrad_mc(f, [2.0, 1.5], 0.7, samples=400000, seed=3)
    for i in range(2):
        got = float(sol.answers[f"SG_{i + 1}"].value.xreplace({s: R(7, 10)}))
        assert abs(got - mean[i]) < 5 * se[i]
        assert se[i] < 2e-3


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_networks_against_monte_carlo(seed):
    """Seeded random 3-input networks with 3 hidden units and a skip term, numeric sigma."""
    rng = np.random.default_rng(seed)
    W, b, v = rng.integers(-3, 4, (3, 3)), rng.integers(-2, 3, 3), rng.integers(-2, 3, 3)
    c, x, sigma = rng.integers(-1, 2, 3), rng.integers(-2, 3, 3), R(int(rng.integers(1, 5)), 2)
    xs = sympy.symbols("x1:4", real=True)
    terms = [f"({v[j]})*ReLU({' + '.join(f'({W[j, i]})*x{i + 1}' for i in range(3))} + ({b[j]}))" for j in range(3)]
    f = " + ".join(terms + [f"({c[i]})*x{i + 1}" for i in range(3)])
    text = SPEC.read_text().replace("f: 2*ReLU(x1 - x2 + 1) - ReLU(x2 - 1) + x1/2", f"f: {f}", 1).replace(
        "      x2: real\n      sigma: positive\n", "      x2: real\n      x3: real\n      sigma: positive\n", 1).replace(
        "inputs: [x1, x2]\n      point: [2, 3/2]\n      sigma: sigma",
        f"inputs: [x1, x2, x3]\n      point: {list(map(int, x))}\n      sigma: {sigma}", 1)
    task, sol = solved("smoothgrad-relu", text)
    assert task.problem.network is not None
    assert verify(task, sol).passed
    relu = lambda a: np.maximum(a, 0.0)
    fn = lambda *X: sum(v[j] * relu(sum(W[j, i] * X[i] for i in range(3)) + b[j]) for j in range(3)) \
        + sum(c[i] * X[i] for i in range(3))
    mean, se = smoothgrad_mc(fn, x.astype(float), float(sigma), samples=200000, seed=11 + seed)
    for i in range(3):
        assert abs(float(sol.answers[f"SG_{i + 1}"].value) - mean[i]) < 5 * se[i] + 1e-9


def test_injected_wrong_answers_are_caught():
    task, sol = solved("smoothgrad-relu")
    s = task.symbols["sigma"]
    sol.answers["SG_2"].value = -2 * Phi(3 / (2 * s)) - Phi(1 / (2 * s))  # ||w_1|| = sqrt 2 forgotten
    assert [c.answer for c in verify(task, sol, points=3).failures()] == ["SG_2"]
    task, sol = solved("smoothgrad-relu-numeric")
    sol.answers["SG_1"].value = R(5, 2)  # the plain gradient: no smoothing
    assert [c.answer for c in verify(task, sol).failures()] == ["SG_1"]


def test_misconception_rows_differ_from_the_answer():
    task, sol = solved("smoothgrad-relu")
    rows = {r.label: r for r in catalogue(task.method, task.problem, sol)}
    assert {"no-smoothing", "norm-forgotten", "times-input"} <= set(rows)
    assert rows["no-smoothing"].values["SG_1"] == R(5, 2)


def test_structure_is_read_or_refused():
    x1, x2 = sympy.symbols("x1 x2", real=True)
    assert relu_network(sympy.Max(0, sympy.Max(0, x1) - 1), [x1, x2]) is None  # two hidden layers
    assert relu_network(sympy.Max(0, x1) * sympy.Max(0, x2), [x1, x2]) is None  # a product of units
    assert relu_network(sympy.Max(0, x1) * x2**2, [x1, x2]) is None  # a unit times a curved term
    assert relu_network(sympy.Max(0, x1**2), [x1, x2]) is None  # a curved unit
    net = relu_network(x2 * sympy.Max(0, x1) + x1**3, [x1, x2])  # an affine gate and a polynomial skip part
    assert net.units[0].a == [0, 1] and net.poly == x1**3 and not net.simple()
    text = SPEC.read_text().replace("f: 2*ReLU(x1 - x2 + 1) - ReLU(x2 - 1) + x1/2", "f: ReLU(ReLU(x1) - x2)", 1)
    with pytest.raises(Exception, match="one hidden layer"):
        loads_sheet(text, str(SPEC))


def test_displayed_equalities_hold():
    from symxai.solve.stepcheck import check_steps

    for key in ("smoothgrad-relu", "smoothgrad-relu-numeric", "smoothgrad-gated"):
        task, sol = solved(key)
        report = check_steps(task, sol)
        assert report.passed and report.checked == report.total > 0


def test_gated_unit_and_polynomial_part_have_phi_terms():
    """x1 ReLU(x2 - 1) + x1^3 + 2 ReLU(x1 + x2): E[ReLU(z + s N)] = z Phi(z/s) + s phi(z/s) (the phi term) and
    E[3 (x1 + eps1)^2] = 3 + 3 sigma^2, against Monte Carlo at sigma = 0.6."""
    task, sol = solved("smoothgrad-gated")
    s = task.symbols["sigma"]
    phi = lambda t: sympy.exp(-t**2 / 2) / sympy.sqrt(2 * sympy.pi)
    expected = Phi(1 / s) + s * phi(1 / s) + 3 + 3 * s**2 + 2 * Phi(3 / (sympy.sqrt(2) * s))
    assert sympy.simplify(sol.answers["SG_1"].value - expected) == 0
    relu = lambda a: np.maximum(a, 0.0)
    f = lambda x1, x2: x1 * relu(x2 - 1) + x1 ** 3 + 2 * relu(x1 + x2)
    mean, se = smoothgrad_mc(f, [1.0, 2.0], 0.6, samples=400000, seed=5)
    for i in range(2):
        assert abs(float(sol.answers[f"SG_{i + 1}"].value.xreplace({s: R(3, 5)})) - mean[i]) < 5 * se[i]
    assert verify(task, sol, points=3).passed
    sol.answers["SG_1"].value = expected - s * phi(1 / s)  # the phi term of the gate's ReLU dropped
    assert [c.answer for c in verify(task, sol, points=3).failures()] == ["SG_1"]
    # at sigma = 1 the phi term is e^(-1/2)/sqrt(2 pi) = 0.24, some 30 standard errors of the Monte Carlo mean
    text = SPEC.read_text().replace("      point: [1, 2]\n      sigma: sigma\n", "      point: [1, 2]\n      sigma: 1\n")
    task, sol = solved("smoothgrad-gated", text)
    assert sympy.simplify(sol.answers["SG_1"].value - expected.xreplace({s: 1})) == 0
    sol.answers["SG_1"].value = expected.xreplace({s: 1}) - phi(1)  # the phi term of the gate's ReLU dropped
    assert [c.answer for c in verify(task, sol).failures()] == ["SG_1"]
