"""The round-trip guarantee: every answer in every form symxai prints it reads back as right.

Forms: the ``solve`` line (``name = text``), answers.json's text and LaTeX, the LaTeX of the
solution sheet's answer box (with the roots it names below the box), that box pasted as
``name = value``, and the formula of the exercise statement where the statement gives it.
Every exercise of problems/, and a seeded sample of generated variants.  Each form goes
through ``check_task``, the path of ``symxai check``.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sympy

from symxai.grade import check as checkmod
from symxai.grade.check import check_task
from symxai.solve.pipeline import answer_record, spec_files
from symxai.typeset.render import task_view
from symxai.specs.spec import load_sheet, loads_sheet
from symxai.batch.variants import generate

TASKS = [(path, task.key) for path in spec_files(["problems"]) for task in load_sheet(path).tasks
         if task.answers]


def printed_forms(task) -> dict[str, dict[str, str]]:
    """{form: {answer name: text}} for every form symxai prints the task's answers in."""
    solution = task.method.solve(task.problem)
    values = {n: solution.answers[n].value for n in task.answers}
    view = task_view(task, solution, SimpleNamespace(checks=[]))  # what the solution sheet prints
    box = dict(zip(task.answers, (a["value"] for a in view["answers"])))
    lhs = dict(zip(task.answers, (a["lhs"] for a in view["answers"])))
    records = {n: answer_record(v) for n, v in values.items()}
    return {
        "solve": {n: f"{n} = {r['text']}" for n, r in records.items()},
        "answers.json text": {n: r["text"] for n, r in records.items()},
        "answers.json latex": {n: r["latex"] for n, r in records.items()},
        "answer box": box,
        "answer box line": {n: f"{lhs[n]} = {box[n]}" for n in values},
    }


def assert_reads_back(task, forms):
    for form, given in forms.items():
        report = check_task(task, given, feedback=False)
        bad = [(v.name, v.status, v.message, given[v.name][:160]) for v in report.verdicts if v.status != "right"]
        assert not bad, f"{task.sheet.path.name} {task.key} [{form}]: {bad}"


@pytest.mark.parametrize("path, key", TASKS, ids=[f"{p.stem}:{k}" for p, k in TASKS])
def test_every_printed_answer_reads_back_as_right(path, key):
    task = load_sheet(path).task(key)
    assert_reads_back(task, printed_forms(task))


# formulas the statements give for an answer: (file, task, answer, the formula as the statement
# writes it, substitutions that instantiate its general index)
STATEMENT_FORMULAS = [
    ("tub-ml-sheet14.yaml", "taylor-rbf", f"phi_{i}",
     r"\frac{(x_i - \mu_i)^2}{\|\boldsymbol{x} - \boldsymbol{\mu}\|^2}\,(\|\boldsymbol{x} - \boldsymbol{\mu}\| - \theta)",
     {"_i": f"_{i}"}) for i in (1, 2, 3)
] + [
    ("tub-ml-sheet11.yaml", "neuralization.a", f"h_{i}",
     r"\|\boldsymbol{x} - \boldsymbol{u}_i\|^2 - \gamma^{-1}\log\alpha_i", {"_i": f"_{i}"}) for i in (1, 2, 3)
]


@pytest.mark.parametrize("file, key, name, formula, subs", STATEMENT_FORMULAS,
                         ids=[f"{r[1]}:{r[2]}" for r in STATEMENT_FORMULAS])
def test_statement_formulas_read_back_as_right(file, key, name, formula, subs):
    sheet = load_sheet(f"problems/{file}")
    task = sheet.task(key)
    statement = " ".join((task.exercise["statement"] + (task.statement or "")).split())
    assert " ".join(formula.split()) in statement, "the formula is the statement's own"
    text = formula
    for old, new in subs.items():
        text = text.replace(old, new)
    report = check_task(task, {name: text}, feedback=False)
    assert report.verdicts[0].status == "right", report.lines()


@pytest.fixture(scope="module")
def variant_sheets():
    batch = generate("problems/tub-ml-sheet14.yaml", "shapley", count=6, seed=20261201, render=False)
    return [loads_sheet(v.spec, f"{v.id}.yaml") for v in batch.variants]


def test_variants_read_back_as_right(variant_sheets):
    assert len(variant_sheets) == 6
    for sheet in variant_sheets:
        for task in sheet.tasks:
            assert_reads_back(task, printed_forms(task))


def test_a_wrong_form_is_caught(monkeypatch):
    """The round trip can fail: an answer printed one third off is wrong, not right."""
    task = load_sheet("problems/tub-ml-sheet14.yaml").task("shapley")
    forms = printed_forms(task)
    forms = {"answers.json latex": {n: f"{t} + \\frac{{1}}{{3}}" for n, t in forms["answers.json latex"].items()}}
    with pytest.raises(AssertionError, match="wrong"):
        assert_reads_back(task, forms)
    # and a printer that drops a factor is caught
    monkeypatch.setattr(checkmod, "DIAGNOSE", False)
    bad = {"phi_1": r"\frac{1}{3}"}
    assert check_task(task, bad).verdicts[0].status == "wrong"
    assert sympy.Rational(2, 3) == task.method.solve(task.problem).answers["phi_1"].value
