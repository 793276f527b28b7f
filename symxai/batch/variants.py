"""Seeded batches of exercise variants: drawn, constrained, solved, verified, rendered.

An exercise's ``random:`` block names generators, the params they override
and the constraints a variant must meet.  Candidate ``k`` of batch seed ``S``
draws its values from its own seed (``variant_seed(S, k)``), so parameters and
answers come from one recorded seed and the batch does not depend on the
number of workers.  Each accepted candidate is written as a standalone spec
with fixed parameters and read back through the ordinary loader before it
is solved and verified.

>>> batch = generate("problems/tub-ml-sheet14.yaml", "shapley", count=2, seed=7, render=False)
>>> [v.id for v in batch.variants]
['tub-ml-sheet14-shapley-v001', 'tub-ml-sheet14-shapley-v002']
>>> batch.variants[0].answers["shapley"]["phi_1"] == generate(
...     "problems/tub-ml-sheet14.yaml", "shapley", count=1, seed=7, render=False).variants[0].answers["shapley"]["phi_1"]
True
"""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sympy

from symxai.specs import constraints as cons
from symxai.errors import Location, Problem, SpecError, SymxaiError
from symxai.specs.generators import (Generator, GeneratorError, fill_statement, references, resolve,
                                     statement_problems, to_data)
from symxai.specs.spec import Sheet, load_sheet
from symxai.batch.degenerate import degenerate_reason
from symxai.batch.variantio import answer_key, plain, spec_yaml  # noqa: F401 - answer_key is public here too


class VariantError(SymxaiError):
    """Raised when a batch cannot be completed: constraints rejected too many candidates."""


@dataclass
class RandomSpec:
    """The parsed ``random:`` block of one exercise."""

    exercise: dict
    generators: list[Generator]
    params: dict
    parts: dict
    statement: str | None
    constraints: list[cons.Constraint]
    tries: int | None
    symbols: dict  # name -> SymPy symbol of the exercise


def _problem(sheet: Sheet, node, key, message: str) -> Problem:
    loc = node.loc_of(key) if hasattr(node, "loc_of") else Location(str(sheet.path))
    lines = sheet.path.read_text(encoding="utf-8").splitlines() if sheet.path.is_file() else []
    return Problem(loc, message, lines[loc.line - 1] if 0 < loc.line <= len(lines) else "")


def random_problems(path, ex) -> tuple[list[Generator], list, list[Problem]]:
    """The generators and constraints of exercise ``ex``'s random block, and a located problem
    for each one that cannot be built (a sheet that failed to load may still be checked)."""
    holder = Sheet(Path(path), {})
    block = ex["random"]
    problems, gens = [], []
    for name, spec in block["generate"].items():
        try:
            gens.append(Generator(name, spec))
        except GeneratorError as exc:
            problems.append(_problem(holder, block["generate"], name, str(exc)))
    names = {g.name for g in gens}
    declared = set(block["generate"])  # a generator that failed is reported once, above
    part_ids = {p["id"] for p in ex.get("parts") or []}
    for pid in block.get("parts") or {}:
        if pid not in part_ids:
            problems.append(_problem(holder, block["parts"], pid, f"exercise '{ex['id']}' has no part '{pid}'"))
    used = references(plain(block.get("params") or {})) | references(plain(block.get("parts") or {}))
    for name in sorted(used - declared):
        problems.append(_problem(holder, block, "params",
                                 f"${name} is not a generator (generators: {', '.join(sorted(declared))})"))
    problems += [_problem(holder, owner, key, message) for owner, key, message in statement_problems(block, declared)]
    rules = []
    for i, spec in enumerate(block.get("constraints") or []):
        try:
            rules.append(cons.build(plain(spec), declared))
        except GeneratorError as exc:
            problems.append(_problem(holder, block["constraints"], i, str(exc)))
    return gens, rules, problems


