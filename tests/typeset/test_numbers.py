"""`numbers: decimals`: the source's decimals stay decimals on the solution sheet, the numbers stay exact."""

import sympy
from click.testing import CliRunner

from symxai.cli import main
from symxai.specs.spec import load_sheet
from symxai.solve.pipeline import solve_sheet
from symxai.typeset.render import render

SHEET = """\
id: numbers-demo
title: Numbers
{sheet_numbers}exercises:
  - id: ig
    title: A linear model
    method: integrated-gradients
    {exercise_numbers}symbols:
      x1: real
      x2: real
    statement: Integrated gradients of $f$ at $(0.3, 0.25)$ from the baseline $0$.
    params:
      f: 0.15*x1 + x2/4
      inputs: [x1, x2]
      point: [0.3, 0.25]
      baseline: [0, 0]
"""


def solutions(tmp_path, sheet_numbers="", exercise_numbers=""):
    path = tmp_path / "numbers-demo.yaml"
    path.write_text(SHEET.format(sheet_numbers=sheet_numbers, exercise_numbers=exercise_numbers))
    sheet = load_sheet(path)
    return sheet, render(sheet, solve_sheet(sheet), "solutions")


def test_fractions_by_default(tmp_path):
    _, source = solutions(tmp_path)
    assert "\\frac{9}{200}" in source and "0.045" not in source  # IG_1 = 0.15 * 0.3


def test_decimals_on_the_exercise_print_the_sources_decimals(tmp_path):
    sheet, source = solutions(tmp_path, exercise_numbers="numbers: decimals\n    ")
    assert "0.045" in source and "\\frac{9}{200}" not in source
    task = sheet.tasks[0]
    value = task.method.solve(task.problem).answers["IG_1"].value
    assert value == sympy.Rational(9, 200)  # printing only: the answer stays exact


def test_the_sheet_sets_it_for_every_exercise_and_an_exercise_overrides(tmp_path):
    _, source = solutions(tmp_path, sheet_numbers="numbers: decimals\n")
    assert "0.045" in source
    _, source = solutions(tmp_path, sheet_numbers="numbers: decimals\n",
                          exercise_numbers="numbers: fractions\n    ")
    assert "\\frac{9}{200}" in source and "0.045" not in source


def test_a_misspelt_setting_is_one_located_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(SHEET.format(sheet_numbers="numbers: decimal\n", exercise_numbers=""))
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(tmp_path / "out"), "--tex-only"])
    assert result.exit_code != 0
    assert "bad.yaml:3" in result.output and "decimals" in result.output and "fractions" in result.output
    assert not (tmp_path / "out" / "numbers-demo").exists()


def test_the_eth_sheet_prints_p_as_the_source_does():
    from pathlib import Path
    spec = Path(__file__).resolve().parents[2] / "problems" / "eth-riai-ex10.yaml"
    sheet = load_sheet(spec, only="robust-features")
    source = render(sheet, solve_sheet(sheet), "solutions")
    assert "p &= 0.9975" in source and "\\frac{399}{400}" not in source
    assert "-0.05" in source and "\\frac{1}{20}" not in source
