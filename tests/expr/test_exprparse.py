"""The whitelist expression parser: normal forms, LaTeX, and hostile input."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from symxai.expr import exprfuncs, exprparse, exprtokens
from symxai.errors import ExpressionError
from symxai.expr.exprparse import MAX_LENGTH, Phi, parse, parse_condition, parse_value

x1, x2, x3, a1, a2, b, T = sp.symbols("x1 x2 x3 a1 a2 b T")
lam, gam, beta, E, I, N = sp.symbols("lambda gamma beta E I N")
w = sp.MatrixSymbol("w", 3, 1)
x = sp.MatrixSymbol("x", 3, 1)
mu = sp.MatrixSymbol("mu", 3, 1)
Sigma = sp.MatrixSymbol("Sigma", 3, 3)
X = sp.MatrixSymbol("X", 5, 3)
W = sp.MatrixSymbol("W", 5, 5)
y = sp.MatrixSymbol("y", 5, 1)
SYMS = {"x1": x1, "x2": x2, "x3": x3, "a1": a1, "a2": a2, "b": b, "lambda": lam,
        "gamma": gam, "beta": beta, "E": E, "I": I, "N": N, "w": w, "x": x, "mu": mu,
        "Sigma": Sigma, "X": X, "W": W, "y": y, "phi_1": sp.Symbol("phi_1"),
        "x_tilde": sp.Symbol("x_tilde"), "x_star": sp.Symbol("x_star")}


def p(text, **kw):
    return parse(text, SYMS, **kw)


@pytest.mark.parametrize("text, expected", [
    ("x1 + 2*x2", x1 + 2 * x2),
    ("-x1^2", -x1**2),
    ("2^3^2", sp.Integer(512)),
    ("2**-1", sp.Rational(1, 2)),
    ("x1^-x2*a1", a1 * x1**-x2),
    ("a1*-a2", -a1 * a2),
    ("2x1 + 3(x2 - 1)", 2 * x1 + 3 * (x2 - 1)),
    ("0.9975", sp.Rational(399, 400)),
    ("1e-3", sp.Rational(1, 1000)),
    ("2.5E2", sp.Integer(250)),
    (".5", sp.Rational(1, 2)),
    ("lambda*2 + gamma + beta + E + I + N", 2 * lam + gam + beta + E + I + N),
    ("Max(0, x1 - x2) + min(x1, x2, 3)", sp.Max(0, x1 - x2) + sp.Min(x1, x2, 3)),
    ("ReLU(x1) - relu(x2)", sp.Max(0, x1) - sp.Max(0, x2)),
    ("abs(x1) + exp(x2) + ln(a1) + log(a2)", sp.Abs(x1) + sp.exp(x2) + sp.log(a1) + sp.log(a2)),
    ("sqrt(x1) * sign(x2) * tanh(a1)", sp.sqrt(x1) * sp.sign(x2) * sp.tanh(a1)),
    ("sigmoid(x1)", 1 / (1 + sp.exp(-x1))),
    ("pi + oo", sp.pi + sp.oo),
    ("phi_1 + x_1 + x_star", sp.Symbol("phi_1") + x1 + sp.Symbol("x_star")),
    ("|x1 - x2|", sp.Abs(x1 - x2)),
])
def test_plain(text, expected):
    assert p(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("mu + Sigma*w", mu + Sigma * w),
    ("w.T*x", w.T * x),
    ("w^T*x", w.T * x),
    ("w**T*x", w.T * x),
    ("w.T.T", w),
    ("Sigma^-1*w", sp.Inverse(Sigma) * w),
    ("Sigma**-1*w", sp.Inverse(Sigma) * w),
    ("Sigma^(-1)*w", sp.Inverse(Sigma) * w),
    ("inv(Sigma)*w", sp.Inverse(Sigma) * w),
    ("(X.T*W*X)^-1*X.T*W*y", sp.Inverse(X.T * W * X) * X.T * W * y),
    ("w/(2*lambda)", w / (2 * lam)),
    ("Sigma^2", Sigma**2),
])
def test_matrices(text, expected):
    assert p(text) == expected


def test_one_by_one_matrix_meets_scalar():
    value = p("w.T*x + b")
    assert value.is_scalar if hasattr(value, "is_scalar") else True
    assert sp.expand(value - b - (w.T * x)[0, 0]) == 0


def test_declared_T_is_power_for_scalars_but_transpose_for_matrices():
    syms = dict(SYMS, T=T)
    assert parse("x1^T", syms) == x1**T
    assert parse("w^T*x", syms) == w.T * x
    assert parse("w.T*x", syms) == w.T * x


def test_norm():
    expected = sp.sqrt(((x - mu).T * (x - mu))[0, 0])
    assert p("norm(x - mu)") == expected
    assert p(r"\|x - \mu\|") == expected
    assert p(r"\left\| x - \mu \right\|^2") == expected**2


def test_phi_numeric():
    value = p("Phi(3)")
    assert isinstance(value, Phi)
    assert abs(float(value) - 0.99865) < 1e-5
    assert abs(sp.lambdify(x1, Phi(x1))(3.0) - 0.998650102) < 1e-8
    assert abs(sp.lambdify(x1, Phi(x1), "math")(3.0) - 0.998650102) < 1e-8
    assert sp.latex(Phi(x1)) == r"\Phi\left(x_{1}\right)"
    assert Phi(0) == sp.Rational(1, 2)


def test_declared_names_win_over_functions():
    phi = sp.Symbol("Phi")
    assert parse("Phi + pi", {"Phi": phi, "pi": sp.Symbol("pi")}) == phi + sp.Symbol("pi")


@pytest.mark.parametrize("text, expected", [
    (r"\frac{w}{2\lambda}", w / (2 * lam)),
    (r"\dfrac{x_1}{x_{2}} + \tfrac12", x1 / x2 + sp.Rational(1, 2)),
    (r"\sqrt{x_1} + \sqrt[3]{8}", sp.sqrt(x1) + 2),
    (r"\left( x_1 + 1 \right)^{2}", (x1 + 1)**2),
    (r"x_1 \cdot x_2 \times 2", 2 * x1 * x2),
    (r"x_1 x_2", x1 * x2),
    (r"2\lambda", 2 * lam),
    (r"\gamma (x_1 + 1)", gam * (x1 + 1)),
    (r"\mu + \Sigma w", mu + Sigma * w),
    (r"\mathbf{w}^\top \mathbf{x}", w.T * x),
    (r"\boldsymbol{\mu} + \Sigma^{-1} \bm{w}", mu + sp.Inverse(Sigma) * w),
    (r"w^{\top} x", w.T * x),
    (r"w^{T} x", w.T * x),
    (r"\max(0, x_1) + \min\{x_1, x_2\}", sp.Max(0, x1) + sp.Min(x1, x2)),
    (r"\operatorname{ReLU}(x_1 - x_2) + \mathrm{ReLU}(x_2)", sp.Max(0, x1 - x2) + sp.Max(0, x2)),
    (r"\exp(x_1) + \log x_2 + \ln(a_1)", sp.exp(x1) + sp.log(x2) + sp.log(a1)),
    (r"|x_1 - x_2|", sp.Abs(x1 - x2)),
    (r"\phi_1 + \tilde{x} + x^*", sp.Symbol("phi_1") + sp.Symbol("x_tilde") + sp.Symbol("x_star")),
    (r"\pi + \infty", sp.pi + sp.oo),
    (r"$x_1 + x_2$", x1 + x2),
])
def test_latex(text, expected):
    assert p(text) == expected


def test_latex_phi_and_auto_detection():
    assert p(r"\Phi(3)") == Phi(3)
    assert p("w^T x") == w.T * x              # juxtaposition retried as LaTeX
    assert p("x1 + x2", latex=True) == x1 + x2


def test_functions_override():
    f = sp.Function("f")
    assert parse("f(x1) + Max(x1)", SYMS, functions={"f": f}) == f(x1) + x1


@pytest.mark.parametrize("text, expected", [
    ("x1 > x2", sp.Gt(x1, x2)),
    ("a1 = a2", sp.Eq(a1, a2)),
    ("a1 == a2", sp.Eq(a1, a2)),
    ("x1 >= 0", sp.Ge(x1, 0)),
    ("x1 != x2", sp.Ne(x1, x2)),
    ("0 < x1 < x2", sp.And(sp.Lt(0, x1), sp.Lt(x1, x2))),
    ("x1 > x2 and x2 > 0", sp.And(sp.Gt(x1, x2), sp.Gt(x2, 0))),
    ("x1 > 0, x2 > 0", sp.And(sp.Gt(x1, 0), sp.Gt(x2, 0))),
    (r"x_1 \geq x_2", sp.Ge(x1, x2)),
])
def test_conditions(text, expected):
    assert parse_condition(text, SYMS) == expected


def test_condition_needs_relation():
    with pytest.raises(ExpressionError, match="expected a relation"):
        parse_condition("x1 + x2", SYMS)


@pytest.mark.parametrize("text, expected", [
    ("true", sp.true), ("False", sp.false),
    ("(1, 2)", sp.ImmutableMatrix([1, 2])),
    ("[a1, 1/2]", sp.ImmutableMatrix([a1, sp.Rational(1, 2)])),
    ("[[1, 2], [3, 4]]", sp.ImmutableMatrix([[1, 2], [3, 4]])),
    ("{1, 2}", sp.FiniteSet(1, 2)),
    (r"\{x_1, 0\}", sp.FiniteSet(x1, 0)),
    ("x1 + 1", x1 + 1),
])
def test_values(text, expected):
    assert parse_value(text, SYMS) == expected


@pytest.mark.parametrize("text, message", [
    ("foo + 1", "unknown name 'foo'"),
    ("ee^x1", "unknown name 'ee'"),
    ("exp(x1", "expected ')' to close '(' at column 4"),
    ("Max()", "Max takes at least 1 argument (0 given)"),
    ("Max(" + ",".join(["1"] * 21) + ")", "Max takes at most 20 arguments"),
    ("exp(1, 2)", "exp takes exactly 1 argument"),
    ("x1(2)", "declared symbol, not a function"),
    ("w*w", "matrix shapes do not match"),
    ("w + x1", "cannot add a 3x1 matrix and a scalar"),
    ("w.shape", "attribute access is not allowed"),
    ("x1[0]", "indexing is not allowed"),
    ("(x1, x2)", "',' is not allowed here"),
    ("1/0", "division by zero"),
    (r"\foo{x}", "unknown LaTeX command '\\foo'"),
    ("x = 1", "a relation is not allowed here"),
    ("x1'", "x1' is not declared"),
    ("'x1'", "quotes"),
])
def test_errors_are_located(text, message):
    with pytest.raises(ExpressionError, match=re.escape(message)) as info:
        p(text)
    assert info.value.position is not None or "too long" in info.value.message


def test_juxtaposition_is_latex_only():
    with pytest.raises(ExpressionError, match="missing operator"):
        p("x1 x2", latex=False)
    assert p("x1 x2") == x1 * x2          # auto mode retries as LaTeX
    with pytest.raises(ExpressionError, match="missing operator"):
        p("x1 2")


def test_error_position_points_at_token():
    with pytest.raises(ExpressionError) as info:
        p("x1 + foo")
    assert info.value.position == 5


MARKER = Path("/tmp/pwned_symxai")
HOSTILE = [
    "__import__('os').system('touch /tmp/pwned_symxai')",
    "__import__", "().__class__", "x.__class__", "x1.__class__.__bases__",
    "lambda x: x", "lambda: 1", "lambda x, y: x", "eval('1')", "exec('1')", "open('f')",
    "import os", "os.system", "9**9**9**9", "10**10**10", "2^(10^9999)",
    "(" * 10_000 + "x" + ")" * 10_000, "(" * 5_000 + "x1" + ")" * 5_000,
    "-" * 10_000 + "x1", "2^" * 5_000 + "2", "Max(" * 1_000 + "x1" + ")" * 1_000,
    "x" * 1_000_000, "1" * 5_000, "*".join(["10^999"] * 200), "sqrt(10^999 + 1)",
    "", "   ", "x;y", "x1 @ x2", "x1 % 2", "`x`", "x1!", "#", "\\", "\\\\",
    "ｘ1", "x1\u200b", "х1", "x1\u202e", "1e999999", "x1 if x2 else a1",
    "0^-1", "oo - oo", "/".join(["999999999"] * 2000),
    "Max(" + ",".join(["1"] * 3000) + ")", "[x1 for x1 in y]", "{'a': 1}", "b'x'",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:30]))
@pytest.mark.parametrize("fn", [parse, parse_value, parse_condition])
def test_hostile_refused_fast(text, fn, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("something tried to run a command")
    monkeypatch.setattr(os, "system", forbidden)
    with pytest.raises(ExpressionError):  # refused by the parser's step bound, not by a clock
        fn(text, SYMS)
    assert not MARKER.exists()


@pytest.mark.parametrize("text", [
    "+".join(["x1"] * 6000),
    "+".join(f"x1^{i}" for i in range(2, 2000)),
    "*".join(f"(x1+{i})" for i in range(2, 1500)),
    "log(" * 150 + "2" + ")" * 150,
    "(1/3)^" * 150 + "2",
    "sin(" * 150 + "1" + ")" * 150,
])
def test_long_but_valid_expressions_stay_fast(text):
    start = time.process_time()
    parse(text, SYMS)
    assert time.process_time() - start < 1.5


def test_too_long_refused_before_tokenizing():
    with pytest.raises(ExpressionError, match="too long"):
        parse("'" * (MAX_LENGTH + 1), SYMS)


_ALPHABET = ["x1", "x2", "w", "Sigma", "lambda", "1", "0", "2", "0.5", "1e3", "+", "-", "*",
             "/", "^", "**", "(", ")", "[", "]", "{", "}", ",", ".", ".T", "|", " ", "=",
             "<", ">", "Max", "exp", "log", "sqrt", "inv", "norm", "Phi", r"\frac", r"\sqrt",
             r"\left(", r"\right)", "_", r"\cdot", r"\|", "^{-1}", "^T", "_{", "oo", "and", "'"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_ALPHABET), max_size=25), st.sampled_from([None, False, True]))
def test_fuzz_only_expression_errors(pieces, latex):
    text = "".join(pieces)
    for fn in (parse, parse_value, parse_condition):
        start = time.process_time()
        try:
            result = fn(text, SYMS, latex=latex)
        except ExpressionError:
            pass
        else:
            assert isinstance(result, (sp.Basic, sp.MatrixBase))
        assert time.process_time() - start < 1.0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_fuzz_arbitrary_text(text):
    try:
        parse_value(text, SYMS)
    except ExpressionError:
        pass


def test_source_has_no_eval():
    source = "".join(Path(m.__file__).read_text() for m in (exprparse, exprfuncs, exprtokens))
    for name in ("eval", "exec", "sympify", "parse_expr", "parse_latex", "compile", "__import__"):
        assert not re.search(rf"(?<!def )(?<![\w.]){name}\s*\(", source), name
    assert not re.search(r"\bS\(\s*['\"a-z]", source)


def test_list_of_symbolic_size_vectors_is_refused_quickly():

    d = sp.Symbol("d", integer=True, positive=True)
    names = {"mu": sp.MatrixSymbol("mu", d, 1), "d": d}
    for text in ("(mu, mu)", "[mu, 1]", "[[mu], [mu]]"):
        start = time.monotonic()
        with pytest.raises(ExpressionError, match="symbolic size"):
            parse_value(text, names)
        assert time.monotonic() - start < 1.0
    two = sp.MatrixSymbol("m", 2, 1)  # a fixed size still builds the matrix
    assert parse_value("(m, m)", {"m": two}).shape == (2, 2)


# ------------------------------------------------------------------ notation people write (issue 14)

def test_big_operators_and_environments_are_bounded_and_refused_with_a_hint():
    h = {f"h_{i}": sp.Symbol(f"h_{i}") for i in (1, 2, 3)}
    assert parse(r"\min_i h_i", h) == sp.Min(*h.values())
    assert parse(r"\sum_{j=1}^{3} j", {}) == 6
    for text, message in [
            (r"\sum_{j=1}^{100000} j", "at most 200 terms"),
            (r"\sum_j j", "explicit bounds"),
            (r"\sum_{x1=1}^{2} x_1", "already a name"),
            (r"\begin{pmatrix} 1 & 2", "is not closed"),
            (r"\end{pmatrix}", "without its \\begin"),
            (r"\begin{tabular} 1 \end{tabular}", "unknown LaTeX environment"),
            (r"(1, \underbrace{2, \dots, 3}_{4})", "equal first and last"),
            (r"(1, \underbrace{2, \dots, 2}_{100000})", "from 2 to 10000"),
            (r"(1, \dots, 2)", "underbrace"),
            (r"2\frac{1}{3}", "mixed number"),
            ("x1/2 x2", "ambiguous"),
    ]:
        with pytest.raises(ExpressionError, match=re.escape(message)):
            parse_value(text, SYMS)


def test_nested_sums_are_stopped_by_the_work_bound_not_the_clock():
    text = "".join(rf"\sum_{{{c}=1}}^{{200}} " for c in "abcd") + "1"
    start = time.process_time()
    with pytest.raises(ExpressionError, match="parsing steps"):
        parse(text, {})
    assert time.process_time() - start < 5.0


def test_row_column_and_transpose_readings():
    assert parse_value("[[1, 2]]", {}).shape == (1, 2)
    assert parse_value("[[1], [2]]", {}).shape == (2, 1)
    assert parse_value(r"(1, 2)^\top", {}).shape == (2, 1)  # a flat tuple is the column it names
    assert parse_value(r"\begin{pmatrix} 1 & 2 \end{pmatrix}^\top", {}).shape == (2, 1)
    assert parse_value(r"\begin{pmatrix} 1 & 2 \end{pmatrix}", {}).shape == (1, 2)
    assert parse_value(r"\begin{vmatrix} 1 & 2 \\ 3 & 4 \end{vmatrix}", {}) == -2
    assert parse("w'", SYMS) == SYMS["w"].T
    X = sp.MatrixSymbol("X", 4, 3)
    assert parse(r"\lambda I + X^\top X", {"lambda": lam, "X": X}).shape == (3, 3)
    with pytest.raises(ExpressionError, match="identity matrix"):
        parse(r"2 I", {}, latex=True)


def test_parenthesised_conditions_as_sympy_prints_them():
    """``(a1 = 0 and a1 < a2) or (...)``: SymPy's printed conditions of a Piecewise read back."""
    import sympy
    from symxai.expr.exprparse import parse_condition

    a1, a2 = sympy.symbols("a1 a2")
    names = {"a1": a1, "a2": a2}
    want = (sympy.Eq(a1, 0) & (a1 < a2)) | ((a1 > a2) & (a2 > 0))
    assert parse_condition("(a1 = 0 and a1 < a2) or (a1 > a2 and a2 > 0)", names) == want
    assert parse_condition(r"\left(a_{1} = 0 \wedge a_{1} < a_{2}\right) \vee \left(a_{1} > a_{2} \wedge a_{2} > 0\right)",
                           names, latex=True) == want
    assert parse_condition("(a1 + a2) > 0", names) == (a1 + a2 > 0)  # a parenthesised expression still


@pytest.mark.parametrize("text, kind", [("2*{1, 2}", "a set"), ("{1, 2} + 1", "a set")])
def test_arithmetic_on_a_set_names_the_operand_not_sympy_internals(text, kind):
    with pytest.raises(ExpressionError) as e:
        parse_value(text, {})
    assert kind in str(e.value) and "as_coeff" not in str(e.value) and "object has no attribute" not in str(e.value)
