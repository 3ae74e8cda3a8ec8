"""`export-xlsx`: power files → the power list as a spreadsheet, one row per power.

Takes loaded flows' `PowerInfo` records; gives an XLSX workbook (openpyxl: a title row, a
styled header row with the standard Chinese column names, frozen panes, column widths) or a CSV
(UTF-8 with BOM, so Excel opens it). The columns are the ones `import-xlsx` reads, so an export
imports back to the same metadata.

Every cell is data (`powerflow.cells`): text starting with `=`, `+`, `-`, `@` is a string
cell in XLSX and gets a leading apostrophe in CSV, which `import-xlsx` removes again.
Must not: load or validate files itself (the caller gives records), or lose a field the format
holds, or write a cell a spreadsheet would evaluate.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import model as m
from ..cells import csv_row, set_text
from ..loader import LoadedFlow
from .headers import DEFAULT_COLUMNS, FIELDS
from .normalise import format_basis, format_basis_notes, format_limit

__all__ = ["HEADERS", "export_record", "export_rows", "power_row", "write_csv", "write_xlsx"]

HEADERS = [DEFAULT_COLUMNS[f][0] for f in FIELDS]
_WIDTHS = {"name": 30, "legal_basis": 60, "conditions": 40, "fees": 20, "body": 20}


def power_row(info: m.PowerInfo) -> list[Any]:
    """One power's cells, in `FIELDS` order."""
    sup = info.supervision
    values: dict[str, Any] = {
        "code": info.code, "name": info.name, "name_en": info.name_en, "sub_item": info.sub_item,
        "category": info.category.zh, "body": info.body, "office": info.office,
        "leader": info.leader,
        "legal_basis": format_basis([(b.rank.value, b.instrument, b.article)
                                     for b in info.legal_basis]),
        "legal_basis_note": format_basis_notes([(b.instrument, b.note) for b in info.legal_basis]),
        "statutory": format_limit(info.limits.statutory),
        "promised": format_limit(info.limits.promised), "limit_note": info.limits.note,
        "hotline": sup.hotline, "email": sup.email, "address": sup.address,
        "window_phone": sup.window_phone, "fees": info.fees, "target": info.target,
        "conditions": info.conditions,
        "requires_publicity": None if info.requires_publicity is None else (
            "是" if info.requires_publicity else "否"),
        "version": info.version,
    }
    for mark in info.unpublished:  # the source gives none: say so rather than leave it blank
        if values.get(mark.value) is None:
            values[mark.value] = "未公布"
    return [values[f] for f in FIELDS]


def export_rows(infos: Sequence[m.PowerInfo]) -> list[list[Any]]:
    return [power_row(i) for i in sorted(infos, key=lambda i: i.code)]


def write_xlsx(infos: Sequence[m.PowerInfo], path: str | Path, title: str = "权力清单") -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "权力清单"
    set_text(ws.cell(1, 1), title)
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for col, h in enumerate(HEADERS, 1):
        c = ws.cell(2, col)
        set_text(c, h)
        c.font, c.fill = Font(bold=True), fill
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(FIELDS[col - 1], 14)
    for r, row in enumerate(export_rows(infos), 3):
        for col, v in enumerate(row, 1):
            if v is not None:
                cell = ws.cell(r, col)
                set_text(cell, v)
                cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "C3"
    wb.save(path)


def write_csv(infos: Sequence[m.PowerInfo], path: str | Path) -> None:
    with Path(path).open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        for row in export_rows(infos):
            w.writerow(csv_row(row))


def export_record(loaded: LoadedFlow) -> tuple[m.PowerInfo, str | None] | None:
    """Pipeline stage: a loaded file's power row and department name (None if it did not load).
    The row's supervision channels are the power's own, else the catalogue department's, as the
    published list shows them."""
    if loaded.flow is None:
        return None
    dept = loaded.flow.department
    info = loaded.flow.info.model_copy(update={"supervision": loaded.flow.supervision})
    return info, dept.name if dept else None
