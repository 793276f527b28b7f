"""LRP in plain numpy: a forward pass and a backward pass written out rule by rule.

Shares no code with the symbolic route (symxai.lrp_rules, symxai.regions):
each rule is spelled out here as the literature states it, on floats.  A
ReLU pre-activation within ``ZERO`` of 0 counts as inactive, and a vanishing
denominator gives 0 relevance (0/0 := 0).

>>> W = [np.array([[1.0, -1.0], [0.0, 1.0]]), np.array([[1.0, 1.0]])]
>>> b = [np.zeros(2), np.zeros(1)]
>>> rel = lrp(W, b, ["relu", "linear"], ["z+", "z+"], {}, np.array([3.0, 1.0]))
>>> [r.round(6).tolist() for r in rel]
[[2.0, 1.0], [2.0, 1.0], [3.0]]
"""

from __future__ import annotations

import numpy as np

ZERO = 1e-12


def forward(W, b, activations, x):
    """Activations of every level, inputs first."""
    acts = [np.asarray(x, dtype=float)]
    for Wl, bl, act in zip(W, b, activations):
        z = Wl @ acts[-1] + bl
        if act == "relu":
            z = np.where(z > ZERO * max(1.0, float(np.max(np.abs(z)))), z, 0.0)
        acts.append(z)
    return acts


def _divide(num, den, R):
    safe = np.where(np.abs(den) > ZERO, den, 1.0)
    return np.where(np.abs(den) > ZERO, num / safe * R, 0.0)


def backward_layer(rule, a, Wl, bl, R, p, bias_neuron=True, stabiliser="plus"):
    """Relevance of the level below from R of the level above (Wl: rows = upper neurons)."""
    pos, neg = np.maximum(Wl, 0.0), np.minimum(Wl, 0.0)
    use_b = 1.0 if bias_neuron else 0.0
    if rule in ("lrp0", "epsilon"):
        Z = Wl * a[None, :]
        den = Z.sum(axis=1) + use_b * bl
        if rule == "epsilon":
            den = den + (p["epsilon"] * np.sign(den) if stabiliser == "sign" else p["epsilon"])
        return (_divide(Z, den[:, None], R[:, None])).sum(axis=0)
    if rule == "gamma":
        g = p["gamma"]
        Z = (Wl + g * pos) * a[None, :]
        den = Z.sum(axis=1) + use_b * (bl + g * np.maximum(bl, 0.0))
        return _divide(Z, den[:, None], R[:, None]).sum(axis=0)
    if rule == "z+":
        Z = pos * a[None, :]
        den = Z.sum(axis=1) + use_b * np.maximum(bl, 0.0)
        return _divide(Z, den[:, None], R[:, None]).sum(axis=0)
    if rule == "alphabeta":
        Zp, Zn = pos * a[None, :], neg * a[None, :]
        dp = Zp.sum(axis=1) + use_b * np.maximum(bl, 0.0)
        dn = Zn.sum(axis=1) + use_b * np.minimum(bl, 0.0)
        return (p["alpha"] * _divide(Zp, dp[:, None], R[:, None])
                - p["beta"] * _divide(Zn, dn[:, None], R[:, None])).sum(axis=0)
    if rule == "zB":
        lo, hi = np.asarray(p["low"], dtype=float), np.asarray(p["high"], dtype=float)
        Z = Wl * a[None, :] - pos * lo[None, :] - neg * hi[None, :]
        den = Z.sum(axis=1) + use_b * bl
        return _divide(Z, den[:, None], R[:, None]).sum(axis=0)
    if rule == "flat":
        Z = np.ones_like(Wl)
        return _divide(Z, Z.sum(axis=1)[:, None], R[:, None]).sum(axis=0)
    if rule == "w2":
        Z = Wl ** 2
        return _divide(Z, Z.sum(axis=1)[:, None], R[:, None]).sum(axis=0)
    raise ValueError(f"unknown rule {rule!r}")


def lrp(W, b, activations, rules, params, x, *, bias_neuron=True, stabiliser="plus"):
    """Relevance of every level (inputs first, the output last, R_out = y)."""
    acts = forward(W, b, activations, x)
    R = acts[-1].copy()
    out = [R]
    for li in range(len(W) - 1, -1, -1):
        R = backward_layer(rules[li], acts[li], W[li], b[li], R, params, bias_neuron, stabiliser)
        out.append(R)
    return out[::-1]
