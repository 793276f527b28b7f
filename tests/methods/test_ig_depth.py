"""Issue 15's crash example: Integrated Gradients through two hidden layers, ReLU(ReLU(x1 - 1/2) - 1/4)."""

import sympy

from symxai.solve.verify import verify
from symxai.specs.spec import loads_sheet

SPEC = """id: ig-depth
title: IG through two layers
exercises:
  - id: ig
    title: IG through two hidden layers
    method: integrated-gradients
    symbols:
      x1: real
      x2: real
    statement: s
    params:
      f: ReLU(ReLU(x1 - 1/2) - 1/4) + ReLU(x2 - ReLU(x1 - 1))
      inputs: [x1, x2]
      point: [2, 3]
"""


def test_two_hidden_layers_solve_exactly_and_verify():
    task = loads_sheet(SPEC).task("ig")
    sol = task.method.solve(task.problem)
    IG = [sol.answers[n].value for n in ("IG_1", "IG_2")]
    # along (2a, 3a): ReLU(2a - 1/2) - 1/4 switches at a = 1/4 and 3/8; x2 - ReLU(x1 - 1) at a = 1/2 (x1 > 1)
    # IG_1 = 2 * (int_{3/8}^1 1 da - int_{1/2}^1 1 da) = 2 * (5/8 - 1/2) = 1/4, IG_2 = 3 * 1 = 3
    assert IG == [sympy.Rational(1, 4), sympy.Integer(3)]
    assert sum(IG) == task.problem.at(task.problem.point) - task.problem.at(task.problem.baseline)
    assert verify(task, sol).passed
    sol.answers["IG_1"].value = sympy.Rational(5, 4)  # the inner ReLU's kinks ignored: gradient at x times x
    assert [c.answer for c in verify(task, sol).failures()] == ["IG_1"]
