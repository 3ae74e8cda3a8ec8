"""`powerflow audit FLOW LOG`: replay an event log through a flow and report deviations."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..model import Flow
from ..overlay import Overlay
from .options import default_lang, lang_option

if TYPE_CHECKING:
    from ..model import Flow


def _refuse_parallel(loaded: Flow, path: str, lang: str) -> None:
    """PF016 and exit 2 for a flow with parallel blocks (the log audit does not run them yet)."""
    from ..engine.flows import not_runnable
    from ..report import render_concise

    refused = not_runnable(loaded, path)
    if refused is not None:
        click.echo(render_concise([refused], lang), err=True)
        sys.exit(2)


def draw_chart(flow: Flow, overlay: Callable[[], Overlay], lang: str) -> str | None:
    """The flowchart with the real traffic as SVG, or None (and why, on stderr)."""
    from ..render import chart_svg

    svg, why = chart_svg(flow, overlay(), lang)
    if svg is None:
        click.echo(("未绘制流程图：" if lang.startswith("zh") else "no chart: ") + why, err=True)
    return svg


@click.command()
@click.argument("flow", type=click.Path(exists=True, dir_okay=False))
@click.argument("log", type=click.Path(exists=True))
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
@click.option("--encoding", default=None, metavar="CODEC",
              help="Text encoding of a CSV log that is not UTF-8 (e.g. gb18030, cp1252); "
                   "without it such a log is refused rather than guessed.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar (default: on a terminal, for logs over 200,000 events).")
@click.option("--dask", "use_dask", is_flag=True,
              help="Run on a local Dask cluster (LOG: a Parquet dataset folder or file).")
@click.option("--workers", type=click.IntRange(1, 512), default=2, show_default=True,
              help="With --dask: worker processes of the local cluster.")
@click.option("--memory-limit", default="auto", show_default=True,
              help="With --dask: memory per worker (e.g. 2GB); data beyond it spills to disk.")
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="Run on an existing Dask cluster (its workers need powerflow[dask]).")
@click.option("--partition-events", type=click.IntRange(1000), default=250_000,
              show_default=True, help="With Dask: about this many events per audited partition.")
@lang_option
def audit(flow: str, log: str, mapping: str | None, fmt: str, out: str | None,
          step_times: bool, chart: bool, encoding: str | None, progress: bool | None,
          use_dask: bool, workers: int, memory_limit: str, scheduler: str | None,
          partition_events: int, lang: str | None) -> None:
    """Audit an event log (CSV, XES, Parquet, or a folder of Parquet files) against a flow.

    Reports events the flow does not allow, unknown activities, missing control evidence,
    separated steps done by one person, overdue steps and cases (working days), unfinished
    cases. Exit 0 when no deviation is found, 1 when some are, 2 when the input is unusable.
    A folder of Parquet files runs in this process, or on Dask (docs/distributed.md).
    """
    if use_dask or scheduler or Path(log).is_dir():
        from .audit_dataset import audit_dataset, run_options

        audit_dataset(flow, log, mapping, fmt, out, step_times, chart, lang or default_lang(),
                      run_options(use_dask, workers, memory_limit, scheduler, partition_events,
                                  progress))
    from ..logs.readers import ReadOptions
    from ..replay.audit import audit as run_audit
    from ..replay.report import (
        DEVIATION_HEADERS,
        deviation_lists,
        not_checked_line,
        render_html,
        render_text,
        summary,
        write_reports,
    )
    from ..replay.run import load_inputs
    from ..report import render_concise

    lang = lang or default_lang()
    inputs = load_inputs(flow, log, mapping, ReadOptions(encoding=encoding))
    if inputs.diagnostics:
        click.echo(render_concise(inputs.diagnostics, lang), err=True)
    if not inputs.ok:
        sys.exit(2)
    assert inputs.flow and inputs.mapping and inputs.log
    _refuse_parallel(inputs.flow, flow, lang)
    show = progress if progress is not None else (sys.stderr.isatty()
                                                  and inputs.log.n_events > 200_000)
    result = run_audit(inputs.flow, inputs.log, inputs.mapping, progress=show,
                       calendar=inputs.calendar)
    svg = draw_chart(inputs.flow, result.overlay, lang) if chart and (fmt == "html" or out) \
        else None
    if fmt == "json":
        click.echo(json.dumps(summary(result), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        import csv

        from ..cells import csv_rows

        w = csv.writer(sys.stdout)
        w.writerow(DEVIATION_HEADERS)
        w.writerows(csv_rows(deviation_lists(result)))
        # what was not checked follows as rows of their own (severity `not-checked`)
        w.writerows(csv_rows(["", u.key, "not-checked", "", "", "", result.log.path, "", u.count]
                             for u in result.unchecked))
    elif fmt == "html":
        click.echo(render_html(result, svg, lang))
    else:
        click.echo(render_text(result, lang))
    if out:
        paths = write_reports(result, Path(out), svg, lang, step_times)
        click.echo(("已写入 " if lang.startswith("zh") else "wrote ")
                   + ", ".join(str(p) for p in paths), err=True)
    line = not_checked_line(result.unchecked, lang)
    if line:
        click.echo(line, err=True)
    sys.exit(1 if result.findings.kind.size else 0)
