"""The SQLite case store: one file, no server, safe for several processes at once.

Takes a database path (and an optional chain key, kept outside the database); gives
`SqliteStore`, a `CaseStore`. The file holds four tables: `meta` (format, schema version, chain
kind, key check, head hash and row count), `trail` (the hash-chained rows), `flows` (the bytes of
every pinned flow version, addressed by their sha256, which the chained rows name) and `heads`
(each case's latest state, a copy kept so `fire` need not re-read a long trail). A case's
facts, power, unit, flow version, step, events and whether it is finished are derived from its
trail rows (`ledger.CaseFold`): the copy in `heads` is used only when its hash is the one chained
in the case's last row, the opening and last rows match their own hashes and the rows after them
(or the recorded head) name those hashes; otherwise the whole trail of the case is folded again,
and `verify` reports the mismatch.

A store is opened for creation (`create=True`, only when the path does not exist), for writing,
or read-only (`readonly=True`: `mode=ro`, no WAL switch, no table created, the file unchanged).
A missing, empty or foreign file (another program's SQLite database) is refused before anything
is written. Writes run in WAL mode with a busy timeout; every write is one `BEGIN IMMEDIATE`
transaction, so concurrent writers are serialised and neither loses nor doubles an event, and a
process killed mid-write leaves the previous consistent state. An optional idempotency `key`
makes a retried fire return the first result instead of doubling it.

Must not: read the system clock (times are passed in) or print; hash rows any other way than
`ledger.Chain`.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import groupby
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ...diagnostics import Diagnostic, Location, Text
from ..audit import CaseAudit, audit_events
from ..case import CaseEvent, parse_time
from ..compile import CaseModel, CompiledFlow, EventNotAllowed
from ..onecase import timed_out
from . import ledger, pinned
from .base import (
    GENESIS,
    MIGRATE_EVENT,
    OPEN_EVENT,
    Anchor,
    CaseExists,
    CaseRecord,
    FireResult,
    StoreError,
    TrailRow,
    VerifyResult,
    canonical_json,
    store_diagnostic,
)

__all__ = ["SCHEMA_VERSION", "SqliteStore"]

FORMAT = "powerflow-cases"
SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trail (
  seq INTEGER PRIMARY KEY, case_id TEXT NOT NULL, n INTEGER NOT NULL, time TEXT NOT NULL,
  event TEXT NOT NULL, person TEXT, post TEXT, evidence TEXT NOT NULL, from_step TEXT,
  to_step TEXT, accepted INTEGER NOT NULL, reason TEXT, detail TEXT NOT NULL, key TEXT UNIQUE,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (case_id, n));
CREATE TABLE IF NOT EXISTS flows (sha256 TEXT PRIMARY KEY, content BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS heads (case_id TEXT PRIMARY KEY, seq INTEGER NOT NULL,
  state TEXT NOT NULL)
"""
_META = ("format", "schema", "chain", "key_check", "head", "rows")
"""The keys of `meta`, no more and no fewer."""
_SQLITE_HEADER = b"SQLite format 3\x00"
_START = Text("Give the right path with --store (or $POWERFLOW_STORE); `powerflow case open` "
              "creates a new store.", "用 --store（或 $POWERFLOW_STORE）给出正确的路径；"
              "`powerflow case open` 会新建办件库。")


def _iso(t: dt.datetime) -> str:
    return t.isoformat()


