"""Activation maximisation: the prototype x* = argmax_x f(x) +/- Omega(x), derived in matrix form.

f is a linear model w^T x + b (possibly read through a generator x = A z + c,
optimised over the code z), max(x_1, ..., x_n), or the log-posterior
log p(omega_c | x) of a Gaussian class.  Omega is lambda ||v||^2, the Gaussian
log-density log N(v; mu, Sigma), or the log-evidence log p(x), in the sign
convention of the exercise (``objective: f + Omega`` or ``f - Omega``; ``negate``
flips Omega itself, as in Omega = -log p(x)).

Quadratic objectives are solved by matrix calculus: gradient, stationary point,
and a negative definite Hessian that makes the stationary point the unique
maximiser.  max(...) is solved piece by piece in ``prototype_cases``.
Verified by scipy's optimiser from several starting points.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/tub-ml-sheet14.yaml").task("prototypes")
>>> task.method.solve(task.problem).answers["x_star"].value
Sigma*w + mu
"""

from __future__ import annotations

from dataclasses import dataclass, field

from symxai.lazy import numpy as np
import sympy

from symxai.solve.model import Line, Solution, Tex
from symxai.expr.printing import tex
from symxai.reference import optimize as ref
from symxai.specs.schema import Bool, Choice, Expr, Field, ListOf, Name, Record
from symxai.specs.limits import MAX_INPUTS
from symxai.methods import register
from symxai.methods.base import BuildContext, Method
from symxai.methods.prototypes.prototype_cases import solve_max


class SqNorm(sympy.Function):
    """||v||^2 of a column vector, kept unexpanded for display."""

    nargs = 1

    def _latex(self, printer, exp=None):
        return r"\left\|%s\right\|^{2}" % printer._print(self.args[0])


class Form(sympy.Function):
    """A 1x1 matrix expression (w^T x) used as the scalar it is."""

    nargs = 1

    def _latex(self, printer, exp=None):
        return printer._print(self.args[0])

    def checked_value(self):
        """The scalar entry of the 1x1 product, for stepcheck."""
        return self.args[0][0, 0]


class LogNormal(sympy.Function):
    """log N(v; mu, Sigma), kept unexpanded for display."""

    nargs = 3

    def _latex(self, printer, exp=None):
        v, mu, sigma = (printer._print(a) for a in self.args)
        return r"\log \mathcal{N}\left(%s;\, %s, %s\right)" % (v, mu, sigma)


@dataclass
class AMProblem:
    model: str  # "linear", "max", "posterior"
    omega: str  # "l2", "gaussian", "evidence"
    sign: int  # +1: f + Omega is maximised; -1: f - Omega
    negate: bool  # Omega is the negative of its base form
    x: object = None  # the input vector (MatrixSymbol) of f
    inputs: list = field(default_factory=list)  # scalar inputs of max(...)
    w: object = None
    b: object = sympy.Integer(0)
    lam: object = None
    mu: object = None
    Sigma: object = None
    prior: object = None  # p(omega_c) for the posterior model
    A: object = None
    c: object = None
    z: object = None  # the code, when x = A z + c

    @property
    def s(self) -> int:
        """Sign of the base Omega in the maximised objective J = f + s * Omega_base."""
        return self.sign * (-1 if self.negate else 1)

    @property
    def variable(self):
        return self.z if self.z is not None else self.x


NAMES = Record({"w": Field(Name(), required=True, doc="the weight vector of f(x) = w^T x + b"),
                "b": Field(Expr(), doc="the bias (default 0)")})
