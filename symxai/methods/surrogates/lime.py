"""LIME's weighted linear surrogate: closed forms and exact sparse solutions.

LIME fits beta* = argmin ||W^(1/2)(y - X beta)||^2 on perturbed samples X
with kernel weights W (diagonal, positive) and optionally a budget on beta.
Three strategies behind one method, chosen by ``kind``:

- ``least-squares``: no budget; the gradient set to zero gives
  beta = (X^T W X)^-1 X^T W y (matrix symbols, derived by SymPy's matrix calculus);
- ``ridge``: an l2 budget through a Lagrange multiplier lambda,
  beta = (X^T W X + lambda I)^-1 X^T W y;
- ``sparse``: on a small data set, the l0 budget ||beta||_0 <= k by trying every
  support, and the l1 budget ||beta||_1 <= t exactly from the KKT conditions
  (one linear system per active set and sign pattern), in rational arithmetic.

Verified against numpy least squares (scaled rows), brute-force subsets in
floats and scipy's SLSQP for the lasso.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations, product

from symxai.lazy import numpy as np
import sympy

from symxai.solve.model import Line, Solution, Table, Tex
from symxai.expr.printing import tex
from symxai.reference import lime as ref
from symxai.specs.schema import Choice, Expr, Field, Int, ListOf, Name, Record
from symxai.methods import register
from symxai.methods.base import BuildContext, Method
from symxai.methods.surrogates import lime_data

MAX_FEATURES = 6  # the KKT enumeration visits 3^n sign patterns
LASSO_TOLERANCE = 1e-6  # SLSQP's accuracy on the reference side


@dataclass
class LimeProblem:
    kind: str
    X: object  # MatrixSymbol (least-squares, ridge) or ImmutableMatrix (sparse)
    W: object
    y: object
    lam: sympy.Symbol | None = None
    k: int | None = None
    t: sympy.Expr | None = None


def support_fits(G, c, n: int, k: int):
    """(support, beta) for every support of 1 ... k of the n features: the least-squares fit of those
    columns from the normal equations G beta = c restricted to them, zero elsewhere.

    >>> G, c = sympy.Matrix([[2, 0], [0, 1]]), sympy.Matrix([2, 3])
    >>> [(cols, list(beta)) for cols, beta in support_fits(G, c, 2, 1)]
    [([0], [1, 0]), ([1], [0, 3])]
    """
    for size in range(1, k + 1):
        for support in combinations(range(n), size):
            cols = list(support)
            b_s = G.extract(cols, cols).solve(c.extract(cols, [0]))
            beta = sympy.zeros(n, 1)
            for j, i in enumerate(cols):
                beta[i] = b_s[j]
            yield cols, beta


def _kkt_lasso(G, c, t):
    """Exact minimiser of b^T G b - 2 c^T b subject to ||b||_1 <= t (G positive definite).

    Returns (beta, active set, signs, mu); mu = 0 when the budget does not bind.
    """
    n = G.shape[0]
    ols = G.solve(c)
    if sum(abs(v) for v in ols) <= t:
        return ols, [i for i in range(n) if ols[i] != 0], [sympy.sign(v) for v in ols if v != 0], sympy.Integer(0)
    for size in range(1, n + 1):
        for active in combinations(range(n), size):
            G_a = G.extract(list(active), list(active))
            c_a = c.extract(list(active), [0])
            for signs in product((1, -1), repeat=size):
                s = sympy.ImmutableMatrix(signs)
                Ginv_c, Ginv_s = G_a.solve(c_a), G_a.solve(s)
                # stationarity 2(G_a b - c_a) + mu s = 0 and the budget s^T b = t fix mu
                mu = 2 * ((s.T * Ginv_c)[0] - t) / (s.T * Ginv_s)[0]
                if mu <= 0:
                    continue
                b_a = Ginv_c - mu / 2 * Ginv_s
                if any(sympy.sign(b_a[j]) != signs[j] for j in range(size)):
                    continue
                beta = sympy.zeros(n, 1)
                for j, i in enumerate(active):
                    beta[i] = b_a[j]
                grad = 2 * (G * beta - c)
                if all(abs(grad[i]) <= mu for i in range(n) if i not in active):
                    return sympy.ImmutableMatrix(beta), list(active), list(signs), mu
    raise ValueError("no active set satisfies the KKT conditions (is X^T W X positive definite?)")


@register
class Lime(Method):
    name = "lime"
    reference_name = ("numpy weighted least squares, brute-force supports, SLSQP for the lasso (kind data: "
                      "least squares with an intercept column, coordinate descent for the lasso)")
    params = Record({
        "kind": Field(Choice("least-squares", "ridge", "sparse", "data"), required=True,
                      doc="which surrogate problem (data: numeric samples, symxai/methods/surrogates/lime_data.py)"),
        "X": Field(Name(), doc="declared m x n matrix symbol of the samples (least-squares, ridge)"),
        "W": Field(Name(), doc="declared m x m matrix symbol of the kernel weights (diagonal, positive)"),
        "y": Field(Name(), doc="declared m-vector symbol of the model outputs"),
        "lambda": Field(Name(), doc="declared positive symbol of the Lagrange multiplier (ridge)"),
        "data": Field(Record({
            "X": Field(ListOf(ListOf(Expr(), 1), 1), required=True, doc="rows of samples"),
            "y": Field(ListOf(Expr(), 1), required=True, doc="model output per sample"),
            "weights": Field(ListOf(Expr(), 1), doc="kernel weight per sample (> 0; sparse: required)"),
        }), doc="a small data set (sparse, data)"),
        "k": Field(Int(minimum=0), doc="l0 budget: at most k nonzero coefficients (sparse)"),
        "t": Field(Expr(), doc="l1 budget: ||beta||_1 <= t (sparse)"),
        **lime_data.FIELDS,
    })

    def build(self, ctx: BuildContext, params):
        kind = params["kind"]
        if kind == "sparse":
            return self._build_sparse(ctx, params)
        if kind == "data":
            return lime_data.build(ctx, params)
        objs = {}
        for key in ("X", "W", "y") + (("lambda",) if kind == "ridge" else ()):
            if key not in params:
                ctx.problem(params.loc, f"kind '{kind}' needs '{key}'")
                return None
            objs[key] = ctx.symbols.objects.get(params[key])
            want = sympy.Symbol if key == "lambda" else sympy.MatrixSymbol
            if not isinstance(objs[key], want):
                ctx.problem(params.loc_of(key), f"'{params[key]}' must be a declared "
                            f"{'scalar' if key == 'lambda' else 'matrix'} symbol")
                return None
        X, W, y = objs["X"], objs["W"], objs["y"]
        m, n = X.shape
        if W.shape != (m, m) or y.shape != (m, 1):
            ctx.problem(params.loc, f"shapes do not fit: X is {m}x{n}, so W must be {m}x{m} and y an {m}-vector")
            return None
        lam = objs.get("lambda")
        if lam is not None and not lam.is_positive:
            ctx.problem(params.loc_of("lambda"), "lambda must be declared positive")
            return None
        return LimeProblem(kind, X, W, y, lam=lam)

    def _build_sparse(self, ctx, params):
        if "data" not in params or "k" not in params or "t" not in params or "weights" not in params["data"]:
            ctx.problem(params.loc, "kind 'sparse' needs data (with weights), k and t")
            return None
        data = params["data"]
        X, y, w = ctx.matrix(data["X"]), ctx.vector(data["y"]), ctx.vector(data["weights"])
        t = ctx.expr(params["t"], params.loc_of("t"))
        if X is None or y is None or w is None or t is None:
            return None
        m, n = X.shape
        if len(y) != m or len(w) != m:
            ctx.problem(data.loc, f"X has {m} rows, so y and weights need {m} entries (got {len(y)}, {len(w)})")
            return None
        if n > MAX_FEATURES:
            ctx.problem(data.loc_of("X"), f"the exact sparse solutions enumerate supports: at most {MAX_FEATURES} features")
            return None
        if not all(v.is_number and v > 0 for v in w):
            ctx.problem(data.loc_of("weights"), "weights must be positive numbers")
            return None
        if not (t.is_number and t > 0):
            ctx.problem(params.loc_of("t"), "t must be a positive number")
            return None
        W = sympy.diag(*w)
        if (X.T * W * X).det() == 0:
            ctx.problem(data.loc_of("X"), "X^T W X must be invertible (linearly independent columns)")
            return None
        return LimeProblem("sparse", X, sympy.ImmutableMatrix(W), y, k=min(params["k"], n), t=t)

    def answer_names(self, p: LimeProblem) -> list[str]:
        if p.kind == "data":
            return lime_data.answer_names(p)
        return {"least-squares": ["beta"], "ridge": ["beta_ridge"], "sparse": ["beta_l0", "beta_l1"]}[p.kind]

    # -- symbolic route -------------------------------------------------
    def solve(self, p: LimeProblem) -> Solution:
        if p.kind == "data":
            return lime_data.solve(p)
        sol = Solution()
        if p.kind == "sparse":
            self._sparse(sol, p)
        else:
            self._closed_form(sol, p)
        return sol

    def _closed_form(self, sol: Solution, p: LimeProblem):
        X, W, y = p.X, p.W, p.y
        beta = sympy.MatrixSymbol("beta", X.shape[1], 1)
        objective = (y - X * beta).T * W * (y - X * beta)
        if p.kind == "ridge":
            objective = objective + p.lam * (beta.T * beta)
        # W is diagonal, hence symmetric: W^T = W
        plain_grad = objective.diff(beta).doit()  # as SymPy differentiates it, W^T kept
        grad = plain_grad.subs(W.T, W).doit()
        hessian = grad.diff(beta).subs(W.T, W).doit()
        at_zero = grad.subs(beta, sympy.ZeroMatrix(*beta.shape)).doit()
        A, c = (hessian / 2).doit(), (-at_zero / 2).doit()
        solution = sympy.Inverse(A) * c
        name = "beta" if p.kind == "least-squares" else "beta_ridge"
        L = sympy.Function("L")
        if p.kind == "ridge":
            sol.step("The budget $\\|\\beta\\|_2^2 \\le k$ enters through a Lagrange multiplier $\\lambda \\ge 0$; "
                     "the constant $-\\lambda k$ does not depend on $\\beta$:",
                     Line(L(beta), Tex(tex(objective) + " - \\lambda k"), kind="definition"), title="Lagrangian")
        else:
            sol.step("Without a budget ($k = n$) LIME minimises a convex quadratic:",
                     Line(L(beta), objective, kind="definition"), title="Objective")
        sol.step("Its gradient, with $W^\\top = W$ because $W$ is diagonal, and its Hessian:",
                 Line(Tex("\\nabla_\\beta L", plain_grad), grad),
                 Line(Tex("\\nabla^2_\\beta L", plain_grad.diff(beta).doit()), hessian), title="Gradient")
        note = ("positive definite for every $\\lambda > 0$ (even when $X^\\top W X$ is singular)"
                if p.kind == "ridge" else "positive semidefinite, and positive definite when $X$ has full column rank")
        sol.step(f"The Hessian is {note}, so the zero of the gradient is the minimum. Setting the gradient to zero "
                 "gives the normal equations and their solution:",
                 Line(A * beta, c, kind="equation", at={beta: solution}), Line(sympy.Symbol(name), solution),
                 title="Normal equations")
        if p.kind == "ridge":
            sol.step("The multiplier shrinks every coefficient towards zero but sets none exactly to zero: the "
                     "$\\ell_2$ ball has no corners, so ridge does not select features. For $\\lambda \\to 0$ the "
                     "unconstrained solution returns; each budget $k$ corresponds to one $\\lambda$.")
        sol.answer(name, solution, "weighted least-squares coefficients" if p.kind == "least-squares"
                   else "ridge (l2-constrained) coefficients")

    def _sparse(self, sol: Solution, p: LimeProblem):
        X, W, y = p.X, p.W, p.y
        n = X.shape[1]
        G, c = sympy.ImmutableMatrix(X.T * W * X), sympy.ImmutableMatrix(X.T * W * y)

        def loss(b):
            r = y - X * b
            return (r.T * W * r)[0]

        sol.step("Both budgets are solved on the normal-equation data of the samples:",
                 Line(Tex("X^\\top W X"), G, kind="definition"), Line(Tex("X^\\top W y"), c, kind="definition"),
                 title="Data")
        rows, best, best_loss = [], sympy.zeros(n, 1), loss(sympy.zeros(n, 1))
        rows.append([sympy.EmptySet, sympy.zeros(n, 1).T, best_loss])
        for cols, beta in support_fits(G, c, n, p.k):
            value = loss(beta)
            rows.append([sympy.FiniteSet(*[i + 1 for i in cols]), beta.T, value])
            if value < best_loss:
                best, best_loss = beta, value
        best = sympy.ImmutableMatrix(best)
        sol.step(f"$\\ell_0$ budget $k = {p.k}$: on every support of at most $k$ features the problem is an ordinary "
                 "weighted least-squares fit of those columns; the smallest loss wins.",
                 Line(sympy.Symbol("beta_l0"), best),
                 table=Table([Tex("S"), Tex("\\beta_S^\\top"), Tex("\\|W^{1/2}(y - X\\beta_S)\\|^2")], rows),
                 title="$\\ell_0$ budget: best subset")
        ols = G.solve(c)
        beta1, active, signs, mu = _kkt_lasso(G, c, p.t)
        binds = (sum(abs(v) for v in ols) - p.t).is_positive  # None when the sign is not decided
        sol.step("The unconstrained solution has [[norm]], " + {
                     True: "more than the budget [[how]], so the budget binds.",
                     False: "within the budget [[how]], so it is also the lasso solution."}.get(
                     binds, "against the budget [[how]]."),
                 Line(Tex("\\beta_{\\mathrm{ols}}"), ols, kind="definition"),
                 norm=Line(Tex("\\|\\beta_{\\mathrm{ols}}\\|_1"), sum(abs(v) for v in ols)),
                 how=Line(Tex("t"), p.t), title="$\\ell_1$ budget: lasso")
        if mu != 0:
            A = sympy.FiniteSet(*[i + 1 for i in active])
            sol.step("With the budget binding, the KKT conditions read $2(X^\\top W X\\beta - X^\\top W y) + \\mu g = 0$ "
                     "with $g \\in \\partial\\|\\beta\\|_1$ and $\\|\\beta\\|_1 = t$. Trying active sets and sign "
                     "patterns, the one below is consistent: its coefficients have the assumed signs and every "
                     "inactive feature has $|\\partial_i| \\le \\mu$.",
                     Line(Tex("\\mathcal{A}"), A, kind="definition"),
                     Line(Tex("\\operatorname{sign}(\\beta_{\\mathcal{A}})"), sympy.ImmutableMatrix(signs).T,
                          kind="definition"),
                     Line(sympy.Symbol("mu"), mu, kind="definition"), Line(sympy.Symbol("beta_l1"), beta1))
        zeros = [i + 1 for i in range(n) if beta1[i] == 0]
        sol.step("The $\\ell_1$ ball has corners on the axes, so the optimum often lies where some coefficients are "
                 "exactly zero" + (f" (here feature(s) {', '.join(map(str, zeros))})" if zeros else "") +
                 "; unlike $\\ell_0$ it is a convex problem, solvable at scale.")
        sol.answer("beta_l0", best, f"best coefficients with at most {p.k} nonzero")
        sol.answer("beta_l1", beta1, "lasso coefficients under the l1 budget", tolerance=LASSO_TOLERANCE)

    # -- numeric reference ----------------------------------------------
    def sample(self, p: LimeProblem, symbols, rng):
        if p.kind in ("sparse", "data"):
            return {}
        fixed = {}
        m, n = p.X.shape
        n_val = int(n) if n.is_Integer else int(rng.integers(2, 5))
        m_val = int(m) if m.is_Integer else n_val + int(rng.integers(1, 5))
        for dim, val in ((n, n_val), (m, m_val)):
            if not dim.is_Integer:
                fixed[dim] = val
        fixed[p.W] = np.diag(rng.uniform(0.2, 3.0, size=m_val))  # LIME's kernel weights
        return symbols.sample(rng, fixed)

    def reference(self, p: LimeProblem, values: dict) -> dict:
        if p.kind == "data":
            return lime_data.reference(p)
        if p.kind == "sparse":
            X, W, y = (np.array(M, dtype=float) for M in (p.X, p.W, p.y))
            return {"beta_l0": ref.best_subset(X, W, y, p.k),
                    "beta_l1": ref.lasso_constrained(X, W, y, float(p.t))}
        X, W, y = (np.asarray(values[s], dtype=float) for s in (p.X, p.W, p.y))
        if p.kind == "ridge":
            return {"beta_ridge": ref.ridge(X, W, y, float(values[p.lam]))}
        return {"beta": ref.weighted_lstsq(X, W, y)}
