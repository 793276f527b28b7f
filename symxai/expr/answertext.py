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

from symxai.errors import ExpressionError
from symxai.expr.exprparse import parse_value as _parse_value

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
_BRACES = r"\{(?:[^{}=<>]|\{(?:[^{}=<>]|\{[^{}=<>]*\})*\})*\}"  # {...}, nested twice at most
_NAME_EQ = re.compile(r"^\s*\$?\s*((?:\\[A-Za-z]+\s*" + _BRACES + r"|\\?[A-Za-z]+)"
                      r"(?:\s*_\s*(?:" + _BRACES + r"|[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*))?"
                      r"(?:\s*\^\s*(?:\{\s*(?:\\star|\*)\s*\}|\\star|\*))?)\s*(?<![<>=!])=(?!=)")
_NOT_NAMES = re.compile(r"^\s*\$?\s*\\(sum|prod|min|max|frac|sqrt|binom|left|begin)\b")


def _plain_name(lhs: str) -> str:
    """``\\phi_{1}``, ``phi_1``, ``\\boldsymbol{x}^\\star``, ``\\tilde{x}`` -> phi1, phi1, xstar, xtilde."""
    lhs = re.sub(r"\\(boldsymbol|mathbf|bm|vec|mathrm|text|operatorname)(?![A-Za-z])", "", lhs)
    lhs = re.sub(r"\\var(phi|epsilon|theta|rho|sigma)(?![A-Za-z])", r"\1", lhs)
    lhs = re.sub(r"\\ell(?![A-Za-z])", "l", lhs)
    for _ in range(2):
        lhs = re.sub(r"\\(tilde|widetilde|hat|widehat|bar|overline)\s*(\{(?:[^{}]|\{[^{}]*\})*\})", r"\2\1", lhs)
    lhs = lhs.replace("^", "").replace("\\star", "star").replace("*", "star")
    return re.sub(r"[\\{}_\s$]", "", lhs).lower()


def _top_level_equals(text: str) -> int:
    """The offset of the first '=' outside brackets and braces that is not part of <=, >=, ==, !=."""
    depth = 0
    for i, c in enumerate(text):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif (c == "=" and depth == 0 and (i == 0 or text[i - 1] not in "<>=!")
              and text[i + 1:i + 2] != "="):
            return i
    return -1


def _squash(tex_text: str) -> str:
    return re.sub(r"\\left|\\right|[\s$]", "", tex_text)


def _strip_name(text: str, name: str | None, symbols) -> str:
    at = _top_level_equals(text)
    if at < 0:
        return text
    lhs = text[:at]
    said = _plain_name(lhs)
    if name is not None:
        from symxai.expr.printing import name_tex

        printed = {_squash(name_tex(name)), _squash(name_tex(name, sympy.ImmutableMatrix([1, 1])))}
        if said == _plain_name(name) or _squash(lhs) in printed:
            return text[at + 1:]
    if _NOT_NAMES.match(text) or said in {_plain_name(s) for s in symbols} or not _NAME_EQ.match(text):
        return text  # "x1 = ..." of a declared symbol: a relation, refused by the parser as such
    if name is not None:
        raise ExpressionError(f"you wrote '{lhs.strip()} = ...' for the answer {name}: give the value of "
                              f"{name} (the part after '=')", text, 0)
    return text[at + 1:]


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


# ----------------------------------------------------------------------------- answer-side names

ANSWER_FUNCTIONS = {  # what `names: {sigma: {function: logistic}}` may name
    "logistic": lambda z: 1 / (1 + sympy.exp(-z)), "sigmoid": lambda z: 1 / (1 + sympy.exp(-z)),
    "Phi": None, "ReLU": lambda z: sympy.Max(0, z), "Heaviside": lambda z: sympy.Heaviside(z, 0),
    "exp": sympy.exp}
_BOLD = re.compile(r"\\(?:boldsymbol|mathbf|bm|vec)\s*\{\s*\\?([A-Za-z]+)\s*\}")


