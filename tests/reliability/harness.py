"""Run the CLI in-process on one input and classify the outcome: ok, refused cleanly, traceback, hang.

"Refused cleanly" means exit 2 (or 3, a failed verification) with one ``error:`` line that names
the file and, for a problem inside it, line and column; a traceback is any exception that escapes
the command, or exit 70 (symxai's own catch-all for a bug).
"""

from __future__ import annotations

import re
import signal
from contextlib import contextmanager
from dataclasses import dataclass

from click.testing import CliRunner

LOCATED = re.compile(r"^error: (?P<file>.+?):(?P<line>\d+):(?P<col>\d+): \S")
HANG_SECONDS = 120  # a wall-clock guard only against a hang; no verdict depends on speed


@dataclass
class Outcome:
    kind: str  # "ok", "refused", "traceback", "hang", "unlocated"
    exit_code: int
    output: str

    @property
    def first_error(self) -> str:
        return next((line for line in self.output.splitlines() if line.startswith("error:")), "")


class _Hang(Exception):
    pass


@contextmanager
def _alarm(seconds: int):
    def ring(*_):
        raise _Hang()
    old = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def run(*args, need_location: bool = True) -> Outcome:
    """Invoke ``symxai ARGS`` and classify what happened."""
    from symxai.cli import main

    runner = CliRunner()
    try:
        with _alarm(HANG_SECONDS):
            r = runner.invoke(main, [str(a) for a in args], catch_exceptions=True)
    except _Hang:
        return Outcome("hang", -1, "")
    out = r.output or ""
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        return Outcome("traceback", r.exit_code, f"{type(r.exception).__name__}: {r.exception}")
    if r.exit_code == 70 or "Traceback" in out:
        return Outcome("traceback", r.exit_code, out)
    if r.exit_code == 0:
        return Outcome("ok", 0, out)
    first = next((line for line in out.splitlines() if line.startswith("error:")), "")
    if not first or (need_location and not LOCATED.match(first)):
        return Outcome("unlocated", r.exit_code, out)
    return Outcome("refused", r.exit_code, out)
