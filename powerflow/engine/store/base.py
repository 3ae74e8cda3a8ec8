"""The live-case store interface, independent of the database behind it.

Takes nothing; gives the `CaseStore` protocol (open_case, fire, migrate, get, audit, list, overdue,
verify, anchor) and its records: `CaseRecord` (a case's current state, derived from its trail),
`TrailRow` (one entry of the hash-chained audit trail), `FireResult`, `VerifyResult` and
`Anchor`, plus `canonical_json` and `chain_hash`, the one definition of how a trail row is hashed
(sha256, or HMAC-SHA256 with a key kept outside the database), shared by every backend and by
`verify`; `StoreError` carries one PF8xx `Diagnostic` (`store_diagnostic`).

Must not: touch a database or a file; backends live beside it (`sqlite.py`), the chain and case
rules every backend shares in `ledger.py`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ...diagnostics import Diagnostic, Location, Severity, Text

if TYPE_CHECKING:
    from ..audit import CaseAudit
    from ..compile import EventNotAllowed

__all__ = ["GENESIS", "MIGRATE_EVENT", "OPEN_EVENT", "STORE_CODES", "Anchor", "CaseExists",
           "CaseNotFound", "CaseRecord", "CaseStore", "FireResult", "StoreError", "TrailRow",
           "VerifyResult", "canonical_json", "chain_hash", "store_diagnostic"]

GENESIS = "0" * 64
"""The `prev_hash` of the first trail row."""
OPEN_EVENT = "@open"
"""The trail event that opens a case (not a valid flow event id, so it cannot collide)."""
MIGRATE_EVENT = "@migrate"
"""The trail event that moves a live case to another version of its flow (recorded, chained)."""

STORE_CODES: dict[str, tuple[str, Severity]] = {
    "PF801": ("store-missing", Severity.ERROR),
    "PF802": ("store-empty", Severity.ERROR),
    "PF803": ("store-foreign", Severity.ERROR),
    "PF804": ("store-format", Severity.ERROR),
    "PF805": ("store-key", Severity.ERROR),
    "PF806": ("anchor-unreadable", Severity.ERROR),
    "PF807": ("case-unknown", Severity.ERROR),
    "PF808": ("case-exists", Severity.ERROR),
    "PF809": ("event-before-last", Severity.ERROR),
    "PF810": ("flow-unusable", Severity.ERROR),
    "PF811": ("migration-refused", Severity.ERROR),
    "PF815": ("trail-row-changed", Severity.ERROR),
    "PF816": ("trail-link-broken", Severity.ERROR),
    "PF817": ("trail-rows-missing", Severity.ERROR),
    "PF818": ("trail-head-mismatch", Severity.ERROR),
    "PF819": ("anchor-mismatch", Severity.ERROR),
    "PF820": ("case-trail-inconsistent", Severity.ERROR),
    "PF821": ("flow-version-changed", Severity.ERROR),
    "PF822": ("trail-row-unreadable", Severity.ERROR),
    "PF823": ("flow-file-changed", Severity.WARNING),
    "PF824": ("flow-file-not-found", Severity.WARNING),
}
"""The PF8xx store codes: name and severity (the messages are written where they arise)."""


def store_diagnostic(code: str, where: str, en: str, zh: str, hint: Text | None = None,
                     line: int = 0) -> Diagnostic:
    """One store problem; `where` is the store (or `STORE#CASE`), `line` a trail row."""
    name, severity = STORE_CODES[code]
    return Diagnostic(code, severity, Location(where, line, 1 if line else 0), Text(en, zh),
                      hint, name)


class StoreError(Exception):
    """A request the store refuses (bad input, unknown case, a changed row …); nothing was
    written. Carries the one `Diagnostic` that says why."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message.en)
        self.diagnostic = diagnostic


class CaseNotFound(StoreError):
    pass


