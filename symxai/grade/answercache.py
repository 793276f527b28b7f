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
  from the method's sampler).  Verdicts and feedback of students' answers are never cached: every
  answer is read and compared afresh, so a hit gives exactly the report of a miss.  The one exception
  is a right verdict: an answer checked alone, without ``--assume``, whose reading is exactly a tree
  (``tree_digest``) that an earlier check with the same seed found right gets that verdict (its
  ``how`` text; ``check._alone``; at most ``MAX_VERDICTS`` trees per answer, the newest): that verdict
  is a function of what keys the entry and of the tree, and no later step of such a check draws from
  the sampler.
- **Trees**: a value whose printed text does not read back as the identical tree (a general
  formula's own symbols such as Taylor's ``x_i``, an unevaluated ``-a*(b - a)``) is kept as nested
  JSON lists naming whitelisted classes only, rebuilt with its exact arguments (``to_tree``).
- **Lazy build**: an entry keeps the task's answer names in order, so that a hit loads the spec
  without building its exercise (``spec.LazyTask``): a check of the engine's own tree never builds it,
  any other check builds it on first use, as a miss does.
- **Key**: SHA-256 of the spec file's text, the task, symxai's own code (every ``.py`` file of the
  package) and the SymPy version: an edit of either invalidates the entry.
- **Where**: ``$SYMXAI_CACHE_DIR/check``, else ``$XDG_CACHE_HOME/symxai/check`` or
  ``~/.cache/symxai/check``, created 0700; a folder not owned by this user or writable by others is
  refused (the check of ``symxai.typeset.texformat``), and then nothing is cached.
- **Trust**: each entry is JSON authenticated by an HMAC-SHA256 with a per-user key file (0600, in the
  same folder).  Its expressions are read back by the whitelist parser with the task's own symbols,
  never by pickle, eval or sympify, and a value is stored only if reading its text back gives the
  identical tree (``same_tree``).  An entry that is unreadable, fails its HMAC, has another key or does not
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
MAX_VERDICTS = 16  # right verdicts kept per answer (the trees most recently found right)


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


def tree_key(value):
    """The exact tree of ``value``: class and arguments at every node, in their stored order (stricter
    than ``==`` of SymPy, which sorts nothing but may equate classes of numbers, and than ``srepr``,
    which sorts factors and terms); a plain Symbol by name and assumptions as a set (``srepr``
    prints them in the order they were given, which two equal symbols need not share).

    >>> import sympy
    >>> a, b = sympy.Symbol("a", real=True, positive=True), sympy.Symbol("a", positive=True, real=True)
    >>> sympy.srepr(a) == sympy.srepr(b), tree_key(a) == tree_key(b)
    (False, True)
    >>> x = sympy.Symbol("x")
    >>> tree_key(sympy.Add(x, 1, evaluate=False)) == tree_key(sympy.Add(1, x, evaluate=False))
    False
    """
    import sympy

    if not isinstance(value, sympy.Basic):
        return ("plain", type(value).__name__, repr(value))
    if type(value) is sympy.Symbol:
        return ("Symbol", value.name, tuple(sorted(value._assumptions_orig.items())))
    if not value.args:
        return (type(value).__name__, sympy.srepr(value))
    return (type(value).__name__, tuple(tree_key(a) for a in value.args))


def same_tree(a, b) -> bool:
    return type(a) is type(b) and tree_key(a) == tree_key(b)


def tree_digest(value) -> str:
    """A digest of ``value``'s exact tree (:func:`tree_key`): the key of a kept right verdict.

    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> tree_digest(2*(x - 1)) == tree_digest(sympy.Mul(2, x - 1, evaluate=False))
    False
    """
    return hashlib.sha256(repr((type(value).__name__, tree_key(value))).encode("utf-8")).hexdigest()[:32]


def to_text(value, names: dict):
    """``value`` as parser text, else as a tree (:func:`to_tree`: a value whose printed text reads
    back as another tree, such as an unevaluated ``-a*(b - a)`` or a general formula's own symbols),
    or NotCacheable unless reading it back gives the identical tree."""
    import sympy

    from symxai.expr.plaintext import plain

    try:
        text = plain(value)
        back = from_text(text, names)
        if not same_tree(back, value):
            raise NotCacheable(text[:80])
        return text
    except Exception:  # noqa: BLE001 - any failure means: try the tree, else keep it out of the cache
        pass
    return to_tree(value)


