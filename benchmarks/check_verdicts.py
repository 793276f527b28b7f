"""Verdicts and feedback of `symxai check` on this checkout against another tree (e.g. main's worktree).

For every task of problems/ with answers, the engine's right answer and a wrong one (answer + 1, so
feedback runs) are checked by `python -m symxai check FILE TASK NAME=TEXT` in a fresh interpreter:
on BASE without the cache (`--no-cache`), and here twice with a fresh check cache (a miss that writes
the entry, then a hit that reads it).  Output (verdict lines, diagnoses) and exit code must be
identical in all three.  Usage: python benchmarks/check_verdicts.py BASE_DIR [FILTER]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from check_latency import corpus_checks  # noqa: E402


def run(cmd: list[str], cwd: Path, env: dict) -> tuple[int, str]:
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    return out.returncode, out.stdout + out.stderr


def main(base: str, only: str = "") -> int:
    scratch = tempfile.mkdtemp(prefix="symxai-verdicts-")
    base_root = Path(base).resolve()
    env = dict(os.environ)
    env.pop("SYMXAI_NO_CHECK_CACHE", None)
    differ = 0
    checks = [c for c in corpus_checks() if only in c[0]]
    for i, (label, right, wrong) in enumerate(checks):
        for kind, cmd in (("right", right), ("wrong", wrong)):
            mine = dict(env, PYTHONPATH=str(ROOT), SYMXAI_CACHE_DIR=os.path.join(scratch, f"{i}-{kind}"))
            theirs = dict(env, PYTHONPATH=str(base_root))
            reference = run(cmd + ["--no-cache"], base_root, theirs)
            miss, hit = run(cmd, ROOT, mine), run(cmd, ROOT, mine)
            same = reference == miss == hit
            differ += not same
            print(f"{'same' if same else 'DIFFERENT'}: {label} ({kind}, exit {reference[0]})", flush=True)
            if not same:
                for tag, got in (("base", reference), ("miss", miss), ("hit", hit)):
                    print(f"  {tag}: exit {got[0]}: {got[1][:2000]}")
    print(f"{len(checks) * 2 - differ}/{len(checks) * 2} identical (base without cache, this tree's miss and hit)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""))
