"""The risk-control table (廉政风险防控表) of a power list, as XLSX or CSV.

Takes loaded flows; gives one row per risk (职权编码, 职权名称, 编号, 等级, 环节, 风险点,
防控措施, 责任人/岗位) written with openpyxl (styled header, column widths, frozen header,
wrapped text) or as CSV in UTF-8 with a BOM so Excel reads the Chinese correctly.
Text that a spreadsheet would take for a formula (`=`, `+`, `-`, `@` …) is kept as text
(`powerflow.cells`).
Must not: load files (the caller does) or print.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..cells import csv_row, set_text
from ..model import Flow
from ..render.extract import risk_rows

__all__ = ["HEADERS", "HEADERS_EN", "table_rows", "write_csv", "write_table", "write_xlsx"]

HEADERS = ("职权编码", "职权名称", "编号", "等级", "环节", "风险点", "防控措施", "责任人/岗位")
HEADERS_EN = ("Power code", "Power", "No.", "Level", "Step", "Risk", "Controls", "Responsible")
WIDTHS = (16, 28, 8, 8, 18, 50, 50, 18)


def table_rows(flows: Iterable[Flow], lang: str = "zh") -> list[tuple[str, ...]]:
    """One row per risk of every flow, in file and risk order."""
    rows: list[tuple[str, ...]] = []
    for flow in flows:
        name = (flow.info.name_en or flow.info.name) if lang == "en" else flow.info.name
        for r in risk_rows(flow, lang):
            rows.append((flow.code, name, r.risk_id, r.level_text, r.step, r.risk, r.controls,
                         r.responsible))
    return rows


def write_csv(rows: Sequence[Sequence[str]], path: Path, headers: Sequence[str] = HEADERS) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(csv_row(row))


def write_xlsx(rows: Sequence[Sequence[str]], path: Path, headers: Sequence[str] = HEADERS,
               title: str = "廉政风险防控表") -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    thin = Side(style="thin", color="90A4AE")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    fills = {"高": "C62828", "H": "C62828", "中": "EF6C00", "M": "EF6C00", "低": "F9A825",
             "L": "F9A825"}
    for row in rows:
        ws.append(list(row))
        r = ws.max_row
        for col, value in enumerate(row, 1):
            cell = ws.cell(r, col)
            set_text(cell, value)  # never a formula, whatever the text starts with
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = border
        level = ws.cell(r, 4)
        colour = fills.get(str(level.value))
        if colour:
            level.fill = PatternFill("solid", fgColor=colour)
            level.font = Font(bold=True, color="FFFFFF" if colour == "C62828" else "000000")
            level.alignment = Alignment(horizontal="center", vertical="top")
    for i, width in enumerate(WIDTHS[: len(headers)], 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    wb.save(path)


def write_table(flows: Iterable[Flow], path: Path, lang: str = "zh", form: str = "bureau",
                unit: str = "", date: str = "") -> int:
    """Write the table to `path` (.xlsx or .csv by suffix); return the number of risks. An
    XLSX is the bureau's filing form (`filing`) unless `form` is ``flat``."""
    flows = list(flows)
    if path.suffix.lower() == ".xlsx" and form != "flat":
        from .filing import filing_rows, write_filing_xlsx

        frows = filing_rows(flows, lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_filing_xlsx(frows, path, unit, date, lang)
        return len(frows)
    rows = table_rows(flows, lang)
    headers = HEADERS_EN if lang == "en" else HEADERS
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        write_xlsx(rows, path, headers)
    elif suffix == ".csv":
        write_csv(rows, path, headers)
    else:
        raise ValueError(f"unknown table format {suffix!r}: use .xlsx or .csv")
    return len(rows)
