"""The JSON API for business systems, described at `/openapi.json`.

Takes HTTP requests with a bearer token (`Authorization: Bearer pf_…`, made with `powerflow
service token`); gives JSON: `GET /healthz`, `POST /api/cases`, `POST /api/cases/{id}/events`
(an `Idempotency-Key` header makes a retried post count once, across restarts, since the key
is kept in the chained trail row; a refused event answers 409 with the allowed events),
`GET /api/cases/{id}` (path, working days, card, findings, trail), `GET /api/cards` (cards as
of now, filtered, sorted, paged) and `GET /api/verify`.

Must not: decide anything itself (`operations.Desk` does), or answer without a token.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from ..diagnostics import Text
from .accounts import Accounts, Principal
from .cards import case_body
from .operations import Desk, Filters, OperationError

__all__ = ["router"]

router = APIRouter()
_bearer = HTTPBearer(auto_error=False, description="An API token from `powerflow service token`")


def desk(request: Request) -> Desk:
    d: Desk = request.app.state.desk
    return d


def principal(request: Request, cred: Annotated[HTTPAuthorizationCredentials | None,
                                                Depends(_bearer)]) -> Principal:
    accounts: Accounts = request.app.state.accounts
    who = accounts.by_token(cred.credentials) if cred is not None else None
    if who is None:
        raise OperationError(401, "unauthorized", Text(
            "a valid API token is required (Authorization: Bearer …)",
            "需要有效的 API 令牌（Authorization: Bearer …）"))
    return who


Who = Annotated[Principal, Depends(principal)]
TheDesk = Annotated[Desk, Depends(desk)]


class NewCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(description="The case id (unique in the store)")
    power: str = Field(description="The power code, e.g. KJ-QR-0001")
    unit: str | None = Field(None, description="Handling unit (a clerk's own by default)")
    facts: dict[str, Any] = Field(default_factory=dict, description="Case facts for guards")
    time: str | None = Field(None, description="ISO 8601 time (default: now)")


class NewEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: str = Field(description="An event id of the case's flow")
    time: str | None = Field(None, description="ISO 8601 time (default: now)")
    person: str | None = Field(None, description="Who did it (default: the token's user)")
    post: str | None = Field(None, description="Their post (an actor id of the flow)")
    evidence: list[str] = Field(default_factory=list, description="Evidence recorded")


@router.get("/healthz", tags=["service"])
def healthz(d: TheDesk) -> dict[str, str]:
    """Alive, with the service's time (no token needed)."""
    return {"status": "ok", "time": d.config.now().isoformat()}


@router.post("/api/cases", status_code=201, tags=["cases"])
def open_case(body: NewCase, who: Who, d: TheDesk) -> dict[str, Any]:
    """Open a case of a power, pinned to the power file's current version."""
    rec = d.open_case(who, body.id, body.power, body.unit, body.facts, body.time)
    return {"case": rec.case_id, "power": rec.power, "unit": rec.unit, "step": rec.step,
            "opened_at": rec.opened_at, "flow_sha256": rec.flow_sha256}


@router.post("/api/cases/{case_id}/events", status_code=201, tags=["cases"],
             responses={409: {"description": "The flow refused the event (kept as evidence); "
                                             "`allowed` lists the events allowed now"}})
def fire(case_id: str, body: NewEvent, who: Who, d: TheDesk,
         idempotency_key: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Record an event. A retried post with the same Idempotency-Key counts once and answers
    as the first time did (with `duplicate: true`)."""
    res = d.fire(who, case_id, body.event, body.time, body.person, body.post,
                 tuple(body.evidence), idempotency_key)
    row = res.row
    out = {"case": case_id, "seq": row.seq, "event": row.event, "from": row.from_step,
           "to": row.to_step, "accepted": row.accepted, "duplicate": res.duplicate,
           "hash": row.hash}
    if not row.accepted:
        allowed = row.detail.get("allowed", [])
        en = res.error.args[0] if res.error else row.reason or ""
        zh = res.error.zh() if res.error else row.reason or ""
        return JSONResponse({**out, "error": "event-not-allowed", "allowed": allowed,
                             "message_en": en, "message_zh": zh}, status_code=409)
    return JSONResponse(out, status_code=200 if res.duplicate else 201)


@router.get("/api/cases/{case_id}", tags=["cases"])
def get_case(case_id: str, who: Who, d: TheDesk) -> dict[str, Any]:
    """The case as of now: path with working days, card, findings at their trail rows."""
    rec, audit, rows = d.case(who, case_id)
    return case_body(rec, audit, rows, audit.as_of)


@router.get("/api/cards", tags=["cases"])
def get_cards(who: Who, d: TheDesk,
              color: Literal["red", "yellow", "green", "none"] | None = None,
              power: str | None = None, unit: str | None = None,
              sort: Literal["card", "case_days", "step_days", "opened", "updated",
                            "case"] = "card",
              page: Annotated[int, Query(ge=1)] = 1,
              per_page: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
    """Live cases with their card computed now on the working-day calendar."""
    p = d.cards(who, Filters(color, power, unit, None, sort, page, per_page))
    return {"as_of": p.as_of.isoformat(), "total": p.total, "page": p.page, "pages": p.pages,
            "counts": p.counts, "items": [c.to_dict() for c in p.items]}


@router.get("/api/verify", tags=["service"])
def verify(who: Who, d: TheDesk) -> dict[str, Any]:
    """Walk the whole hash chain (supervisors and admins)."""
    return d.verify(who)
