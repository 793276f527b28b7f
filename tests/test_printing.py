import sympy

from symxai.model import Line, Tex
from symxai.printing import aligned, prose, symbol_tex, tex, text


def test_symbol_names():
    assert symbol_tex("x_star") == "x^{\\star}"
    assert symbol_tex("x_tilde") == "\\tilde{x}"
    assert symbol_tex("phi_12") == "\\phi_{12}"
    assert symbol_tex("Sigma") == "\\Sigma"
    assert symbol_tex("n_coalitions") == "n_{\\mathrm{coalitions}}"


def test_matrix_notation():
    w = sympy.MatrixSymbol("w", 3, 1)
    Sigma = sympy.MatrixSymbol("Sigma", 3, 3)
    assert tex(Sigma.I * w) == "\\Sigma^{-1} w"
    assert tex(w.T) == "w^{\\top}"


def test_lines_and_prose():
    x = sympy.Symbol("x1")
    assert aligned(Line(x, Tex("a"), sympy.Integer(2))) == "x_{1} &= a = 2"
    assert aligned(Line(x, sympy.Integer(0), rel=">=")) == "x_{1} &\\ge 0"
    assert prose("value [[v]].", {"v": sympy.Rational(1, 2)}) == "value $\\frac{1}{2}$."


def test_text_is_escaped():
    assert text("50% & $x_1$") == "50\\% \\& \\$x\\_1\\$"
