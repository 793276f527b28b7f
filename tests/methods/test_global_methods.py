"""Counterfactuals, influence functions, DeepLIFT, partial dependence and permutation importance.

The corpus sheet builds with every answer verified and every displayed equality checked; on seeded
random instances the engine agrees with scikit-learn (``partial_dependence`` on a wrapped estimator,
``permutation_importance`` within a Monte Carlo tolerance, refitting ``Ridge`` for leave-one-out),
with captum's ``DeepLift`` (skipped when torch/captum are missing and CI is not set) and with scipy
(the counterfactual references); a wrong answer and a wrong step are caught; ``check`` accepts
rewritings of the right answers and names typical mistakes.
"""

from __future__ import annotations

import json
import os
from fractions import Fraction

import numpy as np
import pytest
import sympy

from symxai.grade.check import check
from symxai.solve.model import Line
from symxai.expr.numeval import evaluate
from symxai.specs.spec import load_sheet, loads_sheet
from symxai.solve.stepcheck import check_steps
from symxai.solve.verify import verify

SHEET = "problems/xai-global-and-counterfactual.yaml"
METHODS = {"counterfactual", "influence", "deeplift", "partial-dependence", "permutation-importance"}


def _sheet(method: str, params: dict, symbols: dict | None = None) -> str:
    ex = {"id": "t", "title": "t", "statement": "random instance", "method": method, "params": params}
    if symbols:
        ex["symbols"] = symbols
    return json.dumps({"id": "r", "title": "r", "exercises": [ex]})


def _task(method, params, symbols=None):
    task = loads_sheet(_sheet(method, params, symbols)).task("t")
    return task, task.method.solve(task.problem)


def _val(sol, name, at=None):
    return float(evaluate(sol.answers[name].value, at or {}))


def _frac(v) -> str:
    return str(Fraction(v).limit_denominator(64))


# -- the corpus sheet ------------------------------------------------------------------------------
def test_every_task_verified_and_every_step_checked():
    sheet = load_sheet(SHEET)
    assert {t.method.name for t in sheet.tasks} == METHODS
    for task in sheet.tasks:
        sol = task.method.solve(task.problem)
        assert verify(task, sol).passed, task.key
        steps = check_steps(task, sol)
        assert steps.passed and steps.checked == steps.total > 0, (task.key, steps.failures, steps.unchecked)


@pytest.mark.parametrize("target,answer", [("cf-l2", "x_cf_1"), ("influence.b", "Delta_LOO_2"),
                                           ("deeplift", "C_1"), ("pdp", "pdp"), ("permutation.a", "PI")])
def test_a_wrong_answer_fails_verification(target, answer):
    task = load_sheet(SHEET).task(target)
    sol = task.method.solve(task.problem)
    sol.answers[answer].value = sol.answers[answer].value + sympy.Rational(1, 1000)
    ver = verify(task, sol)
    assert not ver.passed and [c.answer for c in ver.failures()] == [answer]


@pytest.mark.parametrize("target", ["cf-l1", "influence.a", "deeplift", "pdp", "permutation.b"])
def test_a_wrong_step_is_caught(target):
    task = load_sheet(SHEET).task(target)
    sol = task.method.solve(task.problem)
    name = task.answers[0]
    sol.step("A false claim.", Line(sympy.Symbol(name), sol.answers[name].value + 1))
    report = check_steps(task, sol)
    assert len(report.failures) == 1 and report.failures[0].step == len(sol.steps)


def test_the_influence_estimate_differs_from_leave_one_out_by_the_leverage_factor():
    task = load_sheet(SHEET).task("influence.a")
    a = {n: v.value for n, v in task.method.solve(task.problem).answers.items()}
    for i in (1, 2):
        assert sympy.simplify(a[f"Delta_LOO_{i}"] * (1 - a["h_kk"]) - a[f"Delta_IF_{i}"]) == 0
        assert a[f"Delta_LOO_{i}"] != a[f"Delta_IF_{i}"]