def random_spec(sheet: Sheet, exercise: str | None = None) -> RandomSpec:
    """The random block of ``exercise`` (or of the only exercise that has one); located errors."""
    from symxai.errors import UsageError

    having = [ex for ex in sheet.data["exercises"] if "random" in ex]
    if exercise is None:
        if len(having) != 1:
            raise UsageError(f"{sheet.path}: name the exercise to vary (with a random: block: "
                             f"{', '.join(ex['id'] for ex in having) or 'none'})")
        ex = having[0]
    else:
        found = [e for e in sheet.data["exercises"] if e["id"] == exercise]
        if not found:
            raise UsageError(f"{sheet.path}: no exercise '{exercise}' (known: "
                             f"{', '.join(e['id'] for e in sheet.data['exercises'])})")
        ex = found[0]
        if "random" not in ex:
            raise UsageError(f"{sheet.path}: exercise '{exercise}' has no random: block (see docs/variants.md)")
    block = ex["random"]
    gens, rules, problems = random_problems(sheet.path, ex)
    if problems:
        raise SpecError(problems)
    task = next(t for t in sheet.tasks if t.exercise is ex)
    return RandomSpec(ex, gens, plain(block.get("params") or {}), plain(block.get("parts") or {}),
                      block.get("statement"), rules, block.get("tries"), task.symbols.names())


def variant_seed(seed: int, index: int) -> int:
    """The seed of candidate ``index`` of a batch: recorded with every variant.

    >>> variant_seed(7, 0) == variant_seed(7, 0) != variant_seed(7, 1)
    True
    """
    return int(np.random.SeedSequence([seed, index]).generate_state(1)[0])


def draw(rs: RandomSpec, vseed: int) -> dict:
    """Generated values of the candidate with seed ``vseed`` (each generator in declared order)."""
    rng = np.random.default_rng(vseed)
    values = {}
    for g in rs.generators:
        try:
            values[g.name] = g.sample(rng, rs.symbols)
        except GeneratorError as exc:
            raise VariantError(f"generator '{g.name}': {exc}") from None
    return values


def variant_text(sheet: Sheet, rs: RandomSpec, values: dict, *, vid: str, header: list[str], note: str = "") -> str:
    """The standalone spec of one variant: fixed params, no random block."""
    ex = plain(rs.exercise)
    ex.pop("random", None)
    try:
        ex["params"] = {**ex.get("params", {}), **resolve(rs.params, values)}
        if rs.statement:
            ex["statement"] = fill_statement(rs.statement, shown_values(rs, values, ex["params"], rs.statement))
        for part in ex.get("parts") or []:
            over = rs.parts.get(part["id"], {})
            if "params" in over:
                part["params"] = {**part.get("params", {}), **resolve(over["params"], values)}
            if "statement" in over:
                params = {**ex["params"], **part.get("params", {})}
                part["statement"] = fill_statement(over["statement"], shown_values(rs, values, params, over["statement"]))
    except GeneratorError as exc:
        raise VariantError(f"exercise '{rs.exercise['id']}': {exc}") from None
    data = {k: plain(sheet.data[k]) for k in ("title", "course", "source") if k in sheet.data}
    if note:
        data["source"] = f"{data['source']}; {note}" if data.get("source") else note
    return spec_yaml({"id": vid, **data, "exercises": [ex]}, header)


def shown_values(rs: RandomSpec, values: dict, params: dict, statement: str) -> dict:
    """The values a statement's ``[[name]]`` may print: generated values, and resolved params by name.

    A param that is expression text (``f: "$a*x1*x2 + $b*x3"``) is read by the
    whitelist parser with the exercise's symbols, so ``[[f]]`` prints
    ``3 x_{1} x_{2} - x_{3}``, never ``(3)*x1*x2 + (-1)*x3``.  Generated values
    win over params of the same name.
    """
    from symxai.expr.exprparse import parse
    from symxai.specs.generators import STATEMENT_REF

    out = dict(values)
    for m in STATEMENT_REF.finditer(statement):
        key = m.group(1)
        if key in out or key not in params:
            continue
        value = params[key]
        if isinstance(value, str):
            value = parse(value, rs.symbols)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            value = sympy.Integer(value) if isinstance(value, int) else sympy.nsimplify(value)
        out[key] = value
    return out


@dataclass
class Variant:
    """One accepted variant: its seed, values, spec text, exact answers and rendered sheets."""

    number: int
    candidate: int
    variant_seed: int
    id: str
    values: dict
    spec: str
    answers: dict  # task key -> {answer name: exact value}
    document: dict  # answers.json of the variant
    sources: dict = field(default_factory=dict)  # 'exercises'/'solutions' -> LaTeX
    extras: dict = field(default_factory=dict)  # task key -> symxai.lms.lmsdata.task_extras (LMS exports)


