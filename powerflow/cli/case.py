"""`powerflow case open|fire|show|list|overdue|verify`: live cases in an embedded store."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..terminal import field
from .options import default_lang, lang_option

if TYPE_CHECKING:
    from ..engine.store.sqlite import SqliteStore

F = TypeVar("F", bound=Callable[..., Any])


def _store_option(f: F) -> F:
    return click.option("--store", "store_path", default="powerflow-cases.sqlite3",
                        show_default=True, envvar="POWERFLOW_STORE",
                        help="The case store (an SQLite file; created when missing).")(f)


def _time(value: str | None) -> dt.datetime:
    from ..engine.case import CHINA_TZ, parse_time

    if value is None:
        return dt.datetime.now(CHINA_TZ).replace(microsecond=0)
    try:
        return parse_time(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@contextmanager
def _open(path: str) -> Iterator[SqliteStore]:
    from ..engine.store.base import StoreError
    from ..engine.store.sqlite import SqliteStore

    try:
        with SqliteStore(path) as store:
            yield store
    except StoreError as exc:
        click.echo(f"powerflow case: {exc}", err=True)
        sys.exit(2)
    except sqlite3.DatabaseError as exc:
        click.echo(f"powerflow case: {path}: {exc} (is it a powerflow case store?)", err=True)
        sys.exit(2)


@click.group()
def case() -> None:
    """Track live cases in a store with a hash-chained audit trail.

    Every fired event is checked against the flow and appended to the trail; refused events are
    recorded as rejected attempts and the command exits 1.
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
@_store_option
def open_(flow: str, case_id: str, facts: tuple[str, ...], when: str | None,
          person: str | None, store_path: str) -> None:
    """Open CASE_ID as a new case of the power in FLOW."""
    with _open(store_path) as store:
        rec = store.open_case(case_id, flow, dict(_fact(f) for f in facts), _time(when), person)
    click.echo(f"opened {rec.case_id} ({rec.power}) at step {rec.step}")


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
         store_path: str) -> None:
    """Fire EVENT on CASE_ID. Exit 1 when the flow does not allow it (the attempt is kept)."""
    lang = lang or default_lang()
    ev = tuple(x.strip() for e in evidence for x in e.split(",") if x.strip())
    with _open(store_path) as store:
        res = store.fire(case_id, _time(when), event, person, post, ev, key)
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
def show(case_id: str, fmt: str, as_of: str | None, lang: str | None, store_path: str) -> None:
    """Show a case: its trail and its audit as of now (or --as-of)."""
    from ..report.case import render_audit_json, render_audit_text

    lang = lang or default_lang()
    with _open(store_path) as store:
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
@_store_option
def list_(open_only: bool, store_path: str) -> None:
    """List the cases in the store."""
    with _open(store_path) as store:
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
            store_path: str) -> None:
    """Open cases turning yellow or red. Exit 1 when there are any."""
    lang = lang or default_lang()
    with _open(store_path) as store:
        found = store.overdue(_time(as_of), yellow_at)
    for rec, a in found:
        cur = a.path[-1]
        click.echo(f"{field(rec.case_id)}\t{field(rec.power)}\t{'case' if lang != 'zh' else '办件'} "
                   f"{a.total_days}/{a.promised} {a.case_status or '-'}\t"
                   f"{cur.step} {cur.days}/{cur.limit if cur.limit is not None else '-'} "
                   f"{cur.status or '-'}")
    sys.exit(1 if found else 0)


@case.command()
@_store_option
def verify(store_path: str) -> None:
    """Check the trail's hash chain and the cases against it. Exit 1 on any problem."""
    with _open(store_path) as store:
        res = store.verify()
    for p in res.problems:
        click.echo(f"{store_path}: {p}")
    click.echo(f"{res.rows} trail rows, head {res.head}: "
               f"{'OK' if res.ok else f'{len(res.problems)} problem(s)'}", err=not res.ok)
    sys.exit(0 if res.ok else 1)
