"""The LRP worked solutions read as a TA's: general relations, every displayed equality checked,
no repeated chain members or unset placeholders, the case a1 = a2 in the answer box, gamma = 0 defined."""

import re

import pytest
import sympy

from symxai.errors import VerificationError
from symxai.methods.propagation import lrp_solution
from symxai.solve.model import Line, Tex
from symxai.solve.pipeline import build, solve_file
from symxai.expr.printing import prose, tex
from symxai.specs.spec import load_sheet

from tests.conftest import PROBLEMS

LRP_TASKS = [("tub-ml-sheet14.yaml", k) for k in ("lrp-max.A", "lrp-max.B", "lrp-max.C")] + \
            [("tub-ml-sheet11.yaml", k) for k in ("lrp-min.A", "lrp-min.B")] + \
            [("tub-ml1-lecture14.yaml", "lrp-two-layer")]


@pytest.fixture(scope="module")
def solved():
    out = {}
    for name in sorted({f for f, _ in LRP_TASKS}):
        _, results = solve_file(PROBLEMS / name)
        out.update({(name, k): v for k, v in results.items()})
    return out


def _texts(solution):
    """Every piece of text the sheet prints for a solution: prose, display lines, table cells, cases."""
    for step in solution.steps:
        yield prose(step.text, step.values)
        for line in step.lines:
            yield tex(line)
        if step.table is not None:
            for row in [step.table.header] + step.table.rows:
                yield " ".join(tex(c) for c in row)
    yield from solution.cases


@pytest.mark.parametrize("sheet,key", LRP_TASKS)
def test_every_displayed_equality_is_checked(solved, sheet, key):
    _, verification = solved[(sheet, key)]
    steps = verification.steps
    assert steps.passed, steps.failures
    assert steps.checked == steps.total > 0, steps.unchecked


@pytest.mark.parametrize("sheet,key", LRP_TASKS)
def test_no_repeated_chain_member_and_no_unset_placeholder(solved, sheet, key):
    solution, _ = solved[(sheet, key)]
    for step in solution.steps:
        for line in step.lines:
            shown = [tex(t) for t in line.terms]
            assert all(a != b for a, b in zip(shown, shown[1:])), shown  # "y = a2 = a2"
    for text in _texts(solution):
        assert "[[" not in text and "]]" not in text, text
        assert not re.search(r"\bNone\b|\?\?|\{\}|nan\b|zoo", text), text
        assert "0 = 0" not in text, text


def test_the_general_relations_the_exercise_asks_for_are_written(solved):
    """R_j = h_j/(h3 + h4) R_out = h_j (network A) and R_1 = x1/(x1 + x2) R_3 + R_4 (network C)."""
    sol_a, _ = solved[("tub-ml-sheet14.yaml", "lrp-max.A")]
    sol_c, _ = solved[("tub-ml-sheet14.yaml", "lrp-max.C")]
    rule_a = [s for s in sol_a.steps if s.title == "The rule for this network"][0]
    assert "R_{3} &=" in "".join(tex(line) for line in rule_a.lines) or rule_a.lines[0].terms[0] == sympy.Symbol("R_3")
    assert tex(rule_a.lines[0].terms[-1]) == "h_{3}"
    layer1 = [line for s in sol_c.steps for line in s.lines if line.terms and line.terms[0] == sympy.Symbol("R_1")]
    codes = [t.code for line in layer1 for t in line.terms if isinstance(t, Tex)]
    assert "\\frac{x_{1}}{x_{1} + x_{2}}\\, R_{3} + R_{4}" in codes, codes
    said = " ".join(s.text for s in sol_c.steps)
    assert "$v = \\frac{1}{2}$" in said and "symmetric" in said


def test_gradient_times_input_is_said_only_where_it_holds(solved):
    sol_11, _ = solved[("tub-ml-sheet11.yaml", "lrp-min.B")]
    sol_14, _ = solved[("tub-ml-sheet14.yaml", "lrp-max.B")]
    assert any("gradient $\\times$ input" in s.text for s in sol_11.steps)
    assert not any("gradient $\\times$ input" in s.text for s in sol_14.steps)  # z+ is not LRP-0 on net B


