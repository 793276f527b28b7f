"""Is a given answer equivalent to the engine's, under the declared assumptions?

Exact first: the difference simplifies to zero (bounded in time: SymPy's
``simplify`` can run for minutes on a hostile expression, so it runs in a
worker thread with a deadline and is skipped for large differences).  Then
sampling: random parameter values that respect the declared assumptions
(positivity, symmetric positive definite matrices, ...) and any ``--assume``
condition, evaluated at 30 significant digits and compared with a relative
tolerance of 1e-9, so a near miss (0.6667 for 2/3) cannot pass.  A point
where the two differ is a counterexample.  When too few admissible points can
be found, or time runs out, the verdict is "undecided", never "right".

Sets (``FiniteSet``) are compared element by element in any order; truth
values only with truth values.

>>> import sympy
>>> from symxai.symbols import SymbolDecl, SymbolTable
>>> table = SymbolTable([SymbolDecl("x"), SymbolDecl("y")])
>>> x, y = table["x"], table["y"]
>>> compare(sympy.Max(x, y), (x + y + sympy.Abs(x - y)) / 2, table).status
'right'
>>> compare(x + y, x + 2 * y, table).status
'wrong'
>>> compare(sympy.FiniteSet(x, y), sympy.FiniteSet(y, x), table).status
'right'
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np
import sympy
from sympy.logic.boolalg import BooleanAtom
from sympy.matrices.expressions.matexpr import MatrixExpr

from .numeval import evaluate, free_parameters, substitution

TOLERANCE = 1e-9
POINTS = 16
TRIES = 400
TIME_LIMIT = 5.0  # seconds per answer, exact and sampled stages together
EXACT_SHARE = 0.4  # of the time limit that exact simplification may use
EXACT_OPS = 250  # differences with more operations go straight to sampling


class OutOfTime(Exception):
    """Raised inside a comparison whose deadline has passed."""


@dataclass
class Verdict:
    status: str  # "right", "wrong", "undecided"
    how: str = ""  # "exact", "agrees at N random admissible points", the reason for "undecided"
    counterexample: dict = field(default_factory=dict)
    given_value: object = None
    expected_value: object = None


def bounded(fn, seconds: float, *args):
    """``fn(*args)`` if it returns within ``seconds``; OutOfTime otherwise.

    The worker is a daemon thread: it cannot be killed, but it is abandoned and
    never holds up the answer or the exit of the process.

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


def shape_of(value):
    if isinstance(value, (MatrixExpr, sympy.MatrixBase)):
        return tuple(value.shape)
    return ()


def _apply_equalities(expr, conditions):
    for cond in conditions:
        if isinstance(cond, sympy.Eq):
            syms = sorted(cond.free_symbols, key=lambda s: s.name)
            if syms:
                solution = sympy.solve(cond, syms[-1], dict=True)
                if solution and hasattr(expr, "xreplace"):
                    expr = expr.xreplace(solution[0])
    return expr


def holds(conditions, values: dict) -> bool:
    """Whether every (non-equality) condition is true at ``values``."""
    scalars, _ = substitution(values)
    for cond in conditions:
        if isinstance(cond, sympy.Eq):
            continue
        if cond.xreplace(scalars) not in (sympy.true, True):
            return False
    return True


def _finite(v) -> bool:
    if isinstance(v, bool):
        return True
    if isinstance(v, list):
        return all(_finite(e) for e in v)
    return bool(np.all(np.isfinite(np.asarray(v, dtype=float))))


def error(given, expected) -> float:
    """Relative error (floor 1) between two evaluated values; inf if incomparable."""
    if isinstance(given, bool) or isinstance(expected, bool):
        return 0.0 if isinstance(given, bool) and isinstance(expected, bool) and given == expected else float("inf")
    if isinstance(given, list) or isinstance(expected, list):
        if not (isinstance(given, list) and isinstance(expected, list)) or len(given) != len(expected):
            return float("inf")
        worst, left = 0.0, list(expected)
        for g in given:  # greedy matching: elements are far apart or equal
            errors = [error(g, e) for e in left]
            k = int(np.argmin(errors))
            worst = max(worst, errors[k])
            left.pop(k)
        return worst
    g, e = np.asarray(given, dtype=float).reshape(-1), np.asarray(expected, dtype=float).reshape(-1)
    if g.shape != e.shape:
        return float("inf")
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(e))):
        return 0.0 if np.array_equal(g, e) else float("inf")
    return float(np.max(np.abs(g - e) / np.maximum(1.0, np.abs(e)), initial=0.0))


def _simplifies_to_zero(diff) -> bool:
    if isinstance(diff, sympy.MatrixBase):
        return all(_simplifies_to_zero(v) for v in diff)
    if diff == 0:
        return True
    if sympy.count_ops(diff) > EXACT_OPS:
        return False
    return sympy.simplify(diff) == 0


def _exact_difference(expected, given):
    """expected - given as something ``_simplifies_to_zero`` understands, or None."""
    if isinstance(expected, sympy.FiniteSet):
        return None
    if shape_of(expected) != shape_of(given) and {shape_of(expected), shape_of(given)} <= {(), (1, 1)}:
        return None
    if shape_of(expected):
        if any(s.free_symbols for s in expected.shape):
            return None  # symbolic dimension d: only sampling can tell
        return sympy.ImmutableMatrix(expected.as_explicit()) - sympy.ImmutableMatrix(given.as_explicit())
    return expected - given


def _sets_exactly_equal(expected, given) -> bool:
    left = list(expected.args)
    for g in given.args:
        match = next((e for e in left if _simplifies_to_zero(_exact_difference(e, g))), None)
        if match is None:
            return False
        left.remove(match)
    return not left


