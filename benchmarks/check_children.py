"""Grader cost per check in a warm process (a web worker's situation): the batched route (one child
compares all answers, one child searches all diagnoses) against one child per answer for the comparison.

Usage: python benchmarks/check_children.py [--repeat 15]
Prints medians of CPU time (this process and its children) per check of sheet 14's Shapley exercise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import symxai.grade.check as C  # noqa: E402
from symxai.specs.spec import load_sheet  # noqa: E402
from timing import machine  # noqa: E402

CASES = {"right": ["2/3", "1/6", "1/6"], "wrong (feedback)": ["1/3", "1/3", "1/6"]}


def cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def per_answer(ctx, parsed, conditions, sample, seed):
    return {n: C.decide_one(ctx, n, v, conditions, sample, seed) for n, v in parsed.items()}


def median_cpu(task, given, repeat: int) -> float:
    C.check_task(task, given, ())  # warm
    runs = []
    for _ in range(repeat):
        start = cpu()
        C.check_task(task, given, ())
        runs.append(cpu() - start)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    task = load_sheet(ROOT / "problems/tub-ml-sheet14.yaml", only="shapley").task("shapley")
    batched = C.decide_all
    print(f"machine: {machine()}; medians of {args.repeat} checks in one warm process, CPU incl. children")
    print("\n| answers | one child for all (s) | one child per answer (s) | ratio |\n|---|---|---|---|")
    for label, texts in CASES.items():
        given = dict(zip(task.answers, texts))
        C.decide_all = batched
        a = median_cpu(task, given, args.repeat)
        C.decide_all = per_answer
        b = median_cpu(task, given, args.repeat)
        C.decide_all = batched
        print(f"| {label} | {a:.3f} | {b:.3f} | {b / a:.2f}x |")


if __name__ == "__main__":
    main()
