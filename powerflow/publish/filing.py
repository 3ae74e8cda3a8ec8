"""The 廉政风险防控表 as a bureau files it: one XLSX sheet, ready to print on A4 landscape.

Takes flows, the unit's name and the filing date; gives the rows of the form (`filing_rows`)
and writes the workbook (`write_filing_xlsx`): a title row naming the unit, a row with unit and
date, one header row (序号, 职权名称, 风险点, 表现形式, 风险等级, 防控措施, 责任岗位, 监督责任)
repeated on every printed page, then one row per risk with 序号 and 职权名称 merged over the
rows of one power, every control on its own line with its owner, row heights set from the
text, levels coloured. Every cell is text (never a formula, whatever it starts with).
Must not: load files or print.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import ActorKind, Flow

__all__ = ["FILING_HEADERS", "FilingRow", "filing_rows", "write_filing_xlsx"]

FILING_HEADERS = ("序号", "职权名称", "风险点", "表现形式", "风险等级", "防控措施", "责任岗位",
                  "监督责任")
FILING_HEADERS_EN = ("No.", "Power", "Risk point", "Manifestation", "Level", "Controls",
                     "Responsible post", "Supervision")
WIDTHS = (6, 20, 16, 34, 8, 40, 14, 16)
"""Column widths in characters of the default font (a CJK character counts 2)."""
LINE_PT = 15.0
_FILLS = {"high": ("C62828", "FFFFFF"), "medium": ("EF6C00", "000000"),
          "low": ("F9A825", "000000")}
_LEVEL = {"zh": {"high": "高", "medium": "中", "low": "低"},
          "en": {"high": "High", "medium": "Medium", "low": "Low"}}


@dataclass(frozen=True)
class FilingRow:
    power: int
    """Index of the power (1-based): rows of one power share 序号 and 职权名称."""
    name: str
    point: str
    manifestation: str
    level: str
    level_text: str
    controls: str
    responsible: str
    supervision: str


def _pick(zh: str, en: str | None, lang: str) -> str:
    return (en or zh) if lang == "en" else zh


def _supervisors(flow: Flow, at: str, lang: str) -> str:
    """Who supervises the risk's step: actors of the supervision steps pointing at it, else
    every supervisor actor of the flow."""
    names = [s.actor for s in flow.steps.values() if any(link.step == at for link in s.supervises)]
    if not names:
        used = {s.actor for s in flow.steps.values()}
        names = [a for a, actor in flow.actors.items()
                 if actor.kind == ActorKind.SUPERVISOR and a in used]
    seps = "; " if lang == "en" else "；"
    return seps.join(dict.fromkeys(_pick(flow.actors[a].name, flow.actors[a].name_en, lang)
                                   for a in names if a in flow.actors))


def filing_rows(flows: Iterable[Flow], lang: str = "zh") -> list[FilingRow]:
    """One row per risk of every flow, in order; powers without risks are left out."""
    rows: list[FilingRow] = []
    k = 0
    for flow in flows:
        if not flow.risks:
            continue
        k += 1
        name = _pick(flow.info.name, flow.info.name_en, lang)
        for rid, risk in flow.risks.items():
            step = flow.steps.get(risk.at)
            where = _pick(step.name, step.name_en, lang) if step else risk.at
            controls = "\n".join(
                f"{i}. {_pick(c.name, c.name_en, lang)}"
                f"（{_pick(flow.actors[c.owner].name, flow.actors[c.owner].name_en, lang)}）"
                if c.owner in flow.actors else f"{i}. {_pick(c.name, c.name_en, lang)}"
                for i, c in enumerate(risk.controls, 1))
            actor = flow.actors.get(risk.responsible)
            rows.append(FilingRow(
                k, name, f"{rid} {where}", risk.description, risk.level.value,
                _LEVEL["en" if lang == "en" else "zh"][risk.level.value], controls,
                _pick(actor.name, actor.name_en, lang) if actor else risk.responsible,
                _supervisors(flow, risk.at, lang)))
    return rows


def _lines(text: str, width: int) -> int:
    """Printed lines of `text` in a column `width` characters wide (CJK counts 2)."""
    total = 0
    for para in text.split("\n"):
        cols = sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in para)
        total += max(1, math.ceil(cols / max(1, width - 1)))
    return total


def _values(r: FilingRow) -> list[str]:
    return [str(r.power), r.name, r.point, r.manifestation, r.level_text, r.controls,
            r.responsible, r.supervision]


def write_filing_xlsx(rows: Sequence[FilingRow], path: Path, unit: str, date: str,
                      lang: str = "zh") -> None:
    """Write the form (see the module docstring) to `path`."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins

    en = lang == "en"
    headers = FILING_HEADERS_EN if en else FILING_HEADERS
    n = len(headers)
    wb = Workbook()
    ws = wb.active
    ws.title = "Integrity risks" if en else "廉政风险防控表"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    last = get_column_letter(n)
    title = f"{unit} integrity risk control table" if en else f"{unit}廉政风险防控表"
    stamp = f"Unit: {unit}    Date: {date}" if en else f"填报单位：{unit}　　填报日期：{date}"
    for r, (text, size, align) in enumerate(((title, 16, "center"), (stamp, 11, "left")), 1):
        ws.merge_cells(f"A{r}:{last}{r}")
        cell = ws.cell(r, 1, text)
        cell.data_type = "s"
        cell.font = Font(bold=r == 1, size=size)
        cell.alignment = Alignment(horizontal=align, vertical="center")
        ws.row_dimensions[r].height = 30 if r == 1 else 20
    for c, h in enumerate(headers, 1):
        cell = ws.cell(3, c, h)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E2F3")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    ws.row_dimensions[3].height = 22
    _body(ws, rows, border)
    for i, width in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.print_options.horizontalCentered = True
    wb.save(path)


def _body(ws: Any, rows: Sequence[FilingRow], border: Any) -> None:
    """The risk rows from row 4: text cells, levels coloured, 序号 and 职权名称 merged per
    power, each row as tall as its longest cell."""
    from openpyxl.styles import Alignment, Font, PatternFill

    start = 4
    for i, r in enumerate(rows):
        row = start + i
        values = _values(r)
        for c, value in enumerate(values, 1):
            cell = ws.cell(row, c, value)
            cell.data_type = "s"  # never a formula, whatever the text starts with
            cell.border = border
            centre = c in (1, 2, 5)
            cell.alignment = Alignment(horizontal="center" if centre else "left",
                                       vertical="center" if centre else "top", wrap_text=True)
        bg, fg = _FILLS.get(r.level, ("FFFFFF", "000000"))
        level = ws.cell(row, 5)
        level.fill = PatternFill("solid", fgColor=bg)
        level.font = Font(bold=True, color=fg)
        lines = max(_lines(v, w) for v, w in zip(values, WIDTHS, strict=True))
        ws.row_dimensions[row].height = max(20.0, lines * LINE_PT + 4)
    first = start
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i].power != rows[first - start].power:
            end = start + i - 1
            if end > first:
                for col in ("A", "B"):
                    ws.merge_cells(f"{col}{first}:{col}{end}")
            first = end + 1
