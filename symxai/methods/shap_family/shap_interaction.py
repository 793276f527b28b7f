"""SHAP interaction values (Lundberg et al. 2020) of a function or a small tree, for d <= 4.

Off the diagonal phi_ij = sum over S not holding i, j of |S|!(d-|S|-2)!/(2(d-1)!) times the second
difference v(S+ij) - v(S+i) - v(S+j) + v(S): half of the Shapley interaction index of Grabisch, so
that phi_ij + phi_ji is the whole interaction.  On the diagonal phi_ii = phi_i - sum_{j != i} phi_ij
is the main effect.  The game is that of ``shapley`` (removed features at the baseline) for ``f``,
or the path-dependent one of ``tree-shap`` for ``tree``.  Verified against a mean over the orderings
in which i and j are neighbours.
"""

from __future__ import annotations

from math import factorial

import sympy

from symxai.solve.model import Line, Solution, Table, Tex
from symxai.reference import shap_family as ref
from symxai.specs.schema import Expr, Field, ListOf, Name, Record
from symxai.methods import register
from symxai.methods.shap_family._shapsum import coalition_set, coalition_tex, ordered_masks, shapley_values
from symxai.methods.base import BuildContext, Method
from symxai.methods.shap_family.shapley import Shapley, _num, _sym
from symxai.methods.shap_family.tree_shap import NODE, TreeShapProblem, numeric_tree, tree_and_point, tree_values

MAX_FEATURES = 4


def pair_weight(size: int, d: int):
    """|S|!(d-|S|-2)!/(2(d-1)!)."""
    return sympy.Rational(factorial(size) * factorial(d - size - 2), 2 * factorial(d - 1))


def interaction_matrix(v, d: int) -> list[list]:
    """The d x d SHAP interaction values from the coalition values (SymPy, exact)."""
    out = [[sympy.Integer(0)] * d for _ in range(d)]
    for i in range(d):
        for j in range(i + 1, d):
            pair = 1 << i | 1 << j
            out[i][j] = out[j][i] = sympy.nsimplify(sum(
                (pair_weight(bin(m).count("1"), d) * (v[m | pair] - v[m | 1 << i] - v[m | 1 << j] + v[m])
                 for m in range(1 << d) if not m & pair), sympy.Integer(0)))
    phis = shapley_values(v, d)
    for i in range(d):
        out[i][i] = sympy.nsimplify(phis[i] - sum(out[i][j] for j in range(d) if j != i))
    return out


