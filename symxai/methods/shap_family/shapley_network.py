"""A Shapley ``network`` with biases: g(x) = B ReLU(A x + a) + b.

``a`` (one bias per hidden unit, a row of A) and ``b`` (one per output, a row of B) default to 0, which is
the bias-free g = B ReLU(A x) of the lecture.  A bias is part of the model, not a feature: it moves f(x) and
f(baseline) alike, so efficiency still reads sum_i phi_i = g(x) - g(baseline).

>>> import sympy
>>> x1, x2 = sympy.symbols("x1 x2")
>>> network_outputs(sympy.Matrix([[1, -1]]), sympy.Matrix([[2]]), sympy.Matrix([1]), sympy.Matrix([-3]), [x1, x2])
[2*Max(0, x1 - x2 + 1) - 3]
"""

from __future__ import annotations

from symxai.lazy import numpy as np
import sympy

from symxai.specs.schema import Expr, Field, ListOf, Record

NETWORK = Record({
    "A": Field(ListOf(ListOf(Expr(), 1), 1), required=True, doc="hidden weights, one row per hidden unit"),
    "B": Field(ListOf(ListOf(Expr(), 1), 1), required=True, doc="output weights, one row per output"),
    "a": Field(ListOf(Expr(), 1), doc="hidden biases, one per row of A (default 0)"),
    "b": Field(ListOf(Expr(), 1), doc="output biases, one per row of B (default 0)"),
})


def network_outputs(A, B, a, b, inputs) -> list:
    d = len(inputs)
    hidden = [sympy.Max(0, sum(A[j, i] * inputs[i] for i in range(d)) + a[j]) for j in range(A.shape[0])]
    return [sum(B[k, j] * hidden[j] for j in range(A.shape[0])) + b[k] for k in range(B.shape[0])]


def build(ctx, params, inputs):
    """(outputs, (A, B, a, b)) from the spec's network, or None after a located problem."""
    net = params["network"]
    d = len(inputs)
    A, B = ctx.matrix(net["A"]), ctx.matrix(net["B"])
    if A is None or B is None:
        return None
    if A.shape[1] != d or B.shape[1] != A.shape[0]:
        ctx.problem(params.loc_of("network"), f"shapes do not chain: A is {A.shape[0]}x{A.shape[1]}, "
                    f"B is {B.shape[0]}x{B.shape[1]}, and there are {d} inputs")
        return None
    biases = []
    for key, rows, what in (("a", A.shape[0], "hidden unit (row of A)"), ("b", B.shape[0], "output (row of B)")):
        if key not in net:
            biases.append(sympy.zeros(rows, 1))
            continue
        v = ctx.vector(net[key])
        if v is None:
            return None
        if len(v) != rows:
            ctx.problem(net.loc_of(key), f"{key} needs {rows} entries, one per {what}; got {len(v)}")
            return None
        biases.append(v)
    a, b = biases
    return network_outputs(A, B, a, b, inputs), (A, B, a, b)


def numeric_model(network, subs: dict, k: int):
    """x -> g_k(x) in numpy floats (the reference's forward pass)."""
    A, B, a, b = (np.array(M.xreplace(subs), dtype=float) for M in network)
    a, b = a.reshape(-1), b.reshape(-1)
    return lambda x: (B @ np.maximum(A @ np.asarray(x, dtype=float) + a, 0.0) + b)[k]
