"""Exact Shapley values for d = 8..20 features: symxai against the alternatives, each called as its docs advise.

Function: the cheap piecewise-linear f(x) = sum_i ReLU(x_i - x_{i+1}) + max(x_1..x_d)/2 at an
integer point with baseline 0.  Columns (medians over --repeat runs, wall and CPU = user+sys of
this process and its threads):

- symxai exact: ``Shapley().solve`` -- the method's whole path: 2^d exact coalition values (scaled
  integers), exact rational Shapley values, the worked steps as SymPy objects (only what is printed);
- numpy float floor: the subset formula in numpy floats, written as tightly as we could: f by hand
  on one column per feature (``numpy_f_columns``, in place), |S| by ``np.bitwise_count``, per feature
  one strided sum.  Not exact: the floor for any method that evaluates all 2^d coalitions;
- plain SymPy: f.subs per coalition, the weights summed in SymPy Rationals (exact; up to --sympy-max-d);
- shap Exact: ``shap.explainers.Exact`` (shap's exact model-agnostic explainer) with a vectorised
  model (the same hand-written ``numpy_f`` on the rows of X) and a one-row zero background
  (``shap.maskers.Independent``), ``max_evals=2^d`` (its default stops at 100,000), as shap's
  documentation calls it; floats.  Only when shap is installed.

Every run checks the exact values against the float floor (and shap's against both).
Usage: python benchmarks/shapley_speed.py [--repeat 5] [--dims 8,10,...,20]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
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

from symxai.solve.coalitions import _sizes  # noqa: E402
from symxai.methods.shap_family.shapley import Shapley, ShapleyProblem  # noqa: E402


def function(d: int):
    xs = sympy.symbols(f"x1:{d + 1}", real=True)
    f = sum(sympy.Max(0, xs[i] - xs[i + 1]) for i in range(d - 1)) + sympy.Max(*xs) / 2
    point = [sympy.Integer((7 * i) % 5 + 1) for i in range(d)]
    return xs, f, point


def numpy_f(X):
    """The same f written by hand in numpy, on rows of X: the fastest float model (for the floor and shap)."""
    return np.maximum(X[:, :-1] - X[:, 1:], 0).sum(axis=1) + X.max(axis=1) / 2


def numpy_f_columns(cols):
    """The same f on a list of columns (one per feature), in place where numpy allows."""
    out = np.zeros_like(cols[0])
    tmp = np.empty_like(cols[0])
    for a, b in zip(cols, cols[1:]):
        np.subtract(a, b, out=tmp)
        np.maximum(tmp, 0.0, out=tmp)
        out += tmp
    np.maximum.reduce(cols, out=tmp) if len(cols) > 1 else np.copyto(tmp, cols[0])
    tmp /= 2
    return out + tmp


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(fn, repeat: int, least: float = 0.05) -> tuple[float, float]:
    """Median wall and median CPU seconds per call over ``repeat`` samples; a sample repeats
    the call until it has taken ``least`` seconds, so that milliseconds are measurable."""
    walls, cpus = [], []
    for _ in range(repeat):
        c0, w0, n = cpu(), time.perf_counter(), 0
        while True:
            fn()
            n += 1
            if time.perf_counter() - w0 >= least:
                break
        walls.append((time.perf_counter() - w0) / n)
        cpus.append((cpu() - c0) / n)
    return statistics.median(walls), statistics.median(cpus)


def run_symxai(xs, f, point):
    _sizes.cache_clear()  # each run pays for everything, as a fresh build would
    p = ShapleyProblem([f], 0, list(xs), point, [sympy.Integer(0)] * len(xs), "phi")
    return [a.value for a in Shapley().solve(p).answers.values()]


def numpy_floor(point, d):
    """phi_i = sum_{S containing i} w(|S|-1) v(S) - sum_{S without i} w(|S|) v(S), in floats,
    written as tightly as numpy allows: f on columns (no 2^d x d matrix), |S| by np.bitwise_count,
    u = v (w_in + w_out) once, and per feature one strided sum over the coalitions containing it."""
    masks = np.arange(1 << d)
    cols = []
    for i in range(d):
        col = np.empty(1 << d)
        col.reshape(-1, 2, 1 << i)[:, 0, :] = 0.0
        col.reshape(-1, 2, 1 << i)[:, 1, :] = float(point[i])
        cols.append(col)
    v = numpy_f_columns(cols)
    size = np.bitwise_count(masks).astype(np.intp)
    w = np.array([factorial(k) * factorial(d - k - 1) / factorial(d) for k in range(d)] + [0.0])
    w_in, w_out = w[size - 1], w[size]  # w[-1] and w[d] are the 0.0 at the end
    u = v * (w_in + w_out)
    rest = v @ w_out
    return np.array([u.reshape(-1, 2, 1 << i)[:, 1, :].sum() - rest for i in range(d)])


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


def shap_explainer(d):
    import shap
    return shap.explainers.Exact(numpy_f, shap.maskers.Independent(np.zeros((1, d)), max_samples=1))


def machine() -> str:
    cpu_name = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return (f"{cpu_name}, {cores} cores, {platform.machine()}, Python {platform.python_version()}, "
            f"SymPy {sympy.__version__}, numpy {np.__version__}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dims", default="8,10,12,14,16,18,20")
    ap.add_argument("--sympy-max-d", type=int, default=12)
    ap.add_argument("--shap-max-d", type=int, default=20)
    args = ap.parse_args()
    try:
        import shap
        shap_version = shap.__version__
    except ImportError:
        shap_version = None
    rows = []
    for d in map(int, args.dims.split(",")):
        xs, f, point = function(d)
        exact = run_symxai(xs, f, point)
        floor = numpy_floor(point, d)
        lambdified = sympy.lambdify(xs, f, "numpy")
        X = np.random.default_rng(d).integers(-3, 4, size=(64, d)).astype(float)
        assert np.allclose(numpy_f(X), lambdified(*X.T)), "numpy_f is not f"
        assert all(isinstance(e, sympy.Rational) for e in exact), "not exact"
        assert np.allclose([float(e) for e in exact], floor, rtol=1e-9, atol=1e-9), "exact != float floor"
        assert sum(exact) == f.subs(dict(zip(xs, point))) - f.subs({x: 0 for x in xs}), "efficiency"
        t_sym = timed(lambda: run_symxai(xs, f, point), args.repeat)
        t_floor = timed(lambda: numpy_floor(point, d), args.repeat)
        t_sympy = timed(lambda: run_sympy(xs, f, point), 1) if d <= args.sympy_max_d else None
        t_shap = None
        if shap_version and d <= args.shap_max_d:
            x = np.array([[float(v) for v in point]])
            explainer = shap_explainer(d)
            values = explainer(x, max_evals=1 << d, silent=True).values[0]  # also the warm-up (numba compiles on first use)
            assert np.allclose(values, floor, atol=1e-9), "shap != float floor"
            t_shap = timed(lambda: shap_explainer(d)(x, max_evals=1 << d, silent=True), max(1, args.repeat if d <= 16 else 3))
        rows.append((d, t_sym, t_floor, t_sympy, t_shap))
        print(f"d={d:2d} symxai={t_sym} floor={t_floor} sympy={t_sympy} shap={t_shap}", flush=True)

    def fmt(t):
        return "—" if t is None else f"{t[0] * 1000:.1f} ({t[1] * 1000:.1f})"

    def ratio(a, b):
        return "—" if a is None or b is None else f"{a[0] / b[0]:.2g}× ({a[1] / b[1]:.2g}×)"
    load = os.getloadavg()
    print()
    print(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {machine()}, "
          f"shap {shap_version or 'not installed'}; load average at the end {load[0]:.1f} / {load[1]:.1f} (1 / 5 min); "
          f"medians of {args.repeat} runs (plain SymPy: one run; shap above d = 16: three). Wall "
          "milliseconds per call, CPU (user+sys) in brackets; ratios of wall times (of CPU times in brackets) from the same run.")
    print()
    print("| d | symxai exact | numpy float floor | symxai / floor | plain SymPy subs | SymPy / symxai | "
          "shap Exact (vectorised) | shap / symxai |")
    print("|---|---|---|---|---|---|---|---|")
    for d, t_sym, t_floor, t_sympy, t_shap in rows:
        print(f"| {d} | {fmt(t_sym)} | {fmt(t_floor)} | {ratio(t_sym, t_floor)} | {fmt(t_sympy)} | "
              f"{ratio(t_sympy, t_sym)} | {fmt(t_shap)} | {ratio(t_shap, t_sym)} |")


if __name__ == "__main__":
    main()
