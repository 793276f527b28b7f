"""Neuralized one-class SVM and k-means: real scikit-learn models, specs, injected wrong answers.

OneClassSVM convention: ``decision_function(x) = sum_i dual_coef_i k(x, u_i) + intercept_``
(``intercept_ = -rho``, and ``offset_ = -intercept_``), so the kernel expansion f of the
exercise is ``decision_function - intercept_`` (= ``score_samples``), with alpha_i = dual_coef_i > 0.
"""

import numpy as np
import sympy
from sklearn.cluster import KMeans
from sklearn.svm import OneClassSVM

from symxai.grade.check import check
from symxai.solve.model import Solution
from symxai.expr.numeval import evaluate
from symxai.specs.spec import load_sheet, loads_sheet
from symxai.solve.verify import verify

SHEET11 = "problems/tub-ml-sheet11.yaml"
LECTURE = "problems/tub-ml1-lecture14.yaml"


def _tampered(solution, name, value):
    out = Solution(solution.steps, dict(solution.answers))
    out.answer(name, value)
    return out


def _svm_spec(M: int) -> str:
    names = [f"u{i}" for i in range(1, M + 1)]
    weights = [f"alpha{i}" for i in range(1, M + 1)]
    symbols = "\n".join([f"      {n}: {{shape: [d]}}" for n in names] + [f"      {a}: positive" for a in weights])
    return f"""
id: svm
title: svm
exercises:
  - id: net
    title: net
    method: svm-neuralization
    statement: s
    symbols:
      d: [integer, positive]
      x: {{shape: [d]}}
      gamma: positive
{symbols}
    params:
      input: x
      support: [{", ".join(names)}]
      weights: [{", ".join(weights)}]
      gamma: gamma
"""


def test_neural_form_reproduces_sklearn_one_class_svm():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    g = 0.7
    svm = OneClassSVM(kernel="rbf", gamma=g, nu=0.2).fit(X)
    U, alpha, M = svm.support_vectors_, svm.dual_coef_[0], len(svm.support_vectors_)
    assert np.all(alpha > 0)
    task = loads_sheet(_svm_spec(M)).task("net")
    sol = task.method.solve(task.problem)
    s = task.symbols
    base = {s["d"]: 2, s["gamma"]: g}
    base.update({s[f"u{i + 1}"]: U[i] for i in range(M)})
    base.update({s[f"alpha{i + 1}"]: float(alpha[i]) for i in range(M)})
    probes = np.vstack([X[:5], rng.normal(scale=2.0, size=(5, 2))])
    for x in probes:
        values = {**base, s["x"]: x}
        o = evaluate(sol.answers["o"].value, values)
        h = np.array([evaluate(sol.answers[f"h_{i + 1}"].value, values) for i in range(M)])
        f = svm.decision_function(x.reshape(1, -1))[0] - svm.intercept_[0]
        assert np.isclose(np.exp(-g * o), f, rtol=1e-9)  # the network computes the SVM
        assert np.isclose(svm.decision_function(x.reshape(1, -1))[0], np.exp(-g * o) + svm.intercept_[0])
        assert h.min() - np.log(M) / g <= o + 1e-12 and o <= h.min() + 1e-12  # the bound of part b


def test_sheet11_parts_verified_and_wrong_answers_caught():
    sheet = load_sheet(SHEET11)
    a, b = sheet.task("neuralization.a"), sheet.task("neuralization.b")
    sol_a, sol_b = a.method.solve(a.problem), b.method.solve(b.problem)
    assert verify(a, sol_a).passed and verify(b, sol_b).passed
    no_bias = sol_a.answers["h_1"].value + sympy.log(a.symbols["alpha1"]) / a.symbols["gamma"]
    assert not verify(a, _tampered(sol_a, "h_1", no_bias)).passed
    h = [b.symbols[f"h_{i}"] for i in (1, 2, 3)]
    assert sol_b.answers["o"].value == sympy.Min(*h)
    assert not verify(b, _tampered(sol_b, "o", sympy.Max(*h))).passed


