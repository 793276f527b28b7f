"""The pipeline: load -> instantiate -> solve -> verify -> render -> write.

Every command is a thin layer over these functions, which work from Python
too:

>>> sheet, results = solve_file("problems/tub-ml-sheet14.yaml")
>>> solution, verification = results["shapley"]
>>> solution.answers["phi_1"].value, verification.passed
(2/3, True)
"""

from __future__ import annotations

import json
from pathlib import Path

import sympy

from symxai.errors import LatexError, SpecError, VerificationError
from symxai.solve.model import Solution, Verification
from symxai.expr.plaintext import plain
from symxai.expr.printing import tex
from symxai.specs.spec import Sheet, load_sheet
from symxai.solve.stepcheck import check_steps
from symxai.solve.verify import verify


def spec_files(paths) -> list[Path]:
    """The .yaml/.yml files named, and those inside named folders (sorted).

    A folder without a spec is a UsageError: nothing would be checked or built.
    """
    from symxai.errors import UsageError

    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(q for q in p.iterdir() if q.suffix in (".yaml", ".yml") and not q.is_dir())
            if not found:
                raise UsageError(f"{p}: this folder holds no spec (no .yaml or .yml file)")
            out.extend(found)
        else:
            out.append(p)
    if not out:
        raise UsageError("no spec file given")
    return out


def solve_sheet(sheet: Sheet, *, seed: int = 0, steps: bool = True,
                progress=None) -> dict[str, tuple[Solution, Verification]]:
    """Solve and verify every task of a sheet: {task key: (solution, verification)}.

    With ``steps`` every displayed equality of the worked steps is checked too
    (``stepcheck``); ``verification.steps`` holds the report.  ``progress(text)``,
    when given, hears of each task before it starts.
    """
    results = {}
    for i, task in enumerate(sheet.tasks):
        if progress:
            progress(f"{sheet.path.name}: solving {task.key} ({i + 1}/{len(sheet.tasks)})")
        solution = task.method.solve(task.problem)
        verification = verify(task, solution, seed=seed)
        if steps:
            verification.steps = check_steps(task, solution, seed=seed)
        results[task.key] = (solution, verification)
    return results


def solve_file(path, *, seed: int = 0, progress=None):
    """Load, solve and verify a spec: a ``SolvedSheet`` (sheet, results) pair that shows as math
    in Jupyter (``symxai.notebook``)."""
    from symxai.notebook import SolvedSheet

    sheet = load_sheet(path)
    return SolvedSheet(sheet, solve_sheet(sheet, seed=seed, progress=progress))


def require_verified(sheet: Sheet, results: dict) -> None:
    """Raise VerificationError naming every answer whose check failed."""
    failed = [f"{sheet.path}: {key}: {c.answer}: {c.detail}"
              for key, (_, ver) in results.items() for c in ver.failures()]
    failed += [f"{sheet.path}: {key}: {failure}"
               for key, (_, ver) in results.items() if ver.steps is not None for failure in ver.steps.failures]
    if failed:
        raise VerificationError("verification failed; nothing was written:\n" + "\n".join(failed))


def answer_record(value) -> dict:
    """How an answer is written to answers.json and printed by ``solve``: the text
    is in the syntax of symxai's parser, so it can be pasted into ``check``.

    >>> answer_record(sympy.Matrix([1, sympy.Rational(2, 3)]))["text"]
    '(1, 2/3)'
    """
    record = {"text": plain(value), "latex": tex(value)}
    try:
        if isinstance(value, sympy.Basic) and value.is_number:
            record["value"] = float(value)
    except (TypeError, ValueError):
        pass
    return record


def answers_document(sheet: Sheet, results: dict, seed: int) -> dict:
    """answers.json: every task's answers with its verification."""
    tasks = {}
    for task in sheet.tasks:
        solution, ver = results[task.key]
        tasks[task.key] = {
            "method": task.method.name,
            "answers": {n: answer_record(solution.answers[n].value) for n in task.answers},
            "verification": [{"answer": c.answer, "passed": c.passed, "points": c.points,
                              "max_error": c.max_error, "tolerance": c.tolerance, "reference": c.reference}
                             for c in ver.checks],
        }
        if ver.steps is not None:
            tasks[task.key]["steps_checked"] = ver.steps.checked
            tasks[task.key]["steps_total"] = ver.steps.total
    return {"sheet": sheet.id, "file": sheet.path.name, "seed": seed, "tasks": tasks}


