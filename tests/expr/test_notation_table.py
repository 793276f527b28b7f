"""The notation table (tests/notation_table.yaml): what a person writes, how it must be read, the verdict.

Every row goes through ``check_task``, the path of ``symxai check``: the text is read (with the
exercise's answer-side names), the reading is compared with the row's expected reading (written in
symxai's own plain notation), and the verdict must be the row's.  A refused row must name the
ambiguity or the problem in its hint.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from symxai.expr.answertext import answer_scope, box_names, parse_answer
from symxai.grade.check import check_task
from symxai.grade.equivalence import compare
from symxai.errors import UsageError
from symxai.specs.spec import load_sheet

TABLE = yaml.safe_load((Path(__file__).resolve().parents[1] / "notation_table.yaml").read_text(encoding="utf-8"))
ROWS = [(block, *row) for block, rows in TABLE.items() for row in rows]
_SHEETS: dict = {}


def _task(block):
    file, key = block.split()
    if file not in _SHEETS:
        _SHEETS[file] = load_sheet(f"problems/{file}")
    return _SHEETS[file].task(key)


def test_the_table_is_large_and_covers_every_method_in_both_notations():
    assert len(ROWS) >= 200
    methods = {_task(block).method.name for block in TABLE}
    corpus = {t.method.name for sheet in map(load_sheet, Path("problems").glob("*.yaml")) for t in sheet.tasks
              if t.answers}
    assert corpus <= methods, corpus - methods
    latex = [r for r in ROWS if "\\" in r[2]]
    assert len(latex) >= 100 and len(ROWS) - len(latex) >= 100
    assert {r[4] for r in ROWS} >= {"right", "wrong"} and any(str(r[4]).startswith("refused") for r in ROWS)


@pytest.mark.parametrize("block, name, text, reading, verdict", ROWS,
                         ids=[f"{b.split()[1]}:{n}:{t[:40]}" for b, n, t, _, _ in ROWS])
def test_notation_row(block, name, text, reading, verdict):
    task = _task(block)
    if str(verdict).startswith("refused"):
        hint = verdict.split(":", 1)[1].strip()
        with pytest.raises(UsageError) as info:
            check_task(task, {name: text}, feedback=False)
        assert hint in str(info.value), str(info.value)
        return
    report = check_task(task, {name: text}, feedback=False)
    v = report.verdicts[0]
    assert v.status == verdict, (v.status, v.lines(), v.read)
    assert v.lines()[0].startswith(f"{name} = {v.read}: "), v.lines()
    if reading is not None:  # how it was read: equal to the row's reading
        solution = task.method.solve(task.problem)
        names, functions = answer_scope(task)
        names.update(box_names({n: solution.answers[n].value for n in task.answers}, names))
        expected = parse_answer(reading, names, functions=functions)
        got = parse_answer(text, names, name=name, functions=functions)
        same = compare(expected, got, task.symbols,
                       sample=lambda rng: task.method.sample(task.problem, task.symbols, rng))
        assert same.status == "right", (v.read, same.how)
