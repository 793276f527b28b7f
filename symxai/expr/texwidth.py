"""The printed width of LaTeX math, estimated without TeX: what decides where a display breaks,
whether two equations fit side by side, and how large a label box in a network figure is.

>>> width("x_{1} + x_{2}")
5.6
"""

from __future__ import annotations

import re

LINE_WIDTH = 64  # what fits on a line of the sheet (472 pt), in units of ``width``


def width(code: str) -> float:
    """A rough printed width of LaTeX math, in units of about 7 pt at 11 pt (fitted against
    TeX's own widths of the sheets' displays: 95 % of them are at most 7.2 pt a unit):
    a letter 1, a sign with its spacing 2.2, a script 0.7 of its content, a fraction its
    wider part; \\left, \\mathrm and such take no room of their own.

    >>> width(r"\\frac{1}{2 \\lambda} \\left(x_{1} - \\mu_{1}\\right)")
    9.8
    """
    total, i, n = 0.0, 0, len(code)
    while i < n:
        ch = code[i]
        frac = _FRACTION.match(code, i)
        if frac:
            num_end = _group_end(code, frac.end() - 1)
            den_end = _group_end(code, num_end + 1)
            total += max(width(code[frac.end():num_end]), width(code[num_end + 2:den_end])) + 0.6
            i = den_end + 1
        elif ch in "_^":
            if code[i + 1:i + 2] == "{":
                end = _group_end(code, i + 1)
                total += 0.7 * width(code[i + 2:end])
                i = end + 1
            else:
                total, i = total + 0.7, i + 2
        elif code.startswith("\\begin{", i) and (env := _ENVIRONMENT.match(code, i)):
            total += _environment_width(env.group(2)) + (2.0 if env.group(1) == "cases" else 0.0)
            i = env.end()
        elif ch == "\\":
            m = _COMMAND.match(code, i)
            if m is None:  # a lone backslash at the end
                break
            name, i = m.group(1), m.end()
            if name in _DELIMITER_SIZES:
                i = (_COMMAND.match(code, i).end() if code[i:i + 1] == "\\" else i + 1)
                total += 0.8
            elif name not in _NO_ROOM:
                total += _COMMAND_ROOM.get(name, 1.0)
        else:
            total += 0.0 if ch in "{} \n\t&" else 2.2 if ch in "+-=<>" else 0.6 if ch in "()[]|,.;:" else 1.0
            i += 1
    return round(total, 1)


_FRACTION = re.compile(r"\\[dt]?frac\{")
_ENVIRONMENT = re.compile(r"\\begin\{(cases|matrix|smallmatrix|pmatrix|aligned)\}(.*?)\\end\{\1\}", re.S)


def _environment_width(body: str) -> float:
    """A cases or matrix body is as wide as its widest entry in each column, a quad between columns
    (``width`` of ``\\begin{cases} a & \\text{if } c \\\\ b & \\text{otherwise} \\end{cases}``
    is not the sum of its rows).

    >>> width(r"\\begin{cases} x_{1} & \\text{if } x_{1} > 0 \\\\0 & \\text{otherwise} \\end{cases}") < 20
    True
    """
    rows = [[width(c) for c in row.split("&")] for row in re.split(r"\\\\(?:\[[^]]*\])?", body) if row.strip()]
    if not rows:
        return 0.0
    cols = max(len(r) for r in rows)
    return sum(max(r[c] for r in rows if c < len(r)) for c in range(cols)) + 2.0 * (cols - 1)


_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_DELIMITER_SIZES = {"left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big", "biggl", "biggr"}
_NO_ROOM = {"mathrm", "boldsymbol", "operatorname", "text", "mathbf", "mathit", "mathcal", "bar", "tilde",
            "hat", "sqrt", "vec", "displaystyle", "limits"}
_COMMAND_ROOM = {",": 0.3, ";": 0.4, "!": 0.0, " ": 0.4, "quad": 2.0, "qquad": 4.0, "sum": 1.5, "prod": 1.5,
                 "max": 2.7, "min": 2.7, "log": 2.7, "exp": 2.7, "ln": 1.8, "sin": 2.7, "cos": 2.7,
                 **dict.fromkeys(("le", "ge", "ne", "to", "approx", "cdot", "times", "in", "Rightarrow", "leq",
                                  "geq", "mapsto", "equiv", "Leftrightarrow"), 2.2)}


def _group_end(code: str, open_at: int) -> int:
    """Index of the brace closing the group that opens at ``open_at`` (the end when unclosed)."""
    depth, j = 0, open_at
    while j < len(code):
        if code[j] == "\\":
            j += 2
            continue
        depth += {"{": 1, "}": -1}.get(code[j], 0)
        if depth == 0:
            return j
        j += 1
    return len(code) - 1
