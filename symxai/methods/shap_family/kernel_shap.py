"""KernelSHAP: Shapley values as the solution of a weighted least-squares problem.

Over all proper, non-empty coalitions S (binary vectors z), minimise
sum_S pi(S) (v(S) - v(empty) - z^T phi)^2 subject to efficiency 1^T phi = v(N) - v(empty), with the
Shapley kernel pi(S) = (d - 1) / (C(d, |S|) |S| (d - |S|)).  The worked solution builds the design
matrix and weights, the constrained normal equations (a Lagrange multiplier for efficiency), solves
them exactly, and sets the result side by side with the exact Shapley sums.  The model and the
coalitions are those of ``shapley`` (a removed feature takes its baseline value).  Verified against
numpy least squares with one unknown eliminated.
"""

from __future__ import annotations

from math import comb

from symxai.lazy import numpy as np
import sympy

from symxai.solve.model import Line, Solution, Table, Tex
from symxai.reference import shap_family as ref
from symxai.methods import register
from symxai.methods.shap_family._shapsum import coalition_set, kernel_weight, ordered_masks, shapley_values
from symxai.methods.shap_family.shapley import Shapley, _sym

MAX_KERNEL_FEATURES = 5


def _proper(d: int) -> list[int]:
    return [m for m in ordered_masks(d) if 0 < m < (1 << d) - 1]


def solve_wls(values, d: int, pi, *, constrained: bool = True) -> list:
    """phi of the weighted least-squares problem with weights ``pi(size)`` (exact SymPy): with the
    efficiency constraint, or with a free intercept and no constraint (the usual slip)."""
    masks = _proper(d)
    Z = sympy.Matrix([[1 if m >> i & 1 else 0 for i in range(d)] for m in masks])
    W = sympy.diag(*[pi(bin(m).count("1")) for m in masks])
    y = sympy.Matrix([values[m] - values[0] for m in masks])
    if constrained:
        K = (Z.T * W * Z).row_join(sympy.ones(d, 1)).col_join(sympy.Matrix([[1] * d + [0]]))
        rhs = (Z.T * W * y).col_join(sympy.Matrix([values[(1 << d) - 1] - values[0]]))
        return [sympy.simplify(v) for v in list(K.LUsolve(rhs))[:d]]
    Z1 = sympy.ones(len(masks), 1).row_join(Z)
    y1 = sympy.Matrix([values[m] for m in masks])
    sol = (Z1.T * W * Z1).LUsolve(Z1.T * W * y1)
    return [sympy.simplify(v) for v in list(sol)[1:]]


