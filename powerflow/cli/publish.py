"""`powerflow publish flows/ -o site/`: the static public site of a power list."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any

import click

from .options import default_lang, jobs_option


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--out", "out", type=click.Path(file_okay=False), default="site",
              show_default=True, help="Folder of the site (kept between runs: rebuilds are "
              "incremental).")
@click.option("--downloads", default="svg,pdf,png", show_default=True,
              help="Chart formats offered for download on each page (svg is always made).")
@click.option("--dpi", type=click.IntRange(36, 1200), default=150, show_default=True,
              help="Resolution of the PNG charts.")
@click.option("--publish-with-errors", "with_errors", is_flag=True,
              help="Publish powers in which the rules find errors too (they are still listed).")
@jobs_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def publish(paths: tuple[str, ...], out: str, downloads: str, dpi: int, with_errors: bool,
            jobs: int | None, quiet: bool) -> None:
    """Publish the power list as a static site: an index with search and sortable columns,
    one page per power with its chart, risk table, legal basis and supervision channels, in
    Chinese with an English version. The rules (with the nearest powerflow.toml) run first:
    a power with rule errors is left out and named, unless --publish-with-errors. Exit 1 when
    some files have problems (listed), 2 when Graphviz or a CJK font is missing."""
    from tqdm import tqdm

    from ..publish import SiteOptions, build_site
    from ..publish.site import SiteRefused
    from ..render import GraphvizError
    from ..report import render_concise
    from ..rules import ConfigError, find_config, load_config

    fmts = [f.strip().lower() for f in downloads.split(",") if f.strip()]
    bad = [f for f in fmts if f not in ("svg", "pdf", "png")]
    if bad:
        raise click.BadParameter(f"choose from svg, pdf, png (got {downloads!r})",
                                 param_hint="--downloads")
    formats = tuple(dict.fromkeys(["svg", *fmts]))
    bar: Any = None

    def start(total: int) -> None:
        nonlocal bar
        bar = tqdm(total=total, unit="power", desc="publish", disable=quiet or None,
                   file=sys.stderr)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.update(done - bar.n)

    try:
        config = load_config(find_config(paths[0]))
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        options = SiteOptions(formats, dpi, jobs, config, with_errors,
                              datetime.date.today().isoformat())
        result = build_site(paths, Path(out), options, progress, start)
    except GraphvizError as exc:
        click.echo(f"powerflow: {exc}", err=True)
        sys.exit(2)
    except SiteRefused as exc:
        click.echo(f"powerflow: {exc.zh if default_lang().startswith('zh') else exc.en}",
                   err=True)
        sys.exit(2)
    finally:
        if bar is not None:
            bar.close()
    text = render_concise(result.diagnostics, default_lang())
    if text:
        click.echo(text, err=True)
    click.echo(f"{result.out}: {result.published} powers published ({result.rendered} "
               f"rendered, {result.kept} unchanged, {result.removed} removed)")
    if result.withheld:
        click.echo(f"not published ({len(result.withheld)}, rule errors):")
        for code, path in result.withheld:
            click.echo(f"  {code}  {path}")
    if not result.published and not result.diagnostics:
        raise click.UsageError(f"no power files found in: {' '.join(paths)}")
    sys.exit(1 if any(d.suppressed is None for d in result.diagnostics) else 0)
