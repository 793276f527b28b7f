"""LRP: the corpus exercises, every rule against the numpy reference, an unseen network, injected errors."""

import subprocess
import sys

import pytest
import sympy

from symxai.grade.check import check
from symxai.errors import SpecError
from symxai.methods import get
from symxai.solve.model import Solution
from symxai.typeset.render import environment
from symxai.specs.spec import load_sheet, loads_sheet
from symxai.solve.verify import verify

HEAD = """id: t
title: T
exercises:
  - id: net
    title: N
    statement: S
    method: lrp
    symbols:
      x1: nonnegative
      x2: nonnegative
      x3: nonnegative
      gamma: nonnegative
"""


def _sheet(params: str):
    return loads_sheet(HEAD + "    params:\n" + "".join("      " + line + "\n" for line in params.strip().splitlines()))


def _solve_verify(task):
    sol = task.method.solve(task.problem)
    return sol, verify(task, sol)


UNSEEN = """
inputs: [x1, x2, x3]
rule: gamma
gamma: gamma
boundaries: false
layers:
  - neurons: [h4, h5, h6]
    weights: [[2, -1, 1], [-1, 1, "1/2"], [1, 1, -2]]
    bias: [-1, "1/2", 0]
  - neurons: [h7, h8]
    weights: [[1, -2, 1], ["1/2", 1, -1]]
    bias: [1, -1]
  - neurons: [y]
    weights: [[1, 2]]
"""


def test_unseen_network_is_solved_verified_and_drawn():
    task = _sheet(UNSEEN).task("net")
    assert task.answers == ["R_1", "R_2", "R_3", "R_h4", "R_h5", "R_h6", "R_h7", "R_h8"]
    assert len(task.problem.regions) > 4
    sol, ver = _solve_verify(task)
    assert ver.passed, [c.detail for c in ver.failures()]
    assert sol.answers["R_1"].value.has(task.symbols["gamma"])
    fig = next(s.figure for s in sol.steps if s.figure is not None)
    tikz = environment().get_template("figures/network.tex.j2").render(fig=fig.data)
    assert tikz.count("\\node[neuron]") == 9 and "b = -1" in tikz and "\\draw[->]" in tikz


def test_injected_wrong_relevance_fails_verification():
    task = load_sheet("problems/tub-ml-sheet14.yaml").task("lrp-max.C")
    sol = task.method.solve(task.problem)
    x1, x2 = task.symbols["x1"], task.symbols["x2"]
    bad = Solution(sol.steps, dict(sol.answers))
    bad.answer("R_2", sympy.Piecewise((x2 / 3, x1 > x2), (x2 - x1 / 2, True)))
    ver = verify(task, bad)
    assert not ver.passed and [c.answer for c in ver.failures()] == ["R_2"]
    # a boundary-only error (on x1 = x2) is caught too: sampling visits every region
    bad.answer("R_2", sympy.Piecewise((x2 / 2, x1 > x2), (x2 - x1 / 2, x1 < x2), (0, True)))
    assert not verify(task, bad).passed


@pytest.mark.parametrize("rules,extra", [
    ("[lrp0, epsilon]", "epsilon: 1/4"),
    ("[zB, alphabeta]", "low: [0, 0, 0]\nhigh: [2, 2, 2]\nalpha: 2\nbeta: 1"),
    ("[flat, w2]", ""),
    ("[z+, gamma]", "gamma: gamma\nbias: ignore"),
])
def test_every_rule_agrees_with_numpy(rules, extra):
    params = f"""
inputs: [x1, x2, x3]
rules: {rules}
{extra}
layers:
  - neurons: [h4, h5]
    weights: [[1, -1, 2], [-1, 1, 1]]
    bias: ["1/2", -1]
  - neurons: [y]
    weights: [[1, -2]]
    bias: [1]
"""
    task = _sheet(params).task("net")
    sol, ver = _solve_verify(task)
    assert ver.passed, [c.detail for c in ver.failures()]
    wrong = Solution(sol.steps, dict(sol.answers))
    wrong.answer("R_h5", sol.answers["R_h5"].value + task.symbols["x1"] / 7)
    assert not verify(task, wrong).passed


def test_corpus_answers():
    sheet = load_sheet("problems/tub-ml-sheet14.yaml")
    assert check(sheet.path, "lrp-max.A", {"R_1": "x1 - x2", "R_2": "x2"}, ["x1 > x2"]).exit_code == 0
    assert check(sheet.path, "lrp-max.B", {"R_1": "x1", "R_2": "0"}, ["x1 > x2"]).exit_code == 0
    assert check(sheet.path, "lrp-max.C", {"R_3": "(x1 + x2)/2", "R_5": "0"}, ["x1 > x2"]).exit_code == 0
    s11 = "problems/tub-ml-sheet11.yaml"
    assert check(s11, "lrp-min.B", {"R_1": "a1/2", "R_2": "a2/2"}, ["a1 = a2"]).exit_code == 0
    proof = [s for s in load_sheet(s11).task("lrp-min.A").method.solve(load_sheet(s11).task("lrp-min.A").problem).steps
             if "whole domain" in s.text]
    assert proof, "the proof that network A implements min must conclude"


