"""Where the CPU of a cold `symxai check` goes, against a bare `import sympy` (issue 20).

Fresh interpreters, alternating: `import sympy`; `import sympy, numpy, numpy.random` (the sampler's
numpy, used at run time by every check); `import symxai.cli, symxai.grade.check` (every module a check
imports before it runs); and a few checks with a warm check cache (hits) and an empty one (misses).
Children run with a bytecode cache (as check_latency.py).  Medians of N runs of CPU (user+sys).
With ``--base DIR`` (another checkout, e.g. main's worktree) every check also runs on that tree's code,
alternating with this one's in the same loop, so that both see the same load.
Usage: python benchmarks/check_floor.py [N] [--base DIR]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from timing import machine, medians, run_cold  # noqa: E402

PY = sys.executable
STEPS = {
    "import sympy": [PY, "-c", "import sympy"],
    "import sympy, numpy, numpy.random": [PY, "-c", "import sympy, numpy, numpy.random"],
    "import the check path (symxai.cli, symxai.grade.check)": [PY, "-c", "import symxai.cli, symxai.grade.check"],
}
CHECKS = {
    "check sheet14 shapley phi_1=2/3 (right)": ["problems/tub-ml-sheet14.yaml", "shapley", "phi_1=2/3"],
    "check sheet14 shapley phi_1=1 (wrong)": ["problems/tub-ml-sheet14.yaml", "shapley", "phi_1=1"],
    "check xai-shap-family kernel-shap.d3 pi_1=1/3 (right)": ["problems/xai-shap-family.yaml", "kernel-shap.d3", "pi_1=1/3"],
    "check xai-shap-family kernel-shap.d3 pi_1=1 (wrong)": ["problems/xai-shap-family.yaml", "kernel-shap.d3", "pi_1=1"],
    "check yale-hw1 lime.b beta=1 (wrong)": ["problems/yale-hw1.yaml", "lime.b", "beta=1"],
}


def main(n: int = 5, base: Path | None = None) -> None:
    scratch = tempfile.mkdtemp(prefix="symxai-floor-")
    env = dict(os.environ, PYTHONPYCACHEPREFIX=os.path.join(scratch, "pycache"),
               SYMXAI_CACHE_DIR=os.path.join(scratch, "warm"), PYTHONPATH=str(ROOT))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("SYMXAI_NO_CHECK_CACHE", None)
    trees = {"": (ROOT, env)}
    if base is not None:
        trees[" [base]"] = (base, dict(env, PYTHONPATH=str(base), SYMXAI_CACHE_DIR=os.path.join(scratch, "warm-base")))
    cmds = {k: (cmd, ROOT, env) for k, cmd in STEPS.items()}
    for label, args in CHECKS.items():
        for tag, (root, tree_env) in trees.items():
            cmds[label + ", hit" + tag] = ([PY, "-m", "symxai", "check", *args], root, tree_env)
    for cmd, root, tree_env in cmds.values():  # warm the bytecode, file and check caches
        run_cold(cmd, cwd=root, env=tree_env)
    runs = {k: [] for k in cmds}
    misses = {label + ", miss" + tag: [] for label in CHECKS for tag in trees}
    for i in range(n):
        for k, (cmd, root, tree_env) in cmds.items():
            runs[k].append(run_cold(cmd, cwd=root, env=tree_env))
        for label, args in CHECKS.items():
            for tag, (root, tree_env) in trees.items():
                key = label + ", miss" + tag
                fresh = dict(tree_env, SYMXAI_CACHE_DIR=os.path.join(scratch, f"fresh{i}-{len(misses[key])}-{abs(hash(key))}"))
                misses[key].append(run_cold([PY, "-m", "symxai", "check", *args], cwd=root, env=fresh))
    runs.update(misses)
    bare = medians(runs["import sympy"])[1]
    print(f"machine: {machine()}; medians of {n}")
    print("| what | CPU (s) | ratio to import sympy |\n|---|---|---|")
    for k, v in runs.items():
        cpu = medians(v)[1]
        print(f"| {k} | {cpu:.2f} | {cpu / bare:.2f} |")


if __name__ == "__main__":
    args = sys.argv[1:]
    base_dir = None
    if "--base" in args:
        at = args.index("--base")
        base_dir = Path(args[at + 1]).resolve()
        del args[at:at + 2]
    main(int(args[0]) if args else 5, base_dir)
