"""`powerflow map-log LOG [--flow FLOW]`: what a log holds, and a draft mapping file for it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .options import default_lang, lang_option


@click.command("map-log")
@click.argument("log", type=click.Path(dir_okay=False))
@click.option("--flow", type=click.Path(exists=True, dir_okay=False),
              help="Draft the activities against this flow's events.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "yaml"]), default="text",
              show_default=True, help="text: profile and draft; json: profile; yaml: draft only.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False),
              help="Write the draft mapping here (refuses to overwrite an existing file).")
@lang_option
def map_log(log: str, flow: str | None, fmt: str, out: str | None, lang: str | None) -> None:
    """List a log's activities, attributes and value counts, and draft a mapping file.

    Every guess in the draft is marked; activities without a close flow event are left
    commented out. Exit 0, or 2 when the log or the flow cannot be read."""
    from ..loader import load_flow_with_catalog
    from ..logs.profile import draft_mapping, profile_log
    from ..logs.readers import LogReadError
    from ..report import render_concise

    language = lang or default_lang()
    fl = None
    if flow:
        lf, cat_diags = load_flow_with_catalog(flow)
        if lf.flow is None:
            click.echo(render_concise([*cat_diags, *lf.diagnostics], language), err=True)
            sys.exit(2)
        fl = lf.flow
    try:
        prof = profile_log(log)
    except LogReadError as exc:
        click.echo(render_concise(exc.diagnostics, language), err=True)
        sys.exit(2)
    draft = draft_mapping(prof, fl)
    if out:
        p = Path(out)
        if p.exists():
            click.echo(f"{out} exists: not overwritten" if language != "zh" else
                       f"{out} 已存在，未覆盖", err=True)
            sys.exit(2)
        p.write_text(draft, encoding="utf-8")
    if fmt == "json":
        click.echo(json.dumps(prof.to_dict(), ensure_ascii=False, indent=2))
    elif fmt == "yaml":
        click.echo(draft, nl=False)
    else:
        click.echo(_text(prof, language) + ("" if out else "\n" + draft), nl=False)


def _text(prof: object, lang: str) -> str:
    from ..logs.profile import LogProfile

    assert isinstance(prof, LogProfile)
    zh = lang == "zh"
    lines = [(f"日志 {prof.path}：{prof.events} 个事件" if zh else
              f"log {prof.path}: {prof.events} events"),
             "活动（事件数）：" if zh else "activities (events):"]
    lines += [f"  {json.dumps(a, ensure_ascii=False)}  {n}" for a, n in prof.activities]
    lines.append("属性（不同取值数；最常见的取值）：" if zh else
                 "attributes (distinct values; most common):")
    for k, (d, top) in prof.attributes.items():
        common = ", ".join(f"{json.dumps(v, ensure_ascii=False)} ×{c}" for v, c in top[:5])
        lines.append(f"  {json.dumps(k, ensure_ascii=False)}: {d}; {common}")
    return "\n".join(lines) + "\n"