# -- check verdicts -----------------------------------------------------------------------------------
CASES = [
    ("cf-l2", [{"x_cf_1": "7/3", "x_cf_2": "1 + 2/3", "x_cf_3": "4/3", "dist": "sqrt(24)/3"}],
     [({"x_cf_1": "-1/3", "x_cf_2": "1/3", "x_cf_3": "8/3"}, "wrong-direction"),
      ({"x_cf_1": "1", "x_cf_2": "1", "x_cf_3": "2", "dist": "0"}, "bias-forgotten"),
      ({"x_cf_1": "1 + 8/sqrt(6)", "x_cf_2": "1 + 4/sqrt(6)"}, "norm-not-squared")]),
    ("cf-l1", [{"x_cf_1": "5/3", "x_cf_2": "2", "x_cf_3": "1", "cost": "1 + 4/3"}],
     [({"x_cf_1": "1", "x_cf_2": "3", "cost": "2"}, "box-ignored"),
      ({"x_cf_1": "7/3", "x_cf_2": "1", "cost": "8/3"}, "costs-ignored"),
      ({"x_cf_1": "1 + 6/7", "x_cf_2": "1 + 4/7"}, "l2-for-l1")]),
    ("influence.a", [{"theta_1": "84/53", "Delta_IF_1": "-363/2809", "h_kk": "43/53", "Delta_LOO_1": "-363/530"}],
     [({"Delta_LOO_1": "-363/2809", "Delta_LOO_2": "297/2809"}, "influence-as-loo"),
      ({"Delta_IF_1": "363/2809", "Delta_IF_2": "-297/2809"}, "upweight-sign"),
      ({"Delta_IF_1": "-1815/2809", "Delta_IF_2": "1485/2809"}, "mean-hessian")]),
    ("cf-logistic", [{"x_cf_1": "2", "x_cf_2": "(3 - log(3))/4", "x_cf_3": "1/4 + log(3)/4"}],
     [({"x_cf_1": "2 + (1 + log(3))/9"}, "moved-immutable"),
      ({"x_cf_2": "9/16", "x_cf_3": "7/16"}, "probability-as-score"),
      ({"x_cf_2": "1 - (1 + log(3))/sqrt(2)", "x_cf_3": "(1 + log(3))/sqrt(2)"}, "norm-not-squared")]),
    ("influence.b", [{"Delta_IF_1": "-18/242", "h_kk": "16/22", "Delta_LOO_1": "-3/11", "Delta_LOO_2": "4.5/11"}],
     [({"Delta_IF_1": "-363/2809", "Delta_IF_2": "297/2809"}, "ridge-forgotten"),
      ({"Delta_LOO_1": "-9/121", "Delta_LOO_2": "27/242"}, "influence-as-loo"),
      ({"Delta_IF_1": "9/121", "Delta_IF_2": "-27/242"}, "upweight-sign")]),
    ("deeplift", [{"C_1": "29/10", "C_2": "-7/5"}, {"C_1": "2.9", "C_2": "-1 - 2/5"}],
     [({"C_1": "3", "C_2": "-3/2"}, "ig-for-deeplift"),
      ({"C_1": "3", "C_2": "-2"}, "gradient-at-reference"),
      ({"C_1": "58/15"}, "times-input"),
      ({"C_1": "4", "C_2": "0"}, "lrp-for-deeplift")]),
    ("pdp", [{"pdp": "z + 2/3", "ice_1": "1 - 2*z", "ice_3": "1 + 4 z"}],
     [({"pdp": "z"}, "plug-in-mean"), ({"pdp": "3*z + 2"}, "sum-not-mean"), ({"pdp": "11/3"}, "mean-prediction")]),
    ("permutation.a", [{"PI": "21/2", "mse": "0.25", "var": "5/4", "cov": "1/8"}],
     [({"PI": "21/4"}, "no-factor-two"), ({"PI": "10"}, "cross-term-dropped"), ({"PI": "43"}, "ratio")]),
    ("permutation.b", [{"PI": "1 - 1/2"}, {"PI": r"\frac{1}{2}"}],
     [({"PI": "1/4"}, "no-factor-two"), ({"PI": "1"}, "cross-term-dropped"), ({"PI": "3"}, "ratio")]),
]


@pytest.mark.parametrize("target,right,wrong", CASES, ids=[c[0] for c in CASES])
def test_check_accepts_right_answers_and_names_typical_mistakes(target, right, wrong):
    for answers in right:
        report = check(SHEET, target, answers)
        assert report.exit_code == 0, report.lines()
    for answers, label in wrong:
        report = check(SHEET, target, answers)
        assert report.exit_code == 1
        bad = [v for v in report.verdicts if v.status == "wrong"]
        assert bad, report.lines()
        for v in bad:
            assert v.diagnoses and v.diagnoses[0].label == label, (answers, v.lines())


