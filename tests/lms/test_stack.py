"""STACK export: teacher's answers and catalogue forms agree with symxai in real Maxima; the structure STACK reads."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
import sympy

from symxai.lms.maxima import MaximaError, evaluate, maxima
from symxai.lms.moodle import check_quiz
from symxai.lms.stack import check_stack_question, stack_xml
from symxai.lms.stackcheck import disagreements, expected
from tests.lmsfixtures import lrp_batch, need, shapley_batch


@pytest.fixture(scope="module")
def maxima_here():
    need("maxima")


def test_printer_spells_maxima():
    x1, x2 = sympy.symbols("x1 x2", nonnegative=True)
    assert maxima(sympy.Rational(19, 6)) == "19/6"
    assert maxima(sympy.Piecewise((x1 - 2 * x2, x1 > x2), (0, True))) == "(if x1 > x2 then x1 - 2*x2 else 0)"
    assert maxima(sympy.sqrt(x1) / (x1 + 1) ** 2) == "sqrt(x1)/(x1 + 1)^2"
    assert maxima(sympy.Symbol("lambda") * x1) == "lambda_v*x1"
    assert maxima(sympy.Matrix([[1, x1], [0, 2]])) == "matrix([1,x1],[0,2])"
    with pytest.raises(MaximaError):
        maxima(sympy.Integral(x1, x1))


def test_printed_forms_evaluate_like_sympy(maxima_here):
    x1, x2 = sympy.symbols("x1 x2", real=True)
    exprs = [3 * x1 * x2 - x2, sympy.Min(x1, sympy.Max(x2, 1)), x1 ** sympy.Rational(3, 2) / (x2 ** 2 + 1),
             sympy.Piecewise((x1, x1 < x2 / 2), (x2 - x1, x1 < x2), (0, True)), sympy.exp(-x1) * sympy.log(x2 + 3),
             sympy.Abs(x1 - x2) + sympy.pi]
    points = [{x1: sympy.Rational(1, 2), x2: 2}, {x1: 3, x2: 1}, {x1: 1, x2: sympy.Rational(5, 3)}]
    got = evaluate([maxima(e) for e in exprs], [{s.name: v for s, v in p.items()} for p in points])
    for e, row in zip(exprs, got):
        for p, value in zip(points, row):
            assert float(value) == pytest.approx(float(e.subs(p)), rel=1e-12), (e, p)


@pytest.mark.parametrize("make", [shapley_batch, lrp_batch], ids=["shapley-20-seed7", "lrp-piecewise"])
def test_every_teacher_answer_agrees_in_maxima(maxima_here, make):
    batch = make()
    text = stack_xml(batch)
    assert check_quiz(text) == []
    assert disagreements(batch, text) == []
    # every answer and every catalogue form was compared, not a subset
    n = sum(len(expected(v)) for v in batch.variants)
    assert n >= sum(len(a) for v in batch.variants for a in v.answers.values())
    root = ET.fromstring(text)
    questions = root.findall("question[@type='stack']")
    assert len(questions) == len(batch.variants)


def test_a_wrong_teacher_answer_is_caught_by_maxima(maxima_here):
    batch = shapley_batch()
    text = stack_xml(batch)
    bad = text.replace("ta_phi_2: ", "ta_phi_2: 1/7 + ", 1)
    found = disagreements(batch, bad)
    assert len(found) == 1 and "ta_phi_2" in found[0] and batch.variants[0].id in found[0]
    bad = text.replace("ta_phi_1_w1: ", "ta_phi_1_w1: 2*", 1)
    assert any("ta_phi_1_w1" in f for f in disagreements(batch, bad))
    lrp = lrp_batch()
    t = stack_xml(lrp)
    whole = next(v for v in ("ta_R_2: (if", "ta_R_h3: (if") if v in t)
    bad = t.replace(whole, whole.replace("(if", "(1 + if"), 1)
    assert disagreements(lrp, bad)


def test_question_structure():
    batch = shapley_batch()
    root = ET.fromstring(stack_xml(batch))
    assert root[0].get("type") == "category"
    assert root[0].findtext("category/text") == "$course$/top/tub-ml-sheet14/shapley"
    q = root.find("question[@type='stack']")
    v = batch.variants[0]
    assert q.findtext("stackversion/text") == "2024072400"
    assert [i.findtext("name") for i in q.findall("input")] == ["ans_phi_1", "ans_phi_2", "ans_phi_3"]
    assert "ta_phi_1: " + maxima(v.answers["shapley"]["phi_1"]) + ";" in q.findtext("questionvariables/text")
    assert "g_p: [" in q.findtext("questionvariables/text")
    prt = q.find("prt")
    nodes = prt.findall("node")
    assert nodes[0].findtext("answertest") == "AlgEquiv" and nodes[0].findtext("tans") == "ta_phi_1"
    # catalogue misconceptions as extra nodes with the catalogue's message
    labels = {m["label"]: m["message"] for m in v.extras["shapley"]["misconceptions"]}
    fb = " ".join(n.findtext("truefeedback/text") or "" for n in nodes[1:])
    assert len(nodes) > 1 and any(msg.split(";")[0][:40] in fb for msg in labels.values())
    assert all(n.findtext("truescore") == "0" for n in nodes[1:])
    assert "Coalitions without feature 1" in q.findtext("generalfeedback/text")
    assert "\\(" in q.findtext("generalfeedback/text") and "$" not in q.findtext("generalfeedback/text")


def test_piecewise_answers_get_one_input_per_piece_and_figures():
    batch = lrp_batch()
    text = stack_xml(batch)
    root = ET.fromstring(text)
    pw = [(v, n) for v in batch.variants for n, x in v.answers["lrp-net"].items() if isinstance(x, sympy.Piecewise)]
    assert pw, "the LRP fixture should have a Piecewise answer"
    v, name = pw[0]
    q = root.findall("question[@type='stack']")[batch.variants.index(v)]
    inputs = [i.findtext("name") for i in q.findall("input")]
    assert f"ans_{name}_1" in inputs and f"ans_{name}_2" in inputs
    assert "otherwise" in q.findtext("questiontext/text")
    files = q.findall("questiontext/file")
    assert files and files[0].get("name").endswith(".png")


def test_checker_catches_broken_stack_questions():
    q = ET.fromstring(stack_xml(shapley_batch())).find("question[@type='stack']")
    assert check_stack_question(q) == []
    q.find("questiontext/text").text = q.findtext("questiontext/text").replace("[[input:ans_phi_2]]", "")
    q.find("prt/node/falsenextnode").text = "9"
    problems = " ".join(check_stack_question(q))
    assert "[[input:ans_phi_2]] is not in the question text" in problems and "falsenextnode 9 does not exist" in problems
