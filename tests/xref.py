"""Cross-reference helpers: seeded random ReLU networks as symxai specs and as torch models, explained
by zennit (LRP) and captum (Integrated Gradients, gradient x input).

Used by tests/methods/test_crosscheck_zennit.py and benchmarks/lrp_scaling.py.  zennit 0.5.1 imports
torchvision at import time only for its ResNet canonizers; when torchvision is absent (CI installs
CPU torch, zennit and captum with --no-deps, no torchvision) a stub with the two class names it
imports stands in, so that ``import zennit`` works.
"""

from __future__ import annotations

import json
import sys
import types

import numpy as np

# rule key -> zennit rule factory (params: the rule's parameters as floats; zero: zennit zero_params)
TINY = 1e-30  # zennit's stabiliser for rules other than epsilon: leaves every nonzero denominator as it is


def import_zennit():
    """zennit's rules module (with a torchvision stub when torchvision is not installed)."""
    try:
        import torchvision  # noqa: F401
    except ImportError:
        import torch
        tv = types.ModuleType("torchvision")
        models = types.ModuleType("torchvision.models")
        resnet = types.ModuleType("torchvision.models.resnet")
        resnet.Bottleneck = type("Bottleneck", (torch.nn.Module,), {})
        resnet.BasicBlock = type("BasicBlock", (torch.nn.Module,), {})
        tv.models, models.resnet = models, resnet
        sys.modules.update({"torchvision": tv, "torchvision.models": models, "torchvision.models.resnet": resnet})
    import zennit.rules
    return zennit.rules


def random_layers(seed: int, depth: int, width: int, d: int = 2, *, bias: bool = True) -> list[dict]:
    """``depth`` hidden ReLU layers of ``width`` neurons and one linear output, small integer weights
    (halves in the first layer) and biases in {-1, -1/2, 0, 1/2, 1}."""
    rng = np.random.default_rng(seed)
    layers, below = [], d
    for li in range(depth):
        w = rng.integers(-4, 5, size=(width, below)) / (2 if li == 0 else 1)
        w[np.abs(w).sum(axis=1) == 0, 0] = 1
        b = rng.integers(-2, 3, size=width) / 2 if bias else np.zeros(width)
        layers.append({"neurons": [f"h{li + 1}_{k + 1}" for k in range(width)], "weights": w.tolist(),
                       "bias": b.tolist()})
        below = width
    out_b = [float(rng.integers(-2, 3) / 2)] if bias else [0.0]
    layers.append({"neurons": ["y"], "weights": [rng.integers(-2, 4, size=below).tolist()], "bias": out_b,
                   "activation": "linear"})
    for layer in layers:  # exact numbers in the spec: 1.5 -> "3/2"
        layer["weights"] = [[_exact(v) for v in row] for row in layer["weights"]]
        layer["bias"] = [_exact(v) for v in layer["bias"]]
    return layers


def _exact(v: float):
    v = float(v)
    return int(v) if v == int(v) else f"{int(round(2 * v))}/2"


def to_float(v) -> float:
    if isinstance(v, str):
        num, den = v.split("/")
        return int(num) / int(den)
    return float(v)


def lrp_sheet(layers: list[dict], rules: list[str], params: dict, *, d: int = 2, **options) -> str:
    """A one-exercise symxai sheet (JSON is YAML) explaining the network with LRP."""
    inputs = [f"x{i + 1}" for i in range(d)]
    spec = {"inputs": inputs, "rules": rules, "layers": layers, **params, **options}
    return json.dumps({"id": "xref", "title": "xref", "exercises": [{
        "id": "net", "title": "net", "statement": "cross-check", "method": "lrp",
        "symbols": {x: "nonnegative" for x in inputs}, "params": spec}]})


