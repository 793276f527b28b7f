"""Exact Shapley values for d = 8..20 features: symxai against the obvious alternatives.

Function: the cheap piecewise-linear f(x) = sum_i ReLU(x_i - x_{i+1}) + max(x_1..x_d)/2
at an integer point with baseline 0.  Columns (medians over --repeat runs):

- symxai rational: the method's solve (exact 2^d coalition values as Fractions,
  Shapley values by size-grouped integer sums, worked steps);
- symxai float: the same coalition route with floats;
- bare 2^d: only the 2^d exact coalition values f(x_S), vectorised -- the floor any
  exact method pays;
- plain SymPy: f.subs per coalition, weights summed in SymPy (only up to
  --sympy-max-d: it grows too slow);
- shap exact: shap.explainers.Exact with a zero background, where shap is installed.

Usage: python benchmarks/shapley_speed.py [--repeat 3] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import datetime
import platform
import statistics
import subprocess
import sys
import time
from math import factorial
from pathlib import Path

import numpy as np
import sympy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from symxai.coalitions import coalition_values, exact_evaluator, shapley_from_values  # noqa: E402
from symxai.methods.shapley import Shapley, ShapleyProblem  # noqa: E402


def function(d: int):
    xs = sympy.symbols(f"x1:{d + 1}", real=True)
    f = sum(sympy.Max(0, xs[i] - xs[i + 1]) for i in range(d - 1)) + sympy.Max(*xs) / 2
    point = [sympy.Integer((7 * i) % 5 + 1) for i in range(d)]
    return xs, f, point


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_symxai(xs, f, point):
    p = ShapleyProblem([f], 0, list(xs), point, [sympy.Integer(0)] * len(xs), "phi")
    return Shapley().solve(p)


def run_float(xs, f, point):
    d = len(xs)
    masks = np.arange(1 << d)
    columns = [np.where((masks >> i) & 1 == 1, float(point[i]), 0.0) for i in range(d)]
    values = exact_evaluator(f, xs)(columns)
    return shapley_from_values(list(values.astype(float)), d)


def run_bare(xs, f, point):
    """The floor: only the 2^d exact coalition values, nothing else."""
    return coalition_values(f, xs, point, [0] * len(xs))


def run_sympy(xs, f, point):
    d = len(xs)
    values = [f.subs({x: (point[i] if m >> i & 1 else 0) for i, x in enumerate(xs)}) for m in range(1 << d)]
    out = []
    for i in range(d):
        total = sympy.Integer(0)
        for m in range(1 << d):
            if not m >> i & 1:
                k = bin(m).count("1")
                total += sympy.Rational(factorial(k) * factorial(d - k - 1), factorial(d)) * (values[m | 1 << i] - values[m])
        out.append(total)
    return out


def run_shap(xs, f, point):
    import shap
    fn = sympy.lambdify(xs, f, "numpy")

    def model(X):
        return np.array([fn(*row) for row in X])
    explainer = shap.explainers.Exact(model, shap.maskers.Independent(np.zeros((1, len(xs))), max_samples=1))
    return explainer(np.array([[float(v) for v in point]])).values[0]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return f"{cpu}, {cores} cores, {platform.machine()}, Python {platform.python_version()}, SymPy {sympy.__version__}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dims", default="8,10,12,14,16,18,20")
    ap.add_argument("--sympy-max-d", type=int, default=12)
    ap.add_argument("--shap-max-d", type=int, default=16)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    try:
        import shap  # noqa: F401
        have_shap = True
    except ImportError:
        have_shap = False
    rows = []
    for d in map(int, args.dims.split(",")):
        xs, f, point = function(d)
        exact = [a.value for a in run_symxai(xs, f, point).answers.values()]
        floats = run_float(xs, f, point)
        assert np.allclose([float(e) for e in exact], [float(v) for v in floats])
        t_sym = median_time(lambda: run_symxai(xs, f, point), args.repeat)
        t_float = median_time(lambda: run_float(xs, f, point), args.repeat)
        t_bare = median_time(lambda: run_bare(xs, f, point), args.repeat)
        t_sympy = median_time(lambda: run_sympy(xs, f, point), 1) if d <= args.sympy_max_d else None
        t_shap = None
        if have_shap and d <= args.shap_max_d:
            values = run_shap(xs, f, point)
            assert np.allclose(values, [float(e) for e in exact], atol=1e-9)
            t_shap = median_time(lambda: run_shap(xs, f, point), 1)
        rows.append((d, t_sym, t_float, t_bare, t_sympy, t_shap))
        print(f"d={d:2d} symxai={t_sym:.3f}s float={t_float:.3f}s bare={t_bare:.3f}s "
              f"sympy={t_sympy if t_sympy is None else round(t_sympy, 2)} shap={t_shap if t_shap is None else round(t_shap, 2)}",
              flush=True)

    def fmt(t):
        return "—" if t is None else f"{t:.3f}"

    def ratio(a, b):
        return "—" if a is None or b is None else f"{a / b:.1f}×"
    lines = [
        f"## Exact Shapley values (benchmarks/shapley_speed.py)",
        "",
        f"Measured {datetime.date.today().isoformat()} on {machine()}; medians of {args.repeat} runs "
        "(plain SymPy and shap: one run). f(x) = Σ ReLU(x_i − x_(i+1)) + max(x)/2 at an integer point, baseline 0.",
        "",
        "| d | symxai exact (s) | symxai float (s) | bare 2^d evals (s) | symxai / bare | plain SymPy subs (s) | SymPy / symxai | shap Exact (s) | shap / symxai |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for d, t_sym, t_float, t_bare, t_sympy, t_shap in rows:
        lines.append(f"| {d} | {fmt(t_sym)} | {fmt(t_float)} | {fmt(t_bare)} | {ratio(t_sym, t_bare)} | {fmt(t_sympy)} | "
                     f"{ratio(t_sympy, t_sym)} | {fmt(t_shap)} | {ratio(t_shap, t_sym)} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
