"""Rendering: solved sheets into LaTeX through Jinja2 templates.

Templates use LaTeX-safe delimiters (``((* block *))``, ``((( expr )))``,
``((= comment =))``) and StrictUndefined, so a missing value is an error,
never an empty hole in a PDF.  User template folders come before the
packaged ones; every SymPy object is printed by ``symxai.expr.printing``.

Templates run in Jinja2's :class:`~jinja2.sandbox.SandboxedEnvironment`: a
template cannot reach Python internals (``lipsum.__globals__``,
``''.__class__.__mro__``); such an attempt is a :class:`TemplateSecurityError`
(exit status 2).  A user template folder (``--templates``) is otherwise trusted
code: it writes the LaTeX of the sheet, so it can write any LaTeX; the TeX-level
lock (``symxai.typeset.texguard.TEX_LOCK``, put after ``\\begin{document}``) and
pdflatex's own limits still apply to what it writes.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2
import jinja2.sandbox

from symxai import __version__
import sympy

from symxai.errors import SpecError, SymxaiError
from symxai.solve.model import Step
from symxai.expr.printing import (aligned, cell, continued, decimal_printing, name_tex, prose, shared_roots,
                                  sheet_printing, tex)
from symxai.expr.texwidth import LINE_WIDTH, width
from symxai.typeset.pack import display, one_row
from symxai.typeset.texguard import check_spec_texts, escape_text, lock_document


class TemplateSecurityError(SymxaiError):
    """Raised when a template tries what the Jinja2 sandbox forbids (exit status 2)."""


def packaged_templates() -> Path:
    """The folder of the packaged templates: the checkout's templates/ beside the
    package when there is one, else the installed ``symxai.templates`` package."""
    beside = Path(__file__).resolve().parents[2] / "templates"
    if (beside / "base.tex.j2").is_file():
        return beside
    return Path(str(resources.files("symxai.templates")))


def environment(user_dirs: list[Path] | None = None) -> jinja2.Environment:
    """The sandboxed Jinja2 environment: user folders first, then the packaged templates.

    One environment per list of folders and process, so each template is compiled once
    (Jinja's cache still reloads a template whose file changed)."""
    return _environment(tuple(str(d) for d in user_dirs or []))


@lru_cache(maxsize=8)
def _environment(user_dirs: tuple[str, ...]) -> jinja2.Environment:
    loaders = [jinja2.FileSystemLoader(d) for d in user_dirs]
    loaders.append(jinja2.FileSystemLoader(str(packaged_templates())))
    return jinja2.sandbox.SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        block_start_string="((*", block_end_string="*))",
        variable_start_string="(((", variable_end_string=")))",
        comment_start_string="((=", comment_end_string="=))",
        undefined=jinja2.StrictUndefined, autoescape=False,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )


TABLE_SCALE = 0.8  # tables are set \small (10 pt on an 11 pt sheet); fitted to TeX's width of ETH's Shapley tables
COLSEP = 1.7  # \tabcolsep on both sides of a column, in units of texwidth.width
SIDE_GAP = 3  # between the text beside a table and the table
SIDE_MIN = 14  # the text beside a table needs at least this much room
SIDE_TEXT = 24  # prose without a display beside a table needs at least this much room


def table_width(header: list[str], rows: list[list[str]]) -> float:
    """The printed width of a table (``\\small``, booktabs), estimated like a display's."""
    cols = list(zip(header, *rows))
    return sum(max(width(_math(c)) for c in col) for col in cols) * TABLE_SCALE + COLSEP * len(cols)


def _math(cell_code: str) -> str:
    """A cell's code without the dollars around its math (text cells are measured as they are)."""
    if len(cell_code) > 1 and cell_code[0] == "$" and cell_code[-1] == "$" and cell_code[-2] != "\\":
        return cell_code[1:-1]
    return cell_code


def _beside(step: Step, table: dict) -> dict | None:
    """The step's text and display in a column of their own beside its table, when the table leaves
    room enough and every display line, broken to that room, fits in it; None otherwise.  The
    template gives the column what TeX measures the table to leave, which the strict build checks."""
    room = LINE_WIDTH - table_width(table["header"], table["rows"]) - SIDE_GAP
    if not step.lines:  # prose alone beside the table: it wraps, given room for a readable column
        return {"lines": [], "display": ""} if step.text.strip() and room >= SIDE_TEXT else None
    if room < SIDE_MIN:
        return None
    lines = [aligned(line, int(room) - 2) for line in step.lines]
    if any(width(row) > room for line in lines for row in line.split("\\\\")):
        return None
    return {"lines": lines, "display": display(lines, room)}


