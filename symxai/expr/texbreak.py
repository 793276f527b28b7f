r"""Breaking printed math that is wider than the page into aligned lines.

A term of a displayed chain (a forward pass summed over eight neurons, a relevance
with a long denominator) can be wider than the sheet.  :func:`break_term` splits
its LaTeX at the top-level ``+`` and ``-`` signs and packs the summands greedily
into lines of at most ``limit`` printed characters (``texwidth.width``).  A
summand still too wide is opened: a bracket ``\left( ... \right)`` around a sum
becomes ``\bigl( ... \bigr)`` (so that the lines between them may break) and the
sum inside it is broken the same way; a fraction whose numerator or denominator
is a long sum is written ``(num) / (den)``, then opened.  Continuation lines start
with ``{}+`` so TeX spaces the sign as a binary operator.

>>> code = " + ".join(f"a_{{{i}}} b_{{{i}}} c_{{{i}}}" for i in range(1, 9))
>>> lines = break_term(code, 20)
>>> len(lines), max(width(line) for line in lines) <= 20
(4, True)
>>> break_term("x + y", 20)
['x + y']
"""

from __future__ import annotations

import re

from symxai.expr.texwidth import width

_LEFT = re.compile(r"\\left(\\\{|\\langle|\\lvert|\\lVert|[(\[|.])")
_RIGHT = re.compile(r"\\right(\\\}|\\rangle|\\rvert|\\rVert|[)\]|.])")


def _scan(code: str):
    """Yield (index, depth, token) over ``code``: braces and \\left/\\right change the depth."""
    i, depth = 0, 0
    while i < len(code):
        m = _LEFT.match(code, i) if code.startswith("\\left", i) else None
        if m:
            yield i, depth, "left"
            depth += 1
            i = m.end()
            continue
        m = _RIGHT.match(code, i) if code.startswith("\\right", i) else None
        if m:
            depth -= 1
            yield i, depth, "right"
            i = m.end()
            continue
        ch = code[i]
        if ch == "\\":  # a command: skip its name so \{ is not a brace
            j = i + 1
            while j < len(code) and code[j].isalpha():
                j += 1
            i = max(j, i + 2)
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch in "+-" and depth == 0 and i > 0 and code[i - 1] == " " and code[i + 1:i + 2] == " ":
            yield i, depth, ch
        i += 1


def summands(code: str) -> list[str]:
    """The top-level summands of ``code``, each after the first with its sign.

    >>> summands(r"a + \\left(b - c\\right) - \\frac{d + e}{2}")
    ['a', '+ \\\\left(b - c\\\\right)', '- \\\\frac{d + e}{2}']
    """
    cuts = [i for i, depth, tok in _scan(code) if tok in "+-"]
    parts, start = [], 0
    for cut in cuts:
        parts.append(code[start:cut].strip())
        start = cut
    parts.append(code[start:].strip())
    return [p for p in parts if p]


def _widest_group(code: str):
    """(start, inner start, inner end, end) of the widest top-level \\left...\\right group."""
    best, start = None, None
    for i, depth, tok in _scan(code):
        if depth != 0:
            continue
        if tok == "left":
            start = (i, _LEFT.match(code, i).end())
        elif tok == "right" and start is not None:
            end = _RIGHT.match(code, i).end()
            if best is None or width(code[start[1]:i]) > width(code[best[1]:best[2]]):
                best = (start[0], start[1], i, end)
            start = None
    return best


def _fraction_as_slash(code: str) -> str | None:
    r"""``\frac{A}{B}`` at the top level of ``code``, rewritten ``\left(A\right) / \left(B\right)``
    when A or B is a sum (None when there is none)."""
    for m in re.finditer(r"\\frac\{", code):
        num_end = _closing(code, m.end() - 1)
        if num_end is None or code[num_end + 1:num_end + 2] != "{":
            continue
        den_end = _closing(code, num_end + 1)
        if den_end is None:
            continue
        num, den = code[m.end():num_end], code[num_end + 2:den_end]
        if len(summands(num)) + len(summands(den)) <= 2:
            continue
        wrap = lambda s: s if len(summands(s)) == 1 else f"\\left({s}\\right)"  # noqa: E731
        return code[:m.start()] + f"{wrap(num)} / {wrap(den)}" + code[den_end + 1:]
    return None


def _closing(code: str, open_at: int) -> int | None:
    depth = 0
    for j in range(open_at, len(code)):
        if code[j] == "\\":
            continue
        if code[j] == "{" and code[j - 1] != "\\":
            depth += 1
        elif code[j] == "}" and code[j - 1] != "\\":
            depth -= 1
            if depth == 0:
                return j
    return None


def _size(inner: str) -> str:
    return "Big" if "\\frac" in inner else "big"


def break_term(code: str, limit: int, first: int | None = None) -> list[str]:
    """``code`` as lines of at most ``limit`` printed characters (the first at most ``first``),
    broken at + and - signs as described above; one line when it fits or cannot break.

    >>> break_term(r"x_{1} \\left(a + b + c + d\\right)", 8)
    ['x_{1} \\\\bigl(a + b', '{}+ c + d\\\\bigr)']
    """
    first = limit if first is None else first
    if width(code) <= first or "&" in code or "\\\\" in code:
        return [code]
    pieces = _pieces(code, limit, first, 0)
    lines, current, room = [], "", first
    for piece in pieces:
        joined = f"{current} {piece}" if current else piece
        if current and width(joined) > room:
            lines.append(current)
            current, room = piece, limit
        else:
            current = joined
    lines.append(current)
    return [lines[0]] + [("{}" + ln) if ln[:1] in "+-" else ln for ln in lines[1:]]


def _pieces(code: str, limit: int, first: int, depth: int) -> list[str]:
    """The unbreakable pieces of ``code``, opening over-wide summands (at most 4 levels)."""
    out = []
    for part in summands(code):
        if width(part) <= limit or depth >= 4:
            out.append(part)
            continue
        sign = part[:2] if part[:2] in ("+ ", "- ") else ""
        body = part[len(sign):]
        group = _widest_group(body)
        if group is None or len(summands(body[group[1]:group[2]])) < 2:
            slashed = _fraction_as_slash(body)
            if slashed is None:
                out.append(part)
                continue
            out.extend(_pieces(sign + slashed, limit, first, depth + 1))
            continue
        start, inner, inner_end, end = group
        opener = body[start:inner].replace("\\left", "\\" + _size(body[inner:inner_end]) + "l", 1)
        closer = body[inner_end:end].replace("\\right", "\\" + _size(body[inner:inner_end]) + "r", 1)
        inside = _pieces(body[inner:inner_end], limit, first, depth + 1)
        inside[0] = f"{sign}{body[:start]}{opener}{inside[0]}"
        inside[-1] = f"{inside[-1]}{closer}{body[end:]}"
        out.extend(inside)
    return out