def _mismatch(expected, given) -> str | None:
    """Why two values cannot be equal whatever the symbols are, or None."""
    e_bool, g_bool = isinstance(expected, BooleanAtom), isinstance(given, BooleanAtom)
    if e_bool or g_bool:
        if e_bool and g_bool:
            return None if expected == given else f"expected {str(expected).lower()}"
        return "expected true or false" if e_bool else "expected an expression, got a truth value"
    e_set, g_set = isinstance(expected, sympy.FiniteSet), isinstance(given, sympy.FiniteSet)
    if e_set or g_set:
        if not (e_set and g_set):
            return (f"expected a set of {len(expected)} values, e.g. {{a, b}}" if e_set
                    else "expected a single value, not a set")
        if len(expected) != len(given):
            return f"the answer is a set of {len(expected)} values, yours has {len(given)}"
        return None
    es, gs = shape_of(expected), shape_of(given)
    if {es, gs} <= {(), (1, 1)}:
        return None  # a 1x1 matrix (w^T Sigma w) meets a scalar
    if es != gs:  # (d, 1) against (1, d) differs unless d = 1: the shapes must agree as written
        return f"shape: expected {describe(expected)}, got {describe(given)}"
    return None


def compare(expected, given, symbols, conditions=(), *, sample=None, seed: int = 0,
            tolerance: float | None = None, time_limit: float | None = TIME_LIMIT,
            points: int = POINTS, exact: bool = True) -> Verdict:
    """Compare ``given`` with ``expected``; ``sample(rng)`` may replace ``symbols.sample``.

    Never raises on a strange expression: what cannot be decided within
    ``time_limit`` seconds or cannot be evaluated comes back "undecided".
    """
    reason = _mismatch(expected, given)
    if reason is not None:
        return Verdict("wrong", reason, given_value=given, expected_value=expected)
    if isinstance(expected, BooleanAtom):
        return Verdict("right", "exact")
    limit = TIME_LIMIT if time_limit is None else time_limit
    deadline = time.monotonic() + limit
    try:
        return bounded(_compare, limit, expected, given, symbols, tuple(conditions), sample, seed,
                       TOLERANCE if tolerance is None else tolerance, deadline, points, exact)
    except OutOfTime:
        return Verdict("undecided", f"no decision within {limit:g} s: the expression is too costly to "
                       "compare; simplify it and try again")
    except (ArithmeticError, TypeError, ValueError, AttributeError, NotImplementedError,
            RecursionError, IndexError, KeyError) as exc:
        return Verdict("undecided", f"the answer cannot be evaluated ({type(exc).__name__})")


def _compare(expected, given, symbols, conditions, sample, seed, tol, deadline, points, exact):
    expected = _apply_equalities(expected, conditions)
    given = _apply_equalities(given, conditions)
    if exact and not (isinstance(expected, sympy.Basic) and expected.has(sympy.Piecewise)):
        share = max(0.0, (deadline - time.monotonic()) * EXACT_SHARE)
        try:
            if isinstance(expected, sympy.FiniteSet):
                same = bounded(_sets_exactly_equal, share, expected, given)
            else:
                diff = _exact_difference(expected, given)
                same = diff is not None and bounded(_simplifies_to_zero, share, diff)
            if same:
                return Verdict("right", "exact")
        except OutOfTime:
            pass  # sampling decides
        except (TypeError, ValueError, AttributeError, NotImplementedError, RecursionError):
            pass
    free = free_parameters(expected) | free_parameters(given)
    names = {getattr(s, "name", None) for s in free}
    rng = np.random.default_rng(seed)
    draw = sample or symbols.sample
    wanted = points if free else 1
    tried = agreed = 0
    while agreed < wanted and tried < TRIES:
        if time.monotonic() > deadline:
            raise OutOfTime("sampling")
        tried += 1
        values = draw(rng) if free else {}
        if not holds(conditions, values):
            continue
        e = evaluate(expected, values)
        if not _finite(e):
            continue  # outside the answer's domain: not an admissible point
        g = evaluate(given, values)
        if not error(g, e) <= tol:
            shown = {str(k): v for k, v in values.items() if getattr(k, "name", None) in names}
            return Verdict("wrong", "sampled", shown, g, e)
        agreed += 1
    if agreed < wanted:
        return Verdict("undecided", f"only {agreed} admissible points found in {tried} tries")
    return Verdict("right", f"agrees at {agreed} random admissible points" if free else "exact value")


def describe(value) -> str:
    """'a scalar', 'a vector of length 3', 'a 2x3 matrix', 'a set of 2 values'."""
    if isinstance(value, sympy.FiniteSet):
        return f"a set of {len(value)} values"
    shape = shape_of(value)
    if not shape:
        return "a truth value" if isinstance(value, BooleanAtom) else "a scalar"
    if shape[1] == 1:
        return f"a vector of length {shape[0]}"
    return f"a {shape[0]}x{shape[1]} matrix"


_shape, _describe, _holds = shape_of, describe, holds  # names of the first version


def isolated(fn, seconds: float, *args, **kwargs):
    """``fn(*args)`` in a forked child process that is killed after ``seconds``.

    Threads cannot stop a computation that holds the interpreter lock inside
    C code (a power tower evaluated to 30 digits, a huge integer product), so
    the command line decides each answer in a child it can kill.  Raises
    OutOfTime when the child did not answer in time; where ``fork`` does not
    exist, falls back to ``bounded``.

    >>> isolated(sum, 5.0, [1, 2])
    3
    """
    import os
    import pickle
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
        raise OutOfTime("the computation was aborted (numbers too large)")
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "error":
        raise value
    return value