@dataclass
class Batch:
    file: str
    exercise: str
    seed: int
    count: int
    variants: list[Variant]
    candidates: int
    rejected: Counter
    failures: list = field(default_factory=list)  # candidates whose verification failed (engine bugs)

    @property
    def rejection_rate(self) -> float:
        return (self.candidates - len(self.variants)) / self.candidates if self.candidates else 0.0

    def summary(self) -> str:
        why = ", ".join(f"{k}: {n}" for k, n in sorted(self.rejected.items())) or "none"
        warn = "".join(f"\nWARNING: {f}" for f in self.failures)
        return (f"{len(self.variants)} variant(s) from {self.candidates} candidate(s); "
                f"rejection rate {self.rejection_rate:.0%} ({why}){warn}")


def solve_variant(job: tuple) -> dict:
    """Worker: load a variant's spec text, solve, verify, render.  Never raises (failures are data).

    ``job`` is (text, file name, render[, keep[, results[, variant seed]]]): with ``results`` (an
    accepted candidate's, in the same process) they are reused for the final text (same exercise,
    same values: only the ids and the note differ) and nothing is solved again; with ``keep`` the
    results are returned too, for that reuse; with a variant seed the LMS exports' extras are
    computed (``symxai.lms.lmsdata``).  With ``screen`` (job[6]) the candidate is only solved, not
    verified or documented: its answers go to the answer constraints first, and only an accepted
    candidate is verified (``verify_candidate``), so a rejected one costs one solve.
    """
    text, name, render_tex = job[:3]
    keep = len(job) > 3 and job[3]
    reuse = job[4] if len(job) > 4 else None
    lms_seed = job[5] if len(job) > 5 else None
    screen = len(job) > 6 and job[6]
    from symxai.solve.pipeline import answers_document, require_verified, solve_sheet
    from symxai.specs.spec import loads_sheet
    try:
        sheet = loads_sheet(text, name)
        if screen:  # solved, not verified: the answer constraints come first
            solutions = {t.key: t.method.solve(t.problem) for t in sheet.tasks}
            answers = {t.key: {n: solutions[t.key].answers[n].value for n in t.answers} for t in sheet.tasks}
            return {"ok": True, "answers": answers, "screened": (sheet, solutions) if keep else None}
        results = reuse if reuse is not None and set(reuse) == {t.key for t in sheet.tasks} else solve_sheet(sheet)
        answers = {t.key: {n: results[t.key][0].answers[n].value for n in t.answers} for t in sheet.tasks}
        require_verified(sheet, results)
        sources = {}
        if render_tex:
            from symxai.typeset.render import render
            sources = {kind: render(sheet, results, kind) for kind in ("exercises", "solutions")}
        out = {"ok": True, "answers": answers, "document": answers_document(sheet, results, 0), "sources": sources,
               "extras": {}}
        if lms_seed is not None:
            from symxai.lms.lmsdata import extras
            out["extras"] = extras(sheet, results, lms_seed)
        if keep:
            out["results"] = results
        return out
    except SymxaiError as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    except Exception as exc:  # noqa: BLE001 - an engine bug must be reported for this variant, not end the batch
        return {"ok": False, "error": f"internal error {type(exc).__name__}: {exc}"}


def verify_candidate(job: tuple) -> dict:
    """Worker: verify a screened candidate that met the answer constraints.  In-process (``screened``
    holds its sheet and results) nothing is solved again; across processes it is solved and verified
    afresh (``solve_variant``).  Never raises."""
    text, name, screened = job
    if screened is None:
        return solve_variant((text, name, False, False))
    from symxai.solve import pipeline
    sheet, solutions = screened
    try:
        results = {}
        for task in sheet.tasks:  # what solve_sheet does after each solve
            verification = pipeline.verify(task, solutions[task.key], seed=0)
            verification.steps = pipeline.check_steps(task, solutions[task.key], seed=0)
            results[task.key] = (solutions[task.key], verification)
        pipeline.require_verified(sheet, results)
        return {"ok": True, "results": results}
    except SymxaiError as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    except Exception as exc:  # noqa: BLE001 - an engine bug must be reported for this variant, not end the batch
        return {"ok": False, "error": f"internal error {type(exc).__name__}: {exc}"}


def _mapper(jobs: int):
    if jobs <= 1:
        return None, map
    pool = ProcessPoolExecutor(max_workers=jobs)
    return pool, pool.map


