"""Where a cache hit's fixed cost above a bare ``import sympy`` goes (issue 20 item 4).

Usage: python benchmarks/check_fixed_cost.py [N]   (run from the repo root, PYTHONPATH=.)

Interleaves N runs (default 9) of four child processes and prints the median
CPU time (user + system) of each and its ratio to the bare import:
bare ``import sympy``; sympy plus a first ``Add`` (SymPy imports
sympy.tensor/combinatorics there); the check path's imports alone (sympy,
the click-free entry point, the spec loader, the grader, the cache), the
same with click's CLI instead of the entry point; and a whole ``symxai
check`` of one corpus task (run once first so that it is a cache hit).
Children run with a bytecode cache and their own check cache.
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile

PY = sys.executable
CHECK = [PY, "-m", "symxai", "check", "problems/tub-ml-sheet14.yaml", "shapley", "phi_1=2/3"]
CASES = {
    "bare import sympy": [PY, "-c", "import sympy"],
    "sympy + first Add": [PY, "-c", "import sympy; x, y = sympy.symbols('x y'); x + y"],
    "check-path imports": [PY, "-c", "import sympy, symxai.entry, symxai.specs.spec, symxai.grade.check, "
                           "symxai.grade.answercache"],
    "... and click's CLI": [PY, "-c", "import sympy, symxai.specs.spec, symxai.grade.check, symxai.cli"],
    "check (hit)": CHECK,
}
SCRATCH = tempfile.mkdtemp(prefix="symxai-fixed-")
# as a user's installed package: a bytecode cache (PYTHONDONTWRITEBYTECODE, set in some environments,
# would compile symxai's modules from source on every run), and a check cache of our own
ENV = dict(os.environ, PYTHONPYCACHEPREFIX=os.path.join(SCRATCH, "pycache"), SYMXAI_CACHE_DIR=os.path.join(SCRATCH, "c"))
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
ENV.pop("SYMXAI_NO_CHECK_CACHE", None)


def cpu(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, capture_output=True, check=False, env=ENV)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    for cmd in CASES.values():  # warm the bytecode and check caches: every later check is a hit
        subprocess.run(cmd, capture_output=True, check=False, env=ENV)
    times = {k: [] for k in CASES}
    for _ in range(n):
        for k, cmd in CASES.items():
            times[k].append(cpu(cmd))
    base = statistics.median(times["bare import sympy"])
    for k, xs in times.items():
        m = statistics.median(xs)
        print(f"{k:20s} {m:.3f} s  {m / base:.2f}x  (min {min(xs):.3f}, max {max(xs):.3f})")


if __name__ == "__main__":
    main()
