"""First-order Taylor explanations at a root point.

phi_i = [grad f(x~)]_i (x_i - x~_i), where the root point x~ (f(x~) = 0) is
chosen by a declared strategy: ``given``, ``origin``, ``segment`` (the root on
the line from a reference point to x) or ``nearest`` (Lagrange conditions).
All strategies go through ``root_point``.  The worked solution shows
f(x~) = 0, the gradient, the terms, their sum against f(x) and the remainder;
for a radial f = g(||x - c||) expanded on the segment from c it also derives
the terms in general dimension d.  ``gradient_at: point`` gives the plain
gradient explanation [grad f(x)]_i (x_i - x~_i) instead, which the solution
sets beside the Taylor terms at the root and (``shapley: true``) beside the
Shapley values of the same function, computed by the Shapley method.
Verified by finite differences and scipy root finding.
"""

from __future__ import annotations

from dataclasses import dataclass
import re

from symxai.lazy import numpy as np
import sympy

from symxai.solve.model import Line, Solution, Table, Tex
from symxai.reference import taylor as ref
from symxai.specs.schema import Bool, Choice, Expr, Field, ListOf, Name, Record
from symxai.methods import register
from symxai.methods.base import BuildContext, Method
from symxai.methods.expansion.taylor_general import General, general_form, reference_general, sample_general
from symxai.methods.shap_family.shapley import Shapley, ShapleyProblem

STRATEGIES = ("given", "origin", "segment", "nearest")


@dataclass
class TaylorProblem:
    f: sympy.Expr
    inputs: list
    point: list
    strategy: str
    given: list | None = None  # the root point of strategy "given"
    reference: list | None = None  # the segment's start for strategy "segment"
    gradient_at: str = "root"
    shapley: bool = False
    general: General | None = None  # the general-d form (taylor_general), when recognised

    @property
    def d(self) -> int:
        return len(self.inputs)

    @property
    def solved_root(self) -> bool:
        return self.strategy in ("segment", "nearest")


class Abbreviations:
    """Square roots of sums of squares as positive symbols r, r_2, ..., so that SymPy
    sees ||v|| > 0 and sqrt(t^2 ||v||^2) = t ||v||; ``expand`` undoes it.

    >>> a, b = sympy.symbols("a b", real=True)
    >>> ab = Abbreviations(set())
    >>> ab.shorten(sympy.sqrt(a**2 + b**2) + 1), ab.expand(sympy.Symbol("r", positive=True))
    (r + 1, sqrt(a**2 + b**2))
    """

    def __init__(self, taken: set[str]):
        self.taken, self.table = set(taken), {}

    def _symbol(self, base):
        key = sympy.expand(base)
        if key not in self.table:
            name = next(n for n in ("r", *(f"r_{k}" for k in range(2, 99))) if n not in self.taken)
            self.taken.add(name)
            self.table[key] = (sympy.Symbol(name, positive=True), base)
        return self.table[key][0]

    def _root(self, base):
        key = sympy.expand(base)
        if key in self.table:
            return self.table[key][0]
        parts = sympy.Mul.make_args(sympy.factor(base))
        out, rest = [], []
        for a in parts:
            if sympy.expand(a) in self.table:
                out.append(self.table[sympy.expand(a)][0])
            elif a.is_positive or (a.is_Pow and a.exp.is_even):
                out.append(sympy.sqrt(a))
            else:
                rest.append(a)
        if not rest:
            return sympy.Mul(*out)
        if len(parts) == 1 and base.is_Add and base.is_nonnegative:
            return self._symbol(base)
        return sympy.sqrt(base)

    def shorten(self, expr):
        """Replace sqrt(S) (S >= 0 a sum of squares) by its symbol, twice for nested roots."""
        for _ in range(2):
            expr = expr.replace(lambda e: e.is_Pow and e.exp.is_Rational and e.exp.q == 2,
                                lambda e: self._root(e.base) ** (2 * e.exp))
        return expr

    def expand(self, expr):
        return expr.xreplace({s: sympy.sqrt(base) for s, base in self.table.values()})

    def definitions(self) -> list[Line]:
        return [Line(s, sympy.sqrt(base), kind="definition") for s, base in self.table.values()]

    def meanings(self) -> dict:
        """What each abbreviation stands for, for checking the steps that use it."""
        return {s: sympy.sqrt(base) for s, base in self.table.values()}


