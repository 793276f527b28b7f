"""Cold latency of `symxai check` for every exercise of the corpus, against a bare `import sympy`.

For every task of problems/ (an exercise, or each part of one) the engine's own answer (right) and
that answer plus one (wrong, so feedback runs) are checked by `python -m symxai check FILE TASK
NAME=TEXT` in a fresh interpreter, each twice: a cold miss (an empty check cache, so the exercise is
solved and its entry written) and a hit (the cache of symxai/grade/answercache.py filled by one
earlier check of each answer).  The runs alternate with `python -c "import sympy"` so that load on
the machine hits both alike; medians of N runs of CPU time (user+sys of the process and its
children).  Children run with a bytecode cache (PYTHONDONTWRITEBYTECODE dropped, .pyc files in a scratch
PYTHONPYCACHEPREFIX warmed once), as a user's installed package has.  Ratios are of medians from the same run.  Usage: python benchmarks/check_latency.py [N]
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
    import os
    import tempfile

    checks = corpus_checks()
    scratch = tempfile.mkdtemp(prefix="symxai-bench-cache-")
    # children run with a bytecode cache, as an installed package has one: PYTHONDONTWRITEBYTECODE
    # (set in some environments) is dropped and the .pyc files go to a scratch prefix, written by the
    # warm-up runs below, so no run recompiles symxai (or SymPy) and the bare import reads the same cache
    base_env = dict(os.environ, PYTHONPYCACHEPREFIX=os.path.join(scratch, "pycache"))
    base_env.pop("PYTHONDONTWRITEBYTECODE", None)
    warm = dict(base_env, SYMXAI_CACHE_DIR=os.path.join(scratch, "warm"))
    warm.pop("SYMXAI_NO_CHECK_CACHE", None)
    fresh_count = [0]

    def fresh():  # an empty cache folder: a cold miss that also writes its entry
        fresh_count[0] += 1
        return dict(warm, SYMXAI_CACHE_DIR=os.path.join(scratch, f"fresh{fresh_count[0]}"))

    for cmd in [BARE, *(c for _, r, w in checks for c in (w, r))]:
        # warm the file cache ("cold" means a fresh interpreter, not a cold disk) and the check cache:
        # the wrong answer's check runs first, so the right answer's hit reads an entry another answer made
        run_cold(cmd, cwd=ROOT, env=warm)
    bare = []
    rows = {k: {m: [] for m in ("right miss", "right hit", "wrong miss", "wrong hit")} for k, _, _ in checks}
    for _ in range(n):
        for label, r, w in checks:
            bare.append(run_cold(BARE, cwd=ROOT, env=base_env))
            rows[label]["right miss"].append(run_cold(r, cwd=ROOT, env=fresh()))
            rows[label]["right hit"].append(run_cold(r, cwd=ROOT, env=warm))
            bare.append(run_cold(BARE, cwd=ROOT, env=base_env))
            rows[label]["wrong miss"].append(run_cold(w, cwd=ROOT, env=fresh()))
            rows[label]["wrong hit"].append(run_cold(w, cwd=ROOT, env=warm))
    b = medians(bare)
    print(f"machine: {machine()}; N = {n} runs per command (bare import: {len(bare)}), alternated with the bare import")
    print()
    print("CPU seconds (user + sys, children included), median; in brackets the ratio to the bare import's CPU")
    print()
    print("| task (answer checked) | right, miss | right, hit | wrong + feedback, miss | wrong + feedback, hit |")
    print("|---|---|---|---|---|")
    print(f"| `python -c 'import sympy'` | {b[1]:.2f} (1.00) | | | |")
    ratios = {m: [] for m in ("right miss", "right hit", "wrong miss", "wrong hit")}
    for label, _, _ in checks:
        cells = []
        for m in ratios:
            cpu = medians(rows[label][m])[1]
            ratios[m].append(cpu / b[1])
            cells.append(f"{cpu:.2f} ({cpu / b[1]:.2f})")
        print(f"| {label} | " + " | ".join(cells) + " |")
    print()
    print("CPU ratio to `import sympy`: " + "; ".join(
        f"{m}: median {statistics.median(v):.2f}, max {max(v):.2f}, within 1.5x {sum(x <= 1.5 for x in v)}/{len(v)}"
        for m, v in ratios.items()))
    print(f"bare import: wall {b[0]:.2f} s, CPU {b[1]:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
