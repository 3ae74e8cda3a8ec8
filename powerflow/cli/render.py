"""`powerflow render FLOW…`: publication charts (SVG, PDF, PNG) of power files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import default_lang, jobs_option


def _formats(value: str) -> list[str]:
    items = [v.strip().lower() for v in value.split(",") if v.strip()]
    bad = [v for v in items if v not in ("svg", "pdf", "png")]
    if bad or not items:
        raise click.BadParameter(f"choose from svg, pdf, png (got {value!r})")
    return list(dict.fromkeys(items))


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--out", "out", type=click.Path(file_okay=False), default=".",
              show_default=True, help="Folder for the charts (named by power code).")
@click.option("--format", "fmt", default="svg", show_default=True,
              help="Comma-separated formats: svg,pdf,png.")
@click.option("--dpi", type=click.IntRange(36, 1200), default=150, show_default=True,
              help="PNG resolution, recorded in the file.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="Language of the chart chrome (default: the catalogue's, zh).")
@click.option("--lanes", default=None, help="Lane order as actor ids: a,b,c (others follow).")
@click.option("--risk-table", type=click.Choice(["inline", "separate", "none"]),
              default="inline", show_default=True,
              help="Risk table under the chart, in its own file (<code>-risks.*), or left out.")
@click.option("--paper", type=click.Choice(["A4", "A3"], case_sensitive=False), default=None,
              help="Make the PDF a print PDF of this page size: portrait or landscape to fit, "
                   "step names at least 9 pt (risk table on its own page, or the chart cut "
                   "between rows of steps, when needed).")
@jobs_option
def render(paths: tuple[str, ...], out: str, fmt: str, dpi: int, lang: str | None,
           lanes: str | None, risk_table: str, paper: str | None, jobs: int | None) -> None:
    """Draw the flowchart (权力运行流程图) of each power file: swimlanes per actor, risk badges,
    title block, legend and risk table.

    Exit 0 when every chart was drawn cleanly, 1 when a file has problems (it is not drawn) or
    Graphviz reordered lanes, 2 when Graphviz or a CJK font is missing.
    """
    from ..render import GraphvizError, check_environment
    from ..render.batch import render_paths
    from ..report import render_concise

    formats = _formats(fmt)
    msg_lang = default_lang()
    lane_list = [x.strip() for x in lanes.split(",") if x.strip()] if lanes else None
    try:
        check_environment()
        result = render_paths(paths, Path(out), formats, dpi, lang, lane_list, risk_table, jobs,
                              paper.upper() if paper else None)
    except GraphvizError as exc:
        click.echo(f"powerflow: {exc}", err=True)
        sys.exit(2)
    if not result.loaded:
        raise click.UsageError(f"no power files found in: {' '.join(paths)}")
    text = render_concise(result.diagnostics, msg_lang)
    if text:
        click.echo(text, err=True)
    for f in result.files:
        click.echo(str(f))
    sys.exit(1 if any(d.suppressed is None for d in result.diagnostics) else 0)
