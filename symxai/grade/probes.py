"""Sample points chosen on purpose: far from the origin, and on and next to every kink.

Random points drawn from a small box (the declared symbols from [-3, 3]) miss a
wrong answer that differs only elsewhere: ``x2 + Max(0, x1 - 10)`` for ``x2``.
``probe_points`` turns a few admissible base points into

- the same point scaled by several magnitudes (10, 1000, 10^6), with both signs
  where the symbols' assumptions allow;
- for every kink of either answer (the arguments of Max/Min meeting, the
  argument of Abs/Heaviside/sign vanishing, a Piecewise condition's two sides
  meeting), a point on it and points just beside it, found by solving the
  kink's equation for one symbol it is linear in; at the exercise's own scale
  (a kink at x1 = 10 is reached wherever the base point lies).

Integer symbols (dimensions) and symbols with a declared range keep their
values: they are part of the exercise's domain.

>>> import numpy as np, sympy
>>> from symxai.specs.symbols import SymbolDecl, SymbolTable
>>> table = SymbolTable([SymbolDecl("x1"), SymbolDecl("x2")])
>>> x1, x2 = table["x1"], table["x2"]
>>> base = [{x1: 0.5, x2: 1.0}]
>>> sorted(p[x1] for p in probe_points([sympy.Max(0, x1 - 10)], table, base) if p[x2] == 1.0)[:3]
[-500000.0, -500.0, -5.0]
>>> any(p[x1] == 10.0 for p in probe_points([sympy.Max(0, x1 - 10)], table, base))
True
"""

from __future__ import annotations

from symxai.lazy import numpy as np
import sympy

MAGNITUDES = (10.0, 1e3, 1e6)
NEAR = (0.0, 1e-3, -1e-3, 0.5, -0.5)  # offsets from a kink, relative to the scale of the point
MAX_KINKS = 12
MAX_PROBES = 60


def _scalars(symbols, exprs):
    """Free scalar symbols of ``exprs`` that probing may move: real, not integer, no declared range."""
    free = set()
    for e in exprs:
        if isinstance(e, sympy.Basic):
            free |= {s for s in e.free_symbols if isinstance(s, sympy.Symbol)}
    out = []
    for s in sorted(free, key=lambda s: s.name):
        decl = symbols.by_object.get(s)
        if decl is None or decl.range is not None or "integer" in decl.assume:
            continue
        out.append(s)
    return out


def _signs(symbols, s) -> tuple:
    a = symbols.by_object[s].assume
    return (1.0,) if a & {"positive", "nonnegative", "negative", "nonpositive"} else (1.0, -1.0)


def kinks(exprs) -> list:
    """Expressions whose zero set is a kink or a case boundary of one of ``exprs``.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> kinks([sympy.Max(x, y, 0)])
    [-x, -y, x - y]
    """
    found = []

    def add(g):
        g = sympy.sympify(g)
        if g.free_symbols and g not in found and -g not in found:
            found.append(g)

    for e in exprs:
        if not isinstance(e, sympy.Basic):
            continue
        for node in sympy.preorder_traversal(e):
            if len(found) >= MAX_KINKS:
                return found
            if isinstance(node, (sympy.Max, sympy.Min)):
                args = sorted(node.args, key=sympy.default_sort_key)
                for i, a in enumerate(args):
                    for b in args[i + 1:]:
                        add(a - b)
            elif isinstance(node, (sympy.Abs, sympy.Heaviside, sympy.sign)):
                add(node.args[0])
            elif isinstance(node, sympy.Piecewise):
                for _, cond in node.args:
                    for rel in ([cond] if isinstance(cond, sympy.core.relational.Relational)
                                else list(cond.atoms(sympy.core.relational.Relational))
                                if isinstance(cond, sympy.Basic) else []):
                        add(rel.lhs - rel.rhs)
    return found


def _value(expr, point) -> float | None:
    try:
        v = complex(sympy.sympify(expr).xreplace({k: sympy.Float(v, 30) for k, v in point.items()
                                                  if isinstance(k, sympy.Symbol)}).evalf(20))
    except (TypeError, ValueError, ArithmeticError):
        return None
    return v.real if abs(v.imag) < 1e-12 and np.isfinite(v.real) else None


