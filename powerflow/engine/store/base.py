"""The live-case store interface, independent of the database behind it.

Takes nothing; gives the `CaseStore` protocol (open_case, fire, get, list, overdue, verify) and
its records: `CaseRecord` (a case's current state), `TrailRow` (one entry of the hash-chained
audit trail), `FireResult` and `VerifyResult`, plus `canonical_json` and `chain_hash`, the one
definition of how a trail row is hashed, shared by every backend and by `verify`.

Must not: touch a database or a file; backends live beside it (`sqlite.py`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..audit import CaseAudit
    from ..compile import EventNotAllowed

__all__ = ["GENESIS", "OPEN_EVENT", "CaseExists", "CaseNotFound", "CaseRecord", "CaseStore",
           "FireResult", "StoreError", "TrailRow", "VerifyResult", "canonical_json",
           "chain_hash"]

GENESIS = "0" * 64
"""The `prev_hash` of the first trail row."""
OPEN_EVENT = "@open"
"""The trail event that opens a case (not a valid flow event id, so it cannot collide)."""


class StoreError(Exception):
    """A request the store refuses (bad input, unknown case …); nothing was written."""


class CaseNotFound(StoreError):
    pass


class CaseExists(StoreError):
    pass


@dataclass(frozen=True, slots=True)
class CaseRecord:
    case_id: str
    power: str
    flow_path: str
    facts: dict[str, Any]
    step: str
    finished: bool
    opened_at: str
    updated_at: str
    events: int


@dataclass(frozen=True, slots=True)
class TrailRow:
    """One trail entry. `accepted` is False for an event the flow refused (kept as evidence)."""

    seq: int
    case_id: str
    n: int
    time: str
    event: str
    person: str | None
    post: str | None
    evidence: tuple[str, ...]
    from_step: str | None
    to_step: str | None
    accepted: bool
    reason: str | None
    detail: dict[str, Any]
    key: str | None
    prev_hash: str
    hash: str = ""

    def body(self) -> dict[str, Any]:
        """Everything that is hashed: the row without its own hash."""
        d = asdict(self)
        d.pop("hash")
        d["evidence"] = list(self.evidence)
        return d


def canonical_json(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def chain_hash(prev_hash: str, body: dict[str, Any]) -> str:
    """sha256 over the previous row's hash and the canonical JSON of this row's body."""
    return hashlib.sha256((prev_hash + canonical_json(body)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class FireResult:
    row: TrailRow
    error: EventNotAllowed | None = None
    duplicate: bool = False

    @property
    def accepted(self) -> bool:
        return self.error is None


@dataclass
class VerifyResult:
    rows: int
    head: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class CaseStore(Protocol):
    """What every case store offers. Implementations must make `fire` atomic: the check
    against the flow, the trail row and the case's new state are written together or not at
    all, and concurrent writers are serialised."""

    def open_case(self, case_id: str, flow_path: str, facts: dict[str, Any],
                  time: dt.datetime, person: str | None = None) -> CaseRecord: ...

    def fire(self, case_id: str, time: dt.datetime, event: str, person: str | None = None,
             post: str | None = None, evidence: tuple[str, ...] = (),
             key: str | None = None) -> FireResult: ...

    def get(self, case_id: str) -> tuple[CaseRecord, list[TrailRow]]: ...

    def overdue(self, as_of: dt.datetime,
                yellow_at: float | None = None) -> list[tuple[CaseRecord, CaseAudit]]: ...

    def verify(self) -> VerifyResult: ...

    def list(self, open_only: bool = False) -> list[CaseRecord]: ...
