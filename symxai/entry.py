"""The ``symxai`` command's entry point: a plain ``symxai check`` without click, anything else by click.

A cold ``symxai check`` is measured against a bare ``import sympy`` (docs/benchmarks.md); importing
click and the command tree (``symxai.cli``) is about 30-40 ms of it.  This module reads the one form
students type, ``symxai check FILE TARGET NAME=EXPR ...`` with ``--json``, ``--no-cache`` and
``--assume TEXT`` (also ``--assume=TEXT``) anywhere and ``--`` ending the options, exactly as click
reads it, and runs it with the same messages and exit statuses as ``symxai.cli``'s ``check``.  Anything
else (another command, ``--help``, an unknown option, a missing argument, shell completion, a stream
that is not UTF-8) goes to click, which reports it as always.

>>> check_arguments(["check", "f.yaml", "shapley", "phi_1=2/3", "--assume", "x1 > 0", "--json"])
('f.yaml', 'shapley', ['phi_1=2/3'], ['x1 > 0'], True, False)
>>> check_arguments(["check", "--", "f.yaml", "t", "--json"])
('f.yaml', 't', ['--json'], [], False, False)
>>> [check_arguments(a) for a in (["check", "f.yaml"], ["check", "f.yaml", "t", "-h"], ["solve", "f"])]
[None, None, None]
"""

from __future__ import annotations

import json
import os
import sys

EXIT_OUTPUT = 5  # a file could not be read or written (disk full, permissions)
EXIT_INTERNAL = 70  # a bug in symxai (EX_SOFTWARE); SYMXAI_DEBUG=1 shows the traceback
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT
FLAGS = {"--json": 4, "--no-cache": 5}  # position in check_arguments' result


def check_arguments(args: list[str]):
    """(file, target, answers, assume, as_json, no_cache) when ``args`` is a plain ``check`` that click
    would read the same way, else None (click reads it)."""
    if not args or args[0] != "check":
        return None
    out: list = [None, None, [], [], False, False]
    positional: list[str] = []
    rest = iter(args[1:])
    for arg in rest:
        if arg == "--":
            positional.extend(rest)
            break
        if arg in FLAGS:
            out[FLAGS[arg]] = True
        elif arg == "--assume":
            value = next(rest, None)
            if value is None:
                return None
            out[3].append(value)
        elif arg.startswith("--assume="):
            out[3].append(arg[len("--assume="):])
        elif arg.startswith("-") and arg != "-":
            return None  # --help, an unknown option: click's message
        else:
            positional.append(arg)
    if len(positional) < 2:
        return None
    out[0], out[1], out[2] = positional[0], positional[1], positional[2:]
    return tuple(out)


def answer_pairs(items) -> dict:
    """``NAME=EXPR`` arguments as {name: text}; UsageError for one without ``=`` or a name."""
    from symxai.errors import UsageError

    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"expected NAME=EXPR, got {item[:80]!r}")
        out[name.strip()] = value
    return out


def os_message(exc: OSError) -> str:
    where = f" '{exc.filename}'" if getattr(exc, "filename", None) else ""
    return f"cannot read or write{where}: {exc.strerror or exc}"


def report_lines(report, as_json: bool) -> list[str]:
    """What ``check`` prints of a report: JSON, or its verdict lines."""
    return [json.dumps(report.as_dict(), indent=2)] if as_json else report.lines()


def _echo(text: str, err: bool = False) -> None:
    """``click.echo``'s output for text: a line, ANSI styles removed unless the stream is a terminal."""
    stream = sys.stderr if err else sys.stdout
    if "\x1b" in text and not stream.isatty():
        import re
        text = re.sub(r"\033\[[;?0-9]*[a-zA-Z]", "", text)
    stream.write(text + "\n")
    stream.flush()


def run_check(file, target, answers, assume, as_json, no_cache) -> int:
    """The ``check`` command as ``symxai.cli`` runs it (its ``_Guarded`` and ``_run``): the exit status."""
    from symxai.errors import SymxaiError

    try:
        from symxai.grade.check import check

        report = check(file, target, answer_pairs(answers), assume, cache=False if no_cache else None)
        for line in report_lines(report, as_json):
            _echo(line)
        return report.exit_code
    except SymxaiError as exc:
        _echo(f"error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        _echo("error: interrupted; no partial output was written", err=True)
        return EXIT_INTERRUPTED
    except OSError as exc:
        _echo(f"error: {os_message(exc)}", err=True)
        return EXIT_OUTPUT
    except RecursionError:
        _echo("error: the input nests too deeply to be handled", err=True)
        return 2
    except MemoryError:
        _echo("error: out of memory; the spec or answer is too large (see docs/spec.md#limits)", err=True)
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug: one line, as symxai.cli says it
        if os.environ.get("SYMXAI_DEBUG"):
            raise
        text = " ".join(str(exc).split())[:200]
        _echo(f"error: internal error ({type(exc).__name__}: {text}); this is a bug in symxai, "
              "please report it (SYMXAI_DEBUG=1 shows the traceback)", err=True)
        return EXIT_INTERNAL


def _utf8(stream) -> bool:
    return (getattr(stream, "encoding", "") or "").lower().replace("-", "").replace("_", "") == "utf8"


def main() -> None:
    args = check_arguments(sys.argv[1:])
    if args is not None and _utf8(sys.stdout) and _utf8(sys.stderr) and \
            not any(k.startswith("_SYMXAI") and k.endswith("_COMPLETE") for k in os.environ):
        sys.exit(run_check(*args))
    from symxai.cli import main as click_main

    click_main()
