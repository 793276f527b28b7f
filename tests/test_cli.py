"""The command line: exit statuses, messages, and hostile answers."""

import json
from pathlib import Path

from .conftest import PROBLEMS

SHEET14 = PROBLEMS / "tub-ml-sheet14.yaml"


def test_check_right_answers_exit_0(cli):
    r = cli("check", SHEET14, "shapley", "phi_1=2/3", "phi_2=1/6", "phi_3=1/6")
    assert r.exit_code == 0, r.output
    assert r.output.count("right") == 3


def test_check_equivalent_forms_are_accepted(cli):
    r = cli("check", SHEET14, "shapley", "phi_1=4/6", r"phi_2=\frac{1}{6}", "phi_3=1/2 - 1/3")
    assert r.exit_code == 0, r.output


def test_check_wrong_set_exit_1_naming_the_wrong_answers(cli):
    r = cli("check", SHEET14, "shapley", "phi_1=1/3", "phi_2=1/3", "phi_3=1/6")
    assert r.exit_code == 1
    lines = [line for line in r.output.splitlines() if line.startswith("phi_")]
    assert lines[0].startswith("phi_1 = 1/3: wrong") and lines[1].startswith("phi_2 = 1/3: wrong")
    assert lines[2].startswith("phi_3 = 1/6: right")


def test_every_verdict_line_starts_with_the_answer_as_read(cli):
    """A misreading is visible: the line shows what symxai read, in the notation of `solve`."""
    r = cli("check", SHEET14, "shapley", r"phi_1=\frac{4}{6}", "phi_2=2/12", r"phi_3=\phi_3 = 1/2 - 1/3")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[:3] == ["phi_1 = 2/3: right (exact)", "phi_2 = 1/6: right (exact)",
                                         "phi_3 = 1/6: right (exact)"]
    r = cli("check", PROBLEMS / "tub-ml1-lecture14.yaml", "am-linear", "x_star=w/(lambda)")
    assert r.exit_code == 1 and r.output.startswith("x_star = 1/lambda*w: wrong")
    doc = json.loads(cli("check", SHEET14, "shapley", r"phi_1=\frac{2}{3}", "--json").output)
    answer = doc["answers"][0]
    assert answer["read"] == "2/3" and answer["read_latex"] == r"\frac{2}{3}" and answer["given"] == r"\frac{2}{3}"


def test_check_hostile_answer_exit_2_and_runs_nothing(cli):
    marker = Path("/tmp/symxai-cli-pwned")
    marker.unlink(missing_ok=True)
    r = cli("check", SHEET14, "shapley", f"phi_1=__import__('os').system('touch {marker}')")
    assert r.exit_code == 2
    assert "cannot read the answer phi_1" in r.output
    assert not marker.exists()


def test_check_unknown_names_exit_2(cli):
    assert cli("check", SHEET14, "shapely", "phi_1=1").exit_code == 2
    r = cli("check", SHEET14, "shapley", "psi_1=1")
    assert r.exit_code == 2 and "its answers: phi_1, phi_2, phi_3" in r.output
    assert cli("check", SHEET14, "shapley", "phi_1").exit_code == 2
    assert cli("check", PROBLEMS / "missing.yaml", "shapley", "phi_1=1").exit_code == 2


def test_check_parts(cli):
    f = PROBLEMS / "eth-riai-ex10.yaml"
    assert cli("check", f, "shapley-relu.xprime-g2", "phi_1=0", "phi_2=4", "phi_3=3").exit_code == 0
    assert cli("check", f, "shapley-relu.x-g2", "phi_1=0", "phi_2=4", "phi_3=3").exit_code == 1
    r = cli("check", f, "shapley-relu", "phi_1=0")
    assert r.exit_code == 2 and "shapley-relu.x-g1" in r.output


def test_check_symbolic_answer(cli):
    f = PROBLEMS / "eth-riai-ex10.yaml"
    assert cli("check", f, "shapley-cost", "n_coalitions=2^d").exit_code == 0
    r = cli("check", f, "shapley-cost", "n_coalitions=2^(d-1)")
    assert r.exit_code == 1 and "at d = " in r.output


def test_check_json(cli):
    r = cli("check", SHEET14, "shapley", "phi_1=2/3", "--json")
    doc = json.loads(r.output)
    assert doc["right"] is True and doc["answers"][0]["status"] == "right"


def test_solve_lists_every_answer(cli):
    r = cli("solve", PROBLEMS / "eth-riai-ex10.yaml")
    assert r.exit_code == 0
    assert "shapley-relu.xprime-g1  [shapley]  verified" in r.output and "phi_2 = 4" in r.output
    doc = json.loads(cli("solve", PROBLEMS / "eth-riai-ex10.yaml", "--json").output)
    assert doc["tasks"]["shapley-cost"]["answers"]["n_coalitions"]["text"] == "2**d"


def test_validate(cli):
    assert cli("validate", PROBLEMS).exit_code == 0
    bad = Path(__file__).parent / "specs" / "bad"
    r = cli("validate", bad / "duplicate-key.yaml", bad / "unknown-key.yaml")
    assert r.exit_code == 2 and "duplicate key" in r.output and "unknown key 'colour'" in r.output


def test_methods_and_schema(cli):
    assert "shapley" in cli("methods").output.split()
    assert json.loads(cli("schema").output)["title" if False else "type"] == "object"