def reference_tex(reference) -> str:
    """The reference point of a segment as the spec names it: a vector of mu1, mu2, ... is bold mu,
    zeros are bold 0, other entries are written out.

    >>> m1, m2 = sympy.symbols("mu1 mu2", real=True)
    >>> reference_tex([m1, m2]), reference_tex([0, 0]), reference_tex([1, sympy.Rational(1, 2)])
    ('\\\\boldsymbol{\\\\mu}', '\\\\boldsymbol{0}', '\\\\left(1, \\\\frac{1}{2}\\\\right)^{\\\\top}')
    """
    from symxai.expr.printing import symbol_tex, tex

    stems = {m.group(1) if (m := re.fullmatch(r"([A-Za-z]+)\d+", getattr(v, "name", ""))) else None
             for v in reference}
    if len(stems) == 1 and None not in stems and len(reference) > 1:
        return symbol_tex(stems.pop(), bold=True)
    entries = [sympy.Integer(v) if isinstance(v, int) else v for v in reference]  # parsed spec values
    if all(v == 0 for v in entries):
        return "\\boldsymbol{0}"
    return "\\left(" + ", ".join(tex(v) for v in entries) + "\\right)^{\\top}"


def root_point(p: TaylorProblem, ab: Abbreviations):
    """x~ by the problem's strategy, with a sentence saying how it was found.

    >>> x1, x2 = sympy.symbols("x1 x2", real=True)
    >>> p = TaylorProblem(x1 + x2 - 2, [x1, x2], [3, 1], "segment", reference=[0, 0])
    >>> root_point(p, Abbreviations(set()))[0]
    [3/2, 1/2]
    >>> root_point(TaylorProblem(x1 + x2 - 2, [x1, x2], [3, 1], "nearest"), Abbreviations(set()))[0]
    [2, 0]
    """
    x = list(p.point)
    if p.strategy == "given":
        return list(p.given), "The root point is given:", None
    if p.strategy == "origin":
        return [sympy.Integer(0)] * p.d, "We expand at the origin:", None
    if p.strategy == "segment":
        t = sympy.Symbol("t", positive=True)
        line = [a + t * (b - a) for a, b in zip(p.reference, x)]
        g = sympy.simplify(ab.shorten(sympy.simplify(p.f.xreplace(dict(zip(p.inputs, line))))))
        roots = [s for s in sympy.solve(g, t) if not (s > 1) is sympy.true]
        if len(roots) != 1:
            raise ValueError(f"expected one root on the segment, found {roots}")
        return ([sympy.simplify(v.subs(t, roots[0])) for v in line],
                "On the segment $\\tilde{\\boldsymbol{x}} = " + (a := reference_tex(p.reference)) + " + t(\\boldsymbol{x} - "
                + a + ")$, $0 < t \\le 1$, from the reference point $" + a + "$, the condition $f = 0$ reads",
                (Line(g, 0, kind="equation", at={t: roots[0]}), Line(t, roots[0], kind="definition")))
    z = [sympy.Symbol(f"z_{i + 1}", real=True) for i in range(p.d)]
    lam = sympy.Symbol("lambda_L", real=True)
    fz = p.f.xreplace(dict(zip(p.inputs, z)))
    eqs = [zi - xi - lam * sympy.diff(fz, zi) for zi, xi in zip(z, x)] + [fz]
    sols = sympy.solve(eqs, [*z, lam], dict=True)
    sols = [s for s in sols if all(s.get(v, v).is_real is not False for v in z)]
    if not sols:
        raise ValueError("the Lagrange conditions of the nearest root have no solution SymPy can find")
    dist = [sympy.simplify(sum((s.get(v, v) - xi) ** 2 for v, xi in zip(z, x))) for s in sols]
    best = min(range(len(sols)), key=lambda k: dist[k] if dist[k].is_number else 0)
    return ([sympy.simplify(sols[best].get(v, v)) for v in z],
            "The nearest root minimises $\\|\\boldsymbol{z} - \\boldsymbol{x}\\|^2$ subject to $f(\\boldsymbol{z}) = 0$; "
            "the Lagrange conditions $\\boldsymbol{z} - \\boldsymbol{x} = \\lambda \\nabla f(\\boldsymbol{z})$, "
            "$f(\\boldsymbol{z}) = 0$ give",
            (Line(Tex("\\|\\boldsymbol{z} - \\boldsymbol{x}\\|^2"), dist[best], kind="definition"),))


