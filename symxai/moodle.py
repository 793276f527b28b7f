"""Moodle XML quizzes from a batch of variants, and a checker of the format.

Two layouts.  ``cloze`` (default) is one question per variant with every
answer embedded as a gap: ``{1:NUMERICAL:=0.3333333333:0.001}`` for a number,
``{1:SHORTANSWER:=text}`` otherwise.  ``numerical`` puts each variant in its
own category and asks one ``numerical`` question per answer (``shortanswer``
for symbolic ones).  Moodle grades numbers within an absolute tolerance; a
symbolic answer can only be matched as exact text (Moodle has no algebraic
equivalence without the STACK or Formulas plugins), so exercises with
symbolic answers are better checked with ``symxai check``.

Format: https://docs.moodle.org/en/Moodle_XML_format and
https://docs.moodle.org/en/Embedded_Answers_(Cloze)_question_type.

>>> from xml.etree import ElementTree as ET
>>> q = numerical_question("v1 phi_1", "<p>x</p>", 1/3, 0.001)
>>> ET.tostring(q.find("answer"), encoding="unicode")[:61]
'<answer fraction="100" format="moodle_auto_format"><text>0.33'
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import sympy

from .printing import tex

_GAP = re.compile(r"\{(\d*):(NUMERICAL|NM|SHORTANSWER|SA|MW):=([^}]*)\}")
TYPES = ("category", "cloze", "numerical", "shortanswer")


def _text(parent, tag: str, text: str, **attrs) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    ET.SubElement(el, "text").text = text
    return el


def html(statement: str) -> str:
    """LaTeX prose as Moodle HTML: ``$..$`` becomes ``\\(..\\)`` (MathJax), blank lines paragraphs.

    >>> html("Let $x = 1$.\\n\\nThen")
    '<p>Let \\\\(x = 1\\\\).</p><p>Then</p>'
    """
    text = re.sub(r"(?<!\\)\$(.+?)(?<!\\)\$", r"\\(\1\\)", statement.strip(), flags=re.S)
    paras = [p.strip().replace("\n", " ") for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(f"<p>{p}</p>" for p in paras)


def _number(value) -> float | None:
    try:
        if isinstance(value, sympy.Basic) and value.is_number and value.is_real:
            return float(value)
    except (TypeError, ValueError):
        pass
    return None


def _fmt(x: float) -> str:
    return f"{x:.12g}"


def _question(qtype: str, name: str, text: str) -> ET.Element:
    q = ET.Element("question", {"type": qtype})
    _text(q, "name", name)
    _text(q, "questiontext", text, format="html")
    return q


def _tail(q, feedback: str) -> None:
    _text(q, "generalfeedback", feedback, format="html")
    ET.SubElement(q, "defaultgrade").text = "1"
    ET.SubElement(q, "penalty").text = "0.3333333"
    ET.SubElement(q, "hidden").text = "0"


def numerical_question(name: str, text: str, value: float, tolerance: float, feedback: str = "") -> ET.Element:
    """A ``numerical`` question with one right answer (fraction 100) within ``tolerance``."""
    q = _question("numerical", name, text)
    _tail(q, feedback)
    a = _text(q, "answer", _fmt(value), fraction="100", format="moodle_auto_format")
    ET.SubElement(a, "tolerance").text = _fmt(tolerance)
    _text(a, "feedback", "", format="html")
    ET.SubElement(q, "unitgradingtype").text = "0"
    ET.SubElement(q, "unitpenalty").text = "0.1000000"
    ET.SubElement(q, "showunits").text = "3"
    ET.SubElement(q, "unitsleft").text = "0"
    return q


def shortanswer_question(name: str, text: str, answer: str, feedback: str = "") -> ET.Element:
    """A ``shortanswer`` question matching ``answer`` as text (case-insensitive)."""
    q = _question("shortanswer", name, text)
    _tail(q, feedback)
    ET.SubElement(q, "usecase").text = "0"
    a = _text(q, "answer", answer, fraction="100", format="moodle_auto_format")
    _text(a, "feedback", "", format="html")
    return q


def _cloze_escape(text: str) -> str:
    return re.sub(r'([}#~/"\\])', r"\\\1", text)


def _statement(variant) -> tuple[str, dict]:
    from .yamlload import loads

    ex = loads(variant.spec, f"{variant.id}.yaml")["exercises"][0]
    parts = {f"{ex['id']}.{p['id']}": p.get("statement", "") for p in ex.get("parts") or []}
    return ex["statement"], parts


def _prompt(task: str, name: str, multi: bool) -> str:
    label = f"\\({tex(sympy.Symbol(name))}\\)"
    return f"{task.split('.', 1)[1]}: {label}" if multi and "." in task else label


def quiz_xml(batch, *, style: str = "cloze", tolerance: float = 1e-3) -> str:
    """The Moodle XML quiz of ``batch`` (a ``symxai.variants.Batch``)."""
    if style not in ("cloze", "numerical"):
        raise ValueError(f"unknown Moodle layout {style!r} (cloze or numerical)")
    quiz = ET.Element("quiz")
    base = f"$course$/top/symxai/{batch.file.rsplit('.', 1)[0]}-{batch.exercise}-seed{batch.seed}"
    hint = (f"<p>Give numbers to three decimals (tolerance {_fmt(tolerance)}).</p>")
    for v in batch.variants:
        statement, part_text = _statement(v)
        multi = len(v.answers) > 1
        exact = "".join(f"<p>{_prompt(t, n, multi)} = \\({tex(x)}\\)</p>" for t, a in v.answers.items() for n, x in a.items())
        feedback = exact + f"<p>symxai variant {v.number}, batch seed {batch.seed}, variant seed {v.variant_seed}.</p>"
        if style == "cloze":
            body, gap = [html(statement)], 0
            for task, answers in v.answers.items():
                if part_text.get(task):
                    body.append(html(part_text[task]))
                for name, value in answers.items():
                    gap += 1
                    x = _number(value)
                    field = (f"{{1:NUMERICAL:={_fmt(x)}:{_fmt(tolerance)}}}" if x is not None
                             else f"{{1:SHORTANSWER:={_cloze_escape(sympy.sstr(value))}}}")
                    body.append(f"<p>{_prompt(task, name, multi)} = {field}</p>")
            q = _question("cloze", f"{v.id} (seed {v.variant_seed})", "".join(body) + hint)
            _tail(q, feedback)
            quiz.append(q)
            continue
        cat = ET.SubElement(quiz, "question", {"type": "category"})
        _text(cat, "category", f"{base}/{v.id}")
        for task, answers in v.answers.items():
            for name, value in answers.items():
                text = html(statement) + html(part_text.get(task, "")) + f"<p>Give {_prompt(task, name, multi)}.</p>"
                x = _number(value)
                qname = f"{v.id} {task} {name}"
                quiz.append(numerical_question(qname, text + hint, x, tolerance, feedback) if x is not None
                            else shortanswer_question(qname, text, sympy.sstr(value), feedback))
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


def check_quiz(text: str) -> list[str]:
    """Every way ``text`` breaks the Moodle XML quiz format (empty list: valid).

    >>> check_quiz("<quiz><question type='numerical'/></quiz>")[:1]
    ['question 1 (numerical): missing name/text']
    """
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    if root.tag != "quiz":
        return [f"the root element is <{root.tag}>, not <quiz>"]
    out = []
    for i, q in enumerate(root, 1):
        qtype = q.get("type")
        where = f"question {i} ({qtype})"
        if q.tag != "question" or qtype not in TYPES:
            out.append(f"{where}: expected <question type=...> with a type among {', '.join(TYPES)}")
            continue
        if qtype == "category":
            if not (q.findtext("category/text") or "").strip():
                out.append(f"{where}: missing category/text")
            continue
        for path in ("name/text", "questiontext/text"):
            if not (q.findtext(path) or "").strip():
                out.append(f"{where}: missing {path}")
        if q.find("questiontext") is not None and q.find("questiontext").get("format") not in ("html", "moodle_auto_format", "plain_text", "markdown"):
            out.append(f"{where}: questiontext has no valid format attribute")
        answers = q.findall("answer")
        if qtype == "cloze":
            gaps = _GAP.findall(q.findtext("questiontext/text") or "")
            if not gaps:
                out.append(f"{where}: a cloze question needs at least one {{1:NUMERICAL:=...}} gap")
            for _, kind, body in gaps:
                if kind in ("NUMERICAL", "NM"):
                    value, _, tol = body.partition(":")
                    if not (_is_float(value) and _is_float(tol)):
                        out.append(f"{where}: numerical gap {body!r} needs =VALUE:TOLERANCE")
            continue
        if not any(a.get("fraction") == "100" for a in answers):
            out.append(f"{where}: no answer with fraction=\"100\"")
        for a in answers:
            if not _is_float(a.get("fraction", "")):
                out.append(f"{where}: answer fraction {a.get('fraction')!r} is not a number")
            if qtype == "numerical":
                if not _is_float(a.findtext("text") or "") or not _is_float(a.findtext("tolerance") or ""):
                    out.append(f"{where}: a numerical answer needs a number in text and in tolerance")
    if not any(q.get("type") != "category" for q in root):
        out.append("the quiz has no question")
    return out


def _is_float(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
