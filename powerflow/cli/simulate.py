"""`powerflow simulate FLOW CASE` (audit one case) and `powerflow simulate FLOW --random N`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import default_lang, lang_option


def _fail_on(diags: tuple[object, ...] | list[object], lang: str) -> None:
    from ..diagnostics import Diagnostic
    from ..report import render_full

    errs = [d for d in diags if isinstance(d, Diagnostic) and d.is_error]
    if errs:
        click.echo(render_full(errs, lang), err=True)
        sys.exit(2)


@click.command()
@click.argument("flow", type=click.Path(exists=True, dir_okay=False))
@click.argument("case", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text",
              show_default=True, help="Report format.")
@lang_option
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the report (or, with --random, the histogram SVG) to this file.")
@click.option("--as-of", default=None, help="Audit an open case as of this ISO 8601 time "
              "(default: the last event's time).")
@click.option("--yellow-at", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=None, help="Yellow warning share of a limit (default: catalogue's, 0.9).")
@click.option("--random", "runs", type=click.IntRange(1, 10_000_000), default=None,
              help="Simulate N random cases instead of auditing CASE.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
def simulate(flow: str, case: str | None, fmt: str, lang: str | None, output: str | None,
             as_of: str | None, yellow_at: float | None, runs: int | None, seed: int) -> None:
    """Audit CASE (a YAML or JSON case file) against FLOW, or simulate random cases.

    The audit reports the path taken, working days per step and in total against the limits,
    every risk point passed with its controls evidenced or missing, separation-of-duty breaches,
    refused events and the outcome. Exit 0 clean, 1 findings, 2 unreadable input.
    """
    from ..engine.flows import load_compiled

    lang = lang or default_lang()
    fl = load_compiled(flow)
    _fail_on(list(fl.diagnostics), lang)
    assert fl.compiled is not None
    if runs is not None:
        if case is not None:
            raise click.UsageError("give either CASE or --random N, not both")
        from ..engine.randomsim import simulate_random
        from ..report.randomsim import render_random_json, render_random_text, write_histogram

        result = simulate_random(fl.compiled, runs, seed)
        if fmt == "json":
            click.echo(render_random_json(result))
        else:
            click.echo(render_random_text(result, lang))
        if output:
            write_histogram(result, Path(output), lang)
            click.echo(f"histogram: {output}", err=True)
        return
    if case is None:
        raise click.UsageError("give a CASE file to audit, or --random N")
    from ..engine.audit import audit_case
    from ..engine.case import load_case, parse_time
    from ..report.case import render_audit_html, render_audit_json, render_audit_text

    loaded = load_case(case)
    _fail_on(list(loaded.diagnostics), lang)
    assert loaded.case is not None
    power = loaded.case.case.power
    if power is not None and power != fl.compiled.flow.code:
        click.echo(f"{loaded.locate('case', 'power')}: the case belongs to power {power}, but "
                   f"{flow} is power {fl.compiled.flow.code}" if lang != "zh" else
                   f"{loaded.locate('case', 'power')}：办件属于事项 {power}，而 {flow} 是事项 "
                   f"{fl.compiled.flow.code}", err=True)
        sys.exit(2)
    try:
        when = parse_time(as_of) if as_of else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from None
    if not loaded.case.events and when is None and loaded.case.case.as_of is None:
        click.echo(f"{loaded.locate('case')}: the case has no events; add events, or give "
                   "--as-of (or case.as_of) to audit it as an open case" if lang != "zh" else
                   f"{loaded.locate('case')}：办件没有事件；请补充事件，或用 --as-of（或 case.as_of）"
                   "按未办结办件审计", err=True)
        sys.exit(2)
    audit = audit_case(fl.compiled, loaded, yellow_at=yellow_at, as_of=when)
    if fmt == "html":
        from ..render import chart_svg

        svg, why = chart_svg(fl.compiled.flow, audit.overlay(lang), lang)
        if svg is None:
            click.echo(("未绘制流程图：" if lang == "zh" else "no chart: ") + why, err=True)
        text = render_audit_html(audit, lang, svg, why or None)
    else:
        text = {"text": render_audit_text, "json": render_audit_json}[fmt](audit, lang)
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)
    sys.exit(1 if audit.has_findings else 0)
