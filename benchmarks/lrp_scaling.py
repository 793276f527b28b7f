"""Symbolic LRP as the network grows: width 2 ... 16, depth 1 ... 3 hidden ReLU layers.

Each case is a random network (seeded, small integer weights, biases in {-1, 0, 1}) on two symbolic
inputs x1, x2 >= 0 with one linear output, explained with LRP-gamma at every layer with gamma a symbol (as in the TU Berlin sheet 11), and
is run in a fresh process with a time limit.  Reported per case: the number of activation regions,
the time to enumerate them, the symbolic solve (every region, Piecewise answers, worked steps), the
numeric verification (numpy forward/backward pass at points of every region), and the obvious
alternative: plain SymPy, ReLU written as Max(0, z), the LRP-gamma rule pushed through those
expressions, and piecewise_fold to obtain the input relevances region by region (as a person would do
it in a notebook), with the ratio of its time to symxai's solve.  Medians of --repeat runs.

Usage: python benchmarks/lrp_scaling.py [--repeat 3] [--limit 120] [--out docs/benchmarks-lrp.md]
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (2, 4, 8, 16)


GAMMA = "gamma"


def spec(width: int, depth: int, seed: int) -> str:
    import numpy as np
    rng = np.random.default_rng(seed)
    layers, below = [], 2
    for li in range(depth):
        names = [f"h{li + 1}_{k + 1}" for k in range(width)]
        w = rng.integers(-2, 3, size=(width, below))
        w[w.sum(axis=1) == 0, 0] = 1  # no dead neuron by construction
        b = rng.integers(-1, 2, size=width)
        layers.append({"neurons": names, "weights": w.tolist(), "bias": b.tolist()})
        below = width
    layers.append({"neurons": ["y"], "weights": [rng.integers(1, 3, size=below).tolist()]})
    params = {"inputs": ["x1", "x2"], "rule": "gamma", "gamma": GAMMA, "boundaries": False, "layers": layers}
    sheet = {"id": "bench", "title": "LRP scaling", "exercises": [{
        "id": "net", "title": "net", "statement": "benchmark", "method": "lrp",
        "symbols": {"x1": "nonnegative", "x2": "nonnegative", "gamma": "nonnegative"}, "params": params}]}
    return json.dumps(sheet)  # JSON is YAML


def one_case(width: int, depth: int, seed: int) -> dict:
    from symxai.methods import get
    from symxai.specs.spec import loads_sheet
    from symxai.solve.verify import verify
    get("lrp")  # discover the methods before the clock starts
    t0 = time.perf_counter()
    task = loads_sheet(spec(width, depth, seed)).task("net")
    _ = task.problem.regions  # enumerated on first use
    t1 = time.perf_counter()
    sol = task.method.solve(task.problem)
    t2 = time.perf_counter()
    ver = verify(task, sol)
    t3 = time.perf_counter()
    p = task.problem
    if not ver.passed:
        raise SystemExit(f"verification failed for width {width}, depth {depth}")
    return {"regions": len(p.regions), "enumerate": t1 - t0, "solve": t2 - t1, "verify": t3 - t2}


def plain_sympy(width: int, depth: int, seed: int, layers=None, gamma=None, d: int = 2) -> dict:
    """The notebook way: Max(0, z) activations, LRP-gamma through them, piecewise_fold at the end
    (``layers``, ``gamma`` and ``d`` inputs: one of the named networks instead of the random one)."""
    import sympy
    net = layers if layers is not None else json.loads(spec(width, depth, seed))["exercises"][0]["params"]["layers"]
    net = [{**layer, "weights": [[sympy.Rational(w) for w in row] for row in layer["weights"]],
            "bias": [sympy.Rational(b) for b in layer.get("bias", [0] * len(layer["weights"]))]} for layer in net]
    x = list(sympy.symbols(" ".join(f"x{i + 1}" for i in range(d)), nonnegative=True))
    gamma = sympy.Symbol("gamma", nonnegative=True) if gamma is None else sympy.Rational(gamma)
    start, cpu = time.perf_counter(), time.process_time()
    acts = [x]
    for layer in net[:-1]:
        acts.append([sympy.Max(0, sum(w * a for w, a in zip(row, acts[-1])) + b)
                     for row, b in zip(layer["weights"], layer["bias"])])
    out = net[-1]["weights"][0]
    R = [sum(w * a for w, a in zip(out, acts[-1]))]
    for li in range(len(net) - 1, -1, -1):
        W = net[li]["weights"]
        bias = net[li].get("bias", [0] * len(W))
        a = acts[li]
        rho = [[w + gamma * max(w, 0) for w in row] for row in W]
        R = [sum(a[j] * rho[k][j] / (sum(a[i] * rho[k][i] for i in range(len(a))) + bias[k] + gamma * max(bias[k], 0))
                 * R[k] for k in range(len(W))) for j in range(len(a))]
    folded = [sympy.piecewise_fold(r.rewrite(sympy.Piecewise)) for r in R]
    return {"plain": time.perf_counter() - start, "plain_cpu": time.process_time() - cpu,
            "pieces": sum(len(f.args) if isinstance(f, sympy.Piecewise) else 1 for f in folded)}


UNSEEN = [  # the 3-3-2-1 network of tests/methods/test_lrp.py
    {"neurons": ["h4", "h5", "h6"], "weights": [[2, -1, 1], [-1, 1, "1/2"], [1, 1, -2]], "bias": [-1, "1/2", 0]},
    {"neurons": ["h7", "h8"], "weights": [[1, -2, 1], ["1/2", 1, -1]], "bias": [1, -1]},
    {"neurons": ["y"], "weights": [[1, 2]], "bias": [0], "activation": "linear"}]
# issue 15's targets: name -> (layers factory, rule, params, options, inputs)
NAMED = {
    "2-3-3-1 gamma symbolic": ("random", 3, 2, "gamma", {"gamma": "gamma"}, {"boundaries": False}),
    "2-3-3-1 gamma 1/4 boundaries": ("random", 3, 2, "gamma", {"gamma": "1/4"}, {}),
    "3-3-2-1 (test net) gamma boundaries": ("unseen", 0, 0, "gamma", {"gamma": "gamma"}, {}),
    "2-8-8-1 gamma symbolic": ("random", 8, 2, "gamma", {"gamma": "gamma"}, {"boundaries": False}),  # limit raised
    "2-3-3-1 epsilon plus": ("random", 3, 2, "epsilon", {"epsilon": "1/4"}, {}),
    "2-3-3-1 epsilon sign": ("random", 3, 2, "epsilon", {"epsilon": "1/4"}, {"stabiliser": "sign"}),
    "2-3-3-1 epsilon preset zennit": ("random", 3, 2, "epsilon", {"epsilon": "1/4"}, {"preset": "zennit"}),
}


# The spec limit MAX_LRP_REGIONS (64, docs/spec.md#limits) bounds sum_(i<=d) C(h, i): 137 for 16 hidden units on
# 2 inputs, so no 2-8-8-1 network passes it whatever its weights.  Only this benchmark's child process raises
# the limit (for the named cases listed here), to measure issue 15's "width 8 at depth 2" target; the
# user-facing limit is unchanged.
RAISED_LIMIT = {"2-8-8-1 gamma symbolic": 137}


def named_case(name: str, seed: int) -> dict:
    """One of issue 15's cases: enumerate + solve + verify, and zennit once at a point of every region."""
    from symxai.methods import get
    from symxai.specs.spec import loads_sheet
    from symxai.solve.verify import verify
    kind, width, depth, rule, params, options = NAMED[name]
    if name in RAISED_LIMIT:  # benchmark only, see RAISED_LIMIT
        import symxai.methods.propagation.lrp as lrp_module
        lrp_module.MAX_LRP_REGIONS = max(lrp_module.MAX_LRP_REGIONS, RAISED_LIMIT[name])
    if kind == "unseen":
        layers, d = UNSEEN, 3
    else:
        layers = json.loads(spec(width, depth, seed))["exercises"][0]["params"]["layers"]
        for layer in layers:
            layer.setdefault("bias", [0] * len(layer["weights"]))
        layers[-1]["activation"] = "linear"
        d = 2
    inputs = [f"x{i + 1}" for i in range(d)]
    sheet = json.dumps({"id": "bench", "title": "b", "exercises": [{
        "id": "net", "title": "net", "statement": "benchmark", "method": "lrp",
        "symbols": {**{x: "nonnegative" for x in inputs}, "gamma": "nonnegative"},
        "params": {"inputs": inputs, "rule": rule, "layers": layers, **params, **options}}]})
    get("lrp")
    t0, c0 = time.perf_counter(), time.process_time()
    task = loads_sheet(sheet).task("net")
    regions = task.problem.regions
    t1 = time.perf_counter()
    sol = task.method.solve(task.problem)
    t2, c2 = time.perf_counter(), time.process_time()
    ver = verify(task, sol)
    t3 = time.perf_counter()
    if not ver.passed:
        raise SystemExit(f"verification failed for {name}")
    floor = None
    try:  # zennit once per region: the least an exact region-wise method must pay
        import numpy as np
        sys.path.insert(0, str(ROOT))
        from tests import xref
        xref.import_zennit()
        from symxai.solve.regions import region_point
        rng = np.random.default_rng(0)
        zp = {k: (1.0 if v == "gamma" else v) for k, v in params.items()}
        points = [pt for pt in (region_point(r, rng) for r in regions) if pt is not None]
        xref.zennit_lrp(layers, [rule] * len(layers), zp, "neuron", points[0])  # warm up torch
        t4 = time.perf_counter()
        for pt in points:
            xref.zennit_lrp(layers, [rule] * len(layers), zp, "neuron", pt)
        floor = time.perf_counter() - t4
    except ImportError:
        pass
    return {"regions": len(regions), "enumerate": t1 - t0, "solve": t2 - t1, "verify": t3 - t2, "zennit": floor,
            "cpu": c2 - c0}  # CPU seconds of enumerate + solve: comparable on a shared, loaded machine