def test_deeplift_contributions_that_miss_the_delta_are_named():
    report = check(SHEET, "deeplift", {"C_1": "1", "C_2": "1"})
    assert report.exit_code == 1 and "summation-to-delta" in {n.label for n in report.notes}


# -- scipy: counterfactuals on random instances -------------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
def test_random_counterfactuals_agree_with_scipy(seed):
    from symxai.reference import counterfactual as ref

    rng = np.random.default_rng(seed)
    d = int(rng.integers(2, 5))
    w = [int(v) or 1 for v in rng.integers(-4, 5, d)]
    x = [int(v) for v in rng.integers(-2, 3, d)]
    params = {"norm": "l2", "w": w, "b": int(rng.integers(-3, 4)), "x": x, "target": int(rng.integers(-3, 4)),
              "immutable": [1] if seed % 2 else []}
    task, sol = _task("counterfactual", params)
    xs, dist = ref.l2_counterfactual(w, params["b"], x, params["target"], [0] if seed % 2 else [])
    assert np.allclose([_val(sol, f"x_cf_{i + 1}") for i in range(d)], xs, atol=1e-6)
    assert abs(_val(sol, "dist") - dist) < 1e-6
    for _ in range(20):  # draw until the l1 problem has one optimum (no tie of |w_i| / c_i) and is feasible
        w1 = [int(v) or 1 for v in rng.integers(-5, 6, d)]
        cost = [int(v) for v in rng.integers(1, 8, d)]
        p1 = {"norm": "l1", "w": w1, "x": x, "target": int(np.dot(w1, x)) + int(rng.integers(1, 6)),
              "cost": cost, "low": [-3] * d, "high": [3] * d}
        try:
            task, sol = _task("counterfactual", p1)
            break
        except Exception as exc:  # refused by design, with the reason
            assert "unique" in str(exc) or "reach" in str(exc)
    else:
        pytest.fail("no admissible l1 instance in 20 draws")
    xs, c = ref.l1_counterfactual(w1, 0.0, x, p1["target"], cost, [-3] * d, [3] * d, [])
    assert np.allclose([_val(sol, f"x_cf_{i + 1}") for i in range(d)], xs, atol=1e-6)
    assert abs(_val(sol, "cost") - c) < 1e-6


# -- scikit-learn: refitting for leave-one-out ------------------------------------------------------------
@pytest.mark.parametrize("seed", range(5))
def test_influence_and_leave_one_out_agree_with_refitting_ridge(seed):
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(100 + seed)
    n, d = 6, int(rng.integers(2, 4))
    X = np.column_stack([np.ones(n), rng.integers(-3, 4, (n, d - 1))])
    y = rng.integers(-4, 5, n).astype(float)
    lam = [0, 1, 5 / 2][seed % 3]
    k = int(rng.integers(0, n))
    xt, yt = np.concatenate([[1], rng.integers(-2, 3, d - 1)]), float(rng.integers(-3, 4))
    params = {"X": X.astype(int).tolist(), "y": y.astype(int).tolist(), "lambda": _frac(lam), "remove": k + 1,
              "x_test": xt.astype(int).tolist(), "y_test": int(yt)}
    task, sol = _task("influence", params)  # these seeds give a unique fit with and without point k
    alpha = max(lam, 1e-12)  # sklearn's Ridge with alpha -> 0 is least squares
    full = Ridge(alpha=alpha, fit_intercept=False, solver="svd").fit(X, y).coef_
    keep = np.arange(n) != k
    loo = Ridge(alpha=alpha, fit_intercept=False, solver="svd").fit(X[keep], y[keep]).coef_
    assert np.allclose([_val(sol, f"theta_{i + 1}") for i in range(d)], full, atol=1e-8)
    assert np.allclose([_val(sol, f"Delta_LOO_{i + 1}") for i in range(d)], loo - full, atol=1e-8)
    loss = lambda t: 0.5 * (yt - xt @ t) ** 2  # noqa: E731
    assert abs(_val(sol, "dL_LOO") - (loss(loo) - loss(full))) < 1e-8
    H = X.T @ X + lam * np.eye(d)
    assert abs(_val(sol, "h_kk") - X[k] @ np.linalg.solve(H, X[k])) < 1e-10