@register
class KernelShap(Shapley):
    name = "kernel-shap"
    reference_name = "numpy least squares over all proper coalitions, one unknown eliminated by efficiency"
    params = Shapley.params

    def build(self, ctx, params):
        problem = super().build(ctx, params)
        if problem is not None and problem.d > MAX_KERNEL_FEATURES:
            ctx.problem(params.loc_of("inputs"), f"at most {MAX_KERNEL_FEATURES} inputs for a worked KernelSHAP solution")
            return None
        return problem

    def answer_names(self, p) -> list[str]:
        return [f"pi_{k}" for k in range(1, p.d)] + [f"{p.prefix}_{i + 1}" for i in range(p.d)]

    def values(self, p) -> list:
        """v(S) = f(x_S) as SymPy values, by bitmask."""
        return [_sym(v) for v in self.coalition_values(p)]

    def solve(self, p) -> Solution:
        d, full = p.d, (1 << p.d) - 1
        v = self.values(p)
        sol = Solution()
        sol.step("KernelSHAP fits an additive model to the coalition values $v(S) = f(\\boldsymbol{x}_S)$ "
                 "(features outside $S$ at the baseline), weighting every proper, non-empty coalition by the Shapley "
                 "kernel, under the efficiency constraint:",
                 Line(Tex("\\boldsymbol{\\phi}"), Tex("\\arg\\min_{\\boldsymbol{\\phi}} \\sum_{\\emptyset \\ne S \\ne N} "
                      "\\pi(S)\\left(v(S) - v(\\emptyset) - \\sum_{i\\in S}\\phi_i\\right)^2"), kind="formula"),
                 Line(Tex("\\sum_i \\phi_i"), Tex("v(N) - v(\\emptyset)"), kind="formula"),
                 Line(Tex("\\pi(S)"), Tex("\\frac{d-1}{\\binom{d}{|S|}\\,|S|\\,(d-|S|)}"), kind="formula"),
                 title="The weighted least-squares problem")
        lines = []
        for k in range(1, d):
            lines.append(Line(sympy.Symbol(f"pi_{k}"), Tex(f"\\frac{{{d - 1}}}{{\\binom{{{d}}}{{{k}}}\\cdot {k}\\cdot {d - k}}}",
                              sympy.Rational(d - 1, comb(d, k) * k * (d - k))), kernel_weight(k, d)))
        sol.step(f"The kernel depends only on the size $|S| = k$ (the empty and the full coalition have infinite "
                 f"weight: they are the constraints). For $d = {d}$:", *lines, title="Kernel weights")
        masks = _proper(d)
        Z = sympy.ImmutableMatrix([[1 if m >> i & 1 else 0 for i in range(d)] for m in masks])
        pis = [kernel_weight(bin(m).count("1"), d) for m in masks]
        W = sympy.diag(*pis)
        y = sympy.ImmutableMatrix([sympy.simplify(v[m] - v[0]) for m in masks])
        rows = [[coalition_set(m, d), sympy.ImmutableMatrix([list(Z.row(n))]), pis[n], v[m], y[n]]
                for n, m in enumerate(masks)]
        sol.step("The design matrix $Z$ has one row $\\boldsymbol{z}$ per coalition, the weights form the diagonal of "
                 "$W$, and the targets are $y_S = v(S) - v(\\emptyset)$:",
                 Line(Tex("v(\\emptyset)", p.f.xreplace(dict(zip(p.inputs, p.baseline)))), v[0]),
                 Line(Tex("v(N)", p.f.xreplace(dict(zip(p.inputs, p.point)))), v[full]),
                 table=Table([Tex("S"), Tex("\\boldsymbol{z}"), Tex("\\pi(S)"), Tex("v(S)"), Tex("y_S")], rows),
                 title="Design matrix, weights, targets")
        A = sympy.ImmutableMatrix(Z.T * W * Z)
        c = sympy.ImmutableMatrix((Z.T * W * y).applyfunc(sympy.simplify))
        A_sums = sympy.ImmutableMatrix(d, d, lambda i, j: sum(pis[n] for n, m in enumerate(masks)
                                                              if m >> i & 1 and m >> j & 1))
        c_sums = sympy.ImmutableMatrix([sympy.simplify(sum(pis[n] * y[n] for n, m in enumerate(masks) if m >> i & 1))
                                        for i in range(d)])
        delta = sympy.simplify(v[full] - v[0])
        q = sympy.ilcm(*[sympy.fraction(e)[1] for e in A])  # clears the kernel's denominators
        K = sympy.ImmutableMatrix((q * A).row_join(sympy.ones(d, 1)).col_join(sympy.Matrix([[1] * d + [0]])))
        rhs = sympy.ImmutableMatrix((q * c).col_join(sympy.Matrix([delta])))
        x = sympy.ImmutableMatrix(K.LUsolve(rhs).applyfunc(sympy.simplify))
        phis = list(x)[:d]
        sol.step("Setting the gradient of the Lagrangian $\\sum_S \\pi(S)(y_S - \\boldsymbol{z}^\\top\\boldsymbol{\\phi})^2 "
                 "+ 2\\lambda(\\mathbf{1}^\\top\\boldsymbol{\\phi} - v(N) + v(\\emptyset))$ to zero gives the constrained "
                 "normal equations $Z^\\top W Z\\,\\boldsymbol{\\phi} + \\lambda\\mathbf{1} = Z^\\top W\\boldsymbol{y}$, "
                 "$\\mathbf{1}^\\top\\boldsymbol{\\phi} = v(N) - v(\\emptyset)$. Entry $(i, j)$ of $Z^\\top W Z$ sums "
                 "$\\pi(S)$ over the coalitions holding $i$ and $j$:",
                 Line(Tex(f"{q}\\,Z^\\top W Z", q * A_sums), q * A),
                 Line(Tex(f"{q}\\,Z^\\top W \\boldsymbol{{y}}", q * c_sums), q * c),
                 Line(Tex("v(N) - v(\\emptyset)", v[full] - v[0]), delta), title="Constrained normal equations")
        sol.step(f"Multiplied by {q} (which clears the denominators), the normal equations and the constraint form one "
                 f"linear system $K\\,(\\boldsymbol{{\\phi}}, \\mu)^\\top = \\boldsymbol{{r}}$ with $\\mu = {q}\\lambda$; its "
                 "exact solution:",
                 Line(Tex("K"), K, kind="definition"),
                 Line(Tex("\\boldsymbol{r}"), rhs.T, kind="definition"),
                 Line(Tex("(\\boldsymbol{\\phi}, \\mu)"), sympy.ImmutableMatrix([list(x)]), kind="definition"),
                 Line(Tex("K\\,(\\boldsymbol{\\phi}, \\mu)^\\top", K * x), rhs))
        exact = shapley_values(v, d)
        sol.step("Side by side with the exact Shapley sums $\\sum_{S \\not\\ni i} \\frac{|S|!(d-|S|-1)!}{d!}"
                 "[v(S\\cup\\{i\\}) - v(S)]$ over the same coalition values, the least-squares solution is the Shapley "
                 "value of every feature:",
                 *[Line(sympy.Symbol(f"{p.prefix}_{i + 1}"), exact[i]) for i in range(d)],
                 table=Table([Tex("i"), Tex("\\phi_i \\text{ (KernelSHAP)}"), Tex("\\phi_i \\text{ (Shapley sum)}")],
                             [[sympy.Integer(i + 1), phis[i], exact[i]] for i in range(d)]),
                 title="KernelSHAP equals Shapley")
        for k in range(1, d):
            sol.answer(f"pi_{k}", kernel_weight(k, d), f"Shapley kernel weight of a coalition of size {k}")
        for i, phi in enumerate(phis):
            sol.answer(f"{p.prefix}_{i + 1}", phi, f"KernelSHAP value of feature {i + 1}")
        return sol

    def reference(self, p, values: dict) -> dict:
        from symxai.methods.shap_family.shapley import _num
        values = {k: val for k, val in values.items() if k not in p.inputs}
        model = self._numeric_model(p, values)
        point = np.array([float(sympy.sympify(e).xreplace(_num(values))) for e in p.point])
        base = np.array([float(sympy.sympify(e).xreplace(_num(values))) for e in p.baseline])
        game = ref.interventional_game(model, point, [base])
        pis, phi = ref.kernel_shap(game, p.d)
        out = {f"pi_{k + 1}": w for k, w in enumerate(pis)}
        out.update({f"{p.prefix}_{i + 1}": val for i, val in enumerate(phi)})
        return out

    def tolerance(self, p, answer: str) -> float:
        return 1e-9
