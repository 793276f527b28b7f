"""The click-free ``symxai check`` (symxai/entry.py) says exactly what click's ``check`` says."""

import os
import subprocess
import sys

import pytest

from symxai.entry import check_arguments

from .conftest import PROBLEMS, ROOT

SHEET14 = str((PROBLEMS / "tub-ml-sheet14.yaml").relative_to(ROOT))
CLICK = "import sys; from symxai.cli import main; sys.argv[0] = 'symxai'; main()"
CASES = {
    "right": ["check", SHEET14, "shapley", "phi_1=2/3"],
    "wrong, JSON, options first": ["check", "--json", "--no-cache", SHEET14, "shapley", "phi_1=1", "phi_2=1/6"],
    "unreadable": ["check", SHEET14, "shapley", "phi_1=2/+"],
    "no =": ["check", SHEET14, "shapley", "phi_1"],
    "no answers": ["check", SHEET14, "shapley"],
    "unknown task": ["check", SHEET14, "nope", "phi_1=1"],
    "missing file": ["check", "nofile.yaml", "shapley", "phi_1=1"],
    "an assumption that does not read": ["check", SHEET14, "shapley", "--assume=q >", "--assume", "x1 > 0", "phi_1=2/3"],
    "after --": ["check", "--", SHEET14, "shapley", "phi_1=2/3"],
}


def _run(argv):
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_plain_check_forms_are_read_as_click_reads_them():
    assert check_arguments(["check", "f", "t", "a=1", "--no-cache", "--assume", "--json"]) == \
        ("f", "t", ["a=1"], ["--json"], False, True)  # click: an option's value may start with -
    for handed_to_click in (["check", "f", "t", "--help"], ["check", "f", "t", "--jsn"], ["check", "f"],
                            ["check", "f", "t", "--assume"], ["check", "f", "t", "-x=1"], ["--version"], []):
        assert check_arguments(handed_to_click) is None
    assert check_arguments(["check", "f", "-", "a=1"]) == ("f", "-", ["a=1"], [], False, False)


@pytest.mark.parametrize("case", list(CASES))
def test_a_plain_check_says_what_click_says(case):
    args = CASES[case]
    fast, slow = _run([sys.executable, "-m", "symxai", *args]), _run([sys.executable, "-c", CLICK, *args])
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)
    assert fast.returncode in (0, 1, 2) and (fast.stdout or fast.stderr)


def test_a_plain_check_imports_no_click():
    code = ("import sys; from symxai.entry import check_arguments, run_check; "
            f"c = run_check(*check_arguments(['check', {SHEET14!r}, 'shapley', 'phi_1=2/3'])); "
            "print(c, 'click' in sys.modules, 'symxai.cli' in sys.modules)")
    assert _run([sys.executable, "-c", code]).stdout.split()[-3:] == ["0", "False", "False"]


def test_help_and_other_commands_still_go_to_click():
    r = _run([sys.executable, "-m", "symxai", "check", "--help"])
    assert r.returncode == 0 and "Usage:" in r.stdout and "--assume" in r.stdout
