"""Regions of the input domain on which a ReLU network's activation pattern is fixed.

With numeric weights every pre-activation is linear in the inputs once the
pattern of the layers below is fixed, so the domain (inputs >= 0 or real)
splits into polyhedra: each ReLU neuron is active (z > 0), at its kink
(z = 0) or inactive (z < 0).  Patterns are enumerated layer by layer and kept
when a linear program finds a point that satisfies them (strict inequalities
with a positive margin); a boundary (z = 0) is a region of its own, and
regions whose formulas coincide are merged again (z > 0 and z = 0 become
z >= 0).  On each region the network is linear, so relevances are exact
rational functions there, and an answer is a Piecewise over the regions.

With symbolic weights the sign of a pre-activation is unknown: there is a
single "region" and a ReLU neuron's activation is written z * H(z) with the
step H(0) = 0, so 0/0 := 0 holds for an inactive neuron.

>>> import sympy
>>> from symxai.solve.network import Layer, Network
>>> x1, x2 = sympy.symbols("x1 x2", nonnegative=True)
>>> net = Network([x1, x2], ["R_1", "R_2"], [
...     Layer(["h3", "h4"], sympy.ImmutableMatrix([[1, -1], [0, 1]]), sympy.zeros(2, 1), "relu", ["R_3", "R_4"]),
...     Layer(["y"], sympy.ImmutableMatrix([[1, 1]]), sympy.zeros(1, 1), "linear", ["R_y"])])
>>> [r.label for r in enumerate_regions(net)]
['x1 - x2 > 0, x2 > 0', 'x1 - x2 > 0, x2 = 0', 'x1 - x2 = 0, x2 > 0', 'x1 - x2 = 0, x2 = 0', 'x1 - x2 < 0, x2 > 0']
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from itertools import product
import math
from math import prod

from symxai.lazy import numpy as np
import sympy

from symxai.solve import ratfield
from symxai.solve.regions_exact import TooLarge, feasible_rows

SIGNS = (1, 0, -1)
BOX = 1e4  # regions are searched inside [-BOX, BOX]^d (cones without biases)
MARGIN = 1e-9
EXACT_DIM = 4  # up to this many inputs feasibility is decided exactly by Fourier-Motzkin elimination


@dataclass
class Region:
    signs: dict  # (layer index, neuron index) -> {1, 0, -1} or a frozenset of them after merging
    constraints: list  # (linear expression z, sign): z > 0, z = 0, z < 0
    inputs: list

    @property
    def label(self) -> str:
        return ", ".join(f"{sympy.sstr(z)} {'>' if s > 0 else '<' if s < 0 else '='} 0" for z, s in self.constraints
                         if z.free_symbols) or "everywhere"


def _relu_or_id(z, layer, sign):
    if layer.activation != "relu":
        return z
    if sign is None:
        return z * sympy.Heaviside(z, 0)
    return z if sign > 0 else sympy.Integer(0)


def forward(network, signs: dict | None, *, upto: int | None = None):
    """Pre-activations and activations per level under a fixed pattern (None: symbolic); ``upto``
    stops after that many layers."""
    a, zs, acts = list(network.inputs), [], [list(network.inputs)]
    for li, layer in enumerate(network.layers[:upto]):
        z = [sympy.expand(sum((layer.weights[k, j] * a[j] for j in range(len(a))), sympy.Integer(0)) + layer.bias[k])
             for k in range(layer.width)]
        a = [_relu_or_id(z[k], layer, None if signs is None else signs.get((li, k))) for k in range(layer.width)]
        zs.append(z)
        acts.append(a)
    return zs, acts


def _domain(inputs):
    """Rows (coefficients, kind) of the input domain: x >= 0 for nonnegative inputs, x > 0 for positive ones."""
    out = []
    for i, x in enumerate(inputs):
        if x.is_positive:
            out.append((i, 1))
        elif x.is_nonnegative:
            out.append((i, 0))
    return out


def _linear(z, inputs):
    """Coefficients and constant of an affine expression in the inputs (remembered: the same constraint
    is turned into an LP row again and again)."""
    return _linear_cached(z, tuple(inputs))


@lru_cache(maxsize=16384)
def _linear_cached(z, inputs):
    terms = sympy.expand(z).as_coefficients_dict()
    coeffs = tuple(float(terms.get(x, 0)) for x in inputs)
    if set(terms) - set(inputs) - {sympy.Integer(1)}:
        raise ValueError(f"not affine in the inputs: {z}")
    return coeffs, float(terms.get(sympy.Integer(1), 0))


@lru_cache(maxsize=16384)
def _linear_exact(z, inputs):
    """Exact rational coefficients and constant of an affine expression in the inputs."""
    terms = sympy.expand(z).as_coefficients_dict()
    if set(terms) - set(inputs) - {sympy.Integer(1)}:
        raise ValueError(f"not affine in the inputs: {z}")
    frac = lambda v: Fraction(int(v.p), int(v.q)) if v.is_Rational else Fraction(str(v))  # noqa: E731
    return tuple(frac(sympy.sympify(terms.get(x, 0))) for x in inputs), frac(sympy.sympify(terms.get(sympy.Integer(1), 0)))


KINDS = {1: ">", -1: ">", 0: "=", 2: ">=", -2: ">="}  # z > 0, z < 0, z = 0, z >= 0, z <= 0


def _rows(constraints, inputs):
    """(z, sign) constraints and the input domain as integer rows of symxai.solve.regions_exact (a sign
    2 or -2 is z >= 0 or z <= 0, used by ``_possible``)."""
    rows = [_int_row(z, s, inputs) for z, s in constraints]
    rows.extend(_domain_rows(inputs))
    return rows


@lru_cache(maxsize=16384)
def _int_row(z, s, inputs):
    """One constraint as a row of integers (a positive multiple of its rational row: the same
    solutions), remembered: the same constraint is in thousands of feasibility questions."""
    c, c0 = _linear_exact(z, inputs)
    if s < 0:
        c, c0 = tuple(-v for v in c), -c0
    m = math.lcm(*(v.denominator for v in c), c0.denominator)
    return tuple(int(v * m) for v in c), int(c0 * m), KINDS[s]


@lru_cache(maxsize=256)
def _domain_rows(inputs):
    d = len(inputs)
    return tuple((tuple(int(t == i) for t in range(d)), 0, ">" if strict else ">=") for i, strict in _domain(inputs))


def solve_lp(constraints, inputs, *, objective=None, box=BOX, min_margin=None):
    """A point satisfying the constraints with the largest margin t (or a random objective); None if none."""
    d = len(inputs)
    A_ub, b_ub, A_eq, b_eq = [], [], [], []
    for z, s in constraints:
        c, c0 = _linear(z, inputs)
        strict = 1.0 if s in (1, -1) else 0.0  # 2, -2: z >= 0, z <= 0 (no margin)
        if s > 0:
            A_ub.append([-v for v in c] + [strict]); b_ub.append(c0)
        elif s < 0:
            A_ub.append(list(c) + [strict]); b_ub.append(-c0)
        else:
            A_eq.append(list(c) + [0.0]); b_eq.append(-c0)
    for i, strict in _domain(inputs):
        row = [0.0] * (d + 1)
        row[i] = -1.0
        if strict:
            row[d] = 1.0
        A_ub.append(row); b_ub.append(0.0)
    cost = [0.0] * d + [-1.0] if objective is None else list(objective) + [0.0]
    bounds = [(-box, box)] * d + [(min_margin or 0.0, 1.0)]
    from scipy.optimize import linprog  # imported when first needed: `check` of other exercises never is

    res = linprog(cost, A_ub=A_ub or None, b_ub=b_ub or None, A_eq=A_eq or None, b_eq=b_eq or None,
                  bounds=bounds, method="highs")
    if res.status != 0:
        return None
    if objective is None and res.x[-1] <= MARGIN:
        return None
    return res.x[:d], res.x[-1]


def feasible(constraints, inputs) -> bool:
    """Is there a point satisfying every (z, sign) constraint? Asked again and again while the
    conditions of each answer's pieces are simplified, so answers are remembered."""
    return _feasible(frozenset(constraints), tuple(inputs))


