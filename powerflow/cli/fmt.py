"""`powerflow fmt FILES… [--check]`: canonical key order and layout, comments kept."""

from __future__ import annotations

import sys

import click

from .options import default_lang, jobs_option, lang_option


@click.command("fmt")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--check", is_flag=True,
              help="Write nothing; list files that would change and exit 1 if any (for CI).")
@click.option("--diff", "show_diff", is_flag=True, help="Show what would change as a unified diff.")
@lang_option
@jobs_option
def fmt(paths: tuple[str, ...], check: bool, show_diff: bool, lang: str | None,
        jobs: int | None) -> None:
    """Format power files and catalogues (files or folders) in place.

    Keys go in the canonical order (power, actors, lanes, steps, transitions, risks, separation,
    suppress, facts; the model's order inside each record); comments are kept. Files that do
    not load cleanly are refused with their diagnostics. Exit 0 when nothing (else) needs doing,
    1 when --check finds files to format or a file was refused.
    """
    from ..drafting.fmt_files import format_paths
    from ..report import render_concise

    lang = lang or default_lang()
    zh = lang == "zh"
    results = format_paths(paths, write=not check and not show_diff, jobs=jobs)
    refused = changed = 0
    for r in results:
        if r.diagnostics:
            refused += 1
            click.echo(render_concise(r.diagnostics, lang), err=True)
            click.echo((f"{r.path}：未格式化（文件有错误）" if zh else
                        f"{r.path}: not formatted (the file has errors)"), err=True)
        elif r.changed:
            changed += 1
            if show_diff:
                click.echo(r.unified_diff(), nl=False)
            elif check:
                click.echo(f"{'需要格式化' if zh else 'would reformat'} {r.path}")
            else:
                click.echo(f"{'已格式化' if zh else 'reformatted'} {r.path}")
    total = len(results)
    if zh:
        summary = f"{total} 个文件：{changed} 个{'需要' if check or show_diff else '已'}格式化，{refused} 个有错误"
    else:
        summary = (f"{total} file(s): {changed} {'would be ' if check or show_diff else ''}"
                   f"reformatted, {refused} refused")
    click.echo(summary, err=True)
    sys.exit(1 if refused or ((check or show_diff) and changed) else 0)
