"""Checking a whole sheet from one answers file, with points from the spec.

The answers file is YAML: ``EXERCISE`` or ``EXERCISE.PART`` -> {answer name:
answer}.  Answers are text as on the command line (``2/3``, ``\\frac{w}{2\\lambda}``,
``x1 - x2 if x1 > x2 else 0``); YAML numbers, ``true``/``false`` and lists
(vectors, rows of a matrix) are accepted too.  An exercise may give its cases
under ``assume:`` (a list of conditions): they never change the score (the
exercise's own assumptions decide), they only narrow the feedback (an answer
right in the assumed case is told so); assumptions that contradict each other
(``x1 = 1`` and ``x1 = 2``) are refused.

Points: a part's ``points``, else the exercise's ``points`` shared equally by
its parts; a task earns its points times the share of its asked answers that
are right.  Exit status: 0 every answer of the sheet given and right, 1 some
answer wrong, undecided or missing, 2 the files cannot be understood or an
answer cannot be read (the other answers are still checked).

>>> import tempfile, os
>>> with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
...     _ = f.write("shapley: {phi_1: 2/3, phi_2: 1/6, phi_3: 1/3}\\n")
>>> report = check_sheet("problems/tub-ml-sheet14.yaml", f.name)
>>> os.unlink(f.name)
>>> report.earned, report.exit_code
(Fraction(50, 3), 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from symxai.grade.check import CheckReport, check_task, parse_conditions, setting
from symxai.errors import Problem, SpecError, UsageError


@dataclass
class TaskResult:
    target: str
    points: Fraction | None
    asked: list[str]
    report: CheckReport | None  # None: nothing answered for this task

    @property
    def right(self) -> int:
        if self.report is None:
            return 0
        return sum(1 for v in self.report.verdicts if v.status == "right" and not v.intermediate)

    @property
    def earned(self) -> Fraction:
        if not self.points or not self.asked:
            return Fraction(0)
        return self.points * Fraction(self.right, len(self.asked))

    @property
    def missing(self) -> list[str]:
        given = {v.name for v in self.report.verdicts} if self.report else set()
        return [n for n in self.asked if n not in given]


@dataclass
class SheetReport:
    file: str
    answers_file: str
    tasks: list[TaskResult] = field(default_factory=list)

    @property
    def earned(self) -> Fraction:
        return sum((t.earned for t in self.tasks), Fraction(0))

    @property
    def total(self) -> Fraction:
        return sum((t.points or Fraction(0) for t in self.tasks), Fraction(0))

    @property
    def exit_code(self) -> int:
        codes = [t.report.exit_code for t in self.tasks if t.report is not None]
        if 2 in codes:
            return 2
        if any(c != 0 for c in codes) or any(t.missing for t in self.tasks):
            return 1
        return 0

    def lines(self) -> list[str]:
        out = []
        for t in self.tasks:
            pts = f", {_num(t.earned)}/{_num(t.points)} points" if t.points else ""
            out.append(f"{t.target}: {t.right}/{len(t.asked)} answers right{pts}")
            if t.report is not None:
                out.extend("  " + line for line in t.report.lines())
            if t.missing:
                out.append(f"  not answered: {', '.join(t.missing)}")
        if self.total:
            out.append(f"total: {_num(self.earned)}/{_num(self.total)} points")
        return out

    def as_dict(self) -> dict:
        return {"file": self.file, "answers_file": self.answers_file, "exit_code": self.exit_code,
                "points": {"earned": float(self.earned), "total": float(self.total)},
                "exercises": [{"target": t.target, "points": float(t.points) if t.points else None,
                               "earned": float(t.earned), "right": t.right, "asked": t.asked,
                               "missing": t.missing,
                               "answers": [v.as_dict() for v in t.report.verdicts] if t.report else [],
                               "notes": t.report.as_dict()["notes"] if t.report else []}
                              for t in self.tasks]}


def _num(x) -> str:
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{float(x):.4g}"


def _points(task) -> Fraction | None:
    if task.part is not None and "points" in task.part:
        return Fraction(task.part["points"])
    if "points" in task.exercise:
        parts = task.exercise.get("parts") or [None]
        return Fraction(task.exercise["points"], len(parts))
    return None


def answer_text(value) -> str | None:
    """A YAML answer value as the text the parser reads (None: no answer).

    >>> answer_text(True), answer_text(3), answer_text(["1/2", 1]), answer_text([[1, 2], [3, 4]])
    ('true', '3', '(1/2, 1)', '[[1, 2], [3, 4]]')
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if value and all(isinstance(v, list) for v in value):
            return "[" + ", ".join("[" + ", ".join(answer_text(x) or "" for x in row) + "]" for row in value) + "]"
        return "(" + ", ".join(answer_text(v) or "" for v in value) + ")"
    return str(value)


def _contradictory(assume, task) -> bool:
    from symxai.grade.equivalence import Contradiction, solve_equalities

    try:
        solve_equalities(parse_conditions(assume, task.symbols.names()))
    except Contradiction:
        return True
    except UsageError:
        return False  # unreadable: reported when the task is checked
    return False


def check_sheet(path, answers_path, *, seed: int = 0) -> SheetReport:
    """Check every answer of ``answers_path`` against the sheet ``path``."""
    from symxai.specs.spec import load_sheet

    sheet = load_sheet(path)
    try:
        text = open(answers_path, encoding="utf-8").read()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the answers file {answers_path}: {exc}") from None
    return check_sheet_text(sheet, text, str(answers_path), seed=seed)


def check_sheet_text(sheet, text: str, answers_path: str = "<answers>", *, seed: int = 0) -> SheetReport:
    """Check the answers file ``text`` (named ``answers_path`` in messages) against a loaded sheet."""
    from symxai.specs.yamlload import Map, loads

    data = loads(text, str(answers_path))
    lines = text.splitlines()
    if not isinstance(data, Map):
        raise UsageError(f"{answers_path}: expected a mapping EXERCISE(.PART) -> {{answer name: answer}}")
    keys = {t.key: t for t in sheet.tasks}
    problems = []

    def problem(loc, message):
        problems.append(Problem(loc, message, lines[loc.line - 1] if 0 < loc.line <= len(lines) else ""))

    plan = {}
    for target, entry in data.items():
        if target not in keys:
            problem(data.key_loc(target), f"{sheet.path} has no exercise or part '{target}' "
                    f"(known: {', '.join(keys)})")
            continue
        if not isinstance(entry, Map):
            problem(data.loc_of(target), "expected a mapping {answer name: answer}")
            continue
        assume = entry.get("assume") or []
        assume = [assume] if isinstance(assume, str) else list(assume)
        given = {str(k): answer_text(v) for k, v in entry.items() if k != "assume" and v is not None}
        assume = [str(a) for a in assume]
        if assume and _contradictory(assume, keys[target]):
            problem(entry.loc_of("assume"), f"the assumptions {assume} contradict each other: refused "
                    "(assumptions never change the score; they only narrow the feedback)")
            continue
        plan[target] = (given, assume)
    if problems:
        raise SpecError(problems)
    report = SheetReport(str(sheet.path), str(answers_path))
    for task in sheet.tasks:
        given, assume = plan.get(task.key, ({}, []))
        result = None
        if given:
            narrow = parse_conditions(assume, task.symbols.names())
            result = check_task(task, given, (), assume=assume, seed=seed, strict=False, narrow=narrow,
                                reveal=setting(task, "reveal") is True)
        report.tasks.append(TaskResult(task.key, _points(task), list(task.answers), result))
    return report
