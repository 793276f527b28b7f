"""Jupyter display of solutions, verifications, solved sheets and check reports (the repr methods)."""

from __future__ import annotations

import pytest

import symxai
from symxai.grade.check import check

from tests.conftest import PROBLEMS

SHEET14 = PROBLEMS / "tub-ml-sheet14.yaml"


@pytest.fixture(scope="module")
def solved():
    return symxai.solve_file(SHEET14)


def test_solve_file_is_public_and_still_a_pair(solved):
    sheet, results = solved
    assert sheet.id == "tub-ml-sheet14" and set(results) == {t.key for t in sheet.tasks}
    assert solved.sheet is sheet and solved.results is results


def test_solved_sheet_shows_every_answer_as_math(solved):
    md = solved._repr_markdown_()
    assert md.startswith("### Explaining predictions")
    for line in ("- $\\phi_{1} = \\frac{2}{3}$", "- $\\phi_{2} = \\frac{1}{6}$", "- $\\phi_{3} = \\frac{1}{6}$",
                 "- $\\boldsymbol{x}^{\\star} = \\Sigma \\boldsymbol{w} + \\boldsymbol{\\mu}$"):
        assert line in md.splitlines()
    assert "**shapley** [shapley], verified" in md and "FAILED" not in md
    latex = solved._repr_latex_()
    assert latex.startswith("$$\\begin{aligned}") and "\\phi_{1} = \\frac{2}{3}" in latex


def test_solved_sheet_html_is_mathml(solved):
    pytest.importorskip("latex2mathml")
    html = solved._repr_html_()
    assert html.count("<math") == sum(len(t.answers) for t in solved.sheet.tasks)
    assert "<b>lrp-max.C</b> [lrp], verified" in html


def test_failed_verification_shows(solved, wrong_phi_1):
    wrong_phi_1()
    bad = symxai.solve_file(SHEET14)
    assert "**shapley** [shapley], **VERIFICATION FAILED**" in bad._repr_markdown_()
    assert "| $\\phi_{1}$ | **NO**" in bad.results["shapley"][1]._repr_markdown_()
    assert "\\phi_{1}\\ \\times" in bad.results["shapley"][1]._repr_latex_()


def test_solution_shows_its_steps(solved):
    solution, verification = solved.results["shapley"]
    md = solution._repr_markdown_()
    assert "\\phi_{1} &= \\frac{1}{6} \\cdot 1 + \\frac{1}{6} \\cdot 1 + \\frac{1}{3} \\cdot 1 = \\frac{2}{3}" in md
    assert "| $S$ |" in md  # the coalition table (one per game since the sheets print one)
    rows = [line for line in md.splitlines() if line.startswith("|")]
    assert rows and all(line.count("|") == rows[0].count("|") for line in rows)  # no bare | splits a cell
    assert md.rstrip().endswith("- $\\phi_{3} = \\frac{1}{6}$")
    assert solution._repr_latex_() == ("$$\\begin{aligned}\\phi_{1} &= \\frac{2}{3} \\\\ \\phi_{2} &= \\frac{1}{6}"
                                       " \\\\ \\phi_{3} &= \\frac{1}{6}\\end{aligned}$$")
    assert verification._repr_markdown_().count("| yes |") == 3


def test_check_report_uses_the_check_wording():
    report = check(SHEET14, "shapley", {"phi_1": "1/3", "phi_2": "1/6"})
    md = report._repr_markdown_()
    assert md.splitlines()[0] == "**shapley**: exit code 1"
    assert "- ✗ phi\\_1: wrong: 1/3 is not the value of phi\\_1" in md
    assert "`[equal-split]`" in md  # phi_1 = phi_2 = 1/3 + ... the equal split is named
    assert "- ✓ phi\\_2: right (exact)" in md
    html = report._repr_html_()
    assert "phi_1: wrong: 1/3 is not the value of phi_1" in html and "[equal-split]" in html
