"""Load test of `symxai serve`: simulated students checking corpus answers over loopback.

Starts `python -m symxai serve problems/` on a free port of 127.0.0.1 (the only address this script
ever sends to), then, per group of exercises, runs STUDENTS concurrent students for DURATION seconds:
each picks an answer set from the corpus (the engine's right answers, or one answer made wrong by
adding 1, or the sheet-14 mistakes students make), posts it to /api/check, checks that the verdict
is the expected one (exit code 0 for right, 1 for wrong: anything else is an error), and thinks for
THINK seconds (uniform) before the next check.  Bounded in time (the duration) and in count
(--max-requests per phase).  A saturation phase without think time shows the queue limit (429).
Reports throughput, median and p95 latency, errors and the server's peak memory (its process and
all its children), and, as the obvious alternative, a cold `symxai check` per answer.

Usage: python benchmarks/serve_load.py [--students 50] [--duration 60] [--think 5 15] [--saturate 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"
GROUPS = {"Shapley and prototypes": {"shapley", "activation-max"}, "LRP": {"lrp"}}
SHEET14_MISTAKES = [("tub-ml-sheet14", "prototypes", {"x_star": "mu + Sigma^-1*w"}, 1),
                    ("tub-ml-sheet14", "shapley", {"phi_1": "1/3", "phi_2": "1/3", "phi_3": "1/6"}, 1)]


def corpus_items() -> dict[str, list]:
    """(sheet, target, answers, expected exit code) per group, from the engine's own answers."""
    import sympy

    from symxai.solve.pipeline import solve_file, spec_files
    from symxai.expr.plaintext import plain

    groups = {g: [] for g in GROUPS}
    for f in spec_files([ROOT / "problems"]):
        sheet, results = solve_file(f)
        for task in sheet.tasks:
            group = next((g for g, methods in GROUPS.items() if task.method.name in methods), None)
            if group is None or not task.answers:
                continue
            solution = results[task.key][0]
            right = {n: plain(solution.answers[n].value) for n in task.answers}
            groups[group].append((sheet.id, task.key, right, 0))
            for n in task.answers:
                value = solution.answers[n].value
                if (isinstance(value, sympy.Expr) and not getattr(value, "is_Matrix", False)
                        and not value.has(sympy.Piecewise)):  # "Piecewise(...) + 1" is not answer syntax
                    groups[group].append((sheet.id, task.key, {**right, n: f"({right[n]}) + 1"}, 1))
    groups["Shapley and prototypes"].extend(SHEET14_MISTAKES)
    return groups


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def tree_rss(pid: int) -> int:
    """Resident memory in bytes of ``pid`` and all its descendants (from /proc)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for t in os.listdir(f"/proc/{p}/task"):
                stack.extend(int(c) for c in open(f"/proc/{p}/task/{t}/children").read().split())
        except (OSError, ValueError):
            continue
    return total


async def phase(url, items, students, duration, think, max_requests, pid):
    import httpx

    latencies, outcomes = [], {"ok": 0, "busy": 0, "error": 0, "wrong verdict": 0}
    peak = [tree_rss(pid)]
    deadline = time.monotonic() + duration
    sent = [0]
    rng = random.Random(7)

    async def student(client, seed):
        r = random.Random(seed)
        await asyncio.sleep(r.uniform(0, think[1]))  # students do not all arrive in the same millisecond
        while time.monotonic() < deadline and sent[0] < max_requests:
            sheet, target, answers, expected = r.choice(items)
            sent[0] += 1
            start = time.perf_counter()
            try:
                resp = await client.post(f"{url}/api/check", json={"sheet": sheet, "target": target, "answers": answers})
                elapsed = time.perf_counter() - start
                if resp.status_code == 429:
                    outcomes["busy"] += 1
                elif resp.status_code != 200:
                    outcomes["error"] += 1
                elif resp.json()["report"]["exit_code"] != expected:
                    outcomes["wrong verdict"] += 1
                else:
                    outcomes["ok"] += 1
                    latencies.append(elapsed)
            except httpx.HTTPError:
                outcomes["error"] += 1
            await asyncio.sleep(r.uniform(*think))

    async def sample_memory():
        while time.monotonic() < deadline:
            peak[0] = max(peak[0], tree_rss(pid))
            await asyncio.sleep(0.5)

    limits = httpx.Limits(max_connections=students + 5, max_keepalive_connections=students + 5)
    async with httpx.AsyncClient(timeout=httpx.Timeout(180.0), limits=limits) as client:
        start = time.monotonic()
        await asyncio.gather(sample_memory(), *(student(client, rng.random()) for _ in range(students)))
        wall = time.monotonic() - start
    done = sum(outcomes.values())
    q = statistics.quantiles(latencies, n=20) if len(latencies) >= 20 else [float("nan")] * 19
    return {"checks": done, "throughput": outcomes["ok"] / wall, "median": statistics.median(latencies) if latencies else float("nan"),
            "p95": q[18], "max": max(latencies, default=float("nan")), "peak_rss": peak[0], "wall": wall, **outcomes}


def cold_cli(n=5) -> float:
    cmd = [sys.executable, "-m", "symxai", "check", "problems/tub-ml-sheet14.yaml", "prototypes", "x_star=mu + Sigma^-1*w"]
    times = []
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=50)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds per group")
    ap.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"),
                    help="seconds a student takes between checks (uniform); default 5-15 s")
    ap.add_argument("--saturate", type=float, default=20.0, help="seconds without think time (0: skip)")
    ap.add_argument("--max-requests", type=int, default=20000, help="per phase")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    items = corpus_items()
    load_before = os.getloadavg()
    port = free_port()
    url = f"http://{HOST}:{port}"
    t0 = time.monotonic()
    server = subprocess.Popen([sys.executable, "-m", "symxai", "serve", "problems", "--host", HOST, "--port", str(port),
                               "--workers", str(args.workers)], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
                    if json.load(r)["ready"]:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() - t0 > 600:
                sys.exit("serve_load: the server did not start")
            time.sleep(0.5)
        startup = time.monotonic() - t0
        idle = tree_rss(server.pid)
        rows = []
        for group, group_items in items.items():
            stats = asyncio.run(phase(url, group_items, args.students, args.duration, tuple(args.think),
                                      args.max_requests, server.pid))
            rows.append((f"{group}, think {args.think[0]:g}-{args.think[1]:g} s", len(group_items), stats))
        if args.saturate:
            everything = [i for g in items.values() for i in g]
            stats = asyncio.run(phase(url, everything, args.students, args.saturate, (0.0, 0.0),
                                      args.max_requests, server.pid))
            rows.append(("whole corpus, no think time (saturation)", len(everything), stats))
    finally:
        server.terminate()
        server.wait(30)
    load_after = os.getloadavg()
    cli = cold_cli()
    cpu = platform.processor() or platform.machine()
    print(f"machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {date.today()}; "
          f"{args.students} students, {args.workers} workers; startup {startup:.1f} s; "
          f"server + workers idle {idle / 2**20:.0f} MiB; load average {load_before[0]:.1f} before, "
          f"{load_after[0]:.1f} after (the machine is shared)")
    print("| phase | answer sets | checks | throughput (checks/s) | median | p95 | max | errors | wrong verdicts | busy (429) | peak memory |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, n, s in rows:
        print(f"| {name} | {n} | {s['checks']} | {s['throughput']:.1f} | {s['median']:.3f} s | {s['p95']:.3f} s | "
              f"{s['max']:.2f} s | {s['error']} | {s['wrong verdict']} | {s['busy']} | {s['peak_rss'] / 2**20:.0f} MiB |")
    print(f"obvious alternative, a cold `symxai check` per answer (median of 5): {cli:.2f} s")


if __name__ == "__main__":
    main()
