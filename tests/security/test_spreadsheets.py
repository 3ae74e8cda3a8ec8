"""Attacks through spreadsheets: formulas in every writer, memory bombs in the readers, YAML
alias bombs in the import mapping (issue: spreadsheets as data)."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from powerflow.cli import cli
from powerflow.drafting.exporter import write_csv, write_xlsx
from powerflow.drafting.sheet import SheetError, read_grid
from powerflow.loader import load_flow_with_catalog

from .capped import run_capped

ROOT = Path(__file__).resolve().parent.parent.parent
DDE = "=cmd|' /C calc'!A0"
EVIL = (DDE, "+1+1", "-2+3", "@SUM(A1)", "=HYPERLINK(\"http://x\")", "＝1+1")


def _info():  # type: ignore[no-untyped-def]
    lf, _ = load_flow_with_catalog(next((ROOT / "flows").glob("kj-fx-0012*.yaml")))
    assert lf.flow is not None
    return lf.flow.info.model_copy(update={"name": DDE, "fees": "+1+1", "conditions": "@SUM(A1)",
                                           "target": "-2+3"})


def test_export_xlsx_writes_no_formula(tmp_path: Path) -> None:
    write_xlsx([_info()], tmp_path / "list.xlsx", title="=1+1")
    ws = openpyxl.load_workbook(tmp_path / "list.xlsx").active
    kinds = {c.data_type for row in ws.iter_rows() for c in row if c.value is not None}
    assert "f" not in kinds
    assert DDE in [c.value for row in ws.iter_rows() for c in row]


def test_export_csv_defuses_and_imports_back(tmp_path: Path) -> None:
    write_csv([_info()], tmp_path / "list.csv")
    text = (tmp_path / "list.csv").read_text(encoding="utf-8-sig")
    cells = [c for row in csv.reader(text.splitlines()) for c in row]
    assert "'" + DDE in cells and "'+1+1" in cells and "'@SUM(A1)" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    grid = read_grid(tmp_path / "list.csv")
    assert DDE in [c for r in grid.rows for c in r]


def test_audit_csv_outputs_are_defused(tmp_path: Path) -> None:
    flow = ROOT / "examples/realdata/roadtraffic.yaml"
    log = tmp_path / "log.csv"
    log.write_text("case:concept:name,concept:name,time:timestamp,org:resource\n"
                   f'"{DDE}",Create Fine,2006-07-24T00:00:00+02:00,"=1+1"\n'
                   f'"{DDE}",=evil(),2006-07-25T00:00:00+02:00,"@x"\n', encoding="utf-8")
    res = CliRunner().invoke(cli, ["audit", str(flow), str(log), "-o", str(tmp_path / "out"),
                                   "--no-chart", "--format", "csv"])
    assert res.exit_code in (0, 1), res.output
    for name in ("cases.csv", "deviations.csv"):
        rows = list(csv.reader((tmp_path / "out" / name).read_text("utf-8").splitlines()))
        cells = [c for r in rows[1:] for c in r]
        assert cells and not any(c.startswith(("=", "+", "@")) for c in cells), name
        assert any(c == "'" + DDE for c in cells), name
    stdout_cells = [c for r in csv.reader(res.stdout.splitlines()[1:]) for c in r]
    assert not any(c.startswith(("=", "+", "@")) for c in stdout_cells)


def _xlsx_with_sheet_xml(path: Path, sheet_xml: bytes) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "S"
    wb.active["A1"] = "x"
    plain = path.with_suffix(".plain.xlsx")
    wb.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            dst.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def test_merged_range_bomb_is_refused_under_a_memory_cap(tmp_path: Path) -> None:
    p = tmp_path / "merge.xlsx"
    _xlsx_with_sheet_xml(p, b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxml'
                         b'formats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" '
                         b't="inlineStr"><is><t>x</t></is></c></row></sheetData><mergeCells '
                         b'count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells></worksheet>')
    assert p.stat().st_size < 10_000
    code = ("from powerflow.drafting.sheet import SheetError, read_grid\n"
            f"try:\n    read_grid({str(p)!r})\nexcept SheetError as e:\n    print(e.code)\n")
    res = run_capped(code, 1024, timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == "PF612", res.stderr[-1500:]


def test_huge_sheet_xml_is_refused_under_a_memory_cap(tmp_path: Path) -> None:
    p = tmp_path / "huge.xlsx"
    row = b'<row><c t="inlineStr"><is><t>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</t></is></c></row>'
    body = row * (200_000_000 // len(row))
    _xlsx_with_sheet_xml(p, b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxml'
                         b'formats.org/spreadsheetml/2006/main"><sheetData>' + body
                         + b"</sheetData></worksheet>")
    del body
    code = ("from powerflow.drafting.sheet import SheetError, read_grid\n"
            f"try:\n    read_grid({str(p)!r})\nexcept SheetError as e:\n    print(e.code)\n")
    res = run_capped(code, 1024, timeout=120)
    assert res.returncode == 0 and res.stdout.strip() in ("PF611", "PF613"), res.stderr[-1500:]


def test_import_mapping_alias_bomb_goes_through_the_strict_reader(tmp_path: Path) -> None:
    from powerflow.drafting.headers import load_mapping

    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},"
              f"*a{i - 1},*a{i - 1},*a{i - 1}]" for i in range(1, 10)]
    lines.append("columns: {code: *a9}")
    p = tmp_path / "bomb.mapping.yaml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = ("from powerflow.drafting.headers import load_mapping\n"
            f"try:\n    load_mapping({str(p)!r})\nexcept ValueError as e:\n    print(str(e)[:200])\n")
    res = run_capped(code, 1024, timeout=120)
    assert res.returncode == 0 and "bomb.mapping.yaml:" in res.stdout, res.stderr[-1500:]
    with pytest.raises(ValueError, match=r"PF0\d\d"):
        load_mapping(p)


def test_sheet_error_is_a_located_diagnostic(tmp_path: Path) -> None:
    p = tmp_path / "merge.xlsx"
    _xlsx_with_sheet_xml(p, b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxml'
                         b'formats.org/spreadsheetml/2006/main"><sheetData/><mergeCells count="1">'
                         b'<mergeCell ref="B2:Z9999"/></mergeCells></worksheet>')
    with pytest.raises(SheetError) as exc:
        read_grid(p)
    assert exc.value.code == "PF612" and "B2:Z9999" in exc.value.en
    res = CliRunner().invoke(cli, ["import-xlsx", str(p), "-o", str(tmp_path / "out")])
    assert "PF612" in res.output and "Traceback" not in res.output
