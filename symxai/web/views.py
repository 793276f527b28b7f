"""What the pages show, computed once at start: statements, answer fields, worked solutions.

Everything is HTML with MathML made from the specs and the engine's
solutions (``render.task_view``, the same view the LaTeX templates get), so
the page says what the PDF says.

>>> from symxai.web.catalog import Catalog
>>> cat = Catalog.load(["problems/tub-ml-sheet14.yaml"], verify=True)
>>> page = sheet_view(cat.sheets["tub-ml-sheet14"], cat.results["tub-ml-sheet14"])
>>> [f["name"] for f in page["exercises"][1]["tasks"][0]["fields"]]
['phi_1', 'phi_2', 'phi_3']
>>> "<math" in page["exercises"][1]["statement"]
True
"""

from __future__ import annotations

from symxai.expr.printing import name_tex
from symxai.typeset.render import check_row, task_view
from symxai.web.figures import figure
from symxai.web.mathml import aligned, math, prose


def _cell(text: str) -> str:
    return prose(text).removeprefix("<p>").removesuffix("</p>")


def step_html(step: dict) -> str:
    """One step view (``render._step_view``) as HTML."""
    out = []
    if step["title"]:
        out.append(f"<h5>{_cell(step['title'])}</h5>")
    if step["text"]:
        out.append(prose(step["text"]))
    if step["lines"]:
        out.append(aligned(step["lines"]))
    if step["table"]:
        t = step["table"]
        head = "".join(f"<th>{_cell(h)}</th>" for h in t["header"])
        rows = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in t["rows"])
        out.append(f'<table class="steps"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')
    out.append(figure(step["figure"]))
    return '<div class="step">' + "".join(out) + "</div>"


def solution_html(task, solution, verification) -> str:
    """The worked solution of a task as HTML: steps, the answers, how they were verified."""
    view = task_view(task, solution, verification)
    parts = [step_html(s) for s in view["steps"]]
    answers = "".join(f"<li>{math(a['lhs'] + ' = ' + a['value'])}</li>" for a in view["answers"])
    where = "".join(f"<li>{math(w)}</li>" for w in view["where"])
    if answers:
        parts.append(f'<div class="answers"><h5>Answer</h5><ul>{answers}{where}</ul></div>')
    if view["discussion"]:
        parts.append(f'<div class="discussion">{prose(view["discussion"])}</div>')
    row = check_row(task, verification)
    if row is not None:
        steps = f"; worked steps checked: {row['steps']}" if row["steps"] != "--" else ""
        note = (f"{row['answers']} agree with a {row['reference']} at {row['where']} "
                f"(largest relative difference {row['error']}){steps}.")
        parts.append(f'<p class="verified">{_cell(note)}</p>')
    return "".join(parts)


def sheet_view(sheet, results: dict) -> dict:
    """The page of a sheet: per exercise its statement and figures, per task one field per answer."""
    exercises = []
    for ex, tasks in sheet.exercises():
        views = []
        for task in tasks:
            solution, verification = results[task.key]
            view = task_view(task, solution, verification)
            views.append({
                "key": task.key,
                "title": view["part_label"],
                "statement": prose(view["statement"]) if view["statement"] else "",
                "figures": "".join(figure(f) for f in view["figures"]),
                "fields": [{"name": n, "label": math(name_tex(n, solution.answers[n].value))}
                           for n in task.answers],
                "solution": solution_html(task, solution, verification),
            })
        exercises.append({"id": ex["id"], "title": ex["title"], "points": ex.get("points", ""),
                          "statement": prose(ex["statement"]), "tasks": views})
    data = sheet.data
    return {"id": sheet.id, "title": data["title"], "course": data.get("course", ""),
            "source": data.get("source", ""), "exercises": exercises}


def index_view(catalog) -> list[dict]:
    """The sheets for the front page."""
    return [{"id": sid, "title": s.data["title"], "course": s.data.get("course", ""),
             "tasks": len(s.tasks)} for sid, s in catalog.sheets.items()]


def api_sheets(catalog) -> list[dict]:
    """Sheets, tasks and answer names, for clients of the JSON API."""
    return [{"id": sid, "title": s.data["title"], "file": s.path.name,
             "tasks": [{"target": t.key, "answers": list(t.answers)} for t in s.tasks]}
            for sid, s in catalog.sheets.items()]


