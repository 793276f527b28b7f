"""Time `symxai build problems/`: solve + verify + render (--tex-only), and with PDFs.

Each run is a fresh process (the cost a user sees, imports included); medians
of --repeat runs.  Usage: python benchmarks/build_problems.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(args: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "symxai", "build", str(ROOT / "problems"), "-o", out, *args],
                           check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    specs = sorted((ROOT / "problems").glob("*.yaml"))
    tex_only = timed(["--tex-only"], args.repeat)
    with_pdf = timed([], args.repeat)
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    print(f"## Building problems/ (benchmarks/build_problems.py)\n\n"
          f"Measured {datetime.date.today().isoformat()} on {cores} cores, {platform.machine()}, "
          f"Python {platform.python_version()}; median of {args.repeat} fresh processes; {len(specs)} spec files.\n\n"
          f"| what | median (s) |\n|---|---|\n"
          f"| solve + verify + render (--tex-only) | {tex_only:.1f} |\n"
          f"| the same plus two PDFs per sheet (latexmk/pdflatex) | {with_pdf:.1f} |\n")


if __name__ == "__main__":
    main()
