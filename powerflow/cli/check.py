"""`powerflow check PATH…`: validate and run the rules; `powerflow rule [CODE]`: rule docs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import default_lang, format_option, jobs_option, lang_option


def _docs_uri(code: str, docs_url: str | None) -> str | None:
    if docs_url:
        return f"{docs_url.rstrip('/')}/{code}.md"
    page = Path(__file__).resolve().parents[2] / "docs" / "rules" / f"{code}.md"
    return page.as_uri() if page.is_file() else None


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@format_option("concise", "full", "json", "sarif")
@lang_option
@jobs_option
@click.option("--select", multiple=True, metavar="PREFIXES",
              help="Run only rules whose code starts with these (e.g. PF2,PF305); replaces the "
                   "configured selection.")
@click.option("--extend-select", multiple=True, metavar="PREFIXES",
              help="Add rules to the selection (e.g. PF208 from the strict profile).")
@click.option("--ignore", multiple=True, metavar="PREFIXES",
              help="Skip rules whose code starts with these.")
@click.option("--profile", type=click.Choice(["recommended", "strict"]), default=None,
              help="Rule profile when nothing is selected (default: recommended).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              default=None, help="A powerflow.toml or pyproject.toml (default: found from the "
                                 "first PATH upward).")
@click.option("--isolated", is_flag=True, help="Ignore configuration files.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Where to keep the result cache (default: .powerflow-cache).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--max-bytes", type=click.IntRange(1), default=2_000_000, show_default=True,
              help="Largest file accepted.")
@click.option("--show-suppressed/--hide-suppressed", default=True, show_default=True,
              help="List suppressed findings with their reasons.")
def check(paths: tuple[str, ...], fmt: str, lang: str | None, jobs: int | None,
          select: tuple[str, ...], extend_select: tuple[str, ...], ignore: tuple[str, ...],
          profile: str | None, config_path: str | None, isolated: bool, cache_dir: str | None,
          no_cache: bool, max_bytes: int, show_suppressed: bool) -> None:
    """Check power files: the format (PF0xx) and the rules (PF1xx-PF4xx).

    Rules are chosen by the profile (`recommended` or `strict`), `--select`/`--ignore` by code
    prefix and `[tool.powerflow]` in pyproject.toml or a powerflow.toml. Inline suppressions in
    a power file (`suppress:` with a reason) are listed but do not fail the check.
    Exit 0 when clean, 1 when there are findings, 2 on a usage or configuration error.
    """
    from .. import __version__
    from ..cache import DEFAULT_DIR
    from ..check import check_paths
    from ..report import render_concise, render_full, render_json, summary_line
    from ..report.sarif import RuleDescriptor, render_sarif
    from ..rules import RULES, ConfigError, find_config, load_config
    from ..source import Limits

    lang = lang or default_lang()
    try:
        found = None if isolated else (config_path or find_config(paths[0]))
        config = load_config(found).with_cli(profile, select or None, extend_select, ignore)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    cache = None if no_cache else (cache_dir or DEFAULT_DIR)
    result = check_paths(paths, config, jobs=jobs, cache_dir=cache,
                         limits=Limits(max_bytes=max_bytes))
    diags = result.diagnostics
    if result.files == 0:
        raise click.UsageError(f"no power files found in: {' '.join(paths)}")
    shown = diags if show_suppressed else result.findings
    if fmt == "json":
        click.echo(render_json(shown, result.files, lang))
    elif fmt == "sarif":
        rules = [RuleDescriptor(r.code, r.name, r.title, r.hint, config.severity_of(r),
                                _docs_uri(r.code, config.docs_url), r.family.en)
                 for r in config.rules()]
        used = {d.code for d in shown}
        rules += [RuleDescriptor(c, r.name, r.title, r.hint, config.severity_of(r),
                                 _docs_uri(c, config.docs_url), r.family.en)
                  for c, r in RULES.items() if c in used and not config.enabled(c)]
        click.echo(render_sarif(shown, rules, lang, __version__))
    else:
        text = render_full(shown, lang) if fmt == "full" else render_concise(shown, lang)
        if text:
            click.echo(text)
        click.echo(summary_line(diags, result.files, lang), err=bool(text))
    sys.exit(1 if result.findings else 0)


@click.command()
@click.argument("code", required=False)
@lang_option
def rule(code: str | None, lang: str | None) -> None:
    """Print the documentation page of rule CODE (e.g. PF203), or list every rule."""
    from ..rules import RULES
    from ..rules.docs import render_page

    lang = lang or default_lang()
    if code is None:
        for c, r in sorted(RULES.items()):
            profiles = "" if r.recommended else "  (strict)"
            click.echo(f"{c}  {r.name:<40} {r.severity.value:<8} {r.title.get(lang)}{profiles}")
        return
    key = code.strip().upper()
    if key not in RULES:
        import difflib

        close = difflib.get_close_matches(key, list(RULES), n=3)
        by_name = [c for c, r in RULES.items() if r.name == code.strip().lower()]
        if by_name:
            key = by_name[0]
        else:
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise click.UsageError(f"no rule {code!r}.{hint} `powerflow rule` lists them all.")
    click.echo(render_page(key))
