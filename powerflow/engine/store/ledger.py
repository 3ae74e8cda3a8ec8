"""The rules of the trail that every backend shares: the chain, a case's state, the anchor.

Takes trail rows (`base.TrailRow`, in order) and an optional key; gives `Chain` (how rows are
hashed, sha256 or HMAC-SHA256, and the key check kept in the store), `CaseFold` (a case's state
derived from its rows alone: facts, power, unit, pinned flow version, step, events, times, each
row checked against its hash and against the case's rules), `ChainCheck` (the whole-store
walk of `verify`: order, links, hashes, the recorded head, an anchor), `replay` (every decision
in a case's trail re-made with its pinned flow) and the anchor's file format.

Must not: touch a database or a file, or read the clock. A backend (SQLite today, a server
database later) only stores rows and feeds them here, so the chain logic is written once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ...diagnostics import Diagnostic, Text
from ..case import parse_time
from ..compile import CaseModel, CompiledFlow, EventNotAllowed
from .base import (
    GENESIS,
    MIGRATE_EVENT,
    OPEN_EVENT,
    Anchor,
    CaseNotFound,
    CaseRecord,
    StoreError,
    TrailRow,
    canonical_json,
    chain_hash,
    store_diagnostic,
)

__all__ = [
    "CaseFold",
    "Chain",
    "ChainCheck",
    "fold_case",
    "make_anchor",
    "parse_anchor",
    "replay",
    "state_hash",
]

SHA256 = "sha256"
HMAC = "hmac-sha256"
_KEY_CHECK = b"powerflow-cases key check"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_VERIFY = Text("Run `powerflow case verify` and compare the store with its backup.",
               "运行 `powerflow case verify`，并与备份比对。")


@dataclass(frozen=True)
class Chain:
    """How the rows of one store are hashed: unkeyed sha256, or HMAC-SHA256 with `key`."""

    key: bytes | None = None

    @property
    def kind(self) -> str:
        return HMAC if self.key is not None else SHA256

    def hash(self, prev_hash: str, body: dict[str, Any]) -> str:
        return chain_hash(prev_hash, body, self.key)

    def key_check(self) -> str:
        """What the store keeps to recognise its key (not the key; "" when unkeyed)."""
        if self.key is None:
            return ""
        return hmac.new(self.key, _KEY_CHECK, hashlib.sha256).hexdigest()

    def row_ok(self, row: TrailRow) -> bool:
        return hmac.compare_digest(self.hash(row.prev_hash, row.body()), row.hash)


def _d(code: str, where: str, seq: int, en: str, zh: str, hint: Text | None = _VERIFY
       ) -> Diagnostic:
    return store_diagnostic(code, where, en, zh, hint, seq)


_FLOW_KEYS = ("root", "flow", "catalog", "calendar", "flow_sha256", "catalog_sha256",
              "calendar_sha256")
_CASE_KEYS = ("power", "unit", "facts", *_FLOW_KEYS)


def state_hash(state: dict[str, Any]) -> str:
    """sha256 of a case's state (`CaseFold.state`); every row keeps the hash of the state it
    leads to (`detail["state"]`), so a copy of the state kept beside the trail for speed can be
    trusted only when it matches the chained hash of the case's last row."""
    return hashlib.sha256(canonical_json(state).encode("utf-8")).hexdigest()


