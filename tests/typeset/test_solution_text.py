"""Every method's rendered solution text, read as a TA would: no chain with a repeated member,
no unset placeholder, no machine boilerplate, no paragraph printed twice (symxai/typeset/textlint.py)."""

from __future__ import annotations

from functools import lru_cache

import pytest

from symxai.solve.model import Line, Tex
from symxai.typeset.render import task_view
from symxai.typeset.textlint import problems

from tests.conftest import PROBLEMS

@lru_cache(maxsize=None)
def _views() -> tuple:
    from symxai.solve.pipeline import solve_file

    out = []
    for spec in sorted(PROBLEMS.glob("*.yaml")):
        sheet, results = solve_file(spec)
        for task in sheet.tasks:
            out.append((task.method.name, task_view(task, *results[task.key])))
    return tuple(out)


def _methods() -> list[str]:
    import yaml

    names = set()
    for spec in PROBLEMS.glob("*.yaml"):
        for ex in yaml.safe_load(spec.read_text())["exercises"]:
            names.add(ex["method"])
    return sorted(names)


@pytest.mark.parametrize("method", _methods())
def test_solution_text_of_each_method_reads_as_written_by_a_teacher(method):
    views = [v for m, v in _views() if m == method]
    assert views, f"no corpus task uses {method}"
    found = [p for v in views for p in problems(v)]
    assert found == []


def test_the_reader_catches_each_pattern():
    from symxai.expr.printing import aligned

    # two different objects that print alike make the repeat Line's own de-duplication misses
    repeated = aligned(Line(Tex("y"), Tex("x_{1}"), Tex("x_{1} "), Tex("f"), kind="formula"))
    view = {"key": "t", "discussion": "", "steps": [
        {"text": "Hence $\\phi$ is [[phi]].", "lines": ["\\phi &= 0 = 0", repeated]},
        {"text": "SymPy confirms it.", "lines": []},
        {"text": "A sentence long enough to count as a paragraph of the worked solution.", "lines": []},
        {"text": "A sentence long enough to count as a paragraph of the worked solution.", "lines": []}]}
    found = problems(view)
    assert any("chain repeats 0" in f for f in found)
    assert any("chain repeats x_{1}" in f for f in found)
    assert any("unset placeholder" in f for f in found)
    assert any("SymPy confirms" in f for f in found)
    assert any("printed 2 times" in f for f in found)
