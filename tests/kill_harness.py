"""Kill ``symxai build`` with SIGKILL at seeded moments of its write phase; report what is left.

Run as ``python tests/kill_harness.py WORKDIR SEED KILLS``; prints one JSON object.

The builds run in forked children (sympy is imported once).  A child counts
the line events of the output code (symxai/typeset/outputdir.py, latex.write_atomic,
shutil's tree copy and removal) and sends itself SIGKILL at event k, with k
drawn from a seeded generator over the whole range of events of one build
(plus 10 %, so some builds finish), every other kill within the commit
step (hard links of kept entries, the rename of the staging folder, the links,
the switch, the removal of the old version).  After each kill the visible output
(every file reachable from the output folder, links followed, ``.symxai``
skipped) must equal the output before the run or the output of the same
build run to completion elsewhere: anything else is a mixed output.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from symxai.solve.pipeline import build  # noqa: E402

SPEC = """id: {id}
title: "Generation {gen} of {id}"
exercises:
  - id: shapley
    title: "Shapley, generation {gen}"
    method: shapley
    symbols: {{x1: real, x2: real}}
    statement: "Compute $\\\\phi_1$ and $\\\\phi_2$ (generation {gen})."
    params:
      f: Max(x1, x2)
      inputs: [x1, x2]
      point: [{gen}, 2]
      baseline: [0, 0]
"""
WATCHED = ("outputdir.py", "latex.py", "shutil.py")


def write_specs(folder: Path, gen: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for sid in ("kill-a", "kill-b"):
        p = folder / f"{sid}.yaml"
        p.write_text(SPEC.format(id=sid, gen=gen))
        paths.append(p)
    return paths


def snapshot(out: Path) -> dict[str, bytes]:
    """Every regular file reachable from ``out`` (links followed), by relative path."""
    files = {}
    if not out.is_dir():
        return files
    for top in sorted(out.iterdir()):
        if top.name == ".symxai" or not top.exists():  # dangling link: nothing to read
            continue
        if top.is_file():
            files[top.name] = top.read_bytes()
            continue
        for folder, _, names in os.walk(top, followlinks=True):
            for n in names:
                f = Path(folder) / n
                files[str(f.relative_to(out))] = f.read_bytes()
    return files


def in_child(fn, kill_at: int | None = None, count_file: Path | None = None) -> int:
    """Run ``fn`` in a forked child, killing it at line event ``kill_at``; its wait status."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            counter = [0]

            def local(frame, event, arg):
                if event == "line":
                    counter[0] += 1
                    if kill_at is not None and counter[0] >= kill_at:
                        os.kill(os.getpid(), signal.SIGKILL)
                return local

            commit_at = [0]

            def tracer(frame, event, arg):
                if frame.f_code.co_name == "_commit" and not commit_at[0]:
                    commit_at[0] = counter[0] + 1
                return local if frame.f_code.co_filename.endswith(WATCHED) else None

            import symxai.typeset.outputdir as od
            original = od.publish

            @contextmanager
            def traced(out):  # trace only the write phase: solving is not what is tested
                sys.settrace(tracer)
                with original(out) as stage:
                    yield stage

            od.publish = traced
            fn()
            sys.settrace(None)
            if count_file is not None:
                count_file.write_text(f"{counter[0]} {commit_at[0]}")
        except BaseException:  # noqa: BLE001 - the child must never return into the caller
            code = 3
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return status


def main(work: Path, seed: int, kills: int) -> dict:
    specs, out = work / "specs", work / "out"
    rng = random.Random(seed)
    # How many line events one rebuild takes, measured on a scratch folder.
    scratch = work / "scratch"
    in_child(lambda: build(write_specs(specs, 0), scratch, tex_only=True))
    count_file = work / "count"
    in_child(lambda: build(write_specs(specs, 1), scratch, tex_only=True), count_file=count_file)
    events, commit_at = map(int, count_file.read_text().split())

    assert os.WEXITSTATUS(in_child(lambda: build(write_specs(specs, 0), out, tex_only=True))) == 0
    before = snapshot(out)
    results = []
    for i in range(1, kills + 1):
        paths = write_specs(specs, i)
        ref = work / f"ref-{i}"
        in_child(lambda: build(paths, ref, tex_only=True))
        expected = snapshot(ref)
        # Every other kill lands in the commit (after the files are staged), where order matters.
        k = rng.randint(1, events + events // 10) if i % 2 else rng.randint(commit_at, events)
        status = in_child(lambda: build(paths, out, tex_only=True), kill_at=k)
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        now = snapshot(out)
        outcome = "old" if now == before else "new" if now == expected else "mixed"
        results.append({"kill_at": k, "killed": killed, "outcome": outcome,
                        "exit": None if killed else os.WEXITSTATUS(status)})
        before = now
    # A normal build afterwards cleans everything the killed runs left.
    assert os.WEXITSTATUS(in_child(lambda: build(write_specs(specs, kills + 1), out, tex_only=True))) == 0
    meta = sorted(p.name for p in (out / ".symxai").iterdir())
    top = sorted(p.name for p in out.iterdir())
    return {"events": events, "commit_at": commit_at, "results": results, "meta_after": meta, "top_after": top,
            "final_ok": snapshot(out) == snapshot_of_fresh(work, specs, kills + 1)}


def snapshot_of_fresh(work: Path, specs: Path, gen: int) -> dict:
    fresh = work / "fresh"
    in_child(lambda: build(write_specs(specs, gen), fresh, tex_only=True))
    return snapshot(fresh)


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))))
