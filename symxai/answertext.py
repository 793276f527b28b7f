"""Typed answers: everything ``exprparse.parse_value`` reads, plus what people paste.

The parser reads piecewise answers anywhere in an expression, three ways:

- ``x1 - x2 if x1 > x2 else 0`` (chains: ``a if c else b if d else e``),
- ``Piecewise((x1 - x2, x1 > x2), (0, True))``, as ``symxai solve`` prints it,
- ``\\begin{cases} x_1 - x_2 & x_1 > x_2 \\\\ 0 & \\text{otherwise} \\end{cases}``.

This module adds factorials (``d!``), binomials, a pasted ``name = value`` line
(``\\phi_1 = \\frac23``: the left side must name the answer), and the names an
exercise declares for its answers (``answer_names``: vectors built from
declared components, quantities of the statement such as eta).

>>> import sympy
>>> x1, x2 = sympy.symbols("x1 x2")
>>> parse_answer("x1 - x2 if x1 > x2 else 0", {"x1": x1, "x2": x2})
Piecewise((x1 - x2, x1 > x2), (0, True))
>>> parse_answer(r"\\begin{cases} x_1 & x_1 > x_2 \\\\ x_2 & \\text{otherwise} \\end{cases}", {"x1": x1, "x2": x2})
Piecewise((x1, x1 > x2), (x2, True))
>>> parse_answer(r"\\phi_1 = \\frac23", {}, name="phi_1")
2/3
"""

from __future__ import annotations

import re

import sympy

from .errors import ExpressionError
from .exprparse import parse_value as _parse_value

MAX_FACTORIAL = 1000  # n! of a larger number would take long to compute


def _counting(fn, name):
    def apply(*args):
        if any(isinstance(a, sympy.MatrixBase) or getattr(a, "is_Matrix", False) for a in args):
            raise ExpressionError(f"{name} expects scalars")
        if any(a.is_number and (not a.is_finite or abs(a) > MAX_FACTORIAL) for a in args):
            raise ExpressionError(f"{name} of a number above {MAX_FACTORIAL} is not supported")
        return fn(*args)
    return apply


# counting answers (the number of coalitions) need factorials and binomials
FUNCTIONS = {"factorial": _counting(sympy.factorial, "factorial"),
             "binomial": _counting(sympy.binomial, "binomial"), "binom": _counting(sympy.binomial, "binom")}
_BANG = re.compile(r"\b([A-Za-z][A-Za-z0-9_]*|\d+)!(?!=)")


def parse_value(text, symbols, functions=None):
    """``exprparse.parse_value`` with factorials (``d!`` reads as ``factorial(d)``) and binomials."""
    return _parse_value(_BANG.sub(r"factorial(\1)", text), symbols, functions={**FUNCTIONS, **(functions or {})})


# a pasted "name = value": a name (LaTeX or plain) and one '=' that is not part of <=, >=, ==, !=
_NAME_EQ = re.compile(r"^\s*\$?\s*((?:\\[A-Za-z]+\s*)?\{?\\?[A-Za-z]+\}?"
                      r"(?:\s*_\s*(?:\{[A-Za-z0-9,]+\}|[A-Za-z0-9]+))?"
                      r"(?:\s*\^\s*(?:\{\s*(?:\\star|\*)\s*\}|\\star|\*))?)\s*(?<![<>=!])=(?!=)")
_NOT_NAMES = re.compile(r"^\s*\$?\s*\\(sum|prod|min|max|frac|sqrt|binom|left|begin)\b")


def _plain_name(lhs: str) -> str:
    """``\\phi_{1}``, ``phi_1``, ``\\boldsymbol{x}^\\star`` -> ``phi1``, ``phi1``, ``xstar``."""
    lhs = re.sub(r"\\(boldsymbol|mathbf|bm|vec|mathrm|tilde|hat|bar)\b", "", lhs)
    lhs = lhs.replace("^", "").replace("*", "star")
    return re.sub(r"[\\{}_\s$]", "", lhs).lower()


def _strip_name(text: str, name: str | None, symbols) -> str:
    m = _NAME_EQ.match(text)
    if not m or _NOT_NAMES.match(text):
        return text
    lhs = m.group(1)
    said = _plain_name(lhs)
    if name is not None and said == _plain_name(name):
        return text[m.end():]
    if said in {_plain_name(s) for s in symbols}:
        return text  # "x1 = ..." of a declared symbol: a relation, refused by the parser as such
    if name is not None:
        raise ExpressionError(f"you wrote '{lhs.strip()} = ...' for the answer {name}: give the value of "
                              f"{name} (the part after '=')", text, 0)
    return text[m.end():]


def parse_answer(text: str, symbols, *, name: str | None = None, functions=None):
    """One typed answer as a SymPy value (expression, vector, set, truth value, Piecewise).

    ``name`` is the answer's name: a pasted ``name = value`` is read as its value.
    ``functions`` adds answer-side functions (``sigma`` as the logistic, say).
    """
    if not isinstance(text, str):
        raise ExpressionError(f"an answer must be text, not {type(text).__name__}")
    if len(text) > 20_000:
        raise ExpressionError("the answer is too long")
    return parse_value(_strip_name(text, name, symbols), symbols, functions)
