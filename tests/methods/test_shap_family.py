"""The SHAP family (linear, kernel, tree SHAP, interaction values): the corpus answers, shap itself on
seeded random instances, and verification and `check` that bite."""

from __future__ import annotations

import importlib
import os
import warnings
from fractions import Fraction

import numpy as np
import pytest
import sympy

from symxai.solve.model import Line
from symxai.solve.pipeline import solve_file
from symxai.specs.spec import load_sheet, loads_sheet
from symxai.solve.stepcheck import check_steps
from symxai.solve.verify import verify

from tests.conftest import PROBLEMS



def _optional(module: str):
    """The module, or None where it is not installed; under CI (which installs the test extra) a missing
    one is an error, not a skip.  Only the comparisons with shap need it: the rest of the file runs."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if os.environ.get("CI"):
            raise
        return None


shap = _optional("shap")
tree_module = _optional("sklearn.tree")
needs_shap = pytest.mark.skipif(shap is None or tree_module is None, reason="shap/scikit-learn not installed")
SPEC = PROBLEMS / "xai-shap-family.yaml"
R = sympy.Rational


def text(v) -> str:
    return str(sympy.nsimplify(Fraction(v).limit_denominator(10 ** 6)))


def yaml_list(values) -> str:
    return "[" + ", ".join(text(v) for v in values) + "]"


def solve_text(body: str, method: str, symbols: str = ""):
    spec = (f"id: t\ntitle: t\nexercises:\n  - id: e\n    title: e\n    statement: s\n    method: {method}\n"
            f"{symbols}    params:\n{body}")
    task = loads_sheet(spec, "t.yaml").task("e")
    solution = task.method.solve(task.problem)
    result = verify(task, solution)
    assert result.passed, result.failures()
    report = check_steps(task, solution)
    assert report.passed and report.checked == report.total, (report.failures, report.unchecked)
    return task, solution


def floats(solution, names) -> np.ndarray:
    return np.array([float(solution.answers[n].value) for n in names])


# -- the corpus ---------------------------------------------------------------------------------------

EXPECTED = {
    "linear-interventional": {"phi_1": 4, "phi_2": 1, "phi_3": 6},
    "linear-conditional.d2": {"phi_1": R(1, 2), "phi_2": R(1, 2)},
    "linear-conditional.d3": {"phi_1": R(11, 9), "phi_2": R(14, 9), "phi_3": R(2, 9)},
    "kernel-shap.d3": {"pi_1": R(1, 3), "pi_2": R(1, 3), "phi_1": 1, "phi_2": 1, "phi_3": 2},
    "kernel-shap.d4": {"pi_1": R(1, 4), "pi_2": R(1, 8), "pi_3": R(1, 4), "phi_1": R(2, 3), "phi_2": R(2, 3),
                       "phi_3": R(8, 3), "phi_4": -3},
    "tree-shap.path": {"phi_1": R(26, 15), "phi_2": R(16, 15)},
    "tree-shap.interventional": {"phi_1": R(8, 3), "phi_2": 2},
    "interactions.product": {"phi_11": 0, "phi_12": 3, "phi_13": 0, "phi_22": 0, "phi_23": 0, "phi_33": 1},
    "interactions.triple": {"phi_11": R(-4, 3), "phi_12": 2, "phi_13": 2, "phi_22": R(-4, 3), "phi_23": 2,
                            "phi_33": R(-4, 3)},
    "interactions.tree": {"phi_11": R(22, 15), "phi_12": R(4, 15), "phi_22": R(4, 5)},
}


def test_corpus_answers_verified_and_every_step_checked():
    sheet, results = solve_file(SPEC)
    assert set(EXPECTED) <= set(results)
    for key, expected in EXPECTED.items():
        solution, verification = results[key]
        assert verification.passed, (key, verification.failures())
        assert {n: solution.answers[n].value for n in expected} == expected, key
        report = check_steps(sheet.task(key), solution)
        assert report.passed and report.checked == report.total > 0, (key, report.failures, report.unchecked)


def test_d2_conditional_values_share_credit_with_the_unused_feature():
    sheet = load_sheet(SPEC)
    task = sheet.task("linear-conditional.d2")
    solution = task.method.solve(task.problem)
    last = solution.steps[-1]
    assert "has weight 0" in last.text and solution.answers["phi_2"].value != 0


# -- against shap on seeded random instances ----------------------------------------------------------

def random_spd(rng, d):
    a = rng.integers(-2, 3, (d, d))
    return a @ a.T + np.eye(d, dtype=int)


@needs_shap
@pytest.mark.parametrize("seed", range(4))
def test_linear_shap_matches_shap_linear_explainer(seed):
    rng = np.random.default_rng(seed)
    d = 2 + seed % 3
    w, x, mu = rng.integers(-3, 4, d), rng.integers(-3, 4, d), rng.integers(-2, 3, d)
    cov = random_spd(rng, d)
    b = int(rng.integers(-2, 3))
    rows = "[" + ", ".join(yaml_list(r) for r in cov) + "]"
    body = f"      w: {yaml_list(w)}\n      b: {b}\n      point: {yaml_list(x)}\n      mean: {yaml_list(mu)}\n      cov: {rows}\n"
    names = [f"phi_{i + 1}" for i in range(d)]
    _, inter = solve_text(body + "      mode: interventional\n", "linear-shap")
    explainer = shap.LinearExplainer((w.astype(float), float(b)), (mu.astype(float), cov.astype(float)),
                                     feature_perturbation="interventional")
    assert np.allclose(floats(inter, names), explainer.shap_values(x[None].astype(float))[0], atol=1e-9)
    _, cond = solve_text(body + "      mode: conditional\n", "linear-shap")
    np.random.seed(seed)  # shap estimates the correlation-dependent transform by sampling orderings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        explainer = shap.LinearExplainer((w.astype(float), float(b)), (mu.astype(float), cov.astype(float)),
                                         feature_perturbation="correlation_dependent", nsamples=10000)
        theirs = explainer.shap_values(x[None].astype(float))[0]
    ours = floats(cond, names)
    scale = 1.0 + np.abs(ours).max()
    assert np.allclose(ours, theirs, atol=0.03 * scale), (ours, theirs)


@needs_shap
@pytest.mark.parametrize("seed", range(4))
def test_kernel_shap_matches_shap_kernel_explainer_with_full_enumeration(seed):
    rng = np.random.default_rng(100 + seed)
    d = 3 + seed % 2
    c = rng.integers(-3, 4, 4)
    f = f"{c[0]}*x1*x2 + {c[1]}*x3 + {c[2]}*x1*x3" + (f" + {c[3]}*x2*x4" if d == 4 else "")
    x, z = rng.integers(-2, 4, d), rng.integers(-2, 3, d)
    symbols = "    symbols: {" + ", ".join(f"x{i + 1}: real" for i in range(d)) + "}\n"
    body = (f"      f: {f}\n      inputs: [{', '.join(f'x{i + 1}' for i in range(d))}]\n"
            f"      point: {yaml_list(x)}\n      baseline: {yaml_list(z)}\n")
    task, sol = solve_text(body, "kernel-shap", symbols)

    def model(data):
        data = np.atleast_2d(data)
        out = c[0] * data[:, 0] * data[:, 1] + c[1] * data[:, 2] + c[2] * data[:, 0] * data[:, 2]
        return out + (c[3] * data[:, 1] * data[:, 3] if d == 4 else 0)
    explainer = shap.KernelExplainer(model, z[None].astype(float))
    theirs = explainer.shap_values(x[None].astype(float), nsamples=2 ** d - 2, silent=True)[0]
    assert np.allclose(floats(sol, [f"phi_{i + 1}" for i in range(d)]), theirs, atol=1e-8)


def spec_tree(model, X, y) -> str:
    """The fitted sklearn tree as spec nodes (leaf values as exact means of the training targets)."""
    t = model.tree_
    leaves = model.apply(X)
    lines = []
    for k in range(t.node_count):
        if t.children_left[k] == -1:
            mean = Fraction(int(y[leaves == k].sum()), int((leaves == k).sum()))
            lines.append(f"        - {{id: n{k}, value: {mean}, cover: {t.n_node_samples[k]}}}")
        else:
            lines.append(f"        - {{id: n{k}, feature: x{t.feature[k] + 1}, threshold: {Fraction(t.threshold[k])}, "
                         f"left: n{t.children_left[k]}, right: n{t.children_right[k]}, cover: {t.n_node_samples[k]}}}")
    return "      tree:\n" + "\n".join(lines) + "\n"


def fitted_tree(seed):
    rng = np.random.default_rng(200 + seed)
    d = 2 + seed % 2
    X = rng.integers(0, 4, (14, d))
    y = rng.integers(-3, 5, 14)
    model = tree_module.DecisionTreeRegressor(max_depth=2 + seed % 2, random_state=0).fit(X, y)
    return rng, d, X, y, model


@needs_shap
@pytest.mark.parametrize("seed", range(4))
def test_tree_shap_matches_shap_tree_explainer_both_modes(seed):
    rng, d, X, y, model = fitted_tree(seed)
    x = rng.integers(0, 4, d)
    background = X[:5]
    head = f"      inputs: [{', '.join(f'x{i + 1}' for i in range(d))}]\n      point: {yaml_list(x)}\n"
    symbols = "    symbols: {" + ", ".join(f"x{i + 1}: real" for i in range(d)) + "}\n"
    names = [f"phi_{i + 1}" for i in range(d)]
    _, path = solve_text(head + spec_tree(model, X, y) + "      mode: path-dependent\n", "tree-shap", symbols)
    theirs = shap.TreeExplainer(model, feature_perturbation="tree_path_dependent").shap_values(x[None].astype(float))[0]
    assert np.allclose(floats(path, names), theirs, atol=1e-9)
    rows = "[" + ", ".join(yaml_list(r) for r in background) + "]"
    _, inter = solve_text(head + spec_tree(model, X, y) + f"      mode: interventional\n      background: {rows}\n",
                          "tree-shap", symbols)
    explainer = shap.TreeExplainer(model, data=background.astype(float), feature_perturbation="interventional")
    assert np.allclose(floats(inter, names), explainer.shap_values(x[None].astype(float))[0], atol=1e-9)


@needs_shap
@pytest.mark.parametrize("seed", range(4))
def test_interaction_values_match_shap_interaction_values(seed):
    rng, d, X, y, model = fitted_tree(seed)
    x = rng.integers(0, 4, d)
    head = f"      inputs: [{', '.join(f'x{i + 1}' for i in range(d))}]\n      point: {yaml_list(x)}\n"
    symbols = "    symbols: {" + ", ".join(f"x{i + 1}: real" for i in range(d)) + "}\n"
    _, sol = solve_text(head + spec_tree(model, X, y), "shap-interaction", symbols)
    theirs = shap.TreeExplainer(model).shap_interaction_values(x[None].astype(float))[0]
    ours = np.array([[float(sol.answers[f"phi_{min(i, j) + 1}{max(i, j) + 1}"].value) for j in range(d)]
                     for i in range(d)])
    assert np.allclose(ours, theirs, atol=1e-9), (ours, theirs)


@needs_shap
def test_corpus_tree_is_what_sklearn_grows_and_shap_agrees():
    # the exercise's training set: 4 points left of x1 = 1/2 (y = 1), then 2 with x2 <= 1/2 (y = 2), 4 above (y = 6)
    X = np.array([[0, 0], [0, 1], [0, 0], [0, 1], [1, 0], [1, 0], [1, 1], [1, 1], [1, 1], [1, 1]])
    y = np.array([1, 1, 1, 1, 2, 2, 6, 6, 6, 6])
    model = tree_module.DecisionTreeRegressor(max_depth=2, random_state=0).fit(X, y)
    t = model.tree_
    assert list(t.feature[t.children_left != -1]) == [0, 1]
    assert list(t.threshold[t.children_left != -1]) == [0.5, 0.5]
    assert sorted(t.n_node_samples) == [2, 4, 4, 6, 10]
    sheet, results = solve_file(SPEC)
    x = np.array([[1.0, 1.0]])
    path = shap.TreeExplainer(model, feature_perturbation="tree_path_dependent").shap_values(x)[0]
    assert np.allclose(path, [float(results["tree-shap.path"][0].answers[f"phi_{i}"].value) for i in (1, 2)])
    background = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    inter = shap.TreeExplainer(model, data=background, feature_perturbation="interventional").shap_values(x)[0]
    assert np.allclose(inter, [float(results["tree-shap.interventional"][0].answers[f"phi_{i}"].value) for i in (1, 2)])
    interaction = shap.TreeExplainer(model).shap_interaction_values(x)[0]
    ours = results["interactions.tree"][0].answers
    assert np.allclose(interaction, [[float(ours["phi_11"].value), float(ours["phi_12"].value)],
                                     [float(ours["phi_12"].value), float(ours["phi_22"].value)]])


# -- verification bites ------------------------------------------------------------------------------

@pytest.mark.parametrize("key,name", [("linear-conditional.d3", "phi_2"), ("kernel-shap.d4", "phi_3"),
                                      ("kernel-shap.d4", "pi_2"), ("tree-shap.interventional", "phi_1"),
                                      ("interactions.tree", "phi_12")])
def test_injected_wrong_answer_is_caught(key, name):
    task = load_sheet(SPEC).task(key)
    solution = task.method.solve(task.problem)
    solution.answers[name].value += R(1, 7)
    result = verify(task, solution)
    assert [c.answer for c in result.failures()] == [name]


@pytest.mark.parametrize("key,title", [("linear-interventional", "Feature 2"), ("kernel-shap.d3", "KernelSHAP equals Shapley"),
                                       ("tree-shap.path", "Coalition values"), ("interactions.product", "Main effects")])
def test_injected_wrong_step_is_caught(key, title):
    task = load_sheet(SPEC).task(key)
    solution = task.method.solve(task.problem)
    step = next(s for s in solution.steps if s.title == title)
    k = next(k for k, line in enumerate(step.lines) if len(line.terms) >= (3 if line.kind == "definition" else 2))
    line = step.lines[k]
    step.lines[k] = Line(*line.terms[:-1], line.terms[-1] + R(1, 3), kind=line.kind)
    report = check_steps(task, solution)
    assert len(report.failures) == 1 and report.failures[0].title == title


def test_bad_tree_is_refused_with_its_location():
    body = ("      inputs: [x1]\n      point: [1]\n      tree:\n"
            "        - {id: r, feature: x1, threshold: 0, left: a, right: b, cover: 5}\n"
            "        - {id: a, value: 1, cover: 2}\n        - {id: b, value: 2, cover: 2}\n")
    spec = ("id: t\ntitle: t\nexercises:\n  - id: e\n    title: e\n    statement: s\n    method: tree-shap\n"
            "    symbols: {x1: real}\n    params:\n" + body)
    from symxai.errors import SpecError
    with pytest.raises(SpecError) as info:
        loads_sheet(spec, "t.yaml")
    assert "do not add up to its cover 5" in str(info.value) and "t.yaml:" in str(info.value)


# -- check names the typical mistakes -----------------------------------------------------------------

def test_check_accepts_every_right_answer(cli):
    for key, expected in EXPECTED.items():
        r = cli("check", SPEC, key, *[f"{n}={v}" for n, v in expected.items()])
        assert r.exit_code == 0, (key, r.output)


@pytest.mark.parametrize("key,answers,labels", [
    ("linear-interventional", ["phi_1=6", "phi_2=-4", "phi_3=-6"], ["no-centering", "reversed"]),
    ("linear-interventional", ["phi_1=2", "phi_2=-1"], ["no-weight"]),
    ("linear-interventional", ["phi_1=13/3", "phi_2=4/3"], ["bias-shared"]),
    ("linear-conditional.d2", ["phi_1=1", "phi_2=0"], ["interventional-for-conditional"]),
    ("linear-conditional.d3", ["phi_1=1/3"], ["leave-one-out"]),
    ("kernel-shap.d4", ["phi_1=5/8", "pi_2=3/4", "phi_3=11/4"], ["uniform-kernel", "no-binomial", "shapley-weights"]),
    ("kernel-shap.d4", ["pi_2=1", "phi_1=5/12"], ["uniform-kernel", "no-constraint"]),
    ("tree-shap.path", ["phi_1=22/15", "phi_2=4/3"], ["saabas"]),
    ("tree-shap.interventional", ["phi_1=26/15"], ["path-dependent-for-interventional"]),
    ("tree-shap.path", ["phi_1=2"], ["even-branches"]),
    ("interactions.product", ["phi_12=6", "phi_33=1"], ["no-half"]),
    ("interactions.tree", ["phi_11=26/15"], ["diagonal-is-shapley"]),
    ("interactions.triple", ["phi_12=4/3", "phi_13=8"], ["shapley-weights", "full-coalition-only"]),
])
def test_check_names_the_typical_mistakes(cli, key, answers, labels):
    r = cli("check", SPEC, key, *answers)
    assert r.exit_code == 1, r.output
    for label in labels:
        assert f"[{label}]" in r.output, (label, r.output)


def test_every_catalogue_has_three_mistakes_that_differ_from_the_answer():
    from symxai.misconceptions import Misconception, catalogue
    sheet = load_sheet(SPEC)
    for method in ("linear-shap", "kernel-shap", "tree-shap", "shap-interaction"):
        labels = set()
        for key in EXPECTED:
            task = sheet.task(key)
            if task.method.name != method:
                continue
            solution = task.method.solve(task.problem)
            for row in catalogue(task.method, task.problem, solution):
                if isinstance(row, Misconception) and any(
                        sympy.simplify(v - solution.answers[n].value) != 0 for n, v in row.values.items()):
                    labels.add(row.label)
        assert len(labels) >= 3, (method, labels)


def test_interventional_closed_form_is_derived_for_symbolic_weights_and_points():
    body = "      w: [a, b, c]\n      point: [s, t, u]\n      mean: [m, n, 0]\n      b: k\n"
    symbols = "    symbols: {a: real, b: real, c: real, s: real, t: real, u: real, m: real, n: real, k: real}\n"
    task, sol = solve_text(body, "linear-shap", symbols)
    a, b, c, s, t, u, m, n = (task.symbols[name] for name in "abcstumn")
    assert [sympy.simplify(sol.answers[f"phi_{i}"].value - e) for i, e in
            ((1, a * (s - m)), (2, b * (t - n)), (3, c * u))] == [0, 0, 0]
    sol.answers["phi_2"].value = b * t  # the uncentred slip, at symbolic values
    assert [c.answer for c in verify(task, sol).failures()] == ["phi_2"]