@lru_cache(maxsize=8192)
def _feasible(constraints: frozenset, inputs: tuple) -> bool:
    if len(inputs) <= EXACT_DIM:  # exact elimination in rationals; a linear program when it grows too large
        try:
            return feasible_rows(_rows(constraints, inputs), len(inputs))
        except (TooLarge, ValueError, TypeError):
            pass
    # a fixed row order (by coefficients, not by printing every constraint) keeps the LP deterministic
    rows = sorted(constraints, key=lambda c: (_linear(c[0], inputs), c[1]))
    return solve_lp(rows, list(inputs)) is not None


def enumerate_regions(network, *, boundaries: bool = True) -> list[Region]:
    """Every feasible activation pattern of the ReLU neurons, layer by layer."""
    inputs = network.inputs
    found = [Region({}, [], inputs)]
    for li, layer in enumerate(network.layers):
        if layer.activation != "relu":
            continue
        below: dict = {}  # the pre-activations of layer li depend only on the pattern of the layers below
        for k in range(layer.width):
            nxt = []
            for region in found:
                key = frozenset((lk, s) for lk, s in region.signs.items() if lk[0] < li)
                if key not in below:
                    below[key] = forward(network, region.signs, upto=li + 1)[0][li]
                z = below[key][k]
                for s in SIGNS if boundaries else (1, -1):
                    if not z.free_symbols:
                        if sympy.sign(z) != s:
                            continue
                        cons = region.constraints
                    else:
                        cz, cs = canonical(z, s)
                        known = dict(region.constraints)
                        if cz in known:
                            if known[cz] != cs:
                                continue
                            cons = region.constraints
                        else:
                            cons = region.constraints + [(cz, cs)]
                        if cons is not region.constraints and not feasible(cons, inputs):
                            continue
                    nxt.append(Region({**region.signs, (li, k): s}, cons, inputs))
            found = nxt
    return found


