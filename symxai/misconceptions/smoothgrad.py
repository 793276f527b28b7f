"""The smoothgrad catalogue: polynomial rows live with the other gradient attributions in ``gradients``,
the rows of a ReLU network with its closed form in ``symxai.methods.saliency.smoothgrad``."""

from __future__ import annotations

from symxai.methods.saliency.smoothgrad import relu_rows
from symxai.misconceptions.gradients import smoothgrad_rows


def misconceptions(problem, solution) -> list:
    """The rows of ``gradients.smoothgrad_rows`` (or ``smoothgrad.relu_rows``) for this problem."""
    if getattr(problem, "network", None) is not None:
        return relu_rows(problem, problem.network)
    return smoothgrad_rows(problem)
