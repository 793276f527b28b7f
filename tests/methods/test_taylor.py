"""Taylor explanations: root strategies, the sheet/lecture specs, and injected wrong answers."""

import sympy

from symxai.grade.check import check
from symxai.solve.model import Solution
from symxai.specs.spec import load_sheet, loads_sheet
from symxai.solve.verify import verify

SHEET14 = "problems/tub-ml-sheet14.yaml"
LECTURE = "problems/tub-ml1-lecture14.yaml"
S = "((x1-mu1)^2+(x2-mu2)^2+(x3-mu3)^2)"


def _solve(path, key):
    task = load_sheet(path).task(key)
    return task, task.method.solve(task.problem)


def _tampered(solution, name, value):
    out = Solution(solution.steps, dict(solution.answers))
    out.answer(name, value)
    return out


def test_rbf_terms_verified_and_source_form_accepted():
    task, sol = _solve(SHEET14, "taylor-rbf")
    assert verify(task, sol).passed
    given = {f"phi_{i}": f"(x{i}-mu{i})^2/{S}*(sqrt({S})-theta)" for i in (1, 2, 3)}
    assert check(SHEET14, "taylor-rbf", given).exit_code == 0


def test_rbf_without_the_factor_is_rejected():
    given = {f"phi_{i}": f"(x{i}-mu{i})^2/{S}" for i in (1, 2, 3)}
    report = check(SHEET14, "taylor-rbf", given)
    assert report.exit_code == 1 and all(v.status == "wrong" for v in report.verdicts)


def test_rbf_general_dimension_step_present():
    _, sol = _solve(SHEET14, "taylor-rbf")
    texts = " ".join(s.text for s in sol.steps)
    assert "general dimension" in texts


def test_rbf_injected_wrong_answers_fail():
    task, sol = _solve(SHEET14, "taylor-rbf")
    phi1 = sol.answers["phi_1"].value
    theta = task.symbols["theta"]
    assert not verify(task, _tampered(sol, "phi_1", phi1 * 1.001)).passed
    wrong_root = sol.answers["x_tilde"].value + sympy.ImmutableMatrix([theta / 100, 0, 0])
    assert not verify(task, _tampered(sol, "x_tilde", wrong_root)).passed


def test_linear_terms_are_w_times_x():
    task, sol = _solve(LECTURE, "taylor-linear")
    w = [task.symbols[f"w{i}"] for i in (1, 2, 3)]
    x = [task.symbols[f"x{i}"] for i in (1, 2, 3)]
    assert [sol.answers[f"phi_{i + 1}"].value for i in range(3)] == [a * b for a, b in zip(w, x)]
    assert verify(task, sol).passed
    assert not verify(task, _tampered(sol, "phi_2", w[1])).passed


def test_saturation_gradient_explanation_is_zero_beside_shapley():
    task, sol = _solve(LECTURE, "taylor-saturation")
    assert [sol.answers[n].value for n in ("phi_1", "phi_2")] == [0, 0]
    assert verify(task, sol).passed
    table = [s.table for s in sol.steps if s.title.startswith("Why")][0]
    assert [row[-1] for row in table.rows] == [1, 1]  # Shapley values, from the Shapley method
    assert [row[2] for row in table.rows] == [2, 2]  # Taylor at the root: sums to 4, not f(x) = 2
    assert not verify(task, _tampered(sol, "phi_1", sympy.Integer(1))).passed


NEAREST = """
id: t
title: t
exercises:
  - id: plane
    title: nearest root of an affine function
    method: taylor
    statement: s
    symbols: {x1: real, x2: real, w1: positive, w2: positive, b: real}
    params:
      f: w1*x1 + w2*x2 + b
      inputs: [x1, x2]
      point: [x1, x2]
      root: nearest
"""


def test_nearest_root_is_the_orthogonal_projection():
    task = loads_sheet(NEAREST).task("plane")
    sol = task.method.solve(task.problem)
    s = task.symbols
    w1, w2, b, x1, x2 = (s[n] for n in ("w1", "w2", "b", "x1", "x2"))
    proj = sympy.Matrix([x1, x2]) - (w1 * x1 + w2 * x2 + b) / (w1**2 + w2**2) * sympy.Matrix([w1, w2])
    assert sympy.simplify(sol.answers["x_tilde"].value - proj) == sympy.zeros(2, 1)
    assert verify(task, sol).passed
    assert not verify(task, _tampered(sol, "x_tilde", proj + sympy.Matrix([b, 0]))).passed


def test_given_root_must_be_a_root():
    bad = NEAREST.replace("w1*x1 + w2*x2 + b", "x1 + x2 - 1").replace("root: nearest", "root: given\n      root_point: [1, 1]")
    try:
        loads_sheet(bad)
    except Exception as exc:  # SpecError lists the located problem
        assert "must satisfy f = 0" in str(exc)
    else:
        raise AssertionError("a root point with f != 0 was accepted")


def _general_instances(task, n=6):
    import numpy as np
    rng = np.random.default_rng(0)
    return [task.method.sample(task.problem, task.symbols, rng) for _ in range(n)]


def test_rbf_general_formula_in_the_answer_box_verified_in_random_dimensions():
    task, sol = _solve(SHEET14, "taylor-rbf")
    assert task.answers[0] == "phi_i"  # the general formula first, the d = 3 instance after it
    d = sympy.Symbol("d", integer=True, positive=True)
    assert len({values[d] for values in _general_instances(task)}) > 1
    phi = sol.answers["phi_i"].value
    assert verify(task, sol).passed
    assert not verify(task, _tampered(sol, "phi_i", phi * 1.001)).passed
    x_i, mu_i = sympy.Symbol("x_i", real=True), sympy.Symbol("mu_i", real=True)
    assert not verify(task, _tampered(sol, "phi_i", phi + (x_i - mu_i) / 100)).passed
    texts = " ".join(s.text for s in sol.steps)
    assert "exact in every dimension" in texts  # a computed fact: the terms add up to f(x)


def test_linear_general_formula_is_w_i_x_i_in_any_dimension():
    task, sol = _solve(LECTURE, "taylor-linear")
    w_i, x_i = sympy.Symbol("w_i", real=True), sympy.Symbol("x_i", real=True)
    assert sol.answers["phi_i"].value == w_i * x_i
    assert verify(task, sol).passed
    assert not verify(task, _tampered(sol, "phi_i", w_i)).passed
    assert not verify(task, _tampered(sol, "phi_i", 2 * w_i * x_i)).passed


def test_rbf_general_prose_names_the_centre_as_the_source_does():
    # f = ||x - mu|| - theta: the derivation speaks of mu and mu_i, never of a generic centre c
    task, sol = _solve(SHEET14, "taylor-rbf")
    texts = " ".join(s.text for s in sol.steps)
    assert "\\boldsymbol{\\mu}" in texts and "\\mu_{i}" in texts
    assert "\\boldsymbol{c}" not in texts and "c_i" not in texts
    lines = " ".join(str(t) for s in sol.steps for line in s.lines for t in line.terms)
    assert "c_i" not in lines and "MatrixSymbol('c'" not in lines


def test_root_point_sentence_names_the_reference_point_of_the_spec():
    # the segment from mu (sheet 14) is written with bold mu, never with a stray generic a
    task, sol = _solve(SHEET14, "taylor-rbf")
    segment = [s.text for s in sol.steps if "On the segment" in s.text and "\\le 1" in s.text]
    assert segment and all("\\boldsymbol{\\mu} + t(" in t for t in segment)
    assert not any("\\boldsymbol{a}" in s.text for s in sol.steps)
