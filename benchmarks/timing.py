"""Shared by the benchmark scripts: wall and CPU time of fresh processes, and the machine line."""

from __future__ import annotations

import datetime
import os
import platform
import resource
import statistics
import subprocess
import time
from pathlib import Path


def children_cpu() -> float:
    """User + system seconds of all finished (waited-for) child processes, their children included."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_cold(cmd, **kwargs) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of ``cmd`` in a fresh process; output discarded."""
    c0, w0 = children_cpu(), time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, **kwargs)
    return time.perf_counter() - w0, children_cpu() - c0


def medians(samples) -> tuple[float, float]:
    """Median wall and median CPU of (wall, CPU) samples."""
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def machine() -> str:
    """CPU model, cores, Python, date and the current load average."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return (f"{cpu}, {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
            f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, load average "
            f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min)")
