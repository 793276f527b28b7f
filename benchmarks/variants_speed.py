"""Verified variants per second (solve + verify + tex), PDFs per second, and batches with booklets (sheet 14 shapley).

    python benchmarks/variants_speed.py [--count 100] [--jobs 2] [--repeats 3] [--pdfs 4] [--booklet-repeats 3]

Prints medians over the repeats; copy them into docs/benchmarks-variants.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from symxai.variants import generate, write_batch  # noqa: E402

SHEET = "problems/tub-ml-sheet14.yaml"


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--pdfs", type=int, default=4, help="variants whose two sheets are compiled (0: skip)")
    ap.add_argument("--booklet-repeats", type=int, default=3,
                    help="runs of COUNT variants with both booklets (one LaTeX run each; 0: skip)")
    args = ap.parse_args()
    tex_times, cpu_times = [], []
    for r in range(args.repeats):
        start, cpu = time.perf_counter(), _cpu()
        batch = generate(SHEET, "shapley", count=args.count, seed=r, jobs=args.jobs)
        with tempfile.TemporaryDirectory() as out:
            write_batch(batch, out, tex_only=True)
        tex_times.append(time.perf_counter() - start)
        cpu_times.append(_cpu() - cpu)
    med = statistics.median(tex_times)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpu(s), "
          f"python {platform.python_version()}, {datetime.date.today()}")
    print(f"{args.count} verified variants (solve + verify + tex, jobs={args.jobs}): median {med:.2f} s "
          f"over {args.repeats} run(s) ({args.count / med:.1f} variants/s; runs {', '.join(f'{t:.2f}' for t in tex_times)}); "
          f"rejection rate {batch.rejection_rate:.0%}")
    print(f"CPU time (this process and its workers): median {statistics.median(cpu_times):.2f} s; "
          f"load average {os.getloadavg()[0]:.1f} (other processes share the cores)")
    if args.pdfs:
        batch = generate(SHEET, "shapley", count=args.pdfs, seed=0, jobs=args.jobs)
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            write_batch(batch, out, jobs=args.jobs)
            took = time.perf_counter() - start
        n = 2 * args.pdfs
        print(f"{n} PDFs (jobs={args.jobs}): {took:.2f} s ({n / took:.2f} PDFs/s); per-variant route for "
              f"{args.count} variants: {2 * args.count} PDFs, about {2 * args.count * took / n:.0f} s of LaTeX "
              f"(extrapolated) on top of the tex-only time")
    booklet_times, booklet_cpu, latex_times = [], [], []
    for r in range(args.booklet_repeats):
        start, cpu = time.perf_counter(), _cpu()
        batch = generate(SHEET, "shapley", count=args.count, seed=r, jobs=args.jobs)
        with tempfile.TemporaryDirectory() as out:
            mid = time.perf_counter()
            write_batch(batch, out, jobs=args.jobs, booklet=True)
            latex_times.append(time.perf_counter() - mid)
            pages = sum(_pages(p) for p in Path(out).glob("*.pdf"))
        booklet_times.append(time.perf_counter() - start)
        booklet_cpu.append(_cpu() - cpu)
    if booklet_times:
        med = statistics.median(booklet_times)
        print(f"{args.count} verified variants + both booklets ({pages} pages, 2 LaTeX jobs, jobs={args.jobs}): "
              f"median {med:.2f} s over {len(booklet_times)} run(s) (runs {', '.join(f'{t:.2f}' for t in booklet_times)}); "
              f"writing + both booklets' LaTeX: median {statistics.median(latex_times):.2f} s; "
              f"CPU time median {statistics.median(booklet_cpu):.2f} s; load average {os.getloadavg()[0]:.1f}")


def _pages(pdf: Path) -> int:
    import subprocess
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return int(next((ln.split()[-1] for ln in out.splitlines() if ln.startswith("Pages:")), 0))


if __name__ == "__main__":
    main()
