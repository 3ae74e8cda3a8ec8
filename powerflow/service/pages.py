"""The supervision dashboard: server-rendered pages, Chinese first, English beside.

Takes browser requests with a session cookie; gives HTML from the Jinja2 templates beside this
module (autoescaped; no script at all, styles from one same-origin file): `/login` (with a CSRF
token and the login throttle), `/` (the live cases with their cards as of now, filters,
sorting and server-side paging), `/cases/{id}` (summary, the chart with the path drawn on it,
the path, the trail with each finding at its row, the risk points passed, and the event form
for those who may write), `/cases/{id}/chart.svg` and `/logout`.

Must not: decide anything itself (`operations.Desk` does), accept a form without its CSRF
token, or put text into a page unescaped.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ..diagnostics import Text
from ..render import chart_svg
from . import cards
from .accounts import Accounts, Principal, same_secret
from .operations import SORT_KEYS, Desk, Filters, OperationError
from .strings import STRINGS

__all__ = ["LoginRequired", "router", "templates"]

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
SESSION = "pf_session"
LOGIN_CSRF = "pf_login"


class LoginRequired(Exception):
    """No live session: the browser is sent to the login page."""


def lang_of(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "zh"


def _cookie(response: Response, request: Request, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="strict", path="/",
                        secure=bool(request.app.state.desk.config.secure_cookies))


def session(request: Request) -> tuple[Principal, str]:
    accounts: Accounts = request.app.state.accounts
    secret = request.cookies.get(SESSION)
    found = accounts.session(secret, request.app.state.desk.config.now()) if secret else None
    if found is None:
        raise LoginRequired()
    return found


Session = Annotated[tuple[Principal, str], Depends(session)]


def page(request: Request, name: str, http_status: int = 200, **ctx: Any) -> HTMLResponse:
    lang = lang_of(request)
    other = dict(request.query_params) | {"lang": "zh" if lang == "en" else "en"}
    return templates.TemplateResponse(request, name, {
        "t": STRINGS[lang], "lang": lang, "other_url": f"{request.url.path}?{urlencode(other)}",
        "q": lambda **kw: _query({k: v for k, v in kw.items() if v not in (None, "")}
                                 | ({"lang": "en"} if lang == "en" else {})),
        **ctx}, status_code=http_status)


def _query(params: dict[str, Any]) -> str:
    return "?" + urlencode(params) if params else ""


def check_csrf(expected: str, given: str) -> None:
    if not given or not same_secret(expected, given):
        raise OperationError(403, "csrf", Text("the form is stale or forged (CSRF check); "
                                               "reload the page and try again",
                                               "表单已过期或来源不明（CSRF 校验未通过），请刷新后重试"))


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    resp = page(request, "login.html", csrf=token, error=None)
    _cookie(resp, request, LOGIN_CSRF, token)
    return resp


@router.post("/login")
def login(request: Request, name: Annotated[str, Form()], password: Annotated[str, Form()],
          csrf: Annotated[str, Form()]) -> Response:
    check_csrf(request.cookies.get(LOGIN_CSRF, ""), csrf)
    accounts: Accounts = request.app.state.accounts
    now = request.app.state.desk.config.now()
    ip = request.client.host if request.client else "?"
    t = STRINGS[lang_of(request)]
    if accounts.throttled(name, ip, now):
        return page(request, "login.html", 429, csrf=csrf, error=t["throttled"])
    made = accounts.login(name, password, ip, now)
    if made is None:
        return page(request, "login.html", 401, csrf=csrf, error=t["bad_login"])
    resp = RedirectResponse("/" + ("?lang=en" if lang_of(request) == "en" else ""), 303)
    _cookie(resp, request, SESSION, made[0])
    resp.delete_cookie(LOGIN_CSRF, path="/")
    return resp


@router.post("/logout")
def logout(request: Request, s: Session, csrf: Annotated[str, Form()]) -> Response:
    check_csrf(s[1], csrf)
    request.app.state.accounts.logout(request.cookies.get(SESSION, ""))
    resp = RedirectResponse("/login", 303)
    resp.delete_cookie(SESSION, path="/")
    return resp


def _int(value: str | None, default: int) -> int:
    try:
        return max(1, int(value or default))
    except ValueError:
        return default


@router.get("/")
def dashboard(request: Request, s: Session) -> HTMLResponse:
    desk: Desk = request.app.state.desk
    qp = request.query_params
    color = qp.get("color") if qp.get("color") in cards.CARD_ORDER else None
    sort = qp.get("sort") if qp.get("sort") in SORT_KEYS else "card"
    f = Filters(color, qp.get("power") or None, qp.get("unit") or None, qp.get("q") or None,
                sort or "card", _int(qp.get("page"), 1), desk.config.page_size,
                qp.get("finished") == "1")
    result = desk.cards(s[0], f)
    powers = sorted(desk.powers())
    return page(request, "dashboard.html", who=s[0], csrf=s[1], p=result, f=f, powers=powers,
                sorts=list(SORT_KEYS), colors=[c for c in cards.CARD_ORDER if c != "done"])


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: str, s: Session) -> HTMLResponse:
    desk: Desk = request.app.state.desk
    rec, audit, rows = desk.case(s[0], case_id)
    body = cards.case_body(rec, audit, rows, audit.as_of)
    at: dict[int, list[dict[str, Any]]] = {}
    for d in body["findings"]:
        at.setdefault(d["seq"], []).append(d)
    return page(request, "case.html", who=s[0], csrf=s[1], c=body, at=at,
                can_write=s[0].can_write(rec.unit) and not rec.finished,
                form_key=secrets.token_urlsafe(16), msg=request.query_params.get("msg"))


@router.get("/cases/{case_id}/chart.svg")
def chart(request: Request, case_id: str, s: Session) -> Response:
    desk: Desk = request.app.state.desk
    rec, audit, _ = desk.case(s[0], case_id)
    flow = desk.flow(rec.power)
    lang = lang_of(request)
    svg, why = chart_svg(flow, cards.overlay(audit, lang), lang) if flow else (None, "no flow")
    if svg is None:
        return Response(why, status_code=503, media_type="text/plain; charset=utf-8")
    return Response(svg, media_type="image/svg+xml")


@router.post("/cases/{case_id}/events")
def post_event(request: Request, case_id: str, s: Session, csrf: Annotated[str, Form()],
               event: Annotated[str, Form()], key: Annotated[str, Form()],
               person: Annotated[str, Form()] = "", post: Annotated[str, Form()] = "",
               evidence: Annotated[str, Form()] = "") -> Response:
    check_csrf(s[1], csrf)
    desk: Desk = request.app.state.desk
    ev = tuple(x.strip() for x in evidence.replace("，", ",").split(",") if x.strip())
    res = desk.fire(s[0], case_id, event.strip(), None, person.strip() or None,
                    post.strip() or None, ev, "form-" + key)
    msg = "accepted" if res.row.accepted else "refused"
    lang = "&lang=en" if lang_of(request) == "en" else ""
    return RedirectResponse(f"/cases/{quote(case_id, safe='')}?msg={msg}{lang}", 303)
