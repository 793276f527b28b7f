"""Faults around the specs: a full disk, -o naming a file, Ctrl-C, empty folders, odd file names.

Each ends in one error line and a documented exit status, never a traceback, and leaves no
partial output.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .corpus import ROOT
from .harness import run

pytestmark = pytest.mark.reliability
SPEC = ROOT / "tests" / "specs" / "shapley-sheet.yaml"


def _tree(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_disk_full_is_one_line_and_leaves_the_old_output(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert run("build", SPEC, "-o", out, "--tex-only").kind == "ok"
    before = _tree(out)

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(os, "fsync", full)
    r = run("build", SPEC, "-o", out, "--tex-only", "--seed", "1", need_location=False)
    assert r.kind == "refused" and r.exit_code == 5, r  # an output fault, not a spec problem
    assert "No space left on device" in r.first_error
    assert [line for line in r.output.splitlines() if line.startswith("error:")] == [r.first_error]
    assert _tree(out) == before  # nothing half-written, no staging folder left


@pytest.mark.parametrize("command", ["build", "variants"])
def test_output_that_is_a_file_exits_2(tmp_path, command):
    target = tmp_path / "afile"
    target.write_text("keep me")
    args = [command, SPEC, "-o", target, "--tex-only"] + (["--count", "1"] if command == "variants" else [])
    r = run(*args, need_location=False)
    assert r.exit_code == 2 and "is a file, not a folder" in r.first_error, r
    assert target.read_text() == "keep me"


@pytest.mark.parametrize("command", ["validate", "build"])
def test_empty_folder_says_so_and_exits_2(tmp_path, command):
    r = run(command, tmp_path, need_location=False)
    assert r.exit_code == 2 and "holds no spec" in r.first_error, r


def test_ctrl_c_is_one_line_exit_130_and_writes_nothing(tmp_path, monkeypatch):
    import symxai.solve.pipeline as pipeline

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(pipeline, "solve_sheet", interrupted)
    out = tmp_path / "out"
    r = run("build", SPEC, "-o", out, "--tex-only", need_location=False)
    assert r.exit_code == 130 and r.first_error == "error: interrupted; no partial output was written", r
    assert not out.exists() or not _tree(out)


def test_ctrl_c_during_check_is_130_not_1(monkeypatch):
    import symxai.grade.check as check

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(check, "check", interrupted)
    r = run("check", ROOT / "problems" / "tub-ml-sheet14.yaml", "shapley", "phi_1=1", need_location=False)
    assert r.exit_code == 130, r


def test_real_sigint_during_long_work(tmp_path):
    """A real SIGINT while an LRP network is being solved: progress was shown, one line, exit 130."""
    from .corpus import _lrp
    spec = tmp_path / "slow.yaml"
    spec.write_text(_lrp(3, 6))
    env = {**os.environ, "SYMXAI_PROGRESS": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "symxai", "solve", str(spec)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = proc.stderr.readline()  # waits for the work to start: no timing involved
    assert "solving lrp (1/1)" in first
    proc.send_signal(2)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and err.strip() == "error: interrupted; no partial output was written"
    assert out == ""


NAMES = ["a%b.yaml", "a#b.yaml", "a&b.yaml", "a$b.yaml", "a^b.yaml", "a{b}.yaml", "a b~_x.yaml",
         "%#&$^{}.yaml"]


@pytest.mark.parametrize("name", NAMES)
def test_file_names_with_tex_specials_build_or_are_refused_cleanly(tmp_path, name):
    spec = tmp_path / name
    shutil.copy(SPEC, spec)
    assert run("validate", spec).kind == "ok"
    assert run("solve", spec).kind == "ok"
    r = run("build", spec, "-o", tmp_path / "out", "--tex-only")
    assert r.kind == "ok", r
    assert (tmp_path / "out" / "test-shapley-sheet" / "answers.json").is_file()


@pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get("CI"), reason="needs TeX")
def test_file_name_with_every_tex_special_builds_a_pdf_or_fails_cleanly(tmp_path):
    spec = tmp_path / "%#&$^{}~_.yaml"
    shutil.copy(SPEC, spec)
    r = run("build", spec, "-o", tmp_path / "out", need_location=False)
    assert r.kind in ("ok", "refused") and r.exit_code in (0, 4), r  # 4: a LaTeX error, reported
