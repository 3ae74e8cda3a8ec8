"""The SQLite case store: one file, no server, safe for several processes at once.

Takes a database path (and an optional chain key, kept outside the database); gives
`SqliteStore`, a `CaseStore`. The file holds four tables: `meta` (format, schema version, chain
kind, key check, head hash and row count), `trail` (the hash-chained rows), `flows` (the bytes of
every pinned flow version, addressed by their sha256, which the chained rows name) and `heads`
(each case's latest state, a copy kept so `fire` need not re-read a long trail). A case's
facts, power, unit, flow version, step, events and whether it is finished are derived from its
trail rows (`ledger.CaseFold`): the copy in `heads` is used only when its hash is the one chained
in the case's last row and the opening and last rows match their own hashes; otherwise the
whole trail of the case is folded again, and `verify` reports the mismatch.

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
        self._versions: dict[tuple[str, str | None], CompiledFlow] = {}
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
        if meta.get("format") != FORMAT or not {"trail", "flows", "heads"} <= tables:
            raise self._refuse("PF803", "not a case store: another program's SQLite database "
                               "(left unchanged)", "不是办件库：其他程序的 SQLite 数据库（未改动）")
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
            rows = {"format": FORMAT, "schema": str(SCHEMA_VERSION), "chain": self.chain.kind,
                    "key_check": self.chain.key_check(), "head": GENESIS, "rows": "0"}
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

    def _pin(self, version: pinned.FlowVersion) -> CompiledFlow:
        compiled = pinned.compile_version(version.flow_bytes, version.catalog_bytes,
                                          version.flow, version.catalog)
        return compiled

    def _store_version(self, version: pinned.FlowVersion) -> None:
        for sha, data in ((version.flow_sha256, version.flow_bytes),
                          (version.catalog_sha256, version.catalog_bytes)):
            if sha is not None and data is not None:
                self.db.execute("INSERT OR IGNORE INTO flows VALUES (?, ?)", (sha, data))

    def open_case(self, case_id: str, flow_path: str, facts: dict[str, Any],
                  time: dt.datetime, person: str | None = None,
                  unit: str | None = None) -> CaseRecord:
        """Open a case pinned to the flow file's current content (and its catalogue's);
        `unit` is the handling unit (by default the flow's department), kept in the chained
        opening row."""
        version = pinned.read_version(flow_path, self.dir)
        compiled = self._pin(version)
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
                    return FireResult(_row(old), None, duplicate=True)
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
        version = pinned.read_version(flow_path, self.dir)
        compiled = self._pin(version)
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
                                        "from_catalog_sha256": fold.version[1]}, None, GENESIS))
        return self._record(self._fold(case_id))

    def _not_before(self, fold: ledger.CaseFold, time: dt.datetime) -> None:
        if time < parse_time(fold.updated_at):
            raise StoreError(store_diagnostic(
                "PF809", f"{self.path}#{fold.case_id}", f"case {fold.case_id}: the time "
                f"{_iso(time)} is before the case's last event ({fold.updated_at})",
                f"办件 {fold.case_id}：时间 {_iso(time)} 早于本件上一事件（{fold.updated_at}）"))

    # ------------------------------------------------------------------ reads

    def _rows(self, case_id: str) -> list[TrailRow]:
        return [_row(r) for r in self.db.execute(
            "SELECT * FROM trail WHERE case_id=? ORDER BY n", (case_id,))]

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
                    or last.detail.get("state") != ledger.state_hash(state)):
                return None
            return ledger.CaseFold.from_state(case_id, f"{self.path}#{case_id}", self.chain,
                                              state)
        except (ValueError, TypeError, KeyError, IndexError):
            return None

    def _compiled(self, version: tuple[str, str | None]) -> CompiledFlow:
        """The compiled flow of a pinned version, from the bytes the store keeps (checked
        against their hash once per store object)."""
        hit = self._versions.get(version)
        if hit is None:
            hit = self._versions[version] = self._load_version(version)
        return hit

    def _load_version(self, version: tuple[str, str | None]) -> CompiledFlow:
        blobs: list[bytes | None] = []
        for sha in version:
            if sha is None:
                blobs.append(None)
                continue
            r = self.db.execute("SELECT content FROM flows WHERE sha256=?", (sha,)).fetchone()
            if r is None or pinned.sha256(bytes(r[0])) != sha:
                raise StoreError(store_diagnostic(
                    "PF821", self.path, f"the pinned flow version {sha[:12]} is "
                    f"{'missing from' if r is None else 'changed in'} the store",
                    f"锁定的流程版本 {sha[:12]} 在库中{'缺失' if r is None else '被改动'}",
                    Text("Restore the store from a backup.", "请从备份恢复办件库。")))
            blobs.append(bytes(r[0]))
        return pinned.compile_version(blobs[0] or b"", blobs[1], f"{version[0][:12]}.yaml",
                                      "catalog.yaml" if version[1] else None)

    def _record(self, fold: ledger.CaseFold) -> CaseRecord:
        return fold.record(self._compiled(fold.version).ends)

    def get(self, case_id: str) -> tuple[CaseRecord, list[TrailRow]]:
        rows = self._rows(case_id)
        return self._record(self._fold(case_id, rows)), rows

    def audit(self, case_id: str, as_of: dt.datetime | None = None,
              yellow_at: float | None = None) -> CaseAudit:
        """Audit a live case from its trail under its pinned flow (refused attempts are
        audited as refused)."""
        rows = self._rows(case_id)
        fold = self._fold(case_id, rows)
        rec = self._record(fold)
        events = [r for r in rows if r.event not in (OPEN_EVENT, MIGRATE_EVENT)]
        seqs = [r.seq for r in events]

        def locate(i: int | None) -> Location:
            return Location(f"{self.path}#{case_id}", seqs[i] if i is not None else rows[0].seq,
                            1)

        return audit_events(
            self._compiled(fold.version), case_id, rec.facts,
            [CaseEvent.model_construct(time=parse_time(r.time), event=r.event, person=r.person,
                                       post=r.post, evidence=r.evidence, note=None)
             for r in events], locate, yellow_at=yellow_at,
            as_of=as_of or parse_time(rec.updated_at), opened=parse_time(rec.opened_at))

    def overdue(self, as_of: dt.datetime,
                yellow_at: float | None = None) -> list[tuple[CaseRecord, CaseAudit]]:
        """Open cases whose current step or whole case is yellow or red at `as_of`."""
        out = []
        for rec in self.list(open_only=True):
            a = self.audit(rec.case_id, as_of, yellow_at)
            open_step = a.path[-1].status if a.path else ""
            if a.case_status in ("yellow", "red") or open_step in ("yellow", "red") or any(
                    v.status == "red" for v in a.path):
                out.append((rec, a))
        return out

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
        kept = {r[0]: r[1] for r in self.db.execute("SELECT case_id, state FROM heads")}
        out = []
        for cid in sorted(set(kept) | set(cases)):
            fold = cases.get(cid)
            if fold is not None and kept.get(cid) == canonical_json(fold.state()):
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
            rows = (_row(r) for r in self.db.execute("SELECT * FROM trail ORDER BY case_id, n"))
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


def _row(r: tuple[Any, ...]) -> TrailRow:
    return TrailRow(seq=r[0], case_id=r[1], n=r[2], time=r[3], event=r[4], person=r[5],
                    post=r[6], evidence=tuple(json.loads(r[7])), from_step=r[8], to_step=r[9],
                    accepted=bool(r[10]), reason=r[11], detail=json.loads(r[12]), key=r[13],
                    prev_hash=r[14], hash=r[15])
