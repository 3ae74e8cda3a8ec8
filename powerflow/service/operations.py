"""What the API and the pages both do with cases, with who-may-do-what checked once.

Takes a `ServiceConfig` and a `Principal`; gives `Desk`: open a case of a power, fire an event
(idempotent per user and key), read a case with its audit as of now, list the live cases with
their cards (filtered, sorted, paged on the server), import case files, and verify the store. A refusal is an
`OperationError` with an HTTP status and a bilingual message; the callers only render it.

Must not: write or read cases other than through `CaseStore`, audit other than through the
store's audit, or render HTML/JSON responses.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Text
from ..engine.case import load_case, parse_time
from ..engine.flows import find_flow, load_compiled
from ..engine.store.base import CaseNotFound, CaseRecord, FireResult, StoreError, TrailRow
from ..loader import discover
from ..model import Flow
from ..source import read_yaml
from . import cards
from .accounts import Principal
from .config import ServiceConfig

__all__ = ["SORT_KEYS", "Desk", "Filters", "ImportResult", "OperationError", "Page"]

_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
_CASE_ID = re.compile(r"^[^\x00-\x1f\x7f/\\]{1,120}$")
FUTURE_SLACK = dt.timedelta(minutes=5)


class OperationError(Exception):
    """A request refused: `status` for HTTP, `code` a short name, a bilingual message."""

    def __init__(self, status: int, code: str, text: Text, **extra: Any) -> None:
        super().__init__(text.en)
        self.status, self.code, self.text, self.extra = status, code, text, extra

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message_en": self.text.en, "message_zh": self.text.zh,
                **self.extra}


def _not_found(case_id: str) -> OperationError:
    return OperationError(404, "case-not-found", Text(
        f"no case {case_id} that you may see", f"没有您有权查看的办件 {case_id}"))


def _forbidden(en: str, zh: str) -> OperationError:
    return OperationError(403, "forbidden", Text(en, zh))


@dataclass(frozen=True)
class Filters:
    color: str | None = None
    power: str | None = None
    unit: str | None = None
    q: str | None = None
    sort: str = "card"
    page: int = 1
    per_page: int = 50
    finished: bool = False


@dataclass(frozen=True)
class Page:
    items: list[cards.CaseCard]
    total: int
    page: int
    pages: int
    counts: dict[str, int]
    as_of: dt.datetime


@dataclass(frozen=True)
class ImportResult:
    """One imported case file: events fired, already there (a repeated import), refused by
    the flow (kept in the trail as refused); `case` None when the file has errors."""

    path: str
    case: str | None
    fired: int
    duplicates: int
    refused: int
    diagnostics: tuple[Diagnostic, ...]


@dataclass
class Desk:
    """The case operations of one running service."""

    config: ServiceConfig
    _units: dict[str, str | None] = field(default_factory=dict)
    _powers: dict[str, Path] = field(default_factory=dict)
    _ambiguous: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- lookups
    def powers(self) -> dict[str, Path]:
        """Power code -> power file of the catalogue (indexed once per service)."""
        with self._lock:
            if not self._powers:
                for f, _cat in discover([self.config.flows]):
                    data = read_yaml(f.read_bytes(), str(f)).data
                    power = data.get("power") if isinstance(data, dict) else None
                    if isinstance(power, dict) and power.get("code"):
                        code = str(power["code"])
                        if code in self._powers:
                            self._ambiguous.add(code)
                        self._powers.setdefault(code, f)
            return self._powers

    def flow_path(self, power: str) -> Path:
        """The power file of `power`; a code found in no file or several is refused."""
        hit = self.powers().get(power)
        found = find_flow(power, self.config.flows) if hit is None or (
            power in self._ambiguous) else [hit]
        if len(found) != 1:
            raise OperationError(422, "unknown-power", Text(
                f"no single power {power!r} in the catalogue ({len(found)} files match)",
                f"目录中没有唯一的事项 {power!r}（匹配 {len(found)} 个文件）"))
        return found[0]

    def flow(self, power: str) -> Flow | None:
        loaded = load_compiled(self.flow_path(power))
        return loaded.compiled.flow if loaded.compiled else None

    def _unit(self, case_id: str) -> str | None:
        """A case's unit (fixed at opening, so remembered)."""
        if case_id not in self._units:
            try:
                rec, _ = self.config.store().get(case_id)
            except CaseNotFound:
                raise _not_found(case_id) from None
            self._units[case_id] = rec.unit
        return self._units[case_id]

    def _time(self, value: str | None) -> dt.datetime:
        now = self.config.now()
        if value is None:
            return now
        try:
            t = parse_time(value)
        except ValueError as exc:
            raise OperationError(422, "bad-time", Text(str(exc), f"时间格式不对：{value!r}"
                                                       "，应如 2025-03-03T09:30:00+08:00")) from None
        if t > now + FUTURE_SLACK:
            raise OperationError(422, "time-in-future", Text(
                f"the time {t.isoformat()} is after now ({now.isoformat()})",
                f"时间 {t.isoformat()} 晚于当前时间（{now.isoformat()}）"))
        return t

    # -- writes
    def open_case(self, who: Principal, case_id: str, power: str, unit: str | None,
                  facts: dict[str, Any], time: str | None) -> CaseRecord:
        if not _CASE_ID.match(case_id):
            raise OperationError(422, "bad-case-id", Text(
                "a case id is 1-120 characters, without control characters or slashes",
                "办件编号为 1-120 个字符，不含控制字符和斜杠"))
        unit = unit or who.unit
        if not who.can_write(unit):
            raise _forbidden(f"you may not open cases of unit {unit!r}",
                             f"您无权为单位 {unit!r} 立案")
        path = self.flow_path(power)
        try:
            rec = self.config.store().open_case(case_id, str(path), facts, self._time(time),
                                                who.name, unit=unit)
        except StoreError as exc:
            raise _store_refusal(exc) from None
        self._units[case_id] = rec.unit
        return rec

    def fire(self, who: Principal, case_id: str, event: str, time: str | None,
             person: str | None, post: str | None, evidence: tuple[str, ...],
             key: str | None) -> FireResult:
        if not who.can_read(self._unit(case_id)):
            raise _not_found(case_id)
        if not who.can_write(self._unit(case_id)):
            raise _forbidden("you may read this case but not record events on it",
                             "您可以查看本办件，但无权登记事项")
        if key is not None and not _KEY.match(key):
            raise OperationError(422, "bad-idempotency-key", Text(
                "an Idempotency-Key is 1-200 printable ASCII characters",
                "Idempotency-Key 须为 1-200 个可打印 ASCII 字符"))
        scoped = None if key is None else f"{who.name}\x1f{key}"
        try:
            res = self.config.store().fire(case_id, self._time(time), event, person or who.name,
                                           post, evidence, scoped)
        except StoreError as exc:
            raise _store_refusal(exc) from None
        if res.duplicate and (res.row.case_id, res.row.event) != (case_id, event):
            raise OperationError(422, "idempotency-key-reused", Text(
                "this Idempotency-Key was used for another request",
                "该 Idempotency-Key 已用于另一请求"), seq=None)
        return res

    def import_case(self, who: Principal, path: Path, unit: str | None) -> ImportResult:
        """Bring a case file (`powerflow simulate`'s format) into the store: the case opened
        at its first event, each event fired with the key `import/<case>/<n>`, so importing
        the same file again adds nothing. A file with errors is refused with its diagnostics."""
        loaded = load_case(path)
        if loaded.case is None or not loaded.case.events:
            return ImportResult(str(path), None, 0, 0, 0, loaded.diagnostics)
        case = loaded.case
        power = case.case.power or ""
        first = case.events[0].time.isoformat()
        try:
            self.open_case(who, case.case.id, power, unit, dict(case.facts), first)
        except OperationError as exc:
            if exc.extra.get("diagnostic") != "PF808":
                raise
        fired = dup = refused = 0
        for i, ev in enumerate(case.events):
            res = self.fire(who, case.case.id, ev.event, ev.time.isoformat(), ev.person,
                            ev.post, tuple(ev.evidence), f"import/{case.case.id}/{i}")
            dup += res.duplicate
            refused += not res.row.accepted and not res.duplicate
            fired += not res.duplicate
        return ImportResult(str(path), case.case.id, fired, dup, refused, loaded.diagnostics)

    # -- reads
    def case(self, who: Principal, case_id: str) -> tuple[CaseRecord, Any, list[TrailRow]]:
        """The record, its audit as of now and its trail."""
        if not who.can_read(self._unit(case_id)):
            raise _not_found(case_id)
        store = self.config.store()
        try:
            rec, rows = store.get(case_id)
            audit = store.audit(case_id, None if rec.finished else self.config.now(),
                                self.config.yellow_at)
        except CaseNotFound:
            raise _not_found(case_id) from None
        return rec, audit, rows

    def cards(self, who: Principal, f: Filters) -> Page:
        """Live cases (and finished ones with `f.finished`) with their cards as of now."""
        now = self.config.now()
        store = self.config.store()
        rows = []
        for rec in store.list(open_only=not f.finished):
            if not who.can_read(rec.unit) or (f.power and rec.power != f.power) or (
                    f.unit and rec.unit != f.unit) or (f.q and f.q not in rec.case_id):
                continue
            audit = store.audit(rec.case_id, None if rec.finished else now, self.config.yellow_at)
            rows.append(cards.case_card(rec, audit))
        counts = {c: sum(1 for r in rows if r.card == c) for c in cards.CARD_ORDER}
        if f.color:
            rows = [r for r in rows if r.card == f.color]
        rows.sort(key=SORT_KEYS.get(f.sort, SORT_KEYS["card"]))
        per = max(1, min(f.per_page, 500))
        pages = max(1, -(-len(rows) // per))
        page = min(max(1, f.page), pages)
        return Page(rows[(page - 1) * per: page * per], len(rows), page, pages, counts, now)

    def verify(self, who: Principal) -> dict[str, Any]:
        if not who.sees_all:
            raise _forbidden("only supervisors and admins verify the store",
                             "仅监督人员和管理员可校验办件库")
        res = self.config.store().verify()
        return {"ok": res.ok, "rows": res.rows, "head": res.head, "chain": res.chain,
                "problems": [{"code": d.code, "message_en": d.message.en,
                              "message_zh": d.message.zh, "seq": d.location.line}
                             for d in res.diagnostics]}


SORT_KEYS: dict[str, Callable[[cards.CaseCard], Any]] = {
    "card": lambda r: (cards.CARD_ORDER.get(r.card, 9), -r.case_days, r.case_id),
    "case_days": lambda r: (-r.case_days, r.case_id),
    "step_days": lambda r: (-(r.step_days or 0), r.case_id),
    "opened": lambda r: (r.opened_at, r.case_id),
    "updated": lambda r: (r.updated_at, r.case_id),
    "case": lambda r: r.case_id,
}
"""The dashboard's sort orders by name (the first is the default)."""


_STORE_STATUS = {"PF807": 404, "PF808": 409, "PF809": 422, "PF810": 422, "PF811": 422}


def _store_refusal(exc: StoreError) -> OperationError:
    d = exc.diagnostic
    return OperationError(_STORE_STATUS.get(d.code, 500), d.name or d.code, d.message,
                          diagnostic=d.code)
