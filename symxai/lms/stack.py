"""STACK questions (Moodle XML, ``qtype="stack"``) from a batch of variants: symbolic grading by Maxima.

Target: STACK 4.7.0 for Moodle (plugin version ``2024072400``, written in
``<stackversion>``; STACK's version map lists Maxima 5.46.0, Debian 12's
``maxima``, among the versions it supports).  The fields follow STACK's
Moodle XML importer (``qtype_stack::import_from_xml``) and its sample
questions; fields a STACK release does not know are ignored by its importer,
missing ones take its defaults.  One question per variant, in the category
``$course$/top/<sheet>/<exercise>``:

- question variables: the variant's generated values (``g_<name>``) and the
  teacher's answers (``ta_<answer>``) in Maxima syntax (``symxai.lms.maxima``);
- one input per answer name (``ans_<answer>``): ``algebraic`` (``matrix``
  for matrices, ``boolean`` for true/false); a ``Piecewise`` answer gets one
  input per piece, its condition said beside it (``ans_<answer>_<k>``);
- one potential response tree per input (``prt_<input>``): node 0 tests the
  answer against ``ta_...`` with ``AlgEquiv`` (``NumRelative``, 0.1 %, for
  floats); every misconception of symxai's catalogue whose wrong value for
  this answer differs from the right one adds a node testing the answer
  against that value, with the catalogue's message as feedback;
- the worked solution as general feedback (HTML, ``\\( \\)`` math), one
  question test (``qtest``) that the teacher's answers score 1 in every tree.

>>> sorted(RESERVED_INPUT_TYPES)
['algebraic', 'boolean', 'matrix']
"""

from __future__ import annotations

import html as _html
from xml.etree import ElementTree as ET

import sympy

from symxai.lms.lmsxml import XmlQuiz, attach, boolean, category_path, feedback_html, label, statement_html
from symxai.lms.maxima import MaximaError, maxima
from symxai.expr.printing import tex

STACK_VERSION = "2024072400"  # STACK 4.7.0
RESERVED_INPUT_TYPES = ("algebraic", "boolean", "matrix")
NUM_RELATIVE = "0.001"


def _ident(text: str) -> str:
    return "".join(c if c.isalnum() or c == "_" else "_" for c in text)


def teacher_answers(variant) -> list[dict]:
    """Per input of the variant's STACK question: names, the exact value, its Maxima code, prompt and test."""
    out = []
    multi = len(variant.answers) > 1
    for task, answers in variant.answers.items():
        wrongs = variant.extras.get(task, {}).get("misconceptions", [])
        for name, value in answers.items():
            base = _ident(f"{task.split('.', 1)[1]}_{name}" if multi and "." in task else name)
            lab = label(task, name, multi)
            if isinstance(value, sympy.Piecewise):
                for k, (piece, cond) in enumerate(value.args, 1):
                    where = "otherwise" if cond == sympy.true else f"for \\({tex(cond)}\\)"
                    out.append(_entry(f"{base}_{k}", piece, f"{lab} {where}", [], task, name))
                out[-len(value.args)]["whole"] = (f"ta_{base}", maxima(value))
                continue
            seen, nodes = {_key(value)}, []
            for row in wrongs:
                if name in row["values"] and _key(row["values"][name]) not in seen:
                    seen.add(_key(row["values"][name]))
                    nodes.append((row["label"], row["message"], row["values"][name]))
            out.append(_entry(base, value, lab, nodes, task, name))
    return out


def _key(value) -> str:
    try:
        return sympy.srepr(sympy.nsimplify(value) if isinstance(value, sympy.Basic) else value)
    except (TypeError, ValueError, sympy.SympifyError):
        return repr(value)


def _entry(base: str, value, prompt: str, nodes: list, task: str, name: str) -> dict:
    kind = "boolean" if boolean(value) is not None else "matrix" if isinstance(value, sympy.MatrixBase) else "algebraic"
    floats = isinstance(value, sympy.Basic) and value.has(sympy.Float)
    return {"input": f"ans_{base}", "var": f"ta_{base}", "prt": f"prt_{base}", "value": value,
            "code": maxima(value), "prompt": prompt, "type": kind, "float": floats, "task": task, "answer": name,
            "wrong": [(lab, msg, v, maxima(v)) for lab, msg, v in nodes], "whole": None,
            "symbols": sorted(s.name for s in value.free_symbols) if isinstance(value, sympy.Basic) else []}


