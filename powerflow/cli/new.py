"""`powerflow new`: scaffold a power file from flags, or by asking when run in a terminal."""

from __future__ import annotations

import sys

import click

from .options import default_lang, lang_option

_CATEGORIES = ["行政许可", "行政处罚", "行政强制", "行政征收", "行政给付", "行政检查", "行政确认",
               "行政奖励", "行政裁决", "其他行政权力", "非行政许可审批", "行政征用"]
_ENGLISH = ["licensing", "penalty", "coercion", "levy", "payment", "inspection", "confirmation",
            "award", "adjudication", "other", "non_licensing_approval", "requisition"]


def stdin_is_tty() -> bool:
    """Whether to ask for missing facts (a person at a terminal); tests replace it."""
    return sys.stdin.isatty()


def _ask(value: str | None, label: str, required: bool, interactive: bool,
         missing: list[str], flag: str, **kw: object) -> str | None:
    if value:
        return value
    if interactive:
        answer = click.prompt(label, default="" if not required else None, show_default=False,
                              **kw)  # type: ignore[call-overload]
        return str(answer).strip() or None
    if required:
        missing.append(flag)
    return None


@click.command("new")
@click.option("--code", help="Power code, e.g. KJ-XK-0001.")
@click.option("--name", help="Power name (职权名称).")
@click.option("--category", help="Category, Chinese or English (行政许可 / licensing …).")
@click.option("--office", help="Handling office (承办机构); matched to the catalogue's actors.")
@click.option("--body", help="Implementing body (实施主体).")
@click.option("--statutory", help="Statutory limit: 20, 20个工作日, 即办, 当天.")
@click.option("--promised", help="Promised limit.")
@click.option("--legal-basis", "legal_basis", help="Legal basis, e.g. 【法律】《…》第二十九条.")
@click.option("--hotline", help="Supervision hotline (监督电话).")
@click.option("--template", type=click.Choice(["licensing", "penalty", "award", "other"]),
              help="Step skeleton (default: by category).")
@click.option("-o", "--out", "out", default="flows", show_default=True,
              type=click.Path(), help="Folder (file named after the code) or a .yaml path.")
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
@click.option("--no-input", is_flag=True, help="Never ask; fail when a required flag is missing.")
@lang_option
def new(code: str | None, name: str | None, category: str | None, office: str | None,
        body: str | None, statutory: str | None, promised: str | None,
        legal_basis: str | None, hotline: str | None, template: str | None, out: str,
        force: bool, no_input: bool, lang: str | None) -> None:
    """Create a new power file from its category's standard skeleton.

    Give --code, --name and --category (and optionally more); in a terminal, missing ones are
    asked for. The file is checked before it is written. Exit 0 on success, 2 on bad input.
    """
    from ..drafting import ScaffoldError, power_info, scaffold

    lang = lang or default_lang()
    zh = lang == "zh"
    interactive = not no_input and stdin_is_tty()
    missing: list[str] = []
    code = _ask(code, "职权编码 code" if zh else "Power code", True, interactive, missing, "--code")
    name = _ask(name, "职权名称 name" if zh else "Power name", True, interactive, missing, "--name")
    category = _ask(category, ("职权类别 category" if zh else "Category"), True, interactive,
                    missing, "--category", type=click.Choice([*_CATEGORIES, *_ENGLISH]))
    if interactive:
        office = _ask(office, "承办机构 office" if zh else "Handling office", False, True, [], "")
        promised = _ask(promised, "承诺时限 promised limit" if zh else "Promised limit", False,
                        True, [], "")
    if missing:
        raise click.UsageError(("缺少参数：" if zh else "missing options: ") + ", ".join(missing))
    assert code and name and category
    try:
        info = power_info(code, name, category, office, body, statutory, promised, legal_basis,
                          hotline)
        path = scaffold(info, out, template, force)
    except ScaffoldError as exc:
        click.echo(f"powerflow new: {exc.zh if zh else exc.en}", err=True)
        sys.exit(2)
    click.echo(f"已创建 {path}" if zh else f"created {path}")
