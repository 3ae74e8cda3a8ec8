"""`powerflow risk-table PATHS -o FILE.xlsx|.csv`: the risk-control table (廉政风险防控表)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import default_lang


@click.command("risk-table")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False),
              help="Output file: .xlsx (spreadsheet) or .csv (UTF-8 with BOM).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the headings and level names.")
@click.option("--form", type=click.Choice(["bureau", "flat"]), default="bureau",
              show_default=True, help="XLSX layout: the filing form (title, merged powers, "
              "A4 landscape) or one flat row per risk with codes.")
@click.option("--unit", default=None, help="Unit named in the title (default: the catalogue's "
              "department).")
@click.option("--date", "date_", default=None, help="Filing date (default: today).")
def risk_table(paths: tuple[str, ...], out: str, lang: str, form: str, unit: str | None,
               date_: str | None) -> None:
    """Export the 廉政风险防控表 of every valid power. XLSX: the form a bureau files (title row
    with unit and date, 序号, 职权名称 merged per power, 风险点, 表现形式, 风险等级, each control
    on its own line with its owner, 责任岗位, 监督责任; A4 landscape, header repeated), or
    `--form flat`; CSV: one flat row per risk. Exit 1 when some files have problems (they are
    left out and listed), 0 otherwise."""
    import datetime

    from ..pipeline import load_all
    from ..publish.risk_table import write_table
    from ..report import render_concise

    target = Path(out)
    if target.suffix.lower() not in (".xlsx", ".csv"):
        raise click.BadParameter("the output file must end in .xlsx or .csv", param_hint="-o")
    loaded, extra = load_all(paths)
    if not loaded:
        raise click.UsageError(f"no power files found in: {' '.join(paths)}")
    diags = list(extra) + [d for lf in loaded for d in lf.diagnostics]
    flows = [lf.flow for lf in loaded if lf.flow is not None]
    if unit is None:
        dept = next((f.department for f in flows if f.department is not None), None)
        unit = ((dept.name_en or dept.name) if lang == "en" else dept.name) if dept else next(
            (f.info.body for f in flows if f.info.body), "")
    count = write_table(flows, target, lang, form, unit,
                        date_ or datetime.date.today().isoformat())
    text = render_concise(diags, default_lang())
    if text:
        click.echo(text, err=True)
    click.echo(f"{target}: {count} risks of {len(flows)} powers")
    sys.exit(1 if any(d.suppressed is None for d in diags) else 0)
