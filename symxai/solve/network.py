"""A small typed feed-forward network read from a spec: layers of named neurons.

Each layer holds one weight row per neuron (a column per neuron of the layer
below), an optional bias, an activation (``relu`` or ``linear``) and the
answer names of its neurons' relevances.  Weights and biases are numbers or
symbols; everything passes through the ``BuildContext``, so a bad value is a
located problem, and the preconditions are named where the network is built.

>>> import sympy
>>> x1, x2 = sympy.symbols("x1 x2", nonnegative=True)
>>> net = Network([x1, x2], ["R_1", "R_2"], [
...     Layer(["h3", "h4"], sympy.ImmutableMatrix([[1, -1], [0, 1]]), sympy.zeros(2, 1), "relu", ["R_3", "R_4"]),
...     Layer(["y"], sympy.ImmutableMatrix([[1, 1]]), sympy.zeros(1, 1), "linear", ["R_y"])])
>>> net.output_expression()
x2 + Max(0, x1 - x2)
>>> net.symbolic_weights
False
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

ACTIVATIONS = ("relu", "linear")


@dataclass
class Layer:
    neurons: list[str]
    weights: sympy.ImmutableMatrix  # rows: neurons of this layer; columns: neurons below
    bias: sympy.ImmutableMatrix  # column, one entry per neuron
    activation: str
    relevance: list[str]  # answer names R_... of the neurons

    @property
    def width(self) -> int:
        return len(self.neurons)


@dataclass
class Network:
    inputs: list  # SymPy symbols
    input_relevance: list[str]
    layers: list[Layer]
    output: int = 0  # the explained neuron of the output layer (R_out = its value, the others 0)

    @property
    def parameters(self) -> set:
        """Free symbols of the weights and biases (not the inputs)."""
        out = set()
        for layer in self.layers:
            out |= layer.weights.free_symbols | layer.bias.free_symbols
        return out - set(self.inputs)

    @property
    def symbolic_weights(self) -> bool:
        return bool(self.parameters)

    @property
    def has_bias(self) -> bool:
        return any(any(b != 0 for b in layer.bias) for layer in self.layers)

    def neuron_names(self) -> list[list[str]]:
        """Names per level, inputs first."""
        return [[str(x) for x in self.inputs]] + [layer.neurons for layer in self.layers]

    def output_expression(self):
        """y as one SymPy expression with ReLU written as Max(0, .)."""
        a = list(self.inputs)
        for layer in self.layers:
            z = [sum(layer.weights[k, j] * a[j] for j in range(len(a))) + layer.bias[k] for k in range(layer.width)]
            a = [sympy.Max(0, v) if layer.activation == "relu" else v for v in z]
        return a[self.output]

    def output_relevance(self, out: list) -> list:
        """R of the output layer: the explained neuron keeps its value, every other output gets 0."""
        return [v if k == self.output else sympy.Integer(0) for k, v in enumerate(out)]


MAX_WEIGHT = 1e6  # largest |weight| or |bias| of a network in a spec


def _layer(ctx, raw, li: int, count: int, below: int, seen: set):
    """Layer ``li`` (0-based) of ``count`` on ``below`` units, or None after ctx.problem(...)."""
    W = ctx.matrix(raw["weights"], raw.loc_of("weights"))
    if W is None:
        return None
    neurons = list(raw["neurons"])
    if W.shape != (len(neurons), below):
        ctx.problem(raw.loc_of("weights"), f"layer {li + 1} needs {len(neurons)} weight rows (one per neuron) "
                    f"of {below} entries (one per neuron below), got {W.shape[0]}x{W.shape[1]}")
        return None
    bias = ctx.vector(raw["bias"], raw.loc_of("bias")) if "bias" in raw else sympy.zeros(len(neurons), 1)
    if bias is None:
        return None
    huge = [v for v in list(W) + list(bias) if v.is_number and abs(v) > MAX_WEIGHT]
    if huge:  # the region LPs work in floats: a weight of 1e300 would overflow them
        ctx.problem(raw.loc_of("weights"), f"layer {li + 1}: weights and biases are at most {MAX_WEIGHT:g} in "
                    f"size (got {huge[0]})")
        return None
    if len(bias) != len(neurons):
        ctx.problem(raw.loc_of("bias"), f"layer {li + 1} has {len(neurons)} neurons but {len(bias)} biases")
        return None
    for n in neurons:
        if n in seen:
            ctx.problem(raw.loc_of("neurons"), f"neuron name '{n}' is used twice")
            return None
        seen.add(n)
    default = ["R_out"] if li == count - 1 and len(neurons) == 1 else [f"R_{n}" for n in neurons]
    relevance = list(raw.get("relevance") or default)
    if len(relevance) != len(neurons):
        ctx.problem(raw.loc_of("relevance"), f"{len(relevance)} relevance names for {len(neurons)} neurons")
        return None
    activation = raw.get("activation", "relu" if li < count - 1 else "linear")
    return Layer(neurons, sympy.ImmutableMatrix(W), sympy.ImmutableMatrix(bias), activation, relevance)


def build_network(ctx, params):
    """A Network from the spec's ``inputs``/``layers``, or None after ctx.problem(...)."""
    inputs = ctx.scalars(params["inputs"], params.loc_of("inputs"))
    if inputs is None:
        return None
    names = params.get("input_relevance") or [f"R_{i + 1}" for i in range(len(inputs))]
    if len(names) != len(inputs):
        ctx.problem(params.loc_of("input_relevance"), f"{len(names)} relevance names for {len(inputs)} inputs")
        return None
    layers, below, seen = [], len(inputs), {str(x) for x in inputs}
    raw_layers = params["layers"]
    failed = False
    for li, raw in enumerate(raw_layers):  # every layer is checked, also after a bad one
        layer = _layer(ctx, raw, li, len(raw_layers), below, seen)
        below = len(raw["neurons"])
        if layer is None:
            failed = True
        else:
            layers.append(layer)
    if failed:
        return None
    output = 0
    if "output" in params and isinstance(params["output"], int):  # 1-based index into the output layer
        if not 1 <= params["output"] <= layers[-1].width:
            ctx.problem(params.loc_of("output"), f"output {params['output']} is not an output neuron's index "
                        f"(1..{layers[-1].width}: {', '.join(layers[-1].neurons)})")
            return None
        output = params["output"] - 1
    elif "output" in params:
        if params["output"] not in layers[-1].neurons:
            ctx.problem(params.loc_of("output"), f"output '{params['output']}' is not a neuron of the output layer "
                        f"({', '.join(layers[-1].neurons)})")
            return None
        output = layers[-1].neurons.index(params["output"])
    elif layers[-1].width != 1:
        ctx.problem(raw_layers.loc_of(len(raw_layers) - 1),
                    f"network output has {layers[-1].width} units, the exercise explains 1 (name it with output:)")
        return None
    return Network(inputs, list(names), layers, output)


