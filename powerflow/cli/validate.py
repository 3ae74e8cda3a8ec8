"""`powerflow validate PATH…`: the format check (PF0xx) of power files and catalogues."""

from __future__ import annotations

import sys

import click

from .options import default_lang, format_option, jobs_option, lang_option


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@format_option("concise", "full", "json")
@lang_option
@jobs_option
@click.option("--max-bytes", type=click.IntRange(1), default=2_000_000, show_default=True,
              help="Largest file accepted.")
def validate(paths: tuple[str, ...], fmt: str, lang: str | None, jobs: int | None,
             max_bytes: int) -> None:
    """Check power files (or folders of them) against the format.

    Reports every problem of every file at once, each with file:line:column. Exit 0 when
    clean, 1 when there are errors or warnings, 2 on a usage error.
    """
    from ..pipeline import RunResult, run
    from ..report import render_concise, render_full, render_json, summary_line
    from ..source import Limits

    lang = lang or default_lang()
    result: RunResult[None] = run(paths, None, jobs=jobs, limits=Limits(max_bytes=max_bytes))
    diags = result.diagnostics
    if not result.files and not result.catalogs and not diags:
        raise click.UsageError(f"no power files found in: {' '.join(paths)}")
    files = len(result.files) + len(result.catalogs)
    if fmt == "json":
        click.echo(render_json(diags, files, lang))
    else:
        text = render_full(diags, lang) if fmt == "full" else render_concise(diags, lang)
        if text:
            click.echo(text)
        click.echo(summary_line(diags, files, lang), err=bool(text))
    sys.exit(1 if any(d.suppressed is None for d in diags) else 0)
