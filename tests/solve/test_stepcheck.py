"""Worked steps are checked like answers: every displayed equality, a false one fails the build."""

import json

import pytest
import sympy

from symxai.errors import VerificationError
from symxai.solve.model import Line, Solution, Tex
from symxai.solve.pipeline import build, solve_file
from symxai.solve.stepcheck import Index, check_lines

from tests.conftest import PROBLEMS

x = sympy.Symbol("x", real=True)
a = sympy.Symbol("a", positive=True)


def draw(rng):
    return {x: float(rng.uniform(-3, 3))}


def one_line(*terms, **kw):
    s = Solution()
    s.step("", Line(*terms, **kw))
    return s


def test_a_true_chain_is_checked_and_a_false_one_fails():
    assert check_lines(one_line((x + 1)**2, x**2 + 2*x + 1), draw).failures == []
    report = check_lines(one_line((x + 1)**2, x**2 + 2*x + 1, x**2 + 1), draw)
    assert (report.checked, report.total, len(report.failures)) == (2, 2, 1)


def test_exact_numbers_are_compared_exactly():
    report = check_lines(one_line(sympy.Rational(2, 3), sympy.Rational(2, 3) + sympy.Rational(1, 10**12)), draw)
    assert report.failures and "exact difference" in report.failures[0].detail


def test_an_equation_is_checked_at_its_solution_not_everywhere():
    assert check_lines(one_line(2 * x, 4, kind="equation", at={x: 2}), draw).failures == []
    assert check_lines(one_line(2 * x, 4, kind="equation", at={x: 3}), draw).failures
    assert check_lines(one_line(2 * x, 4), draw).failures  # as an identity it is false


def test_a_notation_counts_but_is_checked_only_with_its_value():
    unvalued = check_lines(one_line(Tex("\\nabla f"), 2 * x), draw)
    assert (unvalued.checked, unvalued.total) == (0, 1)
    valued = check_lines(one_line(Tex("\\nabla f", sympy.diff(x**2, x)), 2 * x), draw)
    assert (valued.checked, valued.total, valued.failures) == (1, 1, [])
    wrong = check_lines(one_line(Tex("\\nabla f", sympy.diff(x**2, x)), x), draw)
    assert wrong.failures


def test_approx_uses_the_printed_digits_and_formulas_are_not_claims():
    close = one_line(sympy.Integer(2) / 3, sympy.Float("0.666667", 6), rel="approx")
    assert check_lines(close, draw).failures == []
    far = one_line(sympy.Integer(2) / 3, sympy.Float("0.6667", 4), rel="approx")
    assert check_lines(far, draw).failures
    formula = check_lines(one_line(Tex("\\phi_i"), Tex("\\sum_S w_S"), kind="formula"), draw)
    assert formula.total == 0


def test_general_symbols_are_drawn_by_their_assumptions():
    d = sympy.Symbol("d", integer=True, positive=True)
    i = sympy.Symbol("i", integer=True)
    general = one_line(sympy.Sum(a / d, (i, 1, d)), a)
    assert check_lines(general, lambda rng: {}).failures == []


def test_a_line_starting_with_an_answer_name_is_checked_against_the_answer():
    s = Solution()
    s.answer("phi_1", sympy.Rational(2, 3))
    s.step("", Line(sympy.Symbol("phi_1"), sympy.Rational(1, 3) + sympy.Rational(1, 3)))
    assert check_lines(s, draw).checked == 1 and not check_lines(s, draw).failures
    s.answers["phi_1"].value = sympy.Rational(1, 2)
    assert check_lines(s, draw).failures


def test_answers_json_records_the_checked_steps(tmp_path):
    build([PROBLEMS / "tub-ml1-lecture14.yaml"], tmp_path, tex_only=True)
    tasks = json.loads((tmp_path / "tub-ml1-lecture14" / "answers.json").read_text())["tasks"]
    for key in ("am-linear", "am-max", "am-probability"):
        assert tasks[key]["steps_checked"] == tasks[key]["steps_total"] > 0, key
    for task in tasks.values():
        assert 0 <= task["steps_checked"] <= task["steps_total"]


def test_an_injected_false_step_fails_the_build(tmp_path, monkeypatch):
    from symxai.methods.prototypes.activation_max import ActivationMax
    original = ActivationMax.solve

    def with_false_step(self, problem):
        solution = original(self, problem)
        for step in solution.steps:
            if step.title == "Gradient":
                label, grad = step.lines[0].terms
                step.lines[0] = Line(label, 2 * grad)  # the displayed gradient doubled: a false step
        return solution

    monkeypatch.setattr(ActivationMax, "solve", with_false_step)
    with pytest.raises(VerificationError, match="Gradient"):
        build([PROBLEMS / "tub-ml1-lecture14.yaml"], tmp_path, tex_only=True)
    assert not (tmp_path / "tub-ml1-lecture14").exists()


def test_general_identities_in_d_are_checked_at_random_dimensions_and_vectors():
    d = sympy.Symbol("d", integer=True, positive=True)
    u, v = sympy.MatrixSymbol("u", d, 1), sympy.MatrixSymbol("v", d, 1)
    i = Index("i", d)
    square = lambda w: (w.T * w)[0, 0]
    true = one_line(square(u - v) - square(u), ((-2 * u + v).T * v)[0, 0])
    assert (check_lines(true, lambda rng: {}).checked, check_lines(true, lambda rng: {}).failures) == (1, [])
    false = one_line(square(u - v) - square(u), ((-u + v).T * v)[0, 0])
    assert check_lines(false, lambda rng: {}).failures
    ui, vi = u[i - 1, 0], v[i - 1, 0]
    entry = one_line((ui + vi) ** 2, ui ** 2 + 2 * ui * vi + vi ** 2)  # an entry i, always within 1..d
    assert check_lines(entry, lambda rng: {}).checked == 1 and not check_lines(entry, lambda rng: {}).failures


@pytest.mark.parametrize("name", sorted(p.name for p in PROBLEMS.glob("*.yaml")))
def test_every_displayed_equality_of_the_corpus_is_checked_and_holds(name):
    """steps_checked == steps_total for every task of every spec; a task without worked equalities
    (a discussion question) has 0/0."""
    _, results = solve_file(PROBLEMS / name)
    for key, (_, verification) in results.items():
        steps = verification.steps
        assert steps.passed, (key, steps.failures)
        assert steps.checked == steps.total, (key, steps.unchecked)


def test_a_false_general_step_of_kmeans_fails_the_build(tmp_path, monkeypatch):
    """A false step in the general derivation (any d, any centroids) is caught at random centroids."""
    from symxai.methods.neuralize.kmeans_neuralization import KMeansNeuralization
    original = KMeansNeuralization.solve

    def with_false_step(self, problem):
        solution = original(self, problem)
        for step in solution.steps:
            b_k = next((line.terms[1] for line in step.lines if line.terms[0] == Tex("b_k")), None)
            for n, line in enumerate(step.lines):
                if b_k is not None and len(line.terms) == 3:  # w_k^T x + b_k, with b_k of the wrong sign
                    first, second, third = line.terms
                    step.lines[n] = Line(first, second, Tex(third.code, third.value - 2 * b_k))
        return solution

    monkeypatch.setattr(KMeansNeuralization, "solve", with_false_step)
    with pytest.raises(VerificationError, match="kmeans-neuralization: step"):
        build([PROBLEMS / "tub-ml1-lecture14.yaml"], tmp_path, tex_only=True)
    assert not (tmp_path / "tub-ml1-lecture14").exists()
