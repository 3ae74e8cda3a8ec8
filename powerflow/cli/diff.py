"""`powerflow diff OLD NEW` / `powerflow diff --git REV1 REV2 [PATH]`: a semantic change review."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import default_lang, format_option, lang_option


@click.command("diff")
@click.argument("args", nargs=-1, required=True)
@click.option("--git", "use_git", is_flag=True,
              help="ARGS are REV1 REV2 [PATH]: compare the power files of two git revisions.")
@format_option("text", "json", "html", default="text")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False),
              help="Write the report to this file instead of standard output.")
@click.option("--no-charts", is_flag=True, help="HTML: do not draw the OLD and NEW charts.")
@lang_option
def diff(args: tuple[str, ...], use_git: bool, fmt: str, out: str | None, no_charts: bool,
         lang: str | None) -> None:
    """Report what changed between two versions of power files, and whether it loosens control.

    OLD and NEW are files or folders (powers are matched by code). Each change is classified
    tightening, loosening or neutral: a removed control, a lowered risk level, a raised time
    limit, a dropped separation of duties or collective decision loosen control. Exit 0 when
    nothing loosens control, 1 when something does (or a file does not load), 2 on bad usage.
    """
    from ..drafting.diffsource import GitError, load_git_side, load_side
    from ..drafting.review import review
    from ..drafting.review_report import render_html, render_json, render_text, summary
    from ..report import render_concise

    lang = lang or default_lang()
    try:
        if use_git:
            if len(args) not in (2, 3):
                raise click.UsageError("--git takes REV1 REV2 [PATH]")
            path = args[2] if len(args) == 3 else "."
            old, new = load_git_side(args[0], path, path if Path(path).is_dir() else
                                     Path(path).parent), load_git_side(
                args[1], path, path if Path(path).is_dir() else Path(path).parent)
        else:
            if len(args) != 2:
                raise click.UsageError("give OLD and NEW (files or folders), or --git REV1 REV2 [PATH]")
            for a in args:
                if not Path(a).exists():
                    raise click.BadParameter(f"{a} does not exist", param_hint="OLD/NEW")
            old, new = load_side(args[0]), load_side(args[1])
    except GitError as exc:
        click.echo(f"powerflow diff: git: {exc}", err=True)
        sys.exit(2)
    broken = [d for d in old.diagnostics + new.diagnostics if d.is_error]
    if broken:
        click.echo(render_concise(broken, lang), err=True)
        click.echo("powerflow diff: fix the files above first" if lang == "en"
                   else "powerflow diff：请先修正上述文件中的错误", err=True)
        sys.exit(1)
    if not old.flows and not new.flows:
        raise click.UsageError("no power files found on either side")
    r = review(old, new)
    text = (render_json(r) if fmt == "json" else render_html(r, lang, not no_charts) if fmt == "html"
            else render_text(r, lang))
    if out:
        Path(out).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        click.echo(summary(r, lang), err=True)
    else:
        click.echo(text)
    sys.exit(1 if r.loosening else 0)
