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

from .errors import SpecError, VerificationError
from .model import Solution, Verification
from .printing import plain, tex
from .spec import Sheet, load_sheet
from .verify import verify


def spec_files(paths) -> list[Path]:
    """The .yaml/.yml files named, and those inside named folders (sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.suffix in (".yaml", ".yml")))
        else:
            out.append(p)
    return out


def solve_sheet(sheet: Sheet, *, seed: int = 0) -> dict[str, tuple[Solution, Verification]]:
    """Solve and verify every task of a sheet: {task key: (solution, verification)}."""
    results = {}
    for task in sheet.tasks:
        solution = task.method.solve(task.problem)
        results[task.key] = (solution, verify(task, solution, seed=seed))
    return results


def solve_file(path, *, seed: int = 0):
    sheet = load_sheet(path)
    return sheet, solve_sheet(sheet, seed=seed)


def require_verified(sheet: Sheet, results: dict) -> None:
    """Raise VerificationError naming every answer whose check failed."""
    failed = [f"{sheet.path}: {key}: {c.answer}: {c.detail}"
              for key, (_, ver) in results.items() for c in ver.failures()]
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
    return {"sheet": sheet.id, "file": sheet.path.name, "seed": seed, "tasks": tasks}


def build(paths, out_dir="output", *, tex_only: bool = False, templates=None, seed: int = 0,
          log=lambda msg: None) -> list[Path]:
    """Build exercise and solution sheets (tex, pdf) and answers.json for every spec.

    All specs are loaded and verified before anything is written, so a bad
    spec or a failed check leaves every earlier output untouched.
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
    return _write_sheets(solved, Path(out_dir), tex_only, templates, seed, log)


def _write_sheets(solved, out_dir: Path, tex_only: bool, templates, seed: int, log) -> list[Path]:
    """Render every sheet, compile all PDFs in parallel into staging folders, then move
    every file into place: a LaTeX failure raises before any output folder is touched."""
    import os
    import tempfile
    from contextlib import ExitStack

    from .latex import compile_many, write_atomic
    from .render import render

    staged, pdfs = [], []
    with ExitStack() as stack:
        for sheet, results in solved:
            folder = out_dir / sheet.id
            folder.mkdir(parents=True, exist_ok=True)
            stage = Path(stack.enter_context(tempfile.TemporaryDirectory(dir=folder, prefix=".staging-")))
            files = {f"{sheet.id}-{kind}.tex": render(sheet, results, kind, templates, seed)
                     for kind in ("exercises", "solutions")}
            files["answers.json"] = json.dumps(answers_document(sheet, results, seed), indent=2) + "\n"
            if not tex_only:
                pdfs.extend((source, stage / (name[:-4] + ".pdf"), name[:-4])
                            for name, source in files.items() if name.endswith(".tex"))
            for name, content in files.items():
                write_atomic(stage / name, content)
            staged.append((folder, stage))
        # Only symxai's own templates get a precompiled preamble (user templates compile plainly).
        compile_many(pdfs, precompiled=not templates)
        written = []
        for folder, stage in staged:
            for path in sorted(stage.iterdir()):
                os.replace(path, folder / path.name)
                written.append(folder / path.name)
            log(f"wrote {folder}/")
    return written
