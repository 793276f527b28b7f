"""STACK questions checked in real Maxima: every teacher's answer and wrong form evaluates to symxai's values.

For each question of a STACK export, its ``questionvariables`` text (as
written in the file) is loaded into Maxima, and every ``ta_...`` variable
(the teacher's answers, whole Piecewise answers, catalogue forms
``ta_..._wK``) is evaluated at sample points of its symbols' domain.  The
expected values come from the batch itself, not from the file: the engine's
exact answers, their pieces, and the catalogue's wrong values, substituted
by SymPy.  Any difference beyond 1e-9 (relative) is reported.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import sympy

from symxai.lms.maxima import evaluate


def _points(symbols: list, count: int = 3) -> list[dict]:
    pts = []
    for k in range(count):
        point = {}
        for i, s in enumerate(symbols):
            lo = sympy.Rational(1, 2) if s.is_nonnegative or s.is_positive else sympy.Integer(-2)
            point[s] = lo + sympy.Rational((3 * k + 2 * i) % 7, 3)
        pts.append(point)
    return pts


def expected(variant) -> dict:
    """``{maxima variable: exact value}`` of every teacher's answer and wrong form of a variant."""
    from symxai.lms.stack import teacher_answers

    out = {}
    for e in teacher_answers(variant):
        out[e["var"]] = e["value"]
        if e["whole"]:
            out[e["whole"][0]] = variant.answers[e["task"]][e["answer"]]
        for k, (_, _, value, _) in enumerate(e["wrong"], 1):
            out[f"{e['var']}_w{k}"] = value
    return out


def _as_float(value, point) -> float | bool:
    v = value.subs(point) if isinstance(value, sympy.Basic) else value
    if isinstance(v, bool) or v in (sympy.true, sympy.false):
        return bool(v)
    return float(sympy.N(v, 30))


def disagreements(batch, text: str) -> list[str]:
    """Where the STACK file ``text`` and the batch's exact values differ in Maxima (empty: they agree)."""
    root = ET.fromstring(text.encode("utf-8"))
    questions = [q for q in root.iter("question") if q.get("type") == "stack"]
    if len(questions) != len(batch.variants):
        return [f"{len(questions)} STACK question(s) for {len(batch.variants)} variant(s)"]
    out = []
    for v, q in zip(batch.variants, questions):
        prelude = q.findtext("questionvariables/text") or ""
        defined = set(re.findall(r"^(\w+):", prelude, flags=re.M))
        want = expected(v)
        for var in sorted(set(want) - defined):
            out.append(f"{v.id}: {var} is not defined in the question variables")
        names = [n for n in want if n in defined]
        if not names:
            continue
        symbols = sorted({s for n in names if isinstance(want[n], sympy.Basic) for s in want[n].free_symbols},
                         key=lambda s: s.name)
        if any(isinstance(want[n], sympy.MatrixBase) for n in names):
            names = [n for n in names if not isinstance(want[n], sympy.MatrixBase)]
        points = _points(symbols) if symbols else [{}]
        booleans = [isinstance(want[n], bool) or want[n] in (sympy.true, sympy.false) for n in names]
        got = evaluate(names, [{s.name: x for s, x in p.items()} for p in points], booleans=booleans,
                       prelude=prelude)
        for n, row in zip(names, got):
            for p, text_value in zip(points, row):
                ref = _as_float(want[n], p)
                if isinstance(ref, bool):
                    ok = text_value == ("true" if ref else "false")
                else:
                    try:
                        ok = abs(float(text_value) - ref) <= 1e-9 * max(1.0, abs(ref))
                    except ValueError:
                        ok = False
                if not ok:
                    at = ", ".join(f"{s}={x}" for s, x in p.items()) or "no symbols"
                    out.append(f"{v.id}: {n} is {text_value} in Maxima but {ref!r} in symxai at {at}")
    return out
