"""Resource budgets of a spec: every size symxai accepts, in one place.

Each limit bounds work that grows quickly with the size (2^d coalitions,
2^h activation regions, d x d matrices, the values a generator may draw),
so that a spec either runs in bounded time and memory or is refused at
``validate`` time with the limit named.  docs/spec.md#limits lists them;
a test keeps that table and these numbers in step.

>>> over("lrp", "hidden units in total", 80, MAX_LRP_HIDDEN)
'lrp: at most 32 hidden units in total (got 80); see docs/spec.md#limits'
"""

from __future__ import annotations

MAX_SPEC_CHARS = 1_000_000      # characters of one spec file
MAX_YAML_DEPTH = 40             # nesting of mappings and lists in a spec
MAX_ID_CHARS = 64               # sheet, exercise and part ids; symbol and answer names
MAX_POINTS = 10_000             # points of an exercise or part
MAX_DIMENSION = 100             # a declared shape [n] or [n, m]: each of n, m
MAX_VECTOR = 200                # entries of a vector given in params (a point, a mean, a bias)
MAX_MATRIX = 2_500              # entries of a matrix given in params (weights, maps)
MAX_INPUTS = 20                 # inputs of a method (Shapley: 2^d exact coalitions)
MAX_SYMBOLIC_SHAPLEY = 6        # Shapley inputs when the point, baseline or f has free symbols
MAX_LRP_HIDDEN = 32             # hidden units of an LRP network, all layers together
MAX_LRP_REGIONS = 64            # bound sum_{i<=d} C(h, i) on the activation regions of h units on d inputs
MAX_GENERATOR_VALUES = 100_000  # values one integer/rational/point generator may choose from


def over(method: str, what: str, got: int, limit: int) -> str:
    """The message for a size beyond its limit, naming the limit and where it is documented."""
    return f"{method}: at most {limit} {what} (got {got}); see docs/spec.md#limits"


LIMITS = {
    "MAX_SPEC_CHARS": (MAX_SPEC_CHARS, "characters in one spec file"),
    "MAX_YAML_DEPTH": (MAX_YAML_DEPTH, "levels of nested mappings and lists"),
    "MAX_ID_CHARS": (MAX_ID_CHARS, "characters in an id or a name"),
    "MAX_POINTS": (MAX_POINTS, "points of an exercise or a part"),
    "MAX_DIMENSION": (MAX_DIMENSION, "size of each dimension of a declared shape"),
    "MAX_VECTOR": (MAX_VECTOR, "entries of a vector in params"),
    "MAX_MATRIX": (MAX_MATRIX, "entries of a matrix in params"),
    "MAX_INPUTS": (MAX_INPUTS, "inputs of a method"),
    "MAX_SYMBOLIC_SHAPLEY": (MAX_SYMBOLIC_SHAPLEY, "Shapley inputs when the point, baseline or f has free symbols"),
    "MAX_LRP_HIDDEN": (MAX_LRP_HIDDEN, "hidden units of an LRP network, all layers together"),
    "MAX_LRP_REGIONS": (MAX_LRP_REGIONS, "activation regions of an LRP network with numeric weights, bounded by "
                        "sum_{i<=d} C(h, i) for h hidden units on d inputs"),
    "MAX_GENERATOR_VALUES": (MAX_GENERATOR_VALUES, "values one generator may choose from"),
}
