"""LIME on numeric data (kind: data): least squares, ridge and lasso with an unpenalised intercept and a kernel
width, exact, against scikit-learn."""

from pathlib import Path

import numpy as np
import pytest
import sympy
from sklearn.linear_model import Lasso, LinearRegression, Ridge

from symxai.misconceptions import catalogue
from symxai.solve.stepcheck import check_steps
from symxai.solve.verify import verify
from symxai.specs.spec import load_sheet, loads_sheet

SPEC = Path(__file__).resolve().parents[1] / "specs" / "lime-data.yaml"
R = sympy.Rational


def solved(key, text=None):
    sheet = loads_sheet(text, str(SPEC)) if text else load_sheet(SPEC)
    task = sheet.task(key)
    return task, task.method.solve(task.problem)


def floats(v):
    return np.array([float(e) for e in v], dtype=float)


def sklearn_fit(X, y, w, penalty, alpha, intercept):
    if penalty == "ridge":
        model = Ridge(alpha=alpha, fit_intercept=intercept)
    elif penalty == "lasso":
        model = Lasso(alpha=alpha, fit_intercept=intercept, tol=1e-14, max_iter=1_000_000)
    else:
        model = LinearRegression(fit_intercept=intercept)
    model.fit(X, y, sample_weight=w)
    return model.coef_, float(model.intercept_) if intercept else 0.0


CORPUS = np.array([[0, 0], [1, 0], [0, 1], [1, 1], [-1, 1]], float), np.array([1, 3, 0, 2, -1], float), \
    np.array([1, .5, .5, .25, .25])


@pytest.mark.parametrize("key,penalty,alpha", [("lime-ridge", "ridge", 1.0), ("lime-lasso", "lasso", 0.25)])
def test_corpus_examples_equal_scikit_learn(key, penalty, alpha):
    task, sol = solved(key)
    coef, b0 = sklearn_fit(*CORPUS, penalty, alpha, True)
    assert np.allclose(floats(sol.answers["beta"].value), coef, atol=1e-9)
    assert abs(float(sol.answers["beta_0"].value) - b0) < 1e-9
    assert verify(task, sol).passed
    assert check_steps(task, sol).passed


def test_exact_values_and_the_lasso_zero():
    _, sol = solved("lime-ridge")
    assert list(sol.answers["beta"].value) == [R(17, 20), R(-17, 40)] and sol.answers["beta_0"].value == R(11, 10)
    _, sol = solved("lime-lasso")
    assert list(sol.answers["beta"].value) == [R(43, 36), 0] and sol.answers["beta_0"].value == R(31, 36)


def test_kernel_width_against_scikit_learn():
    task, sol = solved("lime-kernel")
    X, y = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], float), np.array([1, 3, 0, 2], float)
    w = np.sqrt(np.exp(-(X ** 2).sum(axis=1) / 1.0 ** 2))  # lime's tabular kernel, width 1, x0 = 0
    coef, _ = sklearn_fit(X, y, w, "none", 0.0, False)
    assert np.allclose(floats(sol.answers["beta"].value), coef, atol=1e-12)
    e = sympy.exp(R(1, 2))
    assert sympy.simplify(sol.answers["beta"].value[1] + 1 / (e + 2)) == 0
    assert verify(task, sol).passed and check_steps(task, sol).passed


def _spec(X, y, w, penalty, alpha, intercept, width=None):
    rows = ", ".join("[" + ", ".join(str(int(v)) for v in r) + "]" for r in X)
    lines = ["      kind: data", f"      penalty: {penalty}", f"      intercept: {str(intercept).lower()}"]
    if penalty != "none":
        lines.append(f"      alpha: {alpha}")
    if width is not None:
        lines += [f"      kernel_width: {width}", "      point: [" + ", ".join(["0"] * X.shape[1]) + "]"]
    lines += ["      data:", f"        X: [{rows}]", f"        y: [{', '.join(str(int(v)) for v in y)}]"]
    if width is None:
        lines.append(f"        weights: [{', '.join(str(v) for v in w)}]")
    head = SPEC.read_text().split("  - id: lime-lasso")[0]
    params = head.index("    params:\n")
    return head[:params] + "    params:\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(6))
def test_random_data_sets_against_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(2, 4)), int(rng.integers(6, 9))
    X, y = rng.integers(-2, 3, (m, n)), rng.integers(-3, 4, m)
    w = [R(int(k), 4) for k in rng.integers(1, 5, m)]
    penalty = ["none", "ridge", "lasso"][seed % 3]
    alpha = R(int(rng.integers(1, 4)), 8)
    intercept = seed % 2 == 0
    width = 2 if seed == 5 else None
    task, sol = solved("lime-ridge", _spec(X, y, w, penalty, alpha, intercept, width))
    weights = (np.sqrt(np.exp(-(X.astype(float) ** 2).sum(axis=1) / width ** 2)) if width
               else np.array([float(v) for v in w]))
    coef, b0 = sklearn_fit(X.astype(float), y.astype(float), weights, penalty, float(alpha), intercept)
    assert np.allclose(floats(sol.answers["beta"].value), coef, atol=1e-7)
    if intercept:
        assert abs(float(sol.answers["beta_0"].value) - b0) < 1e-7
    assert verify(task, sol).passed


def test_injected_wrong_answers_are_caught():
    task, sol = solved("lime-lasso")
    sol.answers["beta"].value = sympy.ImmutableMatrix([R(43, 36), R(1, 100)])  # the zero missed
    assert [c.answer for c in verify(task, sol).failures()] == ["beta"]
    task, sol = solved("lime-ridge")
    sol.answers["beta_0"].value = R(1)
    assert [c.answer for c in verify(task, sol).failures()] == ["beta_0"]


def test_misconception_rows():
    task, sol = solved("lime-lasso")
    rows = {r.label: r for r in catalogue(task.method, task.problem, sol)}
    assert {"unweighted", "no-intercept", "lasso-unscaled"} <= set(rows)
    assert all(r.values["beta"] != sol.answers["beta"].value or r.values["beta_0"] != sol.answers["beta_0"].value
               for r in rows.values())


@pytest.mark.parametrize("old,new,message", [
    ("      penalty: ridge\n      alpha: 1\n", "      penalty: ridge\n", "needs alpha"),
    ("      alpha: 1\n", "      alpha: 1\n      kernel_width: 1\n", "either data.weights or kernel_width"),
    ("        weights: [1, 1/2, 1/2, 1/4, 1/4]\n", "", None),
])
def test_located_problems(old, new, message):
    assert old in SPEC.read_text()
    text = SPEC.read_text().replace(old, new, 1)
    if message is None:  # no weights: every sample weighs 1
        task, sol = solved("lime-ridge", text)
        coef, b0 = sklearn_fit(CORPUS[0], CORPUS[1], np.ones(5), "ridge", 1.0, True)
        assert np.allclose(floats(sol.answers["beta"].value), coef)
        return
    with pytest.raises(Exception, match=message) as info:
        loads_sheet(text, str(SPEC))
    assert "lime-data.yaml:" in str(info.value)
