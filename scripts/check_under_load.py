"""Same command, same output, idle or busy: every corpus `check` command run twice and diffed.

For every task of every spec in problems/, the commands are derived from `symxai solve --json`:
one with every answer as `solve` prints it (must be right) and one with the first answer doubled
(``2*(...)``; ``false``/``true`` swapped for truth values) so that the feedback path runs too.
All commands run once on the machine as it is, then again with a CPU hog (`yes > /dev/null`) on
every core, started and stopped by this script; the outputs (stdout, stderr, exit status) must be
identical.  Not a timed test: it takes minutes and reports no time.

    /work/venv/bin/python scripts/check_under_load.py [--limit N] [--out DIR]

Exit status 0 when every output is identical, 1 otherwise (the differences are printed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _solved(spec: Path) -> dict:
    """{target: {answer name: text}} as `symxai solve` prints it (solved here even where verification
    fails, so that every task is in the corpus)."""
    sys.path.insert(0, str(ROOT))
    from symxai.solve.pipeline import answer_record
    from symxai.specs.spec import load_sheet

    out = {}
    for task in load_sheet(spec).tasks:
        solution = task.method.solve(task.problem)
        out[task.key] = {n: answer_record(solution.answers[n].value)["text"] for n in task.answers}
    return out


def commands(limit: int | None = None) -> list[list[str]]:
    out = []
    for spec in sorted((ROOT / "problems").glob("*.yaml")):
        for target, answers in _solved(spec).items():
            if not answers:
                continue
            right = [f"{n}={t}" for n, t in answers.items()]
            first, text = next(iter(answers.items()))
            wrong_text = {"true": "false", "false": "true"}.get(text, f"2*({text})")
            base = [sys.executable, "-m", "symxai", "check", str(spec.relative_to(ROOT)), target]
            out.append(base + right)
            out.append(base + [f"{first}={wrong_text}"])
    return out[:limit] if limit else out


def run_all(cmds) -> list[tuple[int, str, str]]:
    results = []
    for cmd in cmds:
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        results.append((p.returncode, p.stdout, p.stderr))
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=None, help="run only the first N commands")
    parser.add_argument("--out", type=Path, default=None, help="write both runs' outputs here")
    args = parser.parse_args()
    cmds = commands(args.limit)
    print(f"{len(cmds)} check commands", flush=True)
    idle = run_all(cmds)
    hogs = [subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) for _ in range(os.cpu_count() or 2)]
    try:
        busy = run_all(cmds)
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    differ = [(c, a, b) for c, a, b in zip(cmds, idle, busy) if a != b]
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, runs in (("idle", idle), ("busy", busy)):
            (args.out / f"{name}.txt").write_text("\n".join(f"$ {' '.join(c[2:])}\n[{r[0]}]\n{r[1]}{r[2]}"
                                                             for c, r in zip(cmds, runs)))
    statuses = {}
    for rc, _, _ in idle:
        statuses[rc] = statuses.get(rc, 0) + 1
    print(f"exit statuses (idle): {dict(sorted(statuses.items()))}")
    for cmd, a, b in differ:
        print("DIFFERS:", " ".join(cmd[2:]))
        print("  idle:", a)
        print("  busy:", b)
    print(f"{len(cmds) - len(differ)}/{len(cmds)} identical idle and with {len(hogs)} CPU hogs")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
