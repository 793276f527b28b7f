"""Shapley values: the seed answers, the axioms on random functions, and verification that bites."""

from fractions import Fraction
from itertools import permutations

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symxai.solve.coalitions import coalition_point, coalition_values, shapley_from_values
from symxai.methods.shap_family.shapley import Shapley, ShapleyProblem
from symxai.solve.pipeline import solve_file
from symxai.reference.shapley import all_orderings, monte_carlo
from symxai.specs.spec import load_sheet
from symxai.solve.verify import verify

from tests.conftest import PROBLEMS

R = sympy.Rational
X = sympy.symbols("x1:7", real=True)


def answers(path, key):
    sheet, results = solve_file(PROBLEMS / path)
    solution, verification = results[key]
    assert verification.passed, verification.failures()
    return [solution.answers[f"phi_{i}"].value for i in (1, 2, 3)]


@pytest.mark.parametrize("path,key,expected", [
    ("tub-ml-sheet14.yaml", "shapley", [R(2, 3), R(1, 6), R(1, 6)]),
    ("tub-ml1-lecture14.yaml", "shapley-product", [1, R(1, 2), R(1, 2)]),
    ("eth-riai-ex10.yaml", "shapley-relu.x-g1", [3, 0, 0]),
    ("eth-riai-ex10.yaml", "shapley-relu.x-g2", [0, 0, 3]),
    ("eth-riai-ex10.yaml", "shapley-relu.xprime-g1", [3, 4, 0]),
    ("eth-riai-ex10.yaml", "shapley-relu.xprime-g2", [0, 4, 3]),
])
def test_seed_answers(path, key, expected):
    assert answers(path, key) == expected


def test_cost_answer_is_two_to_the_d():
    sheet, results = solve_file(PROBLEMS / "eth-riai-ex10.yaml")
    d = sheet.task("shapley-cost").symbols["d"]
    assert results["shapley-cost"][0].answers["n_coalitions"].value == 2 ** d


def test_injected_wrong_answer_is_caught():
    sheet = load_sheet(PROBLEMS / "tub-ml-sheet14.yaml")
    task = sheet.task("shapley")
    solution = task.method.solve(task.problem)
    solution.answers["phi_2"].value = R(1, 3)  # a plausible slip: 1/3 instead of 1/6
    result = verify(task, solution)
    assert not result.passed
    assert [c.answer for c in result.failures()] == ["phi_2"]
    assert "reference 0.1666666667" in result.failures()[0].detail


def test_injected_wrong_symbolic_answer_is_caught_at_random_points():
    text = (PROBLEMS / "tub-ml1-lecture14.yaml").read_text().replace("point: [1, 1, 1]", "point: [a, b, c]")
    text = text.replace("x3: real\n", "x3: real\n      a: positive\n      b: positive\n      c: positive\n", 1)
    from symxai.specs.spec import loads_sheet
    task = loads_sheet(text, "sym.yaml").task("shapley-product")
    solution = task.method.solve(task.problem)
    a, b, c = (task.symbols[n] for n in "abc")
    assert sympy.simplify(solution.answers["phi_1"].value - a * (b + c) / 2) == 0
    assert verify(task, solution).passed
    solution.answers["phi_2"].value = a * b  # forgets the 1/2 of the interaction
    assert not verify(task, solution).passed


def _game(values_by_mask, d):
    return [values_by_mask[m] for m in range(1 << d)]


games = st.integers(2, 5).flatmap(
    lambda d: st.tuples(st.just(d), st.lists(st.fractions(-20, 20, max_denominator=7),
                                             min_size=1 << d, max_size=1 << d)))


@settings(max_examples=60, deadline=None)
@given(games)
def test_efficiency(game):
    d, v = game
    assert sum(shapley_from_values(v, d)) == v[-1] - v[0]


@settings(max_examples=60, deadline=None)
@given(games, games)
def test_linearity(g1, g2):
    d, v = g1
    if g2[0] != d:
        return
    w = g2[1]
    combined = shapley_from_values([2 * a - b for a, b in zip(v, w)], d)
    assert combined == [2 * a - b for a, b in zip(shapley_from_values(v, d), shapley_from_values(w, d))]


@settings(max_examples=40, deadline=None)
@given(games)
def test_dummy_feature_gets_zero(game):
    d, v = game
    # make feature 0 a dummy: v(S + {0}) = v(S)
    v = [v[m & ~1] for m in range(1 << d)]
    assert shapley_from_values(v, d)[0] == 0


@settings(max_examples=40, deadline=None)
@given(games)
def test_symmetric_features_get_equal_values(game):
    d, v = game
    # swap features 0 and 1 and average: the game becomes symmetric in them
    def swap(m):
        b0, b1 = m & 1, m >> 1 & 1
        return (m & ~3) | (b0 << 1) | b1
    sym = [(v[m] + v[swap(m)]) / 2 for m in range(1 << d)]
    phi = shapley_from_values(sym, d)
    assert phi[0] == phi[1]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=4, max_size=4), st.lists(st.integers(-3, 3), min_size=4, max_size=4))