def test_sheet11_check_accepts_norm_form_and_rejects_missing_bias():
    right = check(SHEET11, "neuralization.a", {"h_2": "norm(x - u2)^2 - log(alpha2)/gamma"})
    wrong = check(SHEET11, "neuralization.a", {"h_2": "norm(x - u2)^2"})
    assert right.exit_code == 0 and wrong.exit_code == 1
    assert check(SHEET11, "neuralization.b", {"o": "min(h_1, h_2, h_3)"}).exit_code == 0


def _kmeans_spec(centroids, c: int) -> str:
    rows = ", ".join("[" + ", ".join(repr(float(v)) for v in m) + "]" for m in centroids)
    point = ", ".join(repr(float(v)) for v in centroids[c])
    return f"""
id: km
title: km
exercises:
  - id: net
    title: net
    method: kmeans-neuralization
    statement: s
    symbols: {{beta: positive}}
    params:
      centroids: [{rows}]
      point: [{point}]
      beta: beta
      cluster: {c + 1}
"""


def test_neural_form_reproduces_sklearn_kmeans_assignments():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(loc=m, scale=0.6, size=(15, 2)) for m in ([0, 0], [3, 0], [0, 3])])
    km = KMeans(n_clusters=3, n_init=10, random_state=0).fit(X)
    probes = np.vstack([X, rng.uniform(-2, 5, size=(40, 2))])
    wins = np.zeros((len(probes), 3), dtype=bool)
    for c in range(3):
        task = loads_sheet(_kmeans_spec(km.cluster_centers_, c)).task("net")
        sol = task.method.solve(task.problem)
        others = [k for k in range(3) if k != c]
        W = np.array([evaluate(sol.answers[f"w_{k + 1}"].value, {}).reshape(-1) for k in others])
        b = np.array([evaluate(sol.answers[f"b_{k + 1}"].value, {}) for k in others])
        wins[:, c] = np.min(probes @ W.T + b, axis=1) > 0
    assert np.all(wins.sum(axis=1) == 1)  # exactly one cluster wins everywhere
    assert np.array_equal(np.argmax(wins, axis=1), km.predict(probes))


def test_lecture_kmeans_verified_conserving_and_wrong_answers_caught():
    task = load_sheet(LECTURE).task("kmeans-neuralization")
    sol = task.method.solve(task.problem)
    assert verify(task, sol).passed
    A = sol.answers
    assert A["w_1"].value == sympy.Matrix([8, 0]) and A["b_1"].value == -16 and A["b_3"].value == 0
    total = sympy.simplify(A["R_1"].value + A["R_2"].value - A["R_h1"].value - A["R_h3"].value)
    assert total == 0
    assert not verify(task, _tampered(sol, "b_1", sympy.Integer(16))).passed
    assert not verify(task, _tampered(sol, "R_1", A["R_2"].value)).passed
    beta = task.symbols["beta"]
    assert not verify(task, _tampered(sol, "R_h1", 8 * sympy.exp(-8 * beta) / (sympy.exp(-8 * beta) + 1))).passed


def test_kmeans_general_neuron_in_the_answer_box_verified_at_random_centroids():
    task = load_sheet(LECTURE).task("kmeans-neuralization")
    sol = task.method.solve(task.problem)
    assert task.answers[:2] == ["w_k", "b_k"]
    d = sympy.Symbol("d", integer=True, positive=True)
    mu_k, mu_c = (sympy.MatrixSymbol(n, d, 1) for n in ("mu_k", "mu_c"))
    from symxai.expr.plaintext import plain
    assert [plain(sol.answers[n].value) for n in ("w_k", "b_k")] == ["2*(mu_c - mu_k)", "norm(mu_k)**2 - norm(mu_c)**2"]
    assert verify(task, sol).passed
    assert not verify(task, _tampered(sol, "w_k", 2 * (mu_k - mu_c))).passed
    assert not verify(task, _tampered(sol, "b_k", -sol.answers["b_k"].value)).passed


def test_svm_bound_is_stated_for_general_M():
    task = load_sheet("problems/tub-ml-sheet11.yaml").task("neuralization.b")
    sol = task.method.solve(task.problem)
    assert any("\\log" in c and "M" in c for c in sol.cases)
    assert verify(task, sol).passed and sol.steps
