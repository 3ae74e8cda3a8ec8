"""Power-list rows → `PowerInfo` records, with a diagnostic for every cell that cannot be read.

Takes a `Grid` and its `Header`; gives one `RowPower` (1-based row number and the `PowerInfo`)
per readable data row and `Diagnostic`s (PF6xx) naming the row and the column (letter and header
text) of each problem. Blank rows are skipped silently; rows without a code, a name or a known
category are skipped with an error; unreadable limits or legal-basis ranks are warnings and the
row is still imported.

Must not: write files or choose step skeletons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from .. import model as m
from ..diagnostics import Diagnostic, Location, Severity, Text
from .headers import Header, HeaderMapping
from .normalise import (
    NOT_PUBLISHED,
    SAME_AS_ABOVE,
    clean_code,
    clean_text,
    parse_basis,
    parse_basis_notes,
    parse_bool,
    parse_limit,
)
from .sheet import Grid

__all__ = ["RowPower", "read_rows"]

_TEXT_FIELDS = ("name", "name_en", "sub_item", "body", "office", "leader", "fees", "target",
                "conditions", "version")
_SUPERVISION = ("hotline", "email", "address", "window_phone")
_CODE = re.compile(r"^[A-Za-z0-9_\-\.]+$")


@dataclass(frozen=True)
class RowPower:
    row: int
    info: m.PowerInfo


class _Row:
    def __init__(self, file: str, grid: Grid, header: Header, row: int) -> None:
        self.file, self.grid, self.header, self.row = file, grid, header, row
        self.diags: list[Diagnostic] = []

    def value(self, fld: str) -> Any:
        col = self.header.columns.get(fld)
        if not col:
            return None
        v = self.grid.cell(self.row, col)
        if not (isinstance(v, str) and v.strip() in SAME_AS_ABOVE):
            return v
        return self._above(fld, col)

    def _above(self, fld: str, col: int) -> Any:
        """The value a 同上 cell repeats: the nearest non-blank row above whose cell is not 同上
        itself; reported either way."""
        for row in range(self.row - 1, self.header.last_row, -1):
            v = self.grid.cell(row, col)
            if clean_text(v) is None and all(clean_text(x) is None for x in self.grid.rows[row - 1]):
                continue  # a blank row
            if isinstance(v, str) and v.strip() in SAME_AS_ABOVE:
                continue
            self.problem("PF631", "same-as-above", fld, f"同上: repeats row {row}",
                         f"“同上”：沿用第 {row} 行的内容",
                         Text("Check that the row above is the one meant.",
                              "请核对所沿用的上一行是否正确。"), Severity.INFO)
            return v
        self.problem("PF631", "same-as-above", fld, "同上 with no row above to repeat: left empty",
                     "“同上”但上方没有可沿用的行：留空",
                     Text("Write the value itself.", "请直接填写内容。"), Severity.WARNING)
        return None

    def where(self, fld: str) -> tuple[Location, str, str]:
        col = self.header.columns.get(fld, 0)
        title = self.header.titles.get(col, fld)
        letter = get_column_letter(col) if col else "?"
        return (Location(self.file, self.row, col),
                f"row {self.row}, column {letter} ({title})", f"第 {self.row} 行 {letter} 列（{title}）")

    def problem(self, code: str, name: str, fld: str, en: str, zh: str, hint: Text,
                severity: Severity = Severity.ERROR) -> None:
        loc, w_en, w_zh = self.where(fld)
        self.diags.append(Diagnostic(code, severity, loc, Text(f"{w_en}: {en}", f"{w_zh}：{zh}"),
                                     hint, name))


def _category(raw: str, mapping: HeaderMapping) -> m.Category | None:
    key = re.sub(r"\s+", "", raw)
    key = mapping.categories.get(key, key)
    try:
        return m.Category(key)
    except ValueError:
        pass
    for zh, value in m.Category.aliases().items():  # 行政许可类 / 许可 / 行政许可（审批）
        if zh in key or (len(key) >= 2 and key in zh and key != "行政"):
            return m.Category(value)
    return None


def _limit(r: _Row, fld: str) -> tuple[int | str | None, str | None]:
    if clean_text(r.value(fld)) in NOT_PUBLISHED:
        return None, None
    parsed = parse_limit(r.value(fld))
    if parsed.problem:
        r.problem("PF605", "unreadable-limit", fld, parsed.problem, parsed.problem_zh or "",
                  Text("Write the limit as 20个工作日, 即办 or 当天; the limit was left empty.",
                       "请写作 20个工作日、即办 或 当天；该时限已留空。"), Severity.WARNING)
    if parsed.calendar is None:
        return parsed.value, parsed.note
    what = {"statutory": "法定时限", "promised": "承诺时限"}.get(fld, fld)
    kept = f"{what}{parsed.calendar}日（日历日）"
    r.problem("PF630", "calendar-day-limit", fld,
              f"{parsed.calendar}日 is {parsed.calendar} calendar days, not working days: kept "
              f"in limits.note as {kept!r}, the working-day limit left empty",
              f"{parsed.calendar}日为日历日而非工作日：已作为“{kept}”写入 limits.note，"
              "工作日时限留空",
              Text("If the limit is in working days (as under the Administrative Licensing Law, "
                   "art. 82), write 个工作日 in the list.",
                   "如该时限按工作日计算（如行政许可法第八十二条），请在清单中写作“个工作日”。"),
              Severity.WARNING)
    return None, "；".join(x for x in (kept, parsed.note) if x)


def _read_row(r: _Row, mapping: HeaderMapping) -> dict[str, Any] | None:
    code = clean_code(r.value("code"))
    name = clean_text(r.value("name"))
    cat_raw = clean_text(r.value("category"))
    missing = [f for f, v in (("code", code), ("name", name), ("category", cat_raw)) if v is None]
    for f in missing:
        col_known = f in r.header.columns
        r.problem("PF603", "missing-cell", f,
                  "empty: a power needs a code, a name and a category" if col_known
                  else f"the sheet has no {f} column",
                  "为空：权力事项须有编码、名称和类别" if col_known else f"表中没有 {f} 列",
                  Text("Fill the cell in, or map the column with --mapping.",
                       "请补全该单元格，或用 --mapping 指定列名。"))
    if missing:
        return None
    assert code is not None and cat_raw is not None
    ok = True
    if not _CODE.match(code):
        r.problem("PF604", "unreadable-cell", "code",
                  f"{code!r} is not a usable power code (ASCII letters, digits, - _ . only)",
                  f"{code!r} 不是可用的职权编码（只能含英文字母、数字和 - _ .）",
                  Text("Use the code from the published list, e.g. XY22KJ-FX-0001.",
                       "请使用清单公布的编码，如 XY22KJ-FX-0001。"))
        ok = False
    category = _category(cat_raw, mapping)
    if category is None:
        choices = "、".join(k for k in m.Category.aliases() if k != "其他")
        r.problem("PF604", "unreadable-cell", "category", f"{cat_raw!r} is not a known category",
                  f"{cat_raw!r} 不是已知的职权类别",
                  Text(f"Use one of: {choices}, or map it under `categories:` in --mapping.",
                       f"请使用：{choices}；或在 --mapping 的 categories: 中映射。"))
        ok = False
    data: dict[str, Any] = {"code": code, "category": category}
    unpublished = [f for f in ("legal_basis", "hotline", "statutory", "promised")
                   if clean_text(r.value(f)) in NOT_PUBLISHED]
    if unpublished:
        data["unpublished"] = unpublished
    for f in _TEXT_FIELDS:
        v = clean_text(r.value(f))
        if v is not None:
            data[f] = v
    statutory, note1 = _limit(r, "statutory")
    promised, note2 = _limit(r, "promised")
    note = "；".join(x for x in (note1, note2, clean_text(r.value("limit_note"))) if x) or None
    data["limits"] = {k: v for k, v in
                      (("statutory", statutory), ("promised", promised), ("note", note)) if v is not None}
    sup = {f: v for f in _SUPERVISION
           if (v := clean_text(r.value(f))) is not None and v not in NOT_PUBLISHED}
    if sup:
        data["supervision"] = sup
    data["legal_basis"] = _legal_basis(r)
    pub = parse_bool(r.value("requires_publicity"))
    if pub is not None:
        data["requires_publicity"] = pub
    return data if ok else None


def _legal_basis(r: _Row) -> list[dict[str, str]]:
    """The legal-basis cell as entries (with their source notes), its problems reported."""
    basis = r.value("legal_basis")
    entries, problems = parse_basis(None if clean_text(basis) in NOT_PUBLISHED else basis)
    for en, zh in problems:
        r.problem("PF606", "unranked-legal-basis", "legal_basis", en, zh,
                  Text("Tag each instrument with its rank: 【法律】【行政法规】【地方性法规】【部门规章】"
                       "【地方政府规章】【规范性文件】.",
                       "请为每项依据标注位阶：【法律】【行政法规】【地方性法规】【部门规章】【地方政府规章】【规范性文件】。"),
                  Severity.WARNING)
    guessed = [e.instrument for e in entries if e.guessed]
    if guessed:
        r.problem("PF606", "unranked-legal-basis", "legal_basis",
                  f"no rank tag: rank guessed for {', '.join(guessed)}",
                  f"未标注位阶，已推定：{'、'.join(guessed)}",
                  Text("Check the guessed rank in the file, or tag the instrument (【法律】…).",
                       "请核对文件中推定的位阶，或在清单中标注（【法律】等）。"), Severity.INFO)
    notes = parse_basis_notes(r.value("legal_basis_note"))
    return [{"rank": e.rank, "instrument": e.instrument[:200],
             **({"article": e.article} if e.article else {}),
             **({"note": notes[e.instrument]} if e.instrument in notes else {})}
            for e in entries]


def _blank(grid: Grid, row: int) -> bool:
    return all(clean_text(v) is None for v in grid.rows[row - 1])


def read_rows(file: str, grid: Grid, header: Header,
              mapping: HeaderMapping) -> tuple[list[RowPower], list[Diagnostic]]:
    """Every data row below the header as a `PowerInfo`, with the problems found."""
    out: list[RowPower] = []
    diags: list[Diagnostic] = []
    seen: dict[str, int] = {}
    for row in range(header.last_row + 1, len(grid.rows) + 1):
        if _blank(grid, row):
            continue
        r = _Row(file, grid, header, row)
        data = _read_row(r, mapping)
        if data is not None:
            code = data["code"]
            if code in seen and data.get("sub_item"):
                n = sum(1 for c in seen if c.startswith(code + "-")) + 2
                data["code"] = f"{code}-{n:02d}"
                r.problem("PF607", "duplicate-code", "code",
                          f"code {code} already used in row {seen[code]}: this sub-item was given "
                          f"the code {data['code']}",
                          f"编码 {code} 已在第 {seen[code]} 行使用：该子项编码设为 {data['code']}",
                          Text("Give each sub-item its own code in the list.",
                               "请在清单中为每个子项编制单独编码。"), Severity.WARNING)
            elif code in seen:
                r.problem("PF607", "duplicate-code", "code",
                          f"code {code} already used in row {seen[code]}; this row was skipped",
                          f"编码 {code} 已在第 {seen[code]} 行使用；该行未导入",
                          Text("Each power needs a code of its own.", "每项权力须有唯一编码。"))
                data = None
        if data is not None:
            try:
                info = m.PowerInfo.model_validate(data)
            except ValidationError as exc:
                for err in exc.errors():
                    fld = str(err["loc"][0]) if err["loc"] else "code"
                    fld = {"limits": "statutory", "supervision": "hotline"}.get(fld, fld)
                    r.problem("PF604", "unreadable-cell", fld,
                              str(err["msg"]).removeprefix("Value error, "),
                              str(err["msg"]).removeprefix("Value error, "),
                              Text("Correct the cell.", "请更正该单元格。"))
            else:
                seen[info.code] = row
                out.append(RowPower(row, info))
        diags.extend(r.diags)
    return out, diags
