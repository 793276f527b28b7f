"""Running one costly step in a child process that can be killed, and getting back only plain data.

A thread cannot stop a computation that holds the interpreter lock inside C
code (a power tower evaluated to 30 digits, a huge integer product); a forked
child can be killed.  What comes back is unpickled by a restricted unpickler
that accepts only plain data (numbers, text, lists, dicts, numpy arrays, and
symxai's own small result records): rebuilding a SymPy tree from a pickle
re-runs SymPy's constructors and can take exponential time (a tower of 16
logarithms: minutes), so a child must never send one.

>>> isolated(sum, 5.0, [1, 2])
3
>>> isolated(lambda: __import__("sympy").Symbol("x"), 5.0)
Traceback (most recent call last):
...
symxai.grade.isolate.NotPlain: a child process sent back sympy.core.symbol.Symbol, not plain data
"""

from __future__ import annotations

import io
import pickle
import threading
import time

GUARD = 60.0  # seconds: the last guard against a runaway computation, never the way a verdict is decided


class OutOfTime(Exception):
    """The step did not finish within its (generous) wall-clock guard."""


class NotPlain(Exception):
    """A child tried to send back something that is not plain data."""


_PLAIN = {
    ("builtins", n) for n in ("list", "dict", "tuple", "set", "frozenset", "str", "bytes", "int", "float",
                              "complex", "bool", "NoneType", "ValueError", "TypeError", "ArithmeticError",
                              "ZeroDivisionError", "OverflowError", "RuntimeError", "RecursionError",
                              "KeyError", "IndexError", "AttributeError", "NotImplementedError",
                              "MemoryError", "Exception")
} | {("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "_reconstruct"),
     ("numpy._core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "scalar"),
     ("numpy._core.multiarray", "scalar"), ("fractions", "Fraction"), ("copyreg", "_reconstructor"),
     ("builtins", "object")}
_PLAIN_MODULES = ("symxai.errors", "symxai.grade.equivalence", "symxai.grade.feedback", "symxai.grade.isolate", "symxai.grade.grading")


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _PLAIN or (module in _PLAIN_MODULES and not name.startswith("_")):
            return super().find_class(module, name)
        raise NotPlain(f"a child process sent back {module}.{name}, not plain data")


def loads_plain(data: bytes):
    """``pickle.loads`` restricted to plain data (see the module docstring)."""
    return _PlainUnpickler(io.BytesIO(data)).load()


def bounded(fn, seconds: float, *args):
    """``fn(*args)`` in a daemon thread if it returns within ``seconds``; OutOfTime otherwise (the thread
    is abandoned).  Only a fallback where ``fork`` does not exist.

    >>> bounded(sum, 1.0, [1, 2])
    3
    """
    box: dict = {}

    def run():
        try:
            box["value"] = fn(*args)
        except BaseException as exc:  # handed to the caller's thread, re-raised there
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(max(seconds, 0.0))
    if worker.is_alive():
        raise OutOfTime(f"no result within {seconds:.3g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def isolated(fn, seconds: float, *args, **kwargs):
    """``fn(*args, **kwargs)`` in a forked child that is killed after ``seconds``; its result must be
    plain data.  Raises OutOfTime when the child did not answer in time, NotPlain when it sent
    something else; an exception in the child is re-raised here (as plain data)."""
    import os
    import select
    import signal

    if not hasattr(os, "fork"):
        return bounded(lambda: fn(*args, **kwargs), seconds)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: compute, send, leave without running the parent's exit handlers
        os.close(read)
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 2)  # libraries that abort (gmp overflow) would print into the student's terminal
        import faulthandler
        faulthandler.disable()  # its own copy of stderr (pytest enables it) would report that abort too
        try:
            try:
                payload = pickle.dumps(("ok", fn(*args, **kwargs)))
            except BaseException as exc:  # reported to the parent, which decides what it means
                try:
                    payload = pickle.dumps(("error", exc))
                    loads_plain(payload)
                except Exception:
                    payload = pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
            with os.fdopen(write, "wb") as out:
                out.write(payload)
        finally:
            os._exit(0)
    os.close(write)
    deadline = time.monotonic() + max(seconds, 0.0)
    chunks, finished = [], False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read], [], [], left)[0]:
                break
            chunk = os.read(read, 1 << 16)
            if not chunk:
                finished = True
                break
            chunks.append(chunk)
    finally:
        os.close(read)
        if not finished:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if not finished:
        raise OutOfTime(f"no result within {seconds:.3g} s")
    if not chunks:
        raise RuntimeError("the computation was aborted (numbers too large)")
    kind, value = loads_plain(b"".join(chunks))
    if kind == "error":
        raise value
    return value
