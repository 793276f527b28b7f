"""LRP at a numeric point (``point:``), the explained output by index, and per-layer rules at a point:
exact answers, agreement with the numpy reference, injected wrong answers caught, clear input errors."""

import pytest
import sympy

from symxai.errors import SpecError
from symxai.solve.model import Solution
from symxai.solve.stepcheck import check_steps
from symxai.solve.verify import verify
from tests.methods.test_lrp import _sheet

NET = """
inputs: [x1, x2]
rules: [gamma, epsilon, lrp0]
gamma: 1/4
epsilon: 1/2
point: {x1: 1, x2: 1/2}
layers:
  - neurons: [h1, h2]
    weights: [[1, -1], [1, 2]]
    bias: [0, -1]
  - neurons: [h3, h4]
    weights: [[1, 1], [2, -1]]
  - neurons: [y1, y2]
    weights: [[1, 1], [1, -1]]
output: y1
"""


def _solved(params):
    task = _sheet(params).task("net")
    sol = task.method.solve(task.problem)
    return task, sol


def test_point_gives_exact_numbers_that_agree_with_the_reference():
    task, sol = _solved(NET)
    ver = verify(task, sol)
    assert ver.passed, [c.detail for c in ver.failures()]
    for a in sol.answers.values():
        assert isinstance(a.value, sympy.Rational), (a.name, a.value)
    # by hand: h1 = 1/2, h2 = max(0, 1 + 1 - 1) = 1; h3 = 3/2, h4 = 0; y1 = 3/2.
    # layer 3 (LRP-0): R_h3 = y1 = 3/2, R_h4 = 0.  Layer 2 (eps = 1/2): R_h1 = 1/2 / (3/2 + 1/2) * 3/2 = 3/8
    assert sol.answers["R_h3"].value == sympy.Rational(3, 2) and sol.answers["R_h4"].value == 0
    assert sol.answers["R_h1"].value == sympy.Rational(3, 8) and sol.answers["R_h2"].value == sympy.Rational(3, 4)
    steps = check_steps(task, sol)
    assert steps.passed and steps.checked == steps.total, steps.failures
    table = [s.table for s in sol.steps if s.table is not None]
    assert len(table) == 1 and len(table[0].rows) == 2 + 6
    text = " ".join(s.text for s in sol.steps)
    assert "LRP-$\\gamma$ at layer 1" in text or "gamma" in text.lower()
    assert "inactive: $h_{4}$" in text
    # 3/2 - (5/4 + 3/8) = -1/8: the layer-1 biases take -1/2, the layer-2 stabiliser 3/8
    assert "the biases take $- \\frac{1}{2}$ and the stabiliser takes $\\frac{3}{8}$" in text


def test_a_wrong_number_is_caught():
    task, sol = _solved(NET)
    for name in ("R_1", "R_h1"):
        wrong = Solution(sol.steps, dict(sol.answers))
        wrong.answer(name, sol.answers[name].value + sympy.Rational(1, 64))
        assert not verify(task, wrong).passed


def test_output_by_index_is_the_same_as_by_name():
    _, by_name = _solved(NET)
    _, by_index = _solved(NET.replace("output: y1", "output: 1"))
    assert {n: a.value for n, a in by_name.answers.items()} == {n: a.value for n, a in by_index.answers.items()}
    task, other = _solved(NET.replace("output: y1", "output: 2"))  # y2 = h3 - h4 = 3/2 too, but h4 gets -R
    assert verify(task, other).passed
    assert other.answers["R_h4"].value == 0 and other.answers["R_h3"].value == sympy.Rational(3, 2)


def test_point_and_symbolic_solution_agree():
    """The point's numbers equal the Piecewise answers of the same exercise without point:."""
    _, at = _solved(NET)
    task, sym = _solved(NET.replace("point: {x1: 1, x2: 1/2}\n", ""))
    x = {task.symbols["x1"]: sympy.Integer(1), task.symbols["x2"]: sympy.Rational(1, 2)}
    for name, a in at.answers.items():
        assert sympy.nsimplify(sympy.sympify(sym.answers[name].value).xreplace(x)) == a.value, name


@pytest.mark.parametrize("point,message", [
    ("{x1: 1, x3: 1}", "'x3' is not an input of the network"),
    ("{x1: 1}", "give every input of the network (missing: x2)"),
    ("{x1: -1, x2: 1}", "outside the declared domain of x1 (nonnegative)"),
    ("{x1: gamma, x2: 1}", "must be an exact real number"),
    ('{x1: "1/0", x2: 1}', "x1"),
])
def test_bad_points_are_named_at_their_line(point, message):
    with pytest.raises(SpecError) as err:
        _sheet(NET.replace("{x1: 1, x2: 1/2}", point))
    assert message in str(err.value)
    assert ":" in str(err.value).split("\n")[0]  # file:line


