"""The smoothgrad catalogue: its rows live with the other gradient attributions in ``gradients``."""

from __future__ import annotations

from symxai.misconceptions.gradients import smoothgrad_rows


def misconceptions(problem, solution) -> list:
    """The rows of ``gradients.smoothgrad_rows`` for this problem."""
    return smoothgrad_rows(problem)
