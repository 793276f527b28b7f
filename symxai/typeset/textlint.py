r"""Patterns a worked solution must not show, read from its rendered text.

``stepcheck`` proves every displayed equality true; this module catches what is
true but reads as a machine wrote it: a chain with a repeated member
(``y = x_1 = x_1 = f``, ``0 = 0``), a placeholder left unset (``[[M]]``, ``None``,
``nan``), machine boilerplate (``SymPy confirms``, ``Verified:``), and a paragraph
printed twice in one task.  :func:`problems` takes a task's view
(``render.task_view``) and returns one message per finding.

>>> view = {"key": "t", "steps": [{"text": "So", "lines": ["y &= x_{1} = x_{1} = f"]}]}
>>> problems(view)
['t: chain repeats x_{1}: y &= x_{1} = x_{1} = f']
"""

from __future__ import annotations

import re
from collections import Counter

BOILERPLATE = ("SymPy confirms", "SymPy shows", "Verified:", "scipy.optimize")
_UNSET = re.compile(r"\[\[|\]\]|\(\(\(|\)\)\)|\bNone\b|\bnan\b|\bzoo\b")
_RELATION = re.compile(r"&?(=|\\Rightarrow)")


def members(row: str) -> list[str]:
    r"""The members of a display row between its top-level ``=`` signs.

    >>> members(r"R_{1} &= \frac{a}{b} = 0")
    ['R_{1}', '\\frac{a}{b}', '0']
    """
    parts, depth, current = [], 0, ""
    for ch in row.replace("&", ""):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if ch == "=" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return parts


def problems(view: dict) -> list[str]:
    """Every finding in one task's rendered solution (its steps' prose and display rows)."""
    key, found, paragraphs = view["key"], [], Counter()
    for step in view["steps"]:
        for line in step.get("lines", []):
            for row in line.split("\\\\"):
                row = row.replace("\\quad", "").strip()
                parts = [p.split("\\Rightarrow")[-1].strip() for p in members(row)]
                for a, b in zip(parts, parts[1:]):
                    if a and a == b:
                        found.append(f"{key}: chain repeats {a}: {row}")
                        break
                if _UNSET.search(row):
                    found.append(f"{key}: unset placeholder in display: {row}")
        text = step.get("text", "")
        if _UNSET.search(re.sub(r"\$[^$]*\$", "", text)):
            found.append(f"{key}: unset placeholder in text: {text[:80]}")
        found += [f"{key}: boilerplate {b!r}: {text[:80]}" for b in BOILERPLATE if b in text]
        for paragraph in re.split(r"\n\s*\n", text):
            if len(paragraph.strip()) > 50:
                paragraphs[paragraph.strip()] += 1
    found += [f"{key}: paragraph printed {n} times: {p[:80]}" for p, n in paragraphs.items() if n > 1]
    discussion = view.get("discussion", "")
    found += [f"{key}: boilerplate {b!r} in the discussion" for b in BOILERPLATE if b in discussion]
    return found
