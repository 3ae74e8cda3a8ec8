"""`powerflow case open|fire|migrate|show|list|overdue|verify|anchor`: live cases in an
embedded store. Store problems are PF8xx diagnostics on stderr with exit 2; `verify` exits 1
on an integrity problem."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..terminal import field
from .options import default_lang, lang_option

if TYPE_CHECKING:
    from ..diagnostics import Diagnostic
    from ..engine.store.base import Anchor
    from ..engine.store.sqlite import SqliteStore

F = TypeVar("F", bound=Callable[..., Any])


def _store_option(f: F) -> F:
    f = click.option("--key-file", "key_file", default=None, envvar="POWERFLOW_STORE_KEY_FILE",
                     type=click.Path(dir_okay=False),
                     help="A file holding the store's chain key (HMAC-SHA256), kept outside the "
                          "store; or the key itself in $POWERFLOW_STORE_KEY. A store created "
                          "with a key is only used and verified with it.")(f)
    return click.option("--store", "store_path", default="powerflow-cases.sqlite3",
                        show_default=True, envvar="POWERFLOW_STORE",
                        help="The case store (an SQLite file; `case open` creates it when "
                             "missing, every other command refuses a missing file).")(f)


def _time(value: str | None) -> dt.datetime:
    from ..engine.case import CHINA_TZ, parse_time

    if value is None:
        return dt.datetime.now(CHINA_TZ).replace(microsecond=0)
    try:
        return parse_time(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _echo(diags: list[Diagnostic], lang: str, err: bool = True) -> None:
    from ..report.text import render_concise

    for d in diags:
        click.echo(render_concise([d], lang), err=err)
        if d.hint is not None:
            click.echo(f"  = {'建议' if lang == 'zh' else 'help'}: {d.hint.get(lang)}", err=err)


def _key(key_file: str | None, where: str) -> bytes | None:
    """The chain key: the file's bytes (a trailing newline dropped) or $POWERFLOW_STORE_KEY."""
    from ..engine.store.base import StoreError, store_diagnostic

    def refuse(en: str, zh: str) -> StoreError:
        return StoreError(store_diagnostic("PF805", where, en, zh))

    env = os.environ.get("POWERFLOW_STORE_KEY")
    if key_file is not None and env:
        raise refuse("give the key once: --key-file (or $POWERFLOW_STORE_KEY_FILE) or "
                     "$POWERFLOW_STORE_KEY", "密钥只能给一处：--key-file（或 "
                     "$POWERFLOW_STORE_KEY_FILE）或 $POWERFLOW_STORE_KEY")
    if key_file is None and not env:
        return None
    try:
        key = Path(key_file).read_bytes() if key_file else str(env).encode("utf-8")
    except OSError as exc:
        raise refuse(f"the key file {key_file} cannot be read: {exc.strerror or exc}",
                     f"无法读取密钥文件 {key_file}：{exc.strerror or exc}") from None
    key = key.rstrip(b"\r\n")
    if len(key) < 16:
        raise refuse(f"the key has {len(key)} bytes; use at least 16 random bytes (e.g. "
                     "`openssl rand -hex 32`)", f"密钥只有 {len(key)} 字节，至少需要 16 个随机"
                     "字节（例如 `openssl rand -hex 32`）")
    return key


@contextmanager
def _open(path: str, key_file: str | None, lang: str | None, *, create: bool = False,
          readonly: bool = False) -> Iterator[SqliteStore]:
    from ..engine.store.base import StoreError, store_diagnostic
    from ..engine.store.sqlite import SqliteStore

    try:
        with SqliteStore(path, _key(key_file, path), create=create, readonly=readonly) as store:
            yield store
    except StoreError as exc:
        _echo([exc.diagnostic], lang or default_lang())
        sys.exit(2)
    except sqlite3.DatabaseError as exc:
        _echo([store_diagnostic("PF803", path, f"the store cannot be used: {exc}",
                                f"办件库无法使用：{exc}")], lang or default_lang())
        sys.exit(2)


@click.group()
def case() -> None:
    """Track live cases in a store with a hash-chained audit trail.

    Every fired event is checked against the flow version the case is pinned to and appended to
    the trail; refused events are recorded as rejected attempts and the command exits 1.
    """


