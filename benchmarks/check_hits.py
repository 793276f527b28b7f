"""Cache hits only, N runs each: every corpus task's right answer and a wrong one (answer + 1, feedback),
each checked once first so that every timed run is a hit, alternated with a bare ``import sympy``;
children with a bytecode cache (as check_latency.py, whose single-run hit columns are noisy).  Medians of
CPU (user+sys, children included) and their ratio to the bare import's median.
Usage: python benchmarks/check_hits.py [TREE] [N] [FILTER,FILTER...]   (TREE: the checkout to run, default this one)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from timing import machine, run_cold  # noqa: E402

PY = sys.executable


def main(root: str, n: int, want: list[str] | None) -> None:
    scratch = tempfile.mkdtemp(prefix="symxai-hits-")
    env = dict(os.environ, PYTHONPYCACHEPREFIX=os.path.join(scratch, "pyc"),
               SYMXAI_CACHE_DIR=os.path.join(scratch, "c"), PYTHONPATH=root)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("SYMXAI_NO_CHECK_CACHE", None)
    sys.path.insert(0, root)
    from check_latency import corpus_checks

    checks = [c for c in corpus_checks() if not want or any(w in c[0] for w in want)]
    for _, right, wrong in checks:  # warm: every timed run is a hit
        subprocess.run(right, cwd=root, env=env, capture_output=True, check=False)
        subprocess.run(wrong, cwd=root, env=env, capture_output=True, check=False)
    bare: list[float] = []
    rows: dict[str, tuple[list, list]] = {label: ([], []) for label, _, _ in checks}
    for _ in range(n):
        for label, right, wrong in checks:
            bare.append(run_cold([PY, "-c", "import sympy"], cwd=root, env=env)[1])
            rows[label][0].append(run_cold(right, cwd=root, env=env)[1])
            rows[label][1].append(run_cold(wrong, cwd=root, env=env)[1])
    b = statistics.median(bare)
    print(f"machine: {machine()}; N = {n}; bare import sympy: median CPU {b:.3f} s")
    print("| task (answer checked) | right, hit: CPU s (ratio) | wrong + feedback, hit: CPU s (ratio) |")
    print("|---|---|---|")
    for label, (r, w) in rows.items():
        mr, mw = statistics.median(r), statistics.median(w)
        print(f"| {label} | {mr:.2f} ({mr / b:.2f}) | {mw:.2f} ({mw / b:.2f}) |")
    for tag, k in (("right hit", 0), ("wrong hit", 1)):
        xs = [statistics.median(v[k]) / b for v in rows.values()]
        print(f"{tag}: median {statistics.median(xs):.2f}, max {max(xs):.2f}, within 1.5x "
              f"{sum(x <= 1.5 for x in xs)}/{len(xs)}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0] if args else os.path.dirname(HERE), int(args[1]) if len(args) > 1 else 3,
         args[2].split(",") if len(args) > 2 else None)