def named_plain(name: str, seed: int) -> dict:
    """The plain SymPy route (``plain_sympy``) on a named LRP-gamma case; {} for the other rules."""
    kind, width, depth, rule, params, options = NAMED[name]
    if rule != "gamma":
        return {}
    gamma = None if params["gamma"] == "gamma" else params["gamma"]
    if kind == "unseen":
        return plain_sympy(0, 0, seed, layers=UNSEEN, gamma=gamma, d=3)
    return plain_sympy(width, depth, seed, gamma=gamma)


def named_table(limit: float, repeat: int, seed: int, only: str | None = None) -> list[str]:
    lines = ["| case | regions | enumerate + solve (s) | CPU (s) | verify (s) | zennit once per region (s) | ratio to zennit "
             "| plain SymPy (s) |",
             "|---|---|---|---|---|---|---|---|"]
    for name in (n for n in NAMED if only is None or only in n):
        runs = []
        for _ in range(repeat):
            try:
                out = subprocess.run([sys.executable, __file__, "--named", name, str(seed)], capture_output=True,
                                     text=True, timeout=limit, check=True, cwd=ROOT)
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            except subprocess.TimeoutExpired:
                runs = None
                break
        try:  # the plain SymPy route once (LRP-gamma cases only)
            out = subprocess.run([sys.executable, __file__, "--named-plain", name, str(seed)], capture_output=True,
                                 text=True, timeout=limit, check=True, cwd=ROOT)
            plain = json.loads(out.stdout.strip().splitlines()[-1])
            plain = f"{plain['plain']:.2f}" if plain else "n/a"
        except subprocess.TimeoutExpired:
            plain = f"> {limit:.0f}"
        if runs is None:
            lines.append(f"| {name} | | > {limit:.0f} | | | | | {plain} |")
        else:
            med = {k: statistics.median(r[k] for r in runs) for k in ("regions", "enumerate", "solve", "verify", "cpu")}
            ours = med["enumerate"] + med["solve"]
            z = [r["zennit"] for r in runs if r["zennit"] is not None]
            zt = statistics.median(z) if z else None
            lines.append(f"| {name} | {med['regions']:.0f} | {ours:.2f} | {med['cpu']:.2f} | {med['verify']:.2f} | "
                         + (f"{zt:.3f} | {ours / zt:.0f}x |" if zt else "not installed | |") + f" {plain} |")
        print(lines[-1], flush=True)
    return lines