class CaseExists(StoreError):
    pass


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """A case as its trail says: the opening row (facts, power, unit, flow) and every later
    accepted row (step, events, time); `flow_sha256`/`catalog_sha256`/`calendar_sha256` name the
    pinned flow version (the last `@migrate` row's, else the opening row's). `flow_path` is relative to the
    catalogue folder, itself relative to the store's folder (`root`)."""

    case_id: str
    power: str
    flow_path: str
    facts: dict[str, Any]
    step: str
    finished: bool
    opened_at: str
    updated_at: str
    events: int
    flow_sha256: str = ""
    catalog_sha256: str | None = None
    calendar_sha256: str | None = None
    unit: str | None = None
    root: str = "."


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
        """Everything that is hashed: the row without its own hash (`detail` is shared, not
        copied: read it, do not change it)."""
        return {"seq": self.seq, "case_id": self.case_id, "n": self.n, "time": self.time,
                "event": self.event, "person": self.person, "post": self.post,
                "evidence": list(self.evidence), "from_step": self.from_step,
                "to_step": self.to_step, "accepted": self.accepted, "reason": self.reason,
                "detail": self.detail, "key": self.key, "prev_hash": self.prev_hash}


def canonical_json(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def chain_hash(prev_hash: str, body: dict[str, Any], key: bytes | None = None) -> str:
    """sha256 over the previous row's hash and the canonical JSON of this row's body; with a
    key, HMAC-SHA256 of the same bytes (so nobody without the key can recompute the chain)."""
    data = (prev_hash + canonical_json(body)).encode("utf-8")
    if key is not None:
        return hmac.new(key, data, hashlib.sha256).hexdigest()
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class FireResult:
    row: TrailRow
    error: EventNotAllowed | None = None
    duplicate: bool = False
    notes: tuple[Diagnostic, ...] = ()
    """Warnings about the case's flow (PF823/PF824: the file changed or moved since pinned)."""

    @property
    def accepted(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Anchor:
    """The chain's head at a moment, kept outside the store: `rows` rows ending in `head`."""

    rows: int
    head: str
    time: str
    chain: str
    store: str = ""

    def to_json(self) -> str:
        return json.dumps({"format": "powerflow-cases-anchor 1", "store": self.store,
                           "rows": self.rows, "head": self.head, "chain": self.chain,
                           "time": self.time}, ensure_ascii=False, indent=2) + "\n"


@dataclass
class VerifyResult:
    """What `verify` found: error diagnostics are integrity problems; warnings are notes (a
    flow file changed or moved under a case pinned to its old version)."""

    rows: int
    head: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    chain: str = "sha256"

    @property
    def problems(self) -> list[str]:
        return [d.message.en for d in self.diagnostics if d.is_error]

    @property
    def ok(self) -> bool:
        return not self.problems


class CaseStore(Protocol):
    """What every case store offers. Implementations must make `fire` atomic: the check
    against the flow, the trail row and the case's new state are written together or not at
    all, and concurrent writers are serialised."""

    def open_case(self, case_id: str, flow_path: str, facts: dict[str, Any],
                  time: dt.datetime, person: str | None = None,
                  unit: str | None = None) -> CaseRecord: ...

    def fire(self, case_id: str, time: dt.datetime, event: str, person: str | None = None,
             post: str | None = None, evidence: tuple[str, ...] = (),
             key: str | None = None) -> FireResult: ...

    def migrate(self, case_id: str, flow_path: str, time: dt.datetime, reason: str,
                person: str | None = None) -> CaseRecord: ...

    def get(self, case_id: str) -> tuple[CaseRecord, list[TrailRow]]: ...

    def audit(self, case_id: str, as_of: dt.datetime | None = None,
              yellow_at: float | None = None) -> CaseAudit: ...

    def overdue(self, as_of: dt.datetime,
                yellow_at: float | None = None) -> list[tuple[CaseRecord, CaseAudit]]: ...

    def verify(self, anchor: Anchor | None = None) -> VerifyResult: ...

    def anchor(self, time: dt.datetime) -> Anchor: ...

    def list(self, open_only: bool = False) -> list[CaseRecord]: ...