def sign_on(region: Region, expr, *, boundaries: bool = True):
    """The sign (1, 0, -1) of an affine expression on the region, decided by linear programs; None when
    it is not affine in the inputs with numeric coefficients (a symbolic parameter); ``Undecided`` when
    the region holds points of different signs (it must be split there).

    >>> x1, x2 = sympy.symbols("x1 x2", nonnegative=True)
    >>> r = Region({}, [(x1 - x2, 1)], [x1, x2])
    >>> sign_on(r, 2 * x1 - 2 * x2 + 1), sign_on(r, x2 - x1), sign_on(r, x1 * 0)
    (1, -1, 0)
    >>> sign_on(r, x2 - 1)
    Traceback (most recent call last):
    ...
    symxai.solve.lrp_rules.Undecided: x2 - 1
    """
    from symxai.solve.lrp_rules import Undecided

    expr = sympy.expand(sympy.sympify(expr))
    if not expr.free_symbols:
        return int(sympy.sign(expr)) if expr.is_number and expr.is_real else None
    if expr.free_symbols - set(region.inputs):
        return None
    try:
        _linear(expr, region.inputs)
    except (ValueError, TypeError):
        return None
    cz, flip = canonical(expr, 1)
    known = dict(region.constraints)
    if cz in known:
        return known[cz] * flip
    signs = [s for s in (SIGNS if boundaries else (1, -1)) if feasible(region.constraints + [(cz, s)], region.inputs)]
    if len(signs) == 1:
        return signs[0] * flip
    if not signs:  # only on the boundary z = 0, which this region (boundaries off) leaves out
        return 0
    raise Undecided(cz)


def refine(regions: list[Region], probe, *, boundaries: bool = True) -> list[Region]:
    """Split regions until ``probe(region)`` (which raises ``Undecided(z)``) runs through: each region
    becomes its parts z > 0, z = 0, z < 0 that hold points, so every sign a rule asks about is fixed."""
    out = []
    for region in regions:
        stack = [region]
        while stack:
            r = stack.pop()
            try:
                probe(r)
            except Exception as exc:  # noqa: BLE001 - only Undecided is expected; anything else re-raised
                from symxai.solve.lrp_rules import Undecided
                if not isinstance(exc, Undecided):
                    raise
                parts = [Region(r.signs, r.constraints + [(exc.expr, s)], r.inputs)
                         for s in (SIGNS if boundaries else (1, -1))]
                stack.extend(reversed([q for q in parts if feasible(q.constraints, q.inputs)]))
                continue
            out.append(r)
    return out


def canonical(z, s):
    """(z, s) scaled so that z's first coefficient is 1: x1 - x2 < 0 and 2 x2 - 2 x1 > 0 become one constraint.

    >>> x1, x2 = sympy.symbols("x1 x2")
    >>> canonical(2 * x2 - 2 * x1, 1)
    (x1 - x2, -1)
    """
    syms = sorted(z.free_symbols, key=str)
    first = next(c for c in (z.coeff(x) for x in syms) if c != 0)
    scale = abs(first)
    sign = 1 if first > 0 else -1
    return sympy.expand(z * sign / scale), s * sign


def _rel(z, signs: frozenset):
    """z compared with 0, written with positive terms on both sides (x1 > x2 rather than x1 - x2 > 0)."""
    terms = sympy.Add.make_args(z)
    lhs = sympy.Add(*[t for t in terms if t.could_extract_minus_sign() is False])
    rhs = -sympy.Add(*[t for t in terms if t.could_extract_minus_sign() is True])
    if lhs == 0:
        lhs, rhs, signs = rhs, lhs, frozenset(-s for s in signs)
    table = {frozenset({1}): sympy.StrictGreaterThan, frozenset({-1}): sympy.StrictLessThan,
             frozenset({0}): sympy.Eq, frozenset({1, 0}): sympy.GreaterThan, frozenset({-1, 0}): sympy.LessThan,
             frozenset({1, -1}): sympy.Ne}
    return table[signs](lhs, rhs) if signs in table else sympy.true