def question_variables(variant, entries: list[dict]) -> str:
    """The ``questionvariables`` text: generated values, then teacher's answers, then the wrong forms."""
    lines = [f"/* symxai {variant.id}: variant seed {variant.variant_seed} */"]
    for gname, value in variant.values.items():
        try:
            lines.append(f"g_{gname}: {maxima(_plain(value))};")
        except MaximaError:
            lines.append(f"/* g_{gname}: no Maxima form */")
    for e in entries:
        lines.append(f"{e['var']}: {e['code']};")
        if e["whole"]:
            lines.append(f"{e['whole'][0]}: {e['whole'][1]};")
        for k, (_, _, _, code) in enumerate(e["wrong"], 1):
            lines.append(f"{e['var']}_w{k}: {code};")
    return "\n".join(lines)


def _plain(value):
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, int):
        return sympy.Integer(value)
    return value


def _node(quiz: XmlQuiz, prt, k: int, test: str, sans: str, tans: str, options: str, *, true_score: str,
          true_next: int, false_next: int, true_feedback: str = "", false_feedback: str = "") -> None:
    node = ET.SubElement(prt, "node")
    p = prt.findtext("name")
    for tag, val in (("name", k), ("description", ""), ("answertest", test), ("sans", sans), ("tans", tans),
                     ("testoptions", options), ("quiet", 0), ("truescoremode", "="), ("truescore", true_score),
                     ("truepenalty", ""), ("truenextnode", true_next), ("trueanswernote", f"{p}-{k}-T")):
        quiz.plain(node, tag, val)
    quiz.text(node, "truefeedback", true_feedback, format="html")
    for tag, val in (("falsescoremode", "="), ("falsescore", 0), ("falsepenalty", ""), ("falsenextnode", false_next),
                     ("falseanswernote", f"{p}-{k}-F")):
        quiz.plain(node, tag, val)
    quiz.text(node, "falsefeedback", false_feedback, format="html")


def _input(quiz: XmlQuiz, q, e: dict) -> None:
    inp = ET.SubElement(q, "input")
    allow = ",".join(s for s in e["symbols"] if len(s) > 1)
    for tag, val in (("name", e["input"]), ("type", e["type"]), ("tans", e["var"]), ("boxsize", 25),
                     ("strictsyntax", 1), ("insertstars", 0), ("syntaxhint", ""), ("syntaxattribute", 0),
                     ("forbidwords", ""), ("allowwords", allow), ("forbidfloat", 0 if e["float"] else 1),
                     ("requirelowestterms", 0), ("checkanswertype", 0), ("mustverify", 1),
                     ("showvalidation", 1), ("options", "")):
        quiz.plain(inp, tag, val)


def _prt(quiz: XmlQuiz, q, e: dict) -> None:
    prt = ET.SubElement(q, "prt")
    for tag, val in (("name", e["prt"]), ("value", "1.0000000"), ("autosimplify", 1), ("feedbackstyle", 1)):
        quiz.plain(prt, tag, val)
    quiz.text(prt, "feedbackvariables", "", cdata=False)
    test, opts = ("NumRelative", NUM_RELATIVE) if e["float"] else ("AlgEquiv", "")
    n = len(e["wrong"])
    _node(quiz, prt, 0, test, e["input"], e["var"], opts, true_score="1", true_next=-1, false_next=1 if n else -1)
    for k, (lab, msg, _, _) in enumerate(e["wrong"], 1):
        _node(quiz, prt, k, test, e["input"], f"{e['var']}_w{k}", opts, true_score="0", true_next=-1,
              false_next=k + 1 if k < n else -1,
              true_feedback=f"<p>{_html.escape(msg, quote=False)} <small>[{_html.escape(lab)}]</small></p>")


def _qtest(quiz: XmlQuiz, q, entries: list[dict]) -> None:
    t = ET.SubElement(q, "qtest")
    quiz.plain(t, "testcase", 1)
    quiz.plain(t, "description", "the teacher's answers score 1 in every tree")
    for e in entries:
        ti = ET.SubElement(t, "testinput")
        quiz.plain(ti, "name", e["input"])
        quiz.plain(ti, "value", e["var"])
    for e in entries:
        ex = ET.SubElement(t, "expected")
        for tag, val in (("name", e["prt"]), ("expectedscore", "1.0000000"), ("expectedpenalty", "0.0000000"),
                         ("expectedanswernote", f"{e['prt']}-0-T")):
            quiz.plain(ex, tag, val)


