"""Shared fixtures: paths to the repository's problems and a runner for the CLI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

# Tests build strictly: an overfull box over 1 pt in any PDF they build is a LayoutError
# (symxai/typeset/texlog.py); a test that wants the warning passes strict_layout=False.
os.environ.setdefault("SYMXAI_STRICT_LAYOUT", "1")

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = ROOT / "problems"


@pytest.fixture
def cli():
    """Run the symxai CLI in-process: cli("check", file, ...) -> click Result."""
    from symxai.cli import main

    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    return run


@pytest.fixture
def wrong_phi_1(monkeypatch):
    """Make the Shapley engine answer phi_1 + 1 (an injected error verification must catch)."""
    from symxai.methods.shap_family.shapley import Shapley
    original = Shapley.solve

    def wrong(self, problem):
        sol = original(self, problem)
        sol.answers["phi_1"].value += 1
        return sol

    def inject():
        monkeypatch.setattr(Shapley, "solve", wrong)
    return inject


@pytest.fixture
def tex():
    """Skip without TeX on a workstation; fail without it in CI."""
    from symxai.typeset.latex import tex_available
    if tex_available():
        return
    if os.environ.get("CI"):
        pytest.fail("CI is set but latexmk/pdflatex are missing: run scripts/setup.sh")
    pytest.skip("latexmk/pdflatex not installed")

# The between-run check cache (symxai/grade/answercache.py) is off, so tests stay independent of each
# other and of earlier runs; tests/grade/test_answercache.py turns it on in a private folder.
os.environ["SYMXAI_NO_CHECK_CACHE"] = "1"
