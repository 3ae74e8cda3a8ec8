"""`powerflow audit FLOW LOG`: replay an event log through a flow and report deviations."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .options import default_lang, lang_option


@click.command()
@click.argument("flow", type=click.Path(exists=True, dir_okay=False))
@click.argument("log", type=click.Path(exists=True, dir_okay=False))
@click.option("--mapping", "mapping", type=click.Path(exists=True, dir_okay=False),
              help="Log mapping (default: <flow>.mapping.yaml beside the flow).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv", "html"]),
              default="text", show_default=True, help="What to print on stdout.")
@click.option("-o", "--output", "out", type=click.Path(file_okay=False),
              help="Also write summary.json, cases.csv, deviations.csv and report.html here.")
@click.option("--step-times", is_flag=True,
              help="With -o, also write steps.csv: time per step per case (one row per step done).")
@click.option("--chart/--no-chart", default=True, show_default=True,
              help="Draw the flowchart with the real traffic in the HTML report (needs Graphviz).")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar (default: on a terminal, for logs over 200,000 events).")
@lang_option
def audit(flow: str, log: str, mapping: str | None, fmt: str, out: str | None,
          step_times: bool, chart: bool, progress: bool | None, lang: str | None) -> None:
    """Audit an event log (CSV, XES, Parquet) against a power's flow.

    Reports events the flow does not allow, unknown activities, missing control evidence,
    separated steps done by one person, overdue steps and cases (working days), unfinished
    cases. Exit 0 when no deviation is found, 1 when some are, 2 when the input is unusable.
    """
    from ..render import chart_svg
    from ..replay.audit import audit as run_audit
    from ..replay.report import (
        DEVIATION_HEADERS,
        deviation_lists,
        render_html,
        render_text,
        summary,
        write_reports,
    )
    from ..replay.run import load_inputs
    from ..report import render_concise

    lang = lang or default_lang()
    inputs = load_inputs(flow, log, mapping)
    if inputs.diagnostics:
        click.echo(render_concise(inputs.diagnostics, lang), err=True)
    if not inputs.ok:
        sys.exit(2)
    assert inputs.flow and inputs.mapping and inputs.log
    show = progress if progress is not None else (sys.stderr.isatty()
                                                  and inputs.log.n_events > 200_000)
    result = run_audit(inputs.flow, inputs.log, inputs.mapping, progress=show,
                       calendar=inputs.calendar)
    svg = None
    if chart and (fmt == "html" or out):
        svg, why = chart_svg(inputs.flow, result.overlay(), lang)
        if svg is None:
            click.echo(("未绘制流程图：" if lang.startswith("zh") else "no chart: ") + why, err=True)
    if fmt == "json":
        click.echo(json.dumps(summary(result), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        import csv

        w = csv.writer(sys.stdout)
        w.writerow(DEVIATION_HEADERS)
        w.writerows(deviation_lists(result))
    elif fmt == "html":
        click.echo(render_html(result, svg, lang))
    else:
        click.echo(render_text(result, lang))
    if out:
        paths = write_reports(result, Path(out), svg, lang, step_times)
        click.echo(("已写入 " if lang.startswith("zh") else "wrote ")
                   + ", ".join(str(p) for p in paths), err=True)
    sys.exit(1 if result.findings.kind.size else 0)
