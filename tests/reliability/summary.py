"""Print the reliability summary the README quotes: inputs tried, refused cleanly, tracebacks, hangs.

    python -m tests.reliability.summary [N]

runs the bad-input corpus through validate and solve, then N (default 200) seeded random
spec mutations (the fuzz test's, drawn with random.Random(0)) through validate and, when
validate passes, solve.  Exit status 1 when any traceback or hang is found.
"""

from __future__ import annotations

import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml

from .corpus import CASES
from .harness import run
from .test_fuzz import BASES, HOSTILE, _mutate, _paths


def main(n: int = 200) -> int:
    counts = Counter()
    tmp = Path(tempfile.mkdtemp(prefix="symxai-reliability-"))
    for name, (text, _) in sorted(CASES.items()):
        spec = tmp / f"{name}.yaml"
        spec.write_text(text, encoding="utf-8")
        for command in ("validate", "solve"):
            counts["tried"] += 1
            counts[run(command, spec, need_location=False).kind] += 1
    rng = random.Random(0)
    for i in range(n):
        base = rng.randrange(len(BASES))
        path = rng.choice(list(_paths(BASES[base])))
        doc = _mutate(BASES[base], path, rng.choice(["set", "set", "delete", "add"]), rng.choice(HOSTILE))
        spec = tmp / f"fuzz-{i}.yaml"
        spec.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
        out = run("validate", spec, need_location=False)
        counts["tried"] += 1
        counts[out.kind] += 1
        if out.kind == "ok":
            counts["tried"] += 1
            counts[run("solve", spec, need_location=False).kind] += 1
    print(f"inputs tried: {counts['tried']}, accepted: {counts['ok']}, refused cleanly: {counts['refused']}, "
          f"tracebacks: {counts['traceback']}, hangs: {counts['hang']}, unlocated: {counts['unlocated']}")
    return 1 if counts["traceback"] or counts["hang"] else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
