"""Gradient x input, Integrated Gradients, SmoothGrad: closed forms, completeness, verification that bites."""

from pathlib import Path

import sympy

from symxai.specs.spec import load_sheet, loads_sheet
from symxai.solve.verify import verify

SPEC = Path(__file__).resolve().parents[2] / "problems" / "tub-ml1-lecture14.yaml"
R = sympy.Rational


def solved(key, text=None):
    sheet = loads_sheet(text, str(SPEC)) if text else load_sheet(SPEC)
    task = sheet.task(key)
    return task, task.method.solve(task.problem)


def test_integrated_gradients_exact_across_the_kink():
    task, sol = solved("integrated-gradients")
    assert [sol.answers[n].value for n in ("IG_1", "IG_2")] == [R(7, 3), R(5, 3)]
    assert verify(task, sol).passed
    sol.answers["IG_2"].value = R(2)  # the gradient at the point times the input: ignores the kink
    assert [c.answer for c in verify(task, sol).failures()] == ["IG_2"]


def test_smoothgrad_moments_and_injected_error():
    task, sol = solved("smoothgrad")
    sigma = task.symbols["sigma"]
    assert sol.answers["SG_1"].value == 5 + 3 * sigma**2
    assert sol.answers["SG_2"].value == 1
    assert verify(task, sol, points=2).passed
    sol.answers["SG_1"].value = sympy.Integer(5)  # the plain gradient: the noise term forgotten
    assert [c.answer for c in verify(task, sol, points=2).failures()] == ["SG_1"]


def test_smoothgrad_of_a_quadratic_is_the_gradient():
    text = SPEC.read_text().replace("f: x1^3 + x1*x2", "f: x1^2 + 3*x1*x2")
    task, sol = solved("smoothgrad", text)
    assert [sol.answers[n].value for n in ("SG_1", "SG_2")] == [8, 3]


def test_gradient_x_input_complete_without_bias():
    task, sol = solved("gradient-x-input")
    assert [sol.answers["R_1"].value, sol.answers["R_2"].value] == [3, 0]
    assert verify(task, sol).passed
    sol.answers["R_2"].value = sympy.Integer(1)
    assert [c.answer for c in verify(task, sol).failures()] == ["R_2"]


def test_polynomial_integrated_gradients_with_symbolic_parameter():
    text = SPEC.read_text().replace("f: x1*x2 + ReLU(x1 + x2 - 1)", "f: theta*x1^2*x2").replace(
        "  - id: integrated-gradients\n    title: Integrated Gradients across a ReLU kink\n"
        "    method: integrated-gradients\n    symbols:\n",
        "  - id: integrated-gradients\n    title: Integrated Gradients across a ReLU kink\n"
        "    method: integrated-gradients\n    symbols:\n      theta: real\n")
    task, sol = solved("integrated-gradients", text)
    theta = task.symbols["theta"]
    assert sol.answers["IG_1"].value == R(16, 3) * theta / 2 * 1  # 2 * int 2*theta*(2a)*(a) da = 8 theta/3
    assert verify(task, sol, points=2).passed
