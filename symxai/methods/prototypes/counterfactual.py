"""Counterfactual explanations for a linear or logistic classifier, in closed form.

The classifier scores s(x) = w^T x + b (logistic: P[y = 1 | x] = sigma(s(x))).  A counterfactual
is the point x' closest to x whose score reaches the target t (logistic: the target probability
p, so t = ln(p / (1 - p))).  Features listed as immutable may not change.

- ``norm: l2``: min 1/2 ||x' - x||^2 s.t. w^T x' + b = t.  The Lagrangian gives
  x' = x + ((t - s(x)) / ||w_M||^2) w_M, w_M = w with the immutable entries set to 0.
- ``norm: l1``: min sum_i c_i |x'_i - x_i| s.t. w^T x' + b = t and lo <= x' <= hi.  A linear
  program whose optimum (KKT) moves the features in order of |w_i| / c_i, each as far as its box
  allows, until the target is reached (a fractional knapsack); without boxes one feature moves.

Verified against scipy: SLSQP on the l2 problem, ``linprog`` (HiGHS) on the l1 problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symxai.solve.model import Line, Solution, Table, Tex
from symxai.reference import counterfactual as ref
from symxai.specs.schema import Choice, Expr, Field, Int, ListOf, Name, Record
from symxai.methods import register
from symxai.methods.base import BuildContext, Method


@dataclass
class CounterfactualProblem:
    model: str  # linear | logistic
    norm: str  # l2 | l1
    w: list
    b: sympy.Expr
    x: list
    target: sympy.Expr  # the score t, or the probability p for a logistic model
    cost: list
    low: list  # None entries: no bound
    high: list
    immutable: set  # 0-based indices
    prefix: str

    @property
    def score_target(self):
        p = self.target
        return sympy.log(p / (1 - p)) if self.model == "logistic" else p

    def mutable(self) -> list[int]:
        return [i for i in range(len(self.w)) if i not in self.immutable]


def numbers(ctx: BuildContext, params, key: str, length: int | None = None):
    """The spec list ``key`` as exact SymPy numbers, or None after a located problem."""
    vec = ctx.vector(params[key], params.loc_of(key))
    if vec is None:
        return None
    if any(not v.is_number or not v.is_real for v in vec):
        ctx.problem(params.loc_of(key), f"'{key}' must hold real numbers (this method works on a given instance)")
        return None
    if length is not None and len(vec) != length:
        ctx.problem(params.loc_of(key), f"'{key}' needs {length} entries, one per feature (got {len(vec)})")
        return None
    return list(vec)


@register
class Counterfactual(Method):
    name = "counterfactual"
    reference_name = "scipy: SLSQP on the l2 problem, linprog (HiGHS) on the l1 linear program"
    params = Record({
        "model": Field(Choice("linear", "logistic"), doc="linear score (default) or logistic probability"),
        "norm": Field(Choice("l2", "l1"), required=True, doc="the distance minimised: l2 (Lagrange) or weighted l1"),
        "w": Field(ListOf(Expr(), 1), required=True, doc="the weights w"),
        "b": Field(Expr(), doc="the bias b (default 0)"),
        "x": Field(ListOf(Expr(), 1), required=True, doc="the point x to explain"),
        "target": Field(Expr(), required=True, doc="the target score t (linear) or probability p (logistic)"),
        "cost": Field(ListOf(Expr(), 1), doc="l1: cost per unit change of each feature (default 1)"),
        "low": Field(ListOf(Expr(), 1), doc="l1: lower bound per feature"),
        "high": Field(ListOf(Expr(), 1), doc="l1: upper bound per feature"),
        "immutable": Field(ListOf(Int(minimum=1), 0), doc="features (1-based) that may not change"),
        "prefix": Field(Name(), doc="answer names PREFIX_1..PREFIX_d (default x_cf)"),
    })

    def build(self, ctx: BuildContext, params):
        w = numbers(ctx, params, "w")
        if w is None:
            return None
        d = len(w)
        x = numbers(ctx, params, "x", d)
        b = ctx.expr(params.get("b", 0), params.loc_of("b") if "b" in params else None)
        target = ctx.expr(params["target"], params.loc_of("target"))
        if x is None or b is None or target is None:
            return None
        model, norm = params.get("model", "linear"), params["norm"]
        if model == "logistic" and not (target.is_number and 0 < target < 1):
            ctx.problem(params.loc_of("target"), "a logistic target is a probability strictly between 0 and 1")
            return None
        cost = numbers(ctx, params, "cost", d) if "cost" in params else [sympy.Integer(1)] * d
        low = numbers(ctx, params, "low", d) if "low" in params else [None] * d
        high = numbers(ctx, params, "high", d) if "high" in params else [None] * d
        if cost is None or low is None or high is None:
            return None
        if norm == "l2" and ("cost" in params or "low" in params or "high" in params):
            ctx.problem(params.loc, "cost, low and high belong to the l1 problem; the l2 closed form has none")
            return None
        if any(c <= 0 for c in cost):
            ctx.problem(params.loc_of("cost"), "every cost must be > 0")
            return None
        immutable = {int(i) - 1 for i in params.get("immutable", [])}
        if any(i >= d for i in immutable):
            ctx.problem(params.loc_of("immutable"), f"immutable features are numbered 1..{d}")
            return None
        for i in range(d):
            if (low[i] is not None and x[i] < low[i]) or (high[i] is not None and x[i] > high[i]):
                ctx.problem(params.loc, f"x_{i + 1} = {x[i]} lies outside its box")
                return None
        p = CounterfactualProblem(model, norm, w, b, x, target, cost, low, high, immutable,
                                  params.get("prefix", "x_cf"))
        movable = [i for i in p.mutable() if w[i] != 0]
        if not movable:
            ctx.problem(params.loc, "no mutable feature has a nonzero weight: no counterfactual exists")
            return None
        if norm == "l1":
            ratios = [abs(w[i]) / cost[i] for i in movable]
            if len(set(ratios)) != len(ratios):
                ctx.problem(params.loc_of("w"), "two mutable features have the same |w_i| / c_i: the l1 "
                            "counterfactual is not unique; change a weight or a cost")
                return None
            if _greedy(p)[1] != 0:
                ctx.problem(params.loc, "the boxes do not let the score reach the target: no counterfactual")
                return None
        return p

    def answer_names(self, p) -> list[str]:
        return [f"{p.prefix}_{i + 1}" for i in range(len(p.w))] + ["dist" if p.norm == "l2" else "cost"]

    def solve(self, p: CounterfactualProblem) -> Solution:
        sol = Solution()
        d = len(p.w)
        score = sympy.Add(*[sympy.Mul(wi, xi, evaluate=False) for wi, xi in zip(p.w, p.x)], p.b, evaluate=False)
        s = sympy.nsimplify(score.doit())
        score_line = Line(Tex("s(\\boldsymbol{x}) = \\boldsymbol{w}^\\top\\boldsymbol{x} + b"), score, s,
                          kind="definition")
        t = sympy.simplify(p.score_target)
        if p.model == "logistic":
            sol.step("The score of the point is", score_line, title="Score and target")
            sol.step("For the logistic model $P[y = 1\\mid\\boldsymbol{x}] = \\sigma(s(\\boldsymbol{x}))$ a target "
                     "probability $p$ is the score $t = \\sigma^{-1}(p) = \\log\\frac{p}{1-p}$: the level sets of the "
                     "probability are hyperplanes, so the problem is the linear one with this $t$.",
                     Line(Tex("t"), Tex("\\log\\frac{p}{1-p}", sympy.log(p.target / (1 - p.target))), t,
                          kind="definition"))
        else:
            sol.step("The score of the point and the score $t$ the counterfactual must reach:", score_line,
                     Line(Tex("t"), t, kind="definition"), title="Score and target")
        if p.immutable:
            names = ", ".join(f"$x_{{{i + 1}}}$" for i in sorted(p.immutable))
            sol.step(("Features " if len(p.immutable) > 1 else "Feature ") + names +
                     (" are" if len(p.immutable) > 1 else " is") + " immutable: the change is fixed at $0$ there, "
                     "so only the other features move.")
        xs = (self._l2 if p.norm == "l2" else self._l1)(sol, p, s, t)
        new = sympy.simplify(sum(wi * xi for wi, xi in zip(p.w, xs)) + p.b)
        sol.step("Check: the counterfactual reaches the target score.",
                 Line(Tex("s(\\boldsymbol{x}')", new), sympy.Add(*[sympy.Mul(wi, xi, evaluate=False)
                                                             for wi, xi in zip(p.w, xs)], p.b, evaluate=False), new),
                 title="Checking the result")
        for i in range(d):
            sol.answer(f"{p.prefix}_{i + 1}", xs[i], f"feature {i + 1} of the counterfactual x'")
        return sol

    def _l2(self, sol, p, s, t):
        wm = [p.w[i] if i not in p.immutable else sympy.Integer(0) for i in range(len(p.w))]
        norm2 = sympy.Add(*[sympy.Pow(v, 2, evaluate=False) for v in wm if v != 0], evaluate=False)
        n2 = sympy.nsimplify(norm2.doit())
        sol.step("Write $\\boldsymbol{x}' = \\boldsymbol{x} + \\boldsymbol{\\delta}$. The Lagrangian of "
                 "$\\min \\tfrac12\\|\\boldsymbol{\\delta}\\|_2^2$ subject to "
                 "$\\boldsymbol{w}_M^\\top\\boldsymbol{\\delta} = t - s(\\boldsymbol{x})$ is stationary where "
                 "$\\boldsymbol{\\delta} = -\\lambda\\boldsymbol{w}_M$; putting this into the constraint gives "
                 "$\\lambda$, and so the closed form",
                 Line(Tex("\\mathcal{L}(\\boldsymbol{\\delta},\\lambda)"),
                      Tex("\\tfrac12\\|\\boldsymbol{\\delta}\\|_2^2 + \\lambda\\bigl(\\boldsymbol{w}_M^\\top"
                          "\\boldsymbol{\\delta} - t + s(\\boldsymbol{x})\\bigr)"), kind="formula"),
                 Line(Tex("\\boldsymbol{x}'"), Tex("\\boldsymbol{x} + \\frac{t - s(\\boldsymbol{x})}"
                                                   "{\\|\\boldsymbol{w}_M\\|_2^2}\\,\\boldsymbol{w}_M"), kind="formula"),
                 title="Minimal $\\ell_2$ change (Lagrange)")
        lam = (s - t) / n2
        sol.step("Here $\\boldsymbol{w}_M$ is $\\boldsymbol{w}$ with the immutable entries set to $0$:",
                 Line(Tex("\\|\\boldsymbol{w}_M\\|_2^2"), norm2, n2, kind="definition"),
                 Line(Tex("\\lambda"), Tex("\\frac{s(\\boldsymbol{x}) - t}{\\|\\boldsymbol{w}_M\\|_2^2}",
                                           (s - t) / n2), sympy.simplify(lam), kind="definition"))
        xs = [sympy.simplify(xi - lam * wi) for xi, wi in zip(p.x, wm)]
        sol.step("The counterfactual, feature by feature (" + ("the immutable features keep their values" if p.immutable
                 else "every feature with a nonzero weight moves") + "):",
                 *[Line(sympy.Symbol(f"{p.prefix}_{i + 1}"),
                        sympy.Add(xi, sympy.Mul(-sympy.simplify(lam), wi, evaluate=False), evaluate=False), xs[i])
                   for i, (xi, wi) in enumerate(zip(p.x, wm)) if wi != 0])
        dist = sympy.simplify(sympy.Abs(t - s) / sympy.sqrt(n2))
        sol.step("The distance travelled is the distance of $\\boldsymbol{x}$ to the target hyperplane:",
                 Line(sympy.Symbol("dist"), Tex("\\frac{|t - s(\\boldsymbol{x})|}{\\|\\boldsymbol{w}_M\\|_2}",
                                                sympy.Abs(t - s) / sympy.sqrt(n2)), dist))
        sol.answer("dist", dist, "l2 distance between x and x'")
        return xs

    def _l1(self, sol, p, s, t):
        moves, left, order = _greedy(p)
        g = t - s
        sol.step("Minimising $\\sum_i c_i|\\delta_i|$ subject to $\\boldsymbol{w}^\\top\\boldsymbol{\\delta} = t - "
                 "s(\\boldsymbol{x})$ and the boxes is a linear program. A unit of change of feature $i$ buys "
                 "$|w_i|$ of score for the cost $c_i$, so the optimum (by the KKT conditions: every used feature "
                 "has $|w_i|/c_i$ at least the multiplier, every unused one at most) moves the features in "
                 "decreasing order of $|w_i|/c_i$, each in the direction of $\\operatorname{sign}(w_i)"
                 "\\operatorname{sign}(t - s)$ and as far as its box allows, until the gap is closed.",
                 Line(Tex("t - s(\\boldsymbol{x})"), sympy.simplify(g), kind="definition"),
                 title="Minimal weighted $\\ell_1$ change (linear program)")
        rows = []
        for i in order:
            room = _room(p, i, g)
            rows.append([sympy.Symbol(f"x{i + 1}"), p.w[i], p.cost[i], sympy.Abs(p.w[i]) / p.cost[i],
                         room if room is not None else Tex("\\infty"), moves.get(i, sympy.Integer(0))])
        sol.step("Features by score bought per unit of cost (immutable ones and zero weights excluded):",
                 table=Table([Tex("feature"), Tex("w_i"), Tex("c_i"), Tex("|w_i|/c_i"), Tex("room"),
                              Tex("|\\delta_i|")], rows))
        sign = 1 if g > 0 else -1
        xs, lines = [], []
        for i in range(len(p.w)):
            m = moves.get(i, sympy.Integer(0))
            delta = sign * sympy.sign(p.w[i]) * m
            xs.append(sympy.simplify(p.x[i] + delta))
            if m != 0:
                lines.append(Line(sympy.Symbol(f"{p.prefix}_{i + 1}"), sympy.Add(p.x[i], delta, evaluate=False), xs[i]))
        sol.step("The features that move:", *lines)
        cost = sympy.Add(*[sympy.Mul(p.cost[i], moves[i], evaluate=False) for i in moves], evaluate=False)
        total = sympy.simplify(cost.doit())
        sol.step("The other features keep their values. The cost of the change:",
                 Line(sympy.Symbol("cost"), cost, total))
        sol.answer("cost", total, "weighted l1 cost of the change")
        return xs

    def reference(self, p: CounterfactualProblem, values: dict) -> dict:
        def flt(v):
            return None if v is None else float(v)
        w, x = [float(v) for v in p.w], [float(v) for v in p.x]
        t = ref.target_score(float(p.target), p.model == "logistic")
        if p.norm == "l2":
            xs, dist = ref.l2_counterfactual(w, float(p.b), x, t, sorted(p.immutable))
            extra = {"dist": dist}
        else:
            xs, c = ref.l1_counterfactual(w, float(p.b), x, t, [float(v) for v in p.cost],
                                          [flt(v) for v in p.low], [flt(v) for v in p.high], sorted(p.immutable))
            extra = {"cost": c}
        return {**{f"{p.prefix}_{i + 1}": float(v) for i, v in enumerate(xs)}, **extra}

    def tolerance(self, p, answer):
        return 1e-6


def _room(p, i, g):
    """How far feature i may move in the direction that raises the score towards the target (None: no bound)."""
    up = (p.w[i] > 0) == (g > 0)
    bound = p.high[i] if up else p.low[i]
    return None if bound is None else sympy.Abs(bound - p.x[i])


def _greedy(p):
    """({feature: |delta_i|}, gap left, order of the features): the fractional-knapsack optimum of the l1 LP."""
    g = sympy.nsimplify(p.score_target - sum(wi * xi for wi, xi in zip(p.w, p.x)) - p.b)
    order = sorted([i for i in p.mutable() if p.w[i] != 0], key=lambda i: -abs(p.w[i]) / p.cost[i])
    left, moves = sympy.Abs(g), {}
    for i in order:
        if left == 0:
            break
        need = left / abs(p.w[i])
        room = _room(p, i, g)
        m = need if room is None or room >= need else room
        if m != 0:
            moves[i] = sympy.simplify(m)
        left = sympy.simplify(left - abs(p.w[i]) * m)
    return moves, left, order
