"""Exercises answered by an argument, not a computation (e.g. ordering feature visualizations).

The method derives nothing: its solution is the exercise's ``discussion``
text, which the templates print after the (empty) steps.  It has no answers,
so verification has nothing to compare and ``check`` has no names to accept.

>>> from symxai.specs.spec import loads_sheet
>>> sheet = loads_sheet('''
... id: s
... title: t
... exercises:
...   - id: e
...     title: t
...     statement: Why?
...     method: reasoned
...     discussion: Because.
... ''')
>>> task = sheet.tasks[0]
>>> task.answers, task.method.solve(task.problem).answers, task.discussion
([], {}, 'Because.')
"""

from __future__ import annotations

from symxai.solve.model import Solution
from symxai.specs.schema import Record
from symxai.methods import register
from symxai.methods.base import BuildContext, Method


class ReasonedProblem:
    """Nothing to compute."""


@register
class Reasoned(Method):
    name = "reasoned"
    reference_name = "nothing: the solution is an argument"
    params = Record({})

    def build(self, ctx: BuildContext, params):
        return ReasonedProblem()

    def answer_names(self, problem) -> list[str]:
        return []

    def solve(self, problem) -> Solution:
        return Solution()

    def reference(self, problem, values: dict) -> dict:
        return {}