PARAMS = Record({
    "variable": Field(Name(), doc="the input vector x of f (a declared [d] vector)"),
    "f": Field(Record({
        "linear": Field(NAMES, doc="f(x) = w^T x + b"),
        "max": Field(ListOf(Name(), 2, MAX_INPUTS), doc="f(x) = max(x_1, ..., x_n) of these scalar inputs"),
        "posterior": Field(Record({"mean": Field(Name(), required=True), "cov": Field(Name(), required=True),
                                   "prior": Field(Expr(), required=True, doc="p(omega_c)")}),
                           doc="f(x) = log p(omega_c | x) with p(x | omega_c) = N(x; mean, cov)"),
    }), required=True, doc="the model: exactly one of linear, max, posterior"),
    "omega": Field(Record({
        "l2": Field(Expr(), doc="Omega(v) = VALUE * ||v||^2"),
        "gaussian": Field(Record({"mean": Field(Name(), required=True), "cov": Field(Name(), required=True)}),
                          doc="Omega(x) = log N(x; mean, cov)"),
        "evidence": Field(Bool(), doc="Omega(x) = log p(x) (with the posterior model)"),
        "negate": Field(Bool(), doc="Omega is the negative of the form above"),
    }), required=True, doc="the regulariser: exactly one of l2, gaussian, evidence"),
    "objective": Field(Choice("f + Omega", "f - Omega"), doc="what is maximised (default f + Omega)"),
    "generator": Field(Record({"A": Field(Name(), required=True), "c": Field(Name(), required=True),
                               "code": Field(Name(), required=True)}),
                       doc="x = A z + c; f is maximised over the code z, Omega acts on z"),
})


def _one(ctx, rec, keys, what):
    given = [k for k in keys if k in rec]
    if len(given) != 1:
        ctx.problem(rec.loc, f"{what}: give exactly one of {', '.join(keys)}")
        return None
    return given[0]