def test_the_case_a1_equals_a2_is_in_the_answer_box_and_defined_at_gamma_zero(solved):
    sol_a, _ = solved[("tub-ml-sheet11.yaml", "lrp-min.A")]
    sol_b, _ = solved[("tub-ml-sheet11.yaml", "lrp-min.B")]
    assert any("a_{1} = a_{2}" in c and "R_{1} = a_{1}" in c for c in sol_a.cases), sol_a.cases
    assert any("R_{1} = \\frac{a_{1}}{2}" in c for c in sol_b.cases), sol_b.cases
    sheet = load_sheet(PROBLEMS / "tub-ml-sheet11.yaml")
    s = sheet.task("lrp-min.B").symbols
    a1, a2, gamma = s["a1"], s["a2"], s["gamma"]
    for g in (0, sympy.Rational(1, 3), 2):
        value = sol_b.answers["R_1"].value.subs({a1: 3, a2: 3, gamma: g})
        assert value == sympy.Rational(3, 2), (g, value)  # not 0/0 at gamma = 0
    boundary = [s.text for s in sol_b.steps if s.title == "Boundaries"][0]
    assert "jumps" in boundary and "\\gamma = 0" in boundary


def test_one_relevance_figure_per_network(solved):
    for sheet, key in LRP_TASKS[:5]:
        solution, _ = solved[(sheet, key)]
        shown = [s for s in solution.steps if s.figure is not None and not s.figure.data.get("statement_only")]
        assert len(shown) == 1 and shown[0].figure.data["relevance"], key


def test_defined_on_splits_a_boundary_where_a_parameter_zeroes_a_denominator():
    from symxai.solve.regions import Region, defined_on, piecewise
    a1, a2 = sympy.symbols("a1 a2", nonnegative=True)
    g = sympy.Symbol("gamma", nonnegative=True)
    gp = sympy.Symbol("gamma", positive=True)
    line = Region({}, [(a1 - a2, 0), (a1 + a2, 1)], [a1, a2])
    assert not defined_on(line, a1 * g / (a1 * (g + 1) - a2))
    assert defined_on(line, a1 * gp / (a1 * (gp + 1) - a2))
    below = Region({}, [(a1 - a2, -1)], [a1, a2])
    def formula(gamma):  # tends to a1/2 on the line for gamma > 0, is 0/0 there at gamma = 0
        return a1**2 * gamma / (2 * (a1 * (gamma + 1) - a2))
    assert isinstance(piecewise([below, line], [formula(g), a1 / 2]), sympy.Piecewise)  # own piece
    assert piecewise([below, line], [formula(gp), a1 / 2]) == formula(gp)  # gamma > 0: one formula


def test_an_injected_false_lrp_step_fails_the_build(tmp_path, monkeypatch):
    original = lrp_solution.general

    def with_false_step(sol, p, tidy, pre):
        out = original(sol, p, tidy, pre)
        step = [s for s in sol.steps if s.title == "The rule for this network"][0]
        terms = step.lines[0].terms
        step.lines[0] = Line(*terms[:-1], 2 * terms[-1])  # R_3 = ... = 2 h3: false
        return out

    monkeypatch.setattr(lrp_solution, "general", with_false_step)
    with pytest.raises(VerificationError, match="The rule for this network"):
        build([PROBLEMS / "tub-ml-sheet14.yaml"], tmp_path, tex_only=True)


def test_the_rule_paragraph_is_stated_once_per_exercise(solved):
    """Network A states the rule and the 0/0 convention; B and C (same rule) do not repeat it."""
    def stated(sheet, key):
        solution, _ = solved[(sheet, key)]
        return any(s.title == "Propagation rule" for s in solution.steps)
    assert stated("tub-ml-sheet14.yaml", "lrp-max.A") and stated("tub-ml-sheet11.yaml", "lrp-min.A")
    assert not any(stated("tub-ml-sheet14.yaml", k) for k in ("lrp-max.B", "lrp-max.C"))
    assert not stated("tub-ml-sheet11.yaml", "lrp-min.B")


def test_the_zero_share_sentence_tells_a_zero_numerator_from_a_vanishing_denominator(solved):
    texts = {k: " ".join(s.text for s in solved[(f, k)][0].steps) for f, k in
             [("tub-ml-sheet14.yaml", "lrp-max.A"), ("tub-ml-sheet11.yaml", "lrp-min.A")]}
    for text in texts.values():
        assert "inactive ReLU neuron ($a_j = 0$) has a zero numerator" in text
        assert "0/0 := 0" in text
    assert "sum of non-negative terms" in texts["lrp-max.A"]  # z+ on inputs >= 0
    assert "sum of non-negative terms" not in texts["lrp-min.A"]  # LRP-gamma: contributions can cancel
    assert "cancel" in texts["lrp-min.A"]


