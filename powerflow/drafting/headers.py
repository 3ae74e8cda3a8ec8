"""Which column holds which field of a power-list row.

Takes a `Grid` and a `HeaderMapping` (built-in Chinese and English column names, extended or
overridden by a YAML mapping file); gives a `Header`: the header row(s) found — even below a
title row, over two rows when the top row has merged cells — and field → column.

Must not: read cell data below the header, or guess a column from its contents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .normalise import clean_header
from .sheet import Grid

__all__ = ["DEFAULT_COLUMNS", "FIELDS", "Header", "HeaderMapping", "find_header", "load_mapping"]

DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("职权编码", "事项编码", "权力编码", "权力事项编码", "基本编码", "事项代码", "编码",
             "code"),
    "name": ("职权名称", "事项名称", "权力名称", "权力事项名称", "名称", "name"),
    "name_en": ("英文名称", "name_en", "englishname"),
    "sub_item": ("子项", "子项名称", "子项目", "sub_item"),
    "category": ("职权类别", "职权类型", "事项类型", "权力类别", "权力类型", "事项类别", "类别",
                 "类型", "category"),
    "body": ("实施主体", "实施机关", "行使主体", "实施部门", "body"),
    "office": ("承办机构", "责任科室", "承办科室", "承办处室", "责任处室", "内设机构", "承办单位",
               "office"),
    "leader": ("分管领导", "责任领导", "leader"),
    "legal_basis": ("实施依据", "设定依据", "法律依据", "设定和实施依据", "依据", "legal_basis"),
    "legal_basis_note": ("条文核对说明", "legal_basis_note"),
    "statutory": ("法定时限", "法定办结时限", "法定期限", "statutory"),
    "promised": ("承诺时限", "承诺办结时限", "承诺期限", "promised"),
    "limit_note": ("时限说明", "时限备注", "limit_note"),
    "hotline": ("监督电话", "投诉电话", "监督投诉电话", "投诉举报电话", "hotline"),
    "email": ("监督邮箱", "投诉邮箱", "email"),
    "address": ("监督地址", "投诉地址", "address"),
    "window_phone": ("咨询电话", "窗口电话", "办理电话", "window_phone"),
    "fees": ("收费依据", "收费标准", "收费依据及标准", "收费", "fees"),
    "target": ("服务对象", "行使对象", "对象", "target"),
    "conditions": ("受理条件", "办理条件", "申请条件", "conditions"),
    "requires_publicity": ("是否公示", "需公示", "requires_publicity"),
    "version": ("版本", "version"),
}
FIELDS = tuple(DEFAULT_COLUMNS)
"""Every field a column can map to, in the order `export-xlsx` writes them."""

SCAN_ROWS = 30
"""The header is looked for in this many rows from the top."""


class _MappingFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: dict[str, Annotated[list[str], Field(min_length=1)] | str] = {}
    replace: bool = False
    header_row: Annotated[int, Field(ge=1)] | None = None
    sheet: str | None = None
    categories: dict[str, str] = {}


@dataclass(frozen=True)
class HeaderMapping:
    """Column names per field, plus optional fixed header row, sheet and category aliases."""

    columns: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_COLUMNS))
    header_row: int | None = None
    sheet: str | None = None
    categories: dict[str, str] = field(default_factory=dict)

    def lookup(self) -> dict[str, str]:
        """Cleaned header text → field."""
        out: dict[str, str] = {}
        for fld, names in self.columns.items():
            for n in names:
                out.setdefault(clean_header(n).lower(), fld)
        return out


def load_mapping(path: str | Path) -> HeaderMapping:
    """Read a YAML mapping file::

        columns:            # field: a column name or a list of them (added to the defaults)
          code: 项目编号
          office: [主办科室, 牵头科室]
        replace: false      # true: use only these names, not the built-in ones
        header_row: 3       # optional: the header's row number (1-based)
        sheet: 权力清单      # optional: which sheet of a workbook
        categories: {审批: non_licensing_approval}

    Raises ValueError with a readable message (English; Chinese after a ' / ')."""
    from ..source import read_yaml

    p = Path(path)
    try:
        res = read_yaml(p.read_bytes(), str(p))
    except OSError as exc:
        raise ValueError(f"cannot read the mapping file {p}: {exc} / 无法读取列映射文件 {p}") from exc
    errors = [d for d in res.diagnostics if d.is_error]
    if errors:
        d = errors[0]
        raise ValueError(f"{d.location}: {d.code} {d.message.en} / {d.message.zh}")
    try:
        spec = _MappingFile.model_validate(res.data or {})
    except ValidationError as exc:
        raise ValueError(f"cannot read the mapping file {p}: {exc} / 无法读取列映射文件 {p}") from exc
    unknown = sorted(set(spec.columns) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown field(s) in {p}: {', '.join(unknown)}; fields are: "
                         f"{', '.join(FIELDS)} / 列映射文件中有未知字段：{', '.join(unknown)}")
    columns = {} if spec.replace else {k: tuple(v) for k, v in DEFAULT_COLUMNS.items()}
    for fld, names in spec.columns.items():
        extra = (names,) if isinstance(names, str) else tuple(names)
        columns[fld] = extra + tuple(n for n in columns.get(fld, ()) if n not in extra)
    return HeaderMapping(columns, spec.header_row, spec.sheet, dict(spec.categories))


@dataclass(frozen=True)
class Header:
    """Where the header is (`first_row`..`last_row`) and field → 1-based column."""

    first_row: int
    last_row: int
    columns: dict[str, int]
    titles: dict[int, str]
    ignored: tuple[str, ...] = ()


def _strip_remarks(text: str) -> str:
    return re.sub(r"（[^）]*）$", "", text) or text


def _match(lookup: dict[str, str], *texts: str) -> str | None:
    for t in texts:
        if not t:
            continue
        for cand in (t, _strip_remarks(t)):
            fld = lookup.get(cand.lower())
            if fld is not None:
                return fld
    return None


def _row_fields(grid: Grid, row: int, lookup: dict[str, str]) -> dict[int, str]:
    found: dict[int, str] = {}
    for col in range(1, grid.width + 1):
        fld = _match(lookup, clean_header(grid.cell(row, col)))
        if fld is not None and fld not in found.values():
            found[col] = fld
    return found


def _spans_columns(grid: Grid, row: int) -> bool:
    return any(r1 <= row <= r2 and c2 > c1 for r1, c1, r2, c2 in grid.merged)


def find_header(grid: Grid, mapping: HeaderMapping) -> Header | None:
    """Find the header row: the first row (of the top `SCAN_ROWS`) where at least two cells
    name known fields, one of them the code or the name. When that row has cells merged across
    columns, the next row is a second header level (e.g. 办理时限 over 法定 | 承诺)."""
    lookup = mapping.lookup()
    rows = [mapping.header_row] if mapping.header_row else range(1, min(SCAN_ROWS, len(grid.rows)) + 1)
    for row in rows:
        found = _row_fields(grid, row, lookup)
        if not mapping.header_row and (
                len(found) < 2 or not {"code", "name"} & set(found.values())):
            continue
        last = row
        columns = {fld: col for col, fld in found.items()}
        titles = {col: clean_header(grid.cell(row, col)) for col in range(1, grid.width + 1)}
        if _spans_columns(grid, row) and row < len(grid.rows):
            below = row + 1
            for col in range(1, grid.width + 1):
                parent = clean_header(grid.cell(row, col))
                child = clean_header(grid.cell(below, col))
                if not child or child == parent:
                    continue
                cands = [child, parent + child, child + parent]
                if "时限" in parent or "期限" in parent:
                    cands.append(child + "时限")
                fld = _match(lookup, *cands)
                if fld is not None:
                    columns = {f: c for f, c in columns.items() if c != col}
                    columns[fld] = col
                    titles[col] = f"{parent}/{child}"
                    last = below
        used = set(columns.values())
        ignored = tuple(t for c, t in titles.items() if t and c not in used)
        return Header(row, last, columns, titles, ignored)
    return None
