"""Misconceptions about GradCAM on a softmax head: the gradient, the weights, the heat map.

Rows recompute the answers from the problem's W, b and maps with one step
changed: the softmax derivative without y_c or without the sum over classes,
weights left unnormalised or normalised the other way, no ReLU on the map,
the frame's own maps replaced by the average.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/yale-hw1.yaml").task("gradcam.b")
>>> [r.label for r in misconceptions(task.problem, task.method.solve(task.problem))]
['not-normalised', 'other-normaliser', 'no-relu', 'logit-gradient']
"""

from __future__ import annotations

import sympy

from symxai.misconceptions import Misconception
from symxai.methods.saliency.gradcam import _flatten, _reshape, tidy


def _softmax(p, z):
    s = p.W * sympy.ImmutableMatrix(z) + p.b
    e = [sympy.exp(v) for v in s]
    return [v / sum(e) for v in e]


def _gradients(p, z):
    """{label: dy_c/dz as a column} for the right derivative and the classic wrong ones."""
    y = _softmax(p, z)
    C, c = p.W.shape[0], p.c
    Wc = p.W.row(c).T
    mix = sum((y[j] * p.W.row(j).T for j in range(C)), sympy.zeros(p.W.shape[1], 1))
    out = {"right": y[c] * (Wc - mix), "missing-yc": Wc - mix, "missing-sum": y[c] * Wc,
           "diagonal-only": y[c] * (1 - y[c]) * Wc, "logit-gradient": Wc}
    if getattr(p, "output", "probability") == "logit":  # the logit is explained: the softmax's is the wrong one
        out["right"], out["logit-gradient"] = Wc, out["right"]
    return out


def _heat(p, grad, maps, normalise, relu=True):
    K, (d1, d2) = len(maps), maps[0].shape
    sums = [sum(g) for g in _reshape(grad, K, d1, d2)]
    Z = {"sum-to-one": sum(sums), "mean": sympy.Integer(d1 * d2), "none": sympy.Integer(1)}[normalise]
    alpha = sympy.ImmutableMatrix([tidy(s / Z) for s in sums])
    combo = sum((alpha[k] * maps[k] for k in range(K)), sympy.zeros(d1, d2))
    L = sympy.ImmutableMatrix(combo.applyfunc(lambda v: sympy.Max(0, tidy(v)) if relu else tidy(v)))
    return alpha, L


def _video_gradient(p, grads_of):
    T = len(p.frames)
    per_frame = [_flatten(f) for f in p.frames]
    if p.frame_model == "averaged":
        z = [sum(col) / T for col in zip(*per_frame)]
        return {k: g / T for k, g in grads_of(z).items()}
    z = [v for f in per_frame for v in f]
    n = len(per_frame[0])
    return {k: sympy.ImmutableMatrix(list(g[p.t * n:(p.t + 1) * n])) for k, g in grads_of(z).items()}


def misconceptions(problem, solution) -> list:
    """Rows for the part asked: the gradient, the weights and heat map, or one frame's heat map."""
    p = problem
    other = "mean" if p.normalise == "sum-to-one" else "sum-to-one"
    if p.part == "gradient":
        g = _gradients(p, _flatten(p.maps))
        texts = {
            "missing-yc": "d y_c / d s_j = y_c (delta_cj - y_j): the factor y_c in front is missing",
            "missing-sum": "the softmax couples the classes: d y_c/dz = y_c (W_c - sum_j y_j W_j)^T; you kept "
                           "only the j = c term's W_c",
            "diagonal-only": "you differentiated y_c only through its own logit s_c; the other logits s_j "
                             "enter the softmax's denominator: y_c (W_c - sum_j y_j W_j)^T",
            "logit-gradient": "this is the gradient of the logit s_c = W_c z; the question asks for the "
                              "softmax output y_c",
        }
        if getattr(p, "output", "probability") == "logit":
            texts = {"logit-gradient": "this is the gradient of the softmax output y_c; the question asks for the "
                                       "logit s_c = W_c z + b_c, whose gradient is W_c^T"}
        return [Misconception(k, texts[k], {"dyc_dz": g[k].applyfunc(tidy)}) for k in texts]
    if p.part == "heatmap":
        grads = _gradients(p, _flatten(p.maps))
        grad, maps, names = grads["right"], p.maps, ("alpha", "L")
    else:
        grads = _video_gradient(p, lambda z: _gradients(p, z))
        grad, maps, names = grads["right"], p.maps, (None, "L_t")

    def row(label, message, alpha_L):
        alpha, L = alpha_L
        values = {names[1]: L}
        if names[0]:
            values[names[0]] = alpha
        return Misconception(label, message, values)

    relu, logit = getattr(p, "relu", True), getattr(p, "output", "probability") == "logit"
    rows = [
        row("not-normalised", "the weights alpha_k are the gradient sums divided by the normaliser Z "
            f"({p.normalise})", _heat(p, grad, maps, "none", relu)),
        row("other-normaliser", f"this exercise normalises the weights by {p.normalise}; you used {other}",
            _heat(p, grad, maps, other, relu)),
        row("no-relu", "GradCAM keeps only what speaks for the class: L = ReLU(sum_k alpha_k A^k); negative "
            "entries become 0", _heat(p, grad, maps, p.normalise, relu=False)) if relu else
        row("relu-applied", "this exercise asks for the map without the final ReLU: the negative entries (where "
            "the maps speak against the class) stay", _heat(p, grad, maps, p.normalise, relu=True)),
        row("logit-gradient", "the weights come from the gradient of the logit s_c = W_c z + b_c (before the "
            "softmax), not of the probability y_c" if logit else "the weights come from the gradient of the "
            "softmax output y_c, not of the logit s_c", _heat(p, grads["logit-gradient"], maps, p.normalise, relu)),
    ]
    if p.part == "video":
        K = len(maps)
        mean_maps = [sum((f[k] for f in p.frames), sympy.zeros(*maps[0].shape)) / len(p.frames) for k in range(K)]
        rows.append(row("averaged-maps", "the heat map of frame t weights that frame's own maps A^{k,t}, not "
                        "their average over the frames", _heat(p, grad, mean_maps, p.normalise)))
    return rows