def from_text(text, names: dict):
    """Read cached text by the whitelist parser (the task's own symbols, the default functions), or a
    cached tree (a JSON list) by :func:`from_tree`."""
    from symxai.expr.exprparse import parse_value

    if isinstance(text, list):
        return from_tree(text)
    if not isinstance(text, str):
        raise ValueError("not text")
    return parse_value(text, names)


# --------------------------------------------------------------------------- expressions as trees

# The classes a cached tree may name: SymPy's, by their name in the ``sympy`` namespace, and symxai's
# own functions, by module.  Nothing else is ever constructed (no eval, no pickle, no sympify).
_SYMPY_CLASSES = frozenset("""
    Add Mul Pow Piecewise And Or Not Xor Equality Unequality StrictLessThan LessThan
    StrictGreaterThan GreaterThan exp log Abs sign Heaviside Min Max sin cos tan sinh cosh tanh asin
    acos atan atan2 erf erfc floor ceiling re im conjugate factorial binomial DiracDelta KroneckerDelta
    MatAdd MatMul MatPow HadamardProduct Transpose Inverse Identity ZeroMatrix OneMatrix MatrixSymbol
    Trace Determinant FiniteSet Tuple Interval Union Intersection Complement""".split())
_OWN_CLASSES = {
    "Norm": "symxai.methods.expansion.radial",
    "SqNorm": "symxai.methods.prototypes.activation_max",
    "Form": "symxai.methods.prototypes.activation_max",
    "LogNormal": "symxai.methods.prototypes.activation_max",
    "Phi": "symxai.expr.exprfuncs",
    "ExprCondPair": "sympy.functions.elementary.piecewise",  # SymPy's, not in its top namespace
}
_SINGLETONS = frozenset("""Pi Exp1 ImaginaryUnit Infinity NegativeInfinity ComplexInfinity NaN
    EulerGamma GoldenRatio EmptySet Reals Integers Naturals Naturals0 UniversalSet""".split())
MAX_NODES = 200_000  # a tree with more nodes is not an entry of ours


def _class(name: str):
    import importlib

    import sympy

    if name in _OWN_CLASSES:
        cls = getattr(importlib.import_module(_OWN_CLASSES[name]), name)
    elif name in _SYMPY_CLASSES:
        cls = getattr(sympy, name)
    else:
        raise ValueError(f"not a class of a cached tree: {name[:40]!r}")
    if cls.__name__ != name:
        raise ValueError(f"{name} is an alias")
    return cls


def to_tree(value) -> list:
    """``value`` as nested JSON lists that :func:`from_tree` rebuilds with its exact arguments (no
    evaluation), or NotCacheable unless the rebuilt tree is identical (``same_tree``)."""
    import sympy

    def enc(e):
        t = type(e)
        if isinstance(e, sympy.Integer):
            return ["Integer", str(int(e))]
        if isinstance(e, sympy.Rational):
            return ["Rational", str(e.p), str(e.q)]
        if t is sympy.Symbol:
            kw = e._assumptions_orig
            if not all(isinstance(k, str) and isinstance(v, bool) for k, v in kw.items()):
                raise NotCacheable(f"symbol {e}")
            return ["Symbol", e.name, dict(kw)]
        if t is sympy.core.symbol.Str:
            return ["Str", e.name]
        if e is sympy.true or e is sympy.false:
            return ["Bool", bool(e)]
        if t.__name__ in _SINGLETONS and getattr(sympy.S, t.__name__, None) is e:
            return ["S", t.__name__]
        if t is sympy.ImmutableDenseMatrix:
            return ["Matrix", e.rows, e.cols, [enc(x) for x in e]]
        if isinstance(e, sympy.Basic) and t.__name__ in _SYMPY_CLASSES | set(_OWN_CLASSES) \
                and _class(t.__name__) is t:
            return ["F", t.__name__, [enc(a) for a in e.args]]
        raise NotCacheable(f"a {t.__name__} is not kept in the cache")

    try:
        tree = enc(value)
        back = from_tree(tree)
    except NotCacheable:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure means: keep this value out of the cache
        raise NotCacheable(str(exc)[:80]) from None
    if not same_tree(back, value):
        raise NotCacheable(f"{type(value).__name__} does not rebuild identically")
    return tree


