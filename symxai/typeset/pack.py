r"""Packing short display lines side by side, so a column of short equations does not fill a page.

A step's display lines arrive as align rows, ``lhs &= rhs`` (``printing.aligned``).  Several short
ones in a row -- ``f(1, 1, 1) = 1`` and ``f(0, 0, 0) = 0``, the three answers ``phi_i`` -- are set
two to four to a row of an ``alignat*`` environment, a ``\qquad`` between them, read left to right.
A long line, a line broken over several rows, or one without a single alignment point stays on a
row of its own.  :func:`segments` cuts the lines into runs of one column count each; a display of
several runs is one ``gather*`` of ``aligned`` blocks (no gap between runs) unless it is long, when
each run is an environment of its own so the page may break between its rows.

>>> segments(["a &= 1", "b &= 2", "c &= 3", "d &= 4", "e &= 5"])
[Segment(cols=3, rows=['a &= 1 &\\qquad b &= 2 &\\qquad c &= 3', 'd &= 4 &\\qquad e &= 5'])]
>>> segments(["a &= 1", "x &= " + " + ".join("x_{%d}" % i for i in range(30))])[0].cols
1
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from symxai.expr.texwidth import LINE_WIDTH, width

GAP = 4.0  # \qquad between two packed equations, in units of texwidth.width
MAX_COLS = 4
FILL = 0.9  # packed rows use at most this share of the line: the widths are estimates
_BEGIN_END = re.compile(r"\\(begin|end)\{[^}]*\}")


@dataclass(frozen=True)
class Segment:
    """A run of display rows with ``cols`` equations to a row (1: the lines as they were)."""

    cols: int
    rows: list


def halves(line: str) -> tuple[str, str] | None:
    r"""``line`` split at its one alignment point outside any environment (a matrix's ``&`` do not
    count), or None when it has none, several, or a row break of its own.

    >>> halves(r"x &= \begin{matrix}1 & 2\end{matrix}")
    ('x ', '= \\begin{matrix}1 & 2\\end{matrix}')
    >>> halves("a &= b\\\\\n  &= c") is None
    True
    """
    depth, found, i = 0, [], 0
    while i < len(line):
        if line.startswith("\\", i):
            m = _BEGIN_END.match(line, i)
            if m:
                depth += 1 if m.group(1) == "begin" else -1
                i = m.end()
                continue
            if depth == 0 and line.startswith("\\\\", i):
                return None
            i += 2
            continue
        if line[i] == "&" and depth == 0:
            found.append(i)
        i += 1
    if len(found) != 1:
        return None
    return line[:found[0]], line[found[0] + 1:]


def _layout(parts: list[tuple[str, str]], cols: int) -> float:
    """The width of ``parts`` set ``cols`` to a row: each column as wide as its widest member."""
    total = 0.0
    for c in range(min(cols, len(parts))):
        column = parts[c::cols]
        total += max(width(lhs) for lhs, _ in column) + max(width(rhs) for _, rhs in column)
    return total + GAP * (min(cols, len(parts)) - 1)


def _columns(parts: list[tuple[str, str]], limit: float) -> int:
    """The column count for a run of short lines: the fewest rows that fit, then the fewest columns."""
    best = 1
    for cols in range(2, min(MAX_COLS, len(parts)) + 1):
        if _layout(parts, cols) > limit:
            break
        if -(-len(parts) // cols) < -(-len(parts) // best):
            best = cols
    return best


def segments(lines: list[str], limit: float = LINE_WIDTH) -> list[Segment]:
    """``lines`` (align rows) cut into runs, each with the column count it is set in."""
    room = limit * FILL
    out: list[Segment] = []
    run: list[tuple[str, str]] = []

    def close_run():
        if not run:
            return
        cols = _columns(run, room)
        if cols == 1:
            add(1, [f"{lhs}&{rhs}" for lhs, rhs in run])
        else:
            add(cols, [" &\\qquad ".join(f"{lhs}&{rhs}" for lhs, rhs in run[r:r + cols])
                       for r in range(0, len(run), cols)])
        run.clear()

    def add(cols, rows):
        if out and out[-1].cols == cols == 1:
            out[-1].rows.extend(rows)
        else:
            out.append(Segment(cols, list(rows)))

    for line in lines:
        parts = halves(line)
        if parts is not None and width(parts[0]) + width(parts[1]) <= (room - GAP) / 2:
            run.append(parts)
            continue
        close_run()
        add(1, [line])
    close_run()
    return out


GATHER_ROWS = 10  # a display of several runs with more rows than this is set as separate environments


def display(lines: list[str], limit: float = LINE_WIDTH) -> str:
    r"""The LaTeX of a display of ``lines``: one ``align*`` when nothing packs, else the packed runs.

    >>> print(display(["a &= 1", "b &= 2"]))
    \begin{alignat*}{2}
      a &= 1 &\qquad b &= 2
    \end{alignat*}
    """
    if not lines:
        return ""
    segs = segments(lines, limit)
    if len(segs) == 1 or sum(len(s.rows) for s in segs) > GATHER_ROWS:
        return "\n".join(_environment(s) for s in segs)
    blocks = []
    for s in segs:
        body = "\\\\\n  ".join(s.rows)
        blocks.append(f"\\begin{{alignedat}}{{{s.cols}}}\n  {body}\n\\end{{alignedat}}" if s.cols > 1
                      else f"\\begin{{aligned}}\n  {body}\n\\end{{aligned}}")
    return "\\begin{gather*}\n" + "\\\\[0.6ex]\n".join(blocks) + "\n\\end{gather*}"


def _environment(s: Segment) -> str:
    body = "\\\\\n  ".join(s.rows)
    if s.cols == 1:
        return f"\\begin{{align*}}\n  {body}\n\\end{{align*}}"
    return f"\\begin{{alignat*}}{{{s.cols}}}\n  {body}\n\\end{{alignat*}}"


def one_row(lines: list[str], room: float) -> str | None:
    r"""``lines`` as one row of inline math, ``a = 1 \qquad b = 2``, when each has one alignment point
    and together they fit in ``room``; else None.

    >>> one_row(["a &= 1", "b &= 2"], 40)
    'a = 1 \\qquad b = 2'
    >>> one_row(["a &= 1", "b &= 2\\\\\n  &= 3"], 40) is None
    True
    """
    parts = [halves(line) for line in lines]
    if not parts or any(p is None for p in parts):
        return None
    if sum(width(lhs) + width(rhs) for lhs, rhs in parts) + GAP * (len(parts) - 1) > room * FILL:
        return None
    return " \\qquad ".join(f"{lhs.rstrip()} {rhs.lstrip()}" for lhs, rhs in parts)