def question(quiz: XmlQuiz, batch, variant) -> None:
    """Append the STACK question of one variant to ``quiz``."""
    entries = teacher_answers(variant)
    q = quiz.question("stack")
    quiz.text(q, "name", f"{variant.id} (seed {variant.variant_seed})", cdata=False)
    body, figs, fb, ffigs, current = [], [], [], [], None
    for task in variant.answers:
        text, tf = statement_html(quiz, variant, task, with_part=current is None)
        if current is None:
            body.append(text)
            figs += tf
        current = task
        f, ff = feedback_html(quiz, variant, task, batch)
        fb.append(f)
        ffigs += ff
        for e in (e for e in entries if e["task"] == task):
            body.append(f"<p>{e['prompt']} = [[input:{e['input']}]] [[validation:{e['input']}]]</p>")
    attach(quiz, quiz.text(q, "questiontext", "".join(body), format="html"), figs)
    attach(quiz, quiz.text(q, "generalfeedback", "".join(fb), format="html"), ffigs)
    for tag, val in (("defaultgrade", len(entries)), ("penalty", "0.1"), ("hidden", 0), ("idnumber", "")):
        quiz.plain(q, tag, val)
    quiz.text(q, "stackversion", STACK_VERSION, cdata=False)
    quiz.text(q, "questionvariables", question_variables(variant, entries))
    quiz.text(q, "specificfeedback", "".join(f"<p>[[feedback:{e['prt']}]]</p>" for e in entries), format="html")
    quiz.text(q, "questionnote", f"{variant.id}, variant seed {variant.variant_seed}", cdata=False,
              format="moodle_auto_format")
    quiz.text(q, "questiondescription", "", cdata=False, format="moodle_auto_format")
    for tag, val in (("questionsimplify", 1), ("assumepositive", 0), ("assumereal", 1)):
        quiz.plain(q, tag, val)
    for tag, msg in (("prtcorrect", "Correct answer, well done."), ("prtpartiallycorrect", "Your answer is partially "
                     "correct."), ("prtincorrect", "Incorrect answer.")):
        quiz.text(q, tag, f"<p>{msg}</p>", format="html")
    for tag, val in (("decimals", "."), ("scientificnotation", "*10"), ("multiplicationsign", "dot"),
                     ("sqrtsign", 1), ("complexno", "i"), ("inversetrig", "cos-1"), ("logicsymbol", "lang"),
                     ("matrixparens", "["), ("variantsselectionseed", "")):
        quiz.plain(q, tag, val)
    for e in entries:
        _input(quiz, q, e)
    for e in entries:
        _prt(quiz, q, e)
    _qtest(quiz, q, entries)


def stack_xml(batch, *, figure_format: str = "png") -> str:
    """The Moodle XML file of ``batch``'s STACK questions (batch generated with ``lms=True``)."""
    quiz = XmlQuiz(figure_format)
    quiz.category(category_path(batch))
    for v in batch.variants:
        question(quiz, batch, v)
    return quiz.serialize()


_REQUIRED = ("stackversion/text", "questionvariables/text", "specificfeedback/text")


def check_stack_question(q) -> list[str]:
    """What a STACK question element lacks for STACK's importer (inputs, trees, nodes, tags in the text)."""
    out = [f"missing {p}" for p in _REQUIRED if q.find(p) is None]
    text = (q.findtext("questiontext/text") or "") + (q.findtext("specificfeedback/text") or "")
    inputs = [i.findtext("name") for i in q.findall("input")]
    if not inputs:
        out.append("no <input>")
    for i in q.findall("input"):
        name = i.findtext("name")
        if i.findtext("type") not in RESERVED_INPUT_TYPES:
            out.append(f"input {name}: type {i.findtext('type')!r} is not one symxai writes")
        if not (i.findtext("tans") or "").strip():
            out.append(f"input {name}: no tans")
        for tag in (f"[[input:{name}]]", f"[[validation:{name}]]"):
            if tag not in text:
                out.append(f"input {name}: {tag} is not in the question text")
    for prt in q.findall("prt"):
        pname = prt.findtext("name")
        if f"[[feedback:{pname}]]" not in text:
            out.append(f"prt {pname}: [[feedback:{pname}]] is in neither question text nor specific feedback")
        names = {n.findtext("name") for n in prt.findall("node")}
        if "0" not in names:
            out.append(f"prt {pname}: no node 0")
        for node in prt.findall("node"):
            for tag in ("answertest", "sans", "tans", "truescore", "falsescore"):
                if not (node.findtext(tag) or "").strip():
                    out.append(f"prt {pname} node {node.findtext('name')}: no {tag}")
            if node.findtext("sans") not in inputs:
                out.append(f"prt {pname} node {node.findtext('name')}: sans {node.findtext('sans')!r} is no input")
            for tag in ("truenextnode", "falsenextnode"):
                nxt = node.findtext(tag)
                if nxt != "-1" and nxt not in names:
                    out.append(f"prt {pname} node {node.findtext('name')}: {tag} {nxt} does not exist")
    if not q.findall("prt"):
        out.append("no <prt>")
    return out