def component_vectors(symbols: dict, statement: str) -> dict:
    """Vectors a statement writes in bold whose components alone are declared:
    ``\\boldsymbol{x}`` with x1, x2, x3 declared is the column (x1, x2, x3).

    >>> x1, x2 = sympy.symbols("x1 x2")
    >>> component_vectors({"x1": x1, "x_2": x2}, r"$f(\\boldsymbol{x})$")
    {'x': Matrix([
    [x1],
    [x2]])}
    """
    out = {}
    for stem in dict.fromkeys(_BOLD.findall(statement or "")):
        if stem in symbols:
            continue
        parts = []
        for k in range(1, 10):
            found = next((symbols[n] for n in (f"{stem}{k}", f"{stem}_{k}") if n in symbols), None)
            if found is None or getattr(found, "is_Matrix", False):
                break
            parts.append(found)
        if len(parts) >= 2 and not any(f"{stem}{k}" in symbols or f"{stem}_{k}" in symbols
                                       for k in range(len(parts) + 1, 10)):
            out[stem] = sympy.ImmutableMatrix(parts)
    return out


def declared_names(spec, symbols: dict) -> tuple[dict, dict]:
    """The ``names`` of an exercise or part: ({name: value}, {name: function}).

    A value is an expression in the declared symbols (``eta: 3/sqrt(d)``), a list of them
    (a vector ``x: [x1, x2, x3]``), or ``{value: ..., description: ...}``;
    ``{function: logistic}`` makes ``sigma(z)`` the logistic.  Raises ExpressionError.
    """
    values, functions = {}, {}
    for key, item in (spec or {}).items():
        if isinstance(item, dict) and "function" in item:
            kind = item["function"]
            if kind not in ANSWER_FUNCTIONS:
                raise ExpressionError(f"names: {key}: unknown function '{kind}' (known: {', '.join(ANSWER_FUNCTIONS)})")
            if ANSWER_FUNCTIONS[kind] is not None:
                functions[key] = ANSWER_FUNCTIONS[kind]
            continue
        if isinstance(item, dict):
            item = item.get("value")
        if isinstance(item, list):
            values[key] = sympy.ImmutableMatrix([_parse_value(str(v), symbols) for v in item])
        elif item is not None:
            values[key] = _parse_value(str(item), symbols)
    return values, functions


def answer_scope(task) -> tuple[dict, dict]:
    """What a typed answer to ``task`` may name: its declared symbols, the vectors its statement
    writes in bold (from their components) and its ``names``; and answer-side functions."""
    symbols = task.symbols.names()
    statement = (task.exercise.get("statement") or "") + (task.statement or "")
    names = {**component_vectors(symbols, statement), **symbols}
    spec = dict(task.exercise.get("names") or {})
    spec.update((task.part or {}).get("names") or {})
    values, functions = declared_names(spec, symbols)
    for key in values:
        if key in symbols:
            raise ExpressionError(f"names: '{key}' is a declared symbol already")
    names.update(values)
    return names, functions


SHOWN_LENGTH = 240  # characters of a reading shown on a verdict line


def shown(value, latex: bool = False) -> str:
    """How an answer was read, in the notation of the sheets: the plain text of ``symxai solve``
    (or the LaTeX of the solution sheets), shortened when very long.

    >>> shown(sympy.Rational(2, 3)), shown(sympy.Rational(2, 3), latex=True)
    ('2/3', '\\\\frac{2}{3}')
    """
    from symxai.expr.plaintext import plain
    from symxai.expr.printing import tex

    try:
        out = tex(value) if latex else plain(value)
    except Exception:  # a value no printer knows: SymPy's own text
        out = str(value)
    out = " ".join(out.split())
    if len(out) > SHOWN_LENGTH:
        out = out[:SHOWN_LENGTH - 40] + f" ... ({len(out)} characters)"
    return out


def box_names(values: dict, taken) -> dict:
    """The names the solution sheet's answer box defines below the answers (``r = sqrt(...)``
    for a root several answers share), so that an answer copied from the box reads back.

    >>> a, b = sympy.symbols("a b", real=True)
    >>> box_names({"u": a / sympy.sqrt(a**2 + b**2), "v": b / sympy.sqrt(a**2 + b**2)}, {"a", "b"})
    {'r': sqrt(a**2 + b**2)}
    """
    from symxai.expr.printing import shared_roots

    _, lines = shared_roots(values)
    return {str(line.terms[0]): line.terms[1] for line in lines if str(line.terms[0]) not in taken}