def test_exact_route_matches_orderings_on_random_piecewise_linear_functions(coef, point):
    x = X[:4]
    f = sympy.Max(coef[0] * x[0] + x[1], sympy.Min(coef[1] * x[2], coef[2] * x[3] - x[0])) + coef[3] * x[1]
    exact = shapley_from_values(coalition_values(f, x, point, [0] * 4), 4)
    numeric = sympy.lambdify(x, f)
    floats = all_orderings(lambda z: numeric(*z), point, [0, 0, 0, 0])
    assert np.allclose([float(e) for e in exact], floats, atol=1e-12)


def test_monte_carlo_reference_is_within_its_error_bound():
    f = lambda z: max(z[0], z[1]) * z[2] + z[3]
    exact = all_orderings(f, [1, 2, 3, 4], [0, 0, 0, 0])
    estimate, se = monte_carlo(f, [1, 2, 3, 4], [0, 0, 0, 0], samples=3000, seed=3)
    assert np.all(np.abs(estimate - exact) <= 5 * se + 1e-12)


def test_symbolic_fallback_for_non_rational_functions():
    p = ShapleyProblem([sympy.exp(X[0]) * X[1]], 0, list(X[:2]), [sympy.Integer(1), sympy.Integer(2)],
                       [sympy.Integer(0), sympy.Integer(0)], "phi")
    phi = [a.value for a in Shapley().solve(p).answers.values()]
    e = sympy.E
    assert sympy.simplify(phi[0] - (2 * e - 2) / 2) == 0
    assert sympy.simplify(sum(phi) - 2 * e) == 0


def test_solution_steps_show_tables_and_efficiency():
    sheet = load_sheet(PROBLEMS / "tub-ml-sheet14.yaml")
    task = sheet.task("shapley")
    sol = task.method.solve(task.problem)
    tables = [s.table for s in sol.steps if s.table is not None]
    assert len(tables) == 1 and len(tables[0].rows) == 8  # one table of every coalition's value (d = 3)
    features = [s for s in sol.steps if s.title.startswith("Feature")]
    assert len(features) == 3 and all("Coalitions without feature" in s.text for s in features)
    assert any("Efficiency" in s.text for s in sol.steps)
    assert any("symmetric" in s.text for s in sol.steps)  # features 2 and 3


# -- the scaled-integer route (symxai.solve.scaled) against exact rationals point by point --------------

rationals = st.fractions(-5, 5, max_denominator=6)


def _at(f, x, point) -> Fraction:
    """f at one point by SymPy's own exact substitution: the oracle the scaled route is held to."""
    v = f.xreplace(dict(zip(x, point)))
    return Fraction(int(v.p), int(v.q))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=5, max_size=5), st.lists(rationals, min_size=4, max_size=4),
       st.lists(rationals, min_size=4, max_size=4))
def test_scaled_coalition_values_equal_the_rational_evaluator(coef, point, baseline):

    x = X[:4]
    f = (sympy.Max(coef[0] * x[0] - x[1], sympy.Min(coef[1] * x[2], R(coef[2], 3) * x[3] - x[0]))
         + coef[3] * x[1] ** 2 * x[2] - abs(x[3] - R(1, 2)) + coef[4] * sympy.Max(0, x[0] - x[3]) / 7)
    pt, bl = [R(v.numerator, v.denominator) for v in point], [R(v.numerator, v.denominator) for v in baseline]
    values = coalition_values(f, x, pt, bl)
    expected = [_at(f, x, coalition_point(m, pt, bl)) for m in range(16)]
    assert [Fraction(v) for v in values] == expected
    assert shapley_from_values(values, 4) == shapley_from_values(expected, 4)


def test_scaled_values_leave_int64_when_they_grow():

    x = X[:3]
    f = x[0] ** 7 * x[1] ** 5 - x[2] ** 3 + R(1, 3)
    point, base = [R(10 ** 6), R(-(10 ** 5)), R(7, 2)], [R(3), R(1, 5), R(-2)]
    values = coalition_values(f, x, point, base)
    assert values.num.dtype == object  # 10^42 * 10^25 does not fit in 64 bits
    assert [Fraction(v) for v in values] == [_at(f, x, coalition_point(m, point, base)) for m in range(8)]


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 5).flatmap(lambda d: st.tuples(st.just(d), st.lists(st.integers(-10 ** 30, 10 ** 30),
                                                                            min_size=1 << d, max_size=1 << d))),
       st.sampled_from([0, 48, 75]))
def test_both_size_sum_routes_give_the_shapley_values_of_all_orderings(game, shift):
    from symxai.solve.coalitions import CoalitionValues

    d, v = game
    # shift 0: up to 2^100 (Python ints); 48: up to 2^52 (int64 sums); 75: up to 2^25 (float64 bincounts)
    v = [n >> shift for n in v]
    phi = shapley_from_values(CoalitionValues(np.array(v, dtype=object), 3), d)
    brute = [Fraction(0)] * d
    for order in permutations(range(d)):
        mask = 0
        for i in order:
            brute[i] += Fraction(v[mask | 1 << i] - v[mask], 3)
            mask |= 1 << i
    assert phi == [b / len(list(permutations(range(d)))) for b in brute]
