"""Neuralization of k-means, and LRP through the resulting network.

Cluster c wins at x iff min_{k != c} (||x - mu_k||^2 - ||x - mu_c||^2) > 0;
the squares cancel, leaving linear neurons h_k = w_k^T x + b_k with
w_k = 2 (mu_c - mu_k) and b_k = ||mu_k||^2 - ||mu_c||^2, and a min-pooling on
top.  LRP: the output relevance R_out = min_k h_k is shared by a soft-min,
R_k = exp(-beta h_k) / sum exp(-beta h) R_out, and each R_k goes to the inputs
by the midpoint rule with m_k = (mu_c + mu_k) / 2, the point of the decision
boundary on the segment between the two centroids.  Verified against a numpy
computation from distances (weights by finite differences).
"""

from __future__ import annotations

from dataclasses import dataclass

from symxai.lazy import numpy as np
import sympy

from symxai.solve.model import Line, Solution, Table, Tex
from symxai.reference import neuralization as ref
from symxai.specs.schema import Expr, Field, Int, ListOf, Record
from symxai.methods import register
from symxai.methods.base import BuildContext, Method
from symxai.methods.expansion.radial import Norm


@dataclass
class KMeansProblem:
    centroids: list  # K column ImmutableMatrix
    point: sympy.ImmutableMatrix
    beta: sympy.Expr
    cluster: int  # 0-based index of the explained cluster c

    @property
    def others(self) -> list[int]:
        return [k for k in range(len(self.centroids)) if k != self.cluster]


def _large(e) -> bool:
    """Is ``e`` too large to simplify cheaply (exact exponents with long numerators)?"""
    return any(len(str(r.p)) + len(str(r.q)) > 12 for r in e.atoms(sympy.Rational))


def _sq(v) -> sympy.Expr:
    return sympy.expand((v.T * v)[0, 0])


def _sqm(v) -> sympy.Expr:
    """||v||^2 of a vector expression in matrix symbols, unexpanded."""
    return (v.T * v)[0, 0]


def general_neuron(mu_k, mu_c):
    """w_k, b_k of the competitor neuron for centroids mu_k, mu_c in R^d (matrix symbols): the
    difference of squared distances expanded, x^T x cancelled.

    >>> d = sympy.Symbol("d", integer=True, positive=True)
    >>> from symxai.expr.plaintext import plain
    >>> [plain(v) for v in general_neuron(sympy.MatrixSymbol("mu_k", d, 1), sympy.MatrixSymbol("mu_c", d, 1))]
    ['2*(mu_c - mu_k)', 'norm(mu_k)**2 - norm(mu_c)**2']
    """
    w = sympy.MatMul(sympy.Integer(2), mu_c - mu_k, evaluate=False)  # shown as 2(mu_c - mu_k), not distributed
    return w, Norm(mu_k) ** 2 - Norm(mu_c) ** 2


