"""Cold latency of `symxai check` for every exercise of the corpus, against a bare `import sympy`.

For every task of problems/ (an exercise, or each part of one) the engine's own answer (right) and
that answer plus one (wrong, so feedback runs) are checked by `python -m symxai check FILE TASK
NAME=TEXT` in a fresh interpreter.  The runs alternate with `python -c "import sympy"` so that load
on the machine hits both alike; medians of N runs, wall and CPU (user+sys of the process and its
children).  Ratios are of medians from the same run.  Usage: python benchmarks/check_latency.py [N]
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from timing import machine, medians, run_cold  # noqa: E402

BARE = [sys.executable, "-c", "import sympy"]


def corpus_checks() -> list[tuple[str, list[str], list[str]]]:
    """(label, right command, wrong command) per task with answers."""
    from symxai.solve.pipeline import answer_record, solve_sheet
    from symxai.specs.spec import load_sheet

    out = []
    for path in sorted((ROOT / "problems").glob("*.yaml")):
        sheet = load_sheet(path)
        results = solve_sheet(sheet)
        for task in sheet.tasks:
            if not task.answers:
                continue
            name = task.answers[0]
            text = answer_record(results[task.key][0].answers[name].value)["text"]
            base = [sys.executable, "-m", "symxai", "check", str(path.relative_to(ROOT)), task.key]
            out.append((f"{path.stem} {task.key} {name}", base + [f"{name}={text}"], base + [f"{name}=({text})+1"]))
    return out


def main(n: int = 3) -> None:
    checks = corpus_checks()
    for cmd in [BARE, *(c for _, r, w in checks for c in (r, w))]:
        run_cold(cmd, cwd=ROOT)  # warm the file cache: "cold" means a fresh interpreter, not a cold disk
    bare, right, wrong = [], {k: [] for k, _, _ in checks}, {k: [] for k, _, _ in checks}
    for _ in range(n):
        for label, r, w in checks:
            bare.append(run_cold(BARE, cwd=ROOT))
            right[label].append(run_cold(r, cwd=ROOT))
            wrong[label].append(run_cold(w, cwd=ROOT))
    b = medians(bare)
    print(f"machine: {machine()}; N = {n} runs per command (bare import: {len(bare)})")
    print()
    print("| task (answer checked) | right: wall (s) | CPU (s) | / import sympy | wrong + feedback: wall (s) | CPU (s) | / import sympy |")
    print("|---|---|---|---|---|---|---|")
    print(f"| `python -c 'import sympy'` | {b[0]:.2f} | {b[1]:.2f} | 1.00 (1.00) | | | |")
    worst = []
    for label, _, _ in checks:
        r, w = medians(right[label]), medians(wrong[label])
        worst.append((r[0] / b[0], r[1] / b[1], w[0] / b[0], w[1] / b[1]))
        print(f"| {label} | {r[0]:.2f} | {r[1]:.2f} | {r[0] / b[0]:.2f} ({r[1] / b[1]:.2f}) | "
              f"{w[0]:.2f} | {w[1]:.2f} | {w[0] / b[0]:.2f} ({w[1] / b[1]:.2f}) |")
    print()
    print(f"largest ratio, wall (CPU): right {max(x[0] for x in worst):.2f} ({max(x[1] for x in worst):.2f}), "
          f"wrong {max(x[2] for x in worst):.2f} ({max(x[3] for x in worst):.2f}); "
          f"median right {statistics.median(x[0] for x in worst):.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
