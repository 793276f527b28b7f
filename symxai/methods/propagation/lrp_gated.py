"""The worked LRP solution for symbolic weights, compact: the two steps as general relations, then
the pre-activations z_j inserted, where every share's denominator cancels.

For a ReLU network with one hidden layer, a linear output and no biases, propagated with LRP-0 (the
lecture's two propagation steps): R_j = a_j v_j / sum_k a_k v_k R_out = a_j v_j, then
R_i = sum_j x_i w_ij / z_j R_j = x_i sum_j w_ij v_j H(z_j) with z_j = sum_i x_i w_ij.  Gradient x input
and conservation are said only after they are computed (the gradient by differentiating y).
"""

from __future__ import annotations

import re

from symxai.lazy import numpy as np
import sympy

from symxai.expr.printing import tex
from symxai.solve.model import Figure, Line, Tex
from symxai.solve.network import figure_data


def applies(p) -> bool:
    """One hidden ReLU layer, a linear output, no biases, LRP-0 at both layers."""
    net = p.network
    return (len(net.layers) == 2 and not net.has_bias and net.layers[0].activation == "relu"
            and net.layers[1].activation == "linear" and {r.key for r in p.rules} == {"lrp0"})


def pre_activations(net) -> tuple[list, dict]:
    """z_3, z_4, ... (named after the hidden neurons' indices) and what each stands for."""
    layer = net.layers[0]
    zs, where = [], {}
    for k, name in enumerate(layer.neurons):
        index = re.search(r"(\d+)$", name)
        z = sympy.Symbol("z_" + (index.group(1) if index else name), real=True)
        zs.append(z)
        where[z] = sum((layer.weights[k, i] * x for i, x in enumerate(net.inputs)), sympy.Integer(0))
    return zs, where


def solve(sol, p, conventions, general, tidy, pre, meanings) -> list:
    """The steps; returns the index of the first step whose lines hold away from shut gates."""
    net = p.network
    hidden, top = net.layers[0], net.layers[1]
    zs, zwhere = pre_activations(net)
    acts = [sympy.Symbol(n) for n in hidden.neurons]
    defs = ", ".join(f"${tex(z)} = {tex(zwhere[z])}$" for z in zs)
    sol.step(f"Write the pre-activations as {defs}; then ${tex(acts[0])} = \\max(0, {tex(zs[0])}) = "
             f"{tex(zs[0])}\\,H({tex(zs[0])})$ and so on, with the step function $H$ ($H(0) = 0$).",
             title="The network", figure=Figure("network", figure_data(net, in_statement=True)))
    if not p.repeat:
        conventions(sol, p)
    first = len(sol.steps)
    general(sol, p, tidy, pre)
    v = [top.weights[net.output, j] for j in range(hidden.width)]
    H = [sympy.Heaviside(z, 0) for z in zs]
    lines = [Line(sympy.Symbol(hidden.relevance[j]), v[j] * acts[j], v[j] * zs[j] * H[j]) for j in range(hidden.width)]
    inputs = {}
    for i, (x, name) in enumerate(zip(net.inputs, net.input_relevance)):
        inner = sum((hidden.weights[j, i] * v[j] * H[j] for j in range(hidden.width)), sympy.Integer(0))
        inputs[name] = x * inner
        lines.append(Line(sympy.Symbol(name), sympy.Mul(x, inner, evaluate=False)))
    sol.step(f"Inserting the activations, ${tex(acts[0])} = {tex(zs[0])}\\,H({tex(zs[0])})$ and so on: "
             "the denominator of every share of step 2 is the pre-activation $z_j$ of the neuron it comes "
             "from, and it cancels against $R_j = v_j z_j H(z_j)$; a neuron with $z_j \\le 0$ passes nothing on:",
             *lines, title="Both steps together", where={**zwhere, **meanings(net, pre)})
    said = []
    y = sum((v[j] * sympy.Max(0, zwhere[zs[j]]) for j in range(hidden.width)), sympy.Integer(0))
    if _gradient_times_input(net, y, inputs, zwhere):
        said.append("This is gradient $\\times$ input, " + ", ".join(
            f"${tex(sympy.Symbol(n))} = {tex(x)}\\,\\partial y/\\partial {tex(x)}$"
            for n, x in zip(net.input_relevance, net.inputs)) +
            ", as LRP-0 on a ReLU network without biases always is.")
    total = sum(inputs.values(), sympy.Integer(0))
    summed = sum((v[j] * zs[j] * H[j] for j in range(hidden.width)), sympy.Integer(0))
    names = " + ".join(tex(sympy.Symbol(n)) for n in net.input_relevance)
    sol.step(" ".join(said) + " Adding the input relevances, the relevance is conserved:",
             Line(Tex(names, sum((sympy.Symbol(n) for n in net.input_relevance), sympy.Integer(0))),
                  Tex(tex(summed), summed), sympy.Symbol(top.neurons[net.output])),
             where={**zwhere, **meanings(net, pre)})
    return first


def _gradient_times_input(net, y, inputs, zwhere) -> bool:
    """R_i = x_i dy/dx_i at random exact points (every z_j away from 0), dy/dx_i by differentiating y."""
    rng = np.random.default_rng(11)
    symbols = sorted(y.free_symbols, key=str)
    grads = {n: sympy.diff(y, x) for n, x in zip(net.input_relevance, net.inputs)}
    for _ in range(4):
        at = {s: sympy.Rational(int(rng.integers(-9, 10)) or 1, int(rng.integers(1, 5))) for s in symbols}
        if any(z.xreplace(at) == 0 for z in zwhere.values()):
            continue
        for n, x in zip(net.input_relevance, net.inputs):
            lhs = inputs[n].xreplace({z: e for z, e in zwhere.items()}).xreplace(at)
            if sympy.nsimplify(lhs - (x * grads[n]).xreplace(at)) != 0:
                return False
    return True
