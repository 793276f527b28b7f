"""PDF builds: they work, report TeX errors, and cannot reach outside their folder."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from symxai.errors import LatexError
from symxai.latex import compile_pdf, tex_available, write_atomic


@pytest.fixture
def tex():
    """Skip without TeX on a workstation; fail without it in CI."""
    if tex_available():
        return
    if os.environ.get("CI"):
        pytest.fail("CI is set but latexmk/pdflatex are missing: run scripts/setup.sh")
    pytest.skip("latexmk/pdflatex not installed")


def doc(body: str, preamble: str = "") -> str:
    return (
        "\\documentclass{article}\n"
        f"{preamble}\n"
        "\\begin{document}\n"
        f"{body}\n"
        "\\end{document}\n"
    )


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_minimal_document_compiles(tex, tmp_path):
    out = tmp_path / "sheet.pdf"
    preamble = (
        "\\usepackage{lmodern,amsmath,amssymb,booktabs,geometry,tikz,xcolor,"
        "enumitem,longtable,array,hyperref}"
    )
    assert compile_pdf(doc("Shapley value $\\phi_1 = \\tfrac12$.", preamble), out) == out
    assert out.read_bytes().startswith(b"%PDF-")
    assert "Shapley value" in pdf_text(out)
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.pdf"]


def test_extra_files_are_available(tex, tmp_path):
    out = tmp_path / "s.pdf"
    sty = b"\\newcommand{\\greeting}{Hello from the style}\n"
    compile_pdf(doc("\\greeting", "\\usepackage{symx}"), out, extra_files={"symx.sty": sty})
    assert "Hello from the style" in pdf_text(out)


def test_undefined_command_reports_error_and_line(tex, tmp_path):
    source = doc("First line.\n\\undefinedcommand")
    with pytest.raises(LatexError) as info:
        compile_pdf(source, tmp_path / "bad.pdf")
    message = str(info.value)
    assert "Undefined control sequence" in message
    assert "sheet.tex:5:" in message and "l.5 \\undefinedcommand" in message
    assert len(message.splitlines()) <= 21
    assert not (tmp_path / "bad.pdf").exists()


def test_shell_escape_is_off(tex, tmp_path):
    marker = Path("/tmp/symxai_pwned")
    marker.unlink(missing_ok=True)
    source = doc("\\immediate\\write18{touch /tmp/symxai_pwned}Done.")
    try:
        compile_pdf(source, tmp_path / "s.pdf")
    except LatexError:
        pass
    assert not marker.exists()


def test_cannot_read_outside_build_folder(tex, tmp_path):
    with pytest.raises(LatexError):
        compile_pdf(doc("\\input{/etc/passwd}"), tmp_path / "s.pdf")


def test_cannot_write_outside_build_folder(tex, tmp_path):
    target = tmp_path / "x.tex"
    source = doc(
        f"\\newwrite\\f\\immediate\\openout\\f={target}\n"
        "\\immediate\\write\\f{leaked}\\immediate\\closeout\\f Done."
    )
    try:
        compile_pdf(source, tmp_path / "s.pdf")
    except LatexError:
        pass
    assert not target.exists()


def test_cannot_write_to_parent_folder(tex, tmp_path):
    # The build folder lives in the temp dir, so "../" would land there.
    escaped = Path(tempfile.gettempdir()) / "symxai_escape.tex"
    escaped.unlink(missing_ok=True)
    source = doc(
        "\\newwrite\\f\\immediate\\openout\\f=../symxai_escape.tex\n"
        "\\immediate\\write\\f{leaked}\\immediate\\closeout\\f Done."
    )
    try:
        compile_pdf(source, tmp_path / "s.pdf")
    except LatexError:
        pass
    assert not escaped.exists()


def test_failed_build_keeps_earlier_pdf(tex, tmp_path):
    out = tmp_path / "sheet.pdf"
    compile_pdf(doc("Good version."), out)
    good = out.read_bytes()
    with pytest.raises(LatexError):
        compile_pdf(doc("\\undefinedcommand"), out)
    assert out.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.pdf"]


def test_bad_jobname_is_refused(tmp_path):
    with pytest.raises(ValueError, match="jobname"):
        compile_pdf(doc("x"), tmp_path / "s.pdf", jobname="../evil")


def test_write_atomic_replaces_whole_file(tmp_path):
    target = tmp_path / "answers.json"
    write_atomic(target, "old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["answers.json"]
