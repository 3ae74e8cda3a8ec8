"""`powerflow import-xlsx LIST.xlsx|LIST.csv -o flows/`: a power list → one power file per row."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .options import default_lang, format_option, lang_option


@click.command("import-xlsx")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False),
              help="Folder to write the power files to (its catalog.yaml's actors are used).")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False),
              help="YAML file naming the columns (added to the built-in Chinese names).")
@click.option("--sheet", help="Sheet of the workbook to read (default: the active one).")
@click.option("--template", type=click.Choice(["licensing", "penalty", "award", "other"]),
              help="Use this step skeleton for every row instead of choosing by category.")
@click.option("--force", is_flag=True, help="Overwrite power files that exist.")
@click.option("--dry-run", is_flag=True, help="Read and check everything, write nothing.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              help="Also write the report of problems as JSON to this file.")
@format_option("text", "json", default="text")
@lang_option
def import_xlsx(source: str, out: str, mapping: str | None, sheet: str | None,
                template: str | None, force: bool, dry_run: bool, report_path: str | None,
                fmt: str, lang: str | None) -> None:
    """Import a power-list spreadsheet (XLSX, or CSV in UTF-8/GBK) into power files.

    Common Chinese column names (职权编码, 职权名称, 职权类别, 实施依据, 承办机构, 法定时限,
    承诺时限, 监督电话 …) are recognised; the header may sit below a title row and span two
    rows. Each row becomes a file with its metadata and the standard steps of its category.
    Exit 0 when every row was imported cleanly, 1 when rows were skipped or cells could not be
    read, 2 when the file cannot be read at all.
    """
    from ..drafting import HeaderMapping, import_list, load_mapping
    from ..report import render_concise

    lang = lang or default_lang()
    try:
        hm = load_mapping(mapping) if mapping else HeaderMapping()
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--mapping") from exc
    if sheet:
        hm = HeaderMapping(hm.columns, hm.header_row, sheet, hm.categories)
    result = import_list(source, out, hm, template, force, dry_run)
    if report_path:
        Path(report_path).write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=2),
                                     encoding="utf-8")
    fatal = any(d.code in ("PF601", "PF602", "PF611", "PF612", "PF613") for d in result.diagnostics)
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        text = render_concise(result.diagnostics, lang)
        if text:
            click.echo(text)
        skipped = result.skipped_rows
        verb = ("将写入" if dry_run else "已写入") if lang == "zh" else (
            "would write" if dry_run else "wrote")
        if lang == "zh":
            msg = f"{source}：读取 {result.rows} 行，{verb} {len(result.written)} 个文件到 {out}"
            msg += f"；未导入的行：{', '.join(map(str, skipped))}" if skipped else ""
        else:
            msg = f"{source}: {result.rows} row(s) read, {verb} {len(result.written)} file(s) to {out}"
            msg += f"; rows not imported: {', '.join(map(str, skipped))}" if skipped else ""
        click.echo(msg, err=bool(text))
    if fatal:
        sys.exit(2)
    findings = [d for d in result.diagnostics if d.severity.value in ("error", "warning")]
    sys.exit(1 if findings else 0)
