"""The LRP rule paragraph: which rule at which layer, the biases, the conventions that differ from the
default, and the two ways a share vanishes (an inactive neuron's zero numerator, a vanishing denominator).
Stated once per exercise: ``conventions_key`` tells a later part with the same paragraph."""

from __future__ import annotations

from symxai.expr.printing import tex
from symxai.methods.propagation import lrp_gated as gated
from symxai.solve.lrp_rules import formula
from symxai.solve.model import Line, Tex

BIAS_TEXT = {"neuron": "A bias counts as an extra neuron of activation 1 in the denominator: it takes its share "
                       "of relevance, which does not reach the layer below.",
             "ignore": "Biases are left out of the denominators, so each layer passes on all relevance it receives."}


def conventions(sol, p) -> None:
    """The rule paragraph: the rule(s) per layer, the biases, the conventions, the two kinds of zero share."""
    rules = {r.key: r for r in p.rules}
    which = (f"at every layer" if len(rules) == 1 else
             "; ".join(f"{r.title} at layer {i + 1}" for i, r in enumerate(p.rules)))
    lines = [Line(Tex(formula(r, p.conv))) for r in rules.values()]
    bias = BIAS_TEXT[p.bias] if p.network.has_bias else "The network has no biases."
    stab = (" The $\\varepsilon$ stabiliser is added as $z + \\varepsilon" +
            ("\\operatorname{sign}(z)$." if p.stabiliser == "sign" else "$.")
            if any(r.stabilised for r in p.rules) else "")
    inline = len(rules) == 1 and len(lines) == 1
    sol.step(f"The rule {' / '.join(r.title for r in rules.values())} is applied {which}, starting from "
             f"$R_{{\\mathrm{{out}}}} = y$" + (f": ${lines[0].terms[0].code}$." if inline else ":")
             if len(rules) == 1 else f"Rules: {which}.", *([] if inline else lines), title="Propagation rule")
    if p.layer_params:
        names = {"epsilon": "\\varepsilon", "gamma": "\\gamma", "alpha": "\\alpha", "beta": "\\beta"}
        each = ["layer %d: %s" % (li + 1, ", ".join(f"${names[k]} = {tex(v)}$" for k, v in lp.items()
                                                  if k in names and k in r.params))
                for li, (lp, r) in enumerate(zip(p.layer_params, p.rules)) if any(k in r.params for k in names)]
        sol.step("The rule parameters differ from layer to layer: " + "; ".join(each) + ".")
    sol.step(bias + stab + _convention_text(p) + _zero_text(p) +
             (" With symbolic weights the sign of a pre-activation is unknown; "
              "$H(z)$ is the step function with $H(0) = 0$, so that $a = z\\,H(z)$."
              if p.regions is None and not gated.applies(p) else ""))


ACTIVATION_RULES = {"lrp0", "epsilon", "gamma", "z+", "alphabeta"}  # numerators with the factor a_j


def _zero_text(p) -> str:
    """The two ways a share can vanish, told apart: an inactive neuron's zero numerator (its share is 0,
    the denominator need not be) and a vanishing denominator (the share reads 0/0, set to 0)."""
    upper = {r.key for r in p.rules[1:]}
    out = ""
    if len(p.network.layers) > 1 and upper <= ACTIVATION_RULES:
        out += (" An inactive ReLU neuron ($a_j = 0$) has a zero numerator in every share: it receives no "
                "relevance, and so passes none on.")
    keys = {r.key for r in p.rules}
    if keys <= {"z+"} and not p.network.has_bias and all(x.is_nonnegative for x in p.network.inputs):
        den = ("A denominator $\\sum_j a_j w_{jk}^+$ is a sum of non-negative terms: it vanishes only where "
               "every neuron below is inactive or joined to $k$ by a weight $w_{jk} \\le 0$")
    else:
        den = "A denominator vanishes where the contributions to neuron $k$ cancel or are all zero"
    return out + " " + den + "; the share there reads $0/0$, and we set $0/0 := 0$."


def conventions_key(p) -> tuple:
    """What the rule paragraph says depends on these only: equal keys, equal paragraph."""
    return (tuple(r.key for r in p.rules), tuple(sorted((k, str(v)) for k, v in p.params.items())),
            str(p.layer_params), p.bias, p.stabiliser, tuple(sorted(p.conv.items())), p.network.has_bias,
            p.network.symbolic_weights, len(p.network.layers))


def _convention_text(p) -> str:
    """One sentence per convention that differs from the default or that a rule's bias handling implies."""
    keys, c, out = {r.key for r in p.rules}, p.conv, []
    if p.stabiliser == "sign" and c.get("sign_of_zero") == "plus" and "epsilon" in keys:
        out.append("Here $\\operatorname{sign}(0) = +1$: a vanishing $z$ becomes $\\varepsilon$.")
    if "gamma" in keys and c.get("gamma_negative") == "generalised":
        out.append("Where $z_k < 0$ LRP-$\\gamma$ uses $w_{jk} + \\gamma w_{jk}^-$ (the generalised rule); "
                   "where $z_k = 0$ it passes nothing.")
    if c.get("split_inputs") and keys & {"gamma", "z+", "alphabeta"}:
        out.append("A negative activation is split off, $a_j = a_j^+ + a_j^-$, and meets the mirrored weights.")
    if p.network.has_bias and p.bias == "neuron":
        if "zB" in keys:
            out.append("In $z^{\\mathcal{B}}$ the bias " + ("enters the denominator as $b_k$." if c.get("zB_bias") == "add"
                       else "is a neuron with bounds $l = h = 1$ and adds $b_k - b_k^+ - b_k^- = 0$."))
        if "w2" in keys:
            out.append("In $w^2$ the bias " + ("enters the denominator as $b_k^2$." if c.get("w2_bias") == "square"
                                                else "is left out."))
        if "flat" in keys:
            out.append("The flat rule leaves the bias out.")
    return "".join(" " + t for t in out)
