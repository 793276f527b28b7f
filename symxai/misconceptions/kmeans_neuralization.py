"""Misconceptions about the neural form of k-means and its LRP relevances.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/tub-ml1-lecture14.yaml").task("kmeans-neuralization")
>>> rows = misconceptions(task.problem, task.method.solve(task.problem))
>>> [r.values["w_1"].T for r in rows if r.label == "weights-reversed"]
[Matrix([[-8, 0]])]
"""

from __future__ import annotations

import sympy

from symxai.misconceptions import Misconception


def _sq(v):
    return sympy.expand((v.T * v)[0, 0])


def _relevances(p, w, b, pooling, roots):
    """(R_h, R_in) with the given neurons, hidden shares (pooling) and root points per competitor."""
    x, d = p.point, p.point.shape[0]
    h = {k: (w[k].T * x)[0, 0] + b[k] for k in p.others}
    R_out = sympy.Min(*h.values())
    shares = pooling(h)
    R_h = {k: shares[k] * R_out for k in p.others}
    R_in = [sum(w[k][i] * (x[i] - roots[k][i]) / h[k] * R_h[k] for k in p.others) for i in range(d)]
    return R_h, R_in


def _values(p, w, b, R_h, R_in):
    out = {}
    for k in p.others:
        out[f"w_{k + 1}"], out[f"b_{k + 1}"] = sympy.ImmutableMatrix(w[k]), b[k]
        out[f"R_h{k + 1}"] = R_h[k]
    out.update({f"R_{i + 1}": R_in[i] for i in range(len(R_in))})
    return out


def misconceptions(problem, solution) -> list:
    """Rows for the neurons (weights, biases) and the two relevance steps."""
    p = problem
    mus, c, beta = p.centroids, p.cluster, p.beta
    mc = mus[c]
    w = {k: 2 * (mc - mus[k]) for k in p.others}
    b = {k: _sq(mus[k]) - _sq(mc) for k in p.others}
    mids = {k: (mc + mus[k]) / 2 for k in p.others}

    def softmin(h, s=-1):
        total = sum(sympy.exp(s * beta * v) for v in h.values())
        return {k: sympy.exp(s * beta * v) / total for k, v in h.items()}

    rows = []
    w_rev = {k: -v for k, v in w.items()}
    b_rev = {k: -v for k, v in b.items()}
    rows.append(Misconception("weights-reversed", "h_k = ||x - mu_k||^2 - ||x - mu_c||^2 is positive when c "
                              "wins: w_k = 2(mu_c - mu_k), b_k = ||mu_k||^2 - ||mu_c||^2",
                              {**{f"w_{k + 1}": sympy.ImmutableMatrix(w_rev[k]) for k in p.others},
                               **{f"b_{k + 1}": b_rev[k] for k in p.others}}))
    rows.append(Misconception("half-neuron", "expanding ||x - mu||^2 gives -2 mu^T x: the weights are "
                              "2(mu_c - mu_k), with the factor 2",
                              {f"w_{k + 1}": sympy.ImmutableMatrix(w[k] / 2) for k in p.others}))
    rows.append(Misconception("bias-sign", "b_k = ||mu_k||^2 - ||mu_c||^2 (competitor minus winner)",
                              {f"b_{k + 1}": -b[k] for k in p.others}))
    rows.append(Misconception("soft-max", "the output is a min over the competitors, so its relevance goes "
                              "by a soft-MIN, exp(-beta h_k): you used exp(+beta h_k)",
                              _values(p, w, b, *_relevances(p, w, b, lambda h: softmin(h, 1), mids))))
    rows.append(Misconception("equal-split", "the relevance of the min-pooling is shared by exp(-beta h_k), "
                              "not equally", _values(p, w, b, *_relevances(
                                  p, w, b, lambda h: {k: sympy.Rational(1, len(h)) for k in h}, mids))))
    zero = {k: sympy.zeros(*p.point.shape) for k in p.others}
    rows.append(Misconception("root-at-origin", "the midpoint rule takes the root point m_k = (mu_c + mu_k)/2 "
                              "on the decision boundary; at the origin h_k is not 0 and relevance is not "
                              "conserved", {f"R_{i + 1}": v for i, v in
                                            enumerate(_relevances(p, w, b, softmin, zero)[1])}))
    rows.append(Misconception("root-at-centroid", "the root point of neuron k is the midpoint (mu_c + mu_k)/2, "
                              "where h_k = 0, not the centroid mu_k", {f"R_{i + 1}": v for i, v in
                                  enumerate(_relevances(p, w, b, softmin, {k: mus[k] for k in p.others})[1])}))
    return rows