@register
class KMeansNeuralization(Method):
    name = "kmeans-neuralization"
    reference_name = ("numpy computation from squared distances (weights by finite differences; the general weights and "
                      "biases at random dimensions and centroids)")
    params = Record({
        "centroids": Field(ListOf(ListOf(Expr(), 1), 2), required=True, doc="the K centroids mu_1..mu_K"),
        "point": Field(ListOf(Expr(), 1), required=True, doc="the input x"),
        "beta": Field(Expr(), required=True, doc="stiffness beta > 0 of the soft-min relevance"),
        "cluster": Field(Int(minimum=1), doc="the cluster c to explain (default: the one x is assigned to)"),
    })

    def build(self, ctx: BuildContext, params):
        mus = [ctx.vector(v, params["centroids"].loc_of(i)) for i, v in enumerate(params["centroids"])]
        x, beta = ctx.vector(params["point"]), ctx.expr(params["beta"], params.loc_of("beta"))
        if None in mus or x is None or beta is None:
            return None
        if any(m.shape != x.shape for m in mus):
            ctx.problem(params.loc_of("centroids"), f"every centroid needs {x.shape[0]} entries, like the point")
            return None
        if any(not e.is_number for m in [*mus, x] for e in m):
            ctx.problem(params.loc_of("centroids"), "centroids and point must be numbers (the assignment is decided)")
            return None
        if beta.is_positive is False:
            ctx.problem(params.loc_of("beta"), "beta must be > 0")
            return None
        dist = [_sq(x - m) for m in mus]
        c = params.get("cluster", min(range(len(mus)), key=lambda k: dist[k]) + 1) - 1
        if c >= len(mus):
            ctx.problem(params.loc_of("cluster"), f"cluster {c + 1} does not exist: there are {len(mus)}")
            return None
        if sum(1 for v in dist if v == dist[c]) > 1 or ("cluster" not in params and min(dist) != dist[c]):
            ctx.problem(params.loc_of("point"), "the point must not be equidistant to two centroids")
            return None
        return KMeansProblem(mus, x, beta, c)

    def answer_names(self, p: KMeansProblem) -> list[str]:
        names = ["w_k", "b_k"] + [f"{s}_{k + 1}" for k in p.others for s in ("w", "b")]
        return names + [f"R_h{k + 1}" for k in p.others] + [f"R_{i + 1}" for i in range(p.point.shape[0])]

    def solve(self, p: KMeansProblem) -> Solution:
        sol, x, c, mus = Solution(), p.point, p.cluster, p.centroids
        mc = mus[c]
        # the general identity, in R^d with general centroids: stepcheck draws d, x, mu_k, mu_c at random
        n = sympy.Symbol("d", integer=True, positive=True)
        X, Mk, Mc = (sympy.MatrixSymbol(s_, n, 1) for s_ in ("x", "mu_k", "mu_c"))
        Wk, Bk = general_neuron(Mk, Mc)
        sol.step("Assigning $\\boldsymbol{x}$ to the nearest centroid means that cluster $c$ wins iff every "
                 "competitor is farther away:",
                 Line(Tex("\\text{cluster } c"), Tex("\\min_{k\\ne c}\\left\\{\\|\\boldsymbol{x}-\\boldsymbol{\\mu}_k\\|^2 - "
                      "\\|\\boldsymbol{x}-\\boldsymbol{\\mu}_c\\|^2\\right\\} > 0"), rel="<=>"),
                 title="Step 1: k-means as a network")
        sol.step("Expanding the squares, the quadratic terms $\\boldsymbol{x}^\\top\\boldsymbol{x}$ cancel, and each "
                 "difference is a linear neuron in $\\boldsymbol{x}$, for any dimension $d$ and any centroids:",
                 Line(Tex("\\|\\boldsymbol{x}-\\boldsymbol{\\mu}_k\\|^2 - \\|\\boldsymbol{x}-\\boldsymbol{\\mu}_c\\|^2",
                          _sqm(X - Mk) - _sqm(X - Mc)),
                      Tex("2(\\boldsymbol{\\mu}_c - \\boldsymbol{\\mu}_k)^\\top \\boldsymbol{x} + "
                          "\\|\\boldsymbol{\\mu}_k\\|^2 - \\|\\boldsymbol{\\mu}_c\\|^2",
                          ((2 * (Mc - Mk)).T * X)[0, 0] + _sqm(Mk) - _sqm(Mc)),
                      Tex("\\boldsymbol{w}_k^\\top\\boldsymbol{x} + b_k", (Wk.T * X)[0, 0] + Bk)),
                 Line(Tex("\\boldsymbol{w}_k"), Wk, kind="definition"),
                 Line(Tex("b_k"), Bk, kind="definition"))
        # the quadratic terms x^T x cancel: checked symbolically on a generic point
        z = sympy.Matrix(sympy.symbols(f"z1:{x.shape[0] + 1}", real=True))
        w, b, h = {}, {}, {}
        for k in p.others:
            w[k], b[k] = 2 * (mc - mus[k]), _sq(mus[k]) - _sq(mc)
            if sympy.expand(_sq(z - mus[k]) - _sq(z - mc) - ((w[k].T * z)[0, 0] + b[k])) != 0:
                raise ArithmeticError(f"the neuron of competitor {k + 1} is not linear")
            h[k] = sympy.nsimplify((w[k].T * x)[0, 0] + b[k])
        dist = [_sq(x - m) for m in mus]
        gap = {k: dist[k] - dist[c] for k in p.others}  # what h_k stands for: the difference of squared distances
        sol.step(f"Here $c = {c + 1}$ (squared distances [[dist]]). The competitor neurons:",
                 *[Line(sympy.Symbol(f"h_{k + 1}"),
                        Tex(f"\\boldsymbol{{w}}_{k + 1}^\\top\\boldsymbol{{x}} + b_{k + 1}", gap[k]), h[k],
                        kind="definition")
                   for k in p.others],
                 table=Table([Tex("k"), Tex("\\boldsymbol{w}_k"), Tex("b_k"), Tex("h_k")],
                             [[sympy.Integer(k + 1), w[k], b[k], h[k]] for k in p.others]),
                 dist=sympy.ImmutableMatrix([dist]))
        out = sympy.Min(*h.values())
        sign = "positive" if out.is_positive else "not positive"
        sol.step(f"The output is the min-pooling of the competitor neurons; it is {sign}, so $c$ "
                 + ("wins:" if out.is_positive else "does not win:"),
                 Line(Tex("R_{\\mathrm{out}}"), Tex("\\min_{k\\ne c} h_k", sympy.Min(*gap.values())), out,
                      kind="definition"))
        beta = p.beta
        norm = sum(sympy.exp(-beta * h[k]) for k in p.others)
        # the soft-min weights as exp(-beta (h_k - h_k')) of exact rationals, not simplified: with centroids
        # fitted by scikit-learn (12 digits) simplify meets exponents with 20-digit numerators and overflows
        R_h = {k: out / sympy.Add(*[sympy.exp(beta * (h[k] - h[j])) for j in p.others]) for k in p.others}
        sol.step("The min-pooling passes relevance by a soft-min:",
                 Line(Tex("R_k"), Tex("\\frac{\\exp(-\\beta h_k)}{\\sum_{k'} \\exp(-\\beta h_{k'})}\\, R_{\\mathrm{out}}"),
                      kind="formula"),
                 *[Line(sympy.Symbol(f"R_h{k + 1}"), R_h[k]) for k in p.others], title="Step 2: LRP")
        mids = {k: (mc + mus[k]) / 2 for k in p.others}
        for k in p.others:
            if sympy.simplify((w[k].T * mids[k])[0, 0] + b[k]) != 0:
                raise ArithmeticError("the midpoint is not on the decision boundary")
        d = x.shape[0]
        share = {k: [sympy.expand(w[k][i] * (x[i] - mids[k][i]) / h[k]) for i in range(d)] for k in p.others}
        for k in p.others:  # exact rationals: the shares of each competitor add up to 1 (conservation)
            if sympy.Add(*share[k]) != 1:
                raise ArithmeticError(f"the midpoint rule of competitor {k + 1} does not conserve relevance")
        R_in = [sympy.Add(*[share[k][i] * R_h[k] for k in p.others]) for i in range(d)]
        total = sympy.Add(*R_h.values())
        sol.step("Each competitor neuron is linear; its relevance goes to the inputs by the midpoint rule with "
                 "$\\boldsymbol{m}_k = (\\boldsymbol{\\mu}_c + \\boldsymbol{\\mu}_k)/2$, which lies on the boundary "
                 "($\\boldsymbol{w}_k^\\top \\boldsymbol{m}_k + b_k = 0$), so $\\sum_i w_{ik}(x_i - m_{ik}) = h_k$ and "
                 "the rule conserves relevance:",
                 Line(Tex("R_i"), Tex("\\sum_{k} \\frac{w_{ik}(x_i - m_{ik})}{\\sum_{i'} w_{i'k}(x_{i'} - m_{i'k})}\\, R_k"),
                      kind="formula"),
                 table=Table([Tex("k"), Tex("\\boldsymbol{m}_k"), Tex("w_{ik}(x_i - m_{ik})/h_k")],
                             [[sympy.Integer(k + 1), mids[k], sympy.ImmutableMatrix(share[k])] for k in p.others]))
        sol.step("The input relevances, and conservation (the shares of each $R_k$ add up to 1 exactly, so "
                 "$\\sum_i R_i = \\sum_k R_k$):", *[Line(sympy.Symbol(f"R_{i + 1}"), R_in[i]) for i in range(d)],
                 Line(Tex("\\sum_i R_i", sympy.Add(*R_in)), Tex("\\sum_k R_k", total),
                      total if _large(total) else sympy.simplify(total)))
        sol.answer("w_k", Wk, "weights of the competitor neuron k, for any centroids in any dimension")
        sol.answer("b_k", Bk, "bias of the competitor neuron k, for any centroids in any dimension")
        for k in p.others:
            sol.answer(f"w_{k + 1}", sympy.ImmutableMatrix(w[k]), f"weights of competitor neuron {k + 1}")
            sol.answer(f"b_{k + 1}", b[k], f"bias of competitor neuron {k + 1}")
        for k in p.others:
            sol.answer(f"R_h{k + 1}", R_h[k], f"relevance of competitor neuron {k + 1}")
        for i in range(d):
            sol.answer(f"R_{i + 1}", R_in[i], f"relevance of input {i + 1}")
        return sol

    def sample(self, p: KMeansProblem, symbols, rng) -> dict:
        """The spec's parameters, and a random instance of the general neuron: a dimension d and two
        centroids mu_k, mu_c in R^d."""
        values = symbols.sample(rng)
        n = int(rng.integers(1, 6))
        d = sympy.Symbol("d", integer=True, positive=True)
        values[d] = n
        for name in ("mu_k", "mu_c"):
            values[sympy.MatrixSymbol(name, d, 1)] = rng.normal(scale=2.0, size=(n, 1))
        return values

    def reference(self, p: KMeansProblem, values: dict) -> dict:
        general = {k.name: np.asarray(v, dtype=float).reshape(-1) for k, v in values.items()
                   if isinstance(k, sympy.MatrixSymbol)}
        out = {}
        if "mu_k" in general:
            w_k, b_k = ref.competitor_neuron(general["mu_k"], general["mu_c"])
            out["w_k"], out["b_k"] = w_k, b_k
        num = {k: v for k, v in values.items() if isinstance(v, (int, float)) and not isinstance(k, sympy.MatrixSymbol)}
        beta = float(sympy.sympify(p.beta).subs(num))
        x = np.array([float(v) for v in p.point])
        mus = np.array([[float(v) for v in m] for m in p.centroids])
        r = ref.kmeans_lrp(x, mus, p.cluster, beta)
        for j, k in enumerate(r["others"]):
            out[f"w_{k + 1}"], out[f"b_{k + 1}"] = r["w"][j], float(r["b"][j])
            out[f"R_h{k + 1}"] = float(r["R_hidden"][j])
        out.update({f"R_{i + 1}": float(v) for i, v in enumerate(r["R_in"])})
        return out

    def tolerance(self, p: KMeansProblem, answer: str) -> float:
        return 1e-6  # finite-difference weights
