"""A checker of Moodle XML quizzes: the structure Moodle's importer (question/format/xml) reads.

Per question type it asks for what the importer needs to build the question
(``name/text``, ``questiontext`` with a format, answers with numeric
fractions, a 100% answer, numerical tolerances, the two true/false answers,
cloze gaps with value and tolerance, STACK inputs, trees and nodes), that
every question sits below a category, that every ``@@PLUGINFILE@@/name``
reference has a base64 ``<file>`` of that name beside its text, and it lists
``shortanswer`` answers that are not plain numbers (symbolic text no student
can type exactly).

>>> check_quiz("<quiz><question type='numerical'/></quiz>")[:2]
['question 1 (numerical): comes before any category', 'question 1 (numerical): missing name/text']
"""

from __future__ import annotations

import base64
import binascii
import re
from xml.etree import ElementTree as ET

TYPES = ("category", "cloze", "numerical", "shortanswer", "truefalse", "stack")
_GAP = re.compile(r"\{(\d*):(NUMERICAL|NM|SHORTANSWER|SA|MW|MULTICHOICE|MC|MCV|MCH):([^}]*)\}")
_FILE_REF = re.compile(r"@@PLUGINFILE@@/([^\"'<>\s]+)")
_FORMATS = ("html", "moodle_auto_format", "plain_text", "markdown")


def _is_float(text: str) -> bool:
    try:
        float(text)
        return True
    except (TypeError, ValueError):
        return False


def _files(where: str, el) -> list[str]:
    out = []
    if el is None:
        return out
    text = el.findtext("text") or ""
    have = {}
    for f in el.findall("file"):
        try:
            have[f.get("name")] = base64.b64decode((f.text or "").encode("ascii"), validate=True)
        except (binascii.Error, ValueError):
            out.append(f"{where}: file {f.get('name')!r} is not base64")
        if f.get("encoding") != "base64":
            out.append(f"{where}: file {f.get('name')!r} needs encoding=\"base64\"")
    for ref in _FILE_REF.findall(text):
        if ref not in have:
            out.append(f"{where}: @@PLUGINFILE@@/{ref} has no <file name=\"{ref}\"> beside its text")
        elif not have[ref]:
            out.append(f"{where}: file {ref!r} is empty")
    return out


def _cloze(where: str, text: str) -> list[str]:
    gaps = _GAP.findall(text)
    if not gaps:
        return [f"{where}: a cloze question needs at least one {{1:NUMERICAL:=...}} gap"]
    out = []
    for _, kind, body in gaps:
        if kind in ("NUMERICAL", "NM"):
            value, _, tol = body.lstrip("=").partition(":")
            if not body.startswith("=") or not (_is_float(value) and _is_float(tol)):
                out.append(f"{where}: numerical gap {body!r} needs =VALUE:TOLERANCE")
        elif "=" not in body:
            out.append(f"{where}: gap {body!r} has no right answer (=...)")
    return out


def _answers(where: str, q, qtype: str) -> list[str]:
    out = []
    answers = q.findall("answer")
    if not any(_is_float(a.get("fraction")) and float(a.get("fraction")) == 100 for a in answers):
        out.append(f"{where}: no answer with fraction=\"100\"")
    for a in answers:
        if not _is_float(a.get("fraction", "")):
            out.append(f"{where}: answer fraction {a.get('fraction')!r} is not a number")
        if qtype == "numerical" and (not _is_float(a.findtext("text") or "") or not _is_float(a.findtext("tolerance") or "")):
            out.append(f"{where}: a numerical answer needs a number in text and in tolerance")
    if qtype == "truefalse":
        words = sorted((a.findtext("text") or "").strip().lower() for a in answers)
        if words != ["false", "true"]:
            out.append(f"{where}: a truefalse question needs the answers true and false, got {words}")
    return out


def check_quiz(text: str) -> list[str]:
    """Every way ``text`` breaks the Moodle XML quiz format (empty list: valid)."""
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    if root.tag != "quiz":
        return [f"the root element is <{root.tag}>, not <quiz>"]
    out, category = [], None
    for i, q in enumerate(root, 1):
        qtype = q.get("type")
        where = f"question {i} ({qtype})"
        if q.tag != "question" or qtype not in TYPES:
            out.append(f"{where}: expected <question type=...> with a type among {', '.join(TYPES)}")
            continue
        if qtype == "category":
            category = (q.findtext("category/text") or "").strip()
            if not category.startswith("$course$/") and not category.startswith("$system$/"):
                out.append(f"{where}: category/text must be a path like $course$/top/sheet/exercise")
            continue
        if category is None:
            out.append(f"{where}: comes before any category")
        for path in ("name/text", "questiontext/text"):
            if not (q.findtext(path) or "").strip():
                out.append(f"{where}: missing {path}")
        qt = q.find("questiontext")
        if qt is not None and qt.get("format") not in _FORMATS:
            out.append(f"{where}: questiontext has no valid format attribute")
        for tag in ("questiontext", "generalfeedback"):
            out += _files(f"{where} {tag}", q.find(tag))
        if qtype == "cloze":
            out += _cloze(where, q.findtext("questiontext/text") or "")
        elif qtype == "stack":
            from symxai.lms.stack import check_stack_question
            out += [f"{where}: {p}" for p in check_stack_question(q)]
        else:
            out += _answers(where, q, qtype)
    if not any(q.get("type") != "category" for q in root):
        out.append("the quiz has no question")
    return out


def symbolic_shortanswers(text: str) -> list[str]:
    """The ``shortanswer`` answers (and SHORTANSWER gaps) of a quiz that are not plain numbers."""
    root = ET.fromstring(text.encode("utf-8"))
    found = []
    for q in root.iter("question"):
        if q.get("type") == "shortanswer":
            found += [a.findtext("text") or "" for a in q.findall("answer") if not _is_float(a.findtext("text"))]
        if q.get("type") == "cloze":
            for _, kind, body in _GAP.findall(q.findtext("questiontext/text") or ""):
                if kind in ("SHORTANSWER", "SA", "MW") and not _is_float(body.lstrip("=")):
                    found.append(body)
    return found
