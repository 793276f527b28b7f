"""Checking given answers (a student's) against the engine's derivation.

Each answer gets a verdict: "right", "wrong" or "undecided" (cannot decide:
never counted as right), and a wrong one gets diagnoses that name the mistake
(``symxai.feedback``, the method's misconception catalogue).  Intermediate
quantities (Shapley coalition values ``v_12``) can be checked by name too.

>>> report = check("problems/tub-ml-sheet14.yaml", "shapley", {"phi_1": "2/3", "phi_2": "1/3"})
>>> [(v.name, v.status) for v in report.verdicts], report.exit_code
([('phi_1', 'right'), ('phi_2', 'wrong')], 1)
>>> check("problems/tub-ml-sheet14.yaml", "shapley", {"phi_1": "3/4"}).verdicts[0].diagnoses[0].label
'equal-weights'
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .equivalence import TIME_LIMIT, OutOfTime, Verdict, bounded, compare, isolated
from .errors import ExpressionError, UsageError

DIAGNOSE = True  # tests of the verdict alone may switch feedback off


@dataclass
class AnswerVerdict:
    name: str
    given: str
    status: str  # "right", "wrong", "undecided", "unreadable"
    message: str
    verdict: Verdict | None = None
    diagnoses: list = field(default_factory=list)  # feedback.Diagnosis, most likely first
    intermediate: bool = False  # a checked intermediate quantity, not an answer of the exercise
    read: str = ""  # the answer as symxai read it, in the plain notation of `solve`
    read_latex: str = ""  # the same in the LaTeX of the solution sheets

    def lines(self) -> list[str]:
        first = self.message
        if self.read and first.startswith(f"{self.name}: "):  # the reading first, so a misreading shows
            first = f"{self.name} = {self.read}: {first[len(self.name) + 2:]}"
        return [first] + [f"  - {d.message} [{d.label}]" for d in self.diagnoses]

    def as_dict(self) -> dict:
        return {"name": self.name, "given": self.given, "read": self.read, "read_latex": self.read_latex,
                "status": self.status, "message": self.message, "intermediate": self.intermediate,
                "diagnoses": [{"label": d.label, "message": d.message} for d in self.diagnoses]}


@dataclass
class CheckReport:
    file: str
    target: str
    assume: list[str] = field(default_factory=list)
    verdicts: list[AnswerVerdict] = field(default_factory=list)
    notes: list = field(default_factory=list)  # diagnoses about the answers together (efficiency)

    @property
    def exit_code(self) -> int:
        if any(v.status == "unreadable" for v in self.verdicts):
            return 2
        return 0 if self.verdicts and all(v.status == "right" for v in self.verdicts) else 1

    def lines(self) -> list[str]:
        out = [line for v in self.verdicts for line in v.lines()]
        return out + [f"{self.target}: {d.message} [{d.label}]" for d in self.notes]

    def as_dict(self) -> dict:
        return {"file": self.file, "target": self.target, "assume": self.assume,
                "right": self.exit_code == 0, "exit_code": self.exit_code,
                "answers": [v.as_dict() for v in self.verdicts],
                "notes": [{"label": d.label, "message": d.message} for d in self.notes]}


def _fmt(value) -> str:
    import numpy as np

    if isinstance(value, np.ndarray):
        return np.array2string(value.reshape(-1), precision=6)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list):
        return "{" + ", ".join(_fmt(v) for v in value) + "}"
    return str(value)


def _message(name: str, verdict: Verdict, given: str = "") -> str:
    if verdict.status == "right":
        return f"{name}: right ({verdict.how})"
    if verdict.status == "undecided":
        return f"{name}: cannot decide ({verdict.how}); this is not a confirmation"
    if verdict.how != "sampled":
        return f"{name}: wrong: {verdict.how}"
    if verdict.counterexample:
        at = ", ".join(f"{k} = {_fmt(v)}" for k, v in verdict.counterexample.items())
        return (f"{name}: wrong: at {at} your answer gives {_fmt(verdict.given_value)}, "
                f"the correct one {_fmt(verdict.expected_value)}")
    shown = " ".join(given.split())[:60] or _fmt(verdict.given_value)
    return f"{name}: wrong: {shown} is not the value of {name}"


READ_LIMIT = 3.0  # seconds to read one answer


def read_answer(text: str, names: dict, time_limit: float = READ_LIMIT, *, name=None, functions=None):
    """Parse an answer in a killable child: even the parser must not hang on hostile text.
    ``name`` (the answer's) lets a pasted ``name = value`` read as its value.

    >>> read_answer("2/3", {})
    2/3
    """
    from .answertext import parse_answer

    try:
        return isolated(parse_answer, time_limit, text, names, name=name, functions=functions)
    except OutOfTime:
        raise ExpressionError(f"the answer could not be read within {time_limit:g} s") from None


def parse_conditions(assume, names) -> list:
    from .exprparse import parse_condition

    conditions = []
    for text in assume:
        try:
            conditions.append(parse_condition(text, names))
        except ExpressionError as exc:
            raise UsageError(f"cannot read --assume {text[:80]!r}: {exc}") from None
    return conditions


class _TaskContext:
    """The engine's side of one task, computed once and only as far as needed."""

    def __init__(self, task):
        self.task = task
        self.solution = task.method.solve(task.problem)
        self._intermediates = self._catalogue = self._siblings = None

    @property
    def intermediates(self) -> dict:
        if self._intermediates is None:
            from .misconceptions import intermediates
            self._intermediates = intermediates(self.task.method, self.task.problem, self.solution)
        return self._intermediates

    @property
    def catalogue(self) -> list:
        if self._catalogue is None:
            from .misconceptions import catalogue
            self._catalogue = catalogue(self.task.method, self.task.problem, self.solution)
        return self._catalogue

    def expected(self, name):
        if name in self.task.answers:
            return self.solution.answers[name].value
        return self.intermediates[name][0]

    def tolerance(self, name):
        answer = self.solution.answers.get(name)
        return answer.tolerance if answer is not None else None

    def others(self, name, symbolic: bool) -> dict:
        """Other quantities of the exercise a wrong answer may have been confused with."""
        out = {n: self.solution.answers[n].value for n in self.task.answers if n != name}
        if symbolic:
            out.update((n, v) for n, (v, _) in self.intermediates.items() if n != name)
        out.update(self.siblings)
        return out

    @property
    def siblings(self) -> dict:
        """The answers of the exercise's other parts, as "R_1 of lrp-max.B"."""
        if self._siblings is None:
            self._siblings = {}
            for sibling in self.task.sheet.tasks:
                if sibling.exercise is self.task.exercise and sibling is not self.task:
                    solved = sibling.method.solve(sibling.problem)
                    self._siblings.update((f"{n} of {sibling.key}", solved.answers[n].value)
                                          for n in sibling.answers)
        return self._siblings

    def warm(self) -> None:
        """Compute what every diagnosis needs once, before each answer is diagnosed in its own child
        process (which would otherwise recompute it, and spend its time budget on it)."""
        _ = self.catalogue, self.siblings, self.intermediates


def _known_names(ctx: _TaskContext, name: str) -> bool:
    return name in ctx.task.answers or name in ctx.intermediates


def check_task(task, given: dict[str, str], conditions=(), *, assume=(), seed: int = 0,
               strict: bool = True, feedback: bool | None = None) -> CheckReport:
    """Check ``given`` ({name: text}) for a loaded task.  With ``strict``, an unreadable
    answer raises UsageError; otherwise it is reported with status "unreadable"."""
    ctx = _TaskContext(task)
    report = CheckReport(str(task.sheet.path), task.key, list(assume))
    from .answertext import answer_scope, box_names, shown

    names, functions = answer_scope(task)
    names.update(box_names({n: ctx.solution.answers[n].value for n in task.answers}, names))
    parsed = {}
    for name, text in given.items():
        if not _known_names(ctx, name):
            extra = sorted(ctx.intermediates)
            hint = f"; intermediate quantities: {', '.join(extra[:12])}{', ...' if len(extra) > 12 else ''}" if extra else ""
            raise UsageError(f"{task.key} has no answer '{name}' (its answers: {', '.join(task.answers)}{hint})")
        try:
            parsed[name] = read_answer(text, names, name=name, functions=functions)
        except ExpressionError as exc:
            if strict:
                raise UsageError(f"cannot read the answer {name}={text[:80]!r}: {exc}") from None
            report.verdicts.append(AnswerVerdict(name, text, "unreadable", f"{name}: cannot read: {exc.message}"))

    def sample(rng):
        return task.method.sample(task.problem, task.symbols, rng)

    for name, value in parsed.items():
        expected = ctx.expected(name)
        try:  # a child process: an expression that hogs the interpreter is stopped too
            verdict = isolated(compare, TIME_LIMIT + 1.0, expected, value, task.symbols, conditions,
                               sample=sample, seed=seed, tolerance=ctx.tolerance(name))
        except OutOfTime as exc:
            verdict = Verdict("undecided", f"{exc}: the expression is too costly to compare; simplify it "
                              "and try again")
        report.verdicts.append(AnswerVerdict(name, given[name], verdict.status, _message(name, verdict, shown(value)), verdict,
                                             intermediate=name not in task.answers, read=shown(value),
                                             read_latex=shown(value, latex=True)))
    order = list(given)
    report.verdicts.sort(key=lambda v: order.index(v.name))
    if DIAGNOSE if feedback is None else feedback:
        _add_feedback(ctx, report, parsed, conditions, sample, seed)
    return report


def _diagnose_one(ctx, name, given, conditions, sample, seed) -> list:
    from .feedback import diagnose
    from .misconceptions import Misconception
    from .numeval import free_parameters

    expected = ctx.expected(name)
    interior = getattr(ctx.task.method, "interior_sample", None)
    if interior is not None:  # a mistake is named by where it matters, not by what it says on a kink
        def sample(rng):
            return interior(ctx.task.problem, ctx.task.symbols, rng)
    table = [(r.label, r.message, r.values[name]) for r in ctx.catalogue
             if isinstance(r, Misconception) and name in r.values]
    return diagnose(expected, given, ctx.task.symbols, conditions, name=name,
                    others=ctx.others(name, bool(free_parameters(expected))), catalogue=table,
                    sample=sample, seed=seed)


def _add_feedback(ctx, report, parsed, conditions, sample, seed) -> None:
    from .feedback import TIME_BUDGET, Diagnosis
    from .misconceptions import Law

    wrong = [v for v in report.verdicts if v.status == "wrong"]
    if not wrong:
        return
    try:
        bounded(ctx.warm, TIME_BUDGET)
    except OutOfTime:
        pass  # each child then tries on its own, within its own budget
    for v in wrong:
        try:  # feedback is a bonus: when it runs out of time the verdict stands without it
            v.diagnoses = isolated(_diagnose_one, TIME_BUDGET + 2.0, ctx, v.name, parsed[v.name], conditions,
                                   sample, seed)
        except OutOfTime:
            v.diagnoses = []
    counts = Counter(d.label for v in wrong for d in v.diagnoses)
    for v in wrong:  # a misconception that explains several answers is the likelier one
        v.diagnoses.sort(key=lambda d: -counts[d.label])
    for law in (r for r in ctx.catalogue if isinstance(r, Law)):
        if all(n in parsed for n in law.names):
            residual = law.residual({n: parsed[n] for n in law.names})
            try:
                verdict = isolated(compare, TIME_LIMIT + 1.0, residual, 0, ctx.task.symbols, conditions,
                                   sample=sample, seed=seed)
            except OutOfTime:
                continue
            if verdict.status == "wrong":
                report.notes.append(Diagnosis(law.label, law.message))


def check(path, target: str, given: dict[str, str], assume=(), *, seed: int = 0) -> CheckReport:
    """Check ``given`` answers ({name: text}) for ``target`` (EXERCISE or EXERCISE.PART)."""
    from .spec import load_sheet

    sheet = load_sheet(path)
    task = sheet.task(target)
    if not given:
        raise UsageError(f"give at least one answer as NAME=EXPR (answers of {task.key}: {', '.join(task.answers)})")
    conditions = parse_conditions(assume, task.symbols.names())
    return check_task(task, given, conditions, assume=assume, seed=seed)
