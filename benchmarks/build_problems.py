"""Time `symxai build problems/`: solve + verify + render (--tex-only), and with PDFs.

Each run is a fresh process (the cost a user sees, imports included); wall and CPU (user+sys of the
process and all its children, pdflatex included), medians of --repeat runs.  The PDF runs use a
private format cache, dumped by one warm-up run (its cost is the "cold cache" row).
Usage: python benchmarks/build_problems.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from timing import machine, medians, run_cold  # noqa: E402


def build(args: list[str], env=None):
    with tempfile.TemporaryDirectory() as out:
        return run_cold([sys.executable, "-m", "symxai", "build", str(ROOT / "problems"), "-o", out, *args],
                        cwd=ROOT, env=env)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    specs = sorted((ROOT / "problems").glob("*.yaml"))
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, SYMXAI_CACHE_DIR=cache)
        tex_only, with_pdf = [], []
        cold = build([], env)
        for _ in range(args.repeat):  # alternated, so load hits both alike
            tex_only.append(build(["--tex-only"], env))
            with_pdf.append(build([], env))
    t, p = medians(tex_only), medians(with_pdf)
    print(f"machine: {machine()}; medians of {args.repeat} fresh processes; {len(specs)} spec files, "
          f"{2 * len(specs)} PDFs\n")
    print("| what | wall (s) | CPU (s) |\n|---|---|---|")
    print(f"| solve + verify + render (--tex-only) | {t[0]:.1f} | {t[1]:.1f} |")
    print(f"| the same plus the PDFs (format cached) | {p[0]:.1f} | {p[1]:.1f} |")
    print(f"| the same, cold format cache (one run) | {cold[0]:.1f} | {cold[1]:.1f} |")
    print(f"| PDFs / tex-only | {p[0] / t[0]:.2f}× | {p[1] / t[1]:.2f}× |")


if __name__ == "__main__":
    main()
