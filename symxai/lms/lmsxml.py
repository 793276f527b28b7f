"""Pieces shared by the Moodle and STACK exports: CDATA text, categories, statements, feedback, figures.

ElementTree cannot write CDATA, so HTML text is stored under a placeholder
and spliced in as ``<![CDATA[...]]>`` when the quiz is serialised (a
``]]>`` inside is split across two sections).  Figures are collected while
the questions are built and rendered once for the whole batch
(``symxai.lms.lmsfigures``), then attached as base64 ``<file>`` elements beside
the ``<text>`` that refers to them as ``@@PLUGINFILE@@/name``.

>>> q = XmlQuiz()
>>> el = q.question("numerical")
>>> _ = q.text(el, "questiontext", "<p>a ]]> b</p>", format="html")
>>> "<![CDATA[<p>a ]]]]><![CDATA[> b</p>]]>" in q.serialize()
True
"""

from __future__ import annotations

import base64
import re
from xml.etree import ElementTree as ET

import sympy

from symxai.lms.lmsdata import FIGURE_SLOT, paragraphs
from symxai.expr.printing import name_tex, tex


class XmlQuiz:
    """A ``<quiz>`` being built: questions, CDATA texts and figures to render at the end."""

    def __init__(self, figure_format: str = "png"):
        self.root = ET.Element("quiz")
        self._cdata: list[str] = []
        self._figures: list[tuple[ET.Element, str, str]] = []  # (element holding <text>, file name, tikz)
        self.figure_format = figure_format

    def question(self, qtype: str) -> ET.Element:
        return ET.SubElement(self.root, "question", {"type": qtype})

    def text(self, parent, tag: str, text: str, *, cdata: bool = True, **attrs) -> ET.Element:
        el = ET.SubElement(parent, tag, attrs)
        t = ET.SubElement(el, "text")
        if cdata and text:
            self._cdata.append(text)
            t.text = f"\x01{len(self._cdata) - 1}\x01"
        else:
            t.text = text
        return el

    def plain(self, parent, tag: str, value) -> ET.Element:
        el = ET.SubElement(parent, tag)
        el.text = str(value)
        return el

    def category(self, path: str) -> None:
        q = self.question("category")
        self.text(q, "category", path, cdata=False)

    def figure(self, holder: ET.Element, name: str, tikz: str) -> None:
        self._figures.append((holder, name, tikz))

    def figure_name(self, stem: str) -> str:
        return f"{stem}.{self.figure_format}"

    def serialize(self) -> str:
        if self._figures:
            from symxai.lms.lmsfigures import render
            images = render([t for _, _, t in self._figures], self.figure_format)
            for (holder, name, _), data in zip(self._figures, images):
                f = ET.SubElement(holder, "file", {"name": name, "path": "/", "encoding": "base64"})
                f.text = base64.b64encode(data).decode("ascii")
            self._figures = []
        ET.indent(self.root)
        body = ET.tostring(self.root, encoding="unicode")

        def splice(m):
            return "<![CDATA[" + self._cdata[int(m.group(1))].replace("]]>", "]]]]><![CDATA[>") + "]]>"
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + re.sub("\x01(\\d+)\x01", splice, body) + "\n"


def sheet_stem(batch) -> str:
    return batch.file.rsplit(".", 1)[0]


def category_path(batch, *sub: str) -> str:
    """``$course$/top/<sheet>/<exercise>[/...]``: the category every question of the batch sits in.

    Slashes inside a name are doubled, as Moodle's format requires.
    """
    parts = [sheet_stem(batch), batch.exercise, *sub]
    return "$course$/top/" + "/".join(p.replace("/", "//") for p in parts)


def statements(variant) -> tuple[str, dict]:
    """The variant's exercise statement and its parts' statements (key ``exercise.part``)."""
    from symxai.specs.yamlload import loads

    ex = loads(variant.spec, f"{variant.id}.yaml")["exercises"][0]
    parts = {f"{ex['id']}.{p['id']}": str(p.get("statement", "")) for p in ex.get("parts") or []}
    return str(ex["statement"]), parts


def label(task: str, name: str, multi: bool) -> str:
    """How a question names an answer: ``\\(\\phi_{1}\\)``, or ``A: \\(R_{1}\\)`` for parts."""
    lab = f"\\({tex(sympy.Symbol(name))}\\)"
    return f"{task.split('.', 1)[1]}: {lab}" if multi and "." in task else lab


def point_text(point: dict) -> str:
    """``\\(x_{1} = 2\\), \\(x_{2} = 1\\)``."""
    return ", ".join(f"\\({tex(s)} = {tex(v)}\\)" for s, v in point.items())


def statement_html(quiz: XmlQuiz, variant, task: str, *, with_part: bool = True) -> tuple[str, list]:
    """HTML of the exercise (and part) statement and its figures ``[(file name, tikz)]``."""
    statement, parts = statements(variant)
    body = paragraphs(statement) + (paragraphs(parts.get(task, "")) if with_part else "")
    figs = []
    for k, tikz in enumerate(variant.extras.get(task, {}).get("statement_figures", []), 1):
        name = quiz.figure_name(f"{variant.id}-{task.replace('.', '-')}-statement{k}")
        body += f'<p><img src="@@PLUGINFILE@@/{name}" alt="network" /></p>'
        figs.append((name, tikz))
    return body, figs


def feedback_html(quiz: XmlQuiz, variant, task: str, batch) -> tuple[str, list]:
    """The worked solution of ``task`` as HTML (general feedback) and its figures ``[(file name, tikz)]``."""
    extra = variant.extras.get(task, {})
    figs = [(quiz.figure_name(f"{variant.id}-{task.replace('.', '-')}-solution{k}"), tikz)
            for k, tikz in enumerate(extra.get("solution_figures", []), 1)]
    body = extra.get("solution_html", "")
    for k, (name, _) in enumerate(figs, 1):
        body = body.replace(f'"@@PLUGINFILE@@/{FIGURE_SLOT.format(k)}"', f'"@@PLUGINFILE@@/{name}"')
    answers = "".join(f"<p>\\({name_tex(n, x)} = {tex(x)}\\)</p>" for n, x in variant.answers[task].items())
    seeds = (f"<p><small>symxai variant {variant.id}: batch seed {batch.seed}, variant seed "
             f"{variant.variant_seed}.</small></p>")
    return body + "<p><strong>Answers.</strong></p>" + answers + seeds, figs


def attach(quiz: XmlQuiz, element, figs: list) -> None:
    """Queue figures ``[(name, tikz)]`` as files of ``element`` (a questiontext or generalfeedback)."""
    for name, tikz in figs:
        quiz.figure(element, name, tikz)


def number(value) -> float | None:
    """A real number as float, else None (symbols, matrices, booleans)."""
    if isinstance(value, bool) or value in (sympy.true, sympy.false):
        return None
    try:
        if isinstance(value, sympy.Basic) and not isinstance(value, sympy.MatrixBase) and value.is_number \
                and value.is_real:
            return float(value)
    except (TypeError, ValueError):
        pass
    if isinstance(value, (int, float)):
        return float(value)
    return None


def boolean(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is sympy.true or value is sympy.false:
        return bool(value)
    return None


def fmt(x: float) -> str:
    return f"{x:.12g}"
