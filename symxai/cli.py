"""The command line: a thin click layer over ``symxai.solve.pipeline`` and ``symxai.grade.check``.

Exit status: 0 success; 1 ``check`` found a wrong answer; 2 the input could
not be understood (spec, expression, names); 3 verification failed; 4 LaTeX
failed.  Heavy modules are imported inside the commands so that ``--help``
and simple checks start fast.
"""

from __future__ import annotations

import json
import os
import sys

import click

from symxai.entry import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OUTPUT, answer_pairs as _pairs, report_lines
from symxai.entry import os_message as _os_message
from symxai.errors import SymxaiError


def _fail(exc: SymxaiError):
    click.echo(f"error: {exc}", err=True)
    sys.exit(exc.exit_code)


def _run(fn):
    try:
        return fn()
    except SymxaiError as exc:
        _fail(exc)


class _Guarded(click.Group):
    """A group whose commands never end in a traceback.

    Ctrl-C is one line and exit 130 (click's own handler would exit 1, which
    ``check`` uses for "wrong"); an OSError (disk full, permissions) is one
    line and exit 5; any other exception is a bug: one line naming it and
    exit 70, or the traceback with SYMXAI_DEBUG=1.
    """

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (SystemExit, click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("error: interrupted; no partial output was written", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except OSError as exc:
            click.echo(f"error: {_os_message(exc)}", err=True)
            sys.exit(EXIT_OUTPUT)
        except RecursionError:
            click.echo("error: the input nests too deeply to be handled", err=True)
            sys.exit(2)
        except MemoryError:
            click.echo("error: out of memory; the spec or answer is too large (see docs/spec.md#limits)", err=True)
            sys.exit(2)
        except Exception as exc:
            if os.environ.get("SYMXAI_DEBUG"):
                raise
            text = " ".join(str(exc).split())[:200]
            click.echo(f"error: internal error ({type(exc).__name__}: {text}); this is a bug in symxai, "
                       "please report it (SYMXAI_DEBUG=1 shows the traceback)", err=True)
            sys.exit(EXIT_INTERNAL)


def _progress(text: str) -> None:
    """Progress of long work on stderr, only for a person watching a terminal."""
    if sys.stderr.isatty() or os.environ.get("SYMXAI_PROGRESS"):
        click.echo(text, err=True)


def _output_folder(path) -> None:
    """UsageError when ``-o`` names something that exists and is not a folder."""
    from pathlib import Path

    from symxai.errors import UsageError

    p = Path(path)
    if p.exists() and not p.is_dir():
        raise UsageError(f"-o {path}: this is a file, not a folder; name a folder for the output")


@click.group(cls=_Guarded)
@click.version_option(package_name="symxai")
def main():
    """Symbolic, verified worked solutions for explainable-AI exercises."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
def validate(files):
    """Check spec FILES (or folders) for every problem at once.

    Runs every check solve, build and variants make before their work (YAML,
    schema, symbols, each method's parameters, sizes, random blocks); exit 2
    when a problem is found or a folder holds no spec.
    """
    from symxai.errors import SpecError
    from symxai.specs.validation import validate_paths

    report = _run(lambda: validate_paths(files))
    for line in report.ok:
        click.echo(line)
    if report.problems:
        _fail(SpecError(report.problems))


@main.command()
@click.argument("file", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option("--seed", default=0, show_default=True, help="Seed of the verification points.")
def solve(file, as_json, seed):
    """Solve and verify every exercise of FILE; print every answer."""
    from symxai.solve.pipeline import answers_document, require_verified, solve_file

    def work():
        sheet, results = solve_file(file, seed=seed, progress=_progress)
        doc = answers_document(sheet, results, seed)
        if as_json:
            click.echo(json.dumps(doc, indent=2))
        else:
            for key, entry in doc["tasks"].items():
                ok = all(c["passed"] for c in entry["verification"])
                click.echo(f"{key}  [{entry['method']}]  {'verified' if ok else 'VERIFICATION FAILED'}")
                for name, rec in entry["answers"].items():
                    click.echo(f"  {name} = {rec['text']}")
        require_verified(sheet, results)

    _run(work)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", default="output", show_default=True, type=click.Path(), help="Output folder.")
@click.option("--tex-only", is_flag=True, help="Write .tex and answers.json but do not run LaTeX.")
@click.option("--templates", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="Folder of templates that override the packaged ones (repeatable).")
@click.option("--seed", default=0, show_default=True, help="Seed of the verification points.")
@click.option("--strict-layout/--no-strict-layout", default=None,
              help="Fail when a PDF has an overfull box over 1 pt (default: warn; "
                   "SYMXAI_STRICT_LAYOUT=1 makes strict the default).")
def build(paths, output, tex_only, templates, seed, strict_layout):
    """Build exercise and solution sheets for spec files or folders."""
    from pathlib import Path

    from symxai.solve.pipeline import build as run_build

    _run(lambda: _output_folder(output))
    written = _run(lambda: run_build(paths, output, tex_only=tex_only, seed=seed,
                                     templates=[Path(t) for t in templates], log=click.echo,
                                     strict_layout=strict_layout))
    click.echo(f"{len(written)} file(s) written")


@main.command()
@click.argument("file", type=click.Path())
@click.argument("target")
@click.argument("answers", nargs=-1)
@click.option("--assume", multiple=True, help='A case to check in, e.g. "x1 > x2" or "a1 = a2" (repeatable).')
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--no-cache", is_flag=True, help="Solve the exercise afresh: do not read or write the check cache "
              "(also SYMXAI_NO_CHECK_CACHE=1).")
def check(file, target, answers, assume, as_json, no_cache):
    """Check answers NAME=EXPR for TARGET (EXERCISE or EXERCISE.PART) of FILE.

    Exit status 0 when every answer is right, 1 when one is wrong or cannot
    be decided, 2 when the input cannot be understood.
    """  # the plain form runs without click: symxai.entry (keep the two alike)
    from symxai.grade.check import check as run_check

    report = _run(lambda: run_check(file, target, _pairs(answers), assume, cache=False if no_cache else None))
    _report(report, as_json)


def _report(report, as_json: bool):
    """Print a check report as text or JSON and exit with its status."""
    for line in report_lines(report, as_json):
        click.echo(line)
    sys.exit(report.exit_code)


@main.command("check-sheet")
@click.argument("file", type=click.Path())
@click.argument("answers", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check_sheet(file, answers, as_json):
    """Check a whole sheet: ANSWERS is YAML, EXERCISE(.PART) -> {NAME: ANSWER}.

    Points come from the spec.  Exit status 0 when every answer of the sheet
    is given and right, 1 when one is wrong, undecided or missing, 2 when a
    file or an answer cannot be understood.
    """
    from symxai.grade.sheetcheck import check_sheet as run_check_sheet

    report = _run(lambda: run_check_sheet(file, answers))
    _report(report, as_json)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", type=click.IntRange(1), help="Worker processes for checks (default: cores, at most 4).")
@click.option("--queue", default=32, show_default=True, type=click.IntRange(0),
              help="Checks that may wait for a worker; one more is answered 429 busy, retry.")
@click.option("--solutions", type=click.Choice(["never", "after-correct", "always"]), default="never",
              show_default=True, help="When a task's worked solution is shown.")
@click.option("--log-answers", is_flag=True, help="Write the answers' text to the access log too.")
def serve(paths, host, port, workers, queue, solutions, log_answers):
    """Serve the sheets of PATHS (default problems/) as a web page that checks answers."""
    from symxai.web.server import serve as run_serve

    _run(lambda: run_serve(paths or ("problems",), host=host, port=port, workers=workers, queue=queue,
                           solutions=solutions, log_answers=log_answers, log=lambda m: click.echo(m, err=True)))


@main.command()
def methods():
    """List the available methods."""
    from symxai import methods as registry

    for name in registry.names():
        click.echo(name)


@main.command()
@click.argument("method")
@click.option("-o", "--output", type=click.Path(), help="Write the spec to this file (not overwritten) instead of stdout.")
def new(method, output):
    """Write a commented starter spec for METHOD (see symxai methods) that validates and builds."""
    from pathlib import Path

    from symxai.errors import UsageError
    from symxai.starter import starter_text

    def work():
        text = starter_text(method)
        if not output:
            click.echo(text, nl=False)
            return
        if Path(output).exists():
            raise UsageError(f"-o {output}: the file exists; name a new file")
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}; check it with: symxai validate {output}", err=True)

    _run(work)


@main.command()
@click.option("-o", "--output", type=click.Path(), help="Write to this file instead of stdout.")
def schema(output):
    """Print the JSON Schema of spec files (for editors)."""
    from symxai.specs.schema_json import spec_schema

    text = json.dumps(spec_schema(), indent=2) + "\n"
    if output:
        from pathlib import Path
        Path(output).write_text(text)
    else:
        click.echo(text, nl=False)


def _bar(length: int, label: str):
    return click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True)


@main.command()
@click.argument("file", type=click.Path())
@click.argument("exercise", required=False)
@click.option("--count", "-n", default=10, show_default=True, type=click.IntRange(1), help="Number of variants.")
@click.option("--seed", default=0, show_default=True, help="Batch seed; the same seed gives the same files.")
@click.option("-o", "--output", default="variants", show_default=True, type=click.Path(), help="Output folder.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1), help="Parallel worker processes.")
@click.option("--tex-only", is_flag=True, help="Write .tex but do not run LaTeX.")
@click.option("--moodle", type=click.Path(), help="Also write a Moodle XML quiz to this file.")
@click.option("--moodle-style", type=click.Choice(["cloze", "numerical"]), default="cloze", show_default=True,
              help="One cloze question per variant, or one numerical question per answer.")
@click.option("--stack", type=click.Path(), help="Also write STACK questions (Moodle XML, qtype stack) to this file.")
@click.option("--qti", type=click.Path(), help="Also write an IMS QTI 2.1 content package (zip) to this file.")
@click.option("--booklet", is_flag=True, help="Write one exercises PDF and one solutions PDF holding every variant.")
@click.option("--variant-pdfs/--no-variant-pdfs", default=None,
              help="Per-variant PDFs (default: yes without --booklet, no with it).")
@click.option("--figures", "figure_format", type=click.Choice(["png", "svg"]), default="png", show_default=True,
              help="Image format of network figures in the LMS files.")
@click.option("--tolerance", default=1e-3, show_default=True, help="Absolute tolerance of Moodle's numerical answers.")
@click.option("--keep-degenerate", is_flag=True, help="Keep dead networks, all-zero answers and poles in the domain.")
@click.option("--max-tries", type=click.IntRange(1), help="Candidates to try before giving up.")
def variants(file, exercise, count, seed, output, jobs, tex_only, moodle, moodle_style, stack, qti, booklet,
             variant_pdfs, figure_format, tolerance, keep_degenerate, max_tries):
    """Write COUNT distinct verified variants of EXERCISE of FILE (its random: block)."""
    from symxai.batch.variants import generate, write_batch

    def work():
        _output_folder(output)
        with _bar(count, "variants") as bar:
            batch = generate(file, exercise, count=count, seed=seed, jobs=jobs, max_tries=max_tries,
                             progress=bar.update, lms=bool(moodle or stack or qti), degenerate=keep_degenerate)
        written = write_batch(batch, output, tex_only=tex_only, jobs=jobs, moodle=moodle, stack=stack, qti=qti,
                              booklet=booklet, variant_pdfs=variant_pdfs, moodle_style=moodle_style,
                              tolerance=tolerance, figure_format=figure_format,
                              log=lambda line: click.echo(line, err=True))
        click.echo(batch.summary(), err=True)
        click.echo(f"{len(written)} file(s) written to {output}")

    _run(work)


@main.command()
@click.argument("file", type=click.Path())
@click.argument("exercise", required=False)
@click.option("--seeds", default=20, show_default=True, type=click.IntRange(1), help="Seeds 0..N-1 to run.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1), help="Parallel worker processes.")
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
def stress(file, exercise, seeds, jobs, as_json):
    """Solve and verify EXERCISE of FILE once per seed: failures, timing, spread of answers.

    Exit status 3 when a seed fails.
    """
    from symxai.batch.stress import stress as run_stress

    def work():
        with _bar(seeds, "seeds") as bar:
            report = run_stress(file, exercise, seeds=seeds, jobs=jobs, progress=bar.update)
        if as_json:
            click.echo(json.dumps({"file": report.file, "exercise": report.exercise, "spread": report.spread(),
                                   "runs": [{"seed": r.seed, "variant_seed": r.variant_seed, "status": r.status,
                                             "seconds": r.seconds, "error": r.error,
                                             "answers": {k: str(v) for k, v in r.answers.items()}}
                                            for r in report.runs]}, indent=2))
        else:
            click.echo(report.text())
        return report

    report = _run(work)
    sys.exit(3 if report.failures else 0)