def run(width, depth, seed, limit, mode="--case"):
    try:
        out = subprocess.run([sys.executable, __file__, mode, str(width), str(depth), str(seed)],
                             capture_output=True, text=True, timeout=limit, check=True, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--limit", type=float, default=120.0, help="seconds per case before it is reported as over")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--depths", default="1,2,3", help="comma-separated numbers of hidden layers")
    ap.add_argument("--out")
    ap.add_argument("--case", nargs=3, type=int, help=argparse.SUPPRESS)
    ap.add_argument("--plain", nargs=3, type=int, help=argparse.SUPPRESS)
    ap.add_argument("--named", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--named-plain", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--only", help="--issue15: only the named cases containing this text")
    ap.add_argument("--issue15", action="store_true", help="the named cases of issue 15 beside zennit")
    args = ap.parse_args()
    if args.named:
        print(json.dumps(named_case(args.named[0], int(args.named[1]))))
        return
    if args.named_plain:
        print(json.dumps(named_plain(args.named_plain[0], int(args.named_plain[1]))))
        return
    if args.issue15:
        lines = named_table(args.limit, args.repeat, args.seed, args.only)
        text = "\n".join(lines) + "\n"
        if args.out:
            Path(args.out).write_text(text)
        print(text)
        return
    if args.case or args.plain:
        print(json.dumps(one_case(*args.case) if args.case else plain_sympy(*args.plain)))
        return
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    lines = [f"## Symbolic LRP as the network grows (benchmarks/lrp_scaling.py)\n",
             f"Measured {datetime.date.today().isoformat()} on {cores} cores, {platform.machine()}, "
             f"Python {platform.python_version()}; two symbolic inputs, LRP-gamma, random integer weights "
             f"(seed {args.seed}); median of {args.repeat} fresh processes, limit {args.limit:.0f} s per case.\n",
             "| depth | width | regions | enumerate (s) | solve (s) | verify (s) | plain SymPy (s) | plain / symxai |",
             "|---|---|---|---|---|---|---|---|"]
    for depth in [int(d) for d in args.depths.split(",")]:
        over = plain_over = False
        for width in WIDTHS:
            runs = [] if over else [run(width, depth, args.seed, args.limit) for _ in range(args.repeat)]
            if over or any(r is None for r in runs):
                over = True  # wider networks of this depth only take longer
                lines.append(f"| {depth} | {width} | | > {args.limit:.0f} s | | | | |")
                print(lines[-1], flush=True)
                continue
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            plain = [] if plain_over else [run(width, depth, args.seed, args.limit, "--plain")
                                           for _ in range(args.repeat)]
            plain_over = plain_over or any(r is None for r in plain)
            ours = med["enumerate"] + med["solve"]
            if plain_over:
                alt = f"> {args.limit:.0f} | > {args.limit / ours:.0f}x"
            else:
                t = statistics.median(r["plain"] for r in plain)
                alt = f"{t:.2f} | {t / ours:.1f}x"
            lines.append(f"| {depth} | {width} | {med['regions']:.0f} | {med['enumerate']:.2f} | {med['solve']:.2f} "
                         f"| {med['verify']:.2f} | {alt} |")
            print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    if args.out:
        Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