def test_implements_f_shows_the_substitution_in_one_line_per_region(solved):
    sol_a, _ = solved[("tub-ml-sheet11.yaml", "lrp-min.A")]
    sol_c, _ = solved[("tub-ml-sheet14.yaml", "lrp-max.C")]
    proof = [s for s in sol_a.steps if s.title == "The network implements f"][0]
    codes = [t.code for line in proof.lines for t in line.terms if isinstance(t, Tex)]
    assert "a_{1} - (a_{1} - a_{2})" in codes, codes
    assert len(proof.lines) == 2 and all(isinstance(line.terms[-1], sympy.Min) for line in proof.lines)
    proof_c = [s for s in sol_c.steps if s.title == "The network implements f"][0]
    assert len(proof_c.lines) == 2
    assert any(t.code.startswith("\\frac{1}{2}\\left(") for line in proof_c.lines for t in line.terms
               if isinstance(t, Tex)), [tex(line) for line in proof_c.lines]


def test_a_mirrored_region_is_named_not_repeated_and_only_when_the_formulas_match(solved):
    sol_b, _ = solved[("tub-ml-sheet11.yaml", "lrp-min.B")]
    said = [s.text for s in sol_b.steps if "mirror image" in s.text]
    assert len(said) == 1 and "R_{h_{2}} \\leftrightarrow R_{h_{3}}" in said[0], said
    net = load_sheet(PROBLEMS / "tub-ml-sheet11.yaml").task("lrp-min.B").problem.network
    a1, a2 = net.inputs
    names = ["R_h1", "R_h2", "R_h3", "R_1", "R_2"]
    seen = {"R_h1": a1 + a2, "R_h2": a1 - a2, "R_h3": sympy.Integer(0), "R_1": a1, "R_2": a2 ** 2}
    mirror = {"R_h1": a1 + a2, "R_h2": sympy.Integer(0), "R_h3": a2 - a1, "R_1": a1 ** 2, "R_2": a2}
    assert lrp_solution.mirrored(net, seen, mirror, names) == {"R_1": "R_2", "R_2": "R_1", "R_h1": "R_h1",
                                                               "R_h2": "R_h3", "R_h3": "R_h2"}
    wrong = dict(mirror, R_1=a1)  # R_1 is not R_2 with the inputs exchanged
    assert lrp_solution.mirrored(net, seen, wrong, names) is None


def test_symbolic_weights_give_the_two_steps_compactly(solved):
    """Lecture 14 Ex 7: the gates as H(z_j) of named pre-activations, gradient x input said after it was
    computed, and no step line holds a step function of a written-out pre-activation."""
    from symxai.methods.propagation import lrp_gated
    solution, _ = solved[("tub-ml1-lecture14.yaml", "lrp-two-layer")]
    assert any(s.title == "Both steps together" for s in solution.steps)
    assert any("gradient $\\times$ input" in s.text for s in solution.steps)
    for step in solution.steps:
        for line in step.lines:
            for t in line.terms:
                if isinstance(t, sympy.Basic):
                    assert all(h.args[0].is_Symbol for h in t.atoms(sympy.Heaviside)), tex(line)
    p = load_sheet(PROBLEMS / "tub-ml1-lecture14.yaml").task("lrp-two-layer").problem
    net = p.network
    zs, where = lrp_gated.pre_activations(net)
    v = list(net.layers[1].weights)
    y = sum((vj * sympy.Max(0, where[z]) for vj, z in zip(v, zs)), sympy.Integer(0))
    right = {n: x * sum((net.layers[0].weights[j, i] * v[j] * sympy.Heaviside(zs[j], 0) for j in range(len(zs))),
                        sympy.Integer(0)) for i, (n, x) in enumerate(zip(net.input_relevance, net.inputs))}
    assert lrp_gated._gradient_times_input(net, y, right, where)
    assert not lrp_gated._gradient_times_input(net, y, {n: 2 * r for n, r in right.items()}, where)


def test_continuity_for_positive_gamma_is_said_only_after_it_is_checked(solved):
    from symxai.solve.regions import Region
    sol_b, _ = solved[("tub-ml-sheet11.yaml", "lrp-min.B")]
    boundary = [s.text for s in sol_b.steps if s.title == "Boundaries"][0]
    assert "for every $\\gamma > 0$ (checked boundary by boundary)" in boundary, boundary
    assert "the formula for $a_{1} > a_{2}$ tends to" in boundary, boundary
    a1, a2 = sympy.symbols("a1 a2", nonnegative=True)
    g = sympy.Symbol("gamma", nonnegative=True)
    line = Region({}, [(a1 - a2, 0), (a1 + a2, 1)], [a1, a2])
    assert lrp_solution._continuous_for_positive(line, a1 * a2 * (g + 1) / (a1 * g + a2), a1, g)
    assert not lrp_solution._continuous_for_positive(line, a1 * g / (g + 1), a1, g)  # a jump for every gamma
