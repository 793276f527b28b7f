"""Numeric values of SymPy answers at given parameter values.

Used to compare engine answers with numeric references and student answers
with engine answers: scalars become floats, matrices numpy arrays, booleans
bools, finite sets lists.  Matrix symbols whose shape holds a dimension
symbol (d) are resized to the sampled dimension first.

>>> import sympy
>>> x = sympy.Symbol("x")
>>> evaluate(sympy.Max(x, 1) / 2, {x: 3.0})
1.5
"""

from __future__ import annotations

import numpy as np
import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr


def free_parameters(value) -> set:
    """Scalar symbols and matrix symbols a value depends on."""
    if isinstance(value, (bool, int, float)):
        return set()
    value = sympy.sympify(value)
    out = set(value.free_symbols)
    out |= set(value.atoms(sympy.MatrixSymbol))
    return out


def substitution(values: dict) -> tuple[dict, dict]:
    scalars, matrices = {}, {}
    for key, v in values.items():
        if isinstance(key, sympy.MatrixSymbol):
            matrices[key] = np.asarray(v, dtype=float)
        elif isinstance(v, (bool, np.bool_)):
            scalars[key] = sympy.true if v else sympy.false
        elif isinstance(v, (int, np.integer)):
            scalars[key] = sympy.Integer(int(v))
        else:
            scalars[key] = sympy.Float(float(v), 30)
    resized = {}
    for m, arr in matrices.items():
        shaped = sympy.MatrixSymbol(m.name, *[sympy.sympify(s).xreplace(scalars) for s in m.shape])
        resized[m] = shaped
        resized[shaped] = sympy.ImmutableMatrix(arr.reshape(shaped.shape) if arr.ndim == 1 else arr)
    return scalars, resized


def _branch(expr, scalars):
    """The piece of a top-level Piecewise that holds at ``scalars``: substituting into every piece of a
    many-region answer (LRP) costs as much as the pieces together, the conditions are small.

    >>> x = sympy.Symbol("x")
    >>> _branch(sympy.Piecewise((x, x > 0), (-x, True)), {x: sympy.Integer(-2)})
    -x
    """
    while isinstance(expr, sympy.Piecewise):
        for piece, cond in expr.args:
            holds = cond if isinstance(cond, bool) else cond.xreplace(scalars)
            if holds not in (sympy.true, sympy.false, True, False):
                return expr  # the condition depends on something not given: leave it to xreplace
            if holds:
                expr = piece
                break
        else:
            return sympy.nan
    return expr


def evaluate(value, values: dict):
    """``value`` with ``values`` substituted, as a float, ndarray, bool or list."""
    if isinstance(value, (sympy.FiniteSet, list, tuple)) and not isinstance(value, sympy.MatrixBase):
        return [evaluate(v, values) for v in value]
    if isinstance(value, (bool, np.bool_)) or value in (sympy.true, sympy.false):
        return bool(value)
    scalars, matrices = substitution(values)
    expr = _branch(sympy.sympify(value), scalars).xreplace(scalars)
    if matrices:
        expr = expr.xreplace({k: v for k, v in matrices.items() if isinstance(v, sympy.MatrixSymbol)})
        expr = expr.xreplace({k: v for k, v in matrices.items() if not isinstance(v, sympy.MatrixSymbol)})
    if isinstance(expr, (MatrixExpr, sympy.MatrixBase)):
        expr = expr.doit() if isinstance(expr, MatrixExpr) else expr
        return np.array(sympy.ImmutableMatrix(expr).evalf(30), dtype=float)
    if isinstance(expr, sympy.logic.boolalg.Boolean):
        return bool(expr)
    if matrices and expr.has(sympy.Sum):  # the entry of w^T Sigma w with symbolic d is a Sum over indices
        expr = expr.doit()
    result = expr.evalf(30)
    if result.is_real is False or not result.is_number:
        c = complex(result)
        if abs(c.imag) > 1e-12 * max(1.0, abs(c.real)):
            return float("nan")
        return c.real
    return float(result)
