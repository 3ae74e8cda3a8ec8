"""`powerflow generate-log FLOW -o DIR`: a large random log of a flow, as partitioned Parquet."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import default_lang, lang_option


@click.command("generate-log")
@click.argument("flow", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False),
              help="Folder to write year=/month=/unit=/ Parquet files into (new or empty).")
@click.option("--events", type=click.IntRange(1), default=1_000_000, show_default=True,
              help="At least this many events (whole cases).")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--units", type=click.IntRange(1, 99), default=8, show_default=True,
              help="Units (offices) the cases are spread over.")
@click.option("--noise", type=click.FloatRange(0, 1), default=0.05, show_default=True,
              help="Share of cases with a deviation mixed in.")
@lang_option
def generate_log(flow: str, out: str, events: int, seed: int, units: int, noise: float,
                 lang: str | None) -> None:
    """Write a random event log of FLOW (cases walked by the flow's branch probabilities and
    step durations) as Parquet files partitioned by year, month and unit, for tests and
    benchmarks of `powerflow audit FLOW DIR --dask`. Needs pyarrow (powerflow[parquet])."""
    from ..distributed.generate import generate_dataset
    from ..engine.flows import load_compiled
    from ..report import render_concise

    lang = lang or default_lang()
    target = Path(out)
    if target.exists() and any(target.iterdir()):
        raise click.UsageError(f"{out} is not empty; give a new folder")
    fl = load_compiled(flow)
    if fl.compiled is None:
        click.echo(render_concise(list(fl.diagnostics), lang), err=True)
        sys.exit(2)
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise click.UsageError("generate-log needs pyarrow: pip install 'powerflow[parquet]'") from None
    res = generate_dataset(fl.compiled, events, target, seed=seed, units=units, noise=noise)
    click.echo(f"{res.events} events, {res.cases} cases, {res.files} files → {out}" if lang != "zh"
               else f"已写入 {res.events} 个事件、{res.cases} 件、{res.files} 个文件 → {out}")
