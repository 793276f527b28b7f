"""Checking given answers (a student's) against the engine's derivation.

>>> report = check("problems/tub-ml-sheet14.yaml", "shapley", {"phi_1": "2/3", "phi_2": "1/3"})
>>> [(v.name, v.status) for v in report.verdicts], report.exit_code
([('phi_1', 'right'), ('phi_2', 'wrong')], 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .equivalence import Verdict, compare
from .errors import ExpressionError, UsageError
from .exprparse import parse_condition, parse_value
from .spec import load_sheet


@dataclass
class AnswerVerdict:
    name: str
    given: str
    status: str
    message: str
    verdict: Verdict | None = None


@dataclass
class CheckReport:
    file: str
    target: str
    assume: list[str] = field(default_factory=list)
    verdicts: list[AnswerVerdict] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 0 if all(v.status == "right" for v in self.verdicts) else 1

    def as_dict(self) -> dict:
        return {"file": self.file, "target": self.target, "assume": self.assume,
                "right": self.exit_code == 0,
                "answers": [{"name": v.name, "given": v.given, "status": v.status, "message": v.message}
                            for v in self.verdicts]}


def _fmt(value) -> str:
    try:
        import numpy as np
        if isinstance(value, np.ndarray):
            return np.array2string(value.reshape(-1), precision=6)
        if isinstance(value, float):
            return f"{value:.6g}"
    except ImportError:  # numpy is a dependency; this only keeps _fmt total
        pass
    return str(value)


def _message(name: str, verdict: Verdict) -> str:
    if verdict.status == "right":
        return f"{name}: right ({verdict.how})"
    if verdict.status == "undecided":
        return f"{name}: cannot decide ({verdict.how}); this is not a confirmation"
    if verdict.how.startswith("shape"):
        return f"{name}: wrong {verdict.how}"
    if verdict.counterexample:
        at = ", ".join(f"{k} = {_fmt(v)}" for k, v in verdict.counterexample.items())
        return (f"{name}: wrong: at {at} your answer gives {_fmt(verdict.given_value)}, "
                f"the correct one {_fmt(verdict.expected_value)}")
    return f"{name}: wrong: your value {_fmt(verdict.given_value)} is not {name}"


def check(path, target: str, given: dict[str, str], assume=(), *, seed: int = 0) -> CheckReport:
    """Check ``given`` answers ({name: text}) for ``target`` (EXERCISE or EXERCISE.PART)."""
    sheet = load_sheet(path)
    task = sheet.task(target)
    if not given:
        raise UsageError(f"give at least one answer as NAME=EXPR (answers of {task.key}: {', '.join(task.answers)})")
    names = task.symbols.names()
    parsed = {}
    for name, text in given.items():
        if name not in task.answers:
            raise UsageError(f"{task.key} has no answer '{name}' (its answers: {', '.join(task.answers)})")
        try:
            parsed[name] = parse_value(text, names)
        except ExpressionError as exc:
            raise UsageError(f"cannot read the answer {name}={text[:80]!r}: {exc}") from None
    conditions = []
    for text in assume:
        try:
            conditions.append(parse_condition(text, names))
        except ExpressionError as exc:
            raise UsageError(f"cannot read --assume {text[:80]!r}: {exc}") from None
    solution = task.method.solve(task.problem)
    report = CheckReport(str(path), task.key, list(assume))

    def sample(rng):
        return task.method.sample(task.problem, task.symbols, rng)

    for name, value in parsed.items():
        verdict = compare(solution.answers[name].value, value, task.symbols, conditions, sample=sample, seed=seed)
        report.verdicts.append(AnswerVerdict(name, given[name], verdict.status, _message(name, verdict), verdict))
    return report
