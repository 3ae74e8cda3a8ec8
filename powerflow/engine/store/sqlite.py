"""The SQLite case store: one file, no server, safe for several processes at once.

Takes a database path and a flow resolver (path → `CompiledFlow`, by default
`engine.flows.load_compiled`); gives `SqliteStore`, a `CaseStore`. The database runs in WAL mode
with a busy timeout; every write is one `BEGIN IMMEDIATE` transaction, so two processes firing
events are serialised and neither loses nor doubles an event, and a process killed mid-write
leaves the previous consistent state (SQLite rolls the unfinished transaction back). Each event
is checked against the compiled machine before it is appended: an allowed event moves the case;
a refused one is appended as a rejected attempt (`accepted = 0`, with the reason) and the case
stays put. Every row is hash-chained (`base.chain_hash`) and the head hash and row count are kept
in `meta`, so `verify` detects a row edited, inserted or deleted with any SQLite tool. An
optional idempotency `key` makes a retried fire return the first result instead of doubling it.

Must not: read the system clock (times are passed in) or print.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ...diagnostics import Location
from ..audit import CaseAudit, audit_events
from ..case import CaseEvent, parse_time
from ..compile import CaseModel, CompiledFlow, EventNotAllowed
from ..onecase import timed_out
from .base import (
    GENESIS,
    OPEN_EVENT,
    CaseExists,
    CaseNotFound,
    CaseRecord,
    FireResult,
    StoreError,
    TrailRow,
    VerifyResult,
    chain_hash,
)

__all__ = ["SqliteStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cases (
  case_id TEXT PRIMARY KEY, power TEXT NOT NULL, flow_path TEXT NOT NULL, facts TEXT NOT NULL,
  step TEXT NOT NULL, finished INTEGER NOT NULL, opened_at TEXT NOT NULL,
  updated_at TEXT NOT NULL, events INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS trail (
  seq INTEGER PRIMARY KEY, case_id TEXT NOT NULL, n INTEGER NOT NULL, time TEXT NOT NULL,
  event TEXT NOT NULL, person TEXT, post TEXT, evidence TEXT NOT NULL, from_step TEXT,
  to_step TEXT, accepted INTEGER NOT NULL, reason TEXT, detail TEXT NOT NULL, key TEXT UNIQUE,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (case_id, n));
INSERT OR IGNORE INTO meta VALUES ('head', '0000000000000000000000000000000000000000000000000000000000000000');
INSERT OR IGNORE INTO meta VALUES ('rows', '0');
INSERT OR IGNORE INTO meta VALUES ('format', 'powerflow-cases 1');
"""

Resolver = Callable[[str], CompiledFlow]


def _default_resolver(path: str) -> CompiledFlow:
    from ..flows import load_compiled

    fl = load_compiled(path)
    if fl.compiled is None:
        first = next((d for d in fl.diagnostics if d.is_error), None)
        why = f"{first.location}: {first.message.en}" if first else "it does not load"
        raise StoreError(f"the flow {path} cannot be used: {why}")
    return fl.compiled


def _iso(t: dt.datetime) -> str:
    return t.isoformat()