# -- scikit-learn: partial dependence and permutation importance ------------------------------------------
class _Wrapped:
    """A fixed model as a scikit-learn regressor (fit does nothing)."""

    def __init__(self, fn):
        from sklearn.base import BaseEstimator, RegressorMixin

        class Model(RegressorMixin, BaseEstimator):
            def fit(self, X, y=None):
                self.fitted_ = True
                return self

            def predict(self, X):
                return fn(np.asarray(X, float))
        self.model = Model().fit(np.zeros((1, 2)))


@pytest.mark.parametrize("seed", range(4))
def test_partial_dependence_and_ice_agree_with_sklearn(seed):
    from sklearn.inspection import partial_dependence

    rng = np.random.default_rng(200 + seed)
    c = [int(v) or 1 for v in rng.integers(-3, 4, 3)]
    X = rng.integers(-3, 4, (int(rng.integers(3, 7)), 2))
    j = seed % 2
    f = f"{c[0]}*x1 + {c[1]}*x1*x2 + {c[2]}*x2**2"
    task, sol = _task("partial-dependence", {"f": f, "inputs": ["x1", "x2"], "data": X.tolist(), "feature": j + 1,
                                             "grid": "z"}, {"x1": "real", "x2": "real", "z": "real"})
    model = _Wrapped(lambda A: c[0] * A[:, 0] + c[1] * A[:, 0] * A[:, 1] + c[2] * A[:, 1] ** 2).model
    res = partial_dependence(model, X.astype(float), [j], kind="both", method="brute", grid_resolution=7)
    z = task.symbols["z"]
    for g_index, g in enumerate(res["grid_values"][0]):
        assert abs(_val(sol, "pdp", {z: float(g)}) - res["average"][0][g_index]) < 1e-9
        for i in range(len(X)):
            assert abs(_val(sol, f"ice_{i + 1}", {z: float(g)}) - res["individual"][0][i][g_index]) < 1e-9


@pytest.mark.parametrize("seed", range(3))
def test_permutation_importance_agrees_with_sklearn_within_monte_carlo_error(seed):
    from sklearn.inspection import permutation_importance

    rng = np.random.default_rng(300 + seed)
    n, d = int(rng.integers(4, 7)), 2
    X = rng.integers(-3, 4, (n, d))
    w = [int(v) or 1 for v in rng.integers(-3, 4, d)]
    y = X @ np.array(w) + rng.integers(-2, 3, n)
    model = _Wrapped(lambda A: A @ np.array(w, float)).model
    repeats = 3000
    res = permutation_importance(model, X.astype(float), y.astype(float), scoring="neg_mean_squared_error",
                                 n_repeats=repeats, random_state=seed)
    for j in range(d):
        task, sol = _task("permutation-importance", {"w": w, "data": X.tolist(), "y": y.tolist(), "feature": j + 1})
        # sklearn's mean over `repeats` shuffles estimates the exact average over all n! orderings:
        # five standard errors of that mean (plus a hair for a feature whose importance has no spread)
        tolerance = 5 * res.importances_std[j] / np.sqrt(repeats) + 1e-9
        assert abs(_val(sol, "PI") - res.importances_mean[j]) <= tolerance


# -- captum: DeepLIFT ---------------------------------------------------------------------------------------
try:
    import captum.attr  # noqa: F401
    import torch
    HAVE_CAPTUM = True
except ImportError:  # pragma: no cover - depends on the machine
    HAVE_CAPTUM = False


@pytest.mark.skipif(not HAVE_CAPTUM and not os.environ.get("CI"), reason="torch/captum not installed")
@pytest.mark.parametrize("seed,depth,width", [(1, 1, 3), (2, 2, 2), (3, 2, 3), (4, 3, 2), (5, 1, 4)])
def test_deeplift_agrees_with_captum(seed, depth, width):
    from captum.attr import DeepLift

    from tests import xref

    layers = xref.random_layers(seed, depth, width)
    rng = np.random.default_rng(seed)
    for _ in range(3):
        point = (rng.integers(-96, 128, 2) / 64).tolist()
        base = (rng.integers(-64, 64, 2) / 64).tolist()
        task, sol = _task("deeplift", {"inputs": ["x1", "x2"], "layers": layers, "point": [_frac(v) for v in point],
                                       "baseline": [_frac(v) for v in base], "compare": False},
                          {"x1": "real", "x2": "real"})
        model = xref.torch_model(layers)
        theirs = DeepLift(model).attribute(torch.tensor([point], dtype=torch.float64),
                                           baselines=torch.tensor([base], dtype=torch.float64))[0].tolist()
        ours = [_val(sol, "C_1"), _val(sol, "C_2")]
        assert np.allclose(ours, theirs, atol=1e-9), (layers, point, base)


