"""Answers settled exactly without numpy (issue 20 item 4): ``equivalence.settled_exactly`` and its use
in ``grade.check``.  A settled verdict is the verdict ``compare`` gives, reports are unchanged, the
numeric route keeps its draws, and a cache hit of a constant answer does not import numpy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sympy

from symxai.expr.exprparse import parse_value
from symxai.grade import check as checking
from symxai.grade.check import check
from symxai.grade.equivalence import Verdict, compare, settled_exactly
from symxai.grade.grading import constants, exact_verdict
from symxai.specs.symbols import SymbolDecl, SymbolTable

ROOT = Path(__file__).resolve().parents[2]
SHEET14 = "problems/tub-ml-sheet14.yaml"

PAIRS = [  # (expected, given) as parser text: equal constants, equal ones written otherwise, unequal ones
    ("2/3", "4/6"), ("2/3", "1 - 1/3"), ("sqrt(2)/2", "1/sqrt(2)"), ("Phi(3)", "Phi(3)"), ("2/3", "0.6666"),
    ("1/2", "0.5"), ("2/3", "3/4"), ("sqrt(2)", "sqrt(3)"), ("exp(1)", "exp(2)/exp(1)"), ("log(4)", "2*log(2)"),
    ("(1, 1/2)", "(1, 2/4)"), ("(1, 1/2)", "(1, 1/3)"), ("(1, 1/2)", "(1, 1/2, 0)"), ("0", "0"),
    ("x^2 + x", "x + x^2"), ("x^2 + x", "x*(x + 1)"), ("x*y", "y*x"), ("Max(x, 0)", "Max(0, x)"), ("x", "y"),
    ("abs(x)", "sqrt(x^2)"), ("(x, 2*y)", "(x, y + y)"), ("true", "true"), ("true", "false"), ("x/y", "x*y^(-1)"),
]

SETTLED = {("2/3", "4/6"), ("2/3", "1 - 1/3"), ("sqrt(2)/2", "1/sqrt(2)"), ("Phi(3)", "Phi(3)"), ("(1, 1/2)", "(1, 2/4)"),
           ("0", "0"), ("x^2 + x", "x + x^2"), ("x*y", "y*x"), ("(x, 2*y)", "(x, y + y)"), ("true", "true"),
           ("true", "false")}


def _parsed(expected, given):
    table = SymbolTable([SymbolDecl("x"), SymbolDecl("y")])
    return table, parse_value(expected, table.names()), parse_value(given, table.names())


@pytest.mark.parametrize("expected, given", PAIRS)
def test_a_settled_verdict_is_the_verdict_of_compare(expected, given):
    table, e, g = _parsed(expected, given)
    settled = settled_exactly(e, g)
    if settled is not None:
        assert settled == compare(e, g, table)
    if (expected, given) in SETTLED:
        assert settled is not None


@pytest.mark.parametrize("expected, given", PAIRS)
def test_the_exact_child_gives_the_verdict_of_compare(expected, given):
    table, e, g = _parsed(expected, given)
    verdict = exact_verdict(e, g)
    if verdict is not None:
        assert verdict == compare(e, g, table)
    if constants(e, g) and compare(e, g, table).how == "exact":
        assert verdict is not None


def test_different_rationals_skip_the_exact_child():
    r = sympy.Rational
    assert checking._rationals_apart(r(1, 3), r(1, 2))
    assert not checking._rationals_apart(r(1, 3), r(1, 3)) and not checking._rationals_apart(r(1, 3), sympy.sqrt(2))
    assert checking._rationals_apart(sympy.ImmutableMatrix([1, r(1, 2)]), sympy.ImmutableMatrix([1, r(1, 3)]))
    assert not checking._rationals_apart(sympy.ImmutableMatrix([1, 2]), sympy.ImmutableMatrix([1, 2, 3]))
    for e, g in [(r(1, 3), r(1, 2)), (sympy.ImmutableMatrix([1, r(1, 2)]), sympy.ImmutableMatrix([1, r(1, 3)]))]:
        assert exact_verdict(e, g) is None  # what the child would have said


def test_only_identical_trees_and_truth_values_are_settled():
    x = sympy.Symbol("x", real=True)
    r = sympy.Rational
    assert settled_exactly(r(2, 3), r(2, 3)) is not None
    assert settled_exactly(x, x) == Verdict("right", "exact")
    assert settled_exactly(x, x + 0 * x) is not None and settled_exactly(x, 2 * x / 2) is not None  # built alike
    assert settled_exactly(sympy.Max(x, 0), sympy.Max(x, 0)) is not None  # compare: exact, no Piecewise
    assert settled_exactly(sympy.Piecewise((x, x > 0), (0, True)), sympy.Piecewise((x, x > 0), (0, True))) is None
    assert settled_exactly(1.5 * x, 1.5 * x) is None  # floats: compare's tolerance rules
    assert settled_exactly(r(2, 3), r(2, 3), [x > 0]) is None  # --assume: compare checks admissibility
    assert settled_exactly(sympy.nan, sympy.nan) is None and settled_exactly(sympy.oo, sympy.oo) is None
    assert settled_exactly(sympy.ImmutableMatrix([[1]]), sympy.Integer(1)) is None  # 1x1 meets a scalar
    assert settled_exactly(sympy.true, sympy.true) == compare(sympy.true, sympy.true, SymbolTable([]))
    assert settled_exactly(sympy.true, sympy.false) == compare(sympy.true, sympy.false, SymbolTable([]))


@pytest.mark.parametrize("path, target, answers", [
    (SHEET14, "shapley", {"phi_1": "2/3"}),
    (SHEET14, "shapley", {"phi_1": "2/3", "phi_2": "1/6", "phi_3": "1/6"}),  # one batch, all settled
    (SHEET14, "shapley", {"phi_1": "2/3", "phi_2": "1/3", "phi_3": "0.5/3"}),  # settled, wrong, float
    (SHEET14, "shapley", {"phi_1": "3/4"}),
    (SHEET14, "shapley", {"v_12": "1", "phi_1": "2/3"}),  # an intermediate quantity
    (SHEET14, "lrp-max.C", {"R_1": "Piecewise((x1 - x2/2, x1 > x2), (x1/2, true))"}),  # counts its draws
    (SHEET14, "lrp-max.B", {"R_1": "x1"}),  # counts its draws: never settled
    ("problems/tub-ml1-lecture14.yaml", "taylor-linear", {"phi_i": "w_i*x_i"}),  # a formula
    ("problems/tub-ml1-lecture14.yaml", "taylor-linear", {"phi_i": "x_i*w_i + 0"}),
    ("problems/eth-riai-ex10.yaml", "robust-features.accuracy", {"acc_f1": "Phi(3)"}),  # a property check first
    ("problems/eth-riai-ex10.yaml", "robust-features.adversarial", {"exists_f1": "false"}),
    ("problems/yale-hw1.yaml", "lime.c", {"beta_l0": "(264/109, 0, 87/109)"}),  # a vector
    ("problems/yale-hw1.yaml", "gradcam.b", {"alpha": "(2*exp(1)/(exp(1)+1),(1-exp(1))/(exp(1)+1))"}),  # exact child
    ("problems/yale-hw1.yaml", "gradcam.b", {"alpha": "(2*exp(1)/(exp(1)+1),(1-exp(1))/(exp(1)+2))"}),
    ("problems/yale-hw1.yaml", "gradcam.b", {"alpha": "(1, 2, 3)"}),  # a shape that cannot match
])
def test_reports_are_those_of_compare_alone(monkeypatch, path, target, answers):
    calls = []
    real = checking.settled_exactly

    def counted(*args):
        out = real(*args)
        calls.append(out is not None)
        return out
    monkeypatch.setattr(checking, "settled_exactly", counted)
    settled = check(path, target, answers, cache=False).as_dict()
    monkeypatch.setattr(checking, "settled_exactly", lambda *args: None)
    monkeypatch.setattr(checking, "exact_verdict", lambda *args: None)
    assert check(path, target, answers, cache=False).as_dict() == settled
    if target.startswith("lrp"):
        assert not any(calls)
    elif answers.get("phi_1") == "2/3" or target in ("taylor-linear", "lime.c"):
        assert any(calls)


def test_a_constant_answer_on_a_cache_hit_imports_no_numpy(tmp_path):
    """Structural, not a timing: the second check (a hit) of a right constant answer never imports
    numpy; the first (a miss: the exercise is solved) and a wrong answer (feedback) may."""
    env = dict(os.environ, SYMXAI_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=str(ROOT))
    env.pop("SYMXAI_NO_CHECK_CACHE", None)
    probe = ("import json, sys\n"
             "from symxai.cli import main\n"
             "try:\n"
             "    main(sys.argv[1:])\n"
             "except SystemExit as exc:\n"
             "    code = exc.code\n"
             "print(json.dumps({'numpy': 'numpy' in sys.modules, 'code': code}))\n")

    def run(*args):
        out = subprocess.run([sys.executable, "-c", probe, "check", *args], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
        lines = out.stdout.strip().splitlines()
        return lines[:-1], json.loads(lines[-1])

    first = run(SHEET14, "shapley", "phi_1=2/3")
    hit = run(SHEET14, "shapley", "phi_1=2/3")
    assert first[0] == hit[0] == ["phi_1 = 2/3: right (exact)"]
    assert first[1]["code"] == hit[1]["code"] == 0
    assert hit[1]["numpy"] is False
    both = run(SHEET14, "shapley", "phi_1=2/3", "phi_2=1/6", "phi_3=1/6")  # a batch, every answer settled
    assert both[1] == {"numpy": False, "code": 0}
    written = "alpha=(2*exp(1)/(exp(1)+1),(1-exp(1))/(exp(1)+1))"  # right, another tree: the exact child
    for _ in range(2):
        other = run("problems/yale-hw1.yaml", "gradcam.b", written)
    assert other[1] == {"numpy": False, "code": 0} and other[0][0].endswith(": right (exact)")
    wrong = run(SHEET14, "shapley", "phi_1=3/4")
    assert wrong[1]["code"] == 1 and "[equal-weights]" in "\n".join(wrong[0])