@dataclass
class CaseFold:
    """A case's state folded from its trail rows, fed in `n` order. `feed` returns the
    problems a row has (none for a sound row); the state is only trusted when none had any."""

    case_id: str
    where: str
    chain: Chain
    detail: dict[str, Any] = field(default_factory=dict)
    step: str = ""
    opened_at: str = ""
    updated_at: str = ""
    events: int = 0
    next_n: int = 0
    last_time: dt.datetime | None = None
    last_seq: int = 0
    """The `seq` of the case's last row (not part of the state: a backend's bookkeeping)."""

    @property
    def version(self) -> tuple[str, str | None, str | None]:
        """The pinned version: sha256 of the power file, its catalogue, its calendar file."""
        d = self.detail
        return d.get("flow_sha256", ""), d.get("catalog_sha256"), d.get("calendar_sha256")

    def state(self) -> dict[str, Any]:
        return {"detail": self.detail, "step": self.step, "opened_at": self.opened_at,
                "updated_at": self.updated_at, "events": self.events, "next_n": self.next_n}

    @classmethod
    def from_state(cls, case_id: str, where: str, chain: Chain, state: dict[str, Any]
                   ) -> CaseFold:
        return cls(case_id, where, chain, dict(state["detail"]), str(state["step"]),
                   str(state["opened_at"]), str(state["updated_at"]), int(state["events"]),
                   int(state["next_n"]), parse_time(state["updated_at"]))

    def stamp(self, row: TrailRow) -> tuple[TrailRow, dict[str, Any]]:
        """`row` (the case's next) with the hash of the state it leads to, and that state."""
        after = replace(self, detail=dict(self.detail))
        after._apply(row)
        state = after.state()
        return replace(row, detail={**row.detail, "state": state_hash(state)}), state

    def feed(self, row: TrailRow) -> list[Diagnostic]:
        if not self.chain.row_ok(row):
            return [_d("PF815", self.where, row.seq,
                       f"trail row {row.seq} ({row.case_id} {row.event}) was changed after it "
                       "was written: its content does not match its hash",
                       f"留痕第 {row.seq} 行（{row.case_id} {row.event}）写入后被改动：内容与哈希不符")]
        problem = self._rules(row)
        if problem is None:
            self._apply(row)
            if row.detail.get("state") != state_hash(self.state()):
                problem = ("the case state it records does not follow from the case's entries",
                           "其记录的办件状态与本件各条记录不符")
        if problem:
            return [_d("PF820", self.where, row.seq, f"case {self.case_id}, trail row "
                       f"{row.seq}: {problem[0]}", f"办件 {self.case_id} 留痕第 {row.seq} 行："
                       f"{problem[1]}")]
        return []

    def _rules(self, row: TrailRow) -> tuple[str, str] | None:
        if row.n != self.next_n:
            return (f"entry {self.next_n} of the case is missing (the next is {row.n})",
                    f"缺少本件第 {self.next_n} 条记录（下一条为第 {row.n} 条）")
        if (row.n == 0) != (row.event == OPEN_EVENT):
            return ("the case does not start with its opening entry",
                    "办件的第一条记录不是立案记录")
        try:
            t = parse_time(row.time)
        except ValueError:
            return f"unreadable time {row.time!r}", f"时间无法读取：{row.time!r}"
        if self.last_time is not None and t < self.last_time:
            return ("its time is before the case's last accepted event",
                    "时间早于本件上一条已接受的事件")
        if row.n == 0:
            return _open_rules(row)
        if row.from_step != self.step:
            return (f"it starts from step {row.from_step}, but the case was at {self.step}",
                    f"起始环节为 {row.from_step}，但办件当时位于 {self.step}")
        if row.event == MIGRATE_EVENT:
            return _migrate_rules(row)
        if row.accepted != (row.to_step is not None):
            return "an accepted entry without a step (or the reverse)", "接受标记与目标环节不符"
        return None

    def _apply(self, row: TrailRow) -> None:
        self.next_n = row.n + 1
        self.last_seq = row.seq
        if row.n == 0:
            self.detail = {k: row.detail.get(k) for k in _CASE_KEYS}
            self.step = str(row.to_step)
            self.opened_at = self.updated_at = row.time
            self.last_time = parse_time(row.time)
        elif row.event == MIGRATE_EVENT:
            self.detail = {**self.detail, **{k: row.detail[k] for k in _FLOW_KEYS}}
        elif row.accepted:
            self.step = str(row.to_step)
            self.events += 1
            self.updated_at = row.time
            self.last_time = parse_time(row.time)

    def record(self, ends: frozenset[str]) -> CaseRecord:
        d = self.detail
        return CaseRecord(self.case_id, str(d["power"]), str(d["flow"]), dict(d["facts"]),
                          self.step, self.step in ends, self.opened_at, self.updated_at,
                          self.events, str(d["flow_sha256"]), d.get("catalog_sha256"),
                          d.get("calendar_sha256"), d.get("unit"), str(d["root"]))