def _condition(cells, inputs):
    """A group of merged regions -> one readable SymPy condition (redundant constraints dropped)."""
    by_z: dict = {}
    for cons in cells:
        for z, s in cons:
            by_z.setdefault(z, set())
    # represent each cell as a full sign vector over every boundary expression seen
    zs = list(by_z)
    cell_signs = []
    for cons in cells:
        d = dict(cons)
        cell_signs.append(tuple(frozenset({d[z]}) if z in d else frozenset(SIGNS) for z in zs))
    merged = True
    while merged:
        merged = False
        for i, j in ((i, j) for i in range(len(cell_signs)) for j in range(i + 1, len(cell_signs))):
            a, b = cell_signs[i], cell_signs[j]
            diff = [t for t in range(len(zs)) if a[t] != b[t]]
            if len(diff) == 1:
                t = diff[0]
                cell_signs[i] = a[:t] + (a[t] | b[t],) + a[t + 1:]
                cell_signs.pop(j)
                merged = True
                break
    alts = []
    for signs in cell_signs:
        keep, signs = [], list(signs)
        for t, s in enumerate(list(signs)):
            if s == frozenset(SIGNS):
                continue
            others = [(zs[u], signs[u]) for u in range(len(zs)) if u != t and signs[u] != frozenset(SIGNS)]
            if not _possible(others + [(zs[t], frozenset(SIGNS) - s)], inputs):
                signs[t] = frozenset(SIGNS)  # implied by the others and the domain: drop it
                continue
            keep.append((zs[t], s))
        alts.append(keep)
    alternatives = []
    for keep in _relaxed(alts, inputs):
        keep = _substituted(keep)
        alternatives.append(sympy.And(*[_zero_sum(z, s, inputs) or _rel(z, s) for z, s in keep]) if keep else sympy.true)
    return sympy.Or(*alternatives)


RELAX_PICKS = 256  # at most this many feasibility questions per coverage test, or the condition stays as merged


def _covered(cons: list, alts: list, inputs) -> bool | None:
    """Is every point of the domain that meets ``cons`` in one of ``alts`` (lists of (z, signs))?
    None when answering would take more than RELAX_PICKS feasibility questions."""
    negations = [[(z, frozenset(SIGNS) - s) for z, s in alt] for alt in alts]
    if prod(len(n) for n in negations) > RELAX_PICKS:
        return None
    return not any(_possible(list(cons) + list(pick), inputs) for pick in product(*negations))


def _relaxed(alts: list, inputs) -> list:
    """The alternatives of a piece with every constraint dropped that the piece's union does not need,
    and alternatives inside the others dropped; the union stays the same set (a_1 = 0 or a_2 = 0
    rather than a_1 = a_2 = 0 or a_2 > a_1 = 0 or a_1 > a_2 = 0).

    >>> a1, a2 = sympy.symbols("a1 a2", nonnegative=True)
    >>> alts = [[(a1 + a2, frozenset({0}))], [(a1, frozenset({0})), (a1 - a2, frozenset({-1}))],
    ...         [(a2, frozenset({0})), (a1 - a2, frozenset({1}))]]
    >>> _relaxed(alts, [a1, a2])
    [[(a1, frozenset({0}))], [(a2, frozenset({0}))]]
    """
    alts = [list(a) for a in alts]
    changed = True
    while changed:
        changed = False
        for i, alt in enumerate(alts):
            for k in range(len(alt)):
                if _covered(alt[:k] + alt[k + 1:], alts, inputs):
                    alts[i], changed = alt[:k] + alt[k + 1:], True
                    break
            if changed:
                break
        for i in range(len(alts)):
            if len(alts) > 1 and _covered(alts[i], alts[:i] + alts[i + 1:], inputs):
                alts.pop(i)
                changed = True
                break
    return alts


def _substituted(cons: list) -> list:
    """Constraints with an equality of two inputs (a_1 - a_2 = 0) used in the others, which then name
    one input fewer: a_1 = a_2 and a_1 + a_2 > 0 is a_1 = a_2 and a_2 > 0 (printed a_1 = a_2 > 0)."""
    for z, s in cons:
        terms = sympy.Add.make_args(z)
        if s != frozenset({0}) or len(terms) != 2 or sorted(t.as_coeff_Mul()[0] for t in terms) != [-1, 1] \
                or not all(t.as_coeff_Mul()[1].is_Symbol for t in terms):
            continue
        (_, x), (_, y) = sorted((t.as_coeff_Mul() for t in terms), key=lambda cm: str(cm[1]))
        out = [(z, s)]
        for z2, s2 in cons:
            if z2 is z:
                continue
            z3 = sympy.expand(z2.xreplace({x: y}))
            if len(z3.free_symbols) >= len(z2.free_symbols) or not z3.free_symbols:
                out.append((z2, s2))
                continue
            zc, flip = canonical(z3, 1)
            out.append((zc, frozenset(flip * v for v in s2)))
        return list(dict.fromkeys(out))
    return cons


def _zero_sum(z, signs: frozenset, inputs):
    """z = 0 for a sum of nonnegative inputs with coefficients of one sign, written as what it means
    there, every input 0 (a_1 = a_2 = 0 rather than a_1 + a_2 = 0); None for any other constraint.

    >>> a1, a2 = sympy.symbols("a1 a2", nonnegative=True)
    >>> _zero_sum(a1 + 2 * a2, frozenset({0}), [a1, a2]), _zero_sum(a1 - a2, frozenset({0}), [a1, a2])
    (Eq(a1, 0) & Eq(a2, 0), None)
    """
    if signs != frozenset({0}) or not z.is_Add:
        return None
    coeffs = [z.coeff(x) for x in inputs]
    if z != sum(c * x for c, x in zip(coeffs, inputs)) or any(x.is_nonnegative is not True for x, c in zip(inputs, coeffs) if c):
        return None
    used = [(c, x) for c, x in zip(coeffs, inputs) if c != 0]
    if len(used) < 2 or not (all(c.is_positive for c, _ in used) or all(c.is_negative for c, _ in used)):
        return None
    return sympy.And(*[sympy.Eq(x, 0) for _, x in used])


