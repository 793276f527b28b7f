"""build: tex, PDF and answers.json, written only when everything verified and compiled."""

import json
import subprocess
from pathlib import Path

import pytest

from symxai.errors import LatexError, SpecError, VerificationError
from symxai.solve.pipeline import build
from symxai.typeset.latex import tex_available

from .conftest import PROBLEMS


def _needs_tex():
    import os
    if not tex_available():
        if os.environ.get("CI"):
            pytest.fail("TeX is required in CI")
        pytest.skip("no TeX on this machine")


def test_build_writes_pdfs_whose_text_shows_tables_and_verified_answers(tmp_path):
    _needs_tex()
    build([PROBLEMS / "tub-ml-sheet14.yaml"], tmp_path)
    folder = tmp_path / "tub-ml-sheet14"
    text = subprocess.run(["pdftotext", "-layout", str(folder / "tub-ml-sheet14-solutions.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    # the prose sits in a column beside its table, so it wraps: both halves, each on a line
    assert "Coalitions without" in text and "feature 1:" in text
    assert "f (1, 1, 0) = 1" in text  # a row of the coalition table
    assert "How the answers were checked" in text and "orderings" in text
    exercise = subprocess.run(["pdftotext", str(folder / "tub-ml-sheet14-exercises.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
    assert "Shapley" in exercise and "Verified" not in exercise
    answers = json.loads((folder / "answers.json").read_text())
    assert answers["tasks"]["shapley"]["answers"]["phi_1"]["text"] == "2/3"


def test_tex_only(tmp_path):
    build([PROBLEMS], tmp_path, tex_only=True)
    assert sorted(p.name for p in (tmp_path / "eth-riai-ex10").iterdir()) == [
        "answers.json", "eth-riai-ex10-exercises.tex", "eth-riai-ex10-solutions.tex"]


def test_failed_verification_writes_nothing(tmp_path, wrong_phi_1):
    wrong_phi_1()
    with pytest.raises(VerificationError, match="phi_1"):
        build([PROBLEMS / "tub-ml-sheet14.yaml"], tmp_path, tex_only=True)
    assert not (tmp_path / "tub-ml-sheet14").exists()


def test_bad_spec_writes_nothing(tmp_path):
    bad = Path(__file__).parent / "specs" / "bad" / "unknown-key.yaml"
    with pytest.raises(SpecError):
        build([PROBLEMS / "tub-ml-sheet14.yaml", bad], tmp_path, tex_only=True)
    assert list(tmp_path.iterdir()) == []


def test_latex_failure_keeps_earlier_outputs(tmp_path):
    _needs_tex()
    build([PROBLEMS / "tub-ml-sheet14.yaml"], tmp_path)
    folder = tmp_path / "tub-ml-sheet14"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    broken = tmp_path / "tpl"
    broken.mkdir()
    src = (Path(__file__).parent.parent / "templates" / "solutions.tex.j2").read_text()
    (broken / "solutions.tex.j2").write_text(src.replace("((* block body *))", "((* block body *))\\undefinedmacro"))
    with pytest.raises(LatexError, match="Undefined control sequence"):
        build([PROBLEMS / "tub-ml-sheet14.yaml"], tmp_path, templates=[broken])
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert after == before


def test_user_templates_override_packaged_ones(tmp_path):
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "exercises.tex.j2").write_text("custom ((( sheet.id )))\n")
    build([PROBLEMS / "tub-ml-sheet14.yaml"], tmp_path / "out", tex_only=True, templates=[tpl])
    assert (tmp_path / "out" / "tub-ml-sheet14" / "tub-ml-sheet14-exercises.tex").read_text() == "custom tub-ml-sheet14\n"


def test_templates_are_strict(tmp_path):
    import jinja2
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "exercises.tex.j2").write_text("((( sheet.no_such_field )))\n")
    with pytest.raises(jinja2.UndefinedError):
        build([PROBLEMS / "tub-ml-sheet14.yaml"], tmp_path / "out", tex_only=True, templates=[tpl])


def test_solution_records_the_seed(tmp_path):
    build([PROBLEMS / "tub-ml-sheet14.yaml"], tmp_path, tex_only=True, seed=11)
    folder = tmp_path / "tub-ml-sheet14"
    assert "verification seed 11" in (folder / "tub-ml-sheet14-solutions.tex").read_text()
    assert json.loads((folder / "answers.json").read_text())["seed"] == 11
