"""What the LMS exports need from a solved variant, computed in the worker that solved it.

Per task: the worked solution as HTML (MathJax ``\\( \\)`` math), the TikZ
code of its figures (statement figures apart), the catalogue's misconception
rows, and, for answers with free symbols, a *stated point*: small exact
values of those symbols at which plain Moodle asks for the answer's value.
The HTML is written in the worker: SymPy's unevaluated display terms
(``1/6 * 4 + 1/6 * 5``) would be evaluated when pickled back to the parent.
The value there is the engine's exact answer substituted, and it is checked
against the method's numeric reference at that very point (a failure raises
``VerificationError``: no unchecked number reaches a quiz).

>>> html_text("if $a < b$ & so")
'if \\\\(a &lt; b\\\\) &amp; so'
"""

from __future__ import annotations

import html as _html
import re

import numpy as np
import sympy

from symxai.errors import VerificationError

FIGURE_SLOT = "symxai-figure-{}"  # file name placeholder in solution_html, replaced by the export


def html_text(latex_prose: str) -> str:
    """LaTeX prose as HTML text: escaped, ``$..$`` as ``\\(..\\)`` and ``\\[..\\]`` kept for MathJax."""
    text = _html.escape(latex_prose, quote=False)
    return re.sub(r"(?<!\\)\$(.+?)(?<!\\)\$", r"\\(\1\\)", text, flags=re.S)


def paragraphs(latex_prose: str) -> str:
    """Prose as HTML paragraphs (blank lines separate them)."""
    paras = [p.strip().replace("\n", " ") for p in re.split(r"\n\s*\n", latex_prose.strip()) if p.strip()]
    return "".join(f"<p>{html_text(p)}</p>" for p in paras)


def _cell(obj) -> str:
    from symxai.expr.printing import inline

    if isinstance(obj, str):
        return _html.escape(obj, quote=False)
    return f"\\({_html.escape(inline(obj), quote=False)}\\)"


def steps_html(steps, figure_names: list[str] | None = None) -> str:
    """A worked solution's steps as HTML; figures as ``@@PLUGINFILE@@`` images named by ``figure_names``."""
    from symxai.expr.printing import aligned, prose

    names = iter(figure_names or [])
    out = []
    for step in steps:
        if step.title:
            out.append(f"<p><strong>{html_text(step.title)}</strong></p>")
        if step.text:
            out.append(paragraphs(prose(step.text, step.values)))
        if step.lines:
            body = " \\\\ ".join(aligned(line).replace("\n", " ") for line in step.lines)
            out.append(f"<p>\\[\\begin{{aligned}} {_html.escape(body, quote=False)} \\end{{aligned}}\\]</p>")
        if step.table is not None:
            head = "".join(f"<th>{_cell(h)}</th>" for h in step.table.header)
            rows = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in step.table.rows)
            out.append(f'<table class="generaltable"><tr>{head}</tr>{rows}</table>')
        if step.figure is not None and not step.figure.data.get("in_statement"):
            name = next(names, None)
            if name:
                out.append(f'<p><img src="@@PLUGINFILE@@/{name}" alt="figure" /></p>')
    return "".join(out)


def figure_tikz(figure) -> str:
    """The ``tikzpicture`` of a step's figure, rendered by its template (caption and centering left out)."""
    from symxai.typeset.render import environment

    code = environment().get_template(f"figures/{figure.template}.tex.j2").render(fig=figure.data)
    found = re.search(r"\\begin\{tikzpicture\}.*?\\end\{tikzpicture\}", code, flags=re.S)
    if not found:
        raise ValueError(f"figure template {figure.template!r} drew no tikzpicture")
    return found.group(0)


def _range(sym) -> tuple[int, int]:
    if sym.is_positive:
        return 1, 5
    if sym.is_nonnegative:
        return 0, 5
    return -3, 3


