"""Misconception catalogues: what a typical wrong answer looks like, per method.

A catalogue is a table with one row per misconception.  A row is either

- ``Misconception(label, message, values)``: the answers this mistake
  produces, ``{answer name: wrong value}`` (SymPy values, like the engine's).
  A given answer matches the row when it equals the row's value (by
  ``symxai.grade.equivalence.compare``) and that value is not the right one; the
  student then reads ``message``.
- ``Law(label, message, names, residual)``: a property every correct set of
  answers has (Shapley efficiency).  ``residual({name: given value})`` is an
  expression that is zero when the law holds; it is tested when every answer
  in ``names`` was given.

A method supplies rows in either of two places (both are collected):

1. a method ``misconceptions(self, problem, solution) -> list`` on its class;
2. a module ``symxai/misconceptions/<method name, '-' as '_'>.py`` with a
   function ``misconceptions(problem, solution) -> list``.

Intermediate quantities a student may check (coalition values, hidden-layer
relevances, a root point) come the same way from ``intermediates(problem,
solution) -> {name: (value, description)}``.

>>> from symxai.specs.spec import load_sheet
>>> task = load_sheet("problems/tub-ml-sheet14.yaml").task("shapley")
>>> solution = task.method.solve(task.problem)
>>> [row.label for row in catalogue(task.method, task.problem, solution)][:2]
['equal-weights', 'no-weights']
>>> intermediates(task.method, task.problem, solution)["v_12"][0]
1
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Misconception:
    label: str  # short, stable id: "equal-weights", "lrp-0", "missing-factor"
    message: str  # what the student did, addressed to them
    values: dict = field(default_factory=dict)  # answer name -> the value this mistake gives


@dataclass(frozen=True)
class Law:
    label: str
    message: str
    names: tuple  # the answers the law ties together
    residual: Callable[[dict], object]  # {name: value} -> expression that must be 0


def _module(method):
    name = method.name.replace("-", "_")
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise  # a catalogue that fails to import is a bug, not an absent catalogue
        return None


def _collect(method, hook: str, *args):
    found = []
    own = getattr(method, hook, None)
    if callable(own):
        found.append(own(*args))
    module = _module(method)
    if module is not None and callable(getattr(module, hook, None)):
        found.append(getattr(module, hook)(*args))
    return found


def catalogue(method, problem, solution) -> list:
    """Every catalogue row (Misconception or Law) the method has for this problem."""
    return [row for rows in _collect(method, "misconceptions", problem, solution) for row in rows]


def intermediates(method, problem, solution) -> dict:
    """{name: (value, description)} of intermediate quantities that can be checked."""
    out: dict = {}
    for found in _collect(method, "intermediates", problem, solution):
        out.update(found)
    return out
