"""Degenerate variants, rejected by default: a dead network, all answers zero, a pole inside the domain.

A variant can pass every declared constraint and still be useless as an
exercise: a generated ReLU network whose output is zero on the whole input
domain (nothing to explain), answers that are all zero, or an answer that is
infinite or undefined somewhere inside the domain of its symbols.  The
reason is counted in the batch's rejection summary like a failed constraint.

>>> import sympy
>>> x = sympy.Symbol("x", nonnegative=True)
>>> all_zero({"a": sympy.Integer(0), "b": sympy.zeros(2, 1)}), all_zero({"a": x})
(True, False)
>>> has_pole({"r": 1 / (x - 2)}), has_pole({"r": x / (x + 1)})
(True, False)
>>> dead_network([sympy.ImmutableMatrix([[-1, -2]]), sympy.ImmutableMatrix([[3]])], nonnegative=True)
True
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy

DEAD = "degenerate: dead network"
ZERO = "degenerate: all answers zero"
POLE = "degenerate: pole inside the domain"


def _zero(v) -> bool:
    if isinstance(v, sympy.MatrixBase):
        return all(_zero(x) for x in v)
    if isinstance(v, (list, tuple)):
        return all(_zero(x) for x in v)
    if isinstance(v, bool) or v in (sympy.true, sympy.false):
        return False
    try:
        return bool(sympy.sympify(v) == 0) or sympy.simplify(v) == 0
    except (TypeError, sympy.SympifyError):
        return False


def all_zero(answers: dict) -> bool:
    """True when there are answers and every one is zero (scalars, vectors, matrices)."""
    return bool(answers) and all(_zero(v) for v in answers.values())


def _lattice(symbols: list, limit: int = 40) -> list[dict]:
    ranges = []
    for s in symbols:
        lo = 1 if s.is_positive else 0 if s.is_nonnegative else -3
        ranges.append(range(lo, lo + 4) if lo >= 0 else range(-3, 4))
    points = list(itertools.product(*ranges))
    if len(points) > limit:
        rng = np.random.default_rng(0)
        points = [points[i] for i in sorted(rng.choice(len(points), size=limit, replace=False))]
    return [{s: sympy.Integer(v) for s, v in zip(symbols, p)} for p in points]


def _bad(x) -> bool:
    return x.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) or (x.is_number and x.is_finite is False)


def has_pole(answers: dict) -> bool:
    """True when an answer is infinite or undefined at a lattice point of its symbols' domain."""
    for v in answers.values():
        if not isinstance(v, sympy.Basic) or isinstance(v, sympy.MatrixBase):
            continue
        if _bad(v):
            return True
        free = sorted((s for s in v.free_symbols if isinstance(s, sympy.Symbol)), key=lambda s: s.name)
        for point in _lattice(free) if free else []:
            try:
                if _bad(v.subs(point)):
                    return True
            except (ZeroDivisionError, TypeError):
                return True
    return False


def _relu_network(value) -> bool:
    if not isinstance(value, list) or not value or not all(isinstance(w, sympy.MatrixBase) for w in value):
        return False
    return all(a.shape[0] == b.shape[1] for a, b in zip(value, value[1:]))


def dead_network(layers: list, *, nonnegative: bool, samples: int = 64) -> bool:
    """True when the ReLU network (weights ``[W1, ..., WL]``, no biases) outputs 0 at every sampled input."""
    rng = np.random.default_rng(0)
    n = layers[0].shape[1]
    xs = rng.uniform(0 if nonnegative else -3, 3, size=(samples, n))
    ws = [np.array(w.tolist(), dtype=float) for w in layers]
    for x in xs:
        a = x
        for k, w in enumerate(ws):
            a = w @ a
            if k < len(ws) - 1:
                a = np.maximum(a, 0)
        if np.any(np.abs(a) > 1e-12):
            return False
    return True


def degenerate_reason(rs, values: dict, answers: dict) -> str | None:
    """The degeneracy of a candidate (its generated values and exact answers), or None."""
    symbols = list(rs.symbols.values())
    nonneg = bool(symbols) and all(getattr(s, "is_nonnegative", False) for s in symbols if isinstance(s, sympy.Symbol))
    for v in values.values():
        if _relu_network(v) and dead_network(v, nonnegative=nonneg):
            return DEAD
    if all_zero(answers):
        return ZERO
    if has_pole(answers):
        return POLE
    return None
