"""Diagnostics: every problem powerflow reports, as plain data.

Takes nothing; gives the `Diagnostic` record, its `Location`, the bilingual `Text` used for
messages and hints, and `Severity`. Renderers (text, JSON, SARIF) live in `powerflow.report`;
this module must not print, read files or know about any output format.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["Diagnostic", "Location", "Severity", "Text", "sort_key"]


class Severity(enum.Enum):
    """How serious a finding is. Errors fail validation; warnings and notes are findings."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Text:
    """A message in English and Chinese; renderers pick one by language."""

    en: str
    zh: str

    def get(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: a file and a 1-based line and column (0 when unknown)."""

    file: str
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column or 1}"
        return self.file


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: a permanent code, its severity, where, what and what to do.

    `suppressed` holds the written reason when an inline suppression in the file covers it;
    such diagnostics are reported as suppressed and do not change the exit code.
    """

    code: str
    severity: Severity
    location: Location
    message: Text
    hint: Text | None = None
    name: str = ""
    related: tuple[Location, ...] = ()
    suppressed: str | None = None
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def with_suppression(self, reason: str) -> Diagnostic:
        return replace(self, suppressed=reason)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR and self.suppressed is None


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    """Order diagnostics by file, line, column, then code."""
    loc = d.location
    return (loc.file, loc.line, loc.column, d.code)