def build(paths, out_dir="output", *, tex_only: bool = False, templates=None, seed: int = 0,
          log=lambda msg: None, strict_layout: bool | None = None) -> list[Path]:
    """Build exercise and solution sheets (tex, pdf) and answers.json for every spec.

    All specs are loaded and verified before anything is written, so a bad
    spec or a failed check leaves every earlier output untouched.  Then all
    sheets are written into one staging folder and switched into place at
    once (``symxai.typeset.outputdir``): a LaTeX error or a kill leaves the earlier
    output as it was, and a second build into the same folder is refused.

    The LaTeX log of every PDF is read: each overfull box over 1 pt (a line past the
    margin, a page too high) is logged as a warning naming the sheet and exercise, and
    with ``strict_layout`` (default: the environment variable ``SYMXAI_STRICT_LAYOUT``,
    set by the tests and CI) it is a :class:`LayoutError` and nothing is written.
    """
    files = spec_files(paths)
    if not files:
        raise SpecError([])
    sheets, problems = [], []
    for f in files:
        try:
            sheets.append(load_sheet(f))
        except SpecError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SpecError(problems)
    solved = []
    for sheet in sheets:
        results = solve_sheet(sheet, seed=seed)
        require_verified(sheet, results)
        log(f"{sheet.path}: {len(sheet.tasks)} task(s) solved and verified")
        solved.append((sheet, results))
    from symxai.typeset.latex import compile_many
    from symxai.typeset.outputdir import publish

    rendered = [(sheet, results, _render_sheet(sheet, results, templates, seed)) for sheet, results in solved]
    written = []
    with publish(out_dir) as stage:  # one staging folder, one switch: symxai/typeset/outputdir.py
        per_sheet = [_write_sheet(sheet, files, stage, tex_only) for sheet, results, files in rendered]
        # every PDF of the build at once, one pdflatex per core; only symxai's own templates get a
        # precompiled preamble (--templates folders compile plainly)
        all_jobs = [job for _, jobs in per_sheet for job in jobs]
        boxes: list = []
        try:
            pdfs = compile_many(all_jobs, precompiled=not templates, layout=boxes)
        except LatexError as exc:  # name the spec line whose text the failing .tex line came from
            from symxai.typeset.texorigin import explain
            specs = {name: (sheet.data, str(sheet.path)) for (sheet, _, _), (_, jobs) in zip(rendered, per_sheet)
                     for _, _, name in jobs}
            raise LatexError(explain(str(exc), {name: src for src, _, name in all_jobs}, specs)) from None
        _report_layout(boxes, strict_layout, log)
        for staged, jobs in per_sheet:
            written.extend(sorted(stage.public(p) for p in staged + [pdfs.pop(0) for _ in jobs]))
    for sheet, _ in solved:
        log(f"wrote {Path(out_dir) / sheet.id}/")
    return written


def _report_layout(boxes, strict: bool | None, log) -> None:
    """Warn about every overfull box, or (strict) raise LayoutError naming them all."""
    from symxai.errors import LayoutError
    from symxai.typeset.texlog import strict_from_env

    if not boxes:
        return
    lines = [f"{job}.tex: {box}" for job, box in boxes]
    if strict if strict is not None else strict_from_env():
        raise LayoutError(f"{len(lines)} overfull box(es) over 1 pt; nothing was written:\n"
                          + "\n".join(f"    {line}" for line in lines))
    for line in lines:
        log(f"warning: {line}")


def _render_sheet(sheet, results, templates, seed: int) -> dict[str, str]:
    """File name -> text of a sheet's two .tex sources and its answers.json."""
    from symxai.typeset.render import render

    files = {f"{sheet.id}-{kind}.tex": render(sheet, results, kind, templates, seed) for kind in ("exercises", "solutions")}
    files["answers.json"] = json.dumps(answers_document(sheet, results, seed), indent=2) + "\n"
    return files


def _write_sheet(sheet, files: dict[str, str], stage, tex_only: bool):
    """Write one sheet's files into its folder of the staging area: (their staged paths,
    the (source, pdf, jobname) jobs of its PDFs, for compile_many)."""
    from symxai.typeset.latex import write_atomic
    from symxai.typeset.texguard import safe_jobname

    folder = stage.path / sheet.id
    folder.mkdir()
    jobs = [] if tex_only else [(source, folder / (name[:-4] + ".pdf"), safe_jobname(name[:-4]))
                                for name, source in files.items() if name.endswith(".tex")]
    return [write_atomic(folder / name, content) for name, content in files.items()], jobs