def test_cli_done_criteria():
    base = [sys.executable, "-m", "symxai", "check"]
    c14 = base + ["problems/tub-ml-sheet14.yaml", "lrp-max.C", "--assume", "x1 > x2"]
    assert subprocess.run(c14 + ["R_1=x1 - x2/2", "R_2=x2/2"], capture_output=True).returncode == 0
    assert subprocess.run(c14 + ["R_1=x2/2", "R_2=x1 - x2/2"], capture_output=True).returncode == 1
    c11 = base + ["problems/tub-ml-sheet11.yaml", "lrp-min.A", "--assume", "a1 = a2", "R_1=a1", "R_2=0"]
    assert subprocess.run(c11, capture_output=True).returncode == 0


@pytest.mark.parametrize("params,message", [
    ("inputs: [x1, x2]\nrule: gamma\ngamma: -1\nlayers:\n  - neurons: [y]\n    weights: [[1, 1]]", "gamma must be >= 0"),
    ("inputs: [x1, x2]\nrule: alphabeta\nalpha: 1\nbeta: 1\nlayers:\n  - neurons: [y]\n    weights: [[1, 1]]",
     "alpha - beta must equal 1"),
    ("inputs: [x1, x2]\nrule: z+\nlayers:\n  - neurons: [y1, y2]\n    weights: [[1, 1], [1, 0]]",
     "network output has 2 units, the exercise explains 1"),
    ("inputs: [x1, x2]\nrules: [z+, zB]\nlow: [0, 0]\nhigh: [1, 1]\nlayers:\n  - neurons: [h]\n    weights: [[1, 1]]\n"
     "  - neurons: [y]\n    weights: [[1]]", "is for the first layer only"),
])
def test_named_preconditions(params, message):
    with pytest.raises(SpecError) as err:
        _sheet(params)
    assert message in str(err.value)


def test_symbolic_weights_keep_gates():
    task = load_sheet("problems/tub-ml1-lecture14.yaml").task("lrp-two-layer")
    assert task.problem.regions is None
    sol, ver = _solve_verify(task)
    assert ver.passed
    assert sol.answers["R_1"].value.has(sympy.Heaviside)
    assert get("lrp").name == "lrp"


def test_explained_output_of_a_multi_output_network():
    params = """
inputs: [x1, x2]
rule: z+
output: y2
layers:
  - neurons: [h1, h2]
    weights: [[1, -1], [1, 2]]
    bias: [0, -1]
  - neurons: [y1, y2]
    weights: [[1, 1], [2, -1]]
    activation: linear
"""
    task = _sheet(params).task("net")
    sol, ver = _solve_verify(task)
    assert ver.passed, [c.detail for c in ver.failures()]
    x1, x2 = task.symbols["x1"], task.symbols["x2"]
    assert sol.answers["R_1"].value.subs({x1: 3, x2: 1}) == 3 - 4 + 1  # y2 = 2 h1 - h2 = x1 - 4 x2 + 1 there
    wrong = Solution(sol.steps, dict(sol.answers))  # y1 explained instead of y2
    other = _sheet(params.replace("output: y2", "output: y1")).task("net")
    wrong.answer("R_1", other.method.solve(other.problem).answers["R_1"].value)
    assert not verify(task, wrong).passed
    with pytest.raises(SpecError) as err:
        _sheet(params.replace("output: y2", "output: y3"))
    assert "is not a neuron of the output layer" in str(err.value)


def test_denominator_vanishing_inside_a_region_passes_nothing():
    """z+ on y = x1 - x2: R_1 = 0 on x1 = 0 (zennit and the reference agree), and a wrong answer that
    differs only there (the cancelled x1/x1) is caught by verification, which samples that set."""
    task = _sheet("inputs: [x1, x2]\nrule: z+\nlayers:\n  - neurons: [y]\n    weights: [[1, -1]]").task("net")
    sol, ver = _solve_verify(task)
    assert ver.passed
    x1, x2 = task.symbols["x1"], task.symbols["x2"]
    assert sol.answers["R_1"].value.subs({x1: 0, x2: 1}) == 0
    wrong = Solution(sol.steps, dict(sol.answers))
    wrong.answer("R_1", x1 - x2)
    assert not verify(task, wrong).passed


def test_per_layer_rule_parameters():
    params = """
inputs: [x1, x2]
rule: epsilon
epsilon: 1/4
layers:
  - neurons: [h1, h2]
    weights: [[1, -1], [1, 2]]
    bias: [0, -1]
    epsilon: 1
  - neurons: [y]
    weights: [[1, 1]]
"""
    task = _sheet(params).task("net")
    sol, ver = _solve_verify(task)
    assert ver.passed, [c.detail for c in ver.failures()]
    assert any("layer 1: $\\varepsilon = 1$" in s.text for s in sol.steps)
    x1, x2 = task.symbols["x1"], task.symbols["x2"]
    same = _sheet(params.replace("    epsilon: 1\n", "")).task("net")  # 1/4 at every layer: a different answer
    wrong = Solution(sol.steps, dict(sol.answers))
    wrong.answer("R_1", same.method.solve(same.problem).answers["R_1"].value)
    assert not verify(task, wrong).passed
    assert sol.answers["R_h1"].value.subs({x1: 3, x2: 1}) == sympy.Rational(2 * 6, 6 + sympy.Rational(1, 4)) * 1
