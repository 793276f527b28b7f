"""The Shapley sum over coalition values, shown as a table per feature (shared by the SHAP methods).

``values`` is a list of SymPy coalition values indexed by bitmask (bit i = feature i + 1).

>>> import sympy
>>> shapley_values([sympy.Integer(v) for v in (0, 1, 2, 4)], 2)
[3/2, 5/2]
"""

from __future__ import annotations

from math import comb, factorial

import sympy

from symxai.solve.model import Line, Table, Tex


def members(mask: int, d: int) -> list[int]:
    """The 1-based features of a bitmask."""
    return [k + 1 for k in range(d) if mask >> k & 1]


def coalition_set(mask: int, d: int):
    """The coalition as a SymPy set (the empty set for 0)."""
    found = members(mask, d)
    return sympy.FiniteSet(*found) if found else sympy.EmptySet


def coalition_tex(mask: int, d: int) -> str:
    """LaTeX of the coalition: \\{1, 2\\} or \\emptyset."""
    found = members(mask, d)
    return "\\{" + ", ".join(map(str, found)) + "\\}" if found else "\\emptyset"


def ordered_masks(d: int, without: int = 0) -> list[int]:
    """Bitmasks not meeting ``without``, by size, then by members."""
    masks = [m for m in range(1 << d) if not m & without]
    return sorted(masks, key=lambda m: (bin(m).count("1"), members(m, d)))


def weight(size: int, d: int):
    """|S|!(d-|S|-1)!/d! as a SymPy rational."""
    return sympy.Rational(factorial(size) * factorial(d - size - 1), factorial(d))


def kernel_weight(size: int, d: int):
    """The Shapley kernel (d-1)/(C(d,|S|)|S|(d-|S|)) of a proper, non-empty coalition."""
    return sympy.Rational(d - 1, comb(d, size) * size * (d - size))


def shapley_values(values, d: int) -> list:
    """Exact Shapley values from the 2^d coalition values (SymPy), simplified."""
    out = []
    for i in range(d):
        bit = 1 << i
        total = sum((weight(bin(m).count("1"), d) * (values[m | bit] - values[m])
                     for m in range(1 << d) if not m & bit), sympy.Integer(0))
        out.append(sympy.factor(sympy.simplify(total)) if total.free_symbols else sympy.nsimplify(total))
    return out


def feature_step(sol, values, d: int, i: int, phi, name, vlabel: str = "v", extra: tuple = ()) -> None:
    """One step: the table of coalitions without feature i and the weighted sum of the differences.
    ``extra`` are further terms shown between the sum and the value (a closed form)."""
    bit = 1 << i
    rows, terms = [], []
    for m in ordered_masks(d, bit):
        w = weight(bin(m).count("1"), d)
        delta = sympy.simplify(values[m | bit] - values[m])
        rows.append([coalition_set(m, d), w, values[m | bit], values[m], delta])
        if delta != 0:
            terms.append(sympy.Mul(w, delta, evaluate=False))
    weighted = sympy.Add(*terms, evaluate=False) if len(terms) > 1 else (terms[0] if terms else sympy.Integer(0))
    table = Table([Tex("S"), Tex("\\frac{|S|!(d-|S|-1)!}{d!}"), Tex(f"{vlabel}(S\\cup\\{{{i + 1}\\}})"),
                   Tex(f"{vlabel}(S)"), Tex("\\Delta_S")], rows)
    # a closed form that prints as the value itself (w_i (x_i - mu_i) with all ones) is not a step
    from symxai.expr.printing import tex

    extra = tuple(e for e in extra if tex(e) not in (tex(phi), tex(weighted)))
    sol.step(f"Coalitions without feature {i + 1}:", Line(name, weighted, *extra, phi), table=table,
             title=f"Feature {i + 1}")


def shapley_formula(vlabel: str = "v") -> Line:
    """The definition of phi_i over the coalition values, as a stated formula."""
    return Line(Tex("\\phi_i"), Tex("\\sum_{S \\not\\ni i} \\frac{|S|!\\,(d-|S|-1)!}{d!}"
                                    f"\\left[{vlabel}(S\\cup\\{{i\\}}) - {vlabel}(S)\\right]"), kind="formula")