@pytest.mark.parametrize("method,params,message", [
    ("counterfactual", {"norm": "l2", "w": ["c", 1], "x": [0, 0], "target": 1}, "must hold real numbers"),
    ("counterfactual", {"norm": "l1", "w": [1, 2], "x": [0, 0], "target": 5, "high": [1, 1]}, "do not let the score"),
    ("counterfactual", {"norm": "l2", "w": [1, 2], "x": [0, 0], "target": 1, "high": [1, 1]}, "belong to the l1"),
    ("influence", {"X": [[1, 0], [2, 0]], "y": [1, 2], "remove": 1, "x_test": [1, 1], "y_test": 0}, "singular"),
    ("permutation-importance", {"w": [1], "data": [[v] for v in range(8)], "y": list(range(8)), "feature": 1},
     "2 to 7 rows"),
    ("deeplift", {"inputs": ["x1"], "layers": [{"neurons": ["y"], "weights": [["c"]]}], "point": [1]},
     "numeric weights"),
])
def test_bad_parameters_are_refused_with_a_located_message(method, params, message):
    from symxai.errors import SpecError

    with pytest.raises(SpecError, match=message) as info:
        loads_sheet(_sheet(method, params, {"c": "real", "x1": "real"}))
    assert ":" in str(info.value).splitlines()[0]


def test_intermediate_quantities_can_be_checked():
    assert check(SHEET, "deeplift", {"r_h2": "4/5", "r_g1": "2/3", "r_g2": "1"}).exit_code == 0
    assert check(SHEET, "deeplift", {"r_h2": "2/3"}).exit_code == 1  # the zero-reference multiplier
    assert check(SHEET, "cf-l2", {"s": "-3", "t": "1"}).exit_code == 0
    assert check(SHEET, "influence.a", {"r_k": "-33/53", "r_t": "56/53"}).exit_code == 0


def test_reveal_cancel_credits_both_inputs_of_a_minimum_where_rescale_credits_one():
    task = load_sheet(SHEET).task("deeplift-cancel")
    sol = task.method.solve(task.problem)
    assert [sol.answers[n].value for n in ("C_1", "C_2")] == [sympy.Rational(1, 2), sympy.Rational(1, 2)]
    from dataclasses import replace
    rescaled = task.method.solve(replace(task.problem, rule="rescale"))
    assert [rescaled.answers[n].value for n in ("C_1", "C_2")] == [1, 0]  # the statement says so
    report = check(SHEET, "deeplift-cancel", {"C_1": "1", "C_2": "0"})
    assert report.verdicts[0].diagnoses[0].label == "rescale-for-reveal-cancel"


@pytest.mark.parametrize("seed,depth,width", [(11, 1, 3), (12, 2, 2), (13, 2, 3), (14, 3, 2)])
def test_reveal_cancel_on_random_networks_is_verified_and_sums_to_delta(seed, depth, width):
    from tests import xref

    layers = xref.random_layers(seed, depth, width)
    rng = np.random.default_rng(seed)
    point = [_frac(v) for v in rng.integers(-96, 128, 2) / 64]
    base = [_frac(v) for v in rng.integers(-64, 64, 2) / 64]
    task, sol = _task("deeplift", {"inputs": ["x1", "x2"], "layers": layers, "point": point, "baseline": base,
                                   "rule": "reveal-cancel", "compare": False}, {"x1": "real", "x2": "real"})
    assert verify(task, sol).passed and check_steps(task, sol).passed
    f = task.problem.net.output_expression()
    x = task.problem.net.inputs
    delta = f.xreplace(dict(zip(x, task.problem.point))) - f.xreplace(dict(zip(x, task.problem.baseline)))
    assert sympy.simplify(sol.answers["C_1"].value + sol.answers["C_2"].value - delta) == 0
