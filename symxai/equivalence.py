"""Is a given answer equivalent to the engine's, under the declared assumptions?

Exact first: the difference simplifies to zero.  Then sampling: random
parameter values that respect the declared assumptions and any ``--assume``
condition, compared at 30 significant digits with a relative tolerance of
1e-9, so a near miss cannot pass.  A point where the two differ is a
counterexample.  When too few admissible points can be found the verdict is
"undecided", never "right".

>>> import sympy
>>> from symxai.symbols import SymbolDecl, SymbolTable
>>> table = SymbolTable([SymbolDecl("x"), SymbolDecl("y")])
>>> x, y = table["x"], table["y"]
>>> compare(sympy.Max(x, y), (x + y + sympy.Abs(x - y)) / 2, table).status
'right'
>>> compare(x + y, x + 2 * y, table).status
'wrong'
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from .numeval import evaluate, free_parameters, substitution

TOLERANCE = 1e-9
POINTS = 16
TRIES = 400


@dataclass
class Verdict:
    status: str  # "right", "wrong", "undecided"
    how: str = ""  # "exact", "sampled at N points", the reason for "undecided"
    counterexample: dict = field(default_factory=dict)
    given_value: object = None
    expected_value: object = None


def _shape(value):
    if isinstance(value, (MatrixExpr, sympy.MatrixBase)):
        return tuple(value.shape)
    return ()


def _apply_equalities(expr, conditions):
    for cond in conditions:
        if isinstance(cond, sympy.Eq):
            syms = sorted(cond.free_symbols, key=lambda s: s.name)
            if syms:
                solution = sympy.solve(cond, syms[0], dict=True)
                if solution:
                    expr = expr.xreplace(solution[0]) if hasattr(expr, "xreplace") else expr
    return expr


def _holds(conditions, values: dict) -> bool:
    scalars, _ = substitution(values)
    for cond in conditions:
        if isinstance(cond, sympy.Eq):
            continue
        truth = cond.xreplace(scalars)
        if truth not in (sympy.true, True):
            return False
    return True


def _differ(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) != bool(b)
    a, b = np.asarray(a, dtype=float).reshape(-1), np.asarray(b, dtype=float).reshape(-1)
    if a.shape != b.shape:
        return True
    if np.any(np.isnan(a)) or np.any(np.isnan(b)):
        return not np.array_equal(np.isnan(a), np.isnan(b))
    return bool(np.any(np.abs(a - b) > TOLERANCE * np.maximum(1.0, np.abs(b))))


def _exactly_equal(expected, given) -> bool:
    try:
        if _shape(expected):
            diff = (sympy.ImmutableMatrix(expected.as_explicit()) - sympy.ImmutableMatrix(given.as_explicit())
                    if all(not s.free_symbols for s in expected.shape) else None)
            return diff is not None and diff.applyfunc(sympy.simplify).is_zero_matrix is True
        return sympy.simplify(expected - given) == 0
    except (TypeError, ValueError, AttributeError, NotImplementedError):
        return False


def compare(expected, given, symbols, conditions=(), *, sample=None, seed: int = 0) -> Verdict:
    """Compare ``given`` with ``expected``; ``sample(rng)`` may replace ``symbols.sample``."""
    if isinstance(expected, sympy.logic.boolalg.BooleanAtom) or isinstance(given, sympy.logic.boolalg.BooleanAtom):
        same = expected == given
        return Verdict("right" if same else "wrong", "exact", given_value=given, expected_value=expected)
    if _shape(expected) != _shape(given):
        if not (_shape(expected) and _shape(given)) or any(
                sympy.sympify(a - b).is_nonzero for a, b in zip(_shape(expected), _shape(given))):
            return Verdict("wrong", f"shape: expected {_describe(expected)}, got {_describe(given)}",
                           given_value=given, expected_value=expected)
    expected = _apply_equalities(expected, conditions)
    given = _apply_equalities(given, conditions)
    only_eq = all(isinstance(c, sympy.Eq) for c in conditions)
    if only_eq and not isinstance(expected, sympy.Piecewise) and _exactly_equal(expected, given):
        return Verdict("right", "exact")
    free = free_parameters(expected) | free_parameters(given)
    rng = np.random.default_rng(seed)
    draw = sample or symbols.sample
    tried = agreed = 0
    while agreed < (POINTS if free else 1) and tried < TRIES:
        tried += 1
        values = draw(rng) if free else {}
        if not _holds(conditions, values):
            continue
        e, g = evaluate(expected, values), evaluate(given, values)
        if _differ(g, e):
            shown = {str(k): v for k, v in values.items() if k in free or getattr(k, "name", None) in
                     {getattr(s, "name", None) for s in free}}
            return Verdict("wrong", "sampled", shown, g, e)
        agreed += 1
    if agreed < (POINTS if free else 1):
        return Verdict("undecided", f"only {agreed} admissible points found in {tried} tries")
    return Verdict("right", f"agrees at {agreed} random admissible points" if free else "exact value")


def _describe(value) -> str:
    shape = _shape(value)
    if not shape:
        return "a scalar"
    if shape[1] == 1:
        return f"a vector of length {shape[0]}"
    return f"a {shape[0]}x{shape[1]} matrix"