def generate(path, exercise: str | None = None, *, count: int, seed: int = 0, jobs: int = 1,
             max_tries: int | None = None, render: bool = True, progress=None, lms: bool = False,
             degenerate: bool = False) -> Batch:
    """``count`` distinct accepted variants of ``exercise``; VariantError after a bounded number of tries.

    ``lms`` computes what the Moodle/STACK/QTI exports need (worked solution,
    figures, catalogue, stated points); ``degenerate`` keeps variants that
    ``symxai.batch.degenerate`` would reject (dead network, all answers zero, a pole).
    """
    sheet = load_sheet(path)
    rs = random_spec(sheet, exercise)
    ex_id = rs.exercise["id"]
    tries = max_tries or rs.tries or max(50, 20 * count)
    fname = Path(path).name
    seen, outcome, accepted, solved = set(), {}, [], {}
    pool, run = _mapper(jobs)
    index, failures = 0, []
    # In-process (jobs=1) the accepted candidate's results are reused for its final text.  Across
    # processes they are not: pickling re-evaluates the unevaluated SymPy sums the steps display.
    keep = render and pool is None
    try:
        while len(accepted) < count and index < tries:
            chunk = []
            size = min(tries - index, max(2 * jobs, 2 * (count - len(accepted))))
            for k in range(index, index + size):
                vseed = variant_seed(seed, k)
                values = draw(rs, vseed)
                key = json.dumps(to_data(values), sort_keys=True)
                if key in seen:
                    outcome[k] = "duplicate"
                    continue
                seen.add(key)
                failed = _first_failed(rs, values, {}, "values")
                if failed:
                    outcome[k] = failed
                    continue
                number = len(chunk)  # renumbered after selection
                vid = f"{sheet.id}-{ex_id}-c{k:05d}"
                chunk.append((k, vseed, values, vid, number))
            index += size
            texts = {k: _text(sheet, rs, fname, seed, k, vseed, values, vid, 0) for k, vseed, values, vid, _ in chunk}
            jobs_in = [(texts[k], f"{vid}.yaml", False, pool is None, None, None, True)
                       for k, vseed, values, vid, _ in chunk]
            passed = []  # solved candidates that meet the answer constraints: verified next, only they
            for (k, vseed, values, vid, _), result in zip(chunk, run(solve_variant, jobs_in)):
                if not result["ok"]:
                    outcome[k] = "verification failed"
                    failures.append(f"candidate {k} (variant seed {vseed}): {result['error']}")
                    continue
                flat = {n: v for task in result["answers"].values() for n, v in task.items()}
                failed = _first_failed(rs, values, flat, "answers")
                if not failed and not degenerate:
                    failed = degenerate_reason(rs, values, flat)
                if failed:
                    outcome[k] = failed
                    continue
                passed.append(((k, vseed, values, vid), (texts[k], f"{vid}.yaml", result["screened"])))
            for (k, vseed, values, vid), result in zip([p for p, _ in passed],
                                                        run(verify_candidate, [j for _, j in passed])):
                if not result["ok"]:
                    outcome[k] = "verification failed"
                    failures.append(f"candidate {k} (variant seed {vseed}): {result['error']}")
                    continue
                outcome[k] = "accepted"
                accepted.append((k, vseed, values))
                solved[k] = result.get("results") if keep else None
                if progress and len(accepted) <= count:
                    progress(1)
        accepted.sort(key=lambda a: a[0])
        if len(accepted) < count:
            why = Counter(v for v in outcome.values() if v != "accepted")
            detail = ", ".join(f"{k}: {n}" for k, n in why.most_common()) or "no candidate"
            extra = ("\n" + "\n".join(failures[:5])) if failures else ""
            raise VariantError(f"{fname}: {ex_id}: only {len(accepted)} of {count} variant(s) after {index} "
                               f"candidate(s) (rejected: {detail}); the constraints may be unsatisfiable or the "
                               f"generators too narrow for {count} distinct variants (raise tries: or widen "
                               f"the ranges){extra}")
        chosen = accepted[:count]
        last = chosen[-1][0]
        rejected = Counter(v for k, v in outcome.items() if k <= last and v != "accepted")
        final_jobs = []
        for n, (k, vseed, values) in enumerate(chosen, 1):
            vid = f"{sheet.id}-{ex_id}-v{n:03d}"
            final_jobs.append((_text(sheet, rs, fname, seed, k, vseed, values, vid, n), f"{vid}.yaml", render, False,
                               solved.get(k), vseed if lms else None))
        results = list(run(solve_variant, final_jobs))
    finally:
        if pool is not None:
            pool.shutdown()
    variants = []
    for n, ((k, vseed, values), (text, name, *_), res) in enumerate(zip(chosen, final_jobs, results), 1):
        if not res["ok"]:
            raise VariantError(f"variant {n} (variant seed {vseed}) failed on its final build: {res['error']}")
        variants.append(Variant(n, k, vseed, name[:-5], values, text, res["answers"], res["document"], res["sources"],
                                res.get("extras", {})))
    kept = [f for f in failures if int(f.split()[1]) <= last]
    return Batch(fname, ex_id, seed, count, variants, last + 1, rejected, kept)