def _flow_fields_bad(d: dict[str, Any]) -> bool:
    return not (isinstance(d.get("root"), str) and isinstance(d.get("flow"), str)
                and isinstance(d.get("flow_sha256"), str)
                and _HEX64.match(d["flow_sha256"]) is not None
                and (d.get("catalog") is None) == (d.get("catalog_sha256") is None)
                and (d.get("calendar") is None) == (d.get("calendar_sha256") is None))


def _open_rules(row: TrailRow) -> tuple[str, str] | None:
    d = row.detail
    if (not row.accepted or row.to_step is None or not isinstance(d.get("power"), str)
            or not isinstance(d.get("facts"), dict) or _flow_fields_bad(d)):
        return ("the opening entry lacks the power, facts or pinned flow version",
                "立案记录缺少事项、事实或锁定的流程版本")
    return None


def _migrate_rules(row: TrailRow) -> tuple[str, str] | None:
    if not row.accepted or row.to_step != row.from_step or _flow_fields_bad(row.detail):
        return ("the migration entry is malformed", "流程版本迁移记录格式不符")
    return None


def fold_case(case_id: str, rows: list[TrailRow], chain: Chain, where: str) -> CaseFold:
    """A case's state from all its rows; raises `StoreError` at the first unsound row, so no
    decision is ever taken on a changed or inconsistent trail."""
    fold = CaseFold(case_id, where, chain)
    for row in rows:
        problems = fold.feed(row)
        if problems:
            raise StoreError(problems[0])
    if fold.next_n == 0:
        raise CaseNotFound(store_diagnostic(
            "PF807", where, f"no case {case_id!r} in this store",
            f"本库中没有办件 {case_id!r}",
            Text("`powerflow case list` shows the cases.", "`powerflow case list` 列出所有办件。")))
    return fold


@dataclass
class ChainCheck:
    """`verify`'s walk over every row in `seq` order: gaps, links, hashes, each case's rules,
    and the head against the recorded head and an anchor. Holds one small state per case."""

    chain: Chain
    where: str
    anchor: Anchor | None = None
    prev: str = GENESIS
    count: int = 0
    expected: int = 1
    anchored: str | None = None
    cases: dict[str, CaseFold] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def feed(self, row: TrailRow) -> None:
        self.count += 1
        if row.seq != self.expected:
            self.diagnostics.append(_d(
                "PF817", self.where, row.seq, f"trail rows {self.expected}..{row.seq - 1} are "
                "missing (deleted)", f"留痕第 {self.expected}..{row.seq - 1} 行缺失（被删除）"))
        self.expected = row.seq + 1
        if row.prev_hash != self.prev:
            self.diagnostics.append(_d(
                "PF816", self.where, row.seq, f"trail row {row.seq} does not follow row "
                f"{row.seq - 1} (a row before it was changed, inserted or deleted)",
                f"留痕第 {row.seq} 行与第 {row.seq - 1} 行衔接不上（其前的记录被改动、插入或删除）"))
        self.prev = row.hash
        if self.anchor is not None and row.seq == self.anchor.rows:
            self.anchored = row.hash
        fold = self.cases.setdefault(row.case_id, CaseFold(
            row.case_id, f"{self.where}#{row.case_id}", self.chain))
        if row.case_id in self.broken:
            return
        problems = fold.feed(row)
        if problems:
            self.broken.add(row.case_id)
            self.diagnostics += problems

    def unreadable(self, seq: int, why: str) -> None:
        self.count += 1
        self.expected = seq + 1
        self.diagnostics.append(_d("PF822", self.where, seq, f"trail row {seq} cannot be read "
                                   f"({why})", f"留痕第 {seq} 行无法读取（{why}）"))

    def finish(self, head: str | None, rows: str | None) -> None:
        if head != self.prev or rows != str(self.count):
            self.diagnostics.append(_d(
                "PF818", self.where, 0, f"the trail has {self.count} rows ending with hash "
                f"{self.prev[:12]}…, but the store recorded {rows} rows ending with "
                f"{str(head)[:12]}… (rows were deleted or added)",
                f"留痕共 {self.count} 行，链尾哈希 {self.prev[:12]}…，但库中记录为 {rows} 行、"
                f"链头 {str(head)[:12]}…（有记录被删除或添加）"))
        if self.anchor is not None:
            self._check_anchor(self.anchor)

    def _check_anchor(self, a: Anchor) -> None:
        why: tuple[str, str] | None = None
        if a.chain != self.chain.kind:
            why = (f"the anchor was taken of a {a.chain} chain; the store is {self.chain.kind}",
                   f"锚点记录的是 {a.chain} 链，而本库为 {self.chain.kind}")
        elif self.count < a.rows:
            why = (f"the store has {self.count} rows; the anchor of {a.time} recorded {a.rows} "
                   "(rows were removed)", f"本库有 {self.count} 行，{a.time} 的锚点记录为 "
                   f"{a.rows} 行（记录被删除）")
        elif a.rows and self.anchored != a.head:
            why = (f"row {a.rows} has hash {str(self.anchored)[:12]}…; the anchor of {a.time} "
                   f"recorded {a.head[:12]}… (rows up to it were rewritten)",
                   f"第 {a.rows} 行哈希为 {str(self.anchored)[:12]}…，{a.time} 的锚点记录为 "
                   f"{a.head[:12]}…（此前的记录被重写）")
        if why:
            self.diagnostics.append(_d("PF819", self.where, a.rows, *why))


