"""The general gradient of a softmax output, dy_c/dz = y_c W^T (e_c - y), for any W in R^{C x d}.

The GradCAM exercise asks for dy_c/dz "in terms of W, y and c": the answer is this formula in
matrix symbols, the instance follows it.  ``sample_general`` draws a random head (C classes, d
features, W, b, z, the class c) and sets y = softmax(Wz + b) and e_c; the reference
(``reference_general``) differentiates the numpy forward pass by central differences.

>>> from symxai.expr.plaintext import plain
>>> plain(general_gradient())
'y_c*W.T*(e_c - y)'
"""

from __future__ import annotations

from symxai.lazy import numpy as np
import sympy

from symxai.solve.model import Line, Tex
from symxai.solve.stepcheck import Index

CLASSES = sympy.Symbol("C", integer=True, positive=True)
FEATURES = sympy.Symbol("d", integer=True, positive=True)
W = sympy.MatrixSymbol("W", CLASSES, FEATURES)
Y = sympy.MatrixSymbol("y", CLASSES, 1)
E = sympy.MatrixSymbol("e_c", CLASSES, 1)  # the c-th unit vector
Z = sympy.MatrixSymbol("z", FEATURES, 1)
B = sympy.MatrixSymbol("b", CLASSES, 1)
C_INDEX = Index("c", CLASSES)
Y_C = sympy.Symbol("y_c", positive=True)  # entry c of y: set with y by the sampler


def general_gradient():
    return Y_C * W.T * (E - Y)


def general_line() -> Line:
    """y_c (W_c - sum_j y_j W_j)^T = y_c W^T (e_c - y): W_c^T = W^T e_c and sum_j y_j W_j^T = W^T y."""
    return Line(Tex("y_c\\Bigl(W_c - \\sum_{j} y_j W_j\\Bigr)^{\\top}", Y_C * (W.T * E - W.T * Y)),
                general_gradient())


def sample_general(values: dict, rng, softmax) -> dict:
    """``values`` with a random softmax head: C, d, W, b, z, the class c, y = softmax(Wz + b), its
    entry y_c and e_c."""
    n_classes, n_features = int(rng.integers(2, 5)), int(rng.integers(1, 6))
    w, b, z = (rng.normal(size=shape) for shape in ((n_classes, n_features), (n_classes, 1), (n_features, 1)))
    c = int(rng.integers(1, n_classes + 1))
    out = dict(values)
    out.update({CLASSES: n_classes, FEATURES: n_features, C_INDEX: c, W: w, B: b, Z: z,
                Y: softmax((w @ z + b).ravel()).reshape(-1, 1), E: np.eye(n_classes)[:, [c - 1]]})
    out[Y_C] = float(out[Y][c - 1, 0])
    return out


def reference_general(values: dict, fd_gradient, softmax) -> np.ndarray:
    """dy_c/dz at the sampled head, by central differences of softmax(Wz + b)_c in z."""
    w, b, z = (np.asarray(values[k], dtype=float) for k in (W, B, Z))
    c = int(values[C_INDEX])
    return fd_gradient(lambda v: softmax(w @ v + b.ravel())[c - 1], z.ravel())
