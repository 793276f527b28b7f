"""Moodle XML quizzes from a batch of variants (plain Moodle: no plugin), and a checker of the format.

What each answer becomes:

- a real number: a ``numerical`` question (or ``{1:NUMERICAL:=v:tol}`` gap)
  within an absolute tolerance;
- a boolean: a ``truefalse`` question (or a ``MULTICHOICE`` gap true/false);
- an expression in the exercise's symbols: the same numeric question asked
  *at a stated point* (small exact values of the symbols, off every kink,
  checked against the method's reference there), the point said in the
  question text: "Give R_1 at x_1 = 2, x_2 = 1";
- a numeric vector or matrix: one numeric question per entry.

Symbolic answers are never exported as ``shortanswer`` text (no student can
type SymPy's spelling, and ``*`` is Moodle's wildcard there); for symbolic
grading use the STACK export (``symxai.lms.stack``).  Anything else (a set, a
symbolic matrix) is left out and reported in ``Export.skipped``.

Layouts: ``cloze`` (default) is one question per variant in the category
``$course$/top/<sheet>/<exercise>`` (a "random question" from it gives each
student a variant); ``numerical`` is a category per variant below it with one
question per answer.  The worked solution is the general feedback (HTML,
``\\( \\)`` math for Moodle's MathJax filter); network figures are embedded
as ``@@PLUGINFILE@@`` files.

Format: https://docs.moodle.org/en/Moodle_XML_format and
https://docs.moodle.org/en/Embedded_Answers_(Cloze)_question_type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy

from symxai.lms.lmsdata import paragraphs
from symxai.lms.lmsxml import (XmlQuiz, attach, boolean, category_path, feedback_html, fmt, label, number, point_text,
                     statement_html, statements)
from symxai.lms.moodlecheck import check_quiz, symbolic_shortanswers  # noqa: F401 - re-exported

LAYOUTS = ("cloze", "numerical")


@dataclass
class Item:
    """One gradable thing of a task: a number, a boolean, or a number at a stated point."""

    name: str  # answer name, with [i] / [i,j] for entries
    kind: str  # 'number' | 'boolean'
    value: object  # float or bool
    prompt: str  # HTML: "Give \\(R_{1}\\) at ..."


@dataclass
class Export:
    text: str
    skipped: list = field(default_factory=list)  # "variant task name: why"


def items(variant, task: str, multi: bool) -> tuple[list[Item], list[str]]:
    """The gradable items of one task of a variant, and the answers left out (with why)."""
    extra = variant.extras.get(task, {})
    point = extra.get("point")
    out, skipped = [], []
    for name, value in variant.answers[task].items():
        lab = label(task, name, multi)
        b, x = boolean(value), number(value)
        if b is not None:
            out.append(Item(name, "boolean", b, f"Is {lab} true?"))
        elif x is not None:
            out.append(Item(name, "number", x, f"Give {lab}."))
        elif isinstance(value, sympy.MatrixBase) and all(number(v) is not None for v in value):
            for (i, j), v in sorted(_entries(value).items()):
                idx = f"{i + 1}" if 1 in value.shape else f"{i + 1},{j + 1}"
                out.append(Item(f"{name}[{idx}]", "number", number(v),
                                f"Give the entry {idx} of {lab}."))
        elif point is not None and number(point[1].get(name)) is not None:
            out.append(Item(name, "number", number(point[1][name]),
                            f"Give the value of {lab} at {point_text(point[0])}."))
        else:
            skipped.append(f"{variant.id} {task} {name}: no number to grade in plain Moodle (use --stack)")
    return out, skipped


def _entries(m) -> dict:
    if m.shape[1] == 1:
        return {(i, 0): m[i, 0] for i in range(m.shape[0])}
    return {(i, j): m[i, j] for i in range(m.shape[0]) for j in range(m.shape[1])}


def _cloze_escape(text: str) -> str:
    return re.sub(r'([}#~/"\\])', r"\\\1", text)


def _cloze_text(body: list[str]) -> str:
    """Join the cloze body; a ``{digits:`` in the prose (not a gap) gets a space so Moodle reads no gap there."""
    gap = re.compile(r"\{1:(NUMERICAL|MULTICHOICE):")
    return "".join(part if gap.search(part) else re.sub(r"\{(\d*):", r"{ \1:", part) for part in body)


def _common(quiz: XmlQuiz, q, name: str, text: str, figs: list, feedback: str, ffigs: list, *, penalty: str):
    quiz.text(q, "name", name, cdata=False)
    attach(quiz, quiz.text(q, "questiontext", text, format="html"), figs)
    attach(quiz, quiz.text(q, "generalfeedback", feedback, format="html"), ffigs)
    quiz.plain(q, "defaultgrade", 1)
    quiz.plain(q, "penalty", penalty)
    quiz.plain(q, "hidden", 0)


def numerical(quiz: XmlQuiz, name: str, text: str, value: float, tolerance: float, feedback: str = "",
              figs=(), ffigs=()) -> None:
    """A ``numerical`` question with one right answer (fraction 100) within ``tolerance``."""
    q = quiz.question("numerical")
    _common(quiz, q, name, text, list(figs), feedback, list(ffigs), penalty="0.3333333")
    a = _answer(quiz, q, fmt(value), "100")
    quiz.plain(a, "tolerance", fmt(tolerance))
    quiz.text(a, "feedback", "", format="html")
    for tag, v in (("unitgradingtype", 0), ("unitpenalty", "0.1000000"), ("showunits", 3), ("unitsleft", 0)):
        quiz.plain(q, tag, v)


def truefalse(quiz: XmlQuiz, name: str, text: str, value: bool, feedback: str = "", figs=(), ffigs=()) -> None:
    """A ``truefalse`` question whose right answer is ``value``."""
    q = quiz.question("truefalse")
    _common(quiz, q, name, text, list(figs), feedback, list(ffigs), penalty="1")
    for word in ("true", "false"):
        a = _answer(quiz, q, word, "100" if (word == "true") == value else "0")
        quiz.text(a, "feedback", "", format="html")


def _answer(quiz: XmlQuiz, q, text: str, fraction: str):
    return quiz.text(q, "answer", text, cdata=False, fraction=fraction, format="moodle_auto_format")


def quiz(batch, *, style: str = "cloze", tolerance: float = 1e-3, figure_format: str = "png") -> Export:
    """The Moodle XML quiz of ``batch`` (a ``symxai.batch.variants.Batch`` generated with ``lms=True``)."""
    if style not in LAYOUTS:
        raise ValueError(f"unknown Moodle layout {style!r} (cloze or numerical)")
    xml = XmlQuiz(figure_format)
    hint = f"<p>Give numbers to three decimals (absolute tolerance {fmt(tolerance)}).</p>"
    skipped: list[str] = []
    if style == "cloze":
        xml.category(category_path(batch))
    for v in batch.variants:
        multi = len(v.answers) > 1
        if style == "numerical":
            xml.category(category_path(batch, v.id))
        body, figs, feedback, ffigs = [], [], [], []
        first = True
        for task in v.answers:
            text, tfigs = statement_html(xml, v, task, with_part=True)
            fb, fbf = feedback_html(xml, v, task, batch)
            found, left = items(v, task, multi)
            skipped += left
            if style == "cloze":
                if first:
                    body.append(text)
                    figs += tfigs
                else:
                    body.append(paragraphs(statements(v)[1].get(task, "")))
                feedback.append(fb)
                ffigs += fbf
                for it in found:
                    gap = (f"{{1:NUMERICAL:={fmt(it.value)}:{fmt(tolerance)}}}" if it.kind == "number"
                           else "{1:MULTICHOICE:" + ("=true~false" if it.value else "true~=false") + "}")
                    body.append(f"<p>{it.prompt} {gap}</p>")
                first = False
                continue
            for it in found:
                qname = f"{v.id} {task} {it.name}"
                qtext = text + f"<p>{it.prompt}</p>"
                if it.kind == "boolean":
                    truefalse(xml, qname, qtext, it.value, fb, tfigs, fbf)
                else:
                    numerical(xml, qname, qtext + hint, it.value, tolerance, fb, tfigs, fbf)
        if style == "cloze" and len(body) > 1:
            q = xml.question("cloze")
            _common(xml, q, f"{v.id} (seed {v.variant_seed})", _cloze_text(body) + hint, figs, "".join(feedback),
                    ffigs, penalty="0.3333333")
    return Export(xml.serialize(), skipped)


def quiz_xml(batch, *, style: str = "cloze", tolerance: float = 1e-3, figure_format: str = "png") -> str:
    """The Moodle XML text of ``batch`` (see ``quiz``)."""
    return quiz(batch, style=style, tolerance=tolerance, figure_format=figure_format).text
