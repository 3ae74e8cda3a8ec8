"""`import-xlsx`: a power-list spreadsheet → one power file per row.

Takes a spreadsheet path (XLSX or CSV), a `HeaderMapping`, an output folder and options; gives an
`ImportResult`: the files written, and every problem as a `Diagnostic` (PF601-PF608, PF610) naming the
row and column. Each file holds the row's metadata and its category's standard skeleton (see
`templates`), uses the catalogue's actors when the output folder has a `catalog.yaml`, and is
loaded back with the strict loader before it is written, so every file written is valid.

Must not: overwrite an existing power file unless asked, or write a file that does not load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import model as m
from ..diagnostics import Diagnostic, Location, Severity, Text
from ..loader import find_catalog, load_catalog, load_flow_text
from .headers import HeaderMapping, find_header
from .layout import document, dump
from .normalise import split_offices
from .rows import RowPower, read_rows
from .sheet import SheetError, read_grid
from .templates import build_flow, template_for

__all__ = ["ImportResult", "file_name", "import_list", "render_power_file"]


@dataclass
class ImportResult:
    source: str
    sheet: str | None = None
    encoding: str | None = None
    header_row: int | None = None
    rows: int = 0
    written: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def skipped_rows(self) -> list[int]:
        return sorted({d.location.line for d in self.diagnostics
                       if d.severity is Severity.ERROR and d.location.line})

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source, "sheet": self.sheet, "encoding": self.encoding,
            "header_row": self.header_row, "rows_read": self.rows, "written": self.written,
            "skipped_rows": self.skipped_rows,
            "problems": [{"code": d.code, "severity": d.severity.value, "row": d.location.line,
                          "column": d.location.column, "message": d.message.en,
                          "message_zh": d.message.zh} for d in self.diagnostics],
        }


def _err(code: str, name: str, file: str, en: str, zh: str, hint: Text | None = None,
         severity: Severity = Severity.ERROR, line: int = 0) -> Diagnostic:
    return Diagnostic(code, severity, Location(file, line, 0), Text(en, zh), hint, name)


def file_name(code: str) -> str:
    """The file a power is written to: its code in lower case (codes are ASCII)."""
    return code.lower().replace(".", "-") + ".yaml"


def render_power_file(info: m.PowerInfo, catalog: m.Catalog | None, template: str | None,
                      origin: str) -> str:
    """The text of a new power file: a comment saying where it came from, then the data."""
    tpl = template or template_for(info.category)
    doc = document(build_flow(info, catalog, tpl))
    doc.yaml_set_start_comment(
        f"{info.name}（{info.category.zh}）\n{origin}\n"
        f"步骤为“{tpl}”类别的标准骨架，请按实际办理流程修改环节、时限、风险点和防控措施。\n"
        f"Steps are the standard '{tpl}' skeleton: adapt steps, limits, risks and controls.")
    return dump(doc)


def import_list(path: str | Path, out_dir: str | Path, mapping: HeaderMapping | None = None,
                template: str | None = None, force: bool = False,
                dry_run: bool = False) -> ImportResult:
    """Import every readable row of the list at `path` into `out_dir`."""
    mapping = mapping or HeaderMapping()
    src = str(path)
    result = ImportResult(src)
    try:
        grid = read_grid(path, mapping.sheet)
    except SheetError as exc:
        result.diagnostics.append(_err(exc.code, exc.name, src, exc.en, exc.zh,
                                       Text("Give an .xlsx workbook or a .csv file.",
                                            "请提供 .xlsx 工作簿或 .csv 文件。")))
        return result
    result.sheet, result.encoding = grid.name, grid.encoding
    header = find_header(grid, mapping)
    if header is None:
        result.diagnostics.append(_err(
            "PF602", "no-header-row", src,
            "no header row found: no row in the first 30 names a code or name column "
            "(职权编码/事项编码, 职权名称/事项名称 …)",
            "未找到表头：前 30 行中没有包含编码或名称列（职权编码/事项编码、职权名称/事项名称等）的行",
            Text("Name the columns with a mapping file: --mapping columns.yaml.",
                 "请用列映射文件指定列名：--mapping columns.yaml。")))
        return result
    result.header_row = header.first_row
    if header.ignored:
        result.diagnostics.append(_err(
            "PF608", "ignored-column", src,
            f"columns not imported: {', '.join(header.ignored)}",
            f"以下列未导入：{'、'.join(header.ignored)}",
            Text("Map them with --mapping if they hold power metadata.",
                 "如其中有权力事项信息，请用 --mapping 映射。"), Severity.INFO, header.first_row))
    powers, diags = read_rows(src, grid, header, mapping)
    result.diagnostics.extend(diags)
    result.rows = len(powers)
    out = Path(out_dir)
    catalog, cat_path, cat_diags = _catalog(out)
    result.diagnostics.extend(cat_diags)
    if any(d.is_error for d in cat_diags):
        return result
    for rp in powers:
        written = _write(rp, src, out, catalog, cat_path, template, force, dry_run, result)
        if written:
            result.written.append(written)
    return result


def _catalog(out: Path) -> tuple[m.Catalog | None, str | None, list[Diagnostic]]:
    cat_file = find_catalog(out / "x.yaml")  # the one `validate` will use for these files
    if cat_file is None:
        return None, None, []
    loaded = load_catalog(cat_file)
    return loaded.catalog, str(cat_file), list(loaded.diagnostics)


def _note_offices(rp: RowPower, src: str, result: ImportResult) -> None:
    offices = split_offices(rp.info.office)
    if len(offices) < 2:
        return
    result.diagnostics.append(_err(
        "PF632", "several-offices", src,
        f"row {rp.row}: the handling office names {len(offices)} offices ({', '.join(offices)}): "
        f"{offices[0]} takes the skeleton's steps, the others are actors of their own",
        f"第 {rp.row} 行：承办机构列有 {len(offices)} 个科室（{'、'.join(offices)}）：{offices[0]}"
        "办理骨架中的环节，其余各为单独的参与者",
        Text("Give each office its steps, or make their work a joint step (parallel: a "
             "countersign both must finish).",
             "请为各科室分配环节，或将其工作设为会签（parallel：须全部完成的并联环节）。"),
        Severity.INFO, rp.row))


def _write(rp: RowPower, src: str, out: Path, catalog: m.Catalog | None, cat_path: str | None,
           template: str | None, force: bool, dry_run: bool, result: ImportResult) -> str | None:
    target = out / file_name(rp.info.code)
    if target.exists() and not force:
        result.diagnostics.append(_err(
            "PF610", "file-exists", src, f"{target} exists and was left as it is (row {rp.row})",
            f"{target} 已存在，未覆盖（第 {rp.row} 行）",
            Text("Use --force to overwrite it.", "如需覆盖，请加 --force。"), Severity.WARNING,
            rp.row))
        return None
    text = render_power_file(rp.info, catalog, template,
                             f"由 powerflow import-xlsx 从 {Path(src).name} 第 {rp.row} 行导入")
    _note_offices(rp, src, result)
    loaded = load_flow_text(text.encode("utf-8"), str(target), catalog, catalog_path=cat_path)
    if not loaded.ok:  # a bug in a template: say so rather than write a broken file
        first = next(d for d in loaded.diagnostics if d.is_error)
        result.diagnostics.append(_err(
            "PF604", "unreadable-cell", src,
            f"row {rp.row}: the generated file does not load ({first.code} {first.message.en})",
            f"第 {rp.row} 行：生成的文件无法通过校验（{first.code} {first.message.zh}）",
            None, Severity.ERROR, rp.row))
        return None
    if not dry_run:
        out.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return str(target)