def _on_boundary(value, point) -> bool:
    for pw in value.atoms(sympy.Piecewise) if isinstance(value, sympy.Basic) else ():
        for _, cond in pw.args:
            for rel in cond.atoms(sympy.core.relational.Relational):
                if sympy.simplify((rel.lhs - rel.rhs).subs(point)) == 0:
                    return True
    for m in value.atoms(sympy.Min, sympy.Max) if isinstance(value, sympy.Basic) else ():
        args = [a.subs(point) for a in m.args]
        if len(set(args)) < len(args):
            return True
    return False


def stated_point(task, solution, vseed: int, tries: int = 60):
    """``({symbol: value}, {answer: exact value there})`` for a task whose answers hold free symbols, else None.

    Small integers within each symbol's sign, off every kink (Piecewise
    boundary, tie in Min/Max) and away from poles; the values are checked
    against the method's numeric reference at that point.
    """
    from symxai.expr.numeval import evaluate
    from symxai.solve.verify import _error

    values = {n: solution.answers[n].value for n in task.answers}
    free = sorted({s for v in values.values() if isinstance(v, sympy.Basic) for s in v.free_symbols
                   if isinstance(s, sympy.Symbol)}, key=lambda s: s.name)
    if not free or any(isinstance(v, sympy.MatrixBase) for v in values.values()):
        return None
    # state every declared scalar symbol, so the question fixes all of them (R_2 = 2 x_2 still names x_1)
    declared = [s for s in task.symbols.names().values() if isinstance(s, sympy.Symbol)]
    free = sorted(set(free) | set(declared), key=lambda s: s.name)
    rng = np.random.default_rng([vseed, 17])
    for _ in range(tries):
        point = {s: sympy.Integer(int(rng.integers(*_range(s)) if _range(s)[0] < _range(s)[1] else 0)) for s in free}
        exact = {n: sympy.nsimplify(v.subs(point)) if isinstance(v, sympy.Basic) else v for n, v in values.items()}
        if not all(isinstance(x, sympy.Basic) and x.is_number and x.is_finite and x.is_real for x in exact.values()):
            continue
        if any(_on_boundary(v, point) for v in values.values()):
            continue
        sample = task.method.sample(task.problem, task.symbols, np.random.default_rng(0))
        sample.update({s: float(x) for s, x in point.items()})
        reference = task.method.reference(task.problem, sample)
        for n, x in exact.items():
            err = _error(evaluate(x, {}), reference[n])
            if not err <= task.method.tolerance(task.problem, n):
                raise VerificationError(f"{task.key}: {n} = {x} at the stated point {point}, but the reference "
                                        f"gives {reference[n]}")
        return point, exact
    return None


def task_extras(task, solution, vseed: int) -> dict:
    """Everything the exports need of one solved task (plain data and SymPy values, picklable)."""
    from symxai.misconceptions import Misconception, catalogue

    statement_figs = [figure_tikz(s.figure) for s in solution.steps
                      if s.figure is not None and s.figure.data.get("in_statement")]
    solution_figs = [figure_tikz(s.figure) for s in solution.steps
                     if s.figure is not None and not s.figure.data.get("in_statement")]
    rows = catalogue(task.method, task.problem, solution)  # a failing catalogue is a bug: the variant fails loudly
    wrong = [{"label": r.label, "message": r.message, "values": dict(r.values)}
             for r in rows if isinstance(r, Misconception) and r.values]
    # HTML is written here: unevaluated SymPy terms of the display lines do not survive pickling
    solution_html = steps_html(solution.steps, [FIGURE_SLOT.format(k) for k in range(1, len(solution_figs) + 1)])
    return {"solution_html": solution_html, "statement_figures": statement_figs, "solution_figures": solution_figs,
            "misconceptions": wrong, "point": stated_point(task, solution, vseed),
            "symbols": sorted({s.name for v in solution.answers.values() if isinstance(v.value, sympy.Basic)
                               for s in v.value.free_symbols})}


def extras(sheet, results: dict, vseed: int) -> dict:
    """``task_extras`` of every task of a solved variant sheet, by task key."""
    return {t.key: task_extras(t, results[t.key][0], vseed) for t in sheet.tasks}
