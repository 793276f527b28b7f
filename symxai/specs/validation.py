"""``symxai validate``: every check ``solve``, ``build`` and ``variants`` make before their work,
run on every file, each problem reported once, sorted by place.

A spec passes when it loads (YAML, schema, symbols), every method builds its
problem from the parameters (shapes, lengths, finite numbers, distinct
inputs, positive definiteness, the size limits of docs/spec.md#limits) and
every ``random:`` block's generators and constraints can be constructed.
The stages run even after earlier problems: an exercise whose own keys are
sound is built although another one, or the sheet, has a problem, and the
random blocks are checked although the sheet did not load.

>>> report = validate_paths(["problems/tub-ml-sheet14.yaml"])
>>> report.ok, report.problems
(['problems/tub-ml-sheet14.yaml: ok (6 task(s))'], [])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from symxai.errors import Location, Problem, SpecError
from symxai.specs.spec import EXERCISE, loads_sheet, ordered
from symxai.specs.yamlload import Map, loads


@dataclass
class Report:
    """What ``validate`` found: one line per file that passed, and every problem."""

    ok: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def validate_file(path):
    """(problems, sheet): every problem of one spec file, each once, sorted by line and column
    ([] when it is sound), and the loaded sheet (None when it did not load)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(Location(str(path)), f"cannot read the file: {exc}")], None
    try:
        data = loads(text, str(path))
    except SpecError as exc:
        return ordered(exc.problems), None
    problems: list[Problem] = []
    sheet = None
    try:
        sheet = loads_sheet(text, str(path))
    except SpecError as exc:
        problems.extend(exc.problems)
    problems.extend(_random_problems(path, data, text.splitlines()))
    return ordered(problems), (None if problems else sheet)


def _random_problems(path: Path, data, lines: list[str]) -> list[Problem]:
    from symxai.batch.variants import random_problems

    out: list[Problem] = []
    exercises = data.get("exercises") if isinstance(data, Map) else None
    for ex in exercises if isinstance(exercises, list) else []:
        own: list[Problem] = []
        EXERCISE.check(ex, own, exercises.loc)
        if own or "random" not in ex:  # schema problems are the loader's to report
            continue
        for p in random_problems(path, ex)[2]:
            line = p.location.line
            out.append(p if p.source_line or not 0 < line <= len(lines) else Problem(p.location, p.message, lines[line - 1]))
    return out


def validate_paths(paths) -> Report:
    """Validate spec files and folders (UsageError for a folder without specs)."""
    from symxai.solve.pipeline import spec_files

    report = Report()
    for f in spec_files(paths):
        found, sheet = validate_file(f)
        if not found:
            report.ok.append(f"{f}: ok ({len(sheet.tasks)} task(s))")
        report.problems.extend(found)
    return report
