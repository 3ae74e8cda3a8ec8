"""`powerflow export-net FLOW --format pnml|bpmn`: the flow as a Petri net or BPMN process."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import default_lang, lang_option


@click.command("export-net")
@click.argument("flow", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["pnml", "bpmn"]), default="pnml",
              show_default=True)
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False),
              help="Write here instead of stdout.")
@lang_option
def export_net(flow: str, fmt: str, out: str | None, lang: str | None) -> None:
    """Export a flow for process-mining tools (PNML place/transition net, or BPMN 2.0 XML)."""
    from ..loader import load_flow_with_catalog
    from ..replay.net import to_bpmn, to_pnml
    from ..report import render_concise

    lf, cat_diags = load_flow_with_catalog(flow)
    if lf.flow is None:
        click.echo(render_concise([*cat_diags, *lf.diagnostics], lang or default_lang()), err=True)
        sys.exit(2)
    from ..engine.flows import not_runnable

    refused = not_runnable(lf.flow, flow)
    if refused is not None:
        click.echo(render_concise([refused], lang or default_lang()), err=True)
        sys.exit(2)
    text = to_pnml(lf.flow) if fmt == "pnml" else to_bpmn(lf.flow)
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        click.echo(text)
