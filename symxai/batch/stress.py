"""Stress test: solve and verify an exercise once per seed; failures, timing, spread of answers.

In the spirit of R/exams' ``stresstest_exercise``: with a ``random:`` block,
seed ``s`` draws a variant (the first candidate of seed ``s`` that meets the
value constraints); without one, seed ``s`` only moves the verification
points.  Engine or verification failures are collected, never raised.

>>> report = stress("problems/tub-ml-sheet14.yaml", "shapley", seeds=2)
>>> report.failures, len(report.runs)
([], 2)
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from symxai.specs.spec import load_sheet


@dataclass
class Run:
    seed: int
    variant_seed: int | None
    status: str  # 'ok', 'rejected: ...', 'failed'
    seconds: float
    answers: dict = field(default_factory=dict)  # answer name -> exact value
    error: str = ""


@dataclass
class StressReport:
    file: str
    exercise: str
    runs: list[Run]

    @property
    def failures(self) -> list[str]:
        return [f"seed {r.seed}: {r.error}" for r in self.runs if r.status == "failed"]

    def spread(self) -> dict:
        """Per answer: how many distinct values, the most frequent one's share, numeric min and max."""
        out = {}
        names = [n for r in self.runs for n in r.answers]
        for name in dict.fromkeys(names):
            vals = [r.answers[name] for r in self.runs if name in r.answers]
            counts = Counter(str(v) for v in vals)
            nums = [float(v) for v in vals if getattr(v, "is_number", False) and v.is_real]
            out[name] = {"distinct": len(counts), "most_common_share": round(counts.most_common(1)[0][1] / len(vals), 3),
                         **({"min": min(nums), "max": max(nums)} if nums else {})}
        return out

    def text(self) -> str:
        times = [r.seconds for r in self.runs]
        ok = sum(r.status != "failed" for r in self.runs)
        rejected = Counter(r.status for r in self.runs if r.status.startswith("rejected"))
        lines = [f"{self.file} {self.exercise}: {len(self.runs)} seed(s), {ok} verified, "
                 f"{len(self.failures)} failed; {sum(rejected.values())} of the verified would be rejected by answer constraints",
                 f"time per seed: median {statistics.median(times):.3f} s, max {max(times):.3f} s, "
                 f"total {sum(times):.2f} s"]
        lines += [f"  {k}: {n}" for k, n in rejected.most_common()]
        for name, s in self.spread().items():
            rng = f", range [{s['min']:.4g}, {s['max']:.4g}]" if "min" in s else ""
            lines.append(f"  {name}: {s['distinct']} distinct value(s), most common in {s['most_common_share']:.0%}{rng}")
        lines += [f"FAILED {f}" for f in self.failures]
        return "\n".join(lines)


def _fixed_run(job) -> Run:
    from symxai.solve.pipeline import solve_sheet
    from symxai.solve.verify import verify

    path, exercise, seed = job
    start = time.perf_counter()
    try:
        sheet = load_sheet(path)
        tasks = [t for t in sheet.tasks if t.exercise["id"] == exercise]
        answers, errors = {}, []
        for t in tasks:
            solution = t.method.solve(t.problem)
            for c in verify(t, solution, seed=seed).failures():
                errors.append(f"{t.key}: {c.answer}: {c.detail}")
            answers.update({n: solution.answers[n].value for n in t.answers})
        status = "failed" if errors else "ok"
        return Run(seed, None, status, time.perf_counter() - start, answers, "; ".join(errors))
    except Exception as exc:  # noqa: BLE001 - a stress test reports every failure and goes on
        return Run(seed, None, "failed", time.perf_counter() - start, {}, f"{type(exc).__name__}: {exc}")


def _random_run(job) -> Run:
    from symxai.batch import variants as V

    text, name, seed, vseed = job
    start = time.perf_counter()
    result = V.solve_variant((text, name, False))
    seconds = time.perf_counter() - start
    if not result["ok"]:
        return Run(seed, vseed, "failed", seconds, {}, result["error"])
    flat = {n: v for a in result["answers"].values() for n, v in a.items()}
    return Run(seed, vseed, "ok", seconds, flat)


def stress(path, exercise: str | None = None, *, seeds: int = 20, jobs: int = 1, progress=None) -> StressReport:
    """Solve and verify ``exercise`` for seeds 0..seeds-1 (see the module docstring)."""
    from symxai.batch import variants as V

    sheet = load_sheet(path)
    has_random = any("random" in ex for ex in sheet.data["exercises"]
                     if exercise is None or ex["id"] == exercise)
    pool, run = V._mapper(jobs)
    runs: list[Run] = []
    try:
        if has_random:
            rs = V.random_spec(sheet, exercise)
            ex_id = rs.exercise["id"]
            jobs_in = []
            for s in range(seeds):
                for k in range(rs.tries or 50):  # the first candidate meeting the value constraints
                    vseed = V.variant_seed(s, k)
                    values = V.draw(rs, vseed)
                    if V._first_failed(rs, values, {}, "values") is None:
                        break
                vid = f"{sheet.id}-{ex_id}-s{s:04d}"
                jobs_in.append((V._text(sheet, rs, Path(path).name, s, k, vseed, values, vid, 0),
                                f"{vid}.yaml", s, vseed))
            for job, r in zip(jobs_in, run(_random_run, jobs_in)):
                if r.status == "ok":
                    failed = V._first_failed(rs, V.draw(rs, job[3]), r.answers, "answers")
                    if failed:
                        r.status = f"rejected: {failed}"
                runs.append(r)
                if progress:
                    progress(1)
        else:
            ex_id = exercise or sheet.tasks[0].exercise["id"]
            if not any(t.exercise["id"] == ex_id for t in sheet.tasks):
                sheet.task(ex_id)  # raises UsageError naming the exercises there are
            for r in run(_fixed_run, [(str(path), ex_id, s) for s in range(seeds)]):
                runs.append(r)
                if progress:
                    progress(1)
    finally:
        if pool is not None:
            pool.shutdown()
    return StressReport(Path(path).name, ex_id, runs)
