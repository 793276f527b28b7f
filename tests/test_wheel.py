"""The wheel users install is the product: build it from a clean copy of the tree,
install it into a fresh venv (not editable, not from the checkout) and run it there.

The fresh venv gets symxai only from the wheel (``pip install --no-deps``); its
dependencies are borrowed from the test environment through a ``.pth`` line, so the
test needs no network.  Every command runs with a working directory outside the
checkout, and the test asserts that ``symxai`` is imported from the fresh venv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHEET14 = ROOT / "problems" / "tub-ml-sheet14.yaml"


def clean_copy(dest: Path) -> Path:
    """The files git tracks or would track (nothing ignored: no build/, no .venv), as a clean clone has them."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return dest


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bin folder of a fresh venv holding the wheel, a working folder outside the checkout, the wheel)."""
    work = tmp_path_factory.mktemp("wheel")
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to know which files a clean clone has")
    src = clean_copy(work / "src")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(work / "dist"), str(src)], check=True, capture_output=True)
    wheel = next((work / "dist").glob("symxai-*.whl"))
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    bindir = env_dir / "bin"
    site = Path(subprocess.run([str(bindir / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # the test environment's packages (sympy, numpy, ...) without the checkout or its editable hook
    (site / "_symxai_test_deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(bindir / "python"), "install", "--no-deps",
                    "--no-index", "-q", str(wheel)], check=True, capture_output=True)
    run_dir = work / "elsewhere"
    run_dir.mkdir()
    return bindir, run_dir, wheel


def run(installed, *args):
    bindir, run_dir, _ = installed
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run([str(bindir / "symxai"), *map(str, args)], cwd=run_dir, env=env,
                          capture_output=True, text=True, timeout=600)


def test_symxai_is_imported_from_the_wheel(installed):
    bindir, run_dir, _ = installed
    where = subprocess.run([str(bindir / "python"), "-c", "import symxai, sys; print(symxai.__file__)"],
                           cwd=run_dir, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(bindir.parent), where


def test_every_package_and_data_file_of_the_tree_is_in_the_wheel(installed):
    names = set(zipfile.ZipFile(installed[2]).namelist())
    tracked = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    for name in tracked:
        path = Path(name)
        if path.parts[0] == "symxai" and path.suffix != ".pyc":
            assert name in names, f"{name} is in the tree but not in the wheel"
        if path.parts[0] == "templates":
            assert "symxai/" + name in names, f"{name} is in the tree but not in the wheel"


def test_check_right_and_wrong(installed):
    right = run(installed, "check", SHEET14, "shapley", "phi_1=2/3", "phi_2=1/6", "phi_3=1/6")
    assert right.returncode == 0, right.stdout + right.stderr
    wrong = run(installed, "check", SHEET14, "shapley", "phi_1=1/3", "phi_2=1/3", "phi_3=1/6")
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr
    assert "wrong" in wrong.stdout


def test_build_tex_only(installed, tmp_path):
    result = run(installed, "build", SHEET14, "-o", tmp_path, "--tex-only")
    assert result.returncode == 0, result.stdout + result.stderr
    folder = tmp_path / "tub-ml-sheet14"
    assert "\\begin{document}" in (folder / "tub-ml-sheet14-solutions.tex").read_text()
    assert json.loads((folder / "answers.json").read_text())["sheet"] == "tub-ml-sheet14"


def test_schema_and_methods(installed):
    schema = run(installed, "schema")
    assert schema.returncode == 0, schema.stderr
    assert "properties" in json.loads(schema.stdout)
    methods = run(installed, "methods")
    assert methods.returncode == 0, methods.stderr
    assert "shapley" in methods.stdout and "lrp" in methods.stdout