class SqliteStore:
    """Live cases in one SQLite file. Open one per process (connections are not shared)."""

    def __init__(self, path: str | Path, key: bytes | None = None, *, create: bool = False,
                 readonly: bool = False, busy_timeout: float = 60.0) -> None:
        self.path = str(path)
        self.dir = Path(self.path).resolve().parent
        self.chain = ledger.Chain(key)
        self.readonly = readonly
        self._new = False
        self._versions: dict[pinned.VersionKey, CompiledFlow] = {}
        self.db = self._connect(create and not readonly, busy_timeout)
        try:
            self._check_format()
            if not readonly:
                self._prepare(busy_timeout)
        except BaseException:
            self.db.close()
            raise

    # ------------------------------------------------------------------ opening

    def _refuse(self, code: str, en: str, zh: str, hint: Text | None = _START) -> StoreError:
        return StoreError(store_diagnostic(code, self.path, en, zh, hint))

    def _connect(self, create: bool, timeout: float) -> sqlite3.Connection:
        p = Path(self.path)
        if not p.exists():
            if not create:
                raise self._refuse("PF801", "no case store here (nothing was created)",
                                   "此处没有办件库（未创建任何文件）")
            self._new = True
            return self._uri("rwc", timeout)
        if not p.is_file():
            raise self._refuse("PF803", "not a case store: it is not a file", "不是办件库：不是文件")
        with p.open("rb") as f:
            header = f.read(len(_SQLITE_HEADER))
        if not header:
            raise self._refuse("PF802", "the file is empty (0 bytes): not a case store",
                               "文件为空（0 字节），不是办件库", Text(
                                   "If the store was emptied, restore it from a backup; to start "
                                   "a new store, remove the empty file first.",
                                   "如办件库被清空，请从备份恢复；如需新建，请先删除该空文件。"))
        if header != _SQLITE_HEADER:
            raise self._refuse("PF803", "not a case store: not an SQLite database",
                               "不是办件库：不是 SQLite 数据库")
        return self._uri("ro" if self.readonly else "rw", timeout)

    def _uri(self, mode: str, timeout: float) -> sqlite3.Connection:
        uri = f"file:{quote(str(Path(self.path).resolve()))}?mode={mode}"
        db = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
        if mode == "ro":
            try:
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError:  # WAL file in a folder we cannot write to
                db.close()
                db = sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None)
        return db

    def _meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta").fetchall())

    def _check_format(self) -> None:
        try:
            tables = {r[0] for r in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
            if not tables and self._new:
                return self._create()
            meta = self._meta() if "meta" in tables else {}
        except sqlite3.DatabaseError as exc:
            raise self._refuse("PF803", f"not a case store: {exc}", f"不是办件库：{exc}") from None
        if meta.get("format") == "powerflow-cases 1":
            raise self._refuse(
                "PF804", "the store has format 1 (powerflow 0.1), whose case table is outside "
                "the hash chain; this version reads format 2 only", "该库为第 1 版格式"
                "（powerflow 0.1），办件表不在哈希链内；本版本只读取第 2 版格式", Text(
                    "Keep the file as evidence (its trail is readable with sqlite3) and open "
                    "the live cases again in a new store.", "保留原文件作为证据（留痕可用 sqlite3 "
                    "读取），在新库中重新登记在办件。"))
        if meta.get("format") != FORMAT:
            raise self._refuse("PF803", "not a case store: another program's SQLite database "
                               "(left unchanged)", "不是办件库：其他程序的 SQLite 数据库（未改动）")
        missing = sorted({"trail", "flows", "heads"} - tables) + sorted(
            f"meta {k}" for k in set(_META) ^ set(meta))
        rows, head = meta.get("rows"), meta.get("head")
        if missing or not (isinstance(rows, str) and rows.isdigit() and isinstance(head, str)
                           and len(head) == len(GENESIS)):
            what = ", ".join(missing) if missing else "its recorded head"
            raise self._refuse("PF803", f"a damaged case store: {what} is missing",
                               f"办件库已损坏：缺少 {what}", Text(
                                   "Restore the store from a backup.", "请从备份恢复办件库。"))
        if meta.get("schema") != str(SCHEMA_VERSION):
            raise self._refuse("PF804", f"the store has schema version {meta.get('schema')}; "
                               f"this powerflow reads version {SCHEMA_VERSION}",
                               f"办件库结构版本为 {meta.get('schema')}，本程序读取第 "
                               f"{SCHEMA_VERSION} 版", None)
        self._check_key(meta)
        return None

    def _check_key(self, meta: dict[str, str]) -> None:
        kind = meta.get("chain")
        hint = Text("Give the key with --key-file or $POWERFLOW_STORE_KEY_FILE "
                    "($POWERFLOW_STORE_KEY).", "用 --key-file 或 $POWERFLOW_STORE_KEY_FILE"
                    "（$POWERFLOW_STORE_KEY）给出密钥。")
        if kind == ledger.HMAC and self.chain.key is None:
            raise self._refuse("PF805", "the store's chain is keyed (HMAC-SHA256): it is only "
                               "read or checked with its key", "该库为带密钥的哈希链"
                               "（HMAC-SHA256），须提供密钥方可读取或校验", hint)
        if kind == ledger.SHA256 and self.chain.key is not None:
            raise self._refuse("PF805", "a key was given, but the store's chain is not keyed "
                               "(it was created without a key, or its chain was replaced)",
                               "提供了密钥，但该库的哈希链不带密钥（创建时未设密钥，或链已被替换）",
                               None)
        if kind not in (ledger.SHA256, ledger.HMAC):
            raise self._refuse("PF804", f"unknown chain kind {kind!r}", f"未知的哈希链类型 {kind!r}",
                               None)
        if meta.get("key_check", "") != self.chain.key_check():
            raise self._refuse("PF805", "the key given is not the store's key",
                               "所给密钥不是该库的密钥", hint)

    def _create(self) -> None:
        self.db.execute("PRAGMA journal_mode = WAL")
        with self._write():
            for stmt in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
                self.db.execute(stmt)
            rows = dict(zip(_META, (FORMAT, str(SCHEMA_VERSION), self.chain.kind,
                                    self.chain.key_check(), GENESIS, "0"), strict=True))
            self.db.executemany("INSERT OR IGNORE INTO meta VALUES (?, ?)", rows.items())
        self._check_format()  # another process may have created it first, differently

    def _prepare(self, busy_timeout: float) -> None:
        self.db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")

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

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            self.db.execute("COMMIT")

    # ------------------------------------------------------------------ writes

    def _append(self, row: TrailRow) -> TrailRow:
        head = self.db.execute("SELECT value FROM meta WHERE key='head'").fetchone()[0]
        rows = int(self.db.execute("SELECT value FROM meta WHERE key='rows'").fetchone()[0])
        row = TrailRow(**{**row.body(), "evidence": row.evidence, "seq": rows + 1,
                          "prev_hash": head})
        h = self.chain.hash(head, row.body())
        self.db.execute(
            "INSERT INTO trail VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (row.seq, row.case_id, row.n, row.time, row.event, row.person, row.post,
             json.dumps(list(row.evidence), ensure_ascii=False), row.from_step, row.to_step,
             int(row.accepted), row.reason, json.dumps(row.detail, ensure_ascii=False,
                                                       sort_keys=True), row.key, head, h))
        self.db.execute("UPDATE meta SET value=? WHERE key='head'", (h,))
        self.db.execute("UPDATE meta SET value=? WHERE key='rows'", (str(row.seq),))
        return TrailRow(**{**row.body(), "evidence": row.evidence, "hash": h})

    def _append_case(self, fold: ledger.CaseFold, row: TrailRow) -> TrailRow:
        """Append a case's next row, stamped with the state it leads to, and keep that state
        in `heads`."""
        row, state = fold.stamp(row)
        out = self._append(row)
        self.db.execute("INSERT OR REPLACE INTO heads VALUES (?, ?, ?)",
                        (row.case_id, out.seq, canonical_json(state)))
        return out

    def _store_version(self, version: pinned.FlowVersion) -> None:
        self.db.executemany("INSERT OR IGNORE INTO flows VALUES (?, ?)", version.blobs())

    def open_case(self, case_id: str, flow_path: str, facts: dict[str, Any],
                  time: dt.datetime, person: str | None = None,
                  unit: str | None = None) -> CaseRecord:
        """Open a case pinned to the flow file's current content (and its catalogue's);
        `unit` is the handling unit (by default the flow's department), kept in the chained
        opening row."""
        version, compiled = pinned.load(flow_path, self.dir)
        with self._write():
            if self.db.execute("SELECT 1 FROM trail WHERE case_id=? LIMIT 1",
                               (case_id,)).fetchone():
                raise CaseExists(store_diagnostic(
                    "PF808", f"{self.path}#{case_id}", f"case {case_id} is already open",
                    f"办件 {case_id} 已经立案"))
            self._store_version(version)
            if unit is None and compiled.flow.department:
                unit = compiled.flow.department.name
            fold = ledger.CaseFold(case_id, f"{self.path}#{case_id}", self.chain)
            self._append_case(fold, TrailRow(
                0, case_id, 0, _iso(time), OPEN_EVENT, person, None, (), None, compiled.initial,
                True, None, {"power": compiled.flow.info.code, "unit": unit, "facts": facts,
                             **version.detail()}, None, GENESIS))
        return self._record(self._fold(case_id))

    def fire(self, case_id: str, time: dt.datetime, event: str, person: str | None = None,
             post: str | None = None, evidence: tuple[str, ...] = (),
             key: str | None = None) -> FireResult:
        with self._write():
            if key is not None:
                old = self.db.execute("SELECT * FROM trail WHERE key=?", (key,)).fetchone()
                if old is not None:
                    return FireResult(self._read(old), None, duplicate=True)
            fold = self._fold(case_id)
            self._not_before(fold, time)
            compiled = self._compiled(fold.version)
            model = CaseModel(case_id, fold.step, fold.detail["facts"])
            error: EventNotAllowed | None = None
            try:
                compiled.move(model, event, post)
            except EventNotAllowed as err:
                error = err
            detail = {} if error is None else {"allowed": list(error.allowed)}
            row = self._append_case(fold, TrailRow(
                0, case_id, fold.next_n, _iso(time), event, person, post, tuple(evidence),
                fold.step, model.state if error is None else None, error is None,
                None if error is None else f"{error.reason}: {error}", detail, key, GENESIS))
        note = pinned.drift(self._record(fold), self.dir, f"{self.path}#{case_id}")
        return FireResult(row, error, notes=(note,) if note else ())

    def migrate(self, case_id: str, flow_path: str, time: dt.datetime, reason: str,
                person: str | None = None) -> CaseRecord:
        """Move a live case to the flow file's current version: a chained `@migrate` row with
        the old and new version and the reason. Refused when nothing changes, the power differs
        or the case's step is not in the new version."""
        version, compiled = pinned.load(flow_path, self.dir)
        where = f"{self.path}#{case_id}"
        with self._write():
            fold = self._fold(case_id)
            self._not_before(fold, time)
            why = _migration_refused(fold, version, compiled, reason)
            if why:
                raise StoreError(store_diagnostic("PF811", where, f"case {case_id} is not "
                                                  f"migrated: {why[0]}", f"办件 {case_id} 未迁移："
                                                  f"{why[1]}"))
            self._store_version(version)
            self._append_case(fold, TrailRow(
                0, case_id, fold.next_n, _iso(time), MIGRATE_EVENT, person, None, (), fold.step,
                fold.step, True, None, {**version.detail(), "reason": reason,
                                        "from_flow_sha256": fold.version[0],
                                        "from_catalog_sha256": fold.version[1],
                                        "from_calendar_sha256": fold.version[2]}, None, GENESIS))
        return self._record(self._fold(case_id))

    def _not_before(self, fold: ledger.CaseFold, time: dt.datetime) -> None:
        if time < parse_time(fold.updated_at):
            raise StoreError(store_diagnostic(
                "PF809", f"{self.path}#{fold.case_id}", f"case {fold.case_id}: the time "
                f"{_iso(time)} is before the case's last event ({fold.updated_at})",
                f"办件 {fold.case_id}：时间 {_iso(time)} 早于本件上一事件（{fold.updated_at}）"))

    # ------------------------------------------------------------------ reads

    def _rows(self, case_id: str) -> list[TrailRow]:
        return [self._read(r) for r in self.db.execute(
            "SELECT * FROM trail WHERE case_id=? ORDER BY n", (case_id,))]

    def _read(self, r: tuple[Any, ...]) -> TrailRow:
        """A stored row, or `StoreError` PF822 when it cannot be read."""
        try:
            return _row(r)
        except (ValueError, TypeError, IndexError) as exc:
            raise StoreError(store_diagnostic(
                "PF822", self.path, f"trail row {r[0] if r else '?'} cannot be read ({exc})",
                f"留痕第 {r[0] if r else '?'} 行无法读取（{exc}）",
                Text("Run `powerflow case verify` and compare the store with its backup.",
                     "运行 `powerflow case verify`，并与备份比对。"),
                r[0] if r and isinstance(r[0], int) else 0)) from None

    def _fold(self, case_id: str, rows: list[TrailRow] | None = None) -> ledger.CaseFold:
        if rows is None:
            fast = self._head(case_id)
            if fast is not None:
                return fast
            rows = self._rows(case_id)
        return ledger.fold_case(case_id, rows, self.chain, f"{self.path}#{case_id}")

    def _head(self, case_id: str) -> ledger.CaseFold | None:
        """The case's state from `heads`, if the chain vouches for it (else None)."""
        h = self.db.execute("SELECT seq, state FROM heads WHERE case_id=?", (case_id,)).fetchone()
        if h is None:
            return None
        ends = self.db.execute(
            "SELECT * FROM trail WHERE case_id=? AND n IN (0, (SELECT MAX(n) FROM trail "
            "WHERE case_id=?)) ORDER BY n", (case_id, case_id)).fetchall()
        try:
            rows = [_row(r) for r in ends]
            state = json.loads(h[1])
            last = rows[-1]
            if (last.seq != h[0] or rows[0].n != 0 or not all(map(self.chain.row_ok, rows))
                    or last.detail.get("state") != ledger.state_hash(state)
                    or not self._linked(rows)):
                return None
            fold = ledger.CaseFold.from_state(case_id, f"{self.path}#{case_id}", self.chain,
                                              state)
            fold.last_seq = last.seq
            return fold
        except (ValueError, TypeError, KeyError, IndexError):
            return None

    def _linked(self, rows: list[TrailRow]) -> bool:
        """Whether the row after each of `rows` (or the recorded head) names its hash."""
        after = dict(self.db.execute(
            "SELECT seq, prev_hash FROM trail WHERE seq IN (?, ?)",
            (rows[0].seq + 1, rows[-1].seq + 1)).fetchall())
        head = self.db.execute("SELECT value FROM meta WHERE key='head'").fetchone()[0]
        return all(after.get(r.seq + 1, head) == r.hash for r in rows)

    def _compiled(self, version: pinned.VersionKey) -> CompiledFlow:
        """The compiled flow of a pinned version, from the bytes the store keeps (checked
        against their hash once per store object)."""
        hit = self._versions.get(version)
        if hit is None:
            hit = self._versions[version] = self._load_version(version)
        return hit

    def _blob(self, sha: str | None) -> bytes | None:
        if sha is None:
            return None
        r = self.db.execute("SELECT content FROM flows WHERE sha256=?", (sha,)).fetchone()
        if r is None or not isinstance(r[0], bytes) or pinned.sha256(r[0]) != sha:
            raise StoreError(store_diagnostic(
                "PF821", self.path, f"the pinned flow version {sha[:12]} is "
                f"{'missing from' if r is None else 'changed in'} the store",
                f"锁定的流程版本 {sha[:12]} 在库中{'缺失' if r is None else '被改动'}",
                Text("Restore the store from a backup.", "请从备份恢复办件库。")))
        return bytes(r[0])

    def _load_version(self, version: pinned.VersionKey) -> CompiledFlow:
        flow, cat, cal = (self._blob(sha) for sha in version)
        name = f"{version[0][:12]}.yaml"
        calendar = pinned.calendar_name(cat, "catalog.yaml") if cat is not None else None
        return pinned.compile_version(
            pinned.FlowVersion(flow or b"", cat, cal, ".", name, "catalog.yaml" if cat else None,
                               calendar), name, "catalog.yaml" if cat else None)

    def _record(self, fold: ledger.CaseFold) -> CaseRecord:
        return fold.record(self._compiled(fold.version).ends)

    def get(self, case_id: str) -> tuple[CaseRecord, list[TrailRow]]:
        rows = self._rows(case_id)
        return self._record(self._fold(case_id, rows)), rows

    def audit(self, case_id: str, as_of: dt.datetime | None = None,
              yellow_at: float | None = None) -> CaseAudit:
        rows = self._rows(case_id)
        fold = self._fold(case_id, rows)
        rec = self._record(fold)
        events = [r for r in rows if r.event not in (OPEN_EVENT, MIGRATE_EVENT)]
        seqs = [r.seq for r in events]

        def locate(i: int | None) -> Location:
            return Location(f"{self.path}#{case_id}", seqs[i] if i is not None else rows[0].seq,
                            1)

        return audit_events(
            self._compiled(fold.version), case_id, rec.facts, _case_events(events), locate,
            yellow_at=yellow_at, as_of=as_of or parse_time(rec.updated_at),
            opened=parse_time(rec.opened_at), effect=[r.accepted for r in events])

    def _trail_events(self, case_id: str) -> tuple[CaseRecord, Any, list[CaseEvent], list[bool]]:
        rows = self._rows(case_id)
        fold = self._fold(case_id, rows)
        events = [r for r in rows if r.event not in (OPEN_EVENT, MIGRATE_EVENT)]
        return (self._record(fold), fold.version, _case_events(events),
                [r.accepted for r in events])

    def overdue(self, as_of: dt.datetime,
                yellow_at: float | None = None) -> list[tuple[CaseRecord, CaseAudit]]:
        """Open cases with a step or the whole case yellow or red at `as_of`: the open cases
        of each flow are judged together in one pass of the deviation core (as one log), and
        only those flagged are audited one by one for the report."""
        by_version: dict[Any, list[tuple[CaseRecord, list[CaseEvent], list[bool]]]] = {}
        for rec in self.list(open_only=True):
            rec_, version, events, effect = self._trail_events(rec.case_id)
            by_version.setdefault(version, []).append((rec_, events, effect))
        out: list[str] = []
        for version, group in by_version.items():
            compiled = self._compiled(version)
            flagged = timed_out(compiled.flow, [(r.case_id, r.facts, ev) for r, ev, _e in group],
                                as_of=as_of, effect=[x for _r, _ev, e in group for x in e],
                                yellow_at=yellow_at,
                                opened=[parse_time(r.opened_at) for r, _ev, _e in group])
            out += [group[i][0].case_id for i in flagged]
        keep = set(out)
        return [(rec, self.audit(rec.case_id, as_of, yellow_at))
                for rec in self.list(open_only=True) if rec.case_id in keep]

    # ------------------------------------------------------------------ verify

    def verify(self, anchor: Anchor | None = None) -> VerifyResult:
        """Walk the whole chain (order, links, hashes, each case's rules, the recorded head,
        the anchor), check every pinned flow version and re-make every decision with it; flow
        files changed or moved under live cases are reported as warnings."""
        with self._snapshot():
            check = ledger.ChainCheck(self.chain, self.path, anchor)
            for r in self.db.execute("SELECT * FROM trail ORDER BY seq"):
                try:
                    check.feed(_row(r))
                except (ValueError, TypeError, IndexError) as exc:
                    check.unreadable(r[0] if r and isinstance(r[0], int) else 0, str(exc))
            meta = self._meta()
            check.finish(meta.get("head"), meta.get("rows"))
            diags = check.diagnostics
            for cid, fold in check.cases.items():
                if cid not in check.broken:
                    diags += self._verify_case(fold)
            diags += self._verify_heads(check.cases)
        return VerifyResult(check.count, check.prev, diags, self.chain.kind)

    def _verify_heads(self, cases: dict[str, ledger.CaseFold]) -> list[Diagnostic]:
        """The kept copies of case states: one per case, equal to what the trail says."""
        kept = {str(r[0]): (r[1], r[2]) for r in self.db.execute(
            "SELECT case_id, seq, state FROM heads")}
        out = []
        for cid in sorted(set(kept) | set(cases)):
            fold = cases.get(cid)
            if fold is not None and kept.get(cid) == (fold.last_seq, canonical_json(fold.state())):
                continue
            out.append(store_diagnostic(
                "PF820", f"{self.path}#{cid}", f"case {cid}: the state kept in `heads` does not "
                "match its trail (edited; the trail is what counts)",
                f"办件 {cid}：`heads` 中保存的状态与留痕不符（被改动；以留痕为准）"))
        return out

    def _verify_case(self, fold: ledger.CaseFold) -> list[Diagnostic]:
        try:
            problems = ledger.replay(fold, self._rows(fold.case_id), self._compiled)
            rec = self._record(fold)
        except StoreError as exc:
            return [exc.diagnostic]
        if problems or rec.finished:
            return problems
        note = pinned.drift(rec, self.dir, f"{self.path}#{rec.case_id}")
        return [note] if note else []

    def anchor(self, time: dt.datetime) -> Anchor:
        """The verified head to keep elsewhere; `StoreError` when the chain has a problem."""
        res = self.verify()
        errors = [d for d in res.diagnostics if d.is_error]
        if errors:
            raise StoreError(errors[0])
        return ledger.make_anchor(res.rows, res.head, self.chain, time, Path(self.path).name)


    def list(self, open_only: bool = False) -> list[CaseRecord]:
        """Every case (or every unfinished one) as its trail says, in order of opening."""
        with self._snapshot():
            rows = (self._read(r) for r in self.db.execute(
                "SELECT * FROM trail ORDER BY case_id, n"))
            recs = [self._record(self._fold(cid, list(group)))
                    for cid, group in groupby(rows, key=lambda r: r.case_id)]
        recs.sort(key=lambda r: (r.opened_at, r.case_id))
        return [r for r in recs if not (open_only and r.finished)]

