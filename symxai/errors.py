"""Every exception symxai raises on purpose, and when it is raised.

The command line turns each of these into one clear message and an exit
status; nothing else is caught there, so a bug still shows its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class SymxaiError(Exception):
    """Base class: an error a user can act on (exit status 2 on the CLI)."""

    exit_code = 2


@dataclass(frozen=True)
class Location:
    """Where in a file something is: 1-based line and column."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file


@dataclass(frozen=True)
class Problem:
    """One problem found in a spec: where, what, and the offending line."""

    location: Location
    message: str
    source_line: str = ""

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        if self.source_line:
            text += f"\n    {self.source_line.rstrip()}"
            if self.location.column:
                text += "\n    " + " " * (self.location.column - 1) + "^"
        return text


class SpecError(SymxaiError):
    """Raised when a spec file is invalid; carries every problem found at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ExpressionError(SymxaiError):
    """Raised by the expression parser for text it refuses (syntax, unknown
    names, forbidden constructs, size limits).  ``position`` is a 0-based
    offset into ``text``."""

    def __init__(self, message: str, text: str = "", position: int | None = None):
        self.message = message
        self.text = text
        self.position = position
        super().__init__(self._render())

    def _render(self) -> str:
        if self.position is None or not self.text or len(self.text) > 200:
            return self.message
        return f"{self.message}\n    {self.text}\n    {' ' * self.position}^"


class UsageError(SymxaiError):
    """Raised for a command used wrongly: unknown exercise, part or answer name."""


class MethodError(SymxaiError):
    """Raised when a method's preconditions fail (e.g. Sigma not positive definite)."""


class VerificationError(SymxaiError):
    """Raised when the symbolic answer and the numeric reference disagree.

    This is a failed build, not a user mistake: exit status 3.
    """

    exit_code = 3


class LatexError(SymxaiError):
    """Raised when pdflatex fails; the message holds the TeX error lines."""

    exit_code = 4


class LayoutError(LatexError):
    """Raised under ``--strict-layout`` (or ``SYMXAI_STRICT_LAYOUT=1``) when a compiled
    sheet has an overfull box: a line past the margin or a page too high.  The message
    names the sheet, the exercise and by how much (``symxai.typeset.texlog``)."""