def _text(sheet, rs, fname, seed, k, vseed, values, vid, number) -> str:
    header = [f"symxai variant {number} of {fname}, exercise {rs.exercise['id']}",
              f"batch seed {seed}, candidate {k}, variant seed {vseed}",
              "parameters and answers both follow from the variant seed; solve and check work on this file"]
    note = f"variant {number}, batch seed {seed}, variant seed {vseed}" if number else ""
    return variant_text(sheet, rs, values, vid=vid, header=header, note=note)


def _first_failed(rs: RandomSpec, values: dict, answers: dict, phase: str) -> str | None:
    for c in rs.constraints:
        if c.phase != phase:
            continue
        try:
            ok = c.holds(values, answers, rs.symbols)
        except GeneratorError as exc:
            raise VariantError(f"exercise '{rs.exercise['id']}': {exc}") from None
        if not ok:
            return f"constraint {c.label}"
    return None


def write_batch(batch: Batch, out_dir, *, tex_only: bool = False, jobs: int = 1, moodle: str | None = None,
                progress=None, stack: str | None = None, qti: str | None = None, booklet: bool = False,
                variant_pdfs: bool | None = None, moodle_style: str = "cloze", tolerance: float = 1e-3,
                figure_format: str = "png", log=None) -> list[Path]:
    """Write each variant's spec, sheets and answers.json, the answer key (JSON, CSV) and the chosen exports.

    Everything but the LMS files is written into one staging folder and
    switched into place at once (``symxai.typeset.outputdir``): a failing rerun
    leaves the earlier batch as it was, never new .tex beside stale PDFs.
    ``moodle``/``stack``/``qti``: files for the Moodle XML quiz, the STACK
    questions and the QTI 2.1 package (the batch must come from
    ``generate(..., lms=True)``).  ``booklet``: one exercises and one solutions
    PDF holding every variant; per-variant PDFs are then written only when
    ``variant_pdfs`` is true (default: without a booklet).
    """
    from symxai.typeset.latex import write_atomic
    from symxai.typeset.outputdir import publish
    from symxai.typeset.texguard import safe_jobname
    from symxai.batch.variantio import key_csv, key_rows

    out = Path(out_dir)
    per_variant = (not booklet) if variant_pdfs is None else variant_pdfs
    with publish(out) as stage:
        root = stage.path
        staged, pdf_jobs = [], []
        for v in batch.variants:
            folder = root / v.id
            folder.mkdir(parents=True, exist_ok=True)
            staged.append(write_atomic(folder / f"{v.id}.yaml", v.spec))
            for kind, source in v.sources.items():
                staged.append(write_atomic(folder / f"{v.id}-{kind}.tex", source))
                if not tex_only and per_variant:
                    pdf_jobs.append((source, str(folder / f"{v.id}-{kind}.pdf"), safe_jobname(f"{v.id}-{kind}")))
            staged.append(write_atomic(folder / "answers.json", json.dumps(v.document, indent=2) + "\n"))
        key = answer_key(batch)
        staged.append(write_atomic(root / "answer-key.json", json.dumps(key, indent=2) + "\n"))
        staged.append(write_atomic(root / "answer-key.csv", key_csv(key_rows(key))))
        if booklet:
            from symxai.batch.booklet import KINDS, booklet_name, booklet_source
            for kind in KINDS:
                source, name = booklet_source(batch, kind), booklet_name(batch, kind)
                staged.append(write_atomic(root / f"{name}.tex", source))
                if not tex_only:
                    pdf_jobs.insert(0, (source, str(root / f"{name}.pdf"), safe_jobname(name)))
        if pdf_jobs:
            from symxai.typeset.latex import compile_many

            # pdflatex processes in parallel, bounded by the cores; symxai's own templates: precompiled preamble
            staged.extend(compile_many(pdf_jobs, precompiled=True, progress=progress))
        written = [stage.public(p) for p in staged]
    from symxai.lms.exports import write_exports
    written += write_exports(batch, moodle=moodle, stack=stack, qti=qti, moodle_style=moodle_style,
                             tolerance=tolerance, figure_format=figure_format, log=log)
    return written