def _migration_refused(fold: ledger.CaseFold, version: pinned.FlowVersion,
                       compiled: CompiledFlow, reason: str) -> tuple[str, str] | None:
    if not reason.strip():
        return "give the reason (--reason)", "须说明理由（--reason）"
    if version.key == fold.version:
        return ("it already runs under this version of the flow", "办件已按该版本流程运行")
    if compiled.flow.info.code != fold.detail["power"]:
        return (f"the file is power {compiled.flow.info.code}, the case is "
                f"{fold.detail['power']}", f"该文件为事项 {compiled.flow.info.code}，"
                f"办件属于 {fold.detail['power']}")
    if fold.step not in compiled.states:
        return (f"the new version has no step {fold.step}, where the case stands",
                f"新版本中没有办件当前所在的环节 {fold.step}")
    return None


_TYPES = (int, str, int, str, str, str | None, str | None, str, str | None, str | None, int,
          str | None, str, str | None, str, str)
"""The type of each `trail` column as written (SQLite keeps whatever a tool puts there)."""


def _row(r: tuple[Any, ...]) -> TrailRow:
    """A stored row; `TypeError`/`ValueError` when a value is not what the store writes."""
    bad = [i for i, (v, t) in enumerate(zip(r, _TYPES, strict=True)) if not isinstance(v, t)]
    if bad:
        raise TypeError(f"column {bad[0] + 1} holds {type(r[bad[0]]).__name__}")
    evidence, detail = json.loads(r[7]), json.loads(r[12])
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence) or (
            not isinstance(detail, dict)):
        raise ValueError("evidence or detail is not what the store writes")
    return TrailRow(seq=r[0], case_id=r[1], n=r[2], time=r[3], event=r[4], person=r[5],
                    post=r[6], evidence=tuple(evidence), from_step=r[8], to_step=r[9],
                    accepted=bool(r[10]), reason=r[11], detail=detail, key=r[13],
                    prev_hash=r[14], hash=r[15])


def _case_events(rows: list[TrailRow]) -> list[CaseEvent]:
    return [CaseEvent.model_construct(time=parse_time(r.time), event=r.event, person=r.person,
                                      post=r.post, evidence=r.evidence, note=None)
            for r in rows]
