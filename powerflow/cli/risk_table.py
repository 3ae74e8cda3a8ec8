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
def risk_table(paths: tuple[str, ...], out: str, lang: str) -> None:
    """Export one row per risk point of every valid power: code, power, id, level, step,
    risk, controls, responsible post. Exit 1 when some files have problems (they are left
    out and listed), 0 otherwise."""
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
    count = write_table(flows, target, lang)
    text = render_concise(diags, default_lang())
    if text:
        click.echo(text, err=True)
    click.echo(f"{target}: {count} risks of {len(flows)} powers")
    sys.exit(1 if any(d.suppressed is None for d in diags) else 0)
