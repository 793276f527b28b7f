"""symxai check on the Shapley exercises of the corpus, the sheet checker, and the CLI's exit codes."""

from __future__ import annotations

import os
from pathlib import Path
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from symxai.grade.check import check
from symxai.cli import main
from symxai.errors import UsageError
from symxai.grade.sheetcheck import check_sheet

SHEET14 = "problems/tub-ml-sheet14.yaml"
EX10 = "problems/eth-riai-ex10.yaml"
LECTURE14 = "problems/tub-ml1-lecture14.yaml"

# (file, target, three equivalent rewritings of the right answers, three typical wrong answer sets with
#  the diagnosis expected first for every wrong answer among them)
CASES = [
    (SHEET14, "shapley",
     [{"phi_1": "4/6", "phi_2": "1/6", "phi_3": "1/6"},
      {"phi_1": r"\frac{2}{3}", "phi_2": r"\frac{1}{6}", "phi_3": r"\tfrac{1}{6}"},
      {"phi_1": "1 - 1/3", "phi_2": "0.5/3", "phi_3": "(1/2 - 1/3)"}],
     [({"phi_1": "3/4", "phi_2": "1/4", "phi_3": "1/4"}, "equal-weights"),
      ({"phi_1": "1", "phi_2": "0", "phi_3": "0"}, "leave-one-out"),
      ({"phi_1": "0", "phi_2": "1", "phi_3": "0"}, "one-ordering")]),
    (LECTURE14, "shapley-product",
     [{"phi_1": "1", "phi_2": "1/2", "phi_3": "0.5"},
      {"phi_1": "2/2", "phi_2": r"\frac{1}{2}", "phi_3": "sqrt(1/4)"},
      {"phi_1": "1.0", "phi_2": "1 - 1/2", "phi_3": "2^-1"}],
     [({"phi_1": "2", "phi_2": "1", "phi_3": "1"}, "leave-one-out"),
      ({"phi_1": "0", "phi_2": "1", "phi_3": "1"}, "one-ordering"),
      ({"phi_1": "-1", "phi_2": "1/2", "phi_3": "1/2"}, "sign")]),
    (EX10, "shapley-relu.x-g1",
     [{"phi_1": "3", "phi_2": "0", "phi_3": "0"},
      {"phi_1": "3*1", "phi_2": "0*2", "phi_3": "ReLU(-2)"},
      {"phi_1": r"\frac{6}{2}", "phi_2": "max(0, -4)", "phi_3": "1 - 1"}],
     [({"phi_1": "3", "phi_2": "-4", "phi_3": "0"}, "relu-dropped"),
      ({"phi_1": "-3", "phi_2": "0", "phi_3": "0"}, "sign"),
      ({"phi_1": "0", "phi_2": "0", "phi_3": "3"}, "other-answer")]),
    (EX10, "shapley-relu.x-g2",
     [{"phi_1": "0", "phi_2": "0", "phi_3": "3"},
      {"phi_1": "0.0", "phi_2": "Max(0, -4)", "phi_3": "6/2"},
      {"phi_1": "1 - 1", "phi_2": "relu(-2*2)", "phi_3": r"\sqrt{9}"}],
     [({"phi_1": "0", "phi_2": "-4", "phi_3": "3"}, "relu-dropped"),
      ({"phi_1": "0", "phi_2": "0", "phi_3": "-3"}, "sign"),
      ({"phi_1": "3", "phi_2": "0", "phi_3": "0"}, "other-answer")]),
    (EX10, "shapley-relu.xprime-g1",
     [{"phi_1": "3", "phi_2": "4", "phi_3": "0"},
      {"phi_1": "9/3", "phi_2": "2^2", "phi_3": "0*3"},
      {"phi_1": r"\frac{3}{1}", "phi_2": "ReLU(4)", "phi_3": "min(0, 3)"}],
     [({"phi_1": "3", "phi_2": "2", "phi_3": "0"}, "factor"),
      ({"phi_1": "3", "phi_2": "-4", "phi_3": "0"}, "sign"),
      ({"phi_1": "4", "phi_2": "3", "phi_3": "0"}, "other-answer")]),
    (EX10, "shapley-relu.xprime-g2",
     [{"phi_1": "0", "phi_2": "4", "phi_3": "3"},
      {"phi_1": "0/7", "phi_2": "8/2", "phi_3": "3.0"},
      {"phi_1": "relu(-1)", "phi_2": r"\max(0, 4)", "phi_3": r"\frac{9}{3}"}],
     [({"phi_1": "0", "phi_2": "12", "phi_3": "3"}, "factor"),
      ({"phi_1": "0", "phi_2": "-4", "phi_3": "3"}, "sign"),
      ({"phi_1": "0", "phi_2": "3", "phi_3": "4"}, "other-answer")]),
    (EX10, "shapley-cost",
     [{"n_coalitions": "2^d"}, {"n_coalitions": "4^(d/2)"}, {"n_coalitions": "2*2**(d - 1)"}],
     [({"n_coalitions": "d!"}, "orderings"),
      ({"n_coalitions": "2^(d-1)"}, "one-feature"),
      ({"n_coalitions": "2^d - 1"}, "nonempty")]),
]


