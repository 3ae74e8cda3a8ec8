"""`powerflow serve` (the supervision service) and `powerflow service user|token` (accounts).

Thin: parses options, builds a `ServiceConfig` with the system clock (or a fixed `--now`) and
runs the application under uvicorn on one address; the account commands call `Accounts`.
Needs the `service` extra (`pip install 'powerflow[service]'`); without it, says so (exit 2).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from .case import _key

_EXTRA = ("the service needs the `service` extra: pip install 'powerflow[service]'",
          "服务需要安装 service 扩展：pip install 'powerflow[service]'")


def _need_extra() -> None:
    try:
        import argon2  # noqa: F401
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        click.echo(f"error: {_EXTRA[0]}\n错误：{_EXTRA[1]}", err=True)
        sys.exit(2)


def _clock(now: str | None) -> Any:
    from ..engine.case import CHINA_TZ, parse_time

    if now is None:  # Beijing time: working days are counted on Beijing dates
        return lambda: dt.datetime.now(CHINA_TZ)
    try:
        fixed = parse_time(now)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--now") from None
    return lambda: fixed


@click.command()
@click.option("--data", "data", default="powerflow-data", show_default=True,
              type=click.Path(file_okay=False), help="Folder of the case store and accounts.")
@click.option("--flows", default="flows", show_default=True,
              type=click.Path(exists=True, file_okay=False), help="The catalogue folder.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--now", default=None, help="A fixed time for the clock (demos and tests).")
@click.option("--yellow-at", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=None, help="Yellow share of a limit (default: the catalogue's).")
@click.option("--key-file", default=None, envvar="POWERFLOW_STORE_KEY_FILE",
              help="Key of an HMAC-chained store (or $POWERFLOW_STORE_KEY).")
@click.option("--secure-cookies", is_flag=True, help="Mark cookies Secure (behind HTTPS).")
def serve(data: str, flows: str, host: str, port: int, now: str | None,
          yellow_at: float | None, key_file: str | None, secure_cookies: bool) -> None:
    """Run the supervision service: JSON API and dashboard on the catalogue FLOWS, cases in
    an embedded SQLite store (WAL) in DATA."""
    _need_extra()
    import uvicorn

    from ..engine.store.base import StoreError
    from ..service.app import create_app
    from ..service.config import ServiceConfig

    try:
        cfg = ServiceConfig(Path(data), Path(flows), _clock(now), _key(key_file, data),
                            yellow_at, secure_cookies=secure_cookies)
        app = create_app(cfg)
    except StoreError as exc:
        d = exc.diagnostic
        click.echo(f"{d.code} {d.message.en}\n{d.code} {d.message.zh}", err=True)
        sys.exit(2)
    click.echo(f"powerflow service on http://{host}:{port}/ (data: {data}, flows: {flows})")
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


@click.group()
def service() -> None:
    """Accounts of the supervision service: users (clerk, supervisor, admin) and API tokens."""


def _accounts(data: str) -> Any:
    _need_extra()
    from ..service.accounts import Accounts

    Path(data).mkdir(parents=True, exist_ok=True)
    return Accounts(data)


@service.command()
@click.argument("name")
@click.option("--role", type=click.Choice(["clerk", "supervisor", "admin"]), required=True)
@click.option("--unit", default=None, help="The clerk's unit (the cases they may see).")
@click.option("--data", default="powerflow-data", show_default=True,
              type=click.Path(file_okay=False))
def user(name: str, role: str, unit: str | None, data: str) -> None:
    """Add a user; the password is asked (or read from standard input when piped)."""
    from ..service.accounts import AccountError

    if sys.stdin.isatty():
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        _accounts(data).add_user(name, role, unit, password, dt.datetime.now(dt.UTC))
    except AccountError as exc:
        click.echo(f"error: {exc.text.en}\n错误：{exc.text.zh}", err=True)
        sys.exit(2)
    click.echo(f"user {name} ({role}{', ' + unit if unit else ''}) added")


@service.command()
@click.argument("name")
@click.option("--label", default="", help="What the token is for (kept with it).")
@click.option("--data", default="powerflow-data", show_default=True,
              type=click.Path(file_okay=False))
def token(name: str, label: str, data: str) -> None:
    """Make an API token for user NAME and print it (it is shown only this once)."""
    from ..service.accounts import AccountError

    try:
        click.echo(_accounts(data).add_token(name, label, dt.datetime.now(dt.UTC)))
    except AccountError as exc:
        click.echo(f"error: {exc.text.en}\n错误：{exc.text.zh}", err=True)
        sys.exit(2)


@service.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--unit", default=None, help="Handling unit of the cases (default: the flow's "
              "department).")
@click.option("--data", default="powerflow-data", show_default=True,
              type=click.Path(file_okay=False))
@click.option("--flows", default="flows", show_default=True,
              type=click.Path(exists=True, file_okay=False))
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None)
def import_(files: tuple[str, ...], unit: str | None, data: str, flows: str,
            lang: str | None) -> None:
    """Bring case files (the format `powerflow simulate` reads) into the service's store, as
    the admin would post them; importing a file again adds nothing. Exit 1 when a file has
    errors."""
    _need_extra()
    from ..engine.store.base import StoreError
    from ..service.accounts import Principal
    from ..service.config import ServiceConfig
    from ..service.operations import Desk, OperationError
    from .options import default_lang

    lang = lang or default_lang()
    Path(data).mkdir(parents=True, exist_ok=True)
    desk = Desk(ServiceConfig(Path(data), Path(flows), _clock(None)))
    bad = False
    for f in files:
        try:
            res = desk.import_case(Principal("import", "admin", None), Path(f), unit)
        except (OperationError, StoreError) as exc:
            text = exc.text if isinstance(exc, OperationError) else exc.diagnostic.message
            click.echo(f"{f}: {text.get(lang)}", err=True)
            bad = True
            continue
        for d in res.diagnostics:
            click.echo(f"{d.location}: {d.code} {d.message.get(lang)}", err=True)
        if res.case is None:
            if not res.diagnostics:
                click.echo(f"{f}: {'没有事项，未导入' if lang == 'zh' else 'no events: nothing imported'}",
                           err=True)
            bad = True
            continue
        if lang == "zh":
            click.echo(f"{f}: {res.case}：登记 {res.fired} 个事项（流程拒绝 {res.refused} 个），"
                       f"已有 {res.duplicates} 个")
        else:
            click.echo(f"{f}: {res.case}: {res.fired} events recorded ({res.refused} refused "
                       f"by the flow), {res.duplicates} already there")
    sys.exit(1 if bad else 0)
