"""PDF builds: they work, report TeX errors, and cannot reach outside their folder."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

from symxai.errors import LatexError
from symxai.typeset.latex import compile_pdf, write_atomic


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


# -- passes, precompiled preambles, parallel builds -----------------------------------------------

@pytest.fixture
def passes(monkeypatch):
    """The command lines of every TeX process started, in order."""
    import symxai.typeset.latex as latex

    seen = []
    real = latex.run_tex

    def counting(build, args, timeout):
        seen.append(args)
        return real(build, args, timeout)
    monkeypatch.setattr(latex, "run_tex", counting)
    return seen


@pytest.fixture
def format_cache(tmp_path, monkeypatch):
    """A fresh, private format cache for one test."""
    import symxai.typeset.texformat as texformat

    folder = tmp_path / "cache"
    monkeypatch.setenv("SYMXAI_CACHE_DIR", str(folder))
    texformat.cache_dir.cache_clear()
    yield folder / "tex-formats"
    texformat.cache_dir.cache_clear()


def test_one_pass_when_nothing_refers_back(tex, tmp_path, passes):
    compile_pdf(doc("\\paragraph{Shapley} no references here.", "\\usepackage{hyperref}\\usepackage{bookmark}"),
                tmp_path / "s.pdf")
    assert len(passes) == 1


def test_references_get_the_second_pass_they_need(tex, tmp_path, passes):
    out = tmp_path / "s.pdf"
    compile_pdf(doc("\\tableofcontents\\section{Alpha}\\label{sec:a} See Section~\\ref{sec:a}."), out)
    assert len(passes) == 2
    text = pdf_text(out)
    assert "See Section 1" in text and "1 Alpha" in text and "??" not in text


def test_precompiled_preamble_is_dumped_once_and_reused(tex, tmp_path, passes, format_cache):
    preamble = "\\usepackage{amsmath,tikz}\\newcommand{\\mine}{from the format}"
    for k in range(2):
        out = tmp_path / f"s{k}.pdf"
        compile_pdf(doc(f"Run {k}: \\mine, $\\tfrac12$.", preamble), out, precompiled=True)
        assert f"Run {k}: from the format" in pdf_text(out)
    dumps = [a for a in passes if "-ini" in a]
    assert len(dumps) == 1 and len(passes) == 3  # one dump, then one pass per document
    assert all(any(x.startswith("-fmt=symxai-") for x in a) for a in passes if "-ini" not in a)
    assert "-no-shell-escape" in dumps[0] and "-shell-escape" not in dumps[0]
    formats = list(format_cache.iterdir())
    assert len(formats) == 1 and formats[0].stat().st_mode & 0o077 == 0
    assert format_cache.stat().st_mode & 0o077 == 0
    # another preamble is another format, never the first one
    compile_pdf(doc("x", preamble + "\\newcommand{\\other}{}"), tmp_path / "t.pdf", precompiled=True)
    assert len(list(format_cache.iterdir())) == 2


def test_precompiled_builds_keep_the_sandbox(tex, tmp_path, format_cache):
    with pytest.raises(LatexError):
        compile_pdf(doc("\\input{/etc/passwd}"), tmp_path / "s.pdf", precompiled=True)
    target = tmp_path / "x.tex"
    try:
        compile_pdf(doc(f"\\newwrite\\f\\immediate\\openout\\f={target}\\immediate\\write\\f{{leaked}}"
                        "\\immediate\\closeout\\f Done."), tmp_path / "s.pdf", precompiled=True)
    except LatexError:
        pass
    assert not target.exists()
    # a preamble that tries to escape while the format is dumped is just as contained
    try:
        compile_pdf(doc("x", f"\\newwrite\\f\\immediate\\openout\\f={target}\\immediate\\closeout\\f"),
                    tmp_path / "t.pdf", precompiled=True)
    except LatexError:
        pass
    assert not target.exists()


def test_a_cache_folder_others_can_write_is_not_used(tex, tmp_path, monkeypatch):
    import symxai.typeset.texformat as texformat

    shared = tmp_path / "shared"
    (shared / "tex-formats").mkdir(parents=True)
    (shared / "tex-formats").chmod(0o777)
    monkeypatch.setenv("SYMXAI_CACHE_DIR", str(shared))
    texformat.cache_dir.cache_clear()
    try:
        assert texformat.cache_dir() != shared / "tex-formats"
        out = tmp_path / "s.pdf"
        compile_pdf(doc("Still fine."), out, precompiled=True)
        assert "Still fine." in pdf_text(out)
        assert list((shared / "tex-formats").iterdir()) == []
    finally:
        texformat.cache_dir.cache_clear()


def test_compile_many_builds_all_and_reports_the_failure(tex, tmp_path):
    from symxai.typeset.latex import compile_many

    jobs = [(doc(f"Sheet {k}."), tmp_path / f"s{k}.pdf", f"s{k}") for k in range(3)]
    done = []
    assert compile_many(jobs, workers=2, progress=done.append) == [tmp_path / f"s{k}.pdf" for k in range(3)]
    assert all(f"Sheet {k}." in pdf_text(tmp_path / f"s{k}.pdf") for k in range(3)) and len(done) == 3
    bad = [*jobs[:1], (doc("\\undefinedcommand"), tmp_path / "bad.pdf", "bad")]
    with pytest.raises(LatexError, match="bad.tex"):
        compile_many(bad, workers=2)
    assert not (tmp_path / "bad.pdf").exists()