def _allowed(symbols, s, value) -> bool:
    a = symbols.by_object[s].assume
    return not (("positive" in a and value <= 0) or ("nonnegative" in a and value < 0)
                or ("negative" in a and value >= 0) or ("nonpositive" in a and value > 0))


def denominators(exprs) -> list:
    """Denominators of ``exprs`` (and of their pieces): where an answer may be 0/0 or have a pole.

    >>> a, b = sympy.symbols("a b", real=True)
    >>> denominators([sympy.Piecewise((a / (a - b), a > b), (1 / b, True))])
    [a - b, b]
    """
    found = []
    for e in exprs:
        if not isinstance(e, sympy.Basic) or isinstance(e, sympy.MatrixBase):
            continue
        for node in sympy.preorder_traversal(e):
            if len(found) >= MAX_KINKS:
                return found
            if isinstance(node, sympy.Pow) and node.exp.is_negative and node.base.free_symbols:
                if node.base not in found:
                    found.append(node.base)
    return found


def probe_points(exprs, symbols, base_points, *, singular: bool = False, far: bool = True,
                 movable=None, on: bool = True, kinks_too: bool = True) -> list[dict]:
    """Points derived from ``base_points`` (admissible {symbol: value}) that reach far and visit kinks;
    with ``singular``, also the zero sets of denominators and the edges of the domain (a nonnegative
    symbol at 0), where an engine's formula may be 0/0 (for verification against the reference).
    ``far=False`` leaves out the far points (numeric references lose accuracy there); ``movable``
    (a set of symbols) restricts which symbols may be moved (those the exercise's domain leaves free);
    ``kinks_too=False`` leaves kinks out (only denominators and edges); ``on=False`` visits kinks only beside them (where conventions at a tie, such as LRP's, do not
    decide)."""
    movable = [s for s in _scalars(symbols, exprs) if movable is None or s in movable]
    if not movable or not base_points:
        return []
    out = []
    bases, more = list(base_points[:3]), []
    if singular:
        for s in movable:
            if "nonnegative" in symbols.by_object[s].assume:
                for b in base_points[:2]:
                    p = dict(b)
                    p[s] = 0.0
                    more.append(p)
                    out.append(p)
    for b in base_points[:2] if far else []:  # far from the origin, both signs where allowed
        for m in MAGNITUDES:
            for sign in (1.0, -1.0):
                p = dict(b)
                for s in movable:
                    if s in p and isinstance(p[s], float):
                        p[s] = p[s] * m * (sign if -1.0 in _signs(symbols, s) else 1.0)
                out.append(p)
                if sign == 1.0 and m == MAGNITUDES[0]:
                    more.append(p)
    for g in (kinks(exprs) if kinks_too else []) + (denominators(exprs) if singular else []):
        if len(out) >= MAX_PROBES:
            break
        for s in movable:
            if s not in g.free_symbols:
                continue
            slope = sympy.diff(g, s)
            if slope.has(s):
                continue  # not linear in s: leave it to the random points
            for b in bases + more:
                gb, sb = _value(g, b), _value(slope, b)
                if gb is None or not sb:
                    continue
                on = b[s] - gb / sb
                scale = max(1.0, abs(on))
                for off in NEAR if on else NEAR[1:]:
                    value = on + off * scale
                    if _allowed(symbols, s, value):
                        p = dict(b)
                        p[s] = value
                        out.append(p)
            break
    return out[:MAX_PROBES]


def free_to_move(method, problem, symbols, seed: int = 0, *, inputs: bool = True) -> set:
    """The scalar symbols whose values the method's sampler takes from the declared domain as it is
    (the same draw as ``symbols.sample``), plus a network's inputs when ``inputs`` (every real input is
    admissible to the grader; verification leaves them to the method, whose regions cover its domain):
    a symbol the method sets itself (a probability p in (0.55, 1), a point on a segment) keeps its value.
    """
    a = method.sample(problem, symbols, np.random.default_rng(seed))
    b = symbols.sample(np.random.default_rng(seed))
    out = {k for k, v in a.items() if isinstance(k, sympy.Symbol) and k in b and b[k] == v}
    network = getattr(problem, "network", None) if inputs else None
    out |= {s for s in getattr(network, "inputs", None) or [] if isinstance(s, sympy.Symbol)}
    return out