@register
class ShapInteraction(Method):
    name = "shap-interaction"
    reference_name = "mean second difference over the orderings in which the pair are neighbours"
    params = Record({
        "f": Field(Expr(), doc="f(x) (removed features take the baseline); or give tree"),
        "tree": Field(ListOf(NODE, 1), doc="a tree as in tree-shap (path-dependent game); or give f"),
        "inputs": Field(ListOf(Name(), 1), required=True, doc="the features x_1..x_d, in order"),
        "point": Field(ListOf(Expr(), 1), required=True, doc="the input x to explain"),
        "baseline": Field(ListOf(Expr(), 1), doc="values of removed features for f (default 0)"),
    })

    def build(self, ctx: BuildContext, params):
        if ("f" in params) == ("tree" in params):
            ctx.problem(params.loc, "give either f or tree, not both or neither")
            return None
        if len(params["inputs"]) > MAX_FEATURES or len(params["inputs"]) < 2:
            ctx.problem(params.loc_of("inputs"), f"interaction values here take 2 to {MAX_FEATURES} inputs")
            return None
        if "f" in params:
            return Shapley().build(ctx, params)
        inputs = ctx.scalars(params["inputs"], params.loc_of("inputs"))
        found = tree_and_point(ctx, params, inputs) if inputs else None
        if found is None:
            return None
        return TreeShapProblem(inputs, found[0], found[1], "path-dependent", [], "phi")

    def answer_names(self, p) -> list[str]:
        return [f"phi_{i + 1}{j + 1}" for i in range(p.d) for j in range(i, p.d)]

    def values(self, p) -> list:
        if isinstance(p, TreeShapProblem):
            return tree_values(p)[0]
        return [_sym(v) for v in Shapley().coalition_values(p)]

    def solve(self, p) -> Solution:
        d, full = p.d, (1 << p.d) - 1
        v = self.values(p)
        phi = interaction_matrix(v, d)
        sol = Solution()
        game = ("the tree's path-dependent expectation $v(S) = \\mathbb{E}[f \\mid \\boldsymbol{x}_S]$ (as in TreeSHAP)"
                if isinstance(p, TreeShapProblem) else
                "$v(S) = f(\\boldsymbol{x}_S)$ with the features outside $S$ at the baseline")
        sol.step(f"The game is {game}. The interaction of $i \\ne j$ is the weighted second difference, split "
                 "evenly between $\\phi_{ij}$ and $\\phi_{ji}$; the diagonal keeps the main effect:",
                 Line(Tex("\\phi_{ij}"), Tex("\\sum_{S \\subseteq N\\setminus\\{i,j\\}} \\frac{|S|!\\,(d-|S|-2)!}{2\\,(d-1)!}"
                      "\\,\\nabla_{ij}(S)"), kind="formula"),
                 Line(Tex("\\nabla_{ij}(S)"), Tex("v(S\\cup\\{i,j\\}) - v(S\\cup\\{i\\}) - v(S\\cup\\{j\\}) + v(S)"),
                      kind="formula"),
                 Line(Tex("\\phi_{ii}"), Tex("\\phi_i - \\sum_{j \\ne i}\\phi_{ij}"), kind="formula"),
                 title="Interaction values")
        sol.step("The coalition values:", table=Table([Tex("S"), Tex("v(S)")],
                 [[coalition_set(m, d), v[m]] for m in ordered_masks(d)]), title="Coalition values")
        for i in range(d):
            for j in range(i + 1, d):
                self._pair_step(sol, v, d, i, j, phi[i][j])
        phis = shapley_values(v, d)
        lines = [Line(sympy.Symbol(f"phi_{i + 1}{i + 1}"), sympy.Add(phis[i], *[-phi[i][j] for j in range(d) if j != i and phi[i][j] != 0],
                      evaluate=False), phi[i][i]) for i in range(d)]
        sol.step("The Shapley values $\\phi_i$ of the same game, minus the row's interactions, give the main effects:",
                 *lines, title="Main effects")
        total = sympy.Add(*[phi[i][j] for i in range(d) for j in range(d)], evaluate=False)
        sol.step("The whole matrix adds up to $v(N) - v(\\emptyset)$ (efficiency), and row $i$ adds up to "
                 "the Shapley value $\\phi_i$:",
                 Line(Tex("\\sum_{i,j}\\phi_{ij}"), total, sympy.nsimplify(v[full] - v[0]), kind="definition"),
                 Line(Tex("v(N) - v(\\emptyset)", v[full] - v[0]), sympy.nsimplify(sum(phis))),
                 table=Table([Tex("")] + [Tex(f"j = {j + 1}") for j in range(d)] + [Tex("\\phi_i")],
                             [[Tex(f"i = {i + 1}")] + phi[i] + [phis[i]] for i in range(d)]),
                 title="Checking the result")
        for i in range(d):
            for j in range(i, d):
                kind = "main effect" if i == j else "interaction value"
                sol.answer(f"phi_{i + 1}{j + 1}", phi[i][j], f"SHAP {kind} of features {i + 1}, {j + 1}")
        return sol

    def _pair_step(self, sol, v, d, i, j, value) -> None:
        pair, rows, terms = 1 << i | 1 << j, [], []
        for m in ordered_masks(d, pair):
            w = pair_weight(bin(m).count("1"), d)
            nabla = v[m | pair] - v[m | 1 << i] - v[m | 1 << j] + v[m]
            rows.append([coalition_set(m, d), w, nabla])
            if nabla != 0:
                terms.append(sympy.Mul(w, nabla, evaluate=False))
        shown = sympy.Add(*terms, evaluate=False) if len(terms) > 1 else (terms[0] if terms else sympy.Integer(0))
        sol.step(f"Coalitions without features {i + 1} and {j + 1}:",
                 Line(sympy.Symbol(f"phi_{i + 1}{j + 1}"), shown, value),
                 table=Table([Tex("S"), Tex("\\frac{|S|!(d-|S|-2)!}{2(d-1)!}"), Tex(f"\\nabla_{{{i + 1}{j + 1}}}(S)")], rows),
                 title=f"Pair {i + 1}, {j + 1}")

    def reference(self, p, values: dict) -> dict:
        if isinstance(p, TreeShapProblem):
            game = ref.path_dependent_game(numeric_tree(p.tree), p.tree.root, [float(x) for x in p.point])
        else:
            values = {k: val for k, val in values.items() if k not in p.inputs}
            model = Shapley._numeric_model(p, values)
            point = [float(sympy.sympify(e).xreplace(_num(values))) for e in p.point]
            base = [float(sympy.sympify(e).xreplace(_num(values))) for e in p.baseline]
            game = ref.interventional_game(model, point, [base])
        m = ref.interaction_values(game, p.d)
        return {f"phi_{i + 1}{j + 1}": float(m[i, j]) for i in range(p.d) for j in range(i, p.d)}