ROW_SIGNS = {frozenset({1}): (1,), frozenset({-1}): (-1,), frozenset({0}): (0,), frozenset({1, 0}): (2,),
             frozenset({-1, 0}): (-2,), frozenset({1, -1}): (1, -1)}  # a sign set as rows: z >= 0 is one row


def _possible(sets, inputs) -> bool:
    """Is there a point where each z of ``sets`` (pairs (z, set of signs)) has one of its signs?  The sets
    of one z are intersected first (an empty one answers no at once), and z >= 0, z <= 0 are one row
    each, so only z != 0 splits into two questions (was: one question per combination of signs)."""
    by_z: dict = {}
    for z, s in sets:
        by_z[z] = by_z.get(z, frozenset(SIGNS)) & s
    if any(not s for s in by_z.values()):
        return False
    return _possible_cached(frozenset((z, s) for z, s in by_z.items() if s != frozenset(SIGNS)), tuple(inputs))


@lru_cache(maxsize=16384)
def _possible_cached(sets: frozenset, inputs: tuple) -> bool:
    items = sorted(sets, key=lambda zs: (_linear_exact(zs[0], inputs), sorted(zs[1])))
    for choice in product(*[ROW_SIGNS[s] for _, s in items]):
        if _feasible(frozenset((z, c) for (z, _), c in zip(items, choice)), inputs):
            return True
    return False


def piecewise(regions: list[Region], values: list):
    """One Piecewise over the regions; regions with the same value share a piece (the last piece is 'otherwise').

    >>> x = sympy.Symbol("x", real=True)
    >>> r = [Region({}, [(x, 1)], [x]), Region({}, [(x, 0)], [x]), Region({}, [(x, -1)], [x])]
    >>> piecewise(r, [x, sympy.Integer(0), sympy.Integer(0)])
    Piecewise((x, x > 0), (0, True))
    """
    # full-dimensional regions first; a boundary joins the 'otherwise' piece when its formula agrees there,
    # so that it needs no description of its own
    order = sorted(range(len(regions)), key=lambda i: any(s == 0 for _, s in regions[i].constraints))
    groups: list[tuple] = []
    for i in order:
        region, value = regions[i], values[i]
        lower = any(s == 0 for _, s in region.constraints)
        candidates = ([groups[-1]] if lower and groups else []) + groups
        for g in candidates:
            if (not lower or defined_on(region, g[0])) and same_on(region, g[0], value):
                g[1].append(region.constraints)
                break
        else:
            groups.insert(len(groups) - 1 if lower and groups else len(groups), (value, [region.constraints]))
    if len(groups) == 1:
        return groups[0][0]
    pieces = [(value, _condition(cells, regions[0].inputs)) for value, cells in groups]
    pieces[-1] = (pieces[-1][0], True)
    return sympy.Piecewise(*pieces)


def defined_on(region: Region, value) -> bool:
    """Is ``value``, as written, defined at every point of the region and for every admissible value of
    its parameters?  A boundary may share the formula of an open region only then: a1 (gamma + 1)
    - a2 is not 0 on a1 = a2 for gamma > 0, but is for gamma = 0, so the boundary keeps its own piece.

    >>> a1, a2, g = sympy.symbols("a1 a2", nonnegative=True) + (sympy.Symbol("gamma", nonnegative=True),)
    >>> r = Region({}, [(a1 - a2, 0), (a1 + a2, 1)], [a1, a2])
    >>> defined_on(r, a1 / (a1 + a2)), defined_on(r, a1 * g / (a1 * (g + 1) - a2))
    (True, False)
    """
    value = sympy.sympify(value)
    if not isinstance(value, sympy.Expr) or value.has(sympy.Piecewise, sympy.Heaviside):
        return True
    args = (tuple(region.constraints), tuple(region.inputs), value)
    return (_defined_on if _hashable(args) else _defined_on.__wrapped__)(*args)


@lru_cache(maxsize=16384)
def _defined_on(constraints: tuple, inputs: tuple, value) -> bool:
    """``defined_on`` remembered per region and formula: merging into Piecewise answers and the boundary
    sentences ask the same question again (it depends on the region's constraints and inputs only)."""
    if not isinstance(value, sympy.Expr) or value.has(sympy.Piecewise, sympy.Heaviside):
        return True
    factors = _den_factors(tuple(z for z, s in constraints if s == 0), inputs, _denominator(value))
    if isinstance(factors, bool):
        return factors
    region = Region({}, list(constraints), list(inputs))
    for f in factors:
        try:
            if sign_on(region, f) in (0, None):
                return False
        except Exception:  # noqa: BLE001 - Undecided: zero somewhere in the region
            return False
    return True


