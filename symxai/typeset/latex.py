"""Turn a LaTeX source into a PDF, without letting the source reach outside.

The source is compiled by ``pdflatex`` in a private temporary folder with
shell escape off and kpathsea in paranoid mode, so a sheet cannot run
programs or read and write files outside that folder.  One pass unless the
document asks for another; symxai's own preambles come from a precompiled
format (``symxai.typeset.texformat``); ``compile_many`` runs documents in parallel.  Output files are
replaced atomically: a failed build never leaves a partial file behind and
never spoils an earlier good one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from symxai.errors import LatexError
from symxai.typeset.texproc import run_bounded

MISSING_TEX = (
    "pdflatex is needed for PDF output (apt-get install "
    "texlive-latex-recommended texlive-latex-extra), or use --tex-only"
)

_JOBNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")
_EXTRA_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
# "! Undefined control sequence." or, with -file-line-error, "./sheet.tex:5: ...".
_ERROR_LINE = re.compile(r"(! |[^\s:][^:]*:\d+: )")
_SOURCE_LINE = re.compile(r"l\.\d+ ")
_MAX_ERROR_LINES = 20
# Follow-on lines TeX adds after the real error; they say nothing new.
_NOISE = ("Emergency stop.", "==> Fatal error occurred")


def tex_available() -> bool:
    """True when ``pdflatex`` is on PATH.

    >>> isinstance(tex_available(), bool)
    True
    """
    return bool(shutil.which("pdflatex"))


def write_atomic(path: Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never half.

    The data goes to a temporary file in the same folder, which then replaces
    ``path`` with :func:`os.replace`.  Text is written as UTF-8.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "answers.json"
    >>> write_atomic(target, '{"phi_1": "1/2"}').read_text()
    '{"phi_1": "1/2"}'
    >>> sorted(p.name for p in target.parent.iterdir())  # no temporary left over
    ['answers.json']
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(payload)
            tmp.flush()
            os.fsync(tmp.fileno())
        # mkstemp makes the file 0600; give it the mode a plain open() would.
        os.chmod(tmp_name, 0o666 & ~_current_umask())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def compile_pdf(
    tex_source: str,
    out_pdf: Path,
    *,
    jobname: str = "sheet",
    runs_timeout: float = 120,
    extra_files: Mapping[str, bytes] | None = None,
    precompiled: bool = False,
    on_log=None,
) -> Path:
    """Compile ``tex_source`` and write the PDF to ``out_pdf``; return ``out_pdf``.

    pdflatex runs once, and again only when the document needs it (:func:`needs_rerun`:
    the .log asks for it, or a contents list it reads changed; at most :data:`MAX_PASSES`).
    With ``precompiled`` (meant for symxai's own templates) the preamble is
    loaded from a format dumped once per distinct preamble (``symxai.typeset.texformat``).
    ``extra_files`` (plain file names to contents, e.g. a ``.sty``) are put
    next to the source.  ``runs_timeout`` bounds all passes together, in
    seconds.  Raises :class:`LatexError` with the TeX error lines when the
    build fails or TeX is missing; ``out_pdf`` is then left as it was.
    ``on_log(text)``, when given, receives the log of the last pass of a good build
    (``symxai.typeset.texlog`` reads overfull boxes from it).

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "hello.pdf"
    >>> src = r"\\documentclass{article}\\begin{document}Hello\\end{document}"
    >>> if tex_available():  # scripts/setup.sh installs TeX
    ...     _ = compile_pdf(src, out)
    ... else:
    ...     _ = write_atomic(out, b"%PDF-")
    >>> out.read_bytes()[:5]
    b'%PDF-'
    """
    if not _JOBNAME.match(jobname):
        raise ValueError(f"jobname must be letters, digits, '_' or '-', got {jobname!r}")
    extra_files = dict(extra_files or {})
    for name in extra_files:
        if not _EXTRA_NAME.match(name) or name == f"{jobname}.tex":
            raise ValueError(f"extra file name must be a plain file name other than the source, got {name!r}")
    if not tex_available():
        raise LatexError(MISSING_TEX)

    deadline = time.monotonic() + runs_timeout
    with tempfile.TemporaryDirectory(prefix="symxai-tex-") as tmp:
        build = Path(tmp)
        (build / f"{jobname}.tex").write_text(tex_source, encoding="utf-8")
        for name, content in extra_files.items():
            (build / name).write_bytes(content)
        fmt = None
        if precompiled and not extra_files:
            from symxai.typeset.texformat import format_for

            fmt = format_for(tex_source, build, lambda b, args: run_tex(b, args, _left(deadline)))
        ok, output = _passes(build, jobname, fmt, deadline)
        pdf = build / f"{jobname}.pdf"
        if not ok or not pdf.is_file():
            raise LatexError(_error_report(build / f"{jobname}.log", output, jobname))
        if on_log is not None:
            log = build / f"{jobname}.log"
            on_log(log.read_bytes().decode("utf-8", errors="replace") if log.is_file() else output)
        write_atomic(Path(out_pdf), pdf.read_bytes())
    return Path(out_pdf)


def compile_many(jobs, *, precompiled: bool = False, workers: int | None = None, progress=None,
                 layout: list | None = None) -> list[Path]:
    """Compile several documents at once: ``jobs`` are (source, out_pdf, jobname) triples.

    With a ``layout`` list, each overfull box of every good build is appended to it as a
    (jobname, :class:`symxai.typeset.texlog.Overfull`) pair, in the order of ``jobs``.

    pdflatex processes run in parallel, at most ``workers`` (default: the CPU cores this
    process may use) at a time; ``progress(1)`` is called (in this thread) as each one ends.
    Every job is finished before the first LaTeX error, if any, is raised; the PDFs are
    returned in the order of ``jobs``.
    """
    from concurrent.futures import ThreadPoolExecutor, as_completed

    jobs = list(jobs)
    workers = max(1, min(workers or available_cores(), len(jobs) or 1))

    from symxai.typeset.texlog import overfull_boxes

    boxes: list[list] = [[] for _ in jobs]

    def one(k, job):
        source, out, name = job
        keep = None if layout is None else (lambda log: boxes[k].extend((name, b) for b in overfull_boxes(log, source)))
        try:
            return compile_pdf(source, Path(out), jobname=name, precompiled=precompiled, on_log=keep)
        except LatexError as exc:
            return exc
    results = [None] * len(jobs)
    with ThreadPoolExecutor(max_workers=workers) as pool:  # threads: each waits on its pdflatex
        futures = {pool.submit(one, k, job): k for k, job in enumerate(jobs)}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            if progress:
                progress(1)
    for r in results:
        if isinstance(r, LatexError):
            raise r
    if layout is not None:
        layout.extend(b for per_job in boxes for b in per_job)
    return results


def available_cores() -> int:
    """CPU cores this process may run on (the affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise LatexError("LaTeX did not finish within its time limit")
    return left


def _passes(build: Path, jobname: str, fmt: str | None, deadline: float) -> tuple[bool, str]:
    """pdflatex once, and again while the document asks for it (at most MAX_PASSES)."""
    args = [*PDFLATEX, *([f"-fmt={fmt}"] if fmt else []), f"{jobname}.tex"]
    for n in range(1, MAX_PASSES + 1):
        before = _listings(build, jobname)
        ok, output = run_tex(build, args, _left(deadline))
        if not ok or n == MAX_PASSES:
            return ok, output
        log = build / f"{jobname}.log"
        text = log.read_bytes().decode("utf-8", errors="replace") if log.is_file() else output
        if not needs_rerun(text, jobname, before, _listings(build, jobname)):
            return ok, output
    return ok, output


def _listings(build: Path, jobname: str) -> dict:
    return {ext: (build / f"{jobname}.{ext}").read_bytes() if (build / f"{jobname}.{ext}").is_file() else b""
            for ext in LISTINGS}


def needs_rerun(log: str, jobname: str, before: dict, after: dict) -> bool:
    r"""Whether another pdflatex pass is needed: the log says so (undefined or changed
    labels, rerunfilecheck), or the document read a contents list (.toc, .lof, .lot)
    that this pass changed.  A list written but never read (\paragraph entries without
    \tableofcontents) needs nothing.

    >>> needs_rerun("Output written on sheet.pdf (1 page).", "sheet", {"toc": b""}, {"toc": b"x"})
    False
    >>> needs_rerun("LaTeX Warning: Label(s) may have changed. Rerun to get cross-references right.", "sheet", {}, {})
    True
    >>> needs_rerun("No file sheet.toc.", "sheet", {"toc": b""}, {"toc": b"x"})
    True
    >>> needs_rerun("(./sheet.toc)", "sheet", {"toc": b"x"}, {"toc": b"x"})
    False
    """
    if _RERUN.search(log):
        return True
    return any(f"{jobname}.{ext}" in log and before.get(ext) != after.get(ext) for ext in LISTINGS)


# Flags of every pdflatex pass (the format dump adds -ini).
PDFLATEX = ["pdflatex", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error"]
MAX_PASSES = 3
LISTINGS = ("toc", "lof", "lot")
_RERUN = re.compile(r"Rerun to get|Label\(s\) may have changed|There were undefined references|"
                    r"Please (re)?run|Rerun LaTeX|\(rerunfilecheck\).*Rerun")


def sandbox_env(build: Path) -> dict:
    """The environment of every TeX process: no shell escape, kpathsea paranoid about
    reading and writing (only below ``build``), no font generation."""
    env = dict(os.environ)
    env.update(
        openout_any="p",  # write only below the build folder, no dotfiles
        openin_any="p",  # read no absolute path outside TEXMFOUTPUT
        TEXMFOUTPUT=str(build),
        shell_escape="f",
        MKTEXTFM="0",  # no font generation scripts writing into $HOME
        MKTEXPK="0",
        MKTEXMF="0",
        max_print_line="1000",  # unwrapped log lines, so errors parse whole
    )
    return env


def run_tex(build: Path, args: list[str], timeout: float) -> tuple[bool, str]:
    """Run one TeX command in ``build`` under the sandbox; whether it succeeded, and what it printed.

    The only place that starts a TeX process (every pass and the format dump).
    """
    try:  # own process group, rlimits, killed with symxai, bounded output: symxai/typeset/texproc.py
        code, out = run_bounded(args, cwd=build, env=sandbox_env(build), timeout=timeout)
    except subprocess.TimeoutExpired:
        raise LatexError(f"LaTeX did not finish within {timeout:g} s") from None
    return code == 0, out


def _error_report(log: Path, output: str, jobname: str) -> str:
    """The error lines of a failed build, each with two lines of context."""
    text = _log_tail(log) if log.is_file() else output
    lines = text.splitlines()
    picked: list[str] = []
    i = 0
    while i < len(lines) and len(picked) < _MAX_ERROR_LINES:
        if _ERROR_LINE.match(lines[i]) and not any(n in lines[i] for n in _NOISE):
            block = [line for line in lines[i : i + 3] if line.strip()]
            # LaTeX errors put help text first; the "l.<n> <source>" line says where.
            where = next((ln for ln in lines[i + 1 : i + 10] if _SOURCE_LINE.match(ln)), None)
            if where and where not in block:
                block.append(where)
            picked.extend(block)
            i += 3
        else:
            i += 1
    if not picked:  # no TeX error recorded: show the tail of what pdflatex said
        picked = [line for line in output.splitlines() if line.strip()][-_MAX_ERROR_LINES:]
    body = "\n".join(f"    {line}" for line in picked[:_MAX_ERROR_LINES])
    return f"LaTeX failed on {jobname}.tex:\n{body}"


def _log_tail(log: Path, limit: int = 1 << 20) -> str:
    """The last ``limit`` bytes of a TeX log (with -halt-on-error the error is at its end)."""
    with open(log, "rb") as f:
        f.seek(max(0, f.seek(0, os.SEEK_END) - limit))
        return f.read().decode("utf-8", errors="replace")


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
