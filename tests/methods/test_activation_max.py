"""Activation maximisation: answers, verification against the optimiser, check verdicts, preconditions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy
from click.testing import CliRunner

from symxai.grade.check import check
from symxai.cli import main
from symxai.errors import SpecError
from symxai.reference import optimize as ref
from symxai.specs.spec import load_sheet, loads_sheet
from symxai.solve.verify import verify

ROOT = Path(__file__).resolve().parents[2]
S14 = ROOT / "problems" / "tub-ml-sheet14.yaml"
S11 = ROOT / "problems" / "tub-ml-sheet11.yaml"
L14 = ROOT / "problems" / "tub-ml1-lecture14.yaml"


def _task(path, key):
    return load_sheet(path).task(key)


def _solved(path, key):
    task = _task(path, key)
    return task, task.method.solve(task.problem)


def _names(task):
    return task.symbols.names()


def test_prototype_is_mu_plus_sigma_w_in_matrix_form():
    task, sol = _solved(S14, "prototypes")
    n = _names(task)
    x = sol.answers["x_star"].value
    assert x == n["mu"] + n["Sigma"] * n["w"]
    assert x.atoms(sympy.MatrixSymbol) == {n["mu"], n["Sigma"], n["w"]}  # no component soup
    assert verify(task, sol).passed


@pytest.mark.parametrize("part, answers", [
    ("a", {"x_star": lambda n, l: n["w"] / (2 * l)}),
    ("b", {"x_star": lambda n, l: n["mu"] + n["Sigma"] * n["w"]}),
    ("c", {"z_star": lambda n, l: n["A"].T * n["w"] / (2 * l),
           "x_star": lambda n, l: n["A"] * n["A"].T * n["w"] / (2 * l) + n["c"]}),
])
def test_sheet11_parts(part, answers):
    task, sol = _solved(S11, f"activation-maximization.{part}")
    n = _names(task)
    for name, expected in answers.items():
        got = sol.answers[name].value
        assert (got - expected(n, n["lambda"])).doit().expand() == sympy.ZeroMatrix(*got.shape)
    assert verify(task, sol).passed


def test_sheet11_c_shows_gradient_stationary_point_and_hessian():
    _, sol = _solved(S11, "activation-maximization.c")
    titles = [s.title for s in sol.steps]
    for t in ("Gradient", "Stationary point", "Hessian", "Back to input space"):
        assert t in titles


def test_lecture_answers():
    task, sol = _solved(L14, "am-linear")
    n = _names(task)
    assert (sol.answers["x_star"].value - n["w"] / (2 * n["lambda"])).doit().expand() == sympy.ZeroMatrix(n["d"], 1)
    task, sol = _solved(L14, "am-max")
    lam = _names(task)["lambda"]
    assert sol.answers["x_star"].value == sympy.FiniteSet(sympy.ImmutableMatrix([1 / (2 * lam), 0]),
                                                          sympy.ImmutableMatrix([0, 1 / (2 * lam)]))
    assert verify(task, sol).passed
    task, sol = _solved(L14, "am-probability")
    n = _names(task)
    assert sol.answers["const"].value == sympy.log(n["p_c"])
    assert sol.answers["x_star"].value == n["mu"]
    assert verify(task, sol).passed


@pytest.mark.parametrize("path, key, name, wrong", [
    (S14, "prototypes", "x_star", lambda n: n["mu"] + n["Sigma"].I * n["w"]),
    (S11, "activation-maximization.a", "x_star", lambda n: n["w"] / n["lambda"]),
    (S11, "activation-maximization.c", "x_star", lambda n: n["A"] * n["A"].T * n["w"] / n["lambda"] + n["c"]),
    (L14, "am-probability", "const", lambda n: sympy.log(1 - n["p_c"])),
])
def test_injected_wrong_prototype_fails_verification(path, key, name, wrong):
    task, sol = _solved(path, key)
    sol.answers[name].value = wrong(_names(task))
    result = verify(task, sol)
    assert not result.passed
    assert [c.answer for c in result.failures()] == [name]


def test_am_max_missing_maximiser_fails_verification():
    task, sol = _solved(L14, "am-max")
    lam = _names(task)["lambda"]
    sol.answers["x_star"].value = sympy.FiniteSet(sympy.ImmutableMatrix([1 / (2 * lam), 0]))
    assert not verify(task, sol).passed


def test_reference_finds_both_maximisers_of_max():
    found = ref.maximisers(lambda x: max(x[0], x[1]) - 0.8 * x @ x, 2, kinks=True)
    assert len(found) == 2
    got = sorted(tuple(np.round(p, 6)) for p in found)
    assert got == [(0.0, 0.625), (0.625, 0.0)]


def test_reference_reports_no_unique_maximiser():
    x = ref.unique_maximiser(lambda x: max(x[0], x[1]) - x @ x, 2, kinks=True)
    assert np.all(np.isnan(x))


@pytest.mark.parametrize("answer, code", [
    ("mu + Sigma*w", 0), ("Sigma*w + mu", 0), ("Sigma*(w + Sigma^-1*mu)", 0),
    ("mu + Sigma^-1*w", 1), ("mu + w", 1), ("mu + Sigma*w/2", 1),
])
def test_check_prototypes(answer, code):
    result = CliRunner().invoke(main, ["check", str(S14), "prototypes", f"x_star={answer}"])
    assert result.exit_code == code, result.output


def test_check_cli_sheet11_c():
    run = ["check", str(S11), "activation-maximization.c"]
    ok = CliRunner().invoke(main, run + ["z_star=A^T*w/(2*lambda)", "x_star=A*A^T*w/(2*lambda) + c"])
    assert ok.exit_code == 0, ok.output
    bad = CliRunner().invoke(main, run + ["z_star=A^T*w/lambda"])
    assert bad.exit_code == 1, bad.output
    missing_transpose = CliRunner().invoke(main, run + ["x_star=A*w/(2*lambda) + c"])
    assert missing_transpose.exit_code == 2, missing_transpose.output  # d x k times d x 1: unreadable


def test_check_am_max_set_and_probability():
    assert check(L14, "am-max", {"x_star": "{(1/(2*lambda), 0), (0, 1/(2*lambda))}"}).exit_code == 0
    assert check(L14, "am-max", {"x_star": "{(1/lambda, 0), (0, 1/lambda)}"}).exit_code == 1
    assert check(L14, "am-probability", {"const": "log(p_c)", "x_star": "mu"}).exit_code == 0


SPEC = """
id: t
title: t
exercises:
  - id: e
    title: e
    statement: s
    method: activation-max
    symbols:
      d: [integer, positive]
      x: {shape: [d]}
      w: {shape: [d]}
      lambda: LAMBDA
      mu: {shape: [d]}
      Sigma: {shape: [d, d]SPD}
    params:
      variable: x
      f: {linear: {w: w}}
      omega: OMEGA
      objective: OBJ
