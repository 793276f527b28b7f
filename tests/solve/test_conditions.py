"""The conditions of piecewise answers as a reader writes them, and never a different set than solved."""

from fractions import Fraction
from itertools import product
import random

import pytest
import sympy

from symxai.errors import VerificationError
from symxai.expr.printing import relation_chain, tex
from symxai.solve import regions
from symxai.solve.pipeline import build
from symxai.solve.regions import SIGNS, _relaxed, _substituted

from tests.conftest import PROBLEMS

A1, A2 = sympy.symbols("a1 a2", nonnegative=True)
ZS = [A1, A2, A1 - A2, A1 + A2]
GRID = [Fraction(n, 2) for n in range(5)]  # 0, 1/2, ..., 2: zeros and ties included


def _holds(cons, point) -> bool:
    values = {A1: point[0], A2: point[1]}
    return all(int(sympy.sign(z.xreplace(values))) in s for z, s in cons)


def _members(alts):
    return {p for p in product(GRID, GRID) if any(_holds(alt, p) for alt in alts)}


@pytest.mark.parametrize("seed", range(12))
def test_relaxing_keeps_the_union_of_the_alternatives(seed):
    rng = random.Random(seed)
    alts = []
    for _ in range(rng.randint(1, 3)):
        zs = rng.sample(ZS, rng.randint(1, 3))
        alts.append([(z, frozenset(rng.sample(SIGNS, rng.randint(1, 2)))) for z in zs])
    alts = [a for a in alts if _members([a])] or [[(A1, frozenset({1}))]]
    assert _members(_relaxed(alts, [A1, A2])) == _members(alts)


def test_an_equality_used_in_the_other_constraints_keeps_the_set():
    cons = [(A1 - A2, frozenset({0})), (A1 + A2, frozenset({1}))]
    out = _substituted(cons)
    assert (A2, frozenset({1})) in out and _members([out]) == _members([cons])


def _normal(lhs, op, rhs):
    """A relation as (kind, difference): l < r is r > l; an equation has no side."""
    if op in ("<", "<="):
        lhs, op, rhs = rhs, op.replace("<", ">"), lhs
    d = sympy.expand(lhs - rhs)
    return (op, frozenset({d, -d}) if op == "==" else d)


def test_a_chain_is_the_conjunction_it_prints():
    a1, a2, a3 = sympy.symbols("a1 a2 a3")
    rels = [a1 > a2, sympy.Eq(a2, a3), a3 >= 0]
    links = relation_chain(rels)
    assert {_normal(l, op, r) for l, op, r in links} == {_normal(r.lhs, r.rel_op, r.rhs) for r in rels}
    assert tex(sympy.And(*rels)) == "a_{1} > a_{2} = a_{3} \\geq 0"
    assert relation_chain([a1 > a2, a3 < a2]) is not None and relation_chain([a1 > a2, a3 > a2]) is None


def test_a_wrongly_relaxed_condition_fails_the_build(tmp_path, monkeypatch):
    # a coverage test that says yes to everything drops constraints the answer needs: the numeric
    # reference, which samples every region and boundary, must refuse the sheet
    monkeypatch.setattr(regions, "_covered", lambda cons, alts, inputs: True)
    with pytest.raises(VerificationError):
        build([PROBLEMS / "tub-ml-sheet11.yaml"], tmp_path, tex_only=True)
