"""Misconceptions about TreeSHAP: the other game, the branches unweighted, Saabas path attributions.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/xai-shap-family.yaml").task("tree-shap.path")
>>> rows = misconceptions(task.problem, task.method.solve(task.problem))
>>> [r.values for r in rows if r.label == "saabas"][0]
{'phi_1': 22/15, 'phi_2': 4/3}
"""

from __future__ import annotations

from dataclasses import replace

import sympy

from symxai.methods.shap_family._shapsum import shapley_values
from symxai.methods.shap_family.tree_shap import Tree, tree_values
from symxai.misconceptions import Law, Misconception


def _mean(tree: Tree, key):
    n = tree.nodes[key]
    if "value" in n:
        return n["value"]
    l, r = tree.nodes[n["left"]], tree.nodes[n["right"]]
    return (l["cover"] * _mean(tree, n["left"]) + r["cover"] * _mean(tree, n["right"])) / sympy.Integer(n["cover"])


def saabas(p) -> list:
    """Per feature, the changes of the node mean along x's path at the splits on that feature."""
    out, key = [sympy.Integer(0)] * p.d, p.tree.root
    while "value" not in p.tree.nodes[key]:
        n = p.tree.nodes[key]
        child = n["left"] if bool(p.point[n["feature"]] <= n["threshold"]) else n["right"]
        out[n["feature"]] += _mean(p.tree, child) - _mean(p.tree, key)
        key = child
    return out


def _even_covers(tree: Tree) -> Tree:
    """The same tree with every split sending half its cover each way (covers ignored)."""
    nodes = {k: dict(n) for k, n in tree.nodes.items()}

    def fill(key, cover):
        nodes[key]["cover"] = cover
        if "value" not in nodes[key]:
            fill(nodes[key]["left"], cover / 2)
            fill(nodes[key]["right"], cover / 2)
    fill(tree.root, sympy.Integer(2) ** 3)
    return Tree(nodes, tree.root)


def misconceptions(problem, solution) -> list:
    """The other TreeSHAP game, even branch weights, Saabas, leave-one-out, and efficiency."""
    p, d = problem, problem.d
    names = [f"{p.prefix}_{i + 1}" for i in range(d)]
    v = tree_values(p)[0]
    full = (1 << d) - 1

    def row(label, message, values):
        return Misconception(label, message, {n: sympy.nsimplify(val) for n, val in zip(names, values)})
    rows = []
    if p.mode == "interventional":
        rows.append(row("path-dependent-for-interventional", "you used the tree's covers (path-dependent TreeSHAP); "
                        "interventional TreeSHAP averages the tree over the background points",
                        shapley_values(tree_values(p, "path-dependent")[0], d)))
    else:
        rows.append(row("even-branches", "you averaged the two children of a split equally; path-dependent TreeSHAP "
                        "weights them by their covers (the fraction of training samples that went each way)",
                        shapley_values(tree_values(replace(p, tree=_even_covers(p.tree)))[0], d)))
    rows += [
        row("saabas", "you credited each split on x's path with the change of the node mean (Saabas); that "
            "ignores the splits x does not pass through and is not a Shapley value", saabas(p)),
        row("leave-one-out", "you took v(N) - v(N without i), one marginal contribution; the Shapley value averages "
            "over all coalitions", [v[full] - v[full & ~(1 << i)] for i in range(d)]),
        row("empty-coalition-only", "you took v({i}) - v(empty) only; the Shapley value averages over all coalitions",
            [v[1 << i] - v[0] for i in range(d)]),
    ]
    gain = sympy.nsimplify(v[full] - v[0])
    rows.append(Law("efficiency", f"your values do not add up to f(x) - v(empty) = {gain}: at least one is wrong",
                    tuple(names), lambda given: sum(given[n] for n in names) - gain))
    return rows


def intermediates(problem, solution) -> dict:
    """The coalition values v(S) as v_12, v_empty, ..."""
    from symxai.misconceptions.shapley import coalition_name
    v, d = tree_values(problem)[0], problem.d
    return {coalition_name([k + 1 for k in range(d) if m >> k & 1], d): (v[m], "coalition value v(S)")
            for m in range(1 << d)}
