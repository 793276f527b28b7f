"""Shared batches for the LMS export tests (generated once per test session)."""

from __future__ import annotations

import functools
import os
import shutil

import pytest

from symxai.batch.variants import generate

SHEET = "problems/tub-ml-sheet14.yaml"
LRP = "tests/specs/lrp-variants.yaml"


@functools.lru_cache(maxsize=None)
def shapley_batch():
    """The issue's batch: 20 variants of sheet 14's Shapley exercise, seed 7, with LMS extras."""
    return generate(SHEET, "shapley", count=20, seed=7, render=False, lms=True)


@functools.lru_cache(maxsize=None)
def lrp_batch():
    """Symbolic answers (Piecewise in x1, x2) and network figures: 3 LRP variants."""
    return generate(LRP, "lrp-net", count=3, seed=1, render=False, lms=True)


def need(program: str) -> None:
    """Skip without ``program`` on a workstation; fail without it in CI (scripts/setup.sh installs it)."""
    if shutil.which(program) is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {program} is missing: run scripts/setup.sh")
        pytest.skip(f"{program} is not installed")