@register
class ActivationMax(Method):
    name = "activation-max"
    reference_name = "scipy BFGS minimisation of the objective written in numpy, from 6 random starts"
    params = PARAMS

    # -- building -------------------------------------------------------
    def build(self, ctx: BuildContext, params):
        fspec, ospec = params["f"], params["omega"]
        model = _one(ctx, fspec, ("linear", "max", "posterior"), "f")
        omega = _one(ctx, ospec, ("l2", "gaussian", "evidence"), "omega")
        if model is None or omega is None:
            return None
        p = AMProblem(model, omega, -1 if params.get("objective") == "f - Omega" else 1, bool(ospec.get("negate")))
        if model == "max":
            p.inputs = [self._symbol(ctx, fspec["max"], i, scalar=True) for i in range(len(fspec["max"]))]
            if any(v is None for v in p.inputs):
                return None
            if omega != "l2":
                ctx.problem(ospec.loc, "with f = max(...) the regulariser must be l2 (lambda ||x||^2)")
                return None
        else:
            if "variable" not in params:
                ctx.problem(params.loc, "name the input vector: variable: x")
                return None
            p.x = self._symbol(ctx, params, "variable", vector=True)
            if p.x is None:
                return None
        if model == "linear":
            p.w = self._symbol(ctx, fspec["linear"], "w", vector=True, rows=p.x.shape[0])
            p.b = ctx.expr(fspec["linear"]["b"], fspec["linear"].loc_of("b")) if "b" in fspec["linear"] else sympy.Integer(0)
            if p.w is None or p.b is None:
                return None
        if model == "posterior":
            post = fspec["posterior"]
            p.mu, p.Sigma = self._gaussian(ctx, post, p.x)
            p.prior = ctx.expr(post["prior"], post.loc_of("prior"))
            if p.mu is None or p.prior is None:
                return None
            if omega != "evidence":
                ctx.problem(ospec.loc, "with f = log p(omega_c | x) the regulariser is the log-evidence: evidence: true")
                return None
        if omega == "evidence" and (model != "posterior" or p.s != 1):
            ctx.problem(ospec.loc_of("evidence"), "Omega = log p(x) goes with f = log p(omega_c | x) and is added (f + Omega)")
            return None
        if "generator" in params:
            if model != "linear" or omega != "l2":
                ctx.problem(params.loc_of("generator"), "a generator x = A z + c needs a linear f and an l2 penalty on z")
                return None
            g = params["generator"]
            p.z = self._symbol(ctx, g, "code", vector=True)
            p.A = self._symbol(ctx, g, "A")
            p.c = self._symbol(ctx, g, "c", vector=True, rows=p.x.shape[0])
            if p.z is None or p.A is None or p.c is None:
                return None
            if p.A.shape != (p.x.shape[0], p.z.shape[0]):
                ctx.problem(g.loc_of("A"), f"A must be {p.x.shape[0]}x{p.z.shape[0]} (x = A z + c), it is declared "
                            f"{p.A.shape[0]}x{p.A.shape[1]}")
                return None
        if omega == "l2":
            p.lam = ctx.expr(ospec["l2"], ospec.loc_of("l2"))
            if p.lam is None:
                return None
            kappa = -p.s * p.lam  # J = f - kappa ||v||^2 must be strictly concave
            if kappa.is_positive is not True:
                why = ("is not positive" if kappa.is_positive is False else
                       "is not known to be positive (declare its sign)")
                ctx.problem(ospec.loc_of("l2"), f"the penalty weight {sympy.sstr(kappa)} in J = f - ({sympy.sstr(kappa)})||x||^2 "
                            f"{why}: for a weight <= 0 the objective grows without bound and has no maximiser")
                return None
        if omega == "gaussian":
            p.mu, p.Sigma = self._gaussian(ctx, ospec["gaussian"], p.x)
            if p.mu is None:
                return None
            if p.s != 1:
                ctx.problem(ospec.loc, "J = f - log N(x; mu, Sigma) grows without bound (no maximiser): the prior "
                            "is added, f + log p(x), or subtracted as a penalty -log p(x) (negate: true)")
                return None
        return p

    @staticmethod
    def _symbol(ctx, rec, key, *, vector=False, scalar=False, rows=None):
        name = rec[key]
        obj = ctx.symbols.objects.get(name)
        loc = rec.loc_of(key)
        if obj is None:
            ctx.problem(loc, f"'{name}' is not a declared symbol")
            return None
        if scalar and not isinstance(obj, sympy.Symbol):
            ctx.problem(loc, f"'{name}' must be a declared scalar")
            return None
        if not scalar and not isinstance(obj, sympy.MatrixSymbol):
            ctx.problem(loc, f"'{name}' must be declared with a shape (a vector or matrix)")
            return None
        if vector and obj.shape[1] != 1:
            ctx.problem(loc, f"'{name}' must be a vector (shape [n])")
            return None
        if rows is not None and sympy.sympify(obj.shape[0] - rows) != 0:
            ctx.problem(loc, f"'{name}' has {obj.shape[0]} entries, the input has {rows}")
            return None
        return obj

    def _gaussian(self, ctx, rec, x):
        mu = self._symbol(ctx, rec, "mean", vector=True, rows=x.shape[0])
        sigma = self._symbol(ctx, rec, "cov", rows=x.shape[0])
        if mu is None or sigma is None:
            return None, None
        if sympy.sympify(sigma.shape[1] - sigma.shape[0]) != 0:
            ctx.problem(rec.loc_of("cov"), f"the covariance '{rec['cov']}' must be a square matrix (shape [n, n]), "
                        f"it is declared {sigma.shape[0]}x{sigma.shape[1]}")
            return None, None
        if "spd" not in ctx.symbols.by_object[sigma].assume:
            ctx.problem(rec.loc_of("cov"), f"{rec['cov']} must be symmetric positive definite (declare assume: [spd])")
            return None, None
        return mu, sigma

    def answer_names(self, p: AMProblem) -> list[str]:
        if p.model == "posterior":
            return ["const", "x_star"]
        return ["z_star", "x_star"] if p.z is not None else ["x_star"]

    # -- symbolic route -------------------------------------------------
    def solve(self, p: AMProblem) -> Solution:
        sol = Solution()
        if p.model == "max":
            solve_max(sol, p.inputs, -p.s * p.lam)
            return sol
        v = p.variable
        d = v.shape[0]
        J = sympy.Function("J")
        grad_f = self._model_step(sol, p)
        if p.omega == "l2":
            kappa = -p.s * p.lam
            objective = self._f_display(p) - kappa * SqNorm(v)
            sol.step("The objective to maximise over [[v]] is", Line(J(v), _given(p), objective, kind="definition"),
                     title="Objective", v=v)
            plain = self._f_plain(p) - kappa * (v.T * v)
            grad = grad_f - 2 * kappa * v
            hess = -2 * kappa * sympy.Identity(d)
            rules = "$\\nabla_{v} (a^{\\top} v) = a$ and $\\nabla_{v}\\, \\|v\\|^2 = \\nabla_{v} (v^{\\top} v) = 2v$"
            why = "because [[kappa]] $> 0$"
            star = (grad_f / (2 * kappa)).doit()
            stationary = [Line(2 * kappa * v, grad_f, kind="equation", at={v: star}), Line(v, star)]
        else:
            objective = self._f_display(p) + LogNormal(v, p.mu, p.Sigma)
            sol.step("The objective to maximise over [[v]] is", Line(J(v), _given(p), objective, kind="definition"),
                     title="Objective", v=v)
            sol.step("The Gaussian log-density is a concave quadratic form in [[v]]:",
                     Line(LogNormal(v, p.mu, p.Sigma),
                          Tex("-\\tfrac{1}{2}(x-\\mu)^{\\top}\\Sigma^{-1}(x-\\mu) - \\tfrac{1}{2}\\log\\det(2\\pi\\Sigma)"),
                          kind="formula"),
                     v=v)
            plain = self._f_plain(p) - (v - p.mu).T * p.Sigma.I * (v - p.mu) / 2
            grad = grad_f + sympy.MatMul(-1, p.Sigma.I, v - p.mu)
            hess = -p.Sigma.I
            rules = ("$\\nabla_{v} (a^{\\top} v) = a$ and, for symmetric $\\Sigma^{-1}$, "
                     "$\\nabla_{v} (v-\\mu)^{\\top}\\Sigma^{-1}(v-\\mu) = 2\\Sigma^{-1}(v-\\mu)$")
            why = "because $\\Sigma$ is symmetric positive definite, and so is $\\Sigma^{-1}$"
            star = (p.Sigma * grad_f).doit() + p.mu if grad_f != sympy.ZeroMatrix(d, 1) else p.mu
            stationary = [Line(sympy.MatMul(p.Sigma.I, v - p.mu), grad_f, kind="equation", at={v: star}),
                          Line(v, sympy.MatAdd(p.mu, sympy.MatMul(p.Sigma, grad_f)) if grad_f != sympy.ZeroMatrix(d, 1) else p.mu)]
        gradient = sympy.diff(plain, v)  # SymPy's matrix calculus: a route of its own to the displayed gradient
        sol.step(f"Matrix calculus ({rules}) gives the gradient:", Line(Tex("\\nabla_{%s} J" % tex(v), gradient), grad),
                 title="Gradient")
        star = _tidy(star)
        raw = stationary[-1].terms[1]
        sol.step("Setting the gradient to zero gives the only stationary point:", *stationary[:-1],
                 Line(Tex(f"{tex(v)}^{{\\star}}"), *([raw] if str(raw) != str(star) else []), star, kind="definition"),
                 title="Stationary point")
        sol.step(f"The Hessian is constant and negative definite {why}; hence $J$ is strictly concave and the "
                 "stationary point is its unique global maximiser.",
                 Line(Tex("\\nabla^2_{%s} J" % tex(v), sympy.diff(gradient, v)), hess), title="Hessian",
                 kappa=-p.s * p.lam if p.lam is not None else sympy.Integer(0))
        if p.z is not None:
            x_star = _tidy(p.A * star + p.c)
            sol.step("The prototype in input space is the generator's output at the optimal code:",
                     Line(Tex("x^{\\star}"), sympy.MatAdd(sympy.MatMul(p.A, star), p.c), x_star, kind="definition"),
                     title="Back to input space")
            sol.answer("z_star", star, "the optimal code")
            sol.answer("x_star", x_star, "the prototype")
        else:
            sol.answer("x_star", star, "the prototype")
        if p.model == "posterior":
            sol.answer("const", sympy.log(p.prior), "log p(omega_c): the objective minus log p(x | omega_c)")
            sol.step("The maximiser of $\\log p(x \\mid \\omega_c)$ is the class mean: the prototype is the most "
                     "typical input of class $\\omega_c$, not merely the one the classifier is most sure about.")
        return sol

    def _model_step(self, sol, p: AMProblem):
        """The model's gradient with respect to the optimised variable (after explaining the model)."""
        v = p.variable
        if p.model == "linear" and p.z is None:
            return p.w
        if p.model == "linear":
            sol.step("With $x = A z + c$ the model reads, as a function of the code,",
                     Line(Tex("f(Az + c)", p.w.T * (p.A * p.z + p.c) + p.b * sympy.Identity(1)),
                          Form(p.w.T * p.A * p.z) + Form(p.w.T * p.c) + p.b), title="Model")
            return (p.A.T * p.w)
        sol.step("By Bayes' rule $p(\\omega_c \\mid x) = p(x \\mid \\omega_c)\\,p(\\omega_c) / p(x)$, so the "
                 "log-evidence cancels:",
                 Line(Tex("\\log p(\\omega_c \\mid x) + \\log p(x)"),
                      Tex("\\log p(x \\mid \\omega_c) + \\log p(\\omega_c)"),
                      LogNormal(v, p.mu, p.Sigma) + sympy.log(p.prior), kind="formula"),
                 Line(Tex("\\log p(\\omega_c \\mid x) + \\log p(x) - \\log p(x \\mid \\omega_c)"), sympy.log(p.prior),
                      kind="formula"),
                 title="Probability view")
        sol.step("The last line does not depend on $x$: up to this constant, the objective is the class-conditional "
                 "log-density, maximised below.")
        return sympy.ZeroMatrix(v.shape[0], 1)

    def _f_plain(self, p: AMProblem):
        """f as a 1x1 matrix expression in plain SymPy, for SymPy's own matrix calculus."""
        if p.model == "posterior":
            return sympy.log(p.prior) * sympy.Identity(1)
        if p.z is not None:
            return p.w.T * (p.A * p.z + p.c) + p.b * sympy.Identity(1)
        return p.w.T * p.x + p.b * sympy.Identity(1)

    def _f_display(self, p: AMProblem):
        if p.model == "posterior":
            return sympy.log(p.prior)
        if p.z is not None:
            return Form(p.w.T * p.A * p.z) + Form(p.w.T * p.c) + p.b
        return Form(p.w.T * p.x) + p.b

    # -- numeric reference ----------------------------------------------
    def reference(self, p: AMProblem, values: dict) -> dict:
        num = _Numbers(values)
        if p.model == "max":
            lam = num.scalar(p.lam)
            s = p.s
            found = ref.maximisers(lambda x: float(np.max(x)) + s * lam * ref.squared_norm(x), len(p.inputs), kinks=True)
            return {"x_star": [x.reshape(-1, 1) for x in found]}
        if p.model == "posterior":
            mu, sigma = num.vec(p.mu), num.mat(p.Sigma)
            post, evid, lik = ref.two_class_mixture(mu, sigma, num.scalar(p.prior))
            x = ref.unique_maximiser(lambda x: post(x) + evid(x), len(mu))
            return {"x_star": x, "const": ref.bayes_constant(post, evid, lik, len(mu))}
        w, b = num.vec(p.w), num.scalar(p.b)
        f = ref.linear(w, b)
        if p.omega == "l2":
            lam, s = num.scalar(p.lam), p.s
            if p.z is not None:
                A, c = num.mat(p.A), num.vec(p.c)
                z = ref.unique_maximiser(lambda z: f(A @ z + c) + s * lam * ref.squared_norm(z), A.shape[1])
                return {"z_star": z, "x_star": A @ z + c}
            return {"x_star": ref.unique_maximiser(lambda x: f(x) + s * lam * ref.squared_norm(x), len(w))}
        logn = ref.log_gaussian(num.vec(p.mu), num.mat(p.Sigma))
        s = p.s
        return {"x_star": ref.unique_maximiser(lambda x: f(x) + s * logn(x), len(w))}

    def tolerance(self, p: AMProblem, answer: str) -> float:
        return 1e-6  # optimiser accuracy; the classic slips are off by O(1)


def _given(p: AMProblem) -> Tex:
    """The objective as the exercise writes it, f + Omega or f - Omega."""
    arg = "z" if p.z is not None else "x"
    f = "f(Az + c)" if p.z is not None else f"f({arg})"
    return Tex(f"{f} {'+' if p.sign > 0 else '-'} \\Omega({arg})")


class _Numbers:
    """Sampled values as floats and arrays (dimension symbols resolved)."""

    def __init__(self, values: dict):
        self.values = values
        self.scalars = {k: v for k, v in values.items() if not isinstance(k, sympy.MatrixSymbol)}

    def scalar(self, e) -> float:
        return float(sympy.sympify(e).xreplace({k: sympy.Float(v, 30) for k, v in self.scalars.items()}))

    def vec(self, m) -> np.ndarray:
        return np.asarray(self.values[m], dtype=float).reshape(-1)

    def mat(self, m) -> np.ndarray:
        return np.asarray(self.values[m], dtype=float)


def _tidy(expr):
    """Multiply out and cancel Sigma Sigma^-1, keeping the textbook form (mu + Sigma w)."""
    out = sympy.expand(expr).doit() if hasattr(expr, "doit") else expr
    return out
