"""Robust and non-robust features (Tsipras et al.): accuracy and l_inf attacks of two linear classifiers.

Data: y uniform on {-1, 1}; x_1 = y with probability p and -y otherwise (the
robust feature); x_2..x_{d+1} ~ N(eta y, 1) (weak, non-robust features).
f_1 = sign(w1^T x) averages the weak features, w1 = (0, 1/d, ..., 1/d);
f_2 = sign(x_1), w2 = e_1.

Part ``accuracy``: P[f(x) = y] in closed form with Phi, the standard normal
CDF, verified by Monte Carlo.  Part ``adversarial``: the smallest score of
a linear classifier over the l_inf ball, min w^T x' = w^T x - eps ||w||_1 at
x' = x - eps sign(w), verified by a linear program.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from symxai.lazy import numpy as np
import sympy

from symxai.expr.exprparse import Phi
from symxai.solve.model import Line, Solution, Tex
from symxai.reference import robust_features as ref
from symxai.specs.schema import Choice, Expr, Field, Int, Name, Record
from symxai.methods import register
from symxai.methods.base import BuildContext, Method

MC_SAMPLES = 100_000
MC_SIGMAS = 5  # tolerance of a Monte Carlo answer, in standard errors


@dataclass
class RobustProblem:
    part: str
    d: sympy.Symbol
    eta: sympy.Expr
    p: sympy.Expr
    dimension: int  # the concrete d of the attack and of the simulations
    x_first: sympy.Expr
    x_rest: sympy.Expr
    eps: sympy.Expr
    mc_error: dict = field(default_factory=dict)  # standard errors of the last Monte Carlo run


def _weights(d):
    """w1 = (0, 1/d, ..., 1/d) and w2 = e_1 as (first entry, each of the d others)."""
    return {1: (sympy.Integer(0), 1 / d), 2: (sympy.Integer(1), sympy.Integer(0))}


@register
class RobustFeatures(Method):
    name = "robust-features"
    reference_name = "Monte Carlo simulation of the data model (accuracy) and a linear program (attack)"
    params = Record({
        "part": Field(Choice("accuracy", "adversarial"), required=True, doc="which question"),
        "d": Field(Name(), required=True, doc="the declared integer symbol for the number of weak features"),
        "eta": Field(Expr(), required=True, doc="mean shift of the weak features, may use d (3/sqrt(d))"),
        "p": Field(Expr(), required=True, doc="probability that the robust feature equals y"),
        "dimension": Field(Int(minimum=1), doc="concrete d for the attack and the simulations (default 100)"),
        "x_first": Field(Expr(), doc="robust feature of the attacked point (default 1)"),
        "x_rest": Field(Expr(), doc="value of every weak feature of the attacked point (default 1/10)"),
        "eps": Field(Expr(), doc="l_inf budget of the attack (default 3/20)"),
    })

    def build(self, ctx: BuildContext, params):
        d = ctx.symbols.objects.get(params["d"])
        if not isinstance(d, sympy.Symbol) or not d.is_integer:
            ctx.problem(params.loc_of("d"), f"'{params['d']}' must be declared as an integer symbol")
            return None
        vals = {}
        for key, default in (("eta", None), ("p", None), ("x_first", 1), ("x_rest", "1/10"), ("eps", "3/20")):
            raw = params.get(key, default)
            vals[key] = ctx.expr(raw, params.loc_of(key)) if key in params else ctx.expr(raw)
            if vals[key] is None:
                return None
        p = vals["p"]
        if p.is_number and not (0 <= p <= 1):
            ctx.problem(params.loc_of("p"), "p must be a probability, 0 <= p <= 1")
            return None
        if vals["eps"].is_number and vals["eps"] < 0:
            ctx.problem(params.loc_of("eps"), "eps must be >= 0")
            return None
        return RobustProblem(params["part"], d, vals["eta"], p, int(params.get("dimension", 100)),
                             vals["x_first"], vals["x_rest"], vals["eps"])

    def answer_names(self, p: RobustProblem) -> list[str]:
        return ["acc_f1", "acc_f2"] if p.part == "accuracy" else ["exists_f1", "exists_f2", "x_adv_f1"]

    def solve(self, p: RobustProblem) -> Solution:
        sol = Solution()
        (self._accuracy if p.part == "accuracy" else self._adversarial)(sol, p)
        return sol

    # -- symbolic route -------------------------------------------------
    def _accuracy(self, sol: Solution, p: RobustProblem):
        d, eta, prob = p.d, sympy.Symbol("eta", positive=True), sympy.Symbol("p", positive=True)
        i = sympy.Symbol("i", integer=True, positive=True)
        _, w = _weights(d)[1]
        # y w1^T x is a sum of d independent N(eta w, w^2) terms (y x_i ~ N(eta, 1))
        mean = sympy.simplify(sympy.Sum(w * eta, (i, 2, d + 1)).doit())
        var = sympy.simplify(sympy.Sum(w**2, (i, 2, d + 1)).doit())
        acc1 = Phi(sympy.simplify(mean / sympy.sqrt(var)))
        sol.step("A classifier is right when $y\\,\\boldsymbol{w}^\\top\\boldsymbol{x} > 0$. For $f_1$ the robust "
                 "feature has weight $0$ and each of the $d$ weak features weight $1/d$; multiplying by $y$ turns "
                 "every $y x_i$ into an independent $\\mathcal{N}(\\eta, 1)$ variable, so the score is Gaussian with",
                 Line(Tex("\\mathbb{E}[y\\,\\boldsymbol{w}_1^\\top\\boldsymbol{x}]"),
                      Tex("\\sum_{i=2}^{d+1}\\frac{\\eta}{d}", sympy.Sum(w * eta, (i, 2, d + 1))), mean,
                      kind="definition"),
                 Line(Tex("\\operatorname{Var}[y\\,\\boldsymbol{w}_1^\\top\\boldsymbol{x}]"),
                      Tex("\\sum_{i=2}^{d+1}\\frac{1}{d^2}", sympy.Sum(w**2, (i, 2, d + 1))), var,
                      kind="definition"),
                 title="Accuracy of $f_1$ (weak features)")
        sol.step("Standardising, $P[S > 0] = P[Z > -\\mu/\\sigma] = \\Phi(\\mu/\\sigma)$ by the symmetry of the "
                 "normal distribution:",
                 Line(Tex("P[f_1(\\boldsymbol{x}) = y]"),
                      Tex("\\Phi\\left(\\frac{\\eta}{\\sqrt{1/d}}\\right)", Phi(eta / sympy.sqrt(1 / d))), acc1,
                      kind="definition"))
        sub = {eta: p.eta, prob: p.p}
        acc1_val = sympy.simplify(acc1.xreplace(sub))
        if acc1_val != acc1:
            shown = [acc1_val] + ([sympy.Float(acc1_val.evalf(6), 6)] if acc1_val.is_number else [])
            sol.step("With the exercise's $\\eta$:",
                     Line(Tex("P[f_1(\\boldsymbol{x}) = y]", acc1.xreplace(sub)), *shown,
                          rel=("=", "approx")[:len(shown)]))
        acc2 = prob * 1 + (1 - prob) * 0  # x_1 = y with probability p, else -y and f_2 is wrong
        sol.step("$f_2(\\boldsymbol{x}) = \\operatorname{sign}(x_1)$ reads the robust feature only; it equals $y$ "
                 "exactly when $x_1 = y$:",
                 Line(Tex("P[f_2(\\boldsymbol{x}) = y]"),
                      Tex("p\\cdot 1 + (1-p)\\cdot 0", sympy.Add(prob * 1, (1 - prob) * 0, evaluate=False)), acc2,
                      kind="definition"),
                 Line(acc2, sympy.simplify(acc2.xreplace(sub)), kind="equation", at=sub),
                 title="Accuracy of $f_2$ (robust feature)")
        acc2_val = sympy.simplify(acc2.xreplace(sub))
        if acc1_val.is_number and acc2_val.is_number:
            better = "f_1" if acc1_val > acc2_val else "f_2"
            sol.step(f"The classifier built on many weakly correlated features is the more accurate one here "
                     f"(${better}$), although no single weak feature predicts $y$ well.")
        sol.answer("acc_f1", acc1_val, "accuracy of f_1 = sign(w1^T x)")
        sol.answer("acc_f2", acc2_val, "accuracy of f_2 = sign(x_1)")

    def _adversarial(self, sol: Solution, p: RobustProblem):
        d, eps = p.d, p.eps
        sol.step("For a linear score the worst point of the box $\\|\\boldsymbol{x}'-\\boldsymbol{x}\\|_\\infty "
                 "\\le \\varepsilon$ moves every feature by $\\varepsilon$ against the sign of its weight:",
                 Line(Tex("\\min_{\\|\\boldsymbol{x}'-\\boldsymbol{x}\\|_\\infty\\le\\varepsilon}"
                          "\\boldsymbol{w}^\\top\\boldsymbol{x}'"),
                      Tex("\\boldsymbol{w}^\\top\\boldsymbol{x} - \\varepsilon\\|\\boldsymbol{w}\\|_1"),
                      kind="formula"),
                 Line(Tex("\\boldsymbol{x}'"), Tex("\\boldsymbol{x} - \\varepsilon\\operatorname{sign}(\\boldsymbol{w})"),
                      kind="formula"),
                 title="Worst-case perturbation of a linear classifier")
        exists = {}
        for k, (w_first, w_rest) in _weights(d).items():
            score = sympy.simplify(w_first * p.x_first + d * w_rest * p.x_rest)
            l1 = sympy.simplify(sympy.Abs(w_first) + d * sympy.Abs(w_rest))
            worst = sympy.simplify(score - eps * l1)
            exists[k] = sympy.Lt(worst, 0)
            if exists[k] not in (sympy.true, sympy.false):
                raise ValueError(f"cannot decide the sign of the worst-case score {worst} of f_{k}")
            verdict = (f"negative, so $f_{k}$ can be fooled" if exists[k] == sympy.true else
                       "still positive, so no point of the box is classified $-1$: no adversarial example exists")
            sol.step(f"For $f_{k}$ the score at $\\boldsymbol{{x}}$ and the $\\ell_1$ norm of the weights hold for "
                     f"every $d$; the worst score is {verdict}.",
                     Line(Tex(f"\\boldsymbol{{w}}_{k}^\\top\\boldsymbol{{x}}", w_first * p.x_first + d * w_rest * p.x_rest),
                          score),
                     Line(Tex(f"\\|\\boldsymbol{{w}}_{k}\\|_1", sympy.Abs(w_first) + d * sympy.Abs(w_rest)), l1),
                     Line(Tex(f"\\min \\boldsymbol{{w}}_{k}^\\top\\boldsymbol{{x}}'", score - eps * l1), worst),
                     title=f"Classifier $f_{k}$")
        n = p.dimension
        w_first, w_rest = _weights(d)[1]
        x_adv = sympy.ImmutableMatrix(
            [p.x_first - eps * sympy.sign(w_first)] + [p.x_rest - eps * sympy.sign(w_rest.subs(d, n))] * n)
        sol.step(f"For $d = {n}$ the weak features each drop by $\\varepsilon$ while the robust one, which $f_1$ "
                 "ignores, stays; the average of the weak features becomes negative:",
                 Line(Tex("\\boldsymbol{x}'_{\\mathrm{adv}}"), x_adv.T, kind="definition"),
                 Line(Tex("\\boldsymbol{w}_1^\\top\\boldsymbol{x}'_{\\mathrm{adv}}",
                          w_first * x_adv[0] + sum(w_rest.subs(d, n) * v for v in x_adv[1:])),
                      sympy.simplify(sum(x_adv[1:]) / n)),
                 title="An adversarial example for $f_1$")
        sol.step("$f_1$ adds up $d$ weak features with weights $1/d$: a shift of $\\varepsilon$ in every one of them "
                 "moves its score by the full $\\varepsilon$, more than its margin $\\boldsymbol{w}_1^\\top\\boldsymbol{x}$ "
                 "here. $f_2$ changes its output only if $x_1$ changes sign, which a budget below $|x_1|$ cannot do. "
                 "The more accurate classifier is the fragile one.")
        sol.answer("exists_f1", exists[1], "an l_inf adversarial example exists for f_1")
        sol.answer("exists_f2", exists[2], "an l_inf adversarial example exists for f_2")
        sol.answer("x_adv_f1", x_adv, f"worst-case adversarial example for f_1 with d = {n}")

    # -- numeric reference ----------------------------------------------
    def sample(self, p: RobustProblem, symbols, rng):
        values = symbols.sample(rng)
        names = {s.name: s for s in values if isinstance(s, sympy.Symbol)}
        values[p.d] = int(rng.integers(1, 41))
        if "eta" in names:
            values[names["eta"]] = float(rng.uniform(0.05, 0.6))
        if "p" in names:
            values[names["p"]] = float(rng.uniform(0.55, 0.999))
        return values

    def _num(self, e, values, p):
        subs = {k: v for k, v in values.items() if isinstance(k, sympy.Symbol)}
        subs.setdefault(p.d, p.dimension)
        return float(sympy.sympify(e).xreplace({k: sympy.Float(v, 30) if isinstance(v, float) else sympy.Integer(v)
                                                 for k, v in subs.items()}))

    def reference(self, p: RobustProblem, values: dict) -> dict:
        if p.part == "accuracy":
            d = int(values.get(p.d, p.dimension))
            eta, prob = self._num(p.eta, values, p), self._num(p.p, values, p)
            w1 = np.r_[0.0, np.full(d, 1.0 / d)]
            w2 = np.r_[1.0, np.zeros(d)]
            out = {}
            for name, w, seed in (("acc_f1", w1, 1), ("acc_f2", w2, 2)):
                out[name], p.mc_error[name] = ref.accuracy(w, d, eta, prob, samples=MC_SAMPLES, seed=seed)
            return out
        n = p.dimension
        x = np.r_[self._num(p.x_first, values, p), np.full(n, self._num(p.x_rest, values, p))]
        eps = self._num(p.eps, values, p)
        x1, s1 = ref.lp_attack(np.r_[0.0, np.full(n, 1.0 / n)], x, eps)
        _, s2 = ref.lp_attack(np.r_[1.0, np.zeros(n)], x, eps)
        return {"exists_f1": s1 < 0, "exists_f2": s2 < 0, "x_adv_f1": x1}

    def accepts(self, p: RobustProblem, answer: str, value):
        """Any x' with ||x - x'||_inf <= eps and w_1^T x' < 0 answers "find an adversarial example for
        f_1", decided in exact arithmetic, not only the engine's worst case."""
        if answer != "x_adv_f1" or p.part != "adversarial":
            return None
        n = p.dimension
        if not isinstance(value, sympy.MatrixBase) or value.shape != (n + 1, 1):
            return False, f"expected a vector of length {n + 1}"
        if value.free_symbols:
            return False, "expected numbers"
        x = [p.x_first] + [p.x_rest] * n
        far = max(abs(sympy.nsimplify(v) - sympy.sympify(xi)) for v, xi in zip(value, x))
        if sympy.simplify(far - p.eps) > 0:
            return False, f"||x - x'||_inf = {sympy.sstr(far)} is more than {sympy.sstr(p.eps)}"
        score = sympy.simplify(sum(value[1:]) / n)
        if not score < 0:
            return False, f"w_1^T x' = {sympy.sstr(score)} is not negative, so f_1(x') is not -1"
        return True, ""

    def tolerance(self, p: RobustProblem, answer: str) -> float:
        if answer in p.mc_error:
            return MC_SIGMAS * p.mc_error[answer]
        return 1e-7 if answer == "x_adv_f1" else 1e-9  # the LP optimum is a vertex, exact up to solver round-off