def from_tree(tree: list):
    """Rebuild a :func:`to_tree` tree: only the classes named above, with the arguments as stored."""
    import sympy

    count = [0]

    def dec(node):
        count[0] += 1
        if count[0] > MAX_NODES or not isinstance(node, list) or not node or not isinstance(node[0], str):
            raise ValueError("not a cached tree")
        kind, rest = node[0], node[1:]
        if kind == "Integer" and len(rest) == 1 and isinstance(rest[0], str) and len(rest[0]) < 2000:
            return sympy.Integer(int(rest[0]))
        if kind == "Rational" and len(rest) == 2 and all(isinstance(r, str) and len(r) < 2000 for r in rest):
            return sympy.Rational(int(rest[0]), int(rest[1]))
        if kind == "Symbol" and len(rest) == 2 and isinstance(rest[0], str) and isinstance(rest[1], dict) \
                and all(isinstance(v, bool) for v in rest[1].values()):
            return sympy.Symbol(rest[0], **rest[1])
        if kind == "Str" and len(rest) == 1 and isinstance(rest[0], str):
            return sympy.core.symbol.Str(rest[0])
        if kind == "Bool" and len(rest) == 1 and isinstance(rest[0], bool):
            return sympy.true if rest[0] else sympy.false
        if kind == "S" and len(rest) == 1 and rest[0] in _SINGLETONS:
            return getattr(sympy.S, rest[0])
        if kind == "Matrix" and len(rest) == 3 and all(isinstance(n, int) and n >= 0 for n in rest[:2]) \
                and isinstance(rest[2], list) and len(rest[2]) == rest[0] * rest[1]:
            return sympy.ImmutableDenseMatrix(rest[0], rest[1], [dec(x) for x in rest[2]])
        if kind == "F" and len(rest) == 2 and isinstance(rest[0], str) and isinstance(rest[1], list):
            cls, args = _class(rest[0]), [dec(a) for a in rest[1]]
            try:
                return cls(*args, evaluate=False)
            except TypeError:  # a class whose constructor takes no ``evaluate`` (it does not evaluate)
                return cls(*args)
        raise ValueError("not a cached tree")

    return dec(tree)


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
        self._verdicts = {}
        known = data.get("verdicts", {})
        if not isinstance(known, dict) or not all(
                isinstance(vs, list) and all(isinstance(v, dict) and type(v.get("seed")) is int and
                                             isinstance(v.get("how"), str) and isinstance(v.get("tree"), str)
                                             for v in vs)
                for vs in known.values()):
            raise ValueError("bad verdicts")
        self._known = known
        self._verdicts = {n: list(vs) for n, vs in known.items()}

    def right_verdict(self, name, seed, value):
        from symxai.grade.equivalence import Verdict

        tree = tree_digest(value)
        for kept in self._known.get(str(name), []):
            if kept["tree"] == tree and kept["seed"] == seed:
                return Verdict("right", kept["how"])
        return None

    def note_right(self, name, seed, verdict, value) -> None:
        before = [dict(v) for v in self._verdicts.get(str(name), [])]
        super().note_right(name, seed, verdict, value)
        if self._verdicts.get(str(name), []) != before:
            self.dirty = True

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


def context(spec_text: str, task, data: dict | None = None) -> CachedContext | None:
    """The cached context of ``task``, or None (no entry, or one that is not exactly readable).
    ``data``: its entry when already loaded (``load(spec_text, task.key)``)."""
    data = data if data is not None else load(spec_text, task.key)
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
        if not ctx.dirty or (ctx._full is not None and ctx._full.stateful):
            return False
        data = {k: v for k, v in ctx.data.items() if k != "key"}
        if ctx._full is not None:
            data.update((k, v) for k, v in _pieces(ctx._full, ctx.names).items() if k not in data)
        if ctx._verdicts:
            data["verdicts"] = {**ctx._known, **ctx._verdicts}  # (_verdicts starts as a copy of _known)
        return save(spec_text, task.key, data)
    names = task.symbols.names()
    try:
        answers = {str(n): to_text(ctx.solution.answers[n].value, names) for n in task.answers}
    except NotCacheable:
        return False
    tolerances = {str(n): float(a.tolerance) for n, a in ctx.solution.answers.items() if a.tolerance is not None}
    kept = {"verdicts": dict(ctx._verdicts)} if ctx._verdicts else {}
    return save(spec_text, task.key, {"answers": answers, "order": [str(n) for n in task.answers],
                                      "tolerances": tolerances, **_pieces(ctx, names), **kept})


def order(data: dict | None) -> list | None:
    """The task's answer names in their order, as the entry keeps them (``spec.LazyTask``), or None."""
    names = (data or {}).get("order")
    if isinstance(names, list) and names and all(isinstance(n, str) for n in names) \
            and set(names) == set(data["answers"]) and len(set(names)) == len(names):
        return names
    return None
