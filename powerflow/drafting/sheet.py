"""Read a power-list spreadsheet (XLSX with openpyxl, or CSV) into a plain grid.

Takes a path; gives a `Grid`: the sheet's name, its rows as lists of cell values (1-based row
numbers kept, so problems can name the row a user sees in Excel) with merged cells filled from
their top-left cell, and which encoding a CSV was read in (UTF-8, UTF-8 with BOM, GBK/GB18030).

Workbooks are checked before openpyxl opens them (`check_workbook`): a part over 64 MB of XML
(PF611), merged ranges over 100,000 cells (PF612) or a part that expands over 200 times
(PF613) is refused with the part and range named. A CSV cell written with the apostrophe that
protects it from formula evaluation (`'=…`, see `powerflow.cells`) is read without it.

Must not: interpret headers or values, evaluate formulas (cached values are read), or execute
anything from the file (macros are never loaded: openpyxl does not run them).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cells import undefuse

__all__ = ["Grid", "SheetError", "SheetLimits", "check_workbook", "read_grid"]


class SheetError(Exception):
    """The file cannot be read as a spreadsheet; `en`/`zh` say why, `code` and `name` which
    diagnostic it is (PF601 unreadable, PF611-PF613 over a reading budget)."""

    def __init__(self, en: str, zh: str, code: str = "PF601",
                 name: str = "unreadable-spreadsheet") -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh
        self.code = code
        self.name = name


@dataclass(frozen=True)
class SheetLimits:
    """What a workbook may cost before openpyxl opens it: XML bytes per part, the expansion
    ratio of a part, and the cells merged ranges cover (openpyxl builds an object per cell)."""

    max_part_bytes: int = 64 << 20
    max_ratio: int = 200
    max_merged_cells: int = 100_000


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _merged_cells(zf: zipfile.ZipFile, name: str, limits: SheetLimits) -> None:
    total, tail = 0, b""
    with zf.open(name) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            data = tail + chunk
            for m in _MERGE.finditer(data):
                c1, r1 = _column(m.group(1)), int(m.group(2))
                c2, r2 = (_column(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
                total += (abs(c2 - c1) + 1) * (abs(r2 - r1) + 1)
                if total > limits.max_merged_cells:
                    ref = m.group(0).split(b'ref="')[1].decode("ascii", "replace")
                    raise SheetError(
                        f"{name}: merged range {ref} brings the merged cells past "
                        f"{limits.max_merged_cells:,}; the workbook is not read",
                        f"{name}：合并区域 {ref} 使合并单元格超过 {limits.max_merged_cells:,} 个，不予读取",
                        "PF612", "sheet-merged-too-large")
            tail = data[-256:]


def check_workbook(path: Path, limits: SheetLimits = SheetLimits()) -> None:
    """Refuse a workbook whose parts would exhaust memory when opened (PF611 a part too
    large, PF612 merged ranges too large, PF613 a part compressed too well)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return  # openpyxl gives the usual PF601
    with zf:
        for info in zf.infolist():
            if not info.filename.endswith(".xml"):
                continue
            if info.file_size > limits.max_part_bytes:
                raise SheetError(
                    f"{info.filename} expands to {info.file_size:,} bytes; the limit is "
                    f"{limits.max_part_bytes:,}", f"{info.filename} 解压后为 {info.file_size:,} 字节，"
                    f"超过上限 {limits.max_part_bytes:,}", "PF611", "sheet-too-large")
            if info.file_size > 1 << 20 and info.file_size > limits.max_ratio * max(
                    info.compress_size, 1):
                raise SheetError(
                    f"{info.filename} expands {info.file_size // max(info.compress_size, 1):,} "
                    f"times (limit {limits.max_ratio}): a zip bomb", f"{info.filename} 解压后膨胀 "
                    f"{info.file_size // max(info.compress_size, 1):,} 倍（上限 {limits.max_ratio}）：疑为压缩炸弹",
                    "PF613", "sheet-zip-ratio")
            if info.filename.startswith("xl/worksheets/"):
                _merged_cells(zf, info.filename, limits)


@dataclass
class Grid:
    """Cell values by row; `merged` lists (first_row, first_col, last_row, last_col), 1-based."""

    name: str
    rows: list[list[Any]]
    encoding: str | None = None
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    def cell(self, row: int, col: int) -> Any:
        """The value at a 1-based row and column (None outside the grid)."""
        if 1 <= row <= len(self.rows):
            r = self.rows[row - 1]
            if 1 <= col <= len(r):
                return r[col - 1]
        return None

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


def _decode_csv(raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gbk")
        return text, "gbk"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise SheetError(
            f"the CSV is neither UTF-8 nor GBK/GB18030 text (bad byte at offset {exc.start})",
            f"CSV 文件既不是 UTF-8 也不是 GBK/GB18030 编码（第 {exc.start} 字节无法解码）") from exc


def _dialect(text: str) -> type[csv.Dialect]:
    """Excel's CSV rules (doubled quotes inside quoted cells) with the delimiter the first
    line uses most: comma, tab, semicolon or a full-width comma. The stdlib sniffer is not
    used: it misreads doubled quotes next to commas as a different quoting style."""
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;，", key=first.count)
    if first.count(delimiter) == 0 or delimiter == ",":
        return csv.excel

    class _Custom(csv.excel):
        pass

    _Custom.delimiter = delimiter
    return _Custom


def _read_csv(path: Path) -> Grid:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise SheetError("the file is binary, not CSV text", "文件是二进制数据，不是 CSV 文本")
    text, encoding = _decode_csv(raw)
    rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), _dialect(text))]
    return Grid(path.name, [[undefuse(c) if c != "" else None for c in r] for r in rows],
                encoding)


def _read_xlsx(path: Path, sheet: str | None) -> Grid:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_workbook(path)
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise SheetError(f"cannot open the workbook: {exc}",
                         f"无法打开工作簿：{exc}（请确认是 .xlsx 文件，旧版 .xls 请先另存为 .xlsx）"
                         ) from exc
    try:
        if sheet is not None:
            if sheet not in wb.sheetnames:
                raise SheetError(
                    f"no sheet named {sheet!r}; the workbook has: {', '.join(wb.sheetnames)}",
                    f"没有名为 {sheet!r} 的工作表；工作簿中有：{', '.join(wb.sheetnames)}")
            ws = wb[sheet]
        else:
            ws = wb.active or wb.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        merged = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
        for r1, c1, r2, c2 in merged:
            value = rows[r1 - 1][c1 - 1] if r1 <= len(rows) and c1 <= len(rows[r1 - 1]) else None
            for r in range(r1, min(r2, len(rows)) + 1):
                row = rows[r - 1]
                row.extend([None] * (c2 - len(row)))
                for c in range(c1, c2 + 1):
                    row[c - 1] = value
        return Grid(ws.title, rows, None, merged)
    finally:
        wb.close()


def read_grid(path: str | Path, sheet: str | None = None) -> Grid:
    """Read `.xlsx`/`.xlsm` with openpyxl or `.csv`/`.txt` as CSV. Raises `SheetError`."""
    p = Path(path)
    if not p.is_file():
        raise SheetError("no such file", "文件不存在")
    suffix = p.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(p)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(p, sheet)
    if suffix == ".xls":
        raise SheetError("old .xls workbooks are not read: save it as .xlsx",
                         "不支持旧版 .xls 格式：请在 Excel/WPS 中另存为 .xlsx")
    raise SheetError(f"unknown spreadsheet type {suffix!r}: give .xlsx or .csv",
                     f"无法识别的表格类型 {suffix!r}：请提供 .xlsx 或 .csv 文件")
