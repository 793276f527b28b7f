"""The gradient x input catalogue: its rows live with the other gradient attributions in ``gradients``."""

from __future__ import annotations

from symxai.misconceptions.gradients import gradient_x_input_rows


def misconceptions(problem, solution) -> list:
    """The rows of ``gradients.gradient_x_input_rows`` for this problem."""
    return gradient_x_input_rows(problem)
