r"""What a LaTeX log says about the layout: overfull boxes, located in the sheet.

TeX reports a line or a page it could not fit as ``Overfull \hbox (12.3pt too
wide) detected at line 412`` (or ``in paragraph at lines 80--82``).  symxai reads
the log of every compile (``symxai.typeset.latex``) and names the exercise the box belongs
to; ``symxai build`` warns about each box more than :data:`TOLERANCE_PT` over, and
fails with :class:`~symxai.errors.LayoutError` under ``--strict-layout`` (or with
the environment variable ``SYMXAI_STRICT_LAYOUT=1``, which the tests and CI set).

>>> log = "Overfull \\hbox (676.1pt too wide) detected at line 3\n"
>>> src = "x\n\\section*{Exercise 7: LRP}\ny\n"
>>> [str(b) for b in overfull_boxes(log, src)]
['Exercise 7: LRP: a line 676.1 pt too wide (source line 3)']
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

TOLERANCE_PT = 1.0  # TeX's own \hfuzz is 0.1 pt; a box up to 1 pt over is invisible in print
STRICT_ENV = "SYMXAI_STRICT_LAYOUT"

_OVERFULL = re.compile(
    r"Overfull \\([hv])box \((\d+(?:\.\d+)?)pt too (?:wide|high)\)"
    r"(?: (?:in paragraph|in alignment) at lines (\d+)--(\d+)| detected at line (\d+))?")
_HEADING = re.compile(r"\\(section|subsection)\*\{(.*)")


@dataclass(frozen=True)
class Overfull:
    """One overfull box: ``h`` (a line too wide) or ``v`` (a page or box too high), by how
    much in pt, the source line TeX names (0 when it names none) and where in the sheet."""

    box: str
    excess_pt: float
    line: int
    where: str

    def __str__(self) -> str:
        what = "a line" if self.box == "h" else "a page or box"
        size = "wide" if self.box == "h" else "high"
        at = f" (source line {self.line})" if self.line else ""
        return f"{self.where}: {what} {self.excess_pt:.1f} pt too {size}{at}"


def overfull_boxes(log: str, source: str = "", tolerance: float = TOLERANCE_PT) -> list[Overfull]:
    r"""Every box of ``log`` more than ``tolerance`` pt over, located in ``source`` (the .tex).

    >>> overfull_boxes("Overfull \\hbox (0.4pt too wide) in paragraph at lines 5--6")
    []
    >>> overfull_boxes("Overfull \\vbox (30.0pt too high) has occurred while \\output is active")[0].box
    'v'
    """
    headings = _headings(source)
    out = []
    for m in _OVERFULL.finditer(log):
        excess = float(m.group(2))
        if excess <= tolerance:
            continue
        line = int(m.group(3) or m.group(5) or 0)
        out.append(Overfull(m.group(1), excess, line, where(headings, line)))
    return out


def _headings(source: str) -> list[tuple[int, str, str]]:
    """(line, level, title) of every exercise and part heading of a sheet's source."""
    found = []
    for n, text in enumerate(source.splitlines(), 1):
        m = _HEADING.search(text)
        if m:
            found.append((n, m.group(1), _title(m.group(2))))
    return found


def _title(rest: str) -> str:
    """The heading's text up to its closing brace, without the points and TeX commands."""
    depth, end = 1, len(rest)
    for i, ch in enumerate(rest):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth == 0:
            end = i
            break
    title = rest[:end].split("\\hfill")[0]
    title = re.sub(r"\\[A-Za-z]+\*?", "", title).replace("{", "").replace("}", "").replace("$", "")
    return re.sub(r"\s+", " ", title).strip()


def where(headings: list[tuple[int, str, str]], line: int) -> str:
    """The exercise (and part) heading above source line ``line``: "Exercise 7: LRP, (b)"."""
    if not line:
        return "the sheet"
    exercise = part = ""
    for n, level, title in headings:
        if n > line:
            break
        if level == "section":
            exercise, part = title, ""
        else:
            part = title
    if not exercise:
        return "the sheet's heading"
    return f"{exercise}, {part}" if part else exercise


def strict_from_env() -> bool:
    """Whether ``SYMXAI_STRICT_LAYOUT`` asks for overfull boxes to fail the build.

    >>> isinstance(strict_from_env(), bool)
    True
    """
    return os.environ.get(STRICT_ENV, "").strip().lower() in ("1", "true", "yes", "on")
