"""What is wrong with a wrong answer: generic diagnoses and catalogue matches.

``diagnose`` is called for an answer that ``compare`` found wrong.  It tries,
in order, the method's misconception rows, the other quantities of the
exercise (R_2 given as R_1), the regions of a piecewise answer, a declared
matrix swapped for its inverse, a missing or extra transpose, a constant
factor or sign, a constant offset, and a rounded decimal.  Each candidate is
tested with ``compare`` itself, so a diagnosis is as trustworthy as a
verdict.  The search is bounded by work (at most ``MAX_CALLS`` comparisons of
``CANDIDATE_POINTS`` points each), never by the clock, so the same answer gets
the same feedback on a busy machine.  At most two diagnoses, ranked: one
misconception of the method's catalogue before anything generic, and never
two that tell different stories of the same value (a catalogue row and a
factor note); a factor note only for a simple factor (a small fraction, a
declared symbol or its square, their inverses).

>>> import sympy
>>> from symxai.specs.symbols import SymbolDecl, SymbolTable
>>> table = SymbolTable([SymbolDecl("w"), SymbolDecl("lambda", assume=frozenset({"positive"}))])
>>> w, lam = table["w"], table["lambda"]
>>> [d.message for d in diagnose(w / (2 * lam), w / lam, table)]
['your answer is 2 times the correct one']
>>> [d.label for d in diagnose(w / (2 * lam), -w / (2 * lam), table)]
['sign']
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from symxai.lazy import numpy as np
import sympy

from symxai.grade.equivalence import compare, error, holds, shape_of
from symxai.expr.numeval import evaluate, free_parameters

MAX_CALLS = 40  # comparisons one diagnosis search may make
CANDIDATE_POINTS = 8
MAX_DIAGNOSES = 2
SIMPLE = 12  # a factor p/q with |p|, q <= SIMPLE is one a student slips in
GENERIC = {"factor", "sign", "offset", "inverse", "transpose", "region", "rounded", "other-answer", "term-sign"}


@dataclass
class Diagnosis:
    label: str  # "factor", "sign", "offset", "inverse", "transpose", "other-answer", "region", "rounded", or a catalogue label
    message: str


class _Search:
    def __init__(self, symbols, conditions, sample, seed, budget):
        self.symbols, self.conditions, self.sample, self.seed = symbols, tuple(conditions), sample, seed
        self.calls = budget

    def left(self) -> int:
        return self.calls

    def verdict(self, a, b, extra=()):
        self.calls -= 1
        return compare(a, b, self.symbols, self.conditions + tuple(extra), sample=self.sample, seed=self.seed,
                       points=CANDIDATE_POINTS, exact=False, probes=False)

    def same(self, a, b, extra=()) -> bool:
        if self.calls <= 0:
            return False
        return self.verdict(a, b, extra).status == "right"

    def points(self, *values_of, n=6):
        """Up to n admissible parameter points for the quantities ``values_of``."""
        rng = np.random.default_rng(self.seed + 1)
        draw = self.sample or self.symbols.sample
        free = any(free_parameters(v) for v in values_of)
        out = []
        for _ in range(60):
            if len(out) >= (n if free else 1):
                break
            values = draw(rng) if free else {}
            if holds(self.conditions, values):
                out.append(values)
        return out


def _ratio(search, expected, given):
    """The constant c with given = c * expected (as a SymPy number), or None."""
    ratios = []
    for values in search.points(expected, given):
        e = np.asarray(evaluate(expected, values), dtype=float).reshape(-1)
        g = np.asarray(evaluate(given, values), dtype=float).reshape(-1)
        if e.shape != g.shape or not (np.all(np.isfinite(e)) and np.all(np.isfinite(g))):
            return None
        big = np.abs(e) > 1e-9
        if not big.any():
            continue
        if np.any(np.abs(g[~big]) > 1e-9):
            return None
        ratios.extend((g[big] / e[big]).tolist())
    if not ratios or max(ratios) - min(ratios) > 1e-9 * max(1.0, abs(ratios[0])):
        return None
    r = ratios[0]
    guess = Fraction(r).limit_denominator(SIMPLE)  # a factor a student can slip in: 2, 1/2, 3/2
    if abs(guess.numerator) <= SIMPLE and abs(float(guess) - r) <= 1e-12 * max(1.0, abs(r)):
        return sympy.Rational(guess.numerator, guess.denominator)
    return None


def _symbol_factor(search, expected, given):
    """A declared scalar symbol (or its square, or their inverses) the answer is multiplied by."""
    syms = sorted((s for s in free_parameters(expected) | free_parameters(given) if isinstance(s, sympy.Symbol)),
                  key=lambda s: s.name)[:4]
    for s in syms:
        for k in (1, -1, 2, -2):
            if search.left() <= 0:
                return None
            if search.same(expected * s**k, given):
                return s**k
    return None


def _factor(search, expected, given) -> Diagnosis | None:
    if isinstance(expected, (sympy.FiniteSet, sympy.logic.boolalg.BooleanAtom)):
        return None
    c = _ratio(search, expected, given)
    if c is None and free_parameters(expected) and not shape_of(expected):
        c = _symbol_factor(search, expected, given)
        if c is not None:
            return Diagnosis("factor", f"your answer is {sympy.sstr(c)} times the correct one")
    if c is None or c == 1 or not search.same(c * expected, given):
        return None
    if c == -1:
        return Diagnosis("sign", "sign error: your answer is the negative of the correct one")
    if c == 0:
        return None
    return Diagnosis("factor", f"your answer is {sympy.sstr(c)} times the correct one")


def _term_sign(search, expected, given) -> Diagnosis | None:
    """One term of a sum with the wrong sign (a forgotten -1)."""
    if shape_of(expected) or not isinstance(expected, sympy.Add) or len(expected.args) > 6:
        return None
    for term in expected.args:
        if search.left() <= 0:
            return None
        if search.same(expected - 2 * term, given):
            shown = sympy.sstr(term if not term.could_extract_minus_sign() else -term)
            return Diagnosis("term-sign", f"sign error: the term {shown} has the wrong sign (a forgotten -1?)")
    return None


def _offset(search, expected, given) -> Diagnosis | None:
    if shape_of(expected) or isinstance(expected, (sympy.FiniteSet, sympy.logic.boolalg.BooleanAtom)):
        return None
    diffs = [evaluate(given - expected, v) for v in search.points(expected, given)]
    if not diffs or not all(np.isfinite(diffs)) or max(diffs) - min(diffs) > 1e-9 * max(1.0, abs(diffs[0])):
        return None
    c = Fraction(diffs[0]).limit_denominator(1000)
    offset = sympy.Rational(c.numerator, c.denominator)
    if offset == 0 or not free_parameters(expected) or not search.same(expected + offset, given):
        return None  # for plain numbers an offset says nothing a wrong value does not
    return Diagnosis("offset", f"your answer is the correct one plus the constant {sympy.sstr(offset)}")


def _rounded(search, expected, given) -> Diagnosis | None:
    if free_parameters(expected) or free_parameters(given) or shape_of(expected):
        return None
    try:
        err = error(evaluate(given, {}), evaluate(expected, {}))
    except (TypeError, ValueError):
        return None
    if 0 < err < 1e-3:
        return Diagnosis("rounded", f"close but not equal (relative error {err:.1g}): give the exact value "
                         "(fractions, sqrt(...)) rather than a rounded decimal or a near value")
    return None


def _matrices(value) -> list:
    try:
        return sorted(sympy.sympify(value).atoms(sympy.MatrixSymbol), key=lambda m: m.name)
    except (TypeError, AttributeError, sympy.SympifyError):
        return []


def _inverse(search, expected, given) -> Diagnosis | None:
    for M in _matrices(expected):
        if M.shape[0] != M.shape[1]:
            continue
        candidate = expected.xreplace({M: sympy.Inverse(M)})
        had_inverse = bool(sympy.sympify(expected).atoms(sympy.Inverse))
        if search.same(candidate, given):
            if had_inverse:
                return Diagnosis("inverse", f"you wrote {M.name} where the answer has {M.name}^-1 (or the "
                                 "other way round): check which of the two belongs there")
            return Diagnosis("inverse", f"you used {M.name}^-1 where the answer has {M.name}")
    return None


def _transpose(search, expected, given, symbols) -> Diagnosis | None:
    es, gs = shape_of(expected), shape_of(given)
    if es and gs and es == gs[::-1] and search.same(expected.T, given):
        return Diagnosis("transpose", "your answer is the transpose of the correct one")
    for M in _matrices(expected):
        decl = symbols.by_object.get(M)
        if M.shape[0] != M.shape[1] or decl is None or decl.assume & {"symmetric", "spd"}:
            continue
        if search.same(expected.xreplace({M: M.T}), given):
            return Diagnosis("transpose", f"a transpose on {M.name} is missing or extra ({M.name} vs {M.name}^T)")
    return None


def _regions(value):
    """[(condition of the region, text)] when ``value`` is piecewise (explicitly or by Max/Min/Abs)."""
    try:
        if not isinstance(value, sympy.Basic) or shape_of(value) or isinstance(value, sympy.FiniteSet):
            return []
        if not value.has(sympy.Piecewise, sympy.Max, sympy.Min, sympy.Abs, sympy.Heaviside):
            return []
        pw = sympy.piecewise_fold(value.rewrite(sympy.Piecewise))
    except (TypeError, ValueError, AttributeError, NotImplementedError):
        return []
    if not isinstance(pw, sympy.Piecewise) or len(pw.args) < 2:
        return []
    out, before = [], sympy.false
    for _, cond in pw.args:
        region = sympy.And(cond, sympy.Not(before)) if before is not sympy.false else cond
        text = "elsewhere" if cond is sympy.true else sympy.sstr(cond)
        if before is not sympy.false and cond is not sympy.true:
            text += " (and no earlier case)"
        out.append((region, text))
        before = sympy.Or(before, cond)
    return out[:8]


def _where(texts) -> str:
    return "; ".join("elsewhere" if t == "elsewhere" else f"where {t}" for t in texts)


def _region(search, expected, given) -> Diagnosis | None:
    regions = _regions(expected) or _regions(given)
    if not regions:
        return None
    right, wrong = [], []
    for region, text in regions:
        if search.left() <= 0:
            return None
        verdict = search.verdict(expected, given, (region,))
        if verdict.status == "right":
            if not search.same(expected, sympy.Integer(0), (region,)):  # right where all is 0 says nothing
                right.append(text)
        elif verdict.status == "wrong":
            wrong.append(text)
    if right and wrong:
        return Diagnosis("region", f"right {_where(right)}, but wrong {_where(wrong)}")
    return None


def diagnose(expected, given, symbols, conditions=(), *, name: str = "", others: dict | None = None,
             catalogue=(), sample=None, seed: int = 0, budget: int = MAX_CALLS) -> list[Diagnosis]:
    """Name the mistake in ``given`` (already known to be wrong): at most ``MAX_DIAGNOSES``, the most
    specific first.

    ``others``: {name: value} of the exercise's other quantities; ``catalogue``:
    [(label, message, wrong value of this answer)] from the method's table (most specific row first).
    """
    search = _Search(symbols, conditions, sample, seed, budget)
    found: list[Diagnosis] = []
    for label, message, wrong in catalogue:  # every row that fits: ``rank`` keeps the likeliest one
        if len(found) >= 4 or search.left() <= 0:
            break
        if search.same(wrong, given) and not search.same(wrong, expected):
            found.append(Diagnosis(label, message))
    for other, value in (others or {}).items():
        if search.left() <= 0:
            break
        if other != name and search.same(value, given) and not search.same(value, expected):
            found.append(Diagnosis("other-answer", f"this is the value of {other}, not of {name or 'this answer'}"))
            break
    if found:
        return found  # ``rank``ed by the caller, across the student's answers
    steps = (lambda: _region(search, expected, given), lambda: _inverse(search, expected, given),
             lambda: _transpose(search, expected, given, symbols), lambda: _factor(search, expected, given),
             lambda: _term_sign(search, expected, given), lambda: _offset(search, expected, given),
             lambda: _rounded(search, expected, given))
    for step in steps:
        if len(found) >= MAX_DIAGNOSES or search.left() <= 0:
            break
        try:
            d = step()
        except (ArithmeticError, TypeError, ValueError, AttributeError, NotImplementedError, RecursionError):
            d = None  # a diagnosis that cannot be computed is simply not offered
        if d is not None:
            found.append(d)
    return rank(found)


_STORIES = {"factor", "sign", "term-sign", "offset", "rounded"}  # each says what the whole value is


def rank(diagnoses, counts=None) -> list[Diagnosis]:
    """At most ``MAX_DIAGNOSES``, the most specific first: one catalogue misconception (the one that
    explains most of the student's answers, ``counts``: label -> answers it explains) before anything
    generic (a swap with another answer counts as specific), and never two stories of the same value
    (a misconception and a factor note, a factor and an offset).

    >>> rank([Diagnosis("factor", "2 times"), Diagnosis("offset", "plus 1"), Diagnosis("region", "r")])
    [Diagnosis(label='factor', message='2 times'), Diagnosis(label='region', message='r')]
    >>> [d.label for d in rank([Diagnosis("a", ""), Diagnosis("b", ""), Diagnosis("factor", "")], {"b": 3})]
    ['b']
    """
    counts = counts or {}
    order = {id(d): i for i, d in enumerate(diagnoses)}
    catalogue = sorted((d for d in diagnoses if d.label not in GENERIC or d.label == "other-answer"),
                       key=lambda d: (-counts.get(d.label, 0), order[id(d)]))
    out = catalogue[:1]
    for d in diagnoses:
        if len(out) >= MAX_DIAGNOSES:
            break
        if d.label not in GENERIC or d.label == "other-answer" or d in out:
            continue
        if d.label in _STORIES and (catalogue or any(o.label in _STORIES for o in out)):
            continue
        out.append(d)
    return out
