"""LIME on a numeric data set (``lime`` with ``kind: data``): least squares, ridge or lasso with a penalty
alpha, an unpenalised intercept and LIME's exponential kernel, solved exactly.

With sample weights pi_i and an intercept beta_0 the surrogate minimises

- ``penalty: none``:  sum_i pi_i (y_i - beta_0 - x_i^T beta)^2;
- ``penalty: ridge``: the same + alpha ||beta||_2^2          (scikit-learn's ``Ridge(alpha)``);
- ``penalty: lasso``: 1/(2 sum_i pi_i) * the same + alpha ||beta||_1   (scikit-learn's ``Lasso(alpha)``,
  whose sample weights are rescaled to sum to the number of samples).

The intercept is never penalised: for any beta the best beta_0 is ybar - xbar^T beta with the weighted means,
so beta solves the problem on centred data (G = Xc^T P Xc, c = Xc^T P yc).  Ridge: (G + alpha I) beta = c.
Lasso: the KKT conditions G beta - c + S alpha g = 0, g in the subdifferential of ||beta||_1, S = sum pi_i,
solved exactly by trying every active set and sign pattern (one linear system each, rational arithmetic).
Weights are given (``data.weights``, default 1) or LIME's kernel pi_i = sqrt(exp(-d_i^2 / width^2)) with d_i
the Euclidean distance of x_i to the explained ``point`` (the lime package's tabular default).

The reference is ``symxai.reference.lime_data`` (numpy least squares and coordinate descent).

>>> G, c = sympy.Matrix([[2, 0], [0, 1]]), sympy.Matrix([3, 1])
>>> beta, active, signs = kkt_lasso(G, c, sympy.Integer(2))
>>> list(beta), active, signs
([1/2, 0], [0], [1])
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations, product

import sympy

from symxai.solve.model import Line, Solution, Table, Tex
from symxai.specs.schema import Bool, Choice, Expr, Field, ListOf

MAX_FEATURES = 6  # the KKT enumeration visits 3^n sign patterns
TOLERANCE = 1e-7  # coordinate descent on the reference side

FIELDS = {
    "penalty": Field(Choice("none", "ridge", "lasso"),
                     doc="data: none (least squares, default), ridge (+ alpha ||beta||^2) or lasso "
                         "(1/(2 sum pi) * loss + alpha ||beta||_1), as scikit-learn's Ridge and Lasso"),
    "alpha": Field(Expr(), doc="data: the penalty alpha > 0 of ridge or lasso"),
    "intercept": Field(Bool(), doc="data: fit an unpenalised intercept beta_0 (default true)"),
    "kernel_width": Field(Expr(), doc="data: LIME's kernel pi_i = sqrt(exp(-d_i^2/width^2)), d_i = ||x_i - point|| "
                                      "(instead of data.weights)"),
    "point": Field(ListOf(Expr(), 1), doc="data: the explained input x0 (needed with kernel_width)"),
}


@dataclass
class LimeDataProblem:
    X: sympy.ImmutableMatrix
    y: sympy.ImmutableMatrix
    weights: list
    penalty: str
    alpha: sympy.Expr
    intercept: bool
    width: sympy.Expr | None = None
    point: sympy.ImmutableMatrix | None = None
    kind: str = "data"
    base: tuple = ()  # (q, its value): kernel weights computed with as powers q^k of one symbol

    def algebra_weights(self):
        """The weights to compute with: powers of the symbol q for a kernel, else the weights."""
        if not self.base:
            return self.weights
        return [self.base[0] ** k for k in self.powers]

    def out(self, e):
        """An expression in q as answered: in p = 1/q = exp(1/(2 w^2 L)) (positive exponents print as
        e^(1/2), not 1/e^(1/2)), factored, p replaced by its value."""
        if not self.base:
            return e
        q, value = self.base
        inv = sympy.Symbol("p", positive=True)
        return sympy.factor(sympy.cancel(e.xreplace({q: 1 / inv}))).xreplace({inv: 1 / value})


def squared_distances(X, point) -> list:
    return [sympy.expand(sum((X[i, j] - point[j])**2 for j in range(X.shape[1]))) for i in range(X.shape[0])]


def kernel_weights(X, point, width) -> list:
    return [sympy.sqrt(sympy.exp(-d2 / width**2)) for d2 in squared_distances(X, point)]


def kernel_base(X, point, width):
    """(q, value of q, powers, L): pi_i = q^(k_i) with q = exp(-1/(2 width^2 L)), L the lcm of the denominators of
    the d_i^2 (so k_i = L d_i^2 are integers); None when a d_i^2 or the width is not rational."""
    d2 = squared_distances(X, point)
    if not all(d.is_Rational for d in d2) or not (width**2).is_Rational:
        return None
    L = sympy.ilcm(*[d.q for d in d2]) if d2 else 1
    return sympy.Symbol("q", positive=True), sympy.exp(-1 / (2 * width**2 * L)), [int(d * L) for d in d2], L


def build(ctx, params):
    """A LimeDataProblem from the spec (None after a located problem)."""
    if "data" not in params:
        ctx.problem(params.loc, "kind 'data' needs data: {X, y} (and weights, or kernel_width with point)")
        return None
    data = params["data"]
    X, y = ctx.matrix(data["X"]), ctx.vector(data["y"])
    if X is None or y is None:
        return None
    m, n = X.shape
    if len(y) != m:
        ctx.problem(data.loc, f"X has {m} rows, so y needs {m} entries (got {len(y)})")
        return None
    if n > MAX_FEATURES:
        ctx.problem(data.loc_of("X"), f"the exact solutions enumerate active sets: at most {MAX_FEATURES} features")
        return None
    if not all(v.is_number for v in [*X, *y]):
        ctx.problem(data.loc, "kind 'data' needs numbers in X and y")
        return None
    penalty = params.get("penalty", "none")
    alpha = sympy.Integer(0)
    if penalty != "none":
        if "alpha" not in params:
            ctx.problem(params.loc_of("penalty"), f"penalty '{penalty}' needs alpha > 0")
            return None
        alpha = ctx.expr(params["alpha"], params.loc_of("alpha"))
        if alpha is None:
            return None
        if not (alpha.is_number and alpha > 0):
            ctx.problem(params.loc_of("alpha"), "alpha must be a positive number")
            return None
    elif "alpha" in params:
        ctx.problem(params.loc_of("alpha"), "alpha needs penalty: ridge or lasso")
        return None
    width = point = None
    if "kernel_width" in params:
        if "weights" in data:
            ctx.problem(params.loc_of("kernel_width"), "give either data.weights or kernel_width, not both")
            return None
        width = ctx.expr(params["kernel_width"], params.loc_of("kernel_width"))
        if "point" not in params:
            ctx.problem(params.loc_of("kernel_width"), "kernel_width needs point: the explained input x0")
            return None
        point = ctx.vector(params["point"])
        if width is None or point is None:
            return None
        if not (width.is_number and width > 0):
            ctx.problem(params.loc_of("kernel_width"), "kernel_width must be a positive number")
            return None
        if len(point) != n or not all(v.is_number for v in point):
            ctx.problem(params.loc_of("point"), f"point needs {n} numbers, one per column of X")
            return None
        weights = kernel_weights(X, point, width)
        base = kernel_base(X, point, width)
    elif "weights" in data:
        w = ctx.vector(data["weights"])
        if w is None:
            return None
        if len(w) != m or not all(v.is_number and v > 0 for v in w):
            ctx.problem(data.loc_of("weights"), f"weights needs {m} positive numbers, one per row of X")
            return None
        weights = list(w)
    else:
        weights = [sympy.Integer(1)] * m
    if "kernel_width" not in params:
        base = None
    intercept = params.get("intercept", True)
    G, _ = normal_data(X, y, weights, intercept)
    if penalty != "ridge" and G.det() == 0:
        ctx.problem(data.loc_of("X"), "the (centred) columns of X are linearly dependent: the fit is not unique "
                    "(add samples, or use penalty: ridge)")
        return None
    p = LimeDataProblem(X, y, weights, penalty, alpha, intercept, width, point)
    if base is not None:
        p.base, p.powers, p.lcm = base[:2], base[2], base[3]
    return p


def weighted_means(X, y, weights):
    S = sympy.Add(*weights)
    xbar = sympy.ImmutableMatrix([sympy.cancel(sympy.Add(*[w * X[i, j] for i, w in enumerate(weights)]) / S)
                                  for j in range(X.shape[1])])
    ybar = sympy.cancel(sympy.Add(*[w * y[i] for i, w in enumerate(weights)]) / S)
    return xbar, ybar, S


def normal_data(X, y, weights, intercept):
    """(G, c) of the problem in beta alone: centred by the weighted means when there is an intercept."""
    if intercept:
        xbar, ybar, _ = weighted_means(X, y, weights)
        X = X - sympy.ones(X.shape[0], 1) * xbar.T
        y = y - ybar * sympy.ones(X.shape[0], 1)
    P = sympy.diag(*weights)
    G = (X.T * P * X).applyfunc(sympy.cancel)
    c = (X.T * P * y).applyfunc(sympy.cancel)
    return sympy.ImmutableMatrix(G), sympy.ImmutableMatrix(c)


def kkt_lasso(G, c, lam, at=None):
    """Exact minimiser of b^T G b / 2 - c^T b + lam ||b||_1 (G positive definite): (beta, active, signs)."""
    n = G.shape[0]
    for size in range(0, n + 1):
        for active in combinations(range(n), size):
            for signs in product((1, -1), repeat=size):
                beta = sympy.zeros(n, 1)
                if size:
                    idx = list(active)
                    b_a = G.extract(idx, idx).solve(c.extract(idx, [0]) - lam * sympy.Matrix(signs))
                    b_a = b_a.applyfunc(sympy.cancel)
                    if any(sympy.sign(b_a[j].xreplace(at or {})) != signs[j] for j in range(size)):
                        continue
                    for j, i in enumerate(idx):
                        beta[i] = b_a[j]
                grad = G * beta - c
                if all((abs(grad[i]) <= lam).xreplace(at or {}) for i in range(n) if i not in active):
                    return sympy.ImmutableMatrix(beta), list(active), list(signs)
    raise ValueError("no active set satisfies the KKT conditions (is G positive definite?)")


def answer_names(p: LimeDataProblem) -> list[str]:
    return ["beta", "beta_0"] if p.intercept else ["beta"]


def solve(p: LimeDataProblem) -> Solution:
    sol = Solution()
    X, y, n = p.X, p.y, p.X.shape[1]
    w_alg, at = p.algebra_weights(), dict([p.base]) if p.base else {}

    def o(e):  # as displayed: in q (its meaning in sol.where), factored
        f = (lambda v: sympy.factor(v)) if p.base else (lambda v: v)
        return e.applyfunc(f) if isinstance(e, sympy.MatrixBase) else f(e)

    if p.base:
        sol.where[p.base[0]] = p.base[1]

    if p.width is not None:
        sol.step("LIME weighs every sample by its kernel, $\\pi_i = \\sqrt{\\exp(-d_i^2/w^2)}$ with "
                 "$d_i = \\|\\boldsymbol{x}_i - \\boldsymbol{x}_0\\|$, the kernel width [[w]] and the explained "
                 "input [[x0]]" + ((". All squared distances are whole numbers" if p.base and p.lcm == 1 else
                                    ". All squared distances are multiples of [[unit]]") + ", so every weight is a power "
                                   "of one number, [[q]], and the fit is a rational function of $q$:" if p.base
                                   else ":"),
                 w=Line(Tex("w"), p.width), x0=Line(Tex("\\boldsymbol{x}_0"), p.point.T),
                 unit=sympy.Rational(1, p.lcm) if p.base else None,
                 q=Line(sympy.Symbol("q"), p.base[1]) if p.base else None, title="Kernel weights")
    rows = [[sympy.Integer(i + 1), X.row(i), y[i], *([sympy.expand(sum((X[i, j] - p.point[j])**2 for j in range(n)))]
                                                    if p.width is not None else []), w_alg[i]]
            for i in range(X.shape[0])]
    header = [Tex("i"), Tex("\\boldsymbol{x}_i^\\top"), Tex("y_i"), *([Tex("d_i^2")] if p.width is not None else []),
              Tex("\\pi_i")]
    loss = "\\sum_i \\pi_i (y_i - " + ("\\beta_0 - " if p.intercept else "") + "\\boldsymbol{x}_i^\\top\\beta)^2"
    objective = {"none": loss,
                 "ridge": loss + " + \\alpha\\|\\beta\\|_2^2",
                 "lasso": "\\frac{1}{2\\sum_i \\pi_i}" + loss + " + \\alpha\\|\\beta\\|_1"}[p.penalty]
    sol.step("The surrogate minimises the weighted loss" + {"none": "", "ridge": " with a ridge penalty",
                                                            "lasso": " with a lasso penalty (scikit-learn's scaling)"}
             [p.penalty] + (" with [[a]]" if p.penalty != "none" else "") + " over the samples below:",
             Line(Tex("L(" + ("\\beta_0, " if p.intercept else "") + "\\beta)"), Tex(objective), kind="formula"),
             table=Table(header, rows), a=Line(Tex("\\alpha"), p.alpha), title="Objective")
    G, c = normal_data(X, y, w_alg, p.intercept)
    if p.intercept:
        xbar, ybar, S = weighted_means(X, y, w_alg)
        sol.step("The intercept is not penalised: for any $\\beta$ the loss is smallest at "
                 "$\\beta_0 = \\bar y - \\bar{\\boldsymbol{x}}^\\top\\beta$ with the weighted means, so $\\beta$ "
                 "solves the problem on centred data $X_c = X - \\boldsymbol{1}\\bar{\\boldsymbol{x}}^\\top$, "
                 "$\\boldsymbol{y}_c = \\boldsymbol{y} - \\bar y\\boldsymbol{1}$:",
                 Line(Tex("\\bar{\\boldsymbol{x}}^\\top"), o(xbar.T), kind="definition"),
                 Line(Tex("\\bar y"), o(ybar), kind="definition"),
                 Line(Tex("G = X_c^\\top P X_c"), o(G), kind="definition"),
                 Line(Tex("\\boldsymbol{c} = X_c^\\top P \\boldsymbol{y}_c"), o(c), kind="definition"),
                 title="Intercept")
    else:
        sol.step("Without an intercept the normal-equation data are ($P$ the diagonal matrix of the weights):",
                 Line(Tex("G = X^\\top P X"), o(G), kind="definition"),
                 Line(Tex("\\boldsymbol{c} = X^\\top P \\boldsymbol{y}"), o(c), kind="definition"), title="Data")
    beta_sym = sympy.MatrixSymbol("beta", n, 1)
    if p.penalty == "lasso":
        lam = sympy.cancel(sympy.Add(*w_alg) * p.alpha)
        beta, active, signs = kkt_lasso(G, c, lam, at)
        sol.step("Multiplied by $2\\sum_i \\pi_i$ the lasso objective is $\\beta^\\top G\\beta - 2\\boldsymbol{c}^\\top"
                 "\\beta + 2\\lambda\\|\\beta\\|_1$ with [[lam]]. Its KKT conditions, $G\\beta - \\boldsymbol{c} + "
                 "\\lambda g = 0$ with $g_i = \\operatorname{sign}(\\beta_i)$ where $\\beta_i \\ne 0$ and "
                 "$|g_i| \\le 1$ elsewhere, are met by exactly one active set and sign pattern (the objective is "
                 "strictly convex); trying them in turn, the consistent one is",
                 Line(Tex("\\mathcal{A}"), sympy.FiniteSet(*[i + 1 for i in active]), kind="definition"),
                 *([Line(Tex("\\operatorname{sign}(\\beta_{\\mathcal{A}})"), sympy.ImmutableMatrix(signs).T,
                         kind="definition")] if active else []),
                 Line(sympy.Symbol("beta"), o(beta)),
                 lam=Line(Tex("\\lambda = \\alpha\\sum_i \\pi_i"), o(lam)), title="Lasso: KKT conditions")
        slack = (G * beta - c).applyfunc(sympy.cancel)
        zeros = [i + 1 for i in range(n) if beta[i] == 0]
        if zeros:
            sol.step("Every inactive feature satisfies $|(G\\beta - \\boldsymbol{c})_i| \\le \\lambda$, so it stays at "
                     "exactly zero:", Line(Tex("G\\beta - \\boldsymbol{c}"), o(slack.T)))
    else:
        A = G + p.alpha * sympy.eye(n) if p.penalty == "ridge" else G
        beta = sympy.ImmutableMatrix(A.solve(c).applyfunc(sympy.cancel))
        sol.step("Setting the gradient to zero gives the normal equations" +
                 (", with $\\alpha I$ added by the penalty:" if p.penalty == "ridge" else ":"),
                 Line(o(A) * beta_sym, o(c), kind="equation", at={beta_sym: o(beta)}),
                 Line(sympy.Symbol("beta"), o(beta)),
                 title="Normal equations")
    sol.answer("beta", beta.applyfunc(p.out), "LIME surrogate coefficients", tolerance=TOLERANCE)
    if p.intercept:
        b0 = sympy.cancel(ybar - (xbar.T * beta)[0])
        sol.step("", Line(sympy.Symbol("beta_0"), sympy.Add(o(ybar), -o((xbar.T * beta)[0]), evaluate=False), o(b0)))
        sol.answer("beta_0", p.out(b0), "LIME surrogate intercept", tolerance=TOLERANCE)
    return sol


def reference(p: LimeDataProblem) -> dict:
    from symxai.reference import lime_data as ref
    import numpy as np

    X, y = np.array(p.X, dtype=float), np.array(p.y, dtype=float).reshape(-1)
    if p.width is not None:
        w = ref.kernel(X, np.array(p.point, dtype=float).reshape(-1), float(p.width))
    else:
        w = np.array([float(v) for v in p.weights])
    beta, b0 = ref.fit(X, y, w, p.penalty, float(p.alpha), p.intercept)
    return {"beta": beta, "beta_0": b0} if p.intercept else {"beta": beta}


def _fit(p, **change):
    """(beta, beta_0) of the problem with some ingredients changed (weights, intercept, alpha, penalty)."""
    weights = change.get("weights", p.algebra_weights())
    intercept = change.get("intercept", p.intercept)
    penalty, alpha = change.get("penalty", p.penalty), change.get("alpha", p.alpha)
    G, c = normal_data(p.X, p.y, weights, intercept)
    if penalty == "lasso":
        beta = kkt_lasso(G, c, sympy.cancel(sympy.Add(*weights) * alpha), dict([p.base]) if p.base else None)[0]
    else:
        A = G + alpha * sympy.eye(G.shape[0]) if penalty == "ridge" else G
        if A.det() == 0:
            return None
        beta = sympy.ImmutableMatrix(A.solve(c).applyfunc(sympy.cancel))
    if not intercept:
        return beta.applyfunc(p.out), sympy.Integer(0)
    xbar, ybar, _ = weighted_means(p.X, p.y, weights)
    return beta.applyfunc(p.out), p.out(sympy.cancel(ybar - (xbar.T * beta)[0]))


def misconception_rows(p) -> list:
    """The weights ignored, the intercept left out, the lasso's alpha without scikit-learn's 1/(2 sum pi)."""
    from symxai.misconceptions import Misconception

    right = _fit(p)
    rows = [("unweighted", "LIME weighs every sample by its kernel pi_i; you fitted the samples with equal weights",
             _fit(p, weights=[sympy.Integer(1)] * p.X.shape[0]))]
    if p.intercept:
        rows.append(("no-intercept", "the surrogate has an (unpenalised) intercept beta_0; without it the "
                     "coefficients also have to fit the mean", _fit(p, intercept=False)))
    if p.penalty == "lasso":
        rows.append(("lasso-unscaled", "scikit-learn's lasso divides the loss by 2 sum_i pi_i before adding "
                     "alpha ||beta||_1; you added alpha to the plain loss", _fit(p, alpha=p.alpha / 2 / sympy.Add(
                         *p.algebra_weights()))))
    if p.penalty == "ridge":
        rows.append(("no-penalty", "ridge adds alpha I to the normal equations; you solved them without it",
                     _fit(p, penalty="none")))
    out = []
    for label, message, fit in rows:
        if fit is None or fit == right:
            continue
        values = {"beta": fit[0]}
        if p.intercept:
            values["beta_0"] = fit[1]
        out.append(Misconception(label, message, values))
    return out
