"""The specs a server was started with, loaded and solved once.

A request names a sheet by its id and a task by its key; both are looked up
in this catalogue, so no text from a request ever becomes a file path.  Each
task's method is wrapped so that ``check`` reuses the stored solution instead
of solving the exercise again for every answer.

>>> cat = Catalog.load(["problems/tub-ml-sheet14.yaml"])
>>> cat.task("tub-ml-sheet14", "shapley").answers
['phi_1', 'phi_2', 'phi_3']
>>> t = cat.task("tub-ml-sheet14", "shapley")
>>> t.method.solve(t.problem) is cat.results["tub-ml-sheet14"]["shapley"][0]
True
"""

from __future__ import annotations

from symxai.errors import UsageError


class SolvedMethod:
    """A task's method that answers ``solve`` of its own problem with the stored solution."""

    def __init__(self, method, problem, solution):
        self._method, self._problem, self._solution = method, problem, solution

    def solve(self, problem):
        if problem is self._problem:
            return self._solution
        return self._method.solve(problem)

    def __getattr__(self, name):
        return getattr(self._method, name)


class Catalog:
    """Sheets by id, each with its tasks solved (and, with ``verify``, verified)."""

    def __init__(self):
        self.sheets: dict = {}
        self.results: dict = {}  # sheet id -> {task key: (solution, verification | None)}

    @classmethod
    def load(cls, paths, *, verify: bool = False, seed: int = 0) -> "Catalog":
        """Load every spec of ``paths`` (files or folders); with ``verify``, raise VerificationError
        when an answer or a worked step fails its numeric check, as ``build`` does, so a server never
        grades against (or shows) anything unverified."""
        from symxai.errors import SpecError
        from symxai.solve.pipeline import require_verified, solve_sheet, spec_files
        from symxai.specs.spec import load_sheet

        cat, problems = cls(), []
        files = spec_files(paths)
        if not files:
            raise UsageError("no spec files given")
        for f in files:
            try:
                sheet = load_sheet(f)
            except SpecError as exc:
                problems.extend(exc.problems)
                continue
            if sheet.id in cat.sheets:
                raise UsageError(f"{f}: sheet id '{sheet.id}' is also the id of {cat.sheets[sheet.id].path}")
            cat.sheets[sheet.id] = sheet
        if problems:
            raise SpecError(problems)
        for sid, sheet in cat.sheets.items():
            if verify:  # answers against their references, and every displayed equality of the steps
                results = solve_sheet(sheet, seed=seed)
                require_verified(sheet, results)
            else:
                results = {t.key: (t.method.solve(t.problem), None) for t in sheet.tasks}
            for task in sheet.tasks:
                task.method = SolvedMethod(task.method, task.problem, results[task.key][0])
            cat.results[sid] = results
        return cat

    def sheet(self, sheet_id: str):
        try:
            return self.sheets[sheet_id]
        except (KeyError, TypeError):
            raise UsageError(f"no sheet '{str(sheet_id)[:80]}' (known: {', '.join(self.sheets)})") from None

    def task(self, sheet_id: str, target: str):
        if not isinstance(target, str):
            raise UsageError("target must be text: EXERCISE or EXERCISE.PART")
        return self.sheet(sheet_id).task(target)
