"""LRP in plain numpy: a forward pass and a backward pass written out rule by rule.

Shares no code with the symbolic route (symxai.solve.lrp_rules, symxai.solve.regions):
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

from symxai.lazy import numpy as np

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


def _sign(v, sign_of_zero):
    """sign(v) with sign(0) := sign_of_zero (0, or +1 as torch-based zennit does)."""
    return np.where(np.abs(v) > ZERO, np.sign(v), float(sign_of_zero))


def _pos_neg(Wl, a, lo, hi):
    """a_j w_jk split by the sign of a_j into (x+ w_lo + x- w_hi): the weights seen by x >= 0 and x < 0."""
    return lo * np.maximum(a, 0.0)[None, :] + hi * np.minimum(a, 0.0)[None, :]


def backward_layer(rule, a, Wl, bl, R, p, bias_neuron=True, stabiliser="plus", conv=None):
    """Relevance of the level below from R of the level above (Wl: rows = upper neurons).

    ``conv`` holds the conventions beyond bias and stabiliser (see symxai.solve.lrp_rules.DEFAULTS for
    the names): sign_of_zero, gamma_negative, split_inputs, zB_bias, w2_bias."""
    c = {"sign_of_zero": "zero", "gamma_negative": "textbook", "split_inputs": False, "zB_bias": "add",
         "w2_bias": "ignore", **(conv or {})}
    pos, neg = np.maximum(Wl, 0.0), np.minimum(Wl, 0.0)
    use_b = 1.0 if bias_neuron else 0.0
    split = c["split_inputs"]
    if rule in ("lrp0", "epsilon"):
        Z = Wl * a[None, :]
        den = Z.sum(axis=1) + use_b * bl
        if rule == "epsilon":
            s0 = 1.0 if c["sign_of_zero"] == "plus" else 0.0
            den = den + (p["epsilon"] * _sign(den, s0) if stabiliser == "sign" else p["epsilon"])
        return (_divide(Z, den[:, None], R[:, None])).sum(axis=0)
    if rule == "gamma":
        g = p["gamma"]
        up, down = Wl + g * pos, Wl + g * neg  # w + gamma w+, w + gamma w-
        out = np.zeros(len(a))
        zk = Wl @ a + bl
        for k in range(Wl.shape[0]):
            negative = c["gamma_negative"] == "generalised" and zk[k] < -ZERO
            if c["gamma_negative"] == "generalised" and abs(zk[k]) <= ZERO:
                continue  # zennit: an output of exactly 0 is explained by nothing
            first, second = (down, up) if negative else (up, down)
            if split:
                Z = _pos_neg(None, a, first[k][None, :], second[k][None, :])[0]
            else:
                Z = first[k] * a
            bk = bl[k] + g * (min(bl[k], 0.0) if negative else max(bl[k], 0.0))
            den = Z.sum() + use_b * bk
            if abs(den) > ZERO:
                out += Z / den * R[k]
        return out
    if rule == "z+":
        Z = _pos_neg(None, a, pos, neg) if split else pos * a[None, :]
        den = Z.sum(axis=1) + use_b * np.maximum(bl, 0.0)
        return _divide(Z, den[:, None], R[:, None]).sum(axis=0)
    if rule == "alphabeta":
        Zp = _pos_neg(None, a, pos, neg) if split else pos * a[None, :]
        Zn = _pos_neg(None, a, neg, pos) if split else neg * a[None, :]
        dp = Zp.sum(axis=1) + use_b * np.maximum(bl, 0.0)
        dn = Zn.sum(axis=1) + use_b * np.minimum(bl, 0.0)
        return (p["alpha"] * _divide(Zp, dp[:, None], R[:, None])
                - p["beta"] * _divide(Zn, dn[:, None], R[:, None])).sum(axis=0)
    if rule == "zB":
        lo, hi = np.asarray(p["low"], dtype=float), np.asarray(p["high"], dtype=float)
        Z = Wl * a[None, :] - pos * lo[None, :] - neg * hi[None, :]
        # a bias neuron of activation 1 with bounds l = h = 1 contributes b - b+ - b- = 0 ("cancel")
        den = Z.sum(axis=1) + (use_b * bl if c["zB_bias"] == "add" else 0.0)
        return _divide(Z, den[:, None], R[:, None]).sum(axis=0)
    if rule == "flat":
        Z = np.ones_like(Wl)
        return _divide(Z, Z.sum(axis=1)[:, None], R[:, None]).sum(axis=0)
    if rule == "w2":
        Z = Wl ** 2
        den = Z.sum(axis=1) + (use_b * bl ** 2 if c["w2_bias"] == "square" else 0.0)
        return _divide(Z, den[:, None], R[:, None]).sum(axis=0)
    raise ValueError(f"unknown rule {rule!r}")


def lrp(W, b, activations, rules, params, x, *, bias_neuron=True, stabiliser="plus", conv=None, explain=None):
    """Relevance of every level (inputs first, the output last, R_out = y); ``params`` is one dict for
    every layer or a list of one dict per layer; ``explain``: the one output neuron that keeps its value."""
    acts = forward(W, b, activations, x)
    R = acts[-1].copy()
    if explain is not None:
        R = np.where(np.arange(len(R)) == explain, R, 0.0)
    out = [R]
    for li in range(len(W) - 1, -1, -1):
        pl = params[li] if isinstance(params, list) else params
        R = backward_layer(rules[li], acts[li], W[li], b[li], R, pl, bias_neuron, stabiliser, conv)
        out.append(R)
    return out[::-1]
