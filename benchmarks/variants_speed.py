"""Variants of problems/tub-ml-sheet14.yaml's Shapley exercise through the CLI, in fresh processes.

Rows: COUNT verified variants tex-only (draw, constraints, solve, verify, render both sheets, answer
key) with --jobs 1 and --jobs J; COUNT variants with one exercises and one solutions booklet; 20 variants with their 40 PDFs (one pdflatex pass each, precompiled
preamble, PDFs in parallel on all cores) after a warm-up run that leaves the preamble format cached;
and the format dump itself (a cold cache).  Wall and CPU (user+sys of the process and all its
children), medians of --repeat runs.
Usage: python benchmarks/variants_speed.py [--count 100] [--jobs 2] [--repeat 3]
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

SHEET = "problems/tub-ml-sheet14.yaml"


def variants(count: int, jobs: int, tex_only: bool, env=None, *extra: str):
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "symxai", "variants", SHEET, "shapley", "--count", str(count),
               "-o", out, "--jobs", str(jobs), *(["--tex-only"] if tex_only else []), *extra]
        return run_cold(cmd, cwd=ROOT, env=env)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rows = []
    for jobs in (1, args.jobs):
        rows.append((f"{args.count} variants, tex only, --jobs {jobs}",
                     medians([variants(args.count, jobs, True) for _ in range(args.repeat)])))
    rows.append(("20 variants, tex only, --jobs 1", medians([variants(20, 1, True) for _ in range(args.repeat)])))
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, SYMXAI_CACHE_DIR=cache)
        cold = variants(20, 1, False, env)  # dumps the preamble format once
        rows.append(("20 variants + 40 PDFs, --jobs 1, cold format cache", cold))
        rows.append(("20 variants + 40 PDFs, --jobs 1, format cached",
                     medians([variants(20, 1, False, env) for _ in range(args.repeat)])))
        rows.append((f"{args.count} variants + both booklets (2 PDFs, no per-variant PDFs), --jobs {args.jobs}",
                     medians([variants(args.count, args.jobs, False, env, "--booklet") for _ in range(args.repeat)])))
    print(f"machine: {machine()}; medians of {args.repeat} fresh processes (the cold-cache row: one run)")
    print()
    print("| what | wall (s) | CPU (s) |")
    print("|---|---|---|")
    for label, (wall, cpu) in rows:
        print(f"| {label} | {wall:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