def _step_view(step: Step) -> dict:
    table = None
    if step.table is not None:
        rows = [[cell(c) for c in row] for row in step.table.rows]
        table = {"spec": "l" * len(step.table.header),
                 "header": [cell(h) for h in step.table.header], "rows": rows,
                 # full-size fractions in the rows need taller rows (1.8: a clear gap between stacked fractions)
                 "stretch": 1.8 if any("\\frac" in c for row in rows for c in row) else 1.25}
    figure = None
    if step.figure is not None and not step.figure.data.get("statement_only"):
        figure = _figure_view(step.figure)
    lines = [aligned(line) for line in step.lines]
    beside = _beside(step, table) if table is not None and figure is None else None
    text = prose(step.text, step.values)
    # prose alone with a network without caption: the prose beside the picture when TeX finds it narrow
    figure_beside = (figure is not None and figure["template"] == "figures/network.tex.j2" and not figure.get("caption")
                     and not lines and table is None and bool(text.strip()))
    return {"title": step.title, "text": text, "lines": lines, "display": display(lines), "table": table,
            "figure": figure, "beside": beside, "figure_beside": figure_beside}


def joined(views: list[dict]) -> list[dict]:
    """Step views with a step that has neither title nor prose put into the display of the step
    before it (when that one ends with its display: no table, no figure), so that
    ``R_1 = 3 * 1 = 3`` and ``R_2 = 1 * 0 = 0`` of two steps share one display."""
    out: list[dict] = []
    for view in views:
        prev = out[-1] if out else None
        if (prev is not None and not view["title"] and not view["text"].strip() and view["lines"]
                and prev["lines"] and prev["table"] is None and prev["figure"] is None):
            lines = prev["lines"] + view["lines"]
            out[-1] = {**prev, "lines": lines, "display": display(lines),
                       "table": view["table"], "figure": view["figure"], "beside": None, "figure_beside": False}
        else:
            out.append(view)
    return out


def _figure_view(fig) -> dict:
    """A figure for the templates; a network gets every label at a spot of its own (symxai.typeset.netlayout)."""
    data = fig.data
    if fig.template == "network":
        from symxai.typeset.netlayout import place
        data = place(data)
    return {"template": f"figures/{fig.template}.tex.j2", **data}


def check_row(task, verification) -> dict | None:
    """One row of the sheet's "How the answers were checked" table: the task, its answers, the
    independent route, how many points, the largest difference, and the worked steps checked."""
    checks = verification.checks
    if not checks:  # a reasoned exercise has no answers to verify
        return None
    points = max(c.points for c in checks)
    steps = verification.steps
    # a task key such as shapley-relu.xprime-g1 may break after its dots and hyphens in the narrow column
    breakable = escape_text(task.key).replace(".", ".\\allowbreak{}").replace("-", "-\\allowbreak{}")
    return {"task": breakable,
            "answers": ", ".join(answer_name(c.answer) for c in checks),
            "reference": escape_text(checks[0].reference),  # plain text (answers.json holds it too)
            "where": "given values" if points == 1 else f"{points} points",
            "error": f"{max(c.max_error for c in checks):.0e}",
            "steps": f"{steps.checked}/{steps.total}" if steps is not None else "--"}


def answer_name(name: str) -> str:
    """An answer's name for the checked table; a general form (``dyc_dz_general``) says so, since it
    prints as the instance's name does.

    >>> answer_name("x_star"), answer_name("dyc_dz_general")
    ('$x^{\\\\star}$', '$\\\\frac{\\\\partial y_c}{\\\\partial z}$ (general)')
    """
    return f"${tex(sympy.Symbol(name))}$" + (" (general)" if name.endswith("_general") else "")


def said_once(rows: list[dict]) -> list[dict]:
    """``rows`` of the checked table with a route equal to the one of the row before it printed as
    "as above", so a run of tasks checked the same way names the route once (answers.json keeps each).

    >>> [r["reference"] for r in said_once([{"reference": "a"}, {"reference": "a"}, {"reference": "a"}, {"reference": "b"}])]
    ['a', 'as above', 'as above', 'b']
    """
    for before, row in zip(rows, rows[1:]):
        if row["reference"] in (before["reference"], before.get("said")):
            row["said"], row["reference"] = row["reference"], "as above"
    return rows


