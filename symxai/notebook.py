"""How symxai's objects show in Jupyter: worked solutions, verifications and check reports as math.

``Solution``, ``Verification``, ``CheckReport`` and the ``SolvedSheet`` that
``solve_file`` returns define ``_repr_markdown_`` (Markdown with ``$...$``
math, which Jupyter renders) and ``_repr_latex_``; a solved sheet and a
check report also give ``_repr_html_`` with MathML when the web extra
(latex2mathml) is installed.  Every formula is printed by ``symxai.expr.printing``.

>>> from symxai.solve.pipeline import solve_file
>>> solved = solve_file("problems/tub-ml-sheet14.yaml")
>>> sheet, results = solved  # still a (sheet, results) pair
>>> "$\\\\phi_{1} = \\\\frac{2}{3}$" in solved._repr_markdown_()
True
"""

from __future__ import annotations

import re
from typing import NamedTuple

from symxai.expr.printing import aligned, inline, name_tex, prose, tex

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    """Plain text (a verdict, a message) escaped for Markdown."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _answers_md(solution, names=None) -> list[str]:
    names = list(names or solution.answers)
    return [f"- ${name_tex(n, solution.answers[n].value)} = {tex(solution.answers[n].value)}$" for n in names]


def _cell(obj) -> str:
    """A Markdown table cell: a bar would end the cell, so |S| is written with \\vert."""
    if isinstance(obj, str):
        return _md(obj)
    return "$" + inline(obj).replace("\\|", "\\Vert ").replace("|", "\\vert ") + "$"


def solution_markdown(solution) -> str:
    """A worked solution: its steps (prose, display lines, tables), then its answers."""
    out = []
    for step in solution.steps:
        if step.title:
            out.append(f"**{step.title}**")
        if step.text:
            out.append(prose(step.text, step.values))
        if step.lines:
            body = " \\\\\n".join(aligned(line) for line in step.lines)
            out.append(f"$$\\begin{{aligned}}\n{body}\n\\end{{aligned}}$$")
        if step.table is not None:
            t = step.table
            out.append("\n".join(["| " + " | ".join(_cell(h) for h in t.header) + " |",
                                  "|" + "---|" * len(t.header)]
                                 + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in t.rows]))
        if step.figure is not None:
            out.append(f"*(figure: {step.figure.template}; see the PDF or `symxai serve`)*")
    if solution.answers:
        out.append("**Answers**\n\n" + "\n".join(_answers_md(solution)))
    return "\n\n".join(out) + "\n"


def solution_latex(solution) -> str:
    """The answers of a solution as one aligned display."""
    rows = [f"{name_tex(n, a.value)} &= {tex(a.value)}" for n, a in solution.answers.items()]
    return "$$\\begin{aligned}" + " \\\\ ".join(rows) + "\\end{aligned}$$"


def verification_markdown(verification) -> str:
    """One row per answer: passed or not, against which reference, at how many points."""
    rows = ["| answer | verified | reference | points | largest relative difference |", "|---|---|---|---|---|"]
    for c in verification.checks:
        rows.append(f"| ${tex(_symbol(c.answer))}$ | {'yes' if c.passed else '**NO**: ' + _md(c.detail)} | "
                    f"{_md(c.reference)} | {c.points} | {c.max_error:.1e} |")
    return "\n".join(rows) + "\n"


def verification_latex(verification) -> str:
    """The verified answers as ``\\checkmark`` / ``\\times`` marks."""
    yes, no = "\\checkmark", "\\times"
    marks = [f"{tex(_symbol(c.answer))}\\ {yes if c.passed else no}" for c in verification.checks]
    return "$" + ",\\quad ".join(marks) + "$"


def _symbol(name: str):
    import sympy
    return sympy.Symbol(name)


def report_markdown(report) -> str:
    """A check report with ``check``'s own wording, one list item per line."""
    lines = []
    for v in report.verdicts:
        mark = {"right": "✓", "wrong": "✗"}.get(v.status, "?")
        lines.append(f"- {mark} {_md(v.message)}")
        lines.extend(f"    - {_md(d.message)} `[{d.label}]`" for d in v.diagnoses)
    lines.extend(f"- {_md(report.target)}: {_md(d.message)} `[{d.label}]`" for d in report.notes)
    head = f"**{_md(report.target)}**: exit code {report.exit_code}"
    return head + "\n\n" + "\n".join(lines) + "\n"


def _mathml_available() -> bool:
    try:
        import latex2mathml  # noqa: F401
    except ImportError:
        return False
    return True


class SolvedSheet(NamedTuple):
    """What ``solve_file`` returns: the sheet and {task key: (solution, verification)}."""

    sheet: object
    results: dict

    def _repr_markdown_(self) -> str:
        out = [f"### {_md(self.sheet.data['title'])}"]
        for task in self.sheet.tasks:
            solution, verification = self.results[task.key]
            state = "verified" if verification.passed or not verification.checks else "**VERIFICATION FAILED**"
            out.append(f"**{_md(task.key)}** [{task.method.name}], {state}\n\n"
                       + "\n".join(_answers_md(solution, task.answers)))
        return "\n\n".join(out) + "\n"

    def _repr_latex_(self) -> str:
        rows = [f"\\text{{{task.key}}}:\\ " + ",\\ ".join(
                    f"{name_tex(n, sol.answers[n].value)} = {tex(sol.answers[n].value)}" for n in task.answers)
                for task in self.sheet.tasks for sol in [self.results[task.key][0]]]
        return "$$\\begin{aligned}" + " \\\\ ".join(rows) + "\\end{aligned}$$"

    def _repr_html_(self):
        if not _mathml_available():
            return None
        from symxai.web.mathml import math

        parts = [f"<h3>{_html(self.sheet.data['title'])}</h3>"]
        for task in self.sheet.tasks:
            solution, verification = self.results[task.key]
            state = "verified" if verification.passed or not verification.checks else "VERIFICATION FAILED"
            items = "".join(f"<li>{math(name_tex(n, solution.answers[n].value) + ' = ' + tex(solution.answers[n].value))}</li>"
                            for n in task.answers)
            parts.append(f"<p><b>{_html(task.key)}</b> [{_html(task.method.name)}], {state}</p><ul>{items}</ul>")
        return "".join(parts)


def _html(text: str) -> str:
    import html
    return html.escape(str(text))


def report_html(report):
    """A check report as HTML (the same lines, coloured by verdict); None without latex2mathml."""
    colour = {"right": "#17703a", "wrong": "#b3261e"}
    items = []
    for v in report.verdicts:
        sub = "".join(f"<li>{_html(d.message)} <code>[{_html(d.label)}]</code></li>" for d in v.diagnoses)
        items.append(f'<li style="color:{colour.get(v.status, "#8a5a00")}">{_html(v.message)}'
                     + (f"<ul style='color:initial'>{sub}</ul>" if sub else "") + "</li>")
    items.extend(f"<li>{_html(report.target)}: {_html(d.message)} <code>[{_html(d.label)}]</code></li>"
                 for d in report.notes)
    return f"<p><b>{_html(report.target)}</b>: exit code {report.exit_code}</p><ul>{''.join(items)}</ul>"
