"""`powerflow audit FLOW DATASET/`: a partitioned Parquet dataset, in this process or on Dask."""

from __future__ import annotations

import csv
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

import click

from ..cells import csv_rows
from ..diagnostics import Diagnostic
from ..distributed.run import RunOptions


def _stop(diags: list[Diagnostic], lang: str) -> NoReturn:
    from ..report import render_concise

    click.echo(render_concise(diags, lang), err=True)
    sys.exit(2)


def run_options(use_dask: bool, workers: int, memory_limit: str, scheduler: str | None,
                partition_events: int, progress: bool | None) -> RunOptions:
    return RunOptions(dask=use_dask, workers=workers, memory_limit=memory_limit,
                      scheduler=scheduler, partition_events=partition_events,
                      progress=sys.stderr.isatty() if progress is None else progress)


def audit_dataset(flow: str, log: str, mapping: str | None, fmt: str, out: str | None,
                  step_times: bool, chart: bool, lang: str, opts: RunOptions) -> NoReturn:
    from ..distributed.dataset import scan_dataset
    from ..distributed.partition import PartAudit
    from ..distributed.report import ReportFiles, rows_for
    from ..distributed.run import DaskUnavailable, run_dataset
    from ..logs.readers import LogReadError
    from ..replay.report import DEVIATION_HEADERS
    from ..replay.run import load_flow_mapping
    from ..report import render_concise

    # Dask announces every shuffle at WARNING level; the user needs only errors from it.
    logging.getLogger("distributed.shuffle").setLevel(logging.ERROR)
    inputs = load_flow_mapping(flow, mapping)
    if inputs.diagnostics:
        click.echo(render_concise(inputs.diagnostics, lang), err=True)
    if inputs.flow is None or inputs.mapping is None:
        sys.exit(2)
    if Path(log).is_file() and not log.lower().endswith((".parquet", ".pq")):
        raise click.UsageError("--dask and --scheduler take a Parquet dataset folder or file; "
                               "audit a CSV or XES log without them")
    try:
        ds = scan_dataset(log, inputs.mapping)
    except LogReadError as exc:
        _stop(exc.diagnostics, lang)
    opts = replace(opts, rows=rows_for(bool(out), fmt == "csv", step_times))
    files = ReportFiles(Path(out), step_times) if out else None
    stdout_csv = csv.writer(sys.stdout) if fmt == "csv" else None
    if stdout_csv:
        stdout_csv.writerow(DEVIATION_HEADERS)

    def on_part(part: PartAudit) -> None:
        if files:
            files.write(part)
        if stdout_csv:
            stdout_csv.writerows(csv_rows(part.deviations))

    try:
        combined = run_dataset(inputs.flow, inputs.mapping, ds, opts, on_part)
    except DaskUnavailable as exc:
        _stop([exc.diagnostic], lang)
    finally:
        if files:
            files.close()
    _finish(combined, files, fmt, chart, lang)


def _finish(combined: object, files: object, fmt: str, chart: bool, lang: str) -> NoReturn:
    from ..distributed.combine import Combined
    from ..distributed.report import ReportFiles
    from ..replay.report import html_from_summary, text_from_summary
    from ..report import render_concise
    from .audit import draw_chart

    assert isinstance(combined, Combined)
    if combined.diagnostics:
        click.echo(render_concise(combined.diagnostics, lang), err=True)
    if combined.failed:
        if isinstance(files, ReportFiles):
            for p in files.paths:
                p.unlink(missing_ok=True)
        sys.exit(2)
    data = combined.summary()
    svg = draw_chart(combined.flow, combined.overlay, lang) if chart and (
        fmt == "html" or files) else None
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "html":
        click.echo(html_from_summary(combined.flow, data, combined.overlay().risk_notes, svg, lang))
    elif fmt == "text":
        click.echo(text_from_summary(data, lang))
    if isinstance(files, ReportFiles):
        paths = files.finish(combined, svg, lang)
        click.echo(("已写入 " if lang.startswith("zh") else "wrote ")
                   + ", ".join(str(p) for p in paths), err=True)
    sys.exit(1 if any(k["findings"] for k in data["kinds"].values()) else 0)
