"""Every bad input of the corpus is a located one-line error with exit 2 from both validate and solve.

validate runs the same checks as solve, so a spec validate passes cannot crash later: each case
is refused by validate already, with the same message solve gives.
"""

from __future__ import annotations

import pytest

from .corpus import CASES, ROOT
from .harness import run

pytestmark = pytest.mark.reliability

UNLOCATED = {"empty-document", "comment-only"}  # a problem of the whole file: file name only


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_spec_is_refused_with_a_location(name, tmp_path):
    text, word = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    validated = run("validate", path, need_location=name not in UNLOCATED)
    assert validated.kind == "refused" and validated.exit_code == 2, validated
    assert str(path) in validated.first_error
    assert word in validated.output, validated.output
    solved = run("solve", path, need_location=name not in UNLOCATED)
    if name.startswith("generator-"):  # solve uses the fixed params; variants and validate read random:
        assert solved.kind in ("ok", "refused"), solved
        return
    assert solved.kind == "refused" and solved.exit_code == 2, solved
    assert solved.first_error == validated.first_error


@pytest.mark.parametrize("name, target, answer", [("point-oo", "shapley", "phi_1=1"),
                                                   ("duplicate-inputs", "shapley", "phi_1=1"),
                                                   ("weight-oo", "lrp-max.A", "R_1=1"),
                                                   ("null-document", "shapley", "phi_1=1")])
def test_check_on_a_bad_spec_exits_2_not_1(name, target, answer, tmp_path):
    """For check, exit 1 means "wrong": a spec it cannot read must never look like that.  (check
    builds only the exercise it checks, so the broken one is the one checked.)"""
    text, _ = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    out = run("check", path, target, answer)
    assert out.kind == "refused" and out.exit_code == 2, out


def test_validate_reports_problems_of_several_stages_at_once(tmp_path):
    text = CASES["range-reversed"][0].replace("inputs: [x1, x2, x3]\n      point",
                                              "inputs: [x1, x1, x3]\n      point")
    text = text.replace("range: [1, 6]", "range: [6, 1]")
    path = tmp_path / "several.yaml"
    path.write_text(text)
    out = run("validate", path)
    assert out.exit_code == 2
    assert "reversed" in out.output and "twice" in out.output and "empty range" in out.output


def test_summary_counts_no_traceback_and_no_hang(capsys):
    from .summary import main
    assert main(20) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert "tracebacks: 0, hangs: 0" in line
    print(line)


def test_docs_list_every_limit():
    from symxai.specs.limits import LIMITS
    text = (ROOT / "docs" / "spec.md").read_text()
    table = text.split("<!-- limits table -->\n", 1)[1].split("<!-- end limits table -->")[0]
    for key, (value, what) in LIMITS.items():
        assert f"| `{key}` | {value:,} | {what} |" in table, key
