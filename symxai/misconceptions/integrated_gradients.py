"""The integrated gradients catalogue: its rows live with the other gradient attributions in ``gradients``."""

from __future__ import annotations

from symxai.misconceptions.gradients import integrated_gradients_rows


def misconceptions(problem, solution) -> list:
    """The rows of ``gradients.integrated_gradients_rows`` for this problem."""
    return integrated_gradients_rows(problem)
