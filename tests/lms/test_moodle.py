"""Moodle XML of a variant batch: the structure Moodle's importer reads, numbers only, figures, feedback."""

from __future__ import annotations

import base64
from xml.etree import ElementTree as ET

import pytest
import sympy

from symxai.lms.lmsxml import XmlQuiz
from symxai.lms.moodle import check_quiz, quiz, quiz_xml, truefalse
from symxai.lms.moodlecheck import symbolic_shortanswers
from tests.lmsfixtures import lrp_batch, need, shapley_batch


@pytest.fixture(scope="module")
def batch():
    return shapley_batch()


def test_cloze_quiz_has_one_question_per_variant_in_the_exercise_category(batch):
    text = quiz_xml(batch)
    assert check_quiz(text) == [] and symbolic_shortanswers(text) == []
    root = ET.fromstring(text)
    assert root[0].get("type") == "category"
    assert root[0].findtext("category/text") == "$course$/top/tub-ml-sheet14/shapley"
    questions = root.findall("question[@type='cloze']")
    assert len(questions) == 20
    first = questions[0].findtext("questiontext/text")
    phi_1 = float(batch.variants[0].answers["shapley"]["phi_1"])
    assert f"{{1:NUMERICAL:={phi_1:.12g}:0.001}}" in first and "$" not in first
    assert str(batch.variants[0].variant_seed) in questions[0].findtext("name/text")
    assert "<![CDATA[" in text
    feedback = questions[0].findtext("generalfeedback/text")
    assert "Coalitions without feature 1" in feedback and "\\[\\begin{aligned}" in feedback


def test_numerical_quiz_has_gradable_answers(batch):
    text = quiz_xml(batch, style="numerical", tolerance=0.01)
    assert check_quiz(text) == []
    root = ET.fromstring(text)
    cats = root.findall("question[@type='category']")
    nums = root.findall("question[@type='numerical']")
    assert len(cats) == 20 and len(nums) == 60
    assert cats[0].findtext("category/text") == "$course$/top/tub-ml-sheet14/shapley/" + batch.variants[0].id
    for q, (v, name) in zip(nums, [(v, n) for v in batch.variants for n in ("phi_1", "phi_2", "phi_3")]):
        (answer,) = q.findall("answer")
        assert answer.get("fraction") == "100" and float(answer.findtext("tolerance")) == 0.01
        assert abs(float(answer.findtext("text")) - float(v.answers["shapley"][name])) < 1e-9


def test_symbolic_answers_are_asked_at_a_stated_point_with_figures():
    need("pdflatex")
    lrp = lrp_batch()
    for style in ("cloze", "numerical"):
        export = quiz(lrp, style=style)
        assert check_quiz(export.text) == [] and export.skipped == []
        assert symbolic_shortanswers(export.text) == []
        assert "shortanswer" not in export.text and "SHORTANSWER" not in export.text
    root = ET.fromstring(quiz(lrp, style="numerical").text)
    v = next(v for v in lrp.variants if any(isinstance(x, sympy.Basic) and x.free_symbols
                                           for x in v.answers["lrp-net"].values()))
    point, values = v.extras["lrp-net"]["point"]
    name = next(n for n, x in v.answers["lrp-net"].items() if isinstance(x, sympy.Basic) and x.free_symbols)
    q = next(q for q in root.findall("question[@type='numerical']") if q.findtext("name/text") == f"{v.id} lrp-net {name}")
    text = q.findtext("questiontext/text")
    assert "at \\(x_{" in text
    exact = v.answers["lrp-net"][name].subs(point)
    assert float(q.findtext("answer/text")) == pytest.approx(float(exact))
    files = q.findall("questiontext/file")
    assert files and f"@@PLUGINFILE@@/{files[0].get('name')}" in text
    assert base64.b64decode(files[0].text)[:4] == b"\x89PNG"
    assert q.findall("generalfeedback/file")  # relevance figure of the worked solution


def test_truefalse_and_escaping():
    xml = XmlQuiz()
    xml.category("$course$/top/s/e")
    truefalse(xml, "b", "<p>Is \\(a < b\\)? ]]> {1:x}</p>", False)
    text = xml.serialize()
    assert check_quiz(text) == []
    q = ET.fromstring(text).find("question[@type='truefalse']")
    assert q.findtext("questiontext/text") == "<p>Is \\(a < b\\)? ]]> {1:x}</p>"
    assert [(a.findtext("text"), a.get("fraction")) for a in q.findall("answer")] == [("true", "0"), ("false", "100")]


def test_checker_catches_broken_quizzes(batch):
    good = quiz_xml(batch, style="numerical")
    assert "a numerical answer needs" in " ".join(check_quiz(good.replace("<tolerance>", "<tol>").replace("</tolerance>", "</tol>")))
    assert "fraction=\"100\"" in " ".join(check_quiz(good.replace('fraction="100"', 'fraction="50"')))
    assert check_quiz(good.replace("<quiz>", "<quizz>", 1))[0].startswith("not well-formed")
    assert "missing name/text" in " ".join(check_quiz(good.replace("<name>", "<title>").replace("</name>", "</title>")))
    assert "before any category" in " ".join(check_quiz(good.replace('type="category"', 'type="numerical"', 1)
                                                     .replace("<category>", "<name>", 1).replace("</category>", "</name>", 1)))
    cloze = quiz_xml(batch)
    assert "needs at least one" in " ".join(check_quiz(cloze.replace(":NUMERICAL:", ":NUMBER:")))
    broken_img = cloze.replace("<p>Give \\(\\phi_{1}\\)", '<p><img src="@@PLUGINFILE@@/x.png" />Give \\(\\phi_{1}\\)', 1)
    assert "has no <file" in " ".join(check_quiz(broken_img))
    sa = ('<quiz><question type="category"><category><text>$course$/top/a</text></category></question>'
          '<question type="shortanswer"><name><text>q</text></name><questiontext format="html"><text>t</text>'
          '</questiontext><answer fraction="100"><text>18*epsilon*x</text></answer></question></quiz>')
    assert symbolic_shortanswers(sa) == ["18*epsilon*x"]
    with pytest.raises(ValueError):
        quiz_xml(batch, style="essay")


def test_figures_as_svg():
    need("pdftocairo")
    need("pdflatex")
    text = quiz(lrp_batch(), figure_format="svg").text
    assert check_quiz(text) == []
    f = ET.fromstring(text).find(".//questiontext/file")
    assert f.get("name").endswith(".svg") and b"<svg" in base64.b64decode(f.text)[:200]