@pytest.mark.parametrize("path,target,right,wrong", CASES, ids=[c[1] for c in CASES])
def test_rewritings_accepted_and_typical_mistakes_diagnosed(path, target, right, wrong):
    for answers in right:
        report = check(path, target, answers)
        assert report.exit_code == 0, report.lines()
    for answers, label in wrong:
        report = check(path, target, answers)
        assert report.exit_code == 1
        bad = [v for v in report.verdicts if v.status == "wrong"]
        assert bad, report.lines()
        for v in bad:
            assert v.diagnoses and v.diagnoses[0].label == label, (answers, v.lines())


def test_shapley_sets_that_break_efficiency_are_named():
    report = check(SHEET14, "shapley", {"phi_1": "3/4", "phi_2": "1/4", "phi_3": "1/4"})
    assert [n.label for n in report.notes] == ["efficiency"]
    assert "f(x) - f(baseline) = 1" in report.notes[0].message
    # a wrong set that still adds up breaks no law
    report = check(SHEET14, "shapley", {"phi_1": "1/3", "phi_2": "1/3", "phi_3": "1/3"})
    assert report.exit_code == 1 and report.notes == []


def test_coalition_values_are_checkable_intermediates():
    report = check(SHEET14, "shapley", {"v_12": "1", "v_23": "1", "v_empty": "1"})
    assert [(v.name, v.status, v.intermediate) for v in report.verdicts] == [
        ("v_12", "right", True), ("v_23", "wrong", True), ("v_empty", "wrong", True)]
    with pytest.raises(UsageError, match="v_123"):
        check(SHEET14, "shapley", {"v_99": "1"})


def test_near_miss_is_wrong_and_named_as_rounding():
    report = check(SHEET14, "shapley", {"phi_1": "0.6667"})
    assert report.verdicts[0].status == "wrong"
    assert [d.label for d in report.verdicts[0].diagnoses] == ["rounded"]


def _spec(tmp_path, body: str):
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent(body))
    return str(path)


AM_LIKE = """\
    id: t
    title: T
    exercises:
      - id: am-linear
        title: A
        method: shapley
        statement: s
        symbols: {w: real, lambda: positive, x1: real}
        params: {f: "w*x1/(2*lambda)", inputs: [x1], point: [1]}
"""


def test_latex_answers_and_the_named_factor(tmp_path):
    spec = _spec(tmp_path, AM_LIKE)
    assert check(spec, "am-linear", {"phi_1": r"\frac{w}{2\lambda}"}).exit_code == 0
    assert check(spec, "am-linear", {"phi_1": r"w \cdot \frac{1}{2}\lambda^{-1}"}).exit_code == 0
    report = check(spec, "am-linear", {"phi_1": "w/lambda"})
    assert report.exit_code == 1
    assert report.verdicts[0].diagnoses[0].message == "your answer is 2 times the correct one"


PIECEWISE = """\
    id: t
    title: T
    exercises:
      - id: relu
        title: R
        method: shapley
        statement: s
        symbols: {a: real, b: real, x1: real}
        params: {f: "Max(x1*a - b, 0)", inputs: [x1], point: [1]}
"""


@pytest.mark.xfail(reason="grader: a false accept. The otherwise-piece is wrong only where b < a <= 0 (1/8 of the "
                   "sampled square), which 16 seeded points miss; this passed before only because the old cases "
                   "reader misread 'a > b, b > 0' as 'a > b*b > 0'. Left to the grader's soundness work (issue 14.1).")
def test_wrong_cases_answer_with_a_comma_condition_is_wrong(tmp_path):
    spec = _spec(tmp_path, PIECEWISE)  # phi_1 = max(a - b, 0) - max(-b, 0)
    assert check(spec, "relu", {"phi_1": r"\begin{cases} a - b & a > b, b > 0 \\ a & a > 0 > b \\ "
                                          r"-Max(-b, 0) & \text{otherwise} \end{cases}"}).exit_code == 1