@lru_cache(maxsize=8192)
def _den_factors(zeros: tuple, inputs: tuple, den):
    """What ``defined_on`` needs of the region's equalities and the formula's written denominator
    ``den`` only (remembered: on the 3-3-2-1 test network 90 formulas with ~1700 regions ask 652 distinct
    questions: a few dozen boundaries, and the formulas of a region share denominators): the irreducible
    factors in the inputs of ``den`` with the equalities substituted, whose signs the region then
    decides; or the answer itself (True, False) when no factor is left to ask about or one vanishes for
    some parameter value."""
    if not den.free_symbols:
        return bool(den != 0)
    sol = _solved(zeros) if zeros else None
    if sol is not None:
        den = den.xreplace(sol)
    if not den.free_symbols:
        return bool(den != 0)
    const, factors = _factor_list(den)
    if const == 0:
        return False
    out = []
    for f, _ in factors:
        if f.free_symbols <= set(inputs):
            out.append(f)
        elif f.is_zero is not False:
            return False  # a parameter can make it vanish (gamma = 0), or its sign is not known
    return tuple(out)


@lru_cache(maxsize=4096)
def _denominator(value):
    """The denominator of ``value`` as written (remembered: a group's formula is asked about on every
    region that might join it)."""
    num, den = sympy.fraction(value)  # a formula from the field (numerator / product of factors) is one already
    if not (_polynomial(num) and _polynomial(den)):
        _, den = sympy.fraction(sympy.together(value))
    return den


def _zeros(region) -> tuple:
    return tuple(z for z, s in region.constraints if s == 0)


def _equalities(region):
    """The region's equalities solved for their symbols (a dict), or None when it has none or they
    have no solution."""
    zeros = _zeros(region)
    return _solved(zeros) if zeros else None


@lru_cache(maxsize=4096)
def _solved(zeros: tuple):
    """sympy.solve of z = 0 for each z of ``zeros`` (remembered: every formula compared on a boundary
    region solves the same equalities; on the 3-3-2-1 test network ~20 CPU s of repeated solves)."""
    eqs = [sympy.Eq(z, 0) for z in zeros]
    sol = sympy.solve(eqs, sorted(set().union(*(e.free_symbols for e in eqs)), key=str), dict=True)
    return sol[0] if sol else None


def _factor_list(den):
    """The irreducible factors of a denominator (constant, [(factor, multiplicity)]): a product (as
    ``lrp_tidy`` writes denominators, and as they stay after a boundary's equalities are substituted) is
    factored base by base, each base remembered, so the same affine factor is factored once, not once per
    denominator it occurs in (only which factors occur matters to ``defined_on``)."""
    if not isinstance(den, sympy.Mul):
        return _factor_list_one(den)
    const, out = sympy.Integer(1), []
    for arg in den.args:
        base, k = arg.as_base_exp()
        if not base.free_symbols:
            const *= arg
            continue
        if not (k.is_Integer and k > 0):
            return _factor_list_one(den)
        c, fs = _factor_list_one(base)
        const *= c ** k
        out.extend((f, m * k) for f, m in fs)
    return const, out


@lru_cache(maxsize=4096)
def _factor_list_one(den):
    """The irreducible factors of a denominator, remembered (the same one is asked about on many regions)."""
    prim = _irreducible(den)
    if prim is not None:
        return prim
    try:  # factor by factor: a product of affine forms is not expanded first
        return sympy.factor_list(den, *sorted(den.free_symbols, key=str))
    except sympy.polys.polyerrors.PolynomialError:
        return sympy.factor_list(sympy.expand(den))


def _irreducible(den):
    """``sympy.factor_list(den)`` when a cheap sufficient test shows ``den`` irreducible over QQ: of
    degree 1 in some symbol v, den = a v + b with gcd(a, b) a constant (a factor of degree 0 in v would
    divide a and b); the factor written as factor_list writes it (integer coefficients without a common
    divisor, leading coefficient positive).  None otherwise.  Denominators of LRP are products of such
    affine forms (x1 (gamma + 1) - x2), and multivariate factoring of each one took ~10 s of the 3-3-2-1
    test network's solve (issue 15 item 4).

    >>> x1, x2, g = sympy.symbols("x1 x2 gamma")
    >>> _irreducible(x1 * (g + 1) / 2 - x2 / 2), _irreducible(g * x1 + g * x2)
    ((1/2, [(gamma*x1 + x1 - x2, 1)]), None)
    """
    gens = ratfield.gens_of(den)
    if not gens:
        return None
    try:
        poly = ratfield.ring(gens).from_expr(den)
    except (sympy.polys.polyerrors.PolynomialError, sympy.CoercionFailed, ValueError, TypeError):
        return None
    R = poly.ring
    for i in range(R.ngens):
        if poly.degree(i) != 1:
            continue
        a, b = R.zero, R.zero
        for monom, c in poly.items():
            if monom[i]:
                a += R({monom[:i] + (0,) + monom[i + 1:]: c})
            else:
                b += R({monom: c})
        if not (a.is_ground if not b else a.gcd(b).is_ground):
            return None  # a v with a not constant, or a common factor of a and b: reducible
        coeffs = [sympy.Rational(R.domain.to_sympy(c)) for c in poly.values()]
        scale = sympy.Integer(math.lcm(*[int(c.q) for c in coeffs])) / math.gcd(*[int(c.p) for c in coeffs])
        if poly.LC < 0:
            scale = -scale
        return 1 / scale, [(sympy.expand(den * scale), 1)]
    return None


