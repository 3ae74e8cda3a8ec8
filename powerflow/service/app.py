"""The ASGI application: API, pages, static files, security headers, errors in both languages.

Takes a `ServiceConfig`; gives the FastAPI application (`create_app`) that uvicorn serves:
the JSON API (`api`), the dashboard (`pages`), `/static/service.css`, and on every response a
Content-Security-Policy that allows nothing from another origin and no script at all (the
pages need none), with `nosniff`, no framing and no referrer. A refused request is answered as
JSON under `/api` and `/healthz`, as a page elsewhere; a page without a session goes to
`/login`.

Must not: read the clock (the config's `now` does), or open the store any other way than
`config.store()`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from . import api, pages
from .accounts import Accounts
from .config import ServiceConfig
from .operations import Desk, OperationError
from .strings import STRINGS

__all__ = ["CSP", "create_app"]

CSP = ("default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'")
"""Nothing from another origin, no script, no inline style."""
_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store"}


def create_app(config: ServiceConfig) -> FastAPI:
    """The service on `config` (the store is opened now, so a bad store fails at start)."""
    config.data.mkdir(parents=True, exist_ok=True)
    config.store()
    app = FastAPI(title="powerflow supervision service", version=__version__,
                  description="Live cases of the power list, on the working-day clock.",
                  docs_url=None, redoc_url=None)
    app.state.desk = Desk(config)
    app.state.accounts = Accounts(config.data)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), "static")

    app.add_middleware(SecurityHeaders)

    @app.exception_handler(OperationError)
    async def refused(request: Request, exc: OperationError) -> Response:
        if _is_api(request):
            return JSONResponse(exc.body(), status_code=exc.status)
        lang = pages.lang_of(request)
        return pages.page(request, "error.html", exc.status, status=exc.status,
                          message=exc.text.get(lang), who=None, t=STRINGS[lang])

    @app.exception_handler(pages.LoginRequired)
    async def login(request: Request, exc: pages.LoginRequired) -> Response:
        return RedirectResponse("/login" + ("?lang=en" if pages.lang_of(request) == "en"
                                            else ""), 303)

    return app


class SecurityHeaders:
    """Plain ASGI middleware: the security headers on every response that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in _HEADERS.items():
                    if k not in headers:
                        headers[k] = v
            await send(message)

        return await self.app(scope, receive, with_headers)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/healthz"))
