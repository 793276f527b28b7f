"""LRP rules as rows of one table, and the one backward step that reads them.

A rule is a list of *parts*; each part is normalised on its own and weighted
by a coefficient (alpha-beta has two parts, every other rule one).  A part's
contribution of neuron j to neuron k is a sum of terms ``sign * source_j *
rho(w_jk)``: the source is the activation a_j, the constant 1, or the bounds
l_j, h_j of the input domain; rho transforms the weight (w, w+, w-, w + gamma
w+, w^2, 1).  A new rule is a new row (the zennit design: one backward pass,
modifiers filled in).

    R_j = sum_k sum_parts coef * z_jk / (sum_j z_jk [+ rho(b_k)] [+ stabiliser]) * R_k

Conventions: a bias is a neuron of activation 1 (``bias="neuron"``: it takes
its share of relevance, which is lost to the inputs) or left out of the
denominator (``bias="ignore"``); the epsilon stabiliser is ``z + eps`` (plus)
or ``z + eps sign(z)`` (sign); a denominator that is identically 0 gives 0
(0/0 := 0: an inactive neuron receives and passes on nothing).

>>> import sympy
>>> a1, a2 = sympy.symbols("a1 a2", positive=True)
>>> W = sympy.ImmutableMatrix([[1, -1]])
>>> step = propagate([a1, a2], W, sympy.zeros(1, 1), [a1 - a2], RULES["z+"], {})
>>> step.relevance
[a1 - a2, 0]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy


@dataclass(frozen=True)
class Term:
    sign: int
    source: str  # "a" activation, "one", "low", "high"
    rho: str  # "w", "w+", "w-", "gamma", "w2", "one"


@dataclass(frozen=True)
class Part:
    coef: str | int  # a number or the name of a rule parameter ("alpha", "-beta")
    terms: tuple


@dataclass(frozen=True)
class Rule:
    key: str
    title: str  # LaTeX name of the rule
    formula: str  # LaTeX of R_j in terms of R_k
    parts: tuple
    params: tuple = ()
    bias: bool = True  # does the bias enter the denominator (as rho(b_k)) when bias="neuron"?
    stabilised: bool = False
    first_layer_only: bool = False


def _one(*terms):
    return (Part(1, tuple(Term(*t) for t in terms)),)


_FRAC = "R_j = \\sum_k \\frac{%s}{\\sum_{j} %s} R_k"
RULES = {r.key: r for r in [
    Rule("lrp0", "LRP-0", _FRAC % ("a_j w_{jk}", "a_j w_{jk}"), _one((1, "a", "w"))),
    Rule("epsilon", "LRP-$\\varepsilon$", "R_j = \\sum_k \\frac{a_j w_{jk}}{\\varepsilon + \\sum_{j} a_j w_{jk}} R_k",
         _one((1, "a", "w")), ("epsilon",), stabilised=True),
    Rule("gamma", "LRP-$\\gamma$", _FRAC % ("a_j (w_{jk} + \\gamma w_{jk}^+)", "a_j (w_{jk} + \\gamma w_{jk}^+)"),
         _one((1, "a", "gamma")), ("gamma",)),
    Rule("z+", "$z^+$", _FRAC % ("a_j w_{jk}^+", "a_j w_{jk}^+"), _one((1, "a", "w+"))),
    Rule("alphabeta", "LRP-$\\alpha\\beta$",
         "R_j = \\sum_k \\Big(\\alpha \\frac{(a_j w_{jk})^+}{\\sum_{j} (a_j w_{jk})^+} - "
         "\\beta \\frac{(a_j w_{jk})^-}{\\sum_{j} (a_j w_{jk})^-}\\Big) R_k",
         (Part("alpha", (Term(1, "a", "w+"),)), Part("-beta", (Term(1, "a", "w-"),))), ("alpha", "beta")),
    Rule("zB", "$z^{\\mathcal{B}}$", _FRAC % ("x_j w_{jk} - l_j w_{jk}^+ - h_j w_{jk}^-",
                                               "(x_j w_{jk} - l_j w_{jk}^+ - h_j w_{jk}^-)"),
         _one((1, "a", "w"), (-1, "low", "w+"), (-1, "high", "w-")), ("low", "high"), first_layer_only=True),
    Rule("flat", "flat", _FRAC % ("1", "1"), _one((1, "one", "one")), bias=False),
    Rule("w2", "$w^2$", _FRAC % ("w_{jk}^2", "w_{jk}^2"), _one((1, "one", "w2")), bias=False),
]}


def rho(kind: str, w, gamma=None):
    """The weight transform of a rule (``gamma-`` is the mirrored gamma transform w + gamma w^-).

    >>> rho("w+", -2), rho("w-", -2), rho("gamma", 3, sympy.Rational(1, 2)), rho("w2", -3), rho("gamma-", -2, 1)
    (0, -2, 9/2, 9, -4)
    """
    w = sympy.sympify(w)
    if kind == "w":
        return w
    if kind == "w+":
        return sympy.Max(0, w)
    if kind == "w-":
        return sympy.Min(0, w)
    if kind == "gamma":
        return w + gamma * sympy.Max(0, w)
    if kind == "gamma-":
        return w + gamma * sympy.Min(0, w)
    if kind == "w2":
        return w ** 2
    if kind == "one":
        return sympy.Integer(1)
    raise KeyError(kind)


MIRROR = {"w+": "w-", "w-": "w+", "gamma": "gamma-", "gamma-": "gamma"}

# The conventions in which LRP implementations differ, with symxai's defaults (docs/lrp-conventions.md).
DEFAULTS = {
    "bias": "neuron",            # neuron: b_k (transformed like a weight) in the denominator; ignore: left out
    "stabiliser": "plus",        # plus: z + eps; sign: z + eps sign(z)
    "sign_of_zero": "zero",      # sign(0) in the sign stabiliser: zero (0/0 := 0) or plus (zennit: 0 -> eps)
    "gamma_negative": "textbook",  # textbook: w + gamma w+ always; generalised: w + gamma w- where z_k < 0
    "split_inputs": False,       # x = x+ + x-: negative inputs use the mirrored weight transform (gamma, z+, ab)
    "zB_bias": "add",            # add: b_k in the z^B denominator; cancel: bias neuron with l = h = 1 (adds 0)
    "w2_bias": "ignore",         # ignore: w^2 rule without bias; square: b_k^2 in the denominator
}
ZENNIT = {"bias": "neuron", "stabiliser": "sign", "sign_of_zero": "plus", "gamma_negative": "generalised",
          "split_inputs": True, "zB_bias": "cancel", "w2_bias": "square"}
PRESETS = {"symxai": dict(DEFAULTS), "zennit": ZENNIT}


def formula(rule: Rule, conv: dict) -> str:
    """The LaTeX of the rule as it is computed: alpha-beta splits a_j w_jk by its sign only when the
    inputs are split (x+ w+ + x- w-); otherwise it takes a_j w_jk^+ (equal for a_j >= 0)."""
    if rule.key == "alphabeta" and not conv.get("split_inputs"):
        return ("R_j = \\sum_k \\Big(\\alpha \\frac{a_j w_{jk}^+}{\\sum_{j} a_j w_{jk}^+} - "
                "\\beta \\frac{a_j w_{jk}^-}{\\sum_{j} a_j w_{jk}^-}\\Big) R_k")
    return rule.formula


class Undecided(Exception):
    """The sign of an affine expression is not fixed on the region: the caller splits the region there."""

    def __init__(self, expr):
        super().__init__(str(expr))
        self.expr = expr


@dataclass
class StepDetail:
    """One backward step: per upper neuron k its denominator, per (j, k) the share of R_k."""

    relevance: list
    denominators: list = field(default_factory=list)  # per k, per part
    shares: list = field(default_factory=list)  # shares[k][j]: share of R_k that neuron j receives
    bias_shares: list = field(default_factory=list)  # per k: what the bias absorbs
    zero: list = field(default_factory=list)  # per k: True when 0/0 := 0 applied
    fractions: list = field(default_factory=list)  # per k: per j (z_jk, denominator) of a one-part rule
    terms: list | None = None  # per k: (coef, [z_jk per j], denominator) of each part that passes relevance on


def _coef(coef, params):
    if isinstance(coef, int):
        return sympy.Integer(coef)
    negative = coef.startswith("-")
    value = params[coef.lstrip("-")]
    return -value if negative else value


def _is_zero(expr) -> bool:
    expr = sympy.sympify(expr)
    return (expr == 0 or (expr.is_zero is True) or (not expr.free_symbols and sympy.simplify(expr) == 0)
            or (not expr.has(sympy.Heaviside, sympy.sign, sympy.Max, sympy.Min) and sympy.expand(expr) == 0))


def _symbolic_sign(expr):
    """sign(expr) when it is a number or a nonnegative/positive known quantity; None otherwise."""
    expr = sympy.sympify(expr)
    if expr.is_zero:
        return 0
    if expr.is_positive:
        return 1
    if expr.is_negative:
        return -1
    return None


def _bias_rho(rule: Rule, part: Part, conv: dict, mirrored: bool) -> str | None:
    """The transform applied to b_k in a part's denominator, or None when the bias stays out."""
    if conv["bias"] != "neuron":
        return None
    if rule.key == "zB":
        return "w" if conv["zB_bias"] == "add" else None  # b - 1 b+ - 1 b- = 0: the bias neuron adds nothing
    if rule.key == "w2":
        return "w2" if conv["w2_bias"] == "square" else None
    if not rule.bias:
        return None
    kind = part.terms[0].rho
    return MIRROR.get(kind, kind) if mirrored else kind


