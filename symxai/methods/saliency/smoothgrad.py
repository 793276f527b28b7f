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
    v: sympy.Expr   # output weight (the constant part of the gate g_j)
    w: list         # input weights
    b: sympy.Expr   # bias
    atom: sympy.Expr
    a: list = None  # the gate's input coefficients: g_j(x) = v_j + a_j^T x (None: all 0)

    def gated(self) -> bool:
        return self.a is not None and any(c != 0 for c in self.a)

    def z(self, inputs, point):
        return sympy.expand(sum(wi * xi for wi, xi in zip(self.w, point)) + self.b)


@dataclass
class ReluNetwork:
    linear: list    # c_i, the skip (linear) part of the gradient (None when the skip part P is not linear)
    units: list     # Unit
    poly: sympy.Expr = None  # the skip part P(x) (any polynomial)

    def simple(self) -> bool:
        """c^T x + d + sum_j v_j ReLU(z_j): constant output weights and a linear skip part."""
        return self.linear is not None and not any(u.gated() for u in self.units)


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
    nx = len(inputs)
    gates = {u: [sympy.Integer(0)] * (nx + 1) for u in slots}  # v_j, then a_j
    skip = sympy.Integer(0)
    for monom, coeff in poly.terms():
        xs, us = monom[:nx], monom[nx:]
        if not any(us):
            skip += coeff * sympy.Mul(*[x**k for x, k in zip(inputs, xs)])
            continue
        if sum(us) != 1 or sum(xs) > 1:  # a product of units, or a unit times a curved term
            return None
        u = slots[us.index(1)]
        gates[u][0 if not any(xs) else 1 + xs.index(1)] += coeff
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
        units.append(Unit(gates[u][0], w, ip.coeff_monomial(1), m, gates[u][1:]))
    skip_poly = sympy.Poly(skip, *inputs) if skip != 0 else None
    linear = ([skip_poly.coeff_monomial(x) if skip_poly else sympy.Integer(0) for x in inputs]
              if skip_poly is None or skip_poly.total_degree() <= 1 else None)
    return ReluNetwork(linear, units, skip)


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


def phi(t):
    """The standard normal density."""
    return sympy.exp(-t**2 / 2) / sympy.sqrt(2 * sympy.pi)


def _moment(k: int, sigma):
    return sympy.Integer(0) if k % 2 else sigma**k * sympy.factorial2(k - 1)


def smoothed_polynomial_gradient(P, inputs, point, sigma) -> list:
    """E[dP/dx_i (x + eps)] through the Gaussian moments."""
    eps = sympy.symbols(f"_e1:{len(inputs) + 1}", real=True)
    out = []
    for s in inputs:
        g = sympy.expand(sympy.diff(P, s).xreplace({x: v + e for x, v, e in zip(inputs, point, eps)}))
        if g == 0:
            out.append(sympy.Integer(0))
            continue
        out.append(sympy.Add(*[c * sympy.Mul(*[_moment(k, sigma) for k in ks])
                               for ks, c in sympy.Poly(g, *eps).terms()]))
    return out


def general_smoothgrad(net, inputs, point, sigma, scale=None) -> list:
    """SG_i for f = P(x) + sum_j g_j(x) ReLU(z_j) with affine gates g_j = v_j + a_j^T x:

    E[g_j(x + eps) H(z_j + w_j^T eps)] = g_j(x) Phi(t_j) + sigma^2 (a_j^T w_j) phi(t_j) / s_j,
    E[ReLU(z_j + w_j^T eps)] = z_j Phi(t_j) + s_j phi(t_j),   s_j = sigma ||w_j||, t_j = z_j / s_j
    (Stein's lemma for the first), so SG_i = E[d_i P] + sum_j (w_ji E[g_j H] + a_ji E[ReLU]).
    """
    out = smoothed_polynomial_gradient(net.poly, inputs, point, sigma)
    for u in net.units:
        a = u.a or [sympy.Integer(0)] * len(inputs)
        n, z = _norm(u.w), u.z(inputs, point)
        if n.is_zero:  # a constant unit ReLU(b_j): only its gate's slope a_j ReLU(b_j) is left
            out = [o + ai * sympy.Max(0, u.b) for o, ai in zip(out, a)]
            continue
        s_j = sigma * n if scale is None else scale(sigma, n)
        t = sympy.simplify(z / s_j)
        g_x = u.v + sum(ai * xi for ai, xi in zip(a, point))
        aw = sum(ai * wi for ai, wi in zip(a, u.w))
        gate_h = g_x * Phi(t) + sigma**2 * aw * phi(t) / s_j
        relu = z * Phi(t) + s_j * phi(t)
        out = [o + wi * gate_h + ai * relu for o, wi, ai in zip(out, u.w, a)]
    return [sympy.simplify(o) for o in out]


def relu_smoothgrad(net, inputs, point, sigma, probs=None) -> list:
    if not net.simple():
        return general_smoothgrad(net, inputs, point, sigma)
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
    if not net.simple():
        return _solve_general(p, net, sol)
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


