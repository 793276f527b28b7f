"""``symxai validate``: every check ``solve``, ``build`` and ``variants`` make before any
work, run on every file, with every problem reported once, sorted by place.

A spec passes when it loads (YAML, schema, symbols), every method builds its
problem from the parameters (shapes, lengths, finite numbers, distinct
inputs, positive definiteness, the size limits of docs/spec.md#limits) and
every ``random:`` block's generators and constraints can be constructed.

>>> report = validate_paths(["problems/tub-ml-sheet14.yaml"])
>>> report.ok, report.problems
(['problems/tub-ml-sheet14.yaml: ok (6 task(s))'], [])
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import Problem, SpecError


@dataclass
class Report:
    """What ``validate`` found: one line per file that passed, and every problem."""

    ok: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def validate_file(path):
    """(problems, sheet): every problem of one spec file, each once, sorted by line and column
    ([] when it is sound), and the loaded sheet (None when it did not load)."""
    from .spec import load_sheet

    try:
        sheet = load_sheet(path)
    except SpecError as exc:
        return ordered(exc.problems), None
    problems: list[Problem] = []
    for ex in sheet.data["exercises"]:
        if "random" in ex:
            from .variants import random_spec
            try:
                random_spec(sheet, ex["id"])
            except SpecError as exc:
                problems.extend(exc.problems)
    return ordered(problems), sheet


def ordered(problems: list[Problem]) -> list[Problem]:
    """Problems without repeats (same place, same message), sorted by file, line, column."""
    seen, out = set(), []
    for p in problems:
        key = (str(p.location.file), p.location.line, p.location.column, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return sorted(out, key=lambda p: (str(p.location.file), p.location.line, p.location.column))


def validate_paths(paths) -> Report:
    """Validate spec files and folders (UsageError for a folder without specs)."""
    from .pipeline import spec_files

    report = Report()
    for f in spec_files(paths):
        found, sheet = validate_file(f)
        if not found:
            report.ok.append(f"{f}: ok ({len(sheet.tasks)} task(s))")
        report.problems.extend(found)
    return report