class SqliteStore:
    """Live cases in one SQLite file. Open one per process (connections are not shared)."""

    def __init__(self, path: str | os.PathLike[str], resolver: Resolver | None = None,
                 busy_timeout: float = 60.0) -> None:
        self.path = str(path)
        self.resolve = resolver or _default_resolver
        self.db = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None)
        self.db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        with self._write():
            for stmt in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
                self.db.execute(stmt)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ------------------------------------------------------------------ writes

    def _append(self, row: TrailRow) -> TrailRow:
        head = self.db.execute("SELECT value FROM meta WHERE key='head'").fetchone()[0]
        rows = int(self.db.execute("SELECT value FROM meta WHERE key='rows'").fetchone()[0])
        row = TrailRow(**{**row.body(), "evidence": row.evidence, "seq": rows + 1,
                          "prev_hash": head})
        h = chain_hash(head, row.body())
        self.db.execute(
            "INSERT INTO trail VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (row.seq, row.case_id, row.n, row.time, row.event, row.person, row.post,
             json.dumps(list(row.evidence), ensure_ascii=False), row.from_step, row.to_step,
             int(row.accepted), row.reason, json.dumps(row.detail, ensure_ascii=False,
                                                       sort_keys=True), row.key, head, h))
        self.db.execute("UPDATE meta SET value=? WHERE key='head'", (h,))
        self.db.execute("UPDATE meta SET value=? WHERE key='rows'", (str(row.seq),))
        return TrailRow(**{**row.body(), "evidence": row.evidence, "hash": h})

    def open_case(self, case_id: str, flow_path: str, facts: dict[str, Any],
                  time: dt.datetime, person: str | None = None) -> CaseRecord:
        path = str(Path(flow_path).resolve())
        compiled = self.resolve(path)
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        with self._write():
            if self.db.execute("SELECT 1 FROM cases WHERE case_id=?", (case_id,)).fetchone():
                raise CaseExists(f"case {case_id} is already open in {self.path}")
            self._append(TrailRow(
                0, case_id, 0, _iso(time), OPEN_EVENT, person, None, (), None, compiled.initial,
                True, None, {"power": compiled.flow.code, "flow": path, "flow_sha256": digest,
                             "facts": facts}, None, GENESIS))
            self.db.execute("INSERT INTO cases VALUES (?,?,?,?,?,?,?,?,?)",
                            (case_id, compiled.flow.code, path,
                             json.dumps(facts, ensure_ascii=False, sort_keys=True),
                             compiled.initial, 0, _iso(time), _iso(time), 0))
        return self._case(case_id)

    def fire(self, case_id: str, time: dt.datetime, event: str, person: str | None = None,
             post: str | None = None, evidence: tuple[str, ...] = (),
             key: str | None = None) -> FireResult:
        with self._write():
            if key is not None:
                old = self.db.execute("SELECT * FROM trail WHERE key=?", (key,)).fetchone()
                if old is not None:
                    return FireResult(_row(old), None, duplicate=True)
            rec = self._case(case_id)
            if time < parse_time(rec.updated_at):
                raise StoreError(f"case {case_id}: the event time {_iso(time)} is before the "
                                 f"case's last event ({rec.updated_at})")
            compiled = self.resolve(rec.flow_path)
            model = CaseModel(case_id, rec.step, rec.facts)
            error: EventNotAllowed | None = None
            try:
                compiled.fire(model, event, post)
            except EventNotAllowed as err:
                error = err
            n = int(self.db.execute("SELECT COALESCE(MAX(n), 0) FROM trail WHERE case_id=?",
                                    (case_id,)).fetchone()[0]) + 1
            detail = {} if error is None else {"allowed": list(error.allowed)}
            row = self._append(TrailRow(
                0, case_id, n, _iso(time), event, person, post, tuple(evidence), rec.step,
                model.state if error is None else None, error is None,
                None if error is None else f"{error.reason}: {error}", detail, key, GENESIS))
            if error is None:
                self.db.execute(
                    "UPDATE cases SET step=?, finished=?, updated_at=?, events=events+1 "
                    "WHERE case_id=?",
                    (model.state, int(model.state in compiled.ends), _iso(time), case_id))
        return FireResult(row, error)

    # ------------------------------------------------------------------ reads

    def _case(self, case_id: str) -> CaseRecord:
        r = self.db.execute("SELECT * FROM cases WHERE case_id=?", (case_id,)).fetchone()
        if r is None:
            raise CaseNotFound(f"no case {case_id!r} in {self.path}")
        return CaseRecord(r[0], r[1], r[2], json.loads(r[3]), r[4], bool(r[5]), r[6], r[7], r[8])

    def get(self, case_id: str) -> tuple[CaseRecord, list[TrailRow]]:
        rec = self._case(case_id)
        rows = [_row(r) for r in self.db.execute(
            "SELECT * FROM trail WHERE case_id=? ORDER BY seq", (case_id,))]
        return rec, rows

    def audit(self, case_id: str, as_of: dt.datetime | None = None,
              yellow_at: float | None = None) -> CaseAudit:
        """Audit a live case from its trail (refused attempts are audited as refused)."""
        rec, rows = self.get(case_id)
        compiled = self.resolve(rec.flow_path)
        events = [CaseEvent.model_construct(time=parse_time(r.time), event=r.event,
                                            person=r.person, post=r.post, evidence=r.evidence,
                                            note=None)
                  for r in rows if r.event != OPEN_EVENT]
        seqs = [r.seq for r in rows if r.event != OPEN_EVENT]
        effect = [r.accepted for r in rows if r.event != OPEN_EVENT]
        opened = rows[0].seq if rows else 0

        def locate(i: int | None) -> Location:
            return Location(f"{self.path}#{case_id}", seqs[i] if i is not None else opened, 1)

        return audit_events(compiled, case_id, rec.facts, events, locate, yellow_at=yellow_at,
                            as_of=as_of or parse_time(rec.updated_at),
                            opened=parse_time(rec.opened_at), effect=effect)

    def _trail_events(self, case_id: str) -> tuple[CaseRecord, list[CaseEvent], list[bool]]:
        rec, rows = self.get(case_id)
        rows = [r for r in rows if r.event != OPEN_EVENT]
        return rec, [CaseEvent.model_construct(time=parse_time(r.time), event=r.event,
                                               person=r.person, post=r.post,
                                               evidence=r.evidence, note=None)
                     for r in rows], [r.accepted for r in rows]

    def overdue(self, as_of: dt.datetime,
                yellow_at: float | None = None) -> list[tuple[CaseRecord, CaseAudit]]:
        """Open cases with a step or the whole case yellow or red at `as_of`: the open cases
        of each flow are judged together in one pass of the deviation core (as one log), and
        only those flagged are audited one by one for the report."""
        by_flow: dict[str, list[tuple[CaseRecord, list[CaseEvent], list[bool]]]] = {}
        for rec in self.list(open_only=True):
            by_flow.setdefault(rec.flow_path, []).append(self._trail_events(rec.case_id))
        out: list[str] = []
        for flow_path, group in by_flow.items():
            compiled = self.resolve(flow_path)
            flagged = timed_out(compiled.flow, [(r.case_id, r.facts, ev) for r, ev, _e in group],
                                as_of=as_of, effect=[x for _r, _ev, e in group for x in e],
                                yellow_at=yellow_at,
                                opened=[parse_time(r.opened_at) for r, _ev, _e in group])
            out += [group[i][0].case_id for i in flagged]
        keep = set(out)
        return [(rec, self.audit(rec.case_id, as_of, yellow_at))
                for rec in self.list(open_only=True) if rec.case_id in keep]

    def verify(self) -> VerifyResult:
        """Recompute the chain; check it against `meta` and the cases against their trail."""
        self.db.execute("BEGIN")
        try:
            return self._verify()
        finally:
            self.db.execute("COMMIT")

    def _verify(self) -> VerifyResult:
        problems: list[str] = []
        prev, expected, count = GENESIS, 1, 0
        last: dict[str, tuple[str | None, int, str]] = {}
        for r in self.db.execute("SELECT * FROM trail ORDER BY seq"):
            count += 1
            try:
                row = _row(r)
            except (ValueError, TypeError) as exc:
                problems.append(f"row {r[0]}: unreadable ({exc})")
                continue
            if row.seq != expected:
                problems.append(f"rows {expected}..{row.seq - 1} are missing (deleted?)")
            expected = row.seq + 1
            if row.prev_hash != prev:
                problems.append(f"row {row.seq}: does not follow row {row.seq - 1} "
                                "(a row before it was changed or deleted)")
            if chain_hash(row.prev_hash, row.body()) != row.hash:
                problems.append(f"row {row.seq} ({row.case_id} {row.event}): its content does "
                                "not match its hash (edited)")
            prev = row.hash
            if row.accepted:
                if row.event == OPEN_EVENT:
                    last[row.case_id] = (row.to_step, 0, row.time)
                else:
                    _s, k, _t = last.get(row.case_id, (None, 0, ""))
                    last[row.case_id] = (row.to_step, k + 1, row.time)
        meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("head") != prev or meta.get("rows") != str(count):
            problems.append(f"the trail ends at row {count} with hash {prev[:12]}…, but the store "
                            f"recorded {meta.get('rows')} rows ending {str(meta.get('head'))[:12]}…"
                            " (rows at the end were deleted or added)")
        for c in self.db.execute("SELECT case_id, step, events FROM cases"):
            want = last.pop(c[0], None)
            if want is None:
                problems.append(f"case {c[0]}: no opening row in the trail")
            elif (want[0], want[1]) != (c[1], c[2]):
                problems.append(f"case {c[0]}: the case says step {c[1]} after {c[2]} event(s); "
                                f"the trail says {want[0]} after {want[1]}")
        problems += [f"case {cid}: in the trail but missing from the cases table" for cid in last]
        return VerifyResult(count, prev, problems)

    def list(self, open_only: bool = False) -> list[CaseRecord]:
        sql = "SELECT case_id FROM cases" + (" WHERE finished=0" if open_only else "")
        return [self._case(r[0]) for r in self.db.execute(sql + " ORDER BY opened_at, case_id")]


def _row(r: tuple[Any, ...]) -> TrailRow:
    return TrailRow(seq=r[0], case_id=r[1], n=r[2], time=r[3], event=r[4], person=r[5],
                    post=r[6], evidence=tuple(json.loads(r[7])), from_step=r[8], to_step=r[9],
                    accepted=bool(r[10]), reason=r[11], detail=json.loads(r[12]), key=r[13],
                    prev_hash=r[14], hash=r[15])
