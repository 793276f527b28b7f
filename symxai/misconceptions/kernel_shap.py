"""Misconceptions about KernelSHAP: the kernel weights and the constraint.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/xai-shap-family.yaml").task("kernel-shap.d4")
>>> rows = misconceptions(task.problem, task.method.solve(task.problem))
>>> [r.values["pi_2"] for r in rows if r.label in ("uniform-kernel", "no-binomial", "shapley-weights")]
[1, 3/4, 1/12]
"""

from __future__ import annotations

from math import comb, factorial

import sympy

from symxai.methods.shap_family.kernel_shap import KernelShap, solve_wls
from symxai.misconceptions import Law, Misconception


def misconceptions(problem, solution) -> list:
    """Wrong kernels (each with the phi it gives), the unconstrained fit, and efficiency."""
    p, d = problem, problem.d
    v = KernelShap().values(p)
    phis = [f"{p.prefix}_{i + 1}" for i in range(d)]
    kernels = [
        ("uniform-kernel", "you gave every coalition the same weight; the Shapley kernel "
         "(d-1)/(C(d,|S|)|S|(d-|S|)) weights the small and the large coalitions most",
         lambda k: sympy.Integer(1)),
        ("no-binomial", "you left out the binomial coefficient C(d,|S|) of the Shapley kernel: the weight of a "
         "coalition is (d-1)/(C(d,|S|)|S|(d-|S|))", lambda k: sympy.Rational(d - 1, k * (d - k))),
        ("shapley-weights", "you used the Shapley-value weights |S|!(d-|S|-1)!/d! as regression weights; the "
         "kernel of the regression is (d-1)/(C(d,|S|)|S|(d-|S|))",
         lambda k: sympy.Rational(factorial(k) * factorial(d - k - 1), factorial(d))),
    ]
    rows = []
    for label, message, pi in kernels:
        values = {f"pi_{k}": pi(k) for k in range(1, d)}
        values.update(zip(phis, solve_wls(v, d, pi)))
        rows.append(Misconception(label, message, values))
    kernel = lambda k: sympy.Rational(d - 1, comb(d, k) * k * (d - k))  # noqa: E731
    rows.append(Misconception("no-constraint", "you fitted the regression with a free intercept and without the "
                              "efficiency constraint: the empty and the full coalition have infinite weight, so "
                              "phi_0 = v(empty) and the values must add up to v(N) - v(empty)",
                              dict(zip(phis, solve_wls(v, d, kernel, constrained=False)))))
    gain = sympy.simplify(v[-1] - v[0])
    rows.append(Law("efficiency", f"your values do not add up to v(N) - v(empty) = {gain}: the efficiency "
                    "constraint of KernelSHAP is violated", tuple(phis), lambda given: sum(given[n] for n in phis) - gain))
    return rows