def test_piecewise_answers_assumed_cases_and_regions(tmp_path):
    spec = _spec(tmp_path, PIECEWISE)  # phi_1 = max(a - b, 0) - max(-b, 0)
    right = "a - b - max(-b, 0) if a > b else -max(-b, 0)"
    assert check(spec, "relu", {"phi_1": right}).exit_code == 0
    assert check(spec, "relu", {"phi_1": "a - b"}, ["a > b", "b > 0"]).exit_code == 0
    assert check(spec, "relu", {"phi_1": "a"}, ["a > 0", "b < 0"]).exit_code == 0
    report = check(spec, "relu", {"phi_1": "a - b"}, ["b > 0"])
    assert report.exit_code == 1
    assert report.verdicts[0].diagnoses[0].label == "region"
    assert "right where" in report.verdicts[0].diagnoses[0].message


def test_impossible_case_is_undecided_never_right():
    report = check(SHEET14, "shapley", {"phi_1": "x1"}, ["x1 > x2", "x2 > x1"])
    assert report.verdicts[0].status == "undecided" and report.exit_code == 1
    assert "not a confirmation" in report.verdicts[0].message


def test_check_sheet_points_and_report(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("shapley: {phi_1: 2/3, phi_2: 1/6, phi_3: '1/6'}\n")
    report = check_sheet(Path(__file__).resolve().parents[1] / "specs" / "shapley-sheet.yaml", answers)
    assert (report.earned, report.total, report.exit_code) == (25, 25, 0)
    answers.write_text("shapley-relu.x-g1: {phi_1: 3, phi_2: '-4', phi_3: 0}\n"
                       "shapley-cost: {n_coalitions: '2^d', assume: [d > 2]}\n"
                       "shapley-relu.x-g2: {phi_1: '3 +'}\n")
    report = check_sheet(EX10, answers)
    doc = report.as_dict()
    assert report.exit_code == 2  # one unreadable answer; the others are still checked
    by = {e["target"]: e for e in doc["exercises"]}
    assert by["shapley-cost"]["right"] == 1 and by["shapley-relu.x-g1"]["right"] == 2
    assert by["shapley-relu.x-g1"]["answers"][1]["diagnoses"][0]["label"] == "relu-dropped"
    assert by["shapley-relu.x-g2"]["answers"][0]["status"] == "unreadable"
    assert by["shapley-relu.xprime-g1"]["missing"] == ["phi_1", "phi_2", "phi_3"]


def test_cli_exit_codes(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["check", SHEET14, "shapley", "phi_1=2/3", "phi_2=1/6"])
    assert ok.exit_code == 0, ok.output
    wrong = runner.invoke(main, ["check", SHEET14, "shapley", "phi_1=3/4"])
    assert wrong.exit_code == 1 and "equal-weights" in wrong.output
    assert runner.invoke(main, ["check", SHEET14, "nope", "phi_1=1"]).exit_code == 2
    assert runner.invoke(main, ["check", SHEET14, "shapley", "phi_9=1"]).exit_code == 2
    assert runner.invoke(main, ["check", SHEET14, "shapley", "phi_1=(1"]).exit_code == 2
    answers = tmp_path / "a.yaml"
    answers.write_text("shapley: {phi_1: 3/4}\n")
    sheet = runner.invoke(main, ["check-sheet", SHEET14, str(answers), "--json"])
    assert sheet.exit_code == 1 and '"earned"' in sheet.output
    answers.write_text("nope: {phi_1: 1}\n")
    assert runner.invoke(main, ["check-sheet", SHEET14, str(answers)]).exit_code == 2


def test_cli_refuses_code_and_runs_none(tmp_path):
    target = tmp_path / "pwned"
    attack = f"phi_1=__import__('os').system('touch {target}')"
    result = subprocess.run([sys.executable, "-m", "symxai", "check", SHEET14, "shapley", attack],
                            capture_output=True, text=True, timeout=60, cwd=os.getcwd())
    assert result.returncode == 2, result.stderr
    assert not target.exists()


# -- what a check loads -------------------------------------------------------------------------

from tests.conftest import PROBLEMS  # noqa: E402


def test_method_module_map_names_every_registered_method():
    from symxai import methods

    methods._load_all()
    assert {n: c.__module__.removeprefix("symxai.methods.") for n, c in methods._REGISTRY.items()} == methods.MODULES


def test_only_the_requested_exercise_is_built():
    from symxai.specs.spec import load_sheet

    sheet = load_sheet(PROBLEMS / "tub-ml-sheet14.yaml", only="lrp-max.B")
    assert {t.exercise["id"] for t in sheet.tasks} == {"lrp-max"}
    assert len(load_sheet(PROBLEMS / "tub-ml-sheet14.yaml", only="nonesuch").tasks) > 3  # lists them all


def test_a_shapley_check_imports_neither_lrp_nor_scipy():
    import subprocess
    import sys

    code = ("import sys; from symxai.grade.check import check; "
            "r = check('problems/tub-ml-sheet14.yaml', 'shapley', {'phi_1': '2/3'}); "
            "print(r.exit_code, sorted(m for m in sys.modules if m.startswith('scipy') or m.endswith('.lrp'))[:3])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=PROBLEMS.parent).stdout
    assert out.strip() == "0 []"


def test_one_child_for_all_answers_gives_each_answer_its_own_verdict(monkeypatch):
    """decide_all compares every answer in one child; an answer the batch cannot decide is decided
    again on its own, so the verdicts are exactly the one-answer ones."""
    import symxai.grade.check as C
    from symxai.expr.answertext import answer_scope
    from symxai.specs.spec import load_sheet

    task = load_sheet(SHEET14, only="shapley").task("shapley")
    ctx = C._TaskContext(task)
    names, functions = answer_scope(task)
    parsed = {n: C.read_answer(t, names, name=n, functions=functions)
              for n, t in {"phi_1": "2/3", "phi_2": "1/3", "phi_3": "1/6"}.items()}

    def sample(rng):
        return task.method.sample(task.problem, task.symbols, rng)

    one = {n: C.decide_one(ctx, n, v, (), sample, 0) for n, v in parsed.items()}
    assert [one[n].status for n in parsed] == ["right", "wrong", "right"]
    assert {n: v.status for n, v in C.decide_all(ctx, parsed, (), sample, 0).items()} == \
        {n: v.status for n, v in one.items()}
    real = C.compare

    def failing_in_batch(expected, value, *args, **kwargs):  # the batch errs on phi_2 only
        if value == parsed["phi_2"] and failing_in_batch.batch:
            raise ValueError("injected")
        return real(expected, value, *args, **kwargs)
    failing_in_batch.batch = True
    monkeypatch.setattr(C, "compare", failing_in_batch)
    monkeypatch.setattr(C, "decide_one", lambda *a: (setattr(failing_in_batch, "batch", False),
                                                     one[a[1]])[1])
    again = C.decide_all(ctx, parsed, (), sample, 0)
    assert again["phi_2"] is one["phi_2"] and again["phi_1"].status == "right"


def test_answer_names_from_the_spec_stay_out_of_the_child_processes():
    """Answer names and catalogue texts read from YAML are located strings, which a child must not
    send back (the restricted unpickler refuses them): the batched compare and feedback keep names in
    the parent."""
    from symxai.grade.check import check_task
    from symxai.specs.spec import load_sheet
    from symxai.specs.yamlload import Str

    task = load_sheet(SHEET14, only="shapley").task("shapley")
    given = {Str(n): v for n, v in zip(task.answers, ["1/3", "1/3", "1/6"])}  # as a spec's names arrive
    # (1/3, 1/3, 1/6 breaks efficiency: a law's note comes back too)
    report = check_task(task, given, ())
    assert [v.status for v in report.verdicts] == ["wrong", "wrong", "right"]
    assert report.notes and all(type(n.label) is str for n in report.notes)


GENERAL_FORMULAS = [  # (spec, task, answer, the general formula as printed, a wrong one)
    ("tub-ml1-lecture14.yaml", "taylor-linear", "phi_i", "w_i*x_i", "w_i*x_i + 1"),
    ("tub-ml1-lecture14.yaml", "kmeans-neuralization", "w_k", "2*(mu_c - mu_k)", "2*(mu_k - mu_c)"),
    ("yale-hw1.yaml", "gradcam.a", "dyc_dz_general", "y_c*W.T*(e_c - y)", "y_c*W.T*e_c"),
    ("tub-ml-sheet14.yaml", "taylor-rbf", "phi_i", "(x_i - mu_i)^2/norm(x - mu)^2*(norm(x - mu) - theta)",
     "(x_i - mu_i)/norm(x - mu)*(norm(x - mu) - theta)"),
]


@pytest.mark.parametrize("spec, task, name, right, wrong", GENERAL_FORMULAS, ids=[r[2] + ":" + r[1] for r in GENERAL_FORMULAS])
def test_a_general_formula_is_typed_in_its_own_names_and_graded(spec, task, name, right, wrong):
    """A general answer (any d, any centroids) names entries and vectors the spec does not declare (x_i, mu_c,
    and in taylor-rbf a general x where the d = 3 instance has bold x = (x1, x2, x3)): they read, and grade."""
    path = Path(__file__).resolve().parents[2] / "problems" / spec
    assert check(path, task, {name: right}).verdicts[0].status == "right"
    assert check(path, task, {name: wrong}).verdicts[0].status == "wrong"
