"""Moodle XML of a variant batch: well-formed quiz, gradable answers, the checker catches breakage."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from symxai.moodle import check_quiz, quiz_xml
from symxai.variants import generate


@pytest.fixture(scope="module")
def batch():
    return generate("problems/tub-ml-sheet14.yaml", "shapley", count=20, seed=7, render=False)


def test_cloze_quiz_has_one_question_per_variant(batch):
    text = quiz_xml(batch)
    assert check_quiz(text) == []
    root = ET.fromstring(text)
    assert root.tag == "quiz"
    questions = root.findall("question")
    assert len(questions) == 20 and {q.get("type") for q in questions} == {"cloze"}
    first = questions[0].findtext("questiontext/text")
    phi_1 = float(batch.variants[0].answers["shapley"]["phi_1"])
    assert f"{{1:NUMERICAL:={phi_1:.12g}:0.001}}" in first and "$" not in first
    assert str(batch.variants[0].variant_seed) in questions[0].findtext("name/text")


def test_numerical_quiz_has_gradable_answers(batch):
    text = quiz_xml(batch, style="numerical", tolerance=0.01)
    assert check_quiz(text) == []
    root = ET.fromstring(text)
    cats = root.findall("question[@type='category']")
    nums = root.findall("question[@type='numerical']")
    assert len(cats) == 20 and len(nums) == 60
    for q, (v, name) in zip(nums, [(v, n) for v in batch.variants for n in ("phi_1", "phi_2", "phi_3")]):
        assert q.findtext("name/text") and q.findtext("questiontext/text")
        (answer,) = q.findall("answer")
        assert answer.get("fraction") == "100" and float(answer.findtext("tolerance")) == 0.01
        assert abs(float(answer.findtext("text")) - float(v.answers["shapley"][name])) < 1e-9


def test_checker_catches_broken_quizzes(batch):
    good = quiz_xml(batch, style="numerical")
    assert "a numerical answer needs" in " ".join(check_quiz(good.replace("<tolerance>", "<tol>").replace("</tolerance>", "</tol>")))
    assert "fraction=\"100\"" in " ".join(check_quiz(good.replace('fraction="100"', 'fraction="50"')))
    assert check_quiz(good.replace("<quiz>", "<quizz>", 1))[0].startswith("not well-formed")
    assert "missing name/text" in " ".join(check_quiz(good.replace("<name>", "<title>").replace("</name>", "</title>")))
    cloze = quiz_xml(batch)
    assert "needs at least one" in " ".join(check_quiz(cloze.replace(":NUMERICAL:", ":NUMBER:")))
    with pytest.raises(ValueError):
        quiz_xml(batch, style="essay")
