"""DeepLIFT (rescale rule) in plain numpy: two forward passes, multipliers backpropagated layer by layer.

Shares no code with the symbolic route: the rescale multiplier of a ReLU unit is
(relu(z) - relu(z0)) / (z - z0), its gradient at x (0 or 1, ReLU'(0) = 0 as in torch) where
|z - z0| < ``EPS``, as captum's ``DeepLift`` does.

>>> W = [np.array([[1.0, -1.0], [1.0, 1.0]]), np.array([[1.0, 1.0]])]
>>> b = [np.array([0.0, -1.0]), np.array([0.0])]
>>> deeplift_rescale(W, b, ["relu", "linear"], np.array([2.0, 1.0]), np.zeros(2), 0).round(6).tolist()
[3.333333, -0.333333]
"""

from __future__ import annotations

from symxai.lazy import numpy as np

EPS = 1e-10


def forward(W, b, activations, x):
    """Pre-activations per layer (the input first, as its own 'activation')."""
    a, out = np.asarray(x, float), [np.asarray(x, float)]
    for Wl, bl, act in zip(W, b, activations):
        z = Wl @ a + bl
        a = np.maximum(z, 0.0) if act == "relu" else z
        out.append(a)
    return out


def _pre(W, b, activations, x):
    a, zs = np.asarray(x, float), []
    for Wl, bl, act in zip(W, b, activations):
        z = Wl @ a + bl
        zs.append(z)
        a = np.maximum(z, 0.0) if act == "relu" else z
    return zs


def deeplift_rescale(W, b, activations, x, x0, output: int) -> np.ndarray:
    """Contributions (x - x0) * m of the inputs to output ``output``; they sum to f(x) - f(x0)."""
    zx, z0 = _pre(W, b, activations, x), _pre(W, b, activations, x0)
    m = np.zeros(W[-1].shape[0])
    m[output] = 1.0
    for Wl, act, z, y in reversed(list(zip(W, activations, zx, z0))):
        if act == "relu":
            dz = z - y
            secant = (np.maximum(z, 0.0) - np.maximum(y, 0.0)) / np.where(np.abs(dz) < EPS, 1.0, dz)
            r = np.where(np.abs(dz) < EPS, (z > 0).astype(float), secant)
        else:
            r = np.ones_like(z)
        m = Wl.T @ (r * m)
    return (np.asarray(x, float) - np.asarray(x0, float)) * m


def deeplift_reveal_cancel(W, b, activations, x, x0, output: int) -> np.ndarray:
    """Contributions by the RevealCancel rule: every difference carried as a positive and a negative part,
    each unit's output change shared between its two input parts as a two-player Shapley value."""
    x, x0 = np.asarray(x, float), np.asarray(x0, float)
    d = x - x0
    plus, minus = np.maximum(d, 0.0), np.minimum(d, 0.0)
    a0, saved = x0, []
    for Wl, bl, act in zip(W, b, activations):
        f = (lambda v: np.maximum(v, 0.0)) if act == "relu" else (lambda v: v)
        Wp, Wn = np.maximum(Wl, 0.0), np.minimum(Wl, 0.0)
        z0 = Wl @ a0 + bl
        pos, neg = Wp @ plus + Wn @ minus, Wp @ minus + Wn @ plus
        y_pos = 0.5 * (f(z0 + pos) - f(z0)) + 0.5 * (f(z0 + neg + pos) - f(z0 + neg))
        y_neg = 0.5 * (f(z0 + neg) - f(z0)) + 0.5 * (f(z0 + pos + neg) - f(z0 + pos))
        r_pos = np.divide(y_pos, pos, out=np.zeros_like(pos), where=np.abs(pos) > EPS)
        r_neg = np.divide(y_neg, neg, out=np.zeros_like(neg), where=np.abs(neg) > EPS)
        saved.append((Wp, Wn, r_pos, r_neg))
        plus, minus, a0 = y_pos, y_neg, f(z0)
    m_pos = np.zeros(W[-1].shape[0])
    m_pos[output] = 1.0
    m_neg = m_pos.copy()
    for Wp, Wn, r_pos, r_neg in reversed(saved):
        zp, zn = m_pos * r_pos, m_neg * r_neg
        m_pos, m_neg = Wp.T @ zp + Wn.T @ zn, Wp.T @ zn + Wn.T @ zp
    d = x - x0
    return np.maximum(d, 0.0) * m_pos + np.minimum(d, 0.0) * m_neg
