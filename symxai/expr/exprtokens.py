"""The tokenizer of symxai's whitelist parser: plain text and the LaTeX subset.

LaTeX commands are mapped to names and operators from fixed tables; anything
not in a table is refused with its position.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping
from typing import NamedTuple

from symxai.errors import ExpressionError


class _Tok(NamedTuple):
    kind: str        # num, name, op, cmd, end
    text: str
    pos: int
    cmd: bool = False  # a name written as a LaTeX command (\exp x needs no parentheses)


_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho "
          "sigma tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon "
          "Phi Psi Omega").split()
_LATEX_NAMES = {g: g for g in _GREEK}
_LATEX_NAMES.update(varphi="phi", varepsilon="epsilon", vartheta="theta", varrho="rho",
                    varsigma="sigma", infty="oo", exp="exp", log="log", ln="ln", sin="sin",
                    cos="cos", tanh="tanh", max="max", min="min", det="det")
_LATEX_OPS = {"cdot": "*", "times": "*", "ast": "*", "div": "/", "le": "<=", "leq": "<=",
              "leqslant": "<=", "ge": ">=", "geq": ">=", "geqslant": ">=", "ne": "!=",
              "neq": "!=", "lt": "<", "gt": ">", "land": "and", "wedge": "and", "lor": "or",
              "vee": "or", "|": "‖", "Vert": "‖", "lVert": "‖", "rVert": "‖", "vert": "|",
              "lvert": "|", "rvert": "|", "{": "\\{", "}": "\\}", "star": "*", "in": "∈",
              "prime": "'", "dots": "…", "ldots": "…", "cdots": "…"}
_LATEX_CMDS = {"frac": "frac", "dfrac": "frac", "tfrac": "frac", "sqrt": "sqrt",
               "top": "top", "intercal": "top", "sum": "sum", "prod": "prod", "binom": "binom",
               "dbinom": "binom", "tbinom": "binom", "underbrace": "underbrace"}
_LATEX_SKIP = {",", ";", ":", "!", " ", "quad", "qquad", "left", "right", "big", "Big",
               "bigl", "bigr", "Bigl", "Bigr", "displaystyle"}
_LATEX_STYLE = {"operatorname", "mathrm", "text", "textrm", "mathbf", "mathit", "boldsymbol",
                "bm", "mathsf", "vec"}
_LATEX_DECOR = {"tilde": "tilde", "widetilde": "tilde", "hat": "hat", "widehat": "hat",
                "bar": "bar", "overline": "bar"}
_UNICODE = {"−": ("op", "-"), "·": ("op", "*"), "×": ("op", "*"), "≤": ("op", "<="),
            "≥": ("op", ">="), "≠": ("op", "!="), "‖": ("op", "‖"), "∞": ("name", "oo")}
_UNICODE.update((c, ("name", n)) for c, n in zip(
    "αβγδεηθλμνπρσΣτφΦωΩ", "alpha beta gamma delta epsilon eta theta lambda mu nu pi rho "
    "sigma Sigma tau phi Phi omega Omega".split()))

_NUM = re.compile(r"(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?|\.(\d+)(?:[eE]([+-]?\d+))?", re.ASCII)
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*", re.ASCII)
_LNAME = re.compile(r"[A-Za-z][A-Za-z0-9]*", re.ASCII)
_CMD = re.compile(r"\\([A-Za-z]+|.?)", re.ASCII | re.S)
_BRACED = re.compile(r"\{\s*(\\?[A-Za-z][A-Za-z0-9]*)\s*\}", re.ASCII)
_OPS = ("**", "==", "!=", "<=", ">=", "&&", "||", "+", "-", "*", "/", "^", "(", ")", ",", ".",
        "[", "]", "{", "}", "|", "=", "<", ">", "&", "_")
_REFUSED = {"'": "quotes and strings are not allowed", '"': "quotes and strings are not allowed",
            ";": "';' is not allowed: give a single expression",
            "@": "'@' is not allowed: '*' is the matrix product", "`": "backticks are not allowed",
            "!": "'!' (factorial) is not supported", "%": "'%' is not allowed",
            "#": "'#' is not allowed", "~": "'~' is not allowed", "?": "'?' is not allowed"}
_ALLOWED_KEYWORDS = {"lambda", "and", "or", "not", "True", "False", "None", "if", "else"}
_WORD_OPS = ("and", "or", "not", "if", "else")
# matrix environments become nested lists, cases a Piecewise: what the tokens say
# (begin, cell separator, row separator, end); vmatrix is a determinant
_ENVS = {"matrix": ("[[", ",", "],[", "]]"), "pmatrix": ("[[", ",", "],[", "]]"),
         "bmatrix": ("[[", ",", "],[", "]]"), "Bmatrix": ("[[", ",", "],[", "]]"),
         "smallmatrix": ("[[", ",", "],[", "]]"), "vmatrix": ("det([[", ",", "],[", "]])"),
         "cases": ("Piecewise((", ",", "),(", "))")}
_ENV = re.compile(r"\\(begin|end)\s*\{\s*([A-Za-z]+)\s*\}", re.ASCII)
_ROW_SPACING = re.compile(r"\[[^\]]{0,20}\]")  # \\[1.5ex]


def _emit(toks, code: str, pos: int) -> None:
    """Tokens for a fixed snippet such as "],[" (one character each, or a name)."""
    for word in re.findall(r"[A-Za-z]+|.", code):
        toks.append(_Tok("name" if word.isalpha() else "op", word, pos))


def _environment(text, i, toks, envs, fail) -> int:
    m = _ENV.match(text, i)
    if not m:
        fail("expected \\begin{name} or \\end{name}", i)
    kind, env = m.group(1), m.group(2)
    if env not in _ENVS:
        fail(f"unknown LaTeX environment '{env}' (known: {', '.join(_ENVS)})", i)
    if kind == "begin":
        envs.append(env)
        _emit(toks, _ENVS[env][0], i)
        return m.end()
    if not envs or envs[-1] != env:
        fail(f"\\end{{{env}}} without its \\begin{{{env}}}", i)
    envs.pop()
    row = _ENVS[env][2]
    if [t.text for t in toks[-len(row):]] == list(row):  # a trailing \\ before \end
        del toks[-len(row):]
    _emit(toks, _ENVS[env][3], i)
    return m.end()


def _tokenize(text: str, latex: bool, symbols: Mapping) -> list[_Tok]:
    toks: list[_Tok] = []
    envs: list[str] = []  # open LaTeX environments
    i, n = 0, len(text)

    def fail(msg, pos):
        raise ExpressionError(msg, text, pos)

    while i < n:
        c = text[i]
        script = latex and toks and toks[-1].text in ("_", "^") and toks[-1].kind == "op"
        if c in " \t\r\n$":
            i += 1
        elif c in _UNICODE:
            kind, val = _UNICODE[c]
            toks.append(_Tok(kind, val, i))
            i += 1
        elif script and c.isascii() and c.isalpha():
            toks.append(_Tok("name", c, i))  # LaTeX x_ij: one letter per script
            i += 1
        elif m := _NUM.match(text, i):
            toks.append(_Tok("num", m.group(), i))
            i = m.end()
        elif (m := (_LNAME if latex else _NAME).match(text, i)):
            word = m.group()
            if "__" in word:
                fail("names containing '__' are not allowed", i)
            if keyword.iskeyword(word) and word not in _ALLOWED_KEYWORDS and word not in symbols:
                fail(f"'{word}' is a Python keyword and is not allowed", i)
            kind = "op" if word in _WORD_OPS else "name"
            toks.append(_Tok(kind, word, i))
            i = m.end()
        elif latex and c == "\\" and text.startswith(("\\begin", "\\end"), i):
            i = _environment(text, i, toks, envs, fail)
        elif latex and c == "&" and envs:
            _emit(toks, _ENVS[envs[-1]][1], i)
            i += 1
        elif latex and text.startswith("\\\\", i) and envs:
            _emit(toks, _ENVS[envs[-1]][2], i)
            i += 2
            if m := _ROW_SPACING.match(text, i):
                i = m.end()
        elif latex and c == "\\":
            i = _latex_command(text, i, toks, fail)
        elif c == "'" and toks and (toks[-1].kind == "name" or toks[-1].text in ")]}'"):
            toks.append(_Tok("op", "'", i))  # a prime: x' (declared) or the transpose A'
            i += 1
        elif latex and c == "~":
            i += 1
        elif c == "_" and text.startswith("__", i):
            fail("names containing '__' are not allowed", i)
        elif c == ":":
            j = len(toks) - 1
            while j >= 0 and toks[j].text != "lambda" and (toks[j].kind == "name"
                                                           or toks[j].text == ","):
                j -= 1
            if j >= 0 and toks[j].text == "lambda":
                fail("lambda expressions are not allowed", toks[j].pos)
            fail("unexpected character ':'", i)
        elif op := next((o for o in _OPS if text.startswith(o, i)), None):
            if op == "_" and not latex:
                fail("unexpected character '_'", i)
            val = {"||": "‖", "&&": "and", "&": "and"}.get(op, op)
            if op == "||" and latex:
                val, op = "|", "|"
            toks.append(_Tok("op", val, i))
            i += len(op)
        elif c in _REFUSED:
            fail(_REFUSED[c], i)
        else:
            shown = c if c.isascii() and c.isprintable() else f"U+{ord(c):04X}"
            fail(f"unexpected character '{shown}'", i)
    if envs:
        fail(f"\\begin{{{envs[-1]}}} is not closed by \\end{{{envs[-1]}}}", n)
    toks.append(_Tok("end", "", n))
    return toks


def _latex_command(text, i, toks, fail) -> int:
    m = _CMD.match(text, i)
    word, end = m.group(1), m.end()
    if word in _LATEX_SKIP:
        if word in ("left", "right") and text.startswith(".", end):
            end += 1
    elif word in _LATEX_NAMES:
        toks.append(_Tok("name", _LATEX_NAMES[word], i, cmd=True))
    elif word in _LATEX_OPS:
        val = _LATEX_OPS[word]
        toks.append(_Tok("op", val, i))
    elif word in _LATEX_CMDS:
        toks.append(_Tok("cmd", _LATEX_CMDS[word], i))
    elif word in _LATEX_STYLE or word in _LATEX_DECOR:
        b = _BRACED.match(text, end)
        inner = b.group(1) if b else None
        if inner and inner.startswith("\\"):
            inner = _LATEX_NAMES.get(inner[1:])
        if word in _LATEX_DECOR:
            if not inner:
                fail(f"\\{word} needs a name in braces, e.g. \\{word}{{x}}", i)
            toks.append(_Tok("name", f"{inner}_{_LATEX_DECOR[word]}", i))
            return b.end()
        if inner in _WORD_OPS:  # \text{if}, \text{else}
            toks.append(_Tok("op", inner, i))
            return b.end()
        if inner:
            toks.append(_Tok("name", inner, i, cmd=True))
            return b.end()
    else:
        fail(f"unknown LaTeX command '\\{word}'", i)
    return end