def test_point_needs_numeric_rule_parameters_and_a_valid_output_index():
    with pytest.raises(SpecError) as err:
        _sheet(NET.replace("gamma: 1/4", "gamma: gamma"))
    assert "needs numeric rule parameters (symbolic: gamma)" in str(err.value)
    with pytest.raises(SpecError) as err:
        _sheet(NET.replace("output: y1", "output: 3"))
    assert "output 3 is not an output neuron's index (1..2: y1, y2)" in str(err.value)


def test_a_decimal_is_read_exactly():
    """The whitelist parser reads 0.5 as the rational 1/2, so a decimal point gives the same exact answers."""
    _, half = _solved(NET)
    _, dec = _solved(NET.replace("x2: 1/2", "x2: 0.5"))
    assert {n: a.value for n, a in half.answers.items()} == {n: a.value for n, a in dec.answers.items()}


LAYERED = NET.replace("rules: [gamma, epsilon, lrp0]\n", "rule: lrp0\n").replace(
    "    bias: [0, -1]\n", "    bias: [0, -1]\n    rule: gamma\n").replace(
    "    weights: [[1, 1], [2, -1]]\n", "    weights: [[1, 1], [2, -1]]\n    rule: epsilon\n")


def test_a_layer_names_its_own_rule():
    """rule: in a layer overrides the exercise's rule: the same answers as rules: [gamma, epsilon, lrp0]."""
    _, listed = _solved(NET)
    task, own = _solved(LAYERED)
    assert {n: a.value for n, a in listed.answers.items()} == {n: a.value for n, a in own.answers.items()}
    assert "LRP-$\\varepsilon$ at layer 2" in " ".join(s.text for s in own.steps)
    assert verify(task, own).passed
    with pytest.raises(SpecError) as err:
        _sheet(LAYERED.replace("rule: lrp0\n", "rules: [lrp0, lrp0, lrp0]\n"))
    assert "not both" in str(err.value)
    with pytest.raises(SpecError) as err:
        _sheet(LAYERED.replace("rule: lrp0\n", ""))
    assert "layer 3 has none" in str(err.value)
    assert verify(task, own).checks[0].reference.endswith("at the exercise's point")


@pytest.mark.parametrize("rules,extra", [
    ("[lrp0, lrp0, lrp0]", "bias: ignore"), ("[z+, z+, z+]", ""), ("[alphabeta, alphabeta, lrp0]", "alpha: 2\nbeta: 1"),
    ("[zB, epsilon, lrp0]", "low: [0, 0]\nhigh: [2, 2]"), ("[flat, w2, lrp0]", ""), ("[w2, gamma, lrp0]", "preset: zennit"),
])
def test_every_rule_at_a_point_agrees_with_the_reference(rules, extra):
    params = NET.replace("rules: [gamma, epsilon, lrp0]", f"rules: {rules}\n{extra}".rstrip())
    task, sol = _solved(params)
    ver = verify(task, sol)
    assert ver.passed, [c.detail for c in ver.failures()]
    steps = check_steps(task, sol)
    assert steps.passed, steps.failures
    wrong = Solution(sol.steps, dict(sol.answers))
    wrong.answer("R_2", sol.answers["R_2"].value + 1)
    assert not verify(task, wrong).passed


def test_a_point_lifts_the_region_bound_only():
    """At a point there is one activation pattern: a network with more regions than MAX_LRP_REGIONS is
    solved there, while the hidden-unit limit still holds."""
    from symxai.specs.limits import MAX_LRP_HIDDEN, MAX_LRP_REGIONS
    import math
    width = next(h for h in range(2, MAX_LRP_HIDDEN) if 1 + h + math.comb(h, 2) > MAX_LRP_REGIONS)
    rows = ", ".join(f"[{k + 1}, {(-1) ** k}]" for k in range(width))
    wide = (f"inputs: [x1, x2]\nrule: lrp0\npoint: {{x1: 1, x2: 2}}\nlayers:\n"
            f"  - neurons: [{', '.join(f'h{k}' for k in range(width))}]\n    weights: [{rows}]\n"
            f"    bias: [{', '.join(str(k % 3 - 1) for k in range(width))}]\n"
            f"  - neurons: [y]\n    weights: [[{', '.join('1' for _ in range(width))}]]\n")
    task, sol = _solved(wide)
    assert verify(task, sol).passed
    with pytest.raises(SpecError) as err:
        _sheet(wide.replace("point: {x1: 1, x2: 2}\n", ""))
    assert "activation regions" in str(err.value)