def figure_data(network, relevance: dict | None = None, *, in_statement: bool = False, caption: str = "") -> dict:
    """Data for templates/figures/network.tex.j2: levels of nodes, weighted edges, optional relevances,
    with the label positions of ``symxai.typeset.netlayout.place``.

    >>> import sympy
    >>> x1 = sympy.Symbol("x1")
    >>> net = Network([x1], ["R_1"], [Layer(["y"], sympy.ImmutableMatrix([[2]]), sympy.zeros(1, 1), "linear", ["R_y"])])
    >>> d = figure_data(net)
    >>> [n["label"] for level in d["levels"] for n in level], d["edges"][0]["w"]
    (['x_{1}', 'y'], '2')
    """
    from symxai.expr.printing import tex

    relevance = relevance or {}
    levels = [[{"id": f"n0x{i}", "label": tex(x), "bias": "", "act": "",
                "rel": tex(relevance[network.input_relevance[i]]) if network.input_relevance[i] in relevance else ""}
               for i, x in enumerate(network.inputs)]]
    edges = []
    for li, layer in enumerate(network.layers, start=1):
        nodes = []
        for k, name in enumerate(layer.neurons):
            b = layer.bias[k]
            nodes.append({"id": f"n{li}x{k}", "label": tex(sympy.Symbol(name)),
                          "bias": tex(b) if b != 0 else "", "act": "ReLU" if layer.activation == "relu" else "",
                          "rel": tex(relevance[layer.relevance[k]]) if layer.relevance[k] in relevance else ""})
            for j in range(layer.weights.shape[1]):
                w = layer.weights[k, j]
                if w != 0:
                    edges.append({"from": f"n{li - 1}x{j}", "to": f"n{li}x{k}", "w": tex(w)})
        levels.append(nodes)
    from symxai.typeset.netlayout import place  # every label at a spot of its own

    return place({"in_statement": in_statement, "levels": levels, "edges": edges, "caption": caption,
                  "relevance": bool(relevance)})
