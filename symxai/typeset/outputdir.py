"""Whole-build atomic output folders.

A build never writes into the files a reader sees.  The layout of an output
folder ``OUT`` is::

    OUT/<entry>              -> .symxai/current/<entry>   (a symlink per sheet or file)
    OUT/.symxai/current      -> v-<stamp>                  (the one switch)
    OUT/.symxai/v-<stamp>/   the published version: every entry, complete
    OUT/.symxai/lock         held (flock) while a run writes into OUT

A run takes the lock (a second run into the same folder is refused at once
with :class:`OutputBusy`, exit status 2), removes what earlier killed runs
left (``.staging-*`` folders, versions no longer current, dangling links),
writes every entry into ``.symxai/.staging-*``, hard-links the entries of the
current version it does not rebuild, renames the staging folder to a fresh
``v-<stamp>`` and then replaces the ``current`` link with one
``rename(2)``.  A reader, or a run killed at any moment, sees either the old
version or the new one, never a mix.  See docs/output.md.

>>> import tempfile
>>> out = Path(tempfile.mkdtemp())
>>> with publish(out) as stage:
...     _ = (stage.path / "sheet").mkdir(), (stage.path / "sheet" / "a.tex").write_text("new")
>>> (out / "sheet" / "a.tex").read_text(), sorted(p.name for p in out.iterdir())
('new', ['.symxai', 'sheet'])
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from symxai.errors import SymxaiError

META = ".symxai"
CURRENT = "current"
LOCK = "lock"


class OutputBusy(SymxaiError):
    """Raised when another symxai run holds the lock of an output folder (exit status 2)."""


class OutputError(SymxaiError):
    """Raised when the output folder cannot be used (it is a file, or not writable)."""


@dataclass
class Staging:
    """The folder a run writes into, and the public folder its entries will appear in."""

    path: Path
    out: Path
    written: list[Path] = field(default_factory=list)

    def public(self, staged: Path) -> Path:
        """Where a file written at ``staged`` (inside :attr:`path`) is seen after the switch."""
        return self.out / Path(staged).relative_to(self.path)


@contextmanager
def locked(out) -> "object":
    """Hold the lock of output folder ``out`` (created if missing); OutputBusy if taken."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"output folder {out} is a file, not a folder")
    meta = out / META
    try:
        meta.mkdir(parents=True, exist_ok=True)
        fd = os.open(meta / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"cannot use output folder {out}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            raise OutputBusy(f"another symxai run (pid {holder}) is writing into {out}; "
                             "nothing was written: run again when it has finished") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield meta
    finally:
        os.close(fd)  # releases the flock (the kernel releases it on kill -9 too)


@contextmanager
def publish(out):
    """Lock ``out``, clean leftovers, yield a :class:`Staging`; on success switch it in.

    Every top-level entry (file or folder) of the staging folder replaces the
    entry of that name; other published entries are kept.  On an exception
    nothing visible changes and the staging folder is removed.
    """
    out = Path(out)
    with locked(out) as meta:
        clean(out)
        stage = Path(_fresh(meta, ".staging-"))
        stage.mkdir()
        staging = Staging(stage, out)
        try:
            yield staging
            _commit(out, meta, stage)
        finally:
            if stage.exists():
                shutil.rmtree(stage, ignore_errors=True)


def current_version(out) -> Path | None:
    """The folder of the published version of ``out``, or None before the first run."""
    link = Path(out) / META / CURRENT
    try:
        target = os.readlink(link)
    except OSError:
        return None
    version = link.parent / target
    return version if version.is_dir() else None


def clean(out) -> list[Path]:
    """Remove what killed runs left in ``out``: staging folders, old versions, dangling links.

    Call it only while holding the lock; returns what was removed.
    """
    out, removed = Path(out), []
    meta = out / META
    keep = current_version(out)
    if meta.is_dir():
        for p in meta.iterdir():
            if p.name in (LOCK, CURRENT) or (keep is not None and p.name == keep.name):
                continue
            _remove(p)
            removed.append(p)
    for p in list(out.iterdir()) if out.is_dir() else []:
        if p.name.startswith(".symxai-link-"):  # a link a killed run had not put in place
            p.unlink(missing_ok=True)
            removed.append(p)
        elif p.name.startswith(".staging-"):  # left by symxai versions before this layout
            _remove(p)
            removed.append(p)
        elif p.is_symlink() and _ours(p) and not p.exists():
            p.unlink()
            removed.append(p)
        elif p.is_dir() and not p.is_symlink():
            for q in p.glob(".staging-*"):
                _remove(q)
                removed.append(q)
    return removed


