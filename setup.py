"""Package discovery for symxai, computed so that it cannot drift from the tree.

Metadata lives in pyproject.toml.  This file only says *what ships*: every
package under symxai/ (found, never listed by hand), the top-level templates/
folder as ``symxai.templates``, and every non-Python file inside those
folders as package data (schemas, templates, web assets).
``tests/test_wheel.py`` builds the wheel and runs it from a fresh venv.
"""

from pathlib import Path

from setuptools import find_packages, setup

ROOT = Path(__file__).resolve().parent
SKIP_DIRS = {"__pycache__"}
SKIP_SUFFIXES = {".py", ".pyc", ".pyo"}

PACKAGE_DIRS = {name: name.replace(".", "/") for name in find_packages(include=["symxai", "symxai.*"])}
PACKAGE_DIRS["symxai.templates"] = "templates"


def data_files_of(folder: Path) -> list[str]:
    """Every non-Python file below `folder` that is not inside a subpackage of its own."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or path.suffix in SKIP_SUFFIXES or SKIP_DIRS & set(rel.parts):
            continue
        if any((folder / Path(*rel.parts[:i]) / "__init__.py").exists() for i in range(1, len(rel.parts))):
            continue  # belongs to a nested package, which lists it itself
        found.append(rel.as_posix())
    return found


setup(
    packages=sorted(PACKAGE_DIRS),
    package_dir={"symxai.templates": "templates"},
    package_data={name: data_files_of(ROOT / folder) for name, folder in PACKAGE_DIRS.items()},
    include_package_data=False,
)
