"""What a worker process of the web checker does: load the specs once, then check answers.

Each function takes and returns plain data (it crosses a process boundary)
and calls ``symxai.grade.check`` / ``symxai.grade.sheetcheck``: the grader's own parser,
bounds (every answer is read, compared and diagnosed in a child process
that is killed when its time is up) and wording.  Input errors come back as
``{"error": message, "exit_code": 2}``, as ``symxai check`` prints them.

>>> init(["problems/tub-ml-sheet14.yaml"])
>>> r = check("tub-ml-sheet14", "shapley", {"phi_1": "2/3"})
>>> r["report"]["exit_code"], r["lines"]
(0, ['phi_1 = 2/3: right (exact)'])
>>> preview("tub-ml-sheet14", "shapley", "phi_1", "1/(1+2)")["plain"]
'1/3'
>>> check("tub-ml-sheet14", "nope", {"x": "1"})["exit_code"]
2
"""

from __future__ import annotations

from symxai.errors import SymxaiError, UsageError

MAX_ANSWERS = 64  # answers in one request
MAX_TEXT = 4000  # characters of one answer or condition
MAX_ASSUME = 8

_CATALOG = None


def init(paths, seed: int = 0) -> None:
    """Load and solve every spec of ``paths`` (runs once in each worker process)."""
    global _CATALOG
    import numpy  # noqa: F401  (the check path imports it lazily, symxai.lazy: a long-lived worker pays it here, not in a request)

    from symxai.web.catalog import Catalog

    _CATALOG = Catalog.load(paths, seed=seed)


def ready() -> int:
    """Nothing to do: a job that only shows the worker has loaded its specs."""
    import os
    import time

    time.sleep(0.2)  # long enough that simultaneous warm-up jobs land on different workers
    return os.getpid()


def _texts(value, what: str, limit: int) -> None:
    if not isinstance(value, str):
        raise UsageError(f"{what} must be text")
    if len(value) > limit:
        raise UsageError(f"{what} is longer than {limit} characters")


def _given(answers) -> dict[str, str]:
    if not isinstance(answers, dict) or not answers:
        raise UsageError("give at least one answer as {name: text}")
    if len(answers) > MAX_ANSWERS:
        raise UsageError(f"at most {MAX_ANSWERS} answers in one check")
    for name, text in answers.items():
        _texts(name, "an answer name", 100)
        _texts(text, f"the answer {name}", MAX_TEXT)
    return {n: t for n, t in answers.items()}


def _assume(assume) -> list[str]:
    if assume is None:
        return []
    if not isinstance(assume, list) or len(assume) > MAX_ASSUME:
        raise UsageError(f"assume must be a list of at most {MAX_ASSUME} conditions")
    for a in assume:
        _texts(a, "a condition", MAX_TEXT)
    return [a for a in assume if a.strip()]


def _error(exc: SymxaiError) -> dict:
    return {"error": str(exc), "exit_code": exc.exit_code}


def check(sheet_id, target, answers, assume=None, seed: int = 0) -> dict:
    """``symxai check --json`` for one task: {"report": the document, "lines": the text lines}.

    An answer that cannot be read is reported as "unreadable" (exit code 2) and the other
    answers are still checked, as ``check-sheet`` does."""
    from symxai.grade.check import check_task, parse_conditions

    try:
        task = _CATALOG.task(sheet_id, target)
        given, assume = _given(answers), _assume(assume)
        conditions = parse_conditions(assume, task.symbols.names())
        report = check_task(task, given, conditions, assume=assume, seed=seed, strict=False)
    except SymxaiError as exc:
        return _error(exc)
    doc = report.as_dict()
    doc["file"] = task.sheet.path.name  # the server's folders are not the client's business
    complete = all(any(v.name == n and v.status == "right" for v in report.verdicts) for n in task.answers)
    return {"report": doc, "lines": report.lines(), "complete": complete}


def preview(sheet_id, target, name, text) -> dict:
    """How ``text`` is read as the answer ``name``: {"plain", "mathml"}, or {"message"} when it is not."""
    from symxai.grade.check import read_answer
    from symxai.errors import ExpressionError
    from symxai.expr.plaintext import plain
    from symxai.expr.printing import tex
    from symxai.web.mathml import math

    try:
        task = _CATALOG.task(sheet_id, target)
        _texts(name, "an answer name", 100)
        _texts(text, f"the answer {name}", MAX_TEXT)
        if not text.strip():
            return {"empty": True}
        value = read_answer(text, task.symbols.names())
    except ExpressionError as exc:
        return {"message": f"cannot read: {exc.message}"}
    except SymxaiError as exc:
        return _error(exc)
    return {"plain": plain(value), "mathml": math(tex(value))}


def check_sheet(sheet_id, text, name: str = "answers.yaml", seed: int = 0) -> dict:
    """``symxai check-sheet --json`` for an answers file given as text."""
    from symxai.grade.sheetcheck import check_sheet_text

    try:
        sheet = _CATALOG.sheet(sheet_id)
        _texts(text, "the answers file", 200_000)
        report = check_sheet_text(sheet, text, name, seed=seed)
    except SymxaiError as exc:
        return _error(exc)
    doc = report.as_dict()
    doc["file"] = sheet.path.name
    return {"report": doc, "lines": report.lines()}