def propagate(a, W, b, R, rule: Rule, params: dict, *, bias: str = "neuron", stabiliser: str = "plus",
              conv: dict | None = None, sign=None, dry: bool = False) -> StepDetail:
    """Relevance of the neurons below (activations ``a``) from ``R`` of the layer above (weights ``W``).

    ``sign(expr)`` gives the sign (1, 0, -1) of an affine expression on the region being solved, or
    raises ``Undecided`` when the region must be split there; without it signs are decided only when
    SymPy knows them.  A denominator that is 0 passes nothing on (0/0 := 0, and a/0 := 0 too).  With
    ``dry`` only the denominators are formed (to find where a region must be split)."""
    conv = {**DEFAULTS, "bias": bias, "stabiliser": stabiliser, **(conv or {})}
    sign = sign or _symbolic_sign
    n_low, n_up = len(a), W.shape[0]
    gamma = params.get("gamma")
    zero_ = sympy.Integer(0)
    out = [zero_] * n_low
    detail = StepDetail(out, terms=None if dry else [])
    split = conv["split_inputs"] and any(t.rho in MIRROR for part in rule.parts for t in part.terms)
    a_neg = [split and sympy.sympify(a[j]).is_nonnegative is not True and sign(a[j]) == -1 for j in range(n_low)]
    for k in range(n_up):
        shares = [zero_] * n_low
        dens, bias_share, zero, contrib = [], zero_, False, []
        # the generalised gamma rule explains a negative output with the mirrored transform, z_k = 0 not at all
        z_sign = (sign(sum((W[k, j] * a[j] for j in range(n_low)), zero_) + b[k])
                  if rule.key == "gamma" and conv["gamma_negative"] == "generalised" else 1)
        for part in rule.parts:
            coef = _coef(part.coef, params)
            z = []
            for j in range(n_low):
                total = zero_
                for t in part.terms:
                    src = a[j] if t.source == "a" else (sympy.Integer(1) if t.source == "one" else params[t.source][j])
                    kind = t.rho
                    if (t.source == "a" and a_neg[j]) != (z_sign == -1):
                        kind = MIRROR.get(kind, kind)
                    total += t.sign * src * rho(kind, W[k, j], gamma)
                z.append(total)
            brho = _bias_rho(rule, part, conv, z_sign == -1)
            zb = rho(brho, b[k], gamma) if brho is not None else zero_
            den = sum(z, zero_) + zb
            if rule.stabilised:
                eps = params["epsilon"]
                if conv["stabiliser"] == "sign":
                    s = sign(den)
                    if s is None:
                        step = sympy.sign(den) if conv["sign_of_zero"] == "zero" else 2 * sympy.Heaviside(den, 1) - 1
                        den = den + eps * step
                    else:
                        den = den + eps * (s if s != 0 else int(conv["sign_of_zero"] == "plus"))
                else:
                    den = den + eps
            dens.append(den)
            if len(rule.parts) == 1:
                detail.fractions.append([(z[j], den) for j in range(n_low)])
            if z_sign == 0 or _is_zero(den) or sign(den) == 0:
                zero = True
                continue
            if dry:
                continue
            contrib.append((coef, z, den))
            for j in range(n_low):
                shares[j] += coef * z[j] / den * R[k]
            bias_share += coef * zb / den * R[k]
        for j in range(n_low):
            out[j] += shares[j]
        detail.denominators.append(dens)
        detail.shares.append(shares)
        detail.bias_shares.append(bias_share)
        detail.zero.append(zero)
        if detail.terms is not None:
            detail.terms.append(contrib)
    return detail


