"""How many coalitions exact Shapley values need, and what that means for an image.

The answer n_coalitions = 2^d is derived from the sum over subsets; the
reference counts the subsets of {1..d} one by one for small d.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import sympy

from symxai.solve.model import Line, Solution, Tex
from symxai.specs.schema import Field, Int, ListOf, Name, Record
from symxai.methods import register
from symxai.methods.base import BuildContext, Method


@dataclass
class CostProblem:
    d: sympy.Symbol
    image: tuple  # (height, width, channels) of the example image


@register
class ShapleyCost(Method):
    name = "shapley-cost"
    reference_name = "count of the subsets of {1..d}, enumerated one by one"
    params = Record({
        "d": Field(Name(), required=True, doc="the declared integer symbol for the number of features"),
        "image": Field(ListOf(Int(minimum=1), 3), doc="height, width, channels of an example image"),
    })

    def build(self, ctx: BuildContext, params):
        d = ctx.symbols.objects.get(params["d"])
        if not isinstance(d, sympy.Symbol) or not d.is_integer:
            ctx.problem(params.loc_of("d"), f"'{params['d']}' must be declared as an integer symbol")
            return None
        image = tuple(params.get("image", (224, 224, 3)))
        return CostProblem(d, image)

    def answer_names(self, problem) -> list[str]:
        return ["n_coalitions"]

    def solve(self, p: CostProblem) -> Solution:
        d = p.d
        k = sympy.Symbol("k", integer=True, nonnegative=True)
        per_feature = sympy.Sum(sympy.binomial(d - 1, k), (k, 0, d - 1))
        total = sympy.Sum(sympy.binomial(d, k), (k, 0, d))
        n = sympy.simplify(total.doit())
        sol = Solution()
        sol.step("The Shapley value of one feature sums over every coalition of the other features: one per "
                 "subset of size $k$, for every $k$:",
                 Line(Tex("\\#\\{S \\subseteq \\{1,\\dots,d\\}\\setminus\\{i\\}\\}"), per_feature,
                      sympy.simplify(per_feature.doit()), kind="definition"))
        sol.step("All Shapley values together need the model output for every coalition of all features:",
                 Line(sympy.Symbol("n_coalitions"), total, n))
        h, w, c = p.image
        pixels = h * w * c
        digits = sympy.floor(pixels * sympy.log(2, 10)) + 1
        sol.step(f"For an image of {h}$\\times${w} pixels with {c} channels, every input value is a feature, so "
                 "[[dline]] and the model must be evaluated [[evals]] times, a number with [[digits]] decimal digits. "
                 "Even at $10^{9}$ evaluations per second this is hopeless: Shapley values of images are only ever "
                 "approximated (sampling, superpixels as features, or model-specific methods).",
                 dline=Line(d, sympy.Integer(pixels)), evals=sympy.Pow(2, pixels, evaluate=False), digits=digits)
        sol.answer("n_coalitions", n, "coalitions (model evaluations) for exact Shapley values of d features")
        return sol

    def sample(self, problem, symbols, rng):
        return {problem.d: int(rng.integers(1, 13))}

    def reference(self, p: CostProblem, values: dict) -> dict:
        d = int(values[p.d])
        return {"n_coalitions": float(sum(1 for size in range(d + 1) for _ in combinations(range(d), size)))}
