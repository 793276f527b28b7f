"""Misconceptions shared by the gradient attributions: gradient x input, Integrated Gradients, SmoothGrad.

Every row reruns the attribution with one ingredient taken wrongly: the
gradient at the wrong place (the input instead of the path average, the
baseline, the two ends averaged), a factor forgotten or added (x_i - x'_i,
x_i), the ReLU read as always on or always off, the chain rule's inner sign
dropped, SmoothGrad without its noise term or with sigma for sigma^2.  The
modules named after the three methods pick their rows from here.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/tub-ml1-lecture14.yaml").task("integrated-gradients")
>>> rows = integrated_gradients_rows(task.problem)
>>> [(r.label, r.values["IG_1"]) for r in rows][:2]
[('no-difference', 7/6), ('gradient-at-input', 4)]
"""

from __future__ import annotations

from dataclasses import replace

import sympy

from symxai.misconceptions import Misconception


def _names(p):
    return [f"{p.prefix}_{i + 1}" for i in range(len(p.inputs))]


def _gradient(p, f, at):
    where = dict(zip(p.inputs, at))
    return [sympy.simplify(sympy.diff(f, s).xreplace(where)) for s in p.inputs]


def _relus(f):
    return [m for m in f.atoms(sympy.Max) if len(m.args) == 2 and sympy.S.Zero in m.args]


def _inner(m):
    return m.args[1] if m.args[0] == 0 else m.args[0]


def _relu_as(f, gate):
    """f with every ReLU(z) replaced by z (gate 1: always on) or by 0 (gate 0: always off)."""
    return f.xreplace({m: gate * _inner(m) for m in _relus(f)})


def _unsigned_gradient(p, at):
    """The gradient with d ReLU(z)/dx_i taken as step(z) |dz/dx_i|: the inner derivative's sign dropped."""
    where = dict(zip(p.inputs, at))
    units = _relus(p.f)
    slots = sympy.symbols(f"u0:{len(units)}", real=True)
    outer = p.f.xreplace(dict(zip(units, slots)))
    out = []
    for s in p.inputs:
        g = sympy.diff(outer, s)
        for m, u in zip(units, slots):
            g += sympy.diff(outer, u) * sympy.Heaviside(_inner(m), 1) * sympy.Abs(sympy.diff(_inner(m), s))
        out.append(sympy.simplify(g.xreplace(dict(zip(slots, units))).xreplace(where)))
    return out


def _row(label, message, names, values):
    return Misconception(label, message, dict(zip(names, values)))


def _distance(p):
    return [x - b for x, b in zip(p.point, p.baseline)]


def _ig(p):
    from symxai.methods.saliency.gradients import IntegratedGradients

    solved = IntegratedGradients().solve(p)
    return [solved.answers[n].value for n in _names(p)]


def integrated_gradients_rows(p) -> list:
    """IG rows: the path average without the distance, the gradient at one end or both, the ReLU."""
    names, diff = _names(p), _distance(p)
    at_x, at_base = _gradient(p, p.f, p.point), _gradient(p, p.f, p.baseline)
    ig = _ig(p)
    rows = [
        _row("no-difference", "IG_i multiplies the path-averaged gradient by (x_i - x'_i); you gave the "
             "average alone", names, [v / d if d != 0 else v for v, d in zip(ig, diff)]),
        _row("gradient-at-input", "IG averages the gradient along the path from x' to x; you took it at x only "
             "(that is gradient x (x - x'))", names, [g * d for g, d in zip(at_x, diff)]),
        _row("gradient-at-baseline", "IG averages the gradient along the path; you took it at the baseline x' "
             "only", names, [g * d for g, d in zip(at_base, diff)]),
        _row("trapezoid", "you averaged the gradients at the two ends of the path; along a path that crosses a "
             "ReLU kink (or a curved f) the gradient is not linear, so integrate it piece by piece", names,
             [(a + b) / 2 * d for a, b, d in zip(at_x, at_base, diff)]),
    ]
    if _relus(p.f):
        rows += [
            _row("relu-always-on", "the ReLU is off on the part of the path where its input is negative; you "
                 "integrated its step as 1 all along", names, _ig(replace(p, f=_relu_as(p.f, 1)))),
            _row("relu-ignored", "you left the ReLU unit out of f; it switches on along the path and adds to "
                 "the integral", names, _ig(replace(p, f=_relu_as(p.f, 0)))),
        ]
    return rows


def gradient_x_input_rows(p) -> list:
    """Gradient x input rows: the gradient alone, the ReLU gate, the chain rule's inner sign."""
    names, x = _names(p), list(p.point)
    grad = _gradient(p, p.f, x)
    gxi = lambda q: [xi * g for xi, g in zip(x, _gradient(q, q.f, x))]
    rows = [
        _row("gradient-only", "R_i multiplies the partial derivative by the input x_i; you gave the gradient "
             "alone", names, grad),
        _row("whole-prediction", "R_i is feature i's share of f(x); you gave every feature the whole prediction",
             names, [p.at(x)] * len(x)),
    ]
    if _relus(p.f):
        rows += [
            _row("relu-always-on", "a ReLU with negative input is off and passes no gradient; you treated it "
                 "as the identity", names, gxi(replace(p, f=_relu_as(p.f, 1)))),
            _row("inner-sign-dropped", "the chain rule through ReLU(z) multiplies its step by dz/dx_i, sign "
                 "included: d/dx_2 ReLU(x_1 - x_2) = -1 where x_1 > x_2", names,
                 [xi * g for xi, g in zip(x, _unsigned_gradient(p, x))]),
        ]
    return rows


def _smoothgrad_with(p, moment):
    eps = sympy.symbols(f"e1:{len(p.inputs) + 1}", real=True)
    out = []
    for s in p.inputs:
        shifted = sympy.expand(sympy.diff(p.f, s).xreplace({x: v + e for x, v, e in zip(p.inputs, p.point, eps)}))
        poly = sympy.Poly(shifted, *eps)
        out.append(sympy.simplify(sum(c * sympy.Mul(*[moment(k) for k in ks]) for ks, c in poly.terms())))
    return out


def smoothgrad_rows(p) -> list:
    """SmoothGrad rows: the noise term dropped, sigma for sigma^2, the odd moments kept, times the input."""
    names, sigma = _names(p), p.sigma
    right = _smoothgrad_with(p, lambda k: 0 if k % 2 else sigma**k * sympy.factorial2(k - 1))
    return [
        _row("no-noise-term", "the gradient of a cubic is quadratic in the noise, and E[eps^2] = sigma^2 is not "
             "zero: SmoothGrad keeps a sigma^2 term the plain gradient lacks", names,
             _gradient(p, p.f, p.point)),
        _row("sigma-for-variance", "the noise has variance sigma^2: E[eps^2] = sigma^2, not sigma", names,
             _smoothgrad_with(p, lambda k: 0 if k % 2 else sigma**(k // 2) * sympy.factorial2(k - 1))),
        _row("odd-moments", "odd moments of a centred Gaussian vanish: E[eps] = E[eps^3] = 0", names,
             _smoothgrad_with(p, lambda k: sigma**k * sympy.factorial2(k - 1) if k % 2 == 0 else sigma**k)),
        _row("times-input", "SmoothGrad averages the gradient itself; you multiplied it by x_i as in "
             "gradient x input", names, [x * v for x, v in zip(p.point, right)]),
    ]