def replay(fold: CaseFold, rows: list[TrailRow], compiled_for: Callable[
        [tuple[str, str | None, str | None]], CompiledFlow]) -> list[Diagnostic]:
    """Re-make every decision of a sound case with the flow version pinned at that point:
    an accepted entry must be allowed and reach its step, a refused one must be refused."""
    state = CaseFold(fold.case_id, fold.where, fold.chain)
    for row in rows:
        if row.n > 0 and row.event not in (OPEN_EVENT, MIGRATE_EVENT):
            compiled = compiled_for(state.version)
            model = CaseModel(fold.case_id, state.step, state.detail["facts"])
            try:
                compiled.move(model, row.event, row.post)
                outcome: str | None = model.state
            except EventNotAllowed:
                outcome = None
            if outcome != row.to_step:
                said = row.to_step or "refused"
                got = outcome or "refused"
                return [_d("PF820", fold.where, row.seq, f"case {fold.case_id}, trail row "
                           f"{row.seq}: the trail says {row.event} gave {said}; its pinned flow "
                           f"gives {got}", f"办件 {fold.case_id} 留痕第 {row.seq} 行：记录为 "
                           f"{row.event} → {said}，按锁定的流程应为 {got}")]
        state.feed(row)
    return []


def make_anchor(rows: int, head: str, chain: Chain, time: dt.datetime, store: str) -> Anchor:
    return Anchor(rows, head, time.astimezone(dt.UTC).isoformat(timespec="seconds"),
                  chain.kind, store)


def parse_anchor(text: str, file: str) -> Anchor:
    """An anchor file's content, or `StoreError` PF806 saying what is wrong with it."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        data, why = None, f"not JSON ({exc})"
    else:
        why = "expected an object with format, rows, head, chain and time"
    ok = (isinstance(data, dict) and data.get("format") == "powerflow-cases-anchor 1"
          and isinstance(data.get("rows"), int) and not isinstance(data.get("rows"), bool)
          and data["rows"] >= 0 and isinstance(data.get("head"), str)
          and _HEX64.match(data["head"]) is not None and data.get("chain") in (SHA256, HMAC)
          and isinstance(data.get("time"), str))
    if not ok or not isinstance(data, dict):
        raise StoreError(store_diagnostic(
            "PF806", file, f"not a case-store anchor: {why}", f"不是办件库锚点文件：{why}",
            Text("Write one with `powerflow case anchor -o FILE`.",
                 "用 `powerflow case anchor -o 文件` 生成锚点。")))
    return Anchor(data["rows"], data["head"], data["time"], data["chain"],
                  str(data.get("store", "")))
