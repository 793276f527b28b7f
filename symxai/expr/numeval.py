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

from symxai.lazy import numpy as np
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


def substitution(values: dict, *, exact: bool = False) -> tuple[dict, dict]:
    """SymPy values of ``values``: floats as 30-digit Floats, or (``exact``) as the exact rationals they are.

    >>> x = sympy.Symbol("x")
    >>> substitution({x: 0.375}, exact=True)[0]
    {x: 3/8}
    """
    scalars, matrices = {}, {}
    for key, v in values.items():
        if isinstance(key, sympy.MatrixSymbol):
            matrices[key] = np.asarray(v, dtype=float)
        elif isinstance(v, (bool, np.bool_)):
            scalars[key] = sympy.true if v else sympy.false
        elif isinstance(v, (int, np.integer)):
            scalars[key] = sympy.Integer(int(v))
        elif exact:
            scalars[key] = sympy.Rational(float(v))  # the binary value of the float, exactly
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


def _add_up(total):
    """A Sum with numeric limits as the plain sum of its terms (Sum.doit first looks for a closed form)."""
    body, limits = total.function, total.limits
    if len(limits) != 1 or not all(getattr(b, "is_Integer", False) for b in limits[0][1:]):
        return total
    i, lo, hi = limits[0]
    return sympy.Add(*[body.xreplace({i: sympy.Integer(k)}) for k in range(int(lo), int(hi) + 1)])


def _numpy(expr, scalars: dict, arrays: dict):
    """A matrix expression built from matrix symbols by +, *, transpose and inverse, in floats; None
    where it holds anything else.  Exact inverses of float matrices take SymPy seconds."""
    M = sympy.matrices.expressions
    if isinstance(expr, sympy.MatrixSymbol):
        return arrays.get(expr.name)
    if isinstance(expr, M.Identity) and expr.shape[0].xreplace(scalars).is_Integer:
        return np.eye(int(expr.shape[0].xreplace(scalars)))
    if isinstance(expr, M.ZeroMatrix):
        return np.zeros(tuple(int(s.xreplace(scalars)) for s in expr.shape))
    if isinstance(expr, (M.MatAdd, M.MatMul)):
        parts = []
        for a in expr.args:
            if isinstance(a, MatrixExpr):
                parts.append(_numpy(a, scalars, arrays))
            else:
                try:
                    parts.append(float(sympy.sympify(a).xreplace(scalars)))
                except (TypeError, ValueError):
                    return None
        if any(p is None for p in parts):
            return None
        out = parts[0]
        for p in parts[1:]:
            out = out + p if isinstance(expr, M.MatAdd) else (out * p if np.ndim(out) == 0 or np.ndim(p) == 0
                                                              else out @ p)
        return out
    if isinstance(expr, (M.Transpose, M.Inverse)):
        inner = _numpy(expr.args[0], scalars, arrays)
        if inner is None:
            return None
        return inner.T if isinstance(expr, M.Transpose) else np.linalg.inv(inner)
    return None


def evaluate(value, values: dict):
    """``value`` with ``values`` substituted, as a float, ndarray, bool or list."""
    if isinstance(value, (sympy.FiniteSet, list, tuple)) and not isinstance(value, sympy.MatrixBase):
        return [evaluate(v, values) for v in value]
    if isinstance(value, (bool, np.bool_)) or value in (sympy.true, sympy.false):
        return bool(value)
    scalars, matrices = substitution(values)
    # which piece holds, and a step or sign at a kink, is decided in exact rationals: in floats a point
    # on x1 + 4 x2/7 = 5/7 may land on either side
    exact = substitution(values, exact=True)[0] if not matrices else scalars
    value = _branch(sympy.sympify(value), exact)
    if (not matrices and value.has(sympy.Piecewise, sympy.Heaviside, sympy.sign)
            and not value.has(sympy.exp, sympy.log)):  # a nested gate of a rational answer: exact as well
        scalars = exact
    if isinstance(value, MatrixExpr) and matrices:
        arrays = {k.name: np.array(v.tolist(), dtype=float) for k, v in matrices.items()
                  if not isinstance(v, sympy.MatrixSymbol)}
        fast = _numpy(value, scalars, arrays)
        if fast is not None:
            return np.asarray(fast, dtype=float)
    late = {}
    if not value.has(sympy.Piecewise, sympy.Heaviside, sympy.Min, sympy.Max, sympy.Abs, sympy.sign,
                     sympy.floor, sympy.ceiling) and not value.atoms(sympy.core.relational.Relational):
        # putting floats into exp/log rebuilds every node with assumption queries (seconds for a
        # log-sum-exp); evalf(subs=...) evaluates the tree as it is.  Integers (a dimension d) go in first.
        late = {k: v for k, v in scalars.items() if isinstance(v, sympy.Float)}
        scalars = {k: v for k, v in scalars.items() if k not in late}
    # exp and log ask assumption questions of every argument they are rebuilt with; inert
    # stand-ins keep the substitution cheap, and come back once the arguments are numbers
    inert = {f: sympy.Function(f"_inert_{f.__name__}") for f in (sympy.exp, sympy.log)
             if matrices and value.has(f)}
    for f, stand_in in inert.items():
        value = value.replace(f, stand_in)
    expr = value.xreplace(scalars)
    if matrices:
        expr = expr.xreplace({k: v for k, v in matrices.items() if isinstance(v, sympy.MatrixSymbol)})
        expr = expr.xreplace({k: v for k, v in matrices.items() if not isinstance(v, sympy.MatrixSymbol)})
    if matrices and expr.has(sympy.Sum):  # the entry of w^T Sigma w with symbolic d is a Sum over indices
        expr = expr.replace(lambda e: isinstance(e, sympy.Sum), _add_up)
    if inert:  # with every argument a number, exp and log come back cheaply
        expr, late = expr.xreplace(late), {}
        for f, stand_in in inert.items():
            expr = expr.replace(stand_in, f)
    if isinstance(expr, (MatrixExpr, sympy.MatrixBase)):
        expr = expr.doit() if isinstance(expr, MatrixExpr) else expr
        return np.array(sympy.ImmutableMatrix(expr).evalf(30, subs=late or None), dtype=float)
    if isinstance(expr, sympy.logic.boolalg.Boolean) and not isinstance(expr, sympy.Symbol):  # a Symbol is a Boolean too
        return bool(expr)
    if matrices and expr.has(sympy.Sum):
        expr = expr.doit()
    result = expr.evalf(30, subs=late or None)
    if result.is_real is False or not result.is_number:
        c = complex(result)
        if abs(c.imag) > 1e-12 * max(1.0, abs(c.real)):
            return float("nan")
        return c.real
    return float(result)