@register
class Taylor(Method):
    name = "taylor"
    reference_name = "finite-difference gradient and scipy root finding (brentq / SLSQP)"
    params = Record({
        "f": Field(Expr(), required=True, doc="the model f(x)"),
        "inputs": Field(ListOf(Name(), 1), required=True, doc="the features x_1..x_d, in order"),
        "point": Field(ListOf(Expr(), 1), required=True, doc="the input x to explain"),
        "root": Field(Choice(*STRATEGIES), required=True, doc="how the root point is chosen"),
        "root_point": Field(ListOf(Expr(), 1), doc="the root point, for root: given"),
        "reference": Field(ListOf(Expr(), 1), doc="start of the segment to x, for root: segment"),
        "gradient_at": Field(Choice("root", "point"), doc="where the gradient is taken (default root)"),
        "shapley": Field(Bool(), doc="set the Shapley values (baseline = root point) beside the terms"),
    })

    def build(self, ctx: BuildContext, params):
        inputs = ctx.scalars(params["inputs"], params.loc_of("inputs"))
        if inputs is None:
            return None
        f, point = ctx.expr(params["f"], params.loc_of("f")), ctx.vector(params["point"])
        strategy = params["root"]
        needs = {"given": "root_point", "segment": "reference"}.get(strategy)
        if needs and needs not in params:
            ctx.problem(params.loc_of("root"), f"root: {strategy} needs {needs}")
            return None
        extra = {k: ctx.vector(params[k]) for k in ("root_point", "reference") if k in params}
        if f is None or point is None or any(v is None for v in extra.values()):
            return None
        for key, vec in [("point", point), *extra.items()]:
            if len(vec) != len(inputs):
                ctx.problem(params.loc_of(key), f"{key} has {len(vec)} entries, but there are {len(inputs)} inputs")
                return None
        if strategy == "given":
            at_root = sympy.simplify(f.xreplace(dict(zip(inputs, extra["root_point"]))))
            if at_root.is_zero is False:
                ctx.problem(params.loc_of("root_point"), f"the root point must satisfy f = 0, but f there is {at_root}")
                return None
        if strategy == "origin" and sympy.simplify(f.xreplace({v: 0 for v in inputs})).is_zero is False:
            ctx.problem(params.loc_of("root"), "f(0) must be 0 for root: origin")
            return None
        problem = TaylorProblem(f, inputs, list(point), strategy,
                                list(extra["root_point"]) if "root_point" in extra else None,
                                list(extra["reference"]) if "reference" in extra else None,
                                params.get("gradient_at", "root"), bool(params.get("shapley", False)))
        if problem.gradient_at == "root" and list(point) == list(inputs):  # the point x itself, in any d
            problem.general = general_form(f, inputs, strategy, problem.reference)
        return problem

    def answer_names(self, p: TaylorProblem) -> list[str]:
        general = ["phi_i"] if p.general is not None else []
        return general + (["x_tilde"] if p.solved_root else []) + [f"phi_{i + 1}" for i in range(p.d)]

    # -- symbolic route -------------------------------------------------
    def solve(self, p: TaylorProblem) -> Solution:
        sol = Solution()
        ab = Abbreviations({s.name for s in p.f.free_symbols} | {s.name for v in p.point for s in sympy.sympify(v).free_symbols})
        x = [ab.shorten(sympy.sympify(v)) for v in p.point]
        fx = sympy.simplify(ab.shorten(p.f.xreplace(dict(zip(p.inputs, x)))))
        sol.step("The first-order Taylor expansion at a root point $\\tilde{\\boldsymbol{x}}$, $f(\\tilde{\\boldsymbol{x}}) = 0$, "
                 "splits the prediction into one term per feature plus higher-order terms:",
                 Line(Tex("f(\\boldsymbol{x})"), Tex("\\underbrace{f(\\tilde{\\boldsymbol{x}})}_{=0} + \\sum_{i=1}^{d}"
                      "\\underbrace{[\\nabla f(\\tilde{\\boldsymbol{x}})]_i\\,(x_i - \\tilde{x}_i)}_{\\phi_i} + \\dots"),
                      kind="formula"),
                 Line(Tex("f"), p.f, kind="definition"), title="Setting up the expansion")
        if p.general is not None:
            for n, (text, *glines, entry) in enumerate(p.general.steps):
                sol.step(text, *glines, title="General dimension" if n == 0 else "", where=entry)
            sol.answer("phi_i", p.general.phi, "first-order term of feature i, in any dimension d")
        xt, how, lines = root_point(p, ab)
        if p.general is not None:
            how = f"The instance $d = {p.d}$ of the exercise illustrates the general result. " + how
        xt = [ab.shorten(v) for v in xt]
        if ab.table:
            sol.step("Below, the norms are abbreviated:", *ab.definitions())
        sol.where.update(ab.meanings())
        sol.step(how, *(lines or ()), Line(Tex("\\tilde{\\boldsymbol{x}}"), sympy.ImmutableMatrix(xt), kind="definition"),
                 title="The root point")
        f_root = sympy.simplify(ab.shorten(p.f.xreplace(dict(zip(p.inputs, xt)))))
        plain_root = dict(zip(p.inputs, [ab.expand(v) for v in xt]))  # f at x~ by plain substitution
        sol.step("It is a root:", Line(Tex("f(\\tilde{\\boldsymbol{x}})", p.f.xreplace(plain_root)), f_root))
        grad = [sympy.diff(p.f, v) for v in p.inputs]
        at = xt if p.gradient_at == "root" else x
        g_at = [sympy.simplify(ab.shorten(ab.shorten(g.xreplace(dict(zip(p.inputs, at)))))) for g in grad]
        where = "\\tilde{\\boldsymbol{x}}" if p.gradient_at == "root" else "\\boldsymbol{x}"
        plain_at = dict(zip(p.inputs, [ab.expand(v) for v in at]))
        sol.step(f"The gradient, evaluated at ${where}$:",
                 Line(Tex("\\nabla f"), sympy.ImmutableMatrix(grad), kind="definition"),
                 Line(Tex(f"\\nabla f({where})", sympy.ImmutableMatrix(grad).xreplace(plain_at)),
                      sympy.ImmutableMatrix(g_at)), title="Gradient and terms")
        phis = [sympy.factor(sympy.simplify(g * (a - b))) for g, a, b in zip(g_at, x, xt)]
        rows = [[sympy.Integer(i + 1), g_at[i], sympy.factor(sympy.simplify(x[i] - xt[i])), phis[i]] for i in range(p.d)]
        sol.step(f"The terms $\\phi_i = [\\nabla f({where})]_i\\,(x_i - \\tilde{{x}}_i)$:",
                 *[Line(sympy.Symbol(f"phi_{i + 1}"), phis[i]) for i in range(p.d)],
                 table=Table([Tex("i"), Tex(f"[\\nabla f({where})]_i"), Tex("x_i - \\tilde{x}_i"), Tex("\\phi_i")], rows))
        total = sympy.simplify(sum(phis))
        tidier = sympy.simplify(ab.shorten(sympy.simplify(ab.expand(total))))
        if sympy.count_ops(tidier) < sympy.count_ops(total):
            total = tidier  # (r - theta) (sum of squares) / r^2 is r - theta
        remainder = sympy.simplify(fx - f_root - total)
        if remainder != 0 and sympy.simplify(ab.expand(remainder)) == 0:
            remainder = sympy.Integer(0)  # zero once the abbreviated norms are written out
        exact = remainder == 0
        # the general form already said the expansion is exact in every dimension: say it once
        said = exact and p.general is not None and p.general.exact
        sol.step("Summing the terms and comparing with the prediction: " +
                 ("the remainder is zero, as the general result above says for every $d$:" if said else
                  "the remainder is zero, so the first-order expansion is exact here and the terms explain the "
                  "whole prediction:" if exact else
                  "the remainder is what the first-order terms leave unexplained:"), Line(Tex("\\sum_i \\phi_i", sympy.Add(*phis)), total),
                 Line(Tex("f(\\boldsymbol{x})", p.f.xreplace(dict(zip(p.inputs, p.point)))), fx),
                 Line(Tex("f(\\boldsymbol{x}) - f(\\tilde{\\boldsymbol{x}}) - \\sum_i \\phi_i",
                          p.f.xreplace(dict(zip(p.inputs, p.point))) - p.f.xreplace(plain_root) - sympy.Add(*phis)),
                      remainder),
                 title="Conservation")
        if p.gradient_at == "point":
            self._contrast(sol, p, x, xt, fx, ab)
        if p.solved_root:
            sol.answer("x_tilde", sympy.ImmutableMatrix([ab.expand(v) for v in xt]), "the root point")
        for i, phi in enumerate(phis):
            sol.answer(f"phi_{i + 1}", ab.expand(phi), f"first-order term of feature {i + 1}")
        return sol

    def _contrast(self, sol, p, x, xt, fx, ab):
        grad_root = [sympy.simplify(sympy.diff(p.f, v).xreplace(dict(zip(p.inputs, xt)))) for v in p.inputs]
        taylor = [sympy.simplify(g * (a - b)) for g, a, b in zip(grad_root, x, xt)]
        header, cols = [Tex("i"), Tex("[\\nabla f(\\boldsymbol{x})]_i (x_i - \\tilde{x}_i)"),
                        Tex("[\\nabla f(\\tilde{\\boldsymbol{x}})]_i (x_i - \\tilde{x}_i)")], [taylor]
        text = ("The gradient at $\\boldsymbol{x}$ only sees how $f$ changes in an infinitesimal neighbourhood of "
                "$\\boldsymbol{x}$. Expanding at the root instead gives terms that sum to [[s]] against "
                "$f(\\boldsymbol{x}) = $ [[fx]]: a first-order expansion does not reach across a saturation.")
        if p.shapley:
            shap = Shapley().solve(ShapleyProblem([p.f], 0, list(p.inputs), list(x), list(xt), "phi"))
            cols.append([shap.answers[f"phi_{i + 1}"].value for i in range(p.d)])
            header.append(Tex("\\phi_i^{\\mathrm{Shapley}}"))
            text += (" The Shapley values (features removed to the root point $\\tilde{\\boldsymbol{x}}$) "
                     "compare the prediction with and without each feature, so they account for all of "
                     "$f(\\boldsymbol{x}) - f(\\tilde{\\boldsymbol{x}})$.")
        grad_x = [sympy.simplify(sympy.diff(p.f, v).xreplace(dict(zip(p.inputs, x))) * (a - b))
                  for v, a, b in zip(p.inputs, x, xt)]
        rows = [[sympy.Integer(i + 1), grad_x[i], *[c[i] for c in cols]] for i in range(p.d)]
        sol.step(text, table=Table(header, rows), title="Why the gradient explanation fails",
                 s=sympy.simplify(sum(taylor)), fx=fx)

    # -- numeric reference ----------------------------------------------
    def _model(self, p: TaylorProblem, values: dict):
        subs = _num(values)
        # the inputs are the model's arguments even where the point is written with their names
        fn = sympy.lambdify(p.inputs, p.f.xreplace({k: v for k, v in subs.items() if k not in p.inputs}),
                            modules="numpy")
        return (lambda z: float(fn(*z))), subs

    def reference(self, p: TaylorProblem, values: dict) -> dict:
        values = dict(values)
        general = {}
        if p.general is not None:
            general["phi_i"] = reference_general(p.general, values, ref.terms, ref.segment_root)
            values = {k: v for k, v in values.items() if not isinstance(k, sympy.MatrixSymbol)}
        f, subs = self._model(p, values)
        vec = lambda v: np.array([float(sympy.sympify(e).xreplace(subs)) for e in v])
        x = vec(p.point)
        root = {"given": lambda: vec(p.given), "origin": lambda: np.zeros(p.d),
                "segment": lambda: ref.segment_root(f, vec(p.reference), x),
                "nearest": lambda: ref.nearest_root(f, x)}[p.strategy]()
        phi = ref.terms(f, root, x, gradient_at=x if p.gradient_at == "point" else None)
        out = {f"phi_{i + 1}": float(v) for i, v in enumerate(phi)}
        out.update(general)
        if p.solved_root:
            out["x_tilde"] = root
        return out

    def sample(self, p: TaylorProblem, symbols, rng):
        """Values where the strategy is defined: on a segment, f changes sign between its ends."""
        values = self._sample_instance(p, symbols, rng)
        return sample_general(p.general, values, rng) if p.general is not None else values

    def _sample_instance(self, p: TaylorProblem, symbols, rng):
        values = symbols.sample(rng)
        if p.strategy != "segment":
            return values
        for _ in range(200):
            f, subs = self._model(p, values)
            ends = [np.array([float(sympy.sympify(e).xreplace(subs)) for e in v]) for v in (p.reference, p.point)]
            if f(ends[0]) * f(ends[1]) < 0 and abs(f(ends[1])) > 1e-3:
                return values
            values = symbols.sample(rng)
        raise ValueError("no parameter values found where f changes sign on the segment")

    def tolerance(self, p: TaylorProblem, answer: str) -> float:
        return 1e-6 if answer.startswith("phi") else (1e-6 if p.strategy == "nearest" else 1e-9)


def _num(values: dict) -> dict:
    return {k: sympy.Float(v, 30) if isinstance(v, float) else sympy.Integer(v) for k, v in values.items()
            if isinstance(v, (int, float))}
