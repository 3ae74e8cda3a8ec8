"""The service as an attacker sees it: forged forms (CSRF), password guessing (throttle),
cookie flags, security headers, markup in case ids and facts, unknown JSON fields."""

from __future__ import annotations

from contextlib import closing

import httpx

from .conftest import PASSWORD, Server, form_csrf, login, open_case


def test_session_cookie_flags(server: Server) -> None:
    c, r = login(server.base, "sup")
    with closing(c):
        cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("pf_session="))
        assert "HttpOnly" in cookie
        assert "samesite=strict" in cookie.lower() and "Max-Age" not in cookie
        assert c.get("/").status_code == 200


def test_login_form_needs_its_csrf_token(server: Server) -> None:
    with httpx.Client(base_url=server.base) as c:
        r = c.post("/login", data={"name": "sup", "password": PASSWORD, "csrf": "guess"})
        assert r.status_code == 403 and "pf_session" not in r.headers.get("set-cookie", "")


def test_forms_need_the_session_csrf_token(server: Server) -> None:
    with server.client("clerk_a") as api:
        open_case(api, "CSRF-1", "2025-04-09T09:00:00+08:00")
    c, _ = login(server.base, "clerk_a")
    with closing(c):
        r = c.post("/cases/CSRF-1/events", data={"csrf": "forged", "event": "submit", "key": "1"})
        assert r.status_code == 403
        r = c.post("/logout", data={"csrf": "forged"})
        assert r.status_code == 403 and c.get("/").status_code == 200  # still signed in
        r = c.post("/logout", data={"csrf": form_csrf(c.get("/").text)})
        assert r.status_code == 303
        assert c.get("/").status_code == 303  # the session is gone on the server
    with server.client("clerk_a") as api:
        assert [r["event"] for r in api.get("/api/cases/CSRF-1").json()["trail"]] == ["@open"]


def test_login_throttled_after_five_failures(server: Server) -> None:
    for _ in range(5):
        c, r = login(server.base, "locked", "wrong password")
        c.close()
        assert r.status_code == 401
    c, r = login(server.base, "locked")  # the right password no longer helps
    c.close()
    assert r.status_code == 429 and "pf_session" not in r.headers.get("set-cookie", "")


def test_unknown_user_and_pages_without_session(server: Server) -> None:
    c, r = login(server.base, "nobody")
    c.close()
    assert r.status_code == 401
    with httpx.Client(base_url=server.base) as c:
        r = c.get("/")
        assert r.status_code == 303 and r.headers["location"] == "/login"
        assert c.get("/cases/x/chart.svg").status_code == 303


def test_security_headers(server: Server) -> None:
    c, _ = login(server.base, "sup")
    with closing(c):
        for path in ("/", "/login", "/static/service.css"):
            h = c.get(path).headers
            assert "default-src 'none'" in h["content-security-policy"]
            assert "script-src 'none'" in h["content-security-policy"]
            assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY"
        assert "server" not in httpx.get(server.base + "/healthz").headers


def test_markup_in_ids_and_facts_is_text(server: Server) -> None:
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    with server.client("clerk_a") as api:
        open_case(api, "XSS-<i>1", "2025-04-09T09:00:00+08:00", facts={"note": evil})
        r = api.post("/api/cases/XSS-<i>1/events",
                     json={"event": evil, "time": "2025-04-09T09:01:00+08:00", "person": evil})
        assert r.status_code == 409
    c, _ = login(server.base, "clerk_a")
    with closing(c):
        for text in (c.get("/").text, c.get("/cases/XSS-<i>1").text):
            assert "<script>" not in text and "<i>1" not in text and "<img src=x" not in text
        assert "&lt;script&gt;" in c.get("/cases/XSS-<i>1").text


def test_unknown_fields_refused(server: Server) -> None:
    with server.client("clerk_a") as api:
        r = api.post("/api/cases", json={"id": "U-1", "power": "KJ-QR-0001", "root": "/etc"})
        assert r.status_code == 422
        r = api.post("/api/cases", json={"id": "a/b", "power": "KJ-QR-0001"})
        assert r.status_code == 422 and r.json()["error"] == "bad-case-id"
