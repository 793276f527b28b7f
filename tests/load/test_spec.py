"""Bad specs: each fixture in specs/bad/ states the exact problems expected in '# expect:' lines."""

import re
from pathlib import Path

import pytest

from symxai import methods
from symxai.errors import SpecError
from symxai.solve.pipeline import spec_files
from symxai.specs.spec import load_sheet, loads_sheet

from tests.conftest import PROBLEMS

BAD = sorted((Path(__file__).resolve().parents[1] / "specs" / "bad").glob("*.yaml"))


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_spec_reports_exactly_the_expected_problems(path):
    text = path.read_text()
    expected = [e.replace("METHODS", ", ".join(methods.names()))
                for e in re.findall(r"^# expect: (.*)$", text, re.M)]
    assert expected, "fixture without expectations"
    with pytest.raises(SpecError) as info:
        load_sheet(path)
    found = [f"{p.location.line}:{p.location.column}: {p.message}" for p in info.value.problems]
    assert found == expected
    for p in info.value.problems:
        assert p.source_line, "every problem shows its source line"


def test_hostile_spec_runs_nothing(tmp_path):
    marker = Path("/tmp/symxai-pwned")
    marker.unlink(missing_ok=True)
    with pytest.raises(SpecError):
        load_sheet(Path(__file__).resolve().parents[1] / "specs" / "bad" / "hostile-expression.yaml")
    assert not marker.exists()


@pytest.mark.parametrize("path", spec_files([PROBLEMS]), ids=lambda p: p.name)
def test_every_problem_file_loads(path):
    sheet = load_sheet(path)
    assert sheet.tasks


def test_parts_override_exercise_params():
    sheet = load_sheet(PROBLEMS / "eth-riai-ex10.yaml")
    a, b = sheet.task("shapley-relu.x-g1"), sheet.task("shapley-relu.xprime-g2")
    assert a.problem.point != b.problem.point and a.problem.output == 0 and b.problem.output == 1


def test_unknown_target_lists_known_ones():
    sheet = load_sheet(PROBLEMS / "eth-riai-ex10.yaml")
    with pytest.raises(Exception, match="shapley-relu.x-g1"):
        sheet.task("shapley-relu")


def test_dimension_must_be_declared():
    text = """id: s
title: t
exercises:
  - id: e
    title: t
    statement: s
    method: shapley-cost
    symbols:
      d: [integer, positive]
      w: {shape: [n]}
    params: {d: d}
"""
    with pytest.raises(SpecError, match="dimension 'n' of 'w' must be a declared scalar"):
        loads_sheet(text, "dims.yaml")