ANSWER_WIDTH = int(LINE_WIDTH * 0.88)  # the answer box is 0.92 of the line, with its frame and indent


def _answer_view(lhs: str, value: str) -> dict:
    """One row of the answer box: ``value`` as printed, ``display`` the same continued on further
    lines of the align environment when it is wider than the box."""
    return {"lhs": lhs, "value": value,
            "display": continued(value, max(ANSWER_WIDTH - width(lhs) - 3, ANSWER_WIDTH // 2))}


def _once(steps, views: list[dict], seen: dict, label: str) -> list[dict]:
    """``views`` with a step that repeats, word for word, a step of an earlier part of the same exercise
    shortened to its title and a pointer back, when all its lines are general formulas (``kind='formula'``:
    neither checked nor counted, so no checked equality disappears); ``seen`` maps such steps to the
    label of the part that showed them first."""
    out = []
    for step, view in zip(steps, views):
        if step.lines and all(line.kind == "formula" for line in step.lines) and view["table"] is None \
                and view["figure"] is None:
            key = (view["title"], view["text"], view["display"])
            if key in seen:
                view = {**view, "text": f"As in {seen[key]} above.", "lines": [], "display": "", "beside": None}
            else:
                seen[key] = label
        out.append(view)
    return out


def task_view(task, solution, verification, seen: dict | None = None) -> dict:
    """What the templates show of one task's solution; its numbers printed as the spec's ``numbers`` says."""
    with decimal_printing(getattr(task, "numbers", "fractions") == "decimals"):
        return _task_view(task, solution, verification, seen)


def _task_view(task, solution, verification, seen: dict | None) -> dict:
    part = task.part
    short, where = shared_roots({n: solution.answers[n].value for n in task.answers})
    answers = [_answer_view(name_tex(n, solution.answers[n].value), tex(short[n])) for n in task.answers]
    shown = (part if part is not None and "figure" in part else task.exercise).get("figure", True)
    figures = [_figure_view(s.figure) for s in solution.steps
               if shown and s.figure is not None and s.figure.data.get("in_statement")]
    label = (part.get("title") or f"Part {part['id']}") if part is not None else ""
    views = [_step_view(s) for s in solution.steps]
    if seen is not None and label:
        mid = label[:1].lower() + label[1:] if label[1:2].islower() else label  # "Part a" -> "part a" mid-sentence
        views = _once(solution.steps, views, seen, mid)
    return {
        "key": task.key,
        "part": part is not None,
        "part_label": label,
        "statement": task.statement,
        "discussion": task.discussion or "",
        "steps": joined(views),
        "answers": answers,
        "answer_display": display(rows := [f"{a['lhs']} &= {a['display']}" for a in answers], ANSWER_WIDTH),
        "answer_row": one_row(rows, ANSWER_WIDTH - 10) or "",  # the box on one line, after its label
        "where": [tex(line) for line in where],
        "cases": list(getattr(solution, "cases", [])),
        "figures": figures,
    }


def sheet_context(sheet, results: dict, seed: int = 0) -> dict:
    """Everything the templates see: sheet metadata and, per exercise, its tasks' views."""
    exercises = []
    for ex, tasks in sheet.exercises():
        seen: dict = {}  # steps said once per exercise (_once)
        exercises.append({"title": ex["title"], "points": ex.get("points", ""), "statement": ex["statement"],
                          "tasks": [task_view(t, *results[t.key], seen=seen) for t in tasks]})
    checked = [row for t in sheet.tasks if (row := check_row(t, results[t.key][1])) is not None]
    said_once(checked)
    data = sheet.data
    return {"sheet": {"title": data["title"], "course": data.get("course", ""), "source": data.get("source", ""),
                      "id": escape_text(data["id"]), "file": escape_text(sheet.path.name)},
            "exercises": exercises, "checked": checked, "version": __version__, "seed": seed}


def render(sheet, results: dict, kind: str, user_dirs: list[Path] | None = None, seed: int = 0) -> str:
    """LaTeX source of the ``kind`` ('exercises' or 'solutions') sheet."""
    problems = check_spec_texts(sheet.data, "", str(sheet.path))  # also for specs built in memory
    if problems:
        raise SpecError(problems)
    template = environment(user_dirs).get_template(f"{kind}.tex.j2")
    try:
        with sheet_printing():
            source = template.render(**sheet_context(sheet, results, seed))
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateSecurityError(f"template {kind}.tex.j2: {exc} (templates run sandboxed)") from None
    return lock_document(source)