def _solve_general(p, net: ReluNetwork, sol: Solution) -> Solution:
    """Affine gates g_j(x) ReLU(z_j) and a polynomial skip part P: Phi and phi terms (Stein's lemma)."""
    sol.step("$f$ has the form $P(\\boldsymbol{x}) + \\sum_j g_j(\\boldsymbol{x})\\,\\mathrm{ReLU}(z_j)$ with a "
             "polynomial $P$, affine gates $g_j(\\boldsymbol{x}) = v_j + \\boldsymbol{a}_j^\\top\\boldsymbol{x}$ and "
             "$z_j = \\boldsymbol{w}_j^\\top\\boldsymbol{x} + b_j$, so $\\partial_i f = \\partial_i P + \\sum_j "
             "\\bigl(a_{ji}\\,\\mathrm{ReLU}(z_j) + g_j(\\boldsymbol{x})\\,w_{ji} H(z_j)\\bigr)$. Unit $j$ sees the "
             "noise as $\\boldsymbol{w}_j^\\top\\boldsymbol{\\epsilon} \\sim \\mathcal{N}(0, s_j^2)$, $s_j = "
             "\\sigma\\|\\boldsymbol{w}_j\\|$, $t_j = z_j/s_j$; with $\\Phi$ and $\\varphi$ the standard normal CDF "
             "and density, and Stein's lemma $\\mathbb{E}[\\epsilon\\, h(\\epsilon)] = \\sigma^2 "
             "\\mathbb{E}[h'(\\epsilon)]$ for the gate's noise,",
             Line(Tex("\\mathbb{E}[H(z_j + \\boldsymbol{w}_j^\\top\\boldsymbol{\\epsilon})]"), Tex("\\Phi(t_j)"),
                  kind="formula"),
             Line(Tex("\\mathbb{E}[\\mathrm{ReLU}(z_j + \\boldsymbol{w}_j^\\top\\boldsymbol{\\epsilon})]"),
                  Tex("z_j\\Phi(t_j) + s_j\\varphi(t_j)"), kind="formula"),
             Line(Tex("\\mathbb{E}[g_j(\\boldsymbol{x} + \\boldsymbol{\\epsilon})\\,H(z_j + "
                      "\\boldsymbol{w}_j^\\top\\boldsymbol{\\epsilon})]"),
                  Tex("g_j(\\boldsymbol{x})\\Phi(t_j) + \\frac{\\sigma^2\\,\\boldsymbol{a}_j^\\top\\boldsymbol{w}_j}"
                      "{s_j}\\varphi(t_j)"), kind="formula"),
             title="Gaussian smoothing of the gated ReLU units")
    rows = []
    for j, u in enumerate(net.units):
        a = u.a or [0] * len(p.inputs)
        n = _norm(u.w)
        gate = u.v + sum(ai * xi for ai, xi in zip(a, p.inputs))
        t = sympy.simplify(u.z(p.inputs, p.point) / (p.sigma * n)) if not n.is_zero else Tex("\\text{--}")
        rows.append([sympy.Integer(j + 1), u.atom, gate, u.z(p.inputs, p.point), n, t])
    sol.step("Each unit at the point [[x]]; the polynomial part contributes $\\mathbb{E}[\\partial_i P(\\boldsymbol{x} + "
             "\\boldsymbol{\\epsilon})]$ through the Gaussian moments $\\mathbb{E}[\\epsilon^k] = \\sigma^k (k-1)!!$ "
             "($k$ even, 0 for odd $k$):",
             table=Table([Tex("j"), Tex("\\text{unit}"), Tex("g_j(\\boldsymbol{x})"), Tex("z_j(\\boldsymbol{x})"),
                          Tex("\\|\\boldsymbol{w}_j\\|"), Tex("t_j")], rows),
             x=sympy.ImmutableMatrix(p.point).T)
    SG = general_smoothgrad(net, p.inputs, p.point, p.sigma)
    for i, v in enumerate(SG):
        sol.step("", Line(sympy.Symbol(f"{p.prefix}_{i + 1}"), v))
        sol.answer(f"{p.prefix}_{i + 1}", v, f"SmoothGrad of feature {i + 1}")
    return sol


def _scaled(net, p, scale):
    """SmoothGrad with the units' noise scale s_j taken as ``scale(sigma, ||w_j||)`` (a misconception)."""
    if not net.simple():
        return general_smoothgrad(net, p.inputs, p.point, p.sigma, scale)
    return relu_smoothgrad(net, p.inputs, p.point, p.sigma, unit_probabilities(net, p.inputs, p.point, p.sigma, scale))


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
         "sigma", _scaled(net, p, lambda s, n: s)),
        ("variance-for-deviation", "Phi takes z_j over the standard deviation sigma ||w_j||, not over the variance "
         "sigma^2 ||w_j||^2", _scaled(net, p, lambda s, n: s**2 * n**2)),
        ("times-input", "SmoothGrad averages the gradient itself; you multiplied it by x_i as in gradient x input",
         [xi * v for xi, v in zip(p.point, right)]),
    ]
    return [Misconception(label, message, dict(zip(names, values))) for label, message, values in rows
            if any(sympy.simplify(a - b) != 0 for a, b in zip(values, right))]