"""


def _spec(lam="positive", omega="{l2: lambda}", obj="f - Omega", spd=", assume: [spd]"):
    return SPEC.replace("LAMBDA", lam).replace("OMEGA", omega).replace("OBJ", obj).replace("SPD", spd)


@pytest.mark.parametrize("text, message", [
    (_spec(lam="real"), "not known to be positive"),
    (_spec(obj="f + Omega"), "no maximiser"),
    (_spec(omega="{l2: -1}"), "no maximiser"),
    (_spec(omega="{gaussian: {mean: mu, cov: Sigma}}", spd=""), "symmetric positive definite"),
    (_spec(omega="{gaussian: {mean: mu, cov: Sigma}}", obj="f - Omega"), "grows without bound"),
    (_spec(omega="{l2: lambda, gaussian: {mean: mu, cov: Sigma}}"), "exactly one of"),
])
def test_preconditions_are_named(text, message):
    with pytest.raises(SpecError) as exc:
        loads_sheet(text, "t.yaml")
    assert any(message in p.message for p in exc.value.problems), [p.message for p in exc.value.problems]


def test_lecture_sign_convention_matches_sheet_convention():
    # f + Omega with Omega = -lambda||x||^2 (lecture) and f - Omega with Omega = lambda||x||^2 (sheet 11)
    a = loads_sheet(_spec(omega="{l2: lambda, negate: true}", obj="f + Omega"), "t.yaml").tasks[0]
    b = loads_sheet(_spec(), "t.yaml").tasks[0]
    assert a.method.solve(a.problem).answers["x_star"].value == b.method.solve(b.problem).answers["x_star"].value
