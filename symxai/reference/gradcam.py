"""GradCAM in floats: a numpy softmax head and central finite differences.

The feature maps A (K x d1 x d2) are flattened row by row, map after map,
into z; the head is y = softmax(W z + b).  Gradients are central finite
differences of the forward pass, never the chain rule, so this shares no
code or formula with the symbolic route.

>>> W = np.array([[1.0, 0], [0, 1]]); b = np.zeros(2)
>>> g = fd_gradient(lambda z: softmax(W @ z + b)[0], np.array([0.0, 0.0]))
>>> [round(float(v), 6) for v in g]
[0.25, -0.25]
"""

from __future__ import annotations

from typing import Callable

from symxai.lazy import numpy as np

STEP = 1e-6


def softmax(s) -> np.ndarray:
    s = np.asarray(s, dtype=float)
    e = np.exp(s - s.max())
    return e / e.sum()


def fd_gradient(f: Callable, x, h: float = STEP) -> np.ndarray:
    """Central differences (f(x + h e_i) - f(x - h e_i)) / 2h for every coordinate."""
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        out[idx] = (f(up) - f(down)) / (2 * h)
    return out


def _head(output: str) -> Callable:
    """The head's last step: softmax for the probability, nothing for the logit."""
    return softmax if output == "probability" else (lambda s: np.asarray(s, dtype=float))


def class_score(W, b, c: int, output: str = "probability") -> Callable:
    """y_c (or the logit s_c) as a function of the feature maps A (K x d1 x d2); c is 0-based."""
    W, b, head = np.asarray(W, float), np.asarray(b, float), _head(output)
    return lambda A: head(W @ np.asarray(A, float).reshape(-1) + b)[c]


def heat_map(grad_maps, maps, normalise: str, relu: bool = True):
    """(alpha, L) from dy_c/dA (K x d1 x d2) and A: alpha_k = sum_ij grad / Z, L = ReLU(sum_k alpha_k A^k)
    (without the ReLU when ``relu`` is false)."""
    g = np.asarray(grad_maps, float).sum(axis=(1, 2))
    z = g.sum() if normalise == "sum-to-one" else np.prod(np.shape(maps)[1:])
    alpha = g / z
    combo = np.tensordot(alpha, np.asarray(maps, float), axes=1)
    return alpha, (np.maximum(combo, 0.0) if relu else combo)


def video_score(W, b, c: int, frame_model: str, output: str = "probability") -> Callable:
    """y_c as a function of all frames' maps (T x K x d1 x d2) under a shared-CNN frame model."""
    W, b = np.asarray(W, float), np.asarray(b, float)

    def f(frames):
        per_frame = np.asarray(frames, float).reshape(len(frames), -1)
        z = per_frame.mean(axis=0) if frame_model == "averaged" else per_frame.reshape(-1)
        return _head(output)(W @ z + b)[c]
    return f
