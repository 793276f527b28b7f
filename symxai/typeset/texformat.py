"""Precompiled preambles: a pdflatex format dumped once per distinct preamble.

Loading the packages of a sheet's preamble (tikz, hyperref, lmodern...) is a
large part of a small sheet's compile time.  ``format_for`` dumps the
preamble -- everything before ``\\begin{document}`` -- into a format with
``pdflatex -ini`` and mylatexformat, keyed by the SHA-256 of the preamble and
of the TeX installation, and puts it into the build folder, where pdflatex
``-fmt`` loads it and skips the (identical) preamble of the document.

Safety: the format is dumped by the same sandboxed ``run_tex`` as every pass
(no shell escape, kpathsea paranoid, inside the private build folder), from
exactly the preamble of the document being compiled -- the caller asks for it
only for symxai's own templates.  Formats are kept in a cache folder that
symxai creates with mode 0700 (``$SYMXAI_CACHE_DIR``, else
``$XDG_CACHE_HOME/symxai`` or ``~/.cache/symxai``, subfolder ``tex-formats``);
a folder or file not owned by this user, or writable by others, is never
used.  Without a usable cache folder the formats live in a private temporary
folder for the life of the process.  Any failure falls back to a plain
compile.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import stat
import subprocess
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from typing import Callable

BEGIN = "\\begin{document}"
_LOCK = threading.Lock()
_FAILED: set[str] = set()  # preamble keys whose dump failed in this process: not retried


def preamble_of(source: str) -> str | None:
    r"""The text before ``\begin{document}``, or None without one.

    >>> preamble_of("\\documentclass{article}\n\\begin{document}x\\end{document}")
    '\\documentclass{article}\n'
    """
    at = source.find(BEGIN)
    return source[:at] if at > 0 else None


@lru_cache(maxsize=1)
def installation_id() -> str:
    """What a format depends on besides its preamble: the pdfTeX version and the base
    LaTeX format and mylatexformat files (path, size, mtime: TeX Live updates change them)."""
    parts = []
    try:
        version = subprocess.run(["pdflatex", "--version"], capture_output=True, text=True, timeout=30)
        parts.append(version.stdout.splitlines()[0] if version.stdout else "")
        for name, args in (("pdflatex.fmt", ["-engine=pdftex"]), ("mylatexformat.ltx", [])):
            found = subprocess.run(["kpsewhich", *args, name], capture_output=True, text=True, timeout=30).stdout.strip()
            if not found:
                return ""
            st = os.stat(found)
            parts.append(f"{found}:{st.st_size}:{st.st_mtime_ns}")
    except (OSError, subprocess.SubprocessError, IndexError):
        return ""
    return "\n".join(parts)


def _safe_dir(path: Path) -> bool:
    """An existing real folder of ours that nobody else can write to."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022


def _safe_file(path: Path) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022


@lru_cache(maxsize=1)
def cache_dir() -> Path:
    """The folder formats are kept in (created 0700); a private temporary one when the
    user's cache folder cannot be used safely."""
    base = os.environ.get("SYMXAI_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "symxai")
    folder = Path(base) / "tex-formats"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if _safe_dir(folder) and _safe_dir(folder.parent):
            return folder
    except OSError:
        pass
    private = Path(tempfile.mkdtemp(prefix="symxai-formats-"))  # 0700
    atexit.register(shutil.rmtree, private, ignore_errors=True)
    return private


def format_key(preamble: str) -> str | None:
    """The format's name: symxai-<hash of preamble and TeX installation>, None without TeX."""
    install = installation_id()
    if not install:
        return None
    digest = hashlib.sha256(f"{install}\n\0{preamble}".encode("utf-8")).hexdigest()[:40]
    return f"symxai-{digest}"


def format_for(source: str, build: Path, run: Callable[[Path, list[str]], tuple[bool, str]]) -> str | None:
    """Put the format of ``source``'s preamble into ``build`` and return its name for
    ``pdflatex -fmt``; dump it first (with ``run``, in ``build``) if it is not cached.
    None when there is no preamble or the dump fails (compile without a format then)."""
    preamble = preamble_of(source)
    name = format_key(preamble) if preamble is not None else None
    if name is None or name in _FAILED:
        return None
    target = build / f"{name}.fmt"
    with _LOCK:  # one dump per preamble even when threads compile in parallel
        cached = cache_dir() / f"{name}.fmt"
        if not _safe_file(cached):
            if not _dump(preamble, name, build, run):
                _FAILED.add(name)
                return None
            _store(build / f"{name}.fmt", cached)
            return name
    try:
        os.link(cached, target)
    except OSError:
        shutil.copyfile(cached, target)
    return name


def _dump(preamble: str, name: str, build: Path, run) -> bool:
    (build / f"{name}.tex").write_text(preamble + BEGIN + "\n\\end{document}\n", encoding="utf-8")
    try:
        ok, _ = run(build, ["pdflatex", "-ini", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
                            f"-jobname={name}", "&pdflatex", "mylatexformat.ltx", f"{name}.tex"])
    except Exception:  # noqa: BLE001 - a failed dump only costs speed
        return False
    for suffix in (".tex", ".log"):
        (build / f"{name}{suffix}").unlink(missing_ok=True)
    return ok and (build / f"{name}.fmt").is_file()


def _store(fmt: Path, cached: Path) -> None:
    """Copy the fresh format into the cache, atomically (readers see all of it or nothing)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=cached.parent, prefix=f".{cached.name}.", suffix=".tmp")  # 0600
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as out, open(fmt, "rb") as src:
            shutil.copyfileobj(src, out)
        os.replace(tmp, cached)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