def _polynomial(e) -> bool:
    return e.is_polynomial(*sorted(e.free_symbols, key=str)) if e.free_symbols else True


def readable(region: Region):
    """The region's constraints as one condition a reader takes in: those the others and the domain
    imply dropped, equalities used in the rest (the condition of a Piecewise piece of one region).

    >>> a1, a2 = sympy.symbols("a1 a2", nonnegative=True)
    >>> readable(Region({}, [(a1 - a2, 1), (a2, 1), (a1 + a2, 1)], [a1, a2]))
    (a1 > a2) & (a2 > 0)
    """
    return _condition([region.constraints], region.inputs)


def describe(region: Region):
    """The region's constraints as one readable SymPy condition."""
    return sympy.And(*[_rel(z, frozenset({s})) for z, s in region.constraints])


def same_on(region: Region, a, b) -> bool:
    """Do two formulas agree on the region (after its equalities are used)?"""
    args = (tuple(region.constraints), tuple(region.inputs), sympy.sympify(a), sympy.sympify(b))
    return (_same_on if _hashable(args) else _same_on.__wrapped__)(*args)


def _hashable(args) -> bool:
    try:
        hash(args)
    except TypeError:  # a mutable matrix
        return False
    return True


@lru_cache(maxsize=16384)
def _same_on(constraints: tuple, inputs: tuple, a, b) -> bool:
    """``same_on`` remembered per region and pair of formulas (a function of the region's constraints only)."""
    region = Region({}, list(constraints), list(inputs))
    zeros = _zeros(region)
    sol = _solved(zeros) if zeros else None
    if not zeros and _probe(a) != _probe(b) and None not in (_probe(a), _probe(b)):
        return False  # two rational functions that differ at a point are different
    fast = _same_in_ring(a, b, sol)
    if fast is not None:
        return fast
    diff = sympy.sympify(a - b)
    if sol is not None:
        diff = diff.xreplace(sol)
    if not diff.free_symbols:
        return diff == 0 or sympy.simplify(diff) == 0
    if not diff.has(sympy.Heaviside, sympy.sign, sympy.Max, sympy.Min, sympy.Piecewise):
        try:  # a rational function: zero in the field of rational functions (dense gcds, fast)
            return sympy.QQ.frac_field(*sorted(diff.free_symbols, key=str)).from_sympy(diff) == 0
        except ZeroDivisionError:
            return False  # one formula is undefined on the region (its denominator vanishes there)
        except (sympy.polys.polyerrors.PolynomialError, sympy.CoercionFailed, ValueError, TypeError):
            pass
    return sympy.cancel(sympy.together(diff)) == 0


def _same_in_ring(a, b, sol):
    """``same_on`` for two rational functions over QQ whose written denominators stay nonzero on the
    region's equalities: each formula converted once into numerator and denominator polynomials (remembered),
    the equalities composed in, compared by cross-multiplying; None when that does not apply (the caller
    then compares a - b as before, which also decides formulas undefined on the region)."""
    gens = ratfield.gens_of(a, b, extra=tuple(sol) + tuple(sympy.Add(*sol.values()).free_symbols) if sol else ())
    if not gens:
        return None
    p = ratfield.substituted(ratfield.parts(a, gens), sol)
    q = ratfield.substituted(ratfield.parts(b, gens), sol) if p is not None else None
    if p is None or q is None:
        return None
    return ratfield.equal(p, q)


@lru_cache(maxsize=4096)
def _probe(expr):
    """Exact values of ``expr`` at two fixed rational points (each symbol's value depends only on its
    name), or None where it is undefined there; computed once per formula, not once per pair.

    >>> x, y = sympy.symbols("x y")
    >>> _probe(x / y) == _probe(x * y / y**2), _probe(x / y) == _probe(y / x)
    (True, False)
    """
    expr = sympy.sympify(expr)
    out = []
    for shift in (0, 5):
        point = {}
        for v in expr.free_symbols:
            k = sum(map(ord, str(v))) % 29
            point[v] = sympy.Rational(3 + 7 * k + shift, 11 + 2 * k)
        try:  # sums, products and integer powers of rationals in Fractions: the same exact value
            fast = _at_fractions(expr, {v: Fraction(int(c.p), int(c.q)) for v, c in point.items()}, {})
            out.append(sympy.Rational(fast.numerator, fast.denominator))
            continue
        except (_NotRational, ZeroDivisionError):
            pass  # anything else, or a zero denominator (SymPy's zoo and nan), as SymPy evaluates it
        at = expr.xreplace(point)
        if not (at.is_number and at.is_finite):
            return None
        out.append(at)
    return tuple(out)