def _commit(out: Path, meta: Path, stage: Path) -> None:
    names = sorted(p.name for p in stage.iterdir())
    _adopt_legacy(out, meta, [n for n in names if _is_legacy(out / n)])
    old = current_version(out)
    if old is not None:  # keep the published entries this run does not rebuild
        for p in old.iterdir():
            if not (stage / p.name).exists() and not p.name.startswith("."):
                _link_copy(p, stage / p.name)
    _fsync_tree(stage)
    version = Path(_fresh(meta, "v-"))
    os.rename(stage, version)
    for name in names:  # links first: until the switch a new one dangles (clean() removes it)
        _ensure_link(out, meta, name)
    _switch(meta, version.name)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _switch(meta: Path, target: str) -> None:
    """Point ``meta/current`` at ``target`` with one rename (the commit point)."""
    tmp = Path(_fresh(meta, ".current-"))
    os.symlink(target, tmp)
    os.replace(tmp, meta / CURRENT)
    _fsync_dir(meta)


def _ensure_link(out: Path, meta: Path, name: str) -> None:
    link = out / name
    want = f"{META}/{CURRENT}/{name}"
    if link.is_symlink() and os.readlink(link) == want:
        return
    tmp = Path(_fresh(out, ".symxai-link-"))
    os.symlink(want, tmp)
    os.replace(tmp, link)


def _is_legacy(path: Path) -> bool:
    """A real file or folder where this layout puts a link (written by an older symxai)."""
    return path.exists() and not path.is_symlink()


def _adopt_legacy(out: Path, meta: Path, names: list[str]) -> None:
    """Publish real entries as a version of their own, then swap each for its link.

    Every step shows the same (old) content, so a kill here leaves the old output.
    """
    if not names:
        return
    old = current_version(out)
    stage = Path(_fresh(meta, ".staging-"))
    stage.mkdir()
    if old is not None:
        for p in old.iterdir():
            _link_copy(p, stage / p.name)
    for name in names:
        if (stage / name).exists():
            _remove(stage / name)
        _link_copy(out / name, stage / name)
    version = Path(_fresh(meta, "v-"))
    os.rename(stage, version)
    _switch(meta, version.name)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    for name in names:
        tmp = Path(_fresh(out, ".symxai-link-"))
        os.symlink(f"{META}/{CURRENT}/{name}", tmp)
        if _exchange(tmp, out / name):
            _remove(tmp)  # now the real entry
        else:  # no RENAME_EXCHANGE: two renames, the entry is missing in between
            trash = Path(_fresh(meta, ".staging-legacy-"))
            os.rename(out / name, trash)
            os.rename(tmp, out / name)
            _remove(trash)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    if ctypes.get_errno() in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))


def _ours(link: Path) -> bool:
    try:
        return os.readlink(link).startswith(f"{META}/{CURRENT}/")
    except OSError:
        return False


def _link_copy(src: Path, dst: Path) -> None:
    """Copy ``src`` (file or tree) to ``dst`` with hard links where the file system allows."""
    src = src.resolve() if src.is_symlink() else src

    def link(a, b):
        try:
            os.link(a, b)
        except OSError:
            shutil.copy2(a, b)

    if src.is_dir():
        shutil.copytree(src, dst, copy_function=link, symlinks=True)
    else:
        link(src, dst)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _fresh(folder: Path, prefix: str) -> str:
    """A name in ``folder`` that no process has used: prefix, time and pid."""
    return str(folder / f"{prefix}{time.time_ns():x}-{os.getpid()}")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for folder, _, _ in os.walk(root):
        _fsync_dir(Path(folder))