def torch_model(layers: list[dict]):
    """The network as a float64 torch.nn.Sequential of Linear and ReLU modules."""
    import torch
    mods = []
    for layer in layers:
        W = torch.tensor([[to_float(v) for v in row] for row in layer["weights"]], dtype=torch.float64)
        lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(W)
            lin.bias.copy_(torch.tensor([to_float(v) for v in layer["bias"]], dtype=torch.float64))
        mods.append(lin)
        if layer.get("activation", "relu") == "relu":
            mods.append(torch.nn.ReLU())
    return torch.nn.Sequential(*mods)


def zennit_rule(key: str, params: dict, bias: str, layer: int):
    """The zennit rule for a symxai rule key; ``bias="ignore"`` is zennit's zero_params=['bias']."""
    rules = import_zennit()
    zero = ["bias"] if bias == "ignore" else None
    if key == "lrp0":
        return rules.Epsilon(epsilon=TINY, zero_params=zero)
    if key == "epsilon":
        return rules.Epsilon(epsilon=to_float(params["epsilon"]), zero_params=zero)
    if key == "gamma":
        return rules.Gamma(gamma=to_float(params["gamma"]), stabilizer=TINY, zero_params=zero)
    if key == "z+":
        return rules.ZPlus(stabilizer=TINY, zero_params=zero)
    if key == "alphabeta":
        return rules.AlphaBeta(alpha=to_float(params["alpha"]), beta=to_float(params["beta"]), stabilizer=TINY,
                               zero_params=zero)
    if key == "zB":
        import torch
        return rules.ZBox(torch.tensor([to_float(v) for v in params["low"]], dtype=torch.float64),
                          torch.tensor([to_float(v) for v in params["high"]], dtype=torch.float64),
                          stabilizer=TINY, zero_params=zero)
    if key == "flat":
        return rules.Flat(stabilizer=TINY)
    if key == "w2":
        return rules.WSquare(stabilizer=TINY, zero_params=zero)
    raise KeyError(key)


def zennit_lrp(layers: list[dict], rules: list[str], params: dict, bias: str, point, *,
               output: int | None = None) -> list[np.ndarray]:
    """zennit's relevances at ``point``: inputs first, then every hidden layer (R_out = y).  A layer's own
    epsilon/gamma/alpha/beta (a key of its dict) override ``params`` for that layer, as a zennit composite
    sets one rule object per layer; ``output`` (0-based) explains that output neuron alone (grad_output
    one-hot times the output, zennit's attribution of one class)."""
    import torch
    zrules = import_zennit()
    model = torch_model(layers)
    handles, li = [], 0
    for mod in model:
        if isinstance(mod, torch.nn.Linear):
            own = {k: layers[li][k] for k in ("epsilon", "gamma", "alpha", "beta") if k in layers[li]}
            handles.append(zennit_rule(rules[li], {**params, **own}, bias, li).register(mod))
            li += 1
        else:
            handles.append(zrules.Pass().register(mod))  # zennit's layer map: activations pass relevance on
    try:
        x = torch.tensor([float(v) for v in point], dtype=torch.float64, requires_grad=True)
        hidden, h = [], x
        for mod in model:
            h = mod(h)
            if isinstance(mod, torch.nn.ReLU):
                h.retain_grad()
                hidden.append(h)
        start = h.detach().clone()
        if output is not None:
            start = start * (torch.arange(start.shape[-1]) == output)
        h.backward(gradient=start)
        return [x.grad.numpy().copy()] + [t.grad.numpy().copy() for t in hidden]
    finally:
        for handle in handles:
            handle.remove()


def captum_attributions(f_torch, point, baseline, method: str, steps: int = 2000) -> np.ndarray:
    """captum's IntegratedGradients (Gauss-Legendre, ``steps``) or InputXGradient at ``point``."""
    import torch
    from captum.attr import InputXGradient, IntegratedGradients
    x = torch.tensor([list(map(float, point))], dtype=torch.float64, requires_grad=True)
    if method == "ig":
        b = torch.tensor([list(map(float, baseline))], dtype=torch.float64)
        out = IntegratedGradients(f_torch).attribute(x, baselines=b, n_steps=steps, method="riemann_middle")
    else:
        out = InputXGradient(f_torch).attribute(x)
    return out.detach().numpy()[0]
