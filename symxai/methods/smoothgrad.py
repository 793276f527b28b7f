"""SmoothGrad of a one-hidden-layer ReLU network in closed form.

For f(x) = c^T x + d + sum_j v_j ReLU(w_j^T x + b_j) the gradient is
c + sum_j v_j w_j H(w_j^T x + b_j), a step in each unit's pre-activation.
Under Gaussian noise eps ~ N(0, sigma^2 I) the unit sees w_j^T eps ~ N(0,
sigma^2 ||w_j||^2), so

    E[H(w_j^T (x + eps) + b_j)] = P(w_j^T eps > -z_j) = Phi(z_j / (sigma ||w_j||)),

with z_j = w_j^T x + b_j and Phi the standard normal CDF, and
SG_i = c_i + sum_j v_j w_ji Phi(z_j / (sigma ||w_j||)).  The value at a kink
does not matter (a set of probability zero), so ReLU'(0) plays no part.

``relu_network`` reads that structure off a parsed f (None when f is not of
this form); ``solve_relu`` writes the worked solution; ``relu_rows`` the
misconceptions; the numeric reference is ``symxai.reference.smoothgrad_relu``
(Monte Carlo on f itself, sharing nothing with this module).

>>> x1, x2 = sympy.symbols("x1 x2", real=True)
>>> net = relu_network(2 * sympy.Max(0, x1 - x2 + 1) - sympy.Max(0, x2) + x1, [x1, x2])
>>> net.linear, [(u.v, list(u.w), u.b) for u in net.units]
([1, 0], [(-1, [0, 1], 0), (2, [1, -1], 1)])
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symxai.expr.exprparse import Phi
from symxai.solve.model import Line, Solution, Table, Tex


@dataclass
class Unit:
    v: sympy.Expr   # output weight
    w: list         # input weights
    b: sympy.Expr   # bias
    atom: sympy.Expr

    def z(self, inputs, point):
        return sympy.expand(sum(wi * xi for wi, xi in zip(self.w, point)) + self.b)


@dataclass
class ReluNetwork:
    linear: list    # c_i, the skip (linear) part of the gradient
    units: list     # Unit


def _is_relu(m) -> bool:
    return isinstance(m, sympy.Max) and len(m.args) == 2 and sympy.S.Zero in m.args


def relu_network(f, inputs) -> ReluNetwork | None:
    """f as c^T x + d + sum_j v_j ReLU(w_j^T x + b_j) (weights free of the inputs), or None."""
    maxes = f.atoms(sympy.Max, sympy.Min)
    if not maxes or not all(_is_relu(m) for m in maxes):
        return None
    atoms = sorted(maxes, key=sympy.default_sort_key)
    slots = sympy.symbols(f"_u0:{len(atoms)}")
    outer = sympy.expand(f.xreplace(dict(zip(atoms, slots))))
    if outer.has(sympy.Max, sympy.Min):  # a ReLU inside another one: more than one hidden layer
        return None
    gens = [*inputs, *slots]
    try:
        poly = sympy.Poly(outer, *gens)
    except sympy.PolynomialError:
        return None
    if poly.total_degree() > 1:
        return None
    units = []
    for m, u in zip(atoms, slots):
        inner = sympy.expand(m.args[1] if m.args[0] == 0 else m.args[0])
        if inner.has(sympy.Max, sympy.Min):
            return None
        try:
            ip = sympy.Poly(inner, *inputs)
        except sympy.PolynomialError:
            return None
        if ip.total_degree() > 1:
            return None
        w = [ip.coeff_monomial(x) for x in inputs]
        units.append(Unit(poly.coeff_monomial(u), w, ip.coeff_monomial(1), m))
    return ReluNetwork([poly.coeff_monomial(x) for x in inputs], units)


def _norm(w):
    return sympy.sqrt(sympy.Add(*[wi**2 for wi in w]))


def unit_probabilities(net: ReluNetwork, inputs, point, sigma, scale=None) -> list:
    """Phi(z_j / (s ||w_j||)) per unit (s = sigma, or ``scale(sigma, w)`` for a misconception); None for a
    unit with w_j = 0, which adds nothing to the gradient."""
    out = []
    for u in net.units:
        n = _norm(u.w)
        if n.is_zero:
            out.append(None)
            continue
        s = sigma * n if scale is None else scale(sigma, n)
        out.append(Phi(sympy.simplify(u.z(inputs, point) / s)))
    return out


def relu_smoothgrad(net, inputs, point, sigma, probs=None) -> list:
    probs = unit_probabilities(net, inputs, point, sigma) if probs is None else probs
    return [sympy.simplify(net.linear[i] + sympy.Add(*[u.v * u.w[i] * q for u, q in zip(net.units, probs)
                                                      if q is not None]))
            for i in range(len(inputs))]


def undecided_unit(net: ReluNetwork) -> int | None:
    """The 1-based index of a unit whose w_j = 0 cannot be decided (a symbolic weight), or None."""
    for j, u in enumerate(net.units):
        if _norm(u.w).is_zero is None:
            return j + 1
    return None


def solve_relu(p, net: ReluNetwork) -> Solution:
    """The worked solution for a one-hidden-layer ReLU network f (p: a GradientProblem)."""
    sol = Solution()
    x = dict(zip(p.inputs, p.point))
    sol.step("SmoothGrad averages the gradient over Gaussian noise:",
             Line(Tex("\\mathrm{SG}_i"), Tex("\\mathbb{E}_{\\boldsymbol{\\epsilon}\\sim\\mathcal{N}(0,\\sigma^2 I)}"
                                              "\\Bigl[\\frac{\\partial f}{\\partial x_i}(\\boldsymbol{x} + \\boldsymbol{\\epsilon})\\Bigr]"),
                  kind="formula"),
             title="Definition")
    sol.step("$f$ is a ReLU network with one hidden layer, $f(\\boldsymbol{x}) = \\boldsymbol{c}^\\top\\boldsymbol{x} + d "
             "+ \\sum_j v_j \\mathrm{ReLU}(z_j)$ with $z_j = \\boldsymbol{w}_j^\\top\\boldsymbol{x} + b_j$, so its "
             "gradient is $\\boldsymbol{c} + \\sum_j v_j \\boldsymbol{w}_j H(z_j)$: a step in every unit. Under the "
             "noise, unit $j$ sees $\\boldsymbol{w}_j^\\top\\boldsymbol{\\epsilon} \\sim \\mathcal{N}(0, "
             "\\sigma^2\\|\\boldsymbol{w}_j\\|^2)$, hence",
             Line(Tex("\\mathbb{E}\\bigl[H(z_j + \\boldsymbol{w}_j^\\top\\boldsymbol{\\epsilon})\\bigr]"),
                  Tex("P\\bigl(\\boldsymbol{w}_j^\\top\\boldsymbol{\\epsilon} > -z_j\\bigr)"),
                  Tex("\\Phi\\Bigl(\\frac{z_j}{\\sigma\\|\\boldsymbol{w}_j\\|}\\Bigr)"), kind="formula"),
             title="Gaussian smoothing of the ReLU steps")
    probs = unit_probabilities(net, p.inputs, p.point, p.sigma)
    rows = []
    for j, (u, q) in enumerate(zip(net.units, probs)):
        wj = sympy.ImmutableMatrix(u.w).T
        rows.append([sympy.Integer(j + 1), u.atom, wj, u.z(p.inputs, p.point), _norm(u.w),
                     q if q is not None else Tex("\\text{(no gradient)}")])
    sol.step("Each unit at the point [[x]] ($\\Phi$ is the standard normal CDF):",
             table=Table([Tex("j"), Tex("\\text{unit}"), Tex("\\boldsymbol{w}_j^\\top"), Tex("z_j(\\boldsymbol{x})"),
                          Tex("\\|\\boldsymbol{w}_j\\|"), Tex("\\mathbb{E}[H(z_j)]")], rows),
             x=sympy.ImmutableMatrix(p.point).T)
    SG = relu_smoothgrad(net, p.inputs, p.point, p.sigma, probs)
    for i in range(len(p.inputs)):
        terms = [sympy.Mul(u.v * u.w[i], q, evaluate=False) for u, q in zip(net.units, probs)
                 if q is not None and u.v * u.w[i] != 0]
        if net.linear[i] != 0:
            terms.insert(0, net.linear[i])
        shown = sympy.Add(*terms, evaluate=False) if len(terms) > 1 else (terms[0] if terms else sympy.Integer(0))
        sol.step("", Line(sympy.Symbol(f"{p.prefix}_{i + 1}"), shown, SG[i]))
    grad = [sympy.diff(p.f, s).xreplace(x) for s in p.inputs]
    sol.step("As $\\sigma \\to 0$ every $\\Phi$ tends to the unit's step and SmoothGrad to the plain gradient "
             "[[g]] (with $H(0) = \\frac{1}{2}$ at a kink); for large $\\sigma$ every $\\Phi$ tends to $\\frac{1}{2}$, "
             "half of each unit's gradient, wherever the point is.", g=sympy.ImmutableMatrix(grad).T,
             title="Checking the result")
    for i, v in enumerate(SG):
        sol.answer(f"{p.prefix}_{i + 1}", v, f"SmoothGrad of feature {i + 1}")
    return sol


def relu_rows(p, net: ReluNetwork) -> list:
    """Misconceptions: no smoothing (the plain gradient), ||w_j|| forgotten, sigma^2 for sigma, times x_i."""
    from symxai.misconceptions import Misconception

    names = [f"{p.prefix}_{i + 1}" for i in range(len(p.inputs))]
    x = dict(zip(p.inputs, p.point))
    right = relu_smoothgrad(net, p.inputs, p.point, p.sigma)
    plain = [sympy.diff(p.f, s).xreplace(x) for s in p.inputs]
    rows = [
        ("no-smoothing", "SmoothGrad averages the gradient over the noise; you gave the gradient at the point, "
         "where each ReLU is either on or off: under noise unit j is on with probability Phi(z_j/(sigma ||w_j||))",
         plain),
        ("norm-forgotten", "the noise reaches unit j as w_j^T eps, whose standard deviation is sigma ||w_j||, not "
         "sigma", relu_smoothgrad(net, p.inputs, p.point, p.sigma,
                                  unit_probabilities(net, p.inputs, p.point, p.sigma, lambda s, n: s))),
        ("variance-for-deviation", "Phi takes z_j over the standard deviation sigma ||w_j||, not over the variance "
         "sigma^2 ||w_j||^2", relu_smoothgrad(net, p.inputs, p.point, p.sigma,
                                               unit_probabilities(net, p.inputs, p.point, p.sigma,
                                                                  lambda s, n: s**2 * n**2))),
        ("times-input", "SmoothGrad averages the gradient itself; you multiplied it by x_i as in gradient x input",
         [xi * v for xi, v in zip(p.point, right)]),
    ]
    return [Misconception(label, message, dict(zip(names, values))) for label, message, values in rows
            if any(sympy.simplify(a - b) != 0 for a, b in zip(values, right))]
