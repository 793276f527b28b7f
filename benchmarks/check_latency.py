"""Cold latency of `symxai check` for one answer, against a bare `import sympy`.

Runs each command N times in fresh interpreters (alternating, so that load on
the machine hits both alike) and prints the medians and their ratio as a
Markdown table row.  Usage: python benchmarks/check_latency.py [N]
"""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys
import time
from datetime import date

BARE = [sys.executable, "-c", "import sympy"]
CHECKS = {
    "right answer": [sys.executable, "-m", "symxai", "check", "problems/tub-ml-sheet14.yaml", "shapley",
                     "phi_1=2/3"],
    "wrong answer (with feedback)": [sys.executable, "-m", "symxai", "check", "problems/tub-ml-sheet14.yaml",
                                     "shapley", "phi_1=3/4"],
    "LaTeX answer": [sys.executable, "-m", "symxai", "check", "problems/tub-ml1-lecture14.yaml",
                     "shapley-product", r"phi_2=\frac{1}{2}"],
}


def run(cmd) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main(n: int = 15) -> None:
    for cmd in [BARE, *CHECKS.values()]:
        run(cmd)  # warm the file cache: "cold" means a fresh interpreter, not a cold disk
    bare, times = [], {k: [] for k in CHECKS}
    for _ in range(n):
        bare.append(run(BARE))
        for name, cmd in CHECKS.items():
            times[name].append(run(cmd))
    b = statistics.median(bare)
    print(f"machine: {platform.processor() or platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {date.today()}, N = {n}")
    print("| command | median (s) | ratio to `import sympy` |")
    print("| --- | --- | --- |")
    print(f"| python -c 'import sympy' | {b:.3f} | 1.00 |")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"| symxai check, {name} | {m:.3f} | {m / b:.2f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
