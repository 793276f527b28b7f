"""Typed answers: everything ``exprparse.parse_value`` reads, plus piecewise answers.

A piecewise answer can be written three ways; every piece and condition still
goes through the safe parser, this module only splits the text at top-level
keywords and separators:

- ``x1 - x2 if x1 > x2 else 0`` (chains: ``a if c else b if d else e``),
- ``Piecewise((x1 - x2, x1 > x2), (0, True))``, as ``symxai solve`` prints it,
- ``\\begin{cases} x_1 - x_2 & x_1 > x_2 \\\\ 0 & \\text{otherwise} \\end{cases}``.

>>> import sympy
>>> x1, x2 = sympy.symbols("x1 x2")
>>> parse_answer("x1 - x2 if x1 > x2 else 0", {"x1": x1, "x2": x2})
Piecewise((x1 - x2, x1 > x2), (0, True))
>>> parse_answer(r"\\begin{cases} x_1 & x_1 > x_2 \\\\ x_2 & \\text{otherwise} \\end{cases}", {"x1": x1, "x2": x2})
Piecewise((x1, x1 > x2), (x2, True))
"""

from __future__ import annotations

import re

import sympy

from .errors import ExpressionError
from .exprparse import parse_condition
from .exprparse import parse_value as _parse_value

MAX_PIECES = 20
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


def parse_value(text, symbols):
    """``exprparse.parse_value`` with factorials (``d!`` reads as ``factorial(d)``) and binomials."""
    return _parse_value(_BANG.sub(r"factorial(\1)", text), symbols, functions=FUNCTIONS)

_OTHERWISE = re.compile(r"^\s*(\\text\{\s*)?(otherwise|else|True|true|sonst)\s*\}?\s*$")
_CASES = re.compile(r"^\s*\\begin\{cases\}(.*)\\end\{cases\}\s*$", re.S)
_IF_PREFIX = re.compile(r"^\s*(\\text\{\s*if\s*\}|\\mbox\{\s*if\s*\}|if\s)", re.S)


def _split(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` where no bracket is open."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        c = text[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0 and text.startswith(separator, i):
            parts.append(text[start:i])
            i += len(separator)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


def _condition(text: str, symbols):
    if _OTHERWISE.match(text):
        return sympy.true
    return parse_condition(_IF_PREFIX.sub("", text, count=1), symbols)


def _piecewise(pieces, text):
    if len(pieces) > MAX_PIECES:
        raise ExpressionError(f"at most {MAX_PIECES} pieces in a piecewise answer", text, 0)
    if pieces[-1][1] is not sympy.true:
        pieces.append((sympy.nan, sympy.true))  # undefined outside the cases given
    return sympy.Piecewise(*pieces)


def _if_else(text: str, symbols):
    head = _split(text, " if ")
    if len(head) == 1:
        return None
    value = parse_value(head[0], symbols)
    rest = " if ".join(head[1:])
    branch = _split(rest, " else ")
    cond = parse_condition(branch[0], symbols)
    pieces = [(value, cond)]
    if len(branch) > 1:  # the first top-level else; later ones belong to a nested chain
        otherwise = " else ".join(branch[1:])
        other = _if_else(otherwise, symbols)
        if isinstance(other, sympy.Piecewise):
            pieces.extend(other.args)
        else:
            pieces.append((parse_value(otherwise, symbols), sympy.true))
    return _piecewise(pieces, text)


def _function_form(text: str, symbols):
    body = text.strip()[len("Piecewise"):].strip()
    if not (body.startswith("(") and body.endswith(")")):
        raise ExpressionError("write Piecewise((value, condition), ..., (value, True))", text, 0)
    pieces = []
    for arg in _split(body[1:-1], ","):
        arg = arg.strip()
        if not (arg.startswith("(") and arg.endswith(")")):
            raise ExpressionError("each piece of Piecewise is (value, condition)", text, 0)
        value, sep, cond = arg[1:-1].rpartition(",")
        if not sep:
            raise ExpressionError("each piece of Piecewise is (value, condition)", text, 0)
        pieces.append((parse_value(value, symbols), _condition(cond, symbols)))
    return _piecewise(pieces, text)


def _cases(body: str, text: str, symbols):
    pieces = []
    for row in body.split("\\\\"):
        if not row.strip():
            continue
        value, sep, cond = row.partition("&")
        if not sep:
            raise ExpressionError("each row of cases is 'value & condition'", text, 0)
        pieces.append((parse_value(value, symbols), _condition(cond.replace(",", " ").strip() or "otherwise", symbols)))
    if not pieces:
        raise ExpressionError("empty cases environment", text, 0)
    return _piecewise(pieces, text)


def parse_answer(text: str, symbols):
    """One typed answer as a SymPy value (expression, vector, set, truth value, Piecewise)."""
    if not isinstance(text, str):
        raise ExpressionError(f"an answer must be text, not {type(text).__name__}")
    if len(text) > 20_000:
        raise ExpressionError("the answer is too long")
    if m := _CASES.match(text):
        return _cases(m.group(1), text, symbols)
    if text.strip().startswith("Piecewise"):
        return _function_form(text, symbols)
    result = _if_else(text, symbols)
    return result if result is not None else parse_value(text, symbols)
