"""Where a LaTeX error came from: the spec line whose text produced the failing .tex line.

pdflatex reports ``l.<n> <source text>`` for an error; the generated .tex line
``n`` is compared with every markup text of the spec (titles, statements,
discussions, ``symxai/typeset/texguard.markup_fields``), and the spec text line that
shares the longest stretch with it is named with file, line and column.

>>> from symxai.specs.yamlload import loads
>>> data = loads('id: s\\ntitle: T\\nexercises:\\n  - statement: |\\n      The weight \\\\alpha is large.\\n', "s.yaml")
>>> origin("the weight \\\\alpha is large.", data, "s.yaml", ["", "", "", "", "      The weight \\\\alpha is large."])
's.yaml:5:7 (exercises[0].statement)'
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from symxai.errors import Location
from symxai.typeset.texguard import markup_fields

_TEX_LINE = re.compile(r"^\s*l\.(\d+)", re.M)


def origin(tex_line: str, data, file: str, lines: list[str] | None = None) -> str:
    """'FILE:LINE:COL (path)' of the spec text line most like ``tex_line`` ('' when none is alike);
    ``lines`` are the spec file's lines (default: read from ``file``)."""
    if lines is None:
        try:
            lines = open(file, encoding="utf-8").read().splitlines()
        except OSError:
            lines = []
    wanted = tex_line.strip().lower()
    best, score = "", 0
    if len(wanted) < 4:
        return ""
    for path, value in markup_fields(data):
        loc = getattr(value, "loc", None)
        for line in str(value).splitlines():
            text = line.strip().lower()
            if len(text) < 4:
                continue
            match = SequenceMatcher(None, wanted, text, autojunk=False).find_longest_match(0, len(wanted), 0, len(text))
            if match.size > score and match.size >= min(12, len(text)):
                score, best = match.size, f"{_place(line.strip(), loc, lines, file)} ({path})"
    return best


def _place(text: str, loc, lines: list[str], file: str) -> str:
    """file:line:col of ``text`` in the source, searched from the value's own line on."""
    if not isinstance(loc, Location) or not loc.line:
        return file
    for n in range(loc.line - 1, len(lines)):
        col = lines[n].find(text)
        if col >= 0:
            return f"{file}:{n + 1}:{col + 1}"
    return str(loc)


def explain(message: str, sources: dict[str, str], specs: dict[str, tuple]) -> str:
    """``message`` of a LaTeX error with a line 'from FILE:LINE:COL (path)' for each ``l.<n>`` it
    names: ``sources`` maps a job name to its .tex text, ``specs`` a job name to (data, file)."""
    job = next((j for j in sources if f"{j}.tex" in message), None)
    if job is None or job not in specs:
        return message
    tex = sources[job].splitlines()
    data, file = specs[job]
    found = []
    for m in _TEX_LINE.finditer(message):
        n = int(m.group(1))
        if 0 < n <= len(tex):
            where = origin(tex[n - 1], data, file)
            if where and where not in found:
                found.append(where)
    if not found:
        return message
    return message + "\n" + "\n".join(f"    from the spec text at {w}" for w in found)