class _NotRational(Exception):
    pass


def _at_fractions(e, point: dict, seen: dict) -> Fraction:
    """The value of a rational expression in the symbols of ``point`` (Fractions), exactly; raises
    _NotRational for anything but symbols, rationals, sums, products and integer powers."""
    if e in seen:
        return seen[e]
    if e.is_Symbol:
        if e not in point:
            raise _NotRational(e)
        v = point[e]
    elif e.is_Rational:
        v = Fraction(int(e.p), int(e.q))
    elif e.is_Add:
        v = sum((_at_fractions(a, point, seen) for a in e.args), Fraction(0))
    elif e.is_Mul:
        v = Fraction(1)
        for a in e.args:
            v *= _at_fractions(a, point, seen)
    elif e.is_Pow and e.exp.is_Integer:
        v = _at_fractions(e.base, point, seen) ** int(e.exp)
    else:
        raise _NotRational(e)
    seen[e] = v
    return v


def region_point(region: Region, rng: np.random.Generator, box: float = 3.0) -> list[float]:
    """A random point of the region: uniform by rejection for open regions; for boundaries a random
    combination of LP points moved exactly onto the boundary with dyadic coordinates (None when the
    boundary has no such point, e.g. x3 = 1/6)."""
    inputs = region.inputs
    lo = [0.0 if (x.is_nonnegative or x.is_positive) else -box for x in inputs]
    if all(s != 0 for _, s in region.constraints):
        rows = [(_linear_exact(z, tuple(inputs)), s) for z, s in region.constraints]
        for _ in range(400):
            x = rng.uniform(lo, box)
            fx = [Fraction(float(v)) for v in x]  # the sign of z at the float point, exactly (was: SymPy Floats)
            if all(_sign(sum((c * v for c, v in zip(cs, fx)), c0)) == s for (cs, c0), s in rows):
                return [float(v) for v in x]
    # off the domain's own boundary where the region allows it (x1 = 0 is sampled at x2 > 0, not at 0)
    interior = [(sympy.Add(x, 0), 1) for x in inputs if x.is_nonnegative or x.is_positive]
    interior = [c for c in interior if feasible(region.constraints + [c], inputs)]
    centre = None
    for cons in (region.constraints + interior, region.constraints):
        for b in (box, BOX):
            centre = solve_lp(cons, inputs, box=b)
            if centre is not None:
                break
        if centre is not None:
            break
    if centre is None:
        raise ValueError("empty region")
    x0, t = centre
    other = solve_lp(cons, inputs, objective=rng.normal(size=len(inputs)), box=b, min_margin=t / 4)
    lam = rng.uniform(0.2, 1.0)
    x = lam * x0 + (1 - lam) * (other[0] if other is not None else x0)
    if all(s != 0 for _, s in region.constraints):
        return [float(v) for v in x]
    exact = _on_boundary(region, x)
    # a boundary point that floats cannot hold exactly would be read as a point of a neighbouring region
    return [float(v) for v in exact] if exact is not None else None


def _sign(v) -> int:
    return (v > 0) - (v < 0)


def _on_boundary(region: Region, x):
    """x moved exactly onto the region's equalities with dyadic coordinates (exact in floats), or None."""
    inputs = region.inputs
    eqs = [z for z, s in region.constraints if s == 0]
    solution = next(iter(sympy.linsolve(eqs, inputs))) if eqs else tuple(inputs)
    free = sorted(set().union(*(sympy.sympify(v).free_symbols for v in solution)) & set(inputs), key=str)
    for denominator in (256, 4096, 65536):
        fixed = {v: sympy.Rational(round(x[inputs.index(v)] * denominator), denominator) for v in free}
        point = [sympy.sympify(v).xreplace(fixed) for v in solution]
        if all(p.is_Rational and (int(p.q) & (int(p.q) - 1)) == 0 for p in point):
            frac = [Fraction(int(p.p), int(p.q)) for p in point]
            if _exactly_inside(region, frac):
                return frac
    return None


def _exactly_inside(region, point) -> bool:
    sub = {x: sympy.Rational(v.numerator, v.denominator) for x, v in zip(region.inputs, point)}
    for x, v in sub.items():
        if (x.is_nonnegative and v < 0) or (x.is_positive and v <= 0):
            return False
    for z, s in region.constraints:
        val = z.xreplace(sub)
        if sympy.sign(val) != s:
            return False
    return True
