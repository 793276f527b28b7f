"""Whole-build atomicity (issue 21): kills, concurrent builds, stale staging, variants, TeX children.

CI runs these; none depends on timing: kills land at seeded line events of
the write phase (tests/kill_harness.py), waits are bounded polls for a state.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symxai.errors import LatexError
from symxai.typeset.outputdir import OutputBusy, OutputError, clean, current_version, locked, publish
from symxai.solve.pipeline import build

pytestmark = pytest.mark.reliability

ROOT = Path(__file__).resolve().parent.parent
SHEET = ROOT / "tests" / "specs" / "shapley-sheet.yaml"
KILLS = 20


def test_kill_9_at_twenty_seeded_moments_never_mixes_outputs(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "tests" / "kill_harness.py"), str(tmp_path), "21", str(KILLS)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    outcomes = [x["outcome"] for x in report["results"]]
    assert len(outcomes) == KILLS
    assert outcomes.count("mixed") == 0, report["results"]
    killed = [x for x in report["results"] if x["killed"]]
    assert len(killed) >= KILLS // 2  # most runs really were killed mid-write
    # Both sides of the switch were hit: some kills left the old output, some the new.
    assert {"old", "new"} <= set(outcomes), outcomes
    assert report["final_ok"]
    assert [n for n in report["meta_after"] if not n.startswith("v-")] == ["current", "lock"]
    assert len(report["meta_after"]) == 3  # one version: every staging folder and old version cleaned
    assert report["top_after"] == [".symxai", "kill-a", "kill-b"]


def _holder(out: Path):
    """A process holding the lock of ``out`` until its stdin closes."""
    code = ("import sys; from symxai.typeset.outputdir import locked\n"
            f"with locked({str(out)!r}):\n    print('held', flush=True); sys.stdin.read()\n")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_build_into_a_locked_folder_is_refused_with_exit_2(tmp_path):
    out = tmp_path / "out"
    holder = _holder(out)
    try:
        r = subprocess.run([sys.executable, "-m", "symxai", "build", str(SHEET), "-o", str(out), "--tex-only"],
                           capture_output=True, text=True, cwd=ROOT)
        assert r.returncode == 2, r.stderr
        assert "another symxai run" in r.stderr and "Traceback" not in r.stderr
        assert not (out / "test-shapley-sheet").exists()
    finally:
        holder.stdin.close()
        holder.wait()
    r = subprocess.run([sys.executable, "-m", "symxai", "build", str(SHEET), "-o", str(out), "--tex-only"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr


def test_lock_is_exclusive_in_process_too(tmp_path):
    with locked(tmp_path / "o"):
        with pytest.raises(OutputBusy):
            with locked(tmp_path / "o"):
                pass


def test_two_concurrent_builds_leave_one_complete_output(tmp_path):
    specs = []
    for tag in ("one", "two"):
        p = tmp_path / tag / "s.yaml"
        p.parent.mkdir()
        p.write_text(SHEET.read_text().replace("title: Shapley values of a min-max function",
                                               f"title: Shapley values {tag}"))
        specs.append(p)
    out = tmp_path / "out"
    procs = [subprocess.Popen([sys.executable, "-m", "symxai", "build", str(s), "-o", str(out), "--tex-only"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for s in specs]
    results = [(p.wait(), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert all(code in (0, 2) for code, _ in results) and any(code == 0 for code, _ in results), results
    assert all("another symxai run" in err for code, err in results if code == 2)
    tex = (out / "test-shapley-sheet" / "test-shapley-sheet-exercises.tex").read_text()
    sol = (out / "test-shapley-sheet" / "test-shapley-sheet-solutions.tex").read_text()
    tags = [t for t in ("one", "two") if f"Shapley values {t}" in tex]
    assert len(tags) == 1 and f"Shapley values {tags[0]}" in sol  # never one sheet from each


def test_stale_staging_and_old_versions_are_cleaned(tmp_path):
    out = tmp_path / "out"
    build([SHEET], out, tex_only=True)
    meta = out / ".symxai"
    (meta / ".staging-dead-1").mkdir()
    (meta / ".staging-dead-1" / "x.tex").write_text("half")
    (meta / "v-0-1").mkdir()
    (out / ".staging-legacy").mkdir()  # what older symxai versions left
    os.symlink(".symxai/current/gone", out / "gone")  # a link a killed run made before its switch
    os.symlink(".symxai/current/test-shapley-sheet", out / ".symxai-link-1")
    build([SHEET], out, tex_only=True)
    assert sorted(p.name for p in meta.iterdir()) == ["current", "lock", current_version(out).name]
    assert sorted(p.name for p in out.iterdir()) == [".symxai", "test-shapley-sheet"]


def test_other_sheets_are_kept_and_old_layout_is_adopted(tmp_path):
    out = tmp_path / "out"
    legacy = out / "test-shapley-sheet"
    legacy.mkdir(parents=True)
    (legacy / "old.txt").write_text("from an older symxai")
    (legacy / ".staging-abc").mkdir()
    build([ROOT / "problems" / "tub-ml-sheet14.yaml"], out, tex_only=True)
    assert (legacy / "old.txt").read_text() == "from an older symxai"  # not rebuilt: untouched
    build([SHEET], out, tex_only=True)
    assert legacy.is_symlink() and not (legacy / "old.txt").exists()
    assert (legacy / "test-shapley-sheet-exercises.tex").is_file()
    assert (out / "tub-ml-sheet14" / "answers.json").is_file()  # kept from the first build
    assert not list(out.glob("*/.staging-*"))


def test_failed_publish_changes_nothing(tmp_path):
    out = tmp_path / "out"
    with publish(out) as stage:
        (stage.path / "a").write_text("old")
    with pytest.raises(RuntimeError):
        with publish(out) as stage:
            (stage.path / "a").write_text("new")
            (stage.path / "b").write_text("new")
            raise RuntimeError("LaTeX failed")
    assert (out / "a").read_text() == "old" and not (out / "b").exists()
    assert clean(out) == []


def test_output_that_is_a_file_is_refused(tmp_path, cli):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(OutputError):
        with publish(target):
            pass
    r = cli("build", SHEET, "-o", target, "--tex-only")
    assert r.exit_code == 2 and "is a file" in r.output


def _visible(out: Path) -> dict:
    """Every file reachable from ``out`` with links followed, ``.symxai`` skipped."""
    files = {}
    for folder, dirs, names in os.walk(out, followlinks=True):
        dirs[:] = [d for d in dirs if d != ".symxai"]
        for n in names:
            f = Path(folder) / n
            files[str(f.relative_to(out))] = f.read_bytes()
    return files


def test_failing_variants_rerun_leaves_the_earlier_batch(tmp_path, monkeypatch):
    from symxai.batch import variants
    batch = variants.generate(str(SHEET), "shapley", count=2, seed=7)
    calls = []

    def fake_compile(jobs, **_):
        out = []
        for source, path, jobname in jobs:
            calls.append(jobname)
            Path(path).write_bytes(b"%PDF-old " + jobname.encode())
            out.append(Path(path))
        return out

    from symxai.typeset import latex
    monkeypatch.setattr(latex, "compile_many", fake_compile)
    out = tmp_path / "v"
    variants.write_batch(batch, out)
    before = _visible(out)
    assert any(k.endswith(".pdf") for k in before)

    def failing(jobs, **_):
        raise LatexError("LaTeX failed on x.tex")

    monkeypatch.setattr(latex, "compile_many", failing)
    other = variants.generate(str(SHEET), "shapley", count=2, seed=8)
    with pytest.raises(LatexError):
        variants.write_batch(other, out)
    after = _visible(out)
    assert after == before  # no new .tex beside stale PDFs


# --- the TeX child: limits, output cap, killed with symxai --------------------------------

def _tex():
    from symxai.typeset.latex import tex_available
    if not tex_available():
        if os.environ.get("CI"):
            pytest.fail("TeX is required in CI")
        pytest.skip("no TeX on this machine")


def test_terminal_output_is_capped():
    from symxai.typeset.texproc import KEEP_BYTES, run_bounded
    code, out = run_bounded([sys.executable, "-c",
                             "import sys\nfor i in range(400000): sys.stdout.write('line %07d\\n' % i)"], timeout=600)
    assert code == 0
    assert len(out) <= 2 * KEEP_BYTES + 100
    assert out.startswith("line 0000000") and out.rstrip().endswith("line 0399999") and "output cut" in out


def test_cpu_limit_stops_a_looping_tex(tmp_path, monkeypatch):
    _tex()
    from symxai.typeset import texproc
    from symxai.typeset.latex import compile_pdf
    monkeypatch.setitem(texproc.LIMITS, "cpu_seconds", 2)
    with pytest.raises(LatexError) as info:
        compile_pdf("\\documentclass{article}\\begin{document}\\def\\x{\\x}\\x\\end{document}",
                    tmp_path / "loop.pdf", runs_timeout=3600)
    assert "did not finish" not in str(info.value)  # stopped by the CPU limit, not the wall clock


def test_file_size_limit_stops_a_flooding_tex(tmp_path, monkeypatch):
    _tex()
    from symxai.typeset import texproc
    from symxai.typeset.latex import compile_pdf
    monkeypatch.setitem(texproc.LIMITS, "file_size", 1 << 20)
    flood = "\\documentclass{article}\\begin{document}\\def\\x{\\typeout{" + "y" * 200 + "}\\x}\\x\\end{document}"
    with pytest.raises(LatexError):
        compile_pdf(flood, tmp_path / "flood.pdf", runs_timeout=3600)


def _processes_in(folder: Path) -> list[int]:
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if str(folder) in os.readlink(d / "cwd"):
                    found.append(int(d.name))
            except OSError:
                pass
    return found


def test_tex_dies_when_symxai_is_killed(tmp_path):
    _tex()
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "exercises.tex.j2").write_text("\\documentclass{article}\\begin{document}\\def\\x{\\x}\\x\\end{document}\n")
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = dict(os.environ, TMPDIR=str(tmpdir))
    proc = subprocess.Popen([sys.executable, "-m", "symxai", "build", str(SHEET), "-o", str(tmp_path / "out"),
                             "--templates", str(tpl)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(3000):  # until pdflatex runs in its build folder (bounded poll, not a timing assert)
        if any("pdflatex" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")
               for p in _processes_in(tmpdir) if Path(f"/proc/{p}").exists()):
            break
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("pdflatex never started")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    for _ in range(600):
        if not _processes_in(tmpdir):
            break
        time.sleep(0.1)
    assert _processes_in(tmpdir) == []
