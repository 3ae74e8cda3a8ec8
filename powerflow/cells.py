"""Spreadsheet cells that stay data: one rule for every CSV and XLSX writer.

Takes values on their way into a CSV or XLSX file; gives values a spreadsheet cannot evaluate.
Text beginning with a formula trigger (`=`, `+`, `-`, `@`, tab, CR, or the full-width `＝`
`＋` `－` `＠` that some spreadsheets also accept) gets a leading apostrophe in CSV (the
convention Excel, WPS and LibreOffice show as plain text), and is stored as a string cell in
XLSX (never a formula, whatever it starts with); numbers, dates and booleans are kept as they
are. `undefuse` is the inverse the spreadsheet importer applies, so an export reads back equal.

Must not: change text that a spreadsheet would not evaluate, or write files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["FORMULA_START", "csv_row", "csv_rows", "defuse", "set_text", "undefuse"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def defuse(value: Any) -> Any:
    """A CSV value: text a spreadsheet would evaluate gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def undefuse(value: Any) -> Any:
    """The inverse of `defuse` for a value read back from a CSV."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A whole CSV row defused (None becomes an empty cell)."""
    return ["" if v is None else defuse(v) for v in values]


def csv_rows(rows: Iterable[Sequence[Any]]) -> Iterable[list[Any]]:
    return (csv_row(r) for r in rows)


def set_text(cell: Any, value: Any) -> None:
    """Put `value` into an openpyxl cell; text is always a string cell, never a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
