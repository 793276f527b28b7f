"""Generic diagnoses, the equivalence's domain handling and time bound, and a fuzz test of check."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symxai.expr.answertext import parse_answer
from symxai.grade.check import check_task, read_answer
from symxai.grade.equivalence import compare
from symxai.errors import ExpressionError, SymxaiError
from symxai.expr.exprparse import parse_condition
from symxai.grade.feedback import diagnose
from symxai.specs.spec import load_sheet
from symxai.specs.symbols import SymbolDecl, SymbolTable

TABLE = SymbolTable([
    SymbolDecl("d", assume=frozenset({"integer", "positive"})),
    SymbolDecl("Sigma", shape=("d", "d"), assume=frozenset({"spd"})),
    SymbolDecl("S", shape=("d", "d"), assume=frozenset({"symmetric"})),
    SymbolDecl("A", shape=(3, 3)), SymbolDecl("x", shape=(3,)),
    SymbolDecl("w", shape=("d",)), SymbolDecl("mu", shape=("d",)),
    SymbolDecl("x1"), SymbolDecl("x2"), SymbolDecl("a1", assume=frozenset({"nonnegative"})),
    SymbolDecl("a2", assume=frozenset({"nonnegative"})), SymbolDecl("lambda", assume=frozenset({"positive"})),
])


def v(text):
    return parse_answer(text, TABLE.names())


def verdict(expected, given_text, *conds):
    return compare(v(expected), v(given_text), TABLE, [parse_condition(c, TABLE.names()) for c in conds])


def labels(expected, given_text, *conds, **kw):
    c = [parse_condition(t, TABLE.names()) for t in conds]
    assert compare(v(expected), v(given_text), TABLE, c).status == "wrong"
    return [(d.label, d.message) for d in diagnose(v(expected), v(given_text), TABLE, c, **kw)]


def test_factor_and_sign_are_named():
    assert labels("w/(2*lambda)", "w/lambda")[0] == ("factor", "your answer is 2 times the correct one")
    assert labels("x1/(x1 + x2)", "x1/(2*(x1 + x2))")[0][1] == "your answer is 1/2 times the correct one"
    assert labels("mu + Sigma*w", "-mu - Sigma*w")[0][0] == "sign"
    assert labels("x1 - x2", "x1 - x2 + 1")[0][0] == "offset"


def test_inverse_and_transpose():
    assert labels("mu + Sigma*w", "mu + Sigma^-1*w")[0][0] == "inverse"
    assert labels("mu + inv(Sigma)*w", r"\mu + \Sigma w")[0][0] == "inverse"
    assert labels("A.T*x", "A*x")[0][0] == "transpose"
    assert labels("A*x", "x.T*A.T")[0] == ("transpose", "your answer is the transpose of the correct one")


def test_other_quantity_and_region():
    others = {"R_1": v("x1 - x2"), "R_2": v("x2")}
    assert labels("x2", "x1 - x2", name="R_2", others=others)[0] == (
        "other-answer", "this is the value of R_1, not of R_2")
    found = labels("x1 - x2 if x1 > x2 else 0", "x1 - x2")
    assert found[0] == ("region", "right where x1 > x2, but wrong elsewhere")
    assert labels("Max(x1, x2)", "x1")[0][0] == "region"


def test_matrix_answers_and_domains():
    assert verdict("mu + Sigma^-1*w", "mu + inv(Sigma)*w").status == "right"
    assert verdict("A.T*x", "(x.T*A).T").status == "right"
    # |w^T Sigma w| = w^T Sigma w only because Sigma is sampled positive definite
    assert verdict("w.T*Sigma*w", "sqrt((w.T*Sigma*w)^2)").status == "right"
    assert verdict("w.T*S*w", "sqrt((w.T*S*w)^2)").status == "wrong"
    assert verdict("mu", "mu.T").status == "wrong"


def test_reading_is_bounded_too():
    with pytest.raises(ExpressionError):  # refused by the parser, or stopped by the guard around it
        read_answer("(mu, mu)", TABLE.names(), time_limit=2.0)


def test_assumed_cases():
    assert verdict("x1 - x2 if x1 > x2 else 0", "x1 - x2", "x1 > x2").status == "right"
    assert verdict("x1 - x2 if x1 > x2 else 0", "0", "x1 < x2").status == "right"
    assert verdict("x1 - x2 if x1 > x2 else 0", "0", "x1 > x2").status == "wrong"
    assert verdict("a1/(a1 + a2)", "1/2", "a1 = a2", "a1 > 0").status == "right"
    assert verdict("x1", "x2", "x1 > 1", "x2 > x1", "x2 < x1").status == "undecided"


def test_sets_and_truth_values():
    two = "{(1/(2*lambda), 0), (0, 1/(2*lambda))}"
    assert verdict(two, r"\{(0, \frac{1}{2\lambda}), (\frac{1}{2\lambda}, 0)\}").status == "right"
    assert "set of 2 values" in verdict(two, "(0, 1/(2 lambda))").how
    assert verdict(two, "{(0, 1/lambda), (1/lambda, 0)}").status == "wrong"
    assert verdict("true", "True").status == "right"
    assert verdict("true", "false").status == "wrong"
    assert verdict("false", "0").status == "wrong"


def test_near_miss_fails():
    assert verdict("2/3", "0.6667").status == "wrong"
    assert verdict("x1/3", "0.3333333 x1").status == "wrong"
    assert labels("2/3", "0.6667")[0][0] == "rounded"


def test_costly_answers_are_bounded():
    """Bounded by work (no expansion of a 400th power), decided by points: no clock involved."""
    result = verdict("(x1 + x2)^2", "(x1 + x2)^400 - (x2 + x1)^400 + x1^2 + 2 x1 x2 + x2^2")
    assert result.status in ("right", "undecided")


# -- fuzz: typed text never crashes check, never runs code, never exceeds the bound ---------------

TASK = load_sheet("problems/tub-ml1-lecture14.yaml").task("shapley-product")
ATOMS = ["x1", "x2", "x3", "1", "2", "0", "1/2", "0.5", "pi", "oo", "999", "1e300", "x1^999", "true",
         r"\lambda", "phi_1", "__import__", "os", "'a'", "eval", "exec", "lambda x: x", "open", "()", "[]", "{}",
         ".__class__", "import", "getattr", "Symbol", "\\frac{1}{0}", "0/0", "exp(exp(exp(x1)))", "x1!"]
OPS = ["+", "-", "*", "/", "^", "**", ",", " ", "(", ")", "[", "]", "{", "}", "\\", "_", ".", ";", "|", "&",
       " if ", " else ", "<", ">", "=", "!", "@", "`", "$", "%", "#"]
FUNCS = ["exp", "log", "sqrt", "Max", "min", "relu", "abs", "sin", "Phi", "inv", "norm", "factorial", "sigmoid"]


def expressions():
    leaf = st.sampled_from(["x1", "x2", "x3", "1", "2", "3/7", "0.25", "pi", "10^20", "1e-30"])
    return st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "^"]), inner).map(lambda t: f"({t[0]}){t[1]}({t[2]})"),
        st.tuples(st.sampled_from(FUNCS), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} if {t[1]} > {t[2]} else {t[0]}*2"),
    ), max_leaves=12)


def hostile():
    return st.lists(st.sampled_from(ATOMS + OPS + FUNCS), min_size=1, max_size=12).map("".join)


def _check(text, marker):
    try:
        report = check_task(TASK, {"phi_1": text}, strict=False, feedback=False)
        assert report.exit_code in (0, 1, 2)
        assert {v.status for v in report.verdicts} <= {"right", "wrong", "undecided", "unreadable"}
    except SymxaiError as exc:
        assert exc.exit_code == 2
    assert not marker.exists()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(hostile(), st.text(max_size=40)))
def test_fuzz_hostile_text(text, tmp_path):
    _check(text.replace("MARK", str(tmp_path / "m")), tmp_path / "m")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=expressions())
def test_fuzz_random_expressions(text, tmp_path):
    _check(text, tmp_path / "m")


@pytest.mark.parametrize("attack", [
    "__import__('os').system('touch {m}')", "open('{m}', 'w')", "exec(\"open('{m}','w')\")",
    "lambda: open('{m}', 'w')", "x1.__class__.__mro__", "getattr(x1, 'evalf')", r"\input{{{m}}}",
    "Symbol('x').__reduce__", "[c for c in ().__class__.__bases__]", "9^9^9^9", "x1^(10^10)",
    "exp(exp(exp(exp(x1^2 + 3))))", "factorial(10^6)", "1000000!",
])
def test_named_attacks(attack, tmp_path):
    _check(attack.format(m=tmp_path / "m"), tmp_path / "m")
