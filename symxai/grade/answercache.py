"""Between-run cache of the engine's side of a ``symxai check``: what a check needs, not the verdict.

A cold ``check`` spends most of its time solving the exercise (LRP region enumeration, Taylor root
finding, the sibling parts a wrong answer may have been confused with), which gives the same result
every time for the same spec, code and SymPy.  This module keeps that result between runs:

- **What**: the correct answers and their tolerances, and (as far as
  a check has needed them) the intermediate quantities, the misconception catalogue and the sibling
  parts' answers -- as plain text in the syntax of ``symxai.expr.exprparse``.  A catalogue's laws
  (closures) are kept by label and names only: a check whose answers make a law apply computes the
  real catalogue (``CachedContext.warm``).  An exercise whose solving changes the problem's visible
  state (``check.problem_state``: a sampler's draw counter) is not cached: a hit would sample
  differently.  The symbols the grader may move are computed on every check, as on a miss (it draws
  from the method's sampler).  Verdicts and feedback are never cached: every answer is
  read and compared afresh, so a hit gives exactly the report of a miss.
- **Key**: SHA-256 of the spec file's text, the task, symxai's own code (every ``.py`` file of the
  package) and the SymPy version: an edit of either invalidates the entry.
- **Where**: ``$SYMXAI_CACHE_DIR/check``, else ``$XDG_CACHE_HOME/symxai/check`` or
  ``~/.cache/symxai/check``, created 0700; a folder not owned by this user or writable by others is
  refused (the check of ``symxai.typeset.texformat``), and then nothing is cached.
- **Trust**: each entry is JSON authenticated by an HMAC-SHA256 with a per-user key file (0600, in the
  same folder).  Its expressions are read back by the whitelist parser with the task's own symbols,
  never by pickle, eval or sympify, and a value is stored only if reading its text back gives the
  identical tree (``srepr``).  An entry that is unreadable, fails its HMAC, has another key or does not
  read back is ignored, and the check computes everything as if there were no cache.
- **Off**: ``symxai check --no-cache`` or ``SYMXAI_NO_CHECK_CACHE=1`` (the test suite sets it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from functools import lru_cache
from pathlib import Path

VERSION = 1
MAX_ENTRY = 8 * 1024 * 1024  # bytes: a larger file is not an entry of ours
PIECES = ("intermediates", "catalogue", "siblings")  # kept once a check has computed them


def enabled(no_cache: bool = False) -> bool:
    return not no_cache and os.environ.get("SYMXAI_NO_CHECK_CACHE", "") in ("", "0")


def _root() -> Path:
    base = os.environ.get("SYMXAI_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "symxai")
    return Path(base) / "check"


def folder() -> Path | None:
    """The cache folder (created 0700), or None when it cannot be used safely."""
    from symxai.typeset.texformat import _safe_dir

    path = _root()
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return path if _safe_dir(path) and _safe_dir(path.parent) else None


def _key_file(where: Path) -> bytes | None:
    """The per-user HMAC key (32 random bytes in a 0600 file), created on first use."""
    from symxai.typeset.texformat import _safe_file

    path = where / "key"
    if not path.exists():
        tmp = where / f"key.{os.getpid()}.{secrets.token_hex(4)}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(32))
            os.link(tmp, path)  # atomic: a concurrent first use keeps whichever key got there first
        except FileExistsError:
            pass
        except OSError:
            return None
        finally:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    try:
        st = os.lstat(path)
        if not _safe_file(path) or st.st_mode & 0o077:  # nobody else may read or write the key
            return None
        data = path.read_bytes()
    except OSError:
        return None
    return data if len(data) == 32 else None


@lru_cache(maxsize=1)
def code_hash() -> str:
    """SHA-256 of every .py file of the symxai package (path and content)."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def entry_key(spec_text: str, task_key: str) -> str:
    import sympy

    parts = [str(VERSION), hashlib.sha256(spec_text.encode("utf-8")).hexdigest(), task_key, code_hash(),
             sympy.__version__]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def _mac(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()


def load(spec_text: str, task_key: str) -> dict | None:
    """The authenticated entry for this spec text and task (plain JSON data), or None."""
    where = folder()
    key = _key_file(where) if where else None
    if key is None:
        return None
    name = entry_key(spec_text, task_key)
    path = where / f"{name[:40]}.json"
    try:
        if os.path.islink(path) or path.stat().st_size > MAX_ENTRY:
            return None
        outer = json.loads(path.read_text(encoding="utf-8"))
        body, mac = outer["body"], outer["mac"]
        if not (isinstance(body, str) and isinstance(mac, str) and hmac.compare_digest(_mac(key, body), mac)):
            return None
        data = json.loads(body)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("key") != name or not isinstance(data.get("answers"), dict):
        return None
    return data


def save(spec_text: str, task_key: str, data: dict) -> bool:
    """Write an entry atomically (0600); False when there is no safe folder or the write fails."""
    where = folder()
    key = _key_file(where) if where else None
    if key is None:
        return False
    name = entry_key(spec_text, task_key)
    body = json.dumps({**data, "key": name}, sort_keys=True)
    tmp = where / f".{name[:40]}.{os.getpid()}.{secrets.token_hex(4)}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"mac": _mac(key, body), "body": body}, f)
        os.replace(tmp, where / f"{name[:40]}.json")
        return True
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False


# --------------------------------------------------------------------------- expressions as text

class NotCacheable(Exception):
    """A value whose text does not read back as the identical expression."""


def to_text(value, names: dict) -> str:
    """``value`` as parser text, or NotCacheable unless reading it back gives the identical tree."""
    import sympy

    from symxai.expr.plaintext import plain

    try:
        text = plain(value)
        back = from_text(text, names)
    except Exception as exc:  # noqa: BLE001 - any failure means: keep this value out of the cache
        raise NotCacheable(str(exc)) from None
    if type(back) is not type(value) or sympy.srepr(back) != sympy.srepr(value):
        raise NotCacheable(text[:80])
    return text


def from_text(text, names: dict):
    """Read cached text by the whitelist parser (the task's own symbols, the default functions)."""
    from symxai.expr.exprparse import parse_value

    if not isinstance(text, str):
        raise ValueError("not text")
    return parse_value(text, names)


# --------------------------------------------------------------------------- the check's side

from symxai.grade.check import _TaskContext  # noqa: E402  (check.py imports this module only when checking)


def _no_residual(given):  # replaced by the real catalogue before a law is tested (CachedContext.warm)
    raise RuntimeError("a cached law has no residual")


class CachedContext(_TaskContext):
    """``_TaskContext`` from a cache entry: nothing is solved unless a piece is missing from the entry
    (then the exercise is solved once, as on a miss, and the entry is completed: ``dirty``)."""

    def __init__(self, task, data: dict):
        self.task, self.data, self.dirty = task, data, False
        self.names = task.symbols.names()
        self._intermediates = self._catalogue = self._siblings = None
        self._full = None
        answers = data["answers"]
        self._values = {n: from_text(answers[n], self.names) for n in task.answers}
        tolerances = data.get("tolerances", {})
        if not isinstance(tolerances, dict) or not all(isinstance(t, (int, float)) for t in tolerances.values()):
            raise ValueError("bad tolerances")
        self._tolerances = {str(n): float(t) for n, t in tolerances.items()}
        self._movable = None  # computed as on a miss: the method's sampler may count its draws
        self.stateful = False

    @property
    def full(self) -> _TaskContext:
        if self._full is None:
            self._full = _TaskContext(self.task)
            self.dirty = True
        return self._full

    @property
    def solution(self):
        return self.full.solution

    def answer_value(self, name):
        return self._values[name]

    def answer_tolerance(self, name):
        return self._tolerances.get(name)

    @property
    def intermediates(self) -> dict:
        if self._intermediates is None:
            cached = self.data.get("intermediates")
            if isinstance(cached, dict):
                self._intermediates = {n: (from_text(t, self.names), "") for n, t in cached.items()}
            else:
                self._intermediates = self.full.intermediates
        return self._intermediates

    @property
    def siblings(self) -> dict:
        if self._siblings is None:
            cached = self.data.get("siblings")
            if isinstance(cached, dict):
                self._siblings = {n: from_text(t, self.names) for n, t in cached.items()}
            else:
                self._siblings = self.full.siblings
        return self._siblings

    @property
    def catalogue(self) -> list:
        if self._catalogue is None:
            cached = self.data.get("catalogue")
            if isinstance(cached, list):
                self._catalogue = [_row(r, self.names) for r in cached]
            else:
                self._catalogue = self.full.catalogue
        return self._catalogue

    def warm(self, parsed=()) -> None:
        from symxai.misconceptions import Law

        if any(isinstance(r, Law) and r.residual is _no_residual and all(n in parsed for n in r.names)
               for r in self.catalogue):
            self._catalogue = self.full.catalogue  # a law applies: its residual is code, not cached text
        super().warm(parsed)


def _row(data: dict, names: dict):
    from symxai.misconceptions import Law, Misconception

    label, message = data["label"], data["message"]
    if not (isinstance(label, str) and isinstance(message, str)):
        raise ValueError("bad catalogue row")
    if data.get("law"):
        if not all(isinstance(n, str) for n in data["names"]):
            raise ValueError("bad law")
        return Law(label, message, tuple(data["names"]), _no_residual)
    return Misconception(label, message, {n: from_text(t, names) for n, t in data["values"].items()})


def context(spec_text: str, task) -> CachedContext | None:
    """The cached context of ``task``, or None (no entry, or one that is not exactly readable)."""
    data = load(spec_text, task.key)
    if data is None:
        return None
    try:
        return CachedContext(task, data)
    except Exception:  # noqa: BLE001 - whatever is wrong with an entry, the check computes it afresh
        return None


def _pieces(ctx, names: dict) -> dict:
    """What of ``ctx`` (a solved context) can be kept, as text that reads back identically."""
    from symxai.misconceptions import Law

    out = {}
    if ctx._intermediates is not None:
        try:
            out["intermediates"] = {str(n): to_text(v, names) for n, (v, _) in ctx._intermediates.items()}
        except NotCacheable:
            pass
    if ctx._siblings is not None:
        try:
            out["siblings"] = {str(n): to_text(v, names) for n, v in ctx._siblings.items()}
        except NotCacheable:
            pass
    if ctx._catalogue is not None:
        try:
            out["catalogue"] = [
                {"law": True, "label": str(r.label), "message": str(r.message), "names": [str(n) for n in r.names]}
                if isinstance(r, Law) else
                {"label": str(r.label), "message": str(r.message),
                 "values": {str(n): to_text(v, names) for n, v in r.values.items()}}
                for r in ctx._catalogue]
        except NotCacheable:
            pass
    return out


def remember(spec_text: str, task, ctx) -> bool:
    """Store what ``ctx`` computed (a miss, or a hit that had to complete its entry)."""
    if ctx.stateful:  # solving changed what the sampler draws next: a hit could not reproduce it
        return False
    if isinstance(ctx, CachedContext):
        if not ctx.dirty or ctx.full.stateful:
            return False
        data = {k: v for k, v in ctx.data.items() if k != "key"}
        if ctx._full is not None:
            data.update((k, v) for k, v in _pieces(ctx._full, ctx.names).items() if k not in data)
        return save(spec_text, task.key, data)
    names = task.symbols.names()
    try:
        answers = {str(n): to_text(ctx.solution.answers[n].value, names) for n in task.answers}
    except NotCacheable:
        return False
    tolerances = {str(n): float(a.tolerance) for n, a in ctx.solution.answers.items() if a.tolerance is not None}
    return save(spec_text, task.key, {"answers": answers, "tolerances": tolerances,
                                      **_pieces(ctx, names)})
