"""A one-class SVM fitted by scikit-learn, neuralized with its offset rho and gamma = "scale": the network's
score reproduces OneClassSVM.decision_function."""

from pathlib import Path

import numpy as np
import pytest
import sympy
from sklearn.svm import OneClassSVM

from symxai.misconceptions import catalogue
from symxai.solve.stepcheck import check_steps
from symxai.solve.verify import verify
from symxai.specs.spec import load_sheet, loads_sheet

SPEC = Path(__file__).resolve().parents[1] / "specs" / "svm-fitted.yaml"


def solved(text=None):
    sheet = loads_sheet(text, str(SPEC)) if text else load_sheet(SPEC)
    task = sheet.task("ocsvm")
    return task, task.method.solve(task.problem)


def test_corpus_example():
    task, sol = solved()
    assert task.problem.gamma == 2
    assert sympy.simplify(sol.answers["h_1"].value - (5 - sympy.log(2) / 2)) == 0
    g = sol.answers["g"].value
    assert sympy.simplify(g - (sympy.exp(-2) / 2 + sympy.exp(-10) / 2 - sympy.Rational(1, 4))) == 0
    o = sol.answers["o"].value
    assert float(o) > 0 and float(g) < 0  # an outlier: the score and the decision function agree in sign
    assert verify(task, sol).passed and check_steps(task, sol).passed


def _spec_from_sklearn(model, X, x, digits=12):
    fmt = lambda v: repr(float(f"{v:.{digits}g}"))
    rows = lambda A: "[" + ", ".join("[" + ", ".join(fmt(v) for v in r) + "]" for r in A) + "]"
    params = (f"      input: [{', '.join(fmt(v) for v in x)}]\n"
              f"      support: {rows(model.support_vectors_)}\n"
              f"      weights: [{', '.join(fmt(v) for v in model.dual_coef_[0])}]\n"
              f"      offset: {fmt(model.offset_[0])}\n"
              "      gamma: scale\n"
              f"      data: {rows(X)}\n")
    text = SPEC.read_text()
    return text[:text.index("    params:\n") + len("    params:\n")] + params


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_decision_function_of_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(0, 1, (12, 2)), 2)
    model = OneClassSVM(kernel="rbf", gamma="scale", nu=0.3).fit(X)
    for x in (X[0], np.array([2.5, -2.0])):
        task, sol = solved(_spec_from_sklearn(model, X, x))
        assert abs(float(task.problem.gamma) - 1 / (2 * X.var())) < 1e-12
        g = float(sol.answers["g"].value)
        assert abs(g - float(model.decision_function(x[None, :])[0])) < 1e-9
        o = float(sol.answers["o"].value)
        assert np.sign(o) == -np.sign(g)
        assert verify(task, sol).passed


def test_symbolic_input():
    text = SPEC.read_text().replace("    method: svm-neuralization\n",
                                    "    method: svm-neuralization\n    symbols:\n      x1: real\n      x2: real\n", 1)
    text = text.replace("      input: [2, 1]\n", "      input: [x1, x2]\n", 1)
    task, sol = solved(text)
    x1, x2 = task.symbols["x1"], task.symbols["x2"]
    assert sympy.expand(sol.answers["h_2"].value - ((x1 - 1)**2 + (x2 - 1)**2 - sympy.log(2) / 2)) == 0
    assert verify(task, sol).passed


def test_injected_wrong_answers_are_caught():
    task, sol = solved()
    sol.answers["h_1"].value = 5 + sympy.log(2) / 2  # the bias with the wrong sign
    sol.answers["g"].value = sympy.exp(-2) / 2 + sympy.exp(-10) / 2  # the offset forgotten
    assert [c.answer for c in verify(task, sol).failures()] == ["h_1", "g"]


def test_misconception_rows():
    task, sol = solved()
    rows = {r.label: r for r in catalogue(task.method, task.problem, sol)}
    assert {"offset-ignored", "bias-sign", "gamma-auto"} <= set(rows)
    assert sympy.simplify(rows["offset-ignored"].values["h_1"] - (5 + sympy.log(2) / 2)) == 0


@pytest.mark.parametrize("old,new,message", [
    ("      data: [[0, 0], [1, 0], [0, 1], [1, 1]]\n", "", "gamma: scale needs data"),
    ("      offset: 1/4\n", "      offset: -1/4\n", "offset rho must be > 0"),
    ("      support: [[0, 0], [1, 1]]\n", "      support: [[0, 0], [1, 1, 2]]\n", "needs 2 numbers"),
])
def test_located_problems(old, new, message):
    assert old in SPEC.read_text()
    with pytest.raises(Exception, match=message) as info:
        loads_sheet(SPEC.read_text().replace(old, new, 1), str(SPEC))
    assert "svm-fitted.yaml:" in str(info.value)
