"""TreeSHAP on a small decision tree given node by node: path-dependent and interventional values.

A split node sends x to ``left`` when x_feature <= threshold; every node carries its cover (the
number of training samples that reached it).  Path-dependent TreeSHAP takes the tree's own covers
as the background: v(S) = E[f(X) | x_S] walks the tree, follows x at splits on features in S and
averages the two children by cover elsewhere.  Interventional TreeSHAP averages f(x_S, z_Sbar) over
a background set of points z.  The worked solution reads every v(S) off the tree, sums the Shapley
table per feature and checks efficiency; the interventional exercise also sets the two kinds of
values side by side.  Verified by a leaf-by-leaf sum of path probabilities and by direct tree
evaluation, averaged over all orderings.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symxai.solve.model import Line, Solution, Table, Tex
from symxai.reference import shap_family as ref
from symxai.specs.schema import Choice, Expr, Field, Int, ListOf, Name, Record
from symxai.methods import register
from symxai.methods.shap_family._shapsum import coalition_tex, feature_step, ordered_masks, shapley_formula, shapley_values
from symxai.methods.base import BuildContext, Method

MAX_DEPTH, MAX_FEATURES, MAX_BACKGROUND = 3, 4, 12

NODE = Record({
    "id": Field(Name(), required=True, doc="the node's name"),
    "feature": Field(Name(), doc="split: the input tested (one of inputs)"),
    "threshold": Field(Expr(), doc="split: x_feature <= threshold goes left"),
    "left": Field(Name(), doc="split: the id of the left child"),
    "right": Field(Name(), doc="split: the id of the right child"),
    "value": Field(Expr(), doc="leaf: the prediction"),
    "cover": Field(Int(minimum=1), required=True, doc="training samples reaching the node"),
})
TREE_PARAMS = {
    "inputs": Field(ListOf(Name(), 1), required=True, doc="the features x_1..x_d, in order"),
    "tree": Field(ListOf(NODE, 1), required=True, doc="the nodes, root first (depth at most 3)"),
    "point": Field(ListOf(Expr(), 1), required=True, doc="the input x to explain"),
}


@dataclass
class Tree:
    nodes: dict  # id -> {"feature": index, "threshold", "left", "right", "cover"} or {"value", "cover"}
    root: str

    def walk(self, x) -> object:
        """The leaf value reached by x."""
        key = self.root
        while "value" not in self.nodes[key]:
            n = self.nodes[key]
            key = n["left"] if bool(x[n["feature"]] <= n["threshold"]) else n["right"]
        return self.nodes[key]["value"]

    def expectation(self, key, mask: int, x):
        """E[f | x_S] below node ``key`` as an unevaluated sum (cover-weighted where the feature is missing)."""
        n = self.nodes[key]
        if "value" in n:
            return n["value"]
        if mask >> n["feature"] & 1:
            return self.expectation(n["left"] if bool(x[n["feature"]] <= n["threshold"]) else n["right"], mask, x)
        parts = [sympy.Mul(sympy.Rational(self.nodes[c]["cover"], n["cover"]), self.expectation(c, mask, x),
                           evaluate=False) for c in (n["left"], n["right"])]
        return sympy.Add(*parts, evaluate=False)


def build_tree(ctx: BuildContext, params, inputs) -> Tree | None:
    """The tree of ``params['tree']``, checked: known children, each node used once, covers that add up."""
    raw, nodes, index = params["tree"], {}, {str(s): i for i, s in enumerate(inputs)}
    for k, node in enumerate(raw):
        loc = raw.loc_of(k)
        split = [key for key in ("feature", "threshold", "left", "right") if key in node]
        if ("value" in node) == bool(split) or (split and len(split) < 4):
            ctx.problem(loc, "a node is a leaf (value, cover) or a split (feature, threshold, left, right, cover)")
            return None
        if node["id"] in nodes:
            ctx.problem(loc, f"node id '{node['id']}' is used twice")
            return None
        entry = {"cover": int(node["cover"])}
        if "value" in node:
            entry["value"] = ctx.expr(node["value"], node.loc_of("value"))
        else:
            if node["feature"] not in index:
                ctx.problem(node.loc_of("feature"), f"feature '{node['feature']}' is not one of the inputs")
                return None
            entry.update(feature=index[node["feature"]], left=node["left"], right=node["right"],
                         threshold=ctx.expr(node["threshold"], node.loc_of("threshold")))
        if any(v is None for v in entry.values()):
            return None  # the parser has said why
        if any(getattr(v, "free_symbols", None) for v in entry.values()):
            ctx.problem(loc, "tree values and thresholds must be numbers")
            return None
        nodes[node["id"]] = entry
    tree = Tree(nodes, raw[0]["id"])
    seen: set = set()

    def check(key, depth) -> str | None:
        if key not in nodes:
            return f"child '{key}' is not a node"
        if key in seen:
            return f"node '{key}' is reached twice"
        seen.add(key)
        n = nodes[key]
        if "value" in n:
            return None
        if depth >= MAX_DEPTH:
            return f"the tree is deeper than {MAX_DEPTH}"
        for c in (n["left"], n["right"]):
            problem = check(c, depth + 1)
            if problem:
                return problem
        if nodes[n["left"]]["cover"] + nodes[n["right"]]["cover"] != n["cover"]:
            return f"the covers of the children of '{key}' do not add up to its cover {n['cover']}"
        return None
    problem = check(tree.root, 0) or (None if len(seen) == len(nodes) else "some nodes are not reached from the root")
    if problem:
        ctx.problem(params.loc_of("tree"), problem)
        return None
    return tree


@dataclass
class TreeShapProblem:
    inputs: list
    tree: Tree
    point: list
    mode: str
    background: list  # list of points (interventional)
    prefix: str

    @property
    def d(self) -> int:
        return len(self.inputs)


def tree_and_point(ctx, params, inputs):
    """The spec's tree over ``inputs`` and the explained point (numbers, one per input), or None after
    reporting the problem."""
    tree = build_tree(ctx, params, inputs)
    point = ctx.vector(params["point"])
    if tree is None or point is None:
        return None
    if len(point) != len(inputs) or point.free_symbols:
        ctx.problem(params.loc_of("point"), f"point must be {len(inputs)} numbers")
        return None
    return tree, list(point)


def tree_values(p, mode: str | None = None) -> tuple[list, list]:
    """v(S) by bitmask, and the unevaluated expression each is read off as."""
    mode = mode or p.mode
    shown, values = [], []
    for m in range(1 << p.d):
        if mode == "path-dependent":
            expr = p.tree.expectation(p.tree.root, m, p.point)
        else:
            leaves = [p.tree.walk([p.point[k] if m >> k & 1 else z[k] for k in range(p.d)]) for z in p.background]
            expr = sympy.Mul(sympy.Rational(1, len(leaves)), sympy.Add(*leaves, evaluate=False), evaluate=False)
        shown.append(expr)
        values.append(sympy.nsimplify(sympy.sympify(expr).doit()))
    return values, shown


@register
class TreeShap(Method):
    name = "tree-shap"
    reference_name = "leaf-by-leaf path probabilities / direct tree evaluation, averaged over all orderings"
    params = Record({
        **TREE_PARAMS,
        "mode": Field(Choice("path-dependent", "interventional"), doc="which TreeSHAP (default path-dependent)"),
        "background": Field(ListOf(ListOf(Expr(), 1), 1), doc="background points (interventional)"),
        "prefix": Field(Name(), doc="answer names are PREFIX_1..PREFIX_d (default phi)"),
    })

    def build(self, ctx: BuildContext, params):
        inputs = ctx.scalars(params["inputs"], params.loc_of("inputs"))
        if inputs is None:
            return None
        if len(inputs) > MAX_FEATURES:
            ctx.problem(params.loc_of("inputs"), f"at most {MAX_FEATURES} inputs for a worked TreeSHAP solution")
            return None
        found = tree_and_point(ctx, params, inputs)
        if found is None:
            return None
        tree, point = found
        mode = params.get("mode", "path-dependent")
        background = []
        if mode == "interventional":
            if "background" not in params or len(params["background"]) > MAX_BACKGROUND:
                ctx.problem(params.loc, f"interventional TreeSHAP needs a background of 1 to {MAX_BACKGROUND} points")
                return None
            rows = ctx.matrix(params["background"])
            if rows is None or rows.shape[1] != len(inputs) or rows.free_symbols:
                ctx.problem(params.loc_of("background"), f"background points must have {len(inputs)} numbers each")
                return None
            background = [list(rows.row(k)) for k in range(rows.shape[0])]
        return TreeShapProblem(inputs, tree, point, mode, background, params.get("prefix", "phi"))

    def answer_names(self, p) -> list[str]:
        return [f"{p.prefix}_{i + 1}" for i in range(p.d)]

    def solve(self, p) -> Solution:
        d, full = p.d, (1 << p.d) - 1
        v, shown = tree_values(p)
        phis = shapley_values(v, d)
        sol = Solution()
        if p.mode == "path-dependent":
            sol.step("Path-dependent TreeSHAP uses the tree's own covers as the background: $v(S)$ follows "
                     "$\\boldsymbol{x}$ at a split on a feature in $S$ and otherwise averages both children, weighted by "
                     "the fraction of the node's cover that went each way.", shapley_formula(),
                     title="The path-dependent game")
        else:
            sol.step(f"Interventional TreeSHAP averages the tree over the {len(p.background)} background points "
                     "$\\boldsymbol{z}$, with the features in $S$ set to $\\boldsymbol{x}$:",
                     Line(Tex("v(S)"), Tex("\\frac{1}{n}\\sum_{\\boldsymbol{z}} f(\\boldsymbol{x}_S, \\boldsymbol{z}_{\\bar S})"),
                          kind="formula"), shapley_formula(), title="The interventional game")
        lines = [Line(Tex(f"v({coalition_tex(m, d)})"), shown[m], v[m], kind="definition") for m in ordered_masks(d)]
        sol.step("Every coalition value read off the tree:", *lines, title="Coalition values")
        for i in range(d):
            feature_step(sol, v, d, i, phis[i], sympy.Symbol(f"{p.prefix}_{i + 1}"))
        sol.step("Efficiency: the values add up to the prediction minus the expected prediction $v(\\emptyset)$.",
                 Line(Tex("\\sum_i \\phi_i"), sympy.Add(*phis, evaluate=False), sympy.simplify(sum(phis)), kind="definition"),
                 Line(Tex("f(\\boldsymbol{x}) - v(\\emptyset)", p.tree.walk(p.point) - v[0]), v[full] - v[0]),
                 title="Checking the result")
        if p.mode == "interventional":
            other = shapley_values(tree_values(p, "path-dependent")[0], d)
            same = other == phis
            text = ("Path-dependent TreeSHAP on the same tree gives the values below. "
                    + ("Here they coincide with the interventional ones." if same else
                       "They differ: path-dependent values weight the branches by the training covers (an "
                       "approximation of the conditional expectation along the path), interventional values by "
                       "the background points, so a feature the tree splits on can gain or lose credit."))
            sol.step(text, table=Table([Tex("i"), Tex("\\phi_i \\text{ (interventional)}"),
                                        Tex("\\phi_i \\text{ (path-dependent)}")],
                                       [[sympy.Integer(i + 1), phis[i], other[i]] for i in range(d)]),
                     title="Path-dependent against interventional")
        for i, phi in enumerate(phis):
            sol.answer(f"{p.prefix}_{i + 1}", phi, f"{p.mode} TreeSHAP value of feature {i + 1}")
        return sol

    def reference(self, p, values: dict) -> dict:
        nodes, point = numeric_tree(p.tree), [float(x) for x in p.point]
        if p.mode == "path-dependent":
            game = ref.path_dependent_game(nodes, p.tree.root, point)
        else:
            game = ref.interventional_game(lambda x: ref.tree_predict(nodes, p.tree.root, x), point,
                                           [[float(z) for z in row] for row in p.background])
        return {f"{p.prefix}_{i + 1}": val for i, val in enumerate(ref.ordering_shapley(game, p.d))}


def numeric_tree(tree: Tree) -> dict:
    """The tree's nodes in floats for the reference."""
    return {k: {key: (float(val) if key in ("threshold", "value", "cover") else val) for key, val in n.items()}
            for k, n in tree.nodes.items()}
