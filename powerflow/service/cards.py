"""The one adapter from the case audit to what the service shows: card, days, path, findings.

Takes a `CaseRecord` and the `CaseAudit` the store made of it as of now; gives `CaseCard`
(one dashboard row: the card colour on the working-day clock, the case's and the open step's
days against their limits) and `case_body` (the JSON of `GET /api/cases/{id}`: path, working
days, card, findings located at their trail rows, risk points passed). Every use of
`CaseAudit`'s fields in the service is here, so a change of the audit core is met in one place.

Must not: read the store, the clock or files; decide a finding (the audit does).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from ..diagnostics import Diagnostic
from ..engine.audit import CaseAudit
from ..engine.store.base import CaseRecord, TrailRow
from ..model import limit_days
from ..overlay import Overlay

__all__ = ["CARD_ORDER", "CaseCard", "card_of", "case_body", "case_card", "findings",
           "overlay"]

CARD_ORDER = {"red": 0, "yellow": 1, "green": 2, "none": 3, "done": 4}
"""How cards sort: the most urgent first."""


@dataclass(frozen=True)
class CaseCard:
    """One row of the dashboard."""

    case_id: str
    power: str
    power_name: str
    unit: str | None
    step: str
    step_name: str
    card: str
    case_days: int
    case_limit: float | None
    step_days: int | None
    step_limit: float | None
    opened_at: str
    updated_at: str
    findings: int
    finished: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def card_of(audit: CaseAudit) -> str:
    """The card as of the audit's time: ``done`` for a finished case; else ``red`` when the
    case or any step is over its limit, ``yellow`` when the case or its open step has reached
    the yellow share, ``green`` within limits, ``none`` when nothing on the way has a limit."""
    if audit.finished:
        return "done"
    statuses = {audit.case_status, audit.path[-1].status if audit.path else ""}
    if "red" in statuses or any(v.status == "red" for v in audit.path):
        return "red"
    if "yellow" in statuses:
        return "yellow"
    limited = audit.promised is not None or any(v.limit is not None for v in audit.path)
    return "green" if limited else "none"


def _limit(v: Any) -> float | None:
    return None if v is None else float(limit_days(v))


def case_card(rec: CaseRecord, audit: CaseAudit) -> CaseCard:
    cur = audit.path[-1] if audit.path and not audit.finished else None
    return CaseCard(
        rec.case_id, rec.power, audit.power_name, rec.unit, rec.step,
        cur.name if cur else (audit.outcome or rec.step), card_of(audit), audit.total_days,
        _limit(audit.promised), cur.days if cur else None, _limit(cur.limit) if cur else None,
        rec.opened_at, rec.updated_at, sum(1 for _ in _open(audit.diagnostics)), rec.finished)


def _open(diags: tuple[Diagnostic, ...]) -> list[Diagnostic]:
    return [d for d in diags if d.suppressed is None]


def findings(audit: CaseAudit) -> list[dict[str, Any]]:
    """The findings, each at the trail row (`seq`) of the event it is about."""
    return [{"code": d.code, "name": d.name, "severity": d.severity.value,
             "message_en": d.message.en, "message_zh": d.message.zh,
             "hint_en": d.hint.en if d.hint else None, "hint_zh": d.hint.zh if d.hint else None,
             "seq": d.location.line, "suppressed": d.suppressed} for d in audit.diagnostics]


def _path(audit: CaseAudit) -> list[dict[str, Any]]:
    return [{"step": v.step, "name": v.name, "entered": v.entered.isoformat(),
             "left": v.left.isoformat() if v.left else None, "working_days": v.days,
             "limit": _limit(v.limit), "clock": v.clock, "status": v.status,
             "persons": list(v.persons)} for v in audit.path]


def _risks(audit: CaseAudit) -> list[dict[str, Any]]:
    return [{"risk": r.risk, "step": r.at, "controls": [
        {"name": c.name, "evidence": c.ref, "ok": c.ok} for c in r.controls]}
        for r in audit.risks]


def trail_json(rows: list[TrailRow]) -> list[dict[str, Any]]:
    return [{**r.body(), "hash": r.hash} for r in rows]


def case_body(rec: CaseRecord, audit: CaseAudit, rows: list[TrailRow],
              as_of: dt.datetime) -> dict[str, Any]:
    """Everything `GET /api/cases/{id}` answers."""
    card = case_card(rec, audit)
    return {"case": rec.case_id, "power": rec.power, "power_name": audit.power_name,
            "unit": rec.unit, "facts": rec.facts, "step": rec.step, "finished": rec.finished,
            "outcome": audit.outcome, "as_of": as_of.isoformat(), "card": card.card,
            "working_days": {"case": audit.total_days, "promised": _limit(audit.promised),
                             "statutory": _limit(audit.statutory), "step": card.step_days,
                             "step_limit": card.step_limit},
            "path": _path(audit), "risks": _risks(audit), "findings": findings(audit),
            "flow_sha256": rec.flow_sha256, "trail": trail_json(rows)}


def overlay(audit: CaseAudit, lang: str) -> Overlay:
    return audit.overlay(lang)
