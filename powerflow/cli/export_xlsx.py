"""`powerflow export-xlsx flows/ -o LIST.xlsx`: power files → the power list, one row each."""

from __future__ import annotations

import sys

import click

from .options import default_lang, jobs_option, lang_option


@click.command("export-xlsx")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False),
              help="The spreadsheet to write: .xlsx, or .csv (UTF-8 with BOM).")
@click.option("--title", help="Title row of the sheet (default: the department's name + 权力清单).")
@lang_option
@jobs_option
def export_xlsx(paths: tuple[str, ...], out: str, title: str | None, lang: str | None,
                jobs: int | None) -> None:
    """Write the power list of power files as a spreadsheet that `import-xlsx` reads back.

    Files that do not load are reported and left out; exit 1 then, 0 otherwise.
    """
    from ..drafting.exporter import HEADERS, export_record, write_csv, write_xlsx
    from ..pipeline import run
    from ..report import render_concise

    lang = lang or default_lang()
    result = run(paths, export_record, jobs=jobs)
    if not result.files:
        raise click.UsageError(f"no power files found in: {' '.join(paths)}")
    diags = [d for d in result.diagnostics if d.is_error]
    records = [f.value for f in result.files if f.value is not None]
    infos = [info for info, _ in records]
    dept = next((d for _, d in records if d), "")
    if out.lower().endswith(".csv"):
        write_csv(infos, out)
    else:
        write_xlsx(infos, out, title or f"{dept}权力清单")
    if diags:
        click.echo(render_concise(diags, lang), err=True)
    msg = (f"已导出 {len(infos)} 项权力（{len(HEADERS)} 列）到 {out}" if lang == "zh"
           else f"exported {len(infos)} power(s) ({len(HEADERS)} columns) to {out}")
    click.echo(msg)
    sys.exit(1 if diags else 0)
