"""Activation maximisation of f(x) = max(x_1, ..., x_n) under an l2 penalty, by case analysis.

The objective J(x) = max_k x_k - kappa ||x||^2 is not differentiable where two
inputs tie, and not concave, so the gradient route does not apply directly.
But a maximum of maxima can be taken in either order:

    max_x max_k [x_k - kappa ||x||^2] = max_k max_x [x_k - kappa ||x||^2],

and each piece J_k is a strictly concave quadratic with a unique maximiser.
The maximisers of J are those of the pieces that reach the largest value.

>>> import sympy
>>> from symxai.solve.model import Solution
>>> lam = sympy.Symbol("lambda", positive=True)
>>> x1, x2 = sympy.symbols("x1 x2", real=True)
>>> sol = Solution()
>>> solve_max(sol, [x1, x2], lam)
>>> sol.answers["x_star"].value == sympy.FiniteSet(sympy.ImmutableMatrix([1/(2*lam), 0]), sympy.ImmutableMatrix([0, 1/(2*lam)]))
True
"""

from __future__ import annotations

import sympy

from symxai.solve.model import Line, Solution, Table, Tex


def solve_max(sol: Solution, inputs: list, kappa) -> None:
    """Add the case analysis of max(inputs) - kappa ||x||^2 (kappa > 0) to ``sol``; answer ``x_star``."""
    n = len(inputs)
    x = sympy.ImmutableMatrix(inputs)
    J = sympy.Function("J")
    norm = sum(v**2 for v in inputs)
    sol.step("The objective to maximise is", Line(J(*inputs), sympy.Max(*inputs) - kappa * norm, kind="definition"),
             title="Objective")
    sol.step("It has a kink wherever two inputs tie, so we split it into smooth pieces, $J = \\max_k J_k$, "
             "and exchange the two maximisations:",
             Line(Tex("J_k(x)"), sympy.Symbol("x_k", real=True) - kappa * norm, kind="definition"),
             Line(Tex("\\max_x J(x)"), Tex("\\max_x \\max_k J_k(x)"), Tex("\\max_k \\max_x J_k(x)"), kind="formula"))
    candidates, rows = [], []
    for k, xk in enumerate(inputs):
        piece = xk - kappa * norm
        grad = sympy.ImmutableMatrix([sympy.diff(piece, v) for v in inputs])
        hess = sympy.hessian(piece, inputs)
        sol_k = sympy.solve(list(grad), inputs, dict=True)
        if len(sol_k) != 1:
            raise ValueError(f"piece {k + 1} has {len(sol_k)} stationary points; kappa must be > 0")
        point = sympy.ImmutableMatrix([sympy.simplify(sol_k[0][v]) for v in inputs])
        value = sympy.simplify(piece.xreplace(dict(zip(inputs, point))))
        in_region = sympy.simplify(sympy.Max(*point) - point[k]) == 0
        candidates.append((point, value))
        sol.step(f"Piece {k + 1}: the gradient vanishes at one point, and the Hessian is negative definite "
                 f"(because [[kappa]] $> 0$), so that point is the unique maximiser of the piece.",
                 Line(Tex(f"\\nabla J_{{{k + 1}}}", sympy.Matrix([sympy.diff(piece, v) for v in inputs])), grad,
                      sympy.zeros(n, 1), kind="equation", at=dict(zip(inputs, point))),
                 Line(Tex(f"\\nabla^2 J_{{{k + 1}}}", sympy.Matrix([[sympy.diff(piece, a, b) for b in inputs]
                                                                     for a in inputs])), hess),
                 Line(Tex(f"x^{{({k + 1})}}"), point, kind="definition"),
                 title=f"Case {k + 1}: $x_{{{k + 1}}}$ is the largest input", kappa=kappa)
        rows.append([sympy.Integer(k + 1), point, value, "yes" if in_region else "no"])
    best = candidates[0][1]
    for _, value in candidates[1:]:
        if sympy.simplify(value - best).is_positive:
            best = value
    winners = [pt for pt, value in candidates if sympy.simplify(value - best) == 0]
    sol.step("Comparing the pieces' maxima (each candidate also lies in the region where its input is the largest, "
             "so there $J = J_k$):",
             table=Table([Tex("k"), Tex("x^{(k)}"), Tex("J_k(x^{(k)})"), Tex("x_k\\text{ largest there}")], rows),
             title="Comparing the cases")
    answer = sympy.FiniteSet(*winners)
    many = len(winners) > 1
    sol.step(("All pieces reach the same value [[best]], so $J$ has " + f"{len(winners)} maximisers, one per input: "
              "no single prototype, the penalty only fixes how far along each input axis to go.") if many else
             "One piece reaches the largest value [[best]]; its maximiser is the prototype.",
             Line(Tex("x^{\\star}"), answer, kind="definition"), best=best)
    sol.answer("x_star", answer, "the maximisers" if many else "the maximiser")