def _fact(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key:
        raise click.BadParameter(f"{text!r}: write facts as name=value, e.g. amount=2500000")
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    if not isinstance(value, str | int | float | bool) and value is not None:
        value = raw
    return key, value


@case.command("open")
@click.argument("flow", type=click.Path(exists=True, dir_okay=False))
@click.argument("case_id")
@click.option("--fact", "facts", multiple=True, help="A case fact, name=value (repeatable).")
@click.option("--time", "when", default=None, help="ISO 8601 time (default: now).")
@click.option("--person", default=None, help="Who opened the case.")
@lang_option
@_store_option
def open_(flow: str, case_id: str, facts: tuple[str, ...], when: str | None,
          person: str | None, lang: str | None, store_path: str, key_file: str | None) -> None:
    """Open CASE_ID as a new case of the power in FLOW (pinned to the file's current content)."""
    _usable(flow, store_path, lang)
    with _open(store_path, key_file, lang, create=True) as store:
        rec = store.open_case(case_id, flow, dict(_fact(f) for f in facts), _time(when), person)
    click.echo(f"opened {rec.case_id} ({rec.power}) at step {rec.step}")


def _usable(flow: str, store_path: str, lang: str | None) -> None:
    """Refuse a flow that does not load before a new store file is created for it."""
    from ..engine.store import pinned
    from ..engine.store.base import StoreError

    try:
        pinned.load(flow, Path(store_path).resolve().parent)
    except StoreError as exc:
        _echo([exc.diagnostic], lang or default_lang())
        sys.exit(2)


@case.command()
@click.argument("case_id")
@click.argument("event")
@click.option("--person", default=None, help="Who did it.")
@click.option("--post", default=None, help="Their post (an actor id of the flow).")
@click.option("--evidence", multiple=True, help="Evidence recorded (repeatable or a,b,c).")
@click.option("--time", "when", default=None, help="ISO 8601 time (default: now).")
@click.option("--key", default=None, help="Idempotency key: firing again with it is a no-op.")
@lang_option
@_store_option
def fire(case_id: str, event: str, person: str | None, post: str | None,
         evidence: tuple[str, ...], when: str | None, key: str | None, lang: str | None,
         store_path: str, key_file: str | None) -> None:
    """Fire EVENT on CASE_ID. Exit 1 when the flow does not allow it (the attempt is kept)."""
    lang = lang or default_lang()
    ev = tuple(x.strip() for e in evidence for x in e.split(",") if x.strip())
    with _open(store_path, key_file, lang) as store:
        res = store.fire(case_id, _time(when), event, person, post, ev, key)
    _echo(list(res.notes), lang)
    if res.error is not None:
        click.echo(res.error.zh() if lang == "zh" else str(res.error), err=True)
        click.echo(f"(recorded as rejected attempt #{res.row.seq})", err=True)
        sys.exit(1)
    dup = " (already recorded with this key)" if res.duplicate else ""
    click.echo(f"{case_id}: {res.row.from_step} --{event}--> {res.row.to_step} "
               f"(#{res.row.seq}){dup}")


@case.command()
@click.argument("case_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--as-of", default=None, help="Audit as of this time (default: now).")
@lang_option
@_store_option
def show(case_id: str, fmt: str, as_of: str | None, lang: str | None, store_path: str,
         key_file: str | None) -> None:
    """Show a case: its trail and its audit as of now (or --as-of)."""
    from ..report.case import render_audit_json, render_audit_text

    lang = lang or default_lang()
    with _open(store_path, key_file, lang, readonly=True) as store:
        rec, rows = store.get(case_id)
        audit = store.audit(case_id, _time(as_of) if not rec.finished or as_of else None)
    if fmt == "json":
        body = json.loads(render_audit_json(audit, lang))
        body["trail"] = [{**r.body(), "hash": r.hash} for r in rows]
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    click.echo("trail:" if lang != "zh" else "留痕：")
    for r in rows:
        mark = "" if r.accepted else ("  ✗ 被拒绝" if lang == "zh" else "  ✗ refused")
        click.echo(f"  #{r.seq:<5} {field(r.time)}  {field(r.event):<18} {field(r.person):<8} "
                   f"{field(r.from_step)} → {field(r.to_step)}{mark}  {r.hash[:10]}")
    click.echo("")
    click.echo(render_audit_text(audit, lang))


@case.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only cases not yet finished.")
@lang_option
@_store_option
def list_(open_only: bool, lang: str | None, store_path: str, key_file: str | None) -> None:
    """List the cases in the store."""
    with _open(store_path, key_file, lang, readonly=True) as store:
        for r in store.list(open_only):
            state = "finished" if r.finished else "open"
            click.echo(f"{field(r.case_id)}\t{field(r.power)}\t{field(r.step)}\t{state}\t"
                       f"{r.events} events\t{field(r.updated_at)}")


@case.command()
@click.option("--as-of", default=None, help="ISO 8601 time (default: now).")
@click.option("--yellow-at", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=None, help="Yellow share of a limit (default: the catalogue's, 0.9).")
@lang_option
@_store_option
def overdue(as_of: str | None, yellow_at: float | None, lang: str | None,
            store_path: str, key_file: str | None) -> None:
    """Open cases turning yellow or red. Exit 1 when there are any."""
    lang = lang or default_lang()
    with _open(store_path, key_file, lang, readonly=True) as store:
        found = store.overdue(_time(as_of), yellow_at)
    for rec, a in found:
        cur = a.path[-1]
        click.echo(f"{field(rec.case_id)}\t{field(rec.power)}\t{'case' if lang != 'zh' else '办件'} "
                   f"{a.total_days}/{a.promised} {a.case_status or '-'}\t"
                   f"{cur.step} {cur.days}/{cur.limit if cur.limit is not None else '-'} "
                   f"{cur.status or '-'}")
    sys.exit(1 if found else 0)


@case.command()
@click.argument("case_id")
@click.argument("flow", type=click.Path(exists=True, dir_okay=False))
@click.option("--reason", required=True, help="Why the case moves to this version (kept).")
@click.option("--person", default=None, help="Who decided it.")
@click.option("--time", "when", default=None, help="ISO 8601 time (default: now).")
@lang_option
@_store_option
def migrate(case_id: str, flow: str, reason: str, person: str | None, when: str | None,
            lang: str | None, store_path: str, key_file: str | None) -> None:
    """Move CASE_ID to the current content of FLOW (a chained @migrate entry with the reason).

    A case stays pinned to the flow version it was opened with; this is the only way to judge
    it by an edited file."""
    with _open(store_path, key_file, lang) as store:
        rec = store.migrate(case_id, flow, _time(when), reason, person)
    click.echo(f"{rec.case_id}: now pinned to {rec.flow_path} {rec.flow_sha256[:12]} "
               f"(step {rec.step})")


@case.command()
@click.option("--anchor", "anchor_file", default=None, type=click.Path(dir_okay=False),
              help="Also check the chain against an anchor written by `case anchor`.")
@lang_option
@_store_option
def verify(anchor_file: str | None, lang: str | None, store_path: str,
           key_file: str | None) -> None:
    """Check the whole store: the trail's chain, every case's entries, the pinned flow versions
    (and an anchor). Exit 1 on any problem, 2 when the file is not a case store."""
    lang = lang or default_lang()
    with _open(store_path, key_file, lang, readonly=True) as store:
        res = store.verify(_anchor(anchor_file, store_path) if anchor_file else None)
    _echo(res.diagnostics, lang, err=False)
    click.echo(f"{res.rows} trail rows, {res.chain} head {res.head}: "
               f"{'OK' if res.ok else f'{len(res.problems)} problem(s)'}", err=not res.ok)
    sys.exit(0 if res.ok else 1)


def _anchor(path: str, store_path: str) -> Anchor:
    from ..engine.store.base import StoreError, store_diagnostic
    from ..engine.store.ledger import parse_anchor

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(store_diagnostic("PF806", path, f"the anchor cannot be read: {exc}",
                                          f"无法读取锚点文件：{exc}")) from None
    return parse_anchor(text, path)


@case.command()
@click.option("-o", "--output", default=None, type=click.Path(dir_okay=False),
              help="Write the anchor to this file (default: standard output).")
@lang_option
@_store_option
def anchor(output: str | None, lang: str | None, store_path: str, key_file: str | None) -> None:
    """Verify the store and write its anchor (rows, head hash, chain kind, UTC time) as JSON.

    Keep it outside the store (another system, a signed report, a printout): `case verify
    --anchor FILE` then detects rows removed or rewritten up to that point."""
    lang = lang or default_lang()
    with _open(store_path, key_file, lang, readonly=True) as store:
        a = store.anchor(dt.datetime.now(dt.UTC))
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(a.to_json())
        click.echo(f"{a.rows} trail rows, head {a.head}: anchor written to {output}")
    else:
        click.echo(a.to_json(), nl=False)