def check_rule_params(rule: Rule, params: dict, first_layer: bool) -> list[str]:
    """Named preconditions of a rule's settings; an empty list when all hold.

    >>> check_rule_params(RULES["alphabeta"], {"alpha": 2, "beta": 2}, False)
    ['alpha - beta must equal 1 (got alpha = 2, beta = 2)']
    >>> check_rule_params(RULES["gamma"], {"gamma": -1}, False)
    ['gamma must be >= 0']
    """
    out = []
    for name in rule.params:
        if params.get(name) is None:
            out.append(f"rule {rule.key} needs the parameter {name}")
    if out:
        return out
    if rule.key == "gamma" and sympy.sympify(params["gamma"]).is_nonnegative is not True:
        out.append("gamma must be >= 0" + ("" if sympy.sympify(params["gamma"]).is_number
                                           else " (declare it nonnegative)"))
    if rule.key == "epsilon" and sympy.sympify(params["epsilon"]).is_nonnegative is not True:
        out.append("epsilon must be >= 0" + ("" if sympy.sympify(params["epsilon"]).is_number
                                             else " (declare it nonnegative)"))
    if rule.key == "alphabeta":
        al, be = sympy.sympify(params["alpha"]), sympy.sympify(params["beta"])
        if sympy.simplify(al - be - 1) != 0:
            out.append(f"alpha - beta must equal 1 (got alpha = {al}, beta = {be})")
        elif be.is_nonnegative is not True:
            out.append("beta must be >= 0")
    if rule.first_layer_only and not first_layer:
        out.append(f"rule {rule.key} is for the first layer only (it needs the input bounds l, h)")
    return out
