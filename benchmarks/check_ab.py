"""One `symxai check` on two trees, alternated: this checkout and another (e.g. main's worktree).

Each tree gets its own check cache, warmed by two runs (so the timed runs are hits), and a shared bytecode
cache, as check_floor.py.  CPU (user+sys of the process and its children) of N runs each, alternating;
medians.  Usage: python benchmarks/check_ab.py BASE_DIR N FILE TASK NAME=VALUE ...
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from timing import machine, run_cold  # noqa: E402


def main(base: str, n: int, args: list[str]) -> None:
    scratch = tempfile.mkdtemp(prefix="symxai-ab-")

    def env(root, tag):
        e = dict(os.environ, PYTHONPATH=str(root), SYMXAI_CACHE_DIR=os.path.join(scratch, tag),
                 PYTHONPYCACHEPREFIX=os.path.join(scratch, "pycache"))
        e.pop("PYTHONDONTWRITEBYTECODE", None)
        e.pop("SYMXAI_NO_CHECK_CACHE", None)
        return e

    trees = {"base": Path(base).resolve(), "this": ROOT}
    cmd = [sys.executable, "-m", "symxai", "check", *args]
    for tag, root in trees.items():
        for _ in range(2):
            run_cold(cmd, cwd=root, env=env(root, tag))
    cpu = {tag: [] for tag in trees}
    for _ in range(n):
        for tag, root in trees.items():
            cpu[tag].append(run_cold(cmd, cwd=root, env=env(root, tag))[1])
    print(f"machine: {machine()}; {' '.join(args)}; N = {n}")
    for tag, values in cpu.items():
        print(f"{tag}: median CPU {statistics.median(values):.3f} s ({' '.join(f'{v:.2f}' for v in values)})")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3:])
