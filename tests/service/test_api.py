"""The JSON API through the real server process: round trips, idempotent retries, refused
events (409 with the allowed events), cards on the working-day clock, OpenAPI, tokens, and
unit isolation between clerks (through the API and through the pages)."""

from __future__ import annotations

from contextlib import closing

import httpx

from .conftest import NOW, Server, fire, form_csrf, login, open_case


def test_healthz_and_openapi(server: Server) -> None:
    r = httpx.get(server.base + "/healthz")
    assert r.json() == {"status": "ok", "time": NOW}
    doc = httpx.get(server.base + "/openapi.json").json()
    for path in ("/api/cases", "/api/cases/{case_id}/events", "/api/cases/{case_id}",
                 "/api/cards", "/healthz"):
        assert path in doc["paths"], path
    assert "HTTPBearer" in doc["components"]["securitySchemes"]
    assert "/login" not in doc["paths"]
    assert httpx.get(server.base + "/docs").status_code == 404  # no page that loads a CDN


def test_token_required(server: Server) -> None:
    assert httpx.get(server.base + "/api/cards").status_code == 401
    r = httpx.get(server.base + "/api/cards", headers={"Authorization": "Bearer pf_forged"})
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    assert "message_zh" in r.json()


def test_round_trip(server: Server) -> None:
    with server.client("clerk_a") as c:
        body = open_case(c, "RT-1", "2025-04-08T09:00:00+08:00", facts={"amount": 10}).json()
        assert body["unit"] == "A" and body["step"] == "apply" and len(body["flow_sha256"]) == 64
        for i, ev in enumerate(("submit", "accept")):
            r = fire(c, "RT-1", ev, f"2025-04-08T09:1{i}:00+08:00", evidence=["受理通知书"])
            assert r.status_code == 201, r.text
        assert r.json()["from"] == "accept" and r.json()["to"] == "review"
        case = c.get("/api/cases/RT-1").json()
    assert case["step"] == "review" and case["facts"] == {"amount": 10}
    assert [v["step"] for v in case["path"]] == ["apply", "accept", "review"]
    assert case["as_of"] == NOW
    assert case["working_days"]["step"] == 2  # 8 Apr (Tue) -> 10 Apr (Thu)
    assert [r["event"] for r in case["trail"]] == ["@open", "submit", "accept"]
    assert case["trail"][1]["person"] == "clerk_a"


def test_idempotent_retry(server: Server) -> None:
    with server.client("clerk_a") as c:
        open_case(c, "IK-1", "2025-04-09T09:00:00+08:00")
        first = fire(c, "IK-1", "submit", "2025-04-09T09:01:00+08:00", key="ik-1-submit")
        again = fire(c, "IK-1", "submit", "2025-04-09T09:01:00+08:00", key="ik-1-submit")
        assert first.status_code == 201 and again.status_code == 200
        assert again.json()["duplicate"] and again.json()["seq"] == first.json()["seq"]
        other = fire(c, "IK-1", "accept", "2025-04-09T09:02:00+08:00", key="ik-1-submit")
        assert other.status_code == 422 and other.json()["error"] == "idempotency-key-reused"
        trail = c.get("/api/cases/IK-1").json()["trail"]
    assert [r["event"] for r in trail] == ["@open", "submit"]
    with server.client("admin") as c:  # keys are per user: another user's key is another
        r = fire(c, "IK-1", "accept", "2025-04-09T09:03:00+08:00", key="ik-1-submit")
        assert r.status_code == 201 and not r.json()["duplicate"]


def test_refused_event_409(server: Server) -> None:
    with server.client("clerk_a") as c:
        open_case(c, "RF-1", "2025-04-09T09:00:00+08:00")
        fire(c, "RF-1", "submit", "2025-04-09T09:01:00+08:00")
        r = fire(c, "RF-1", "approve", "2025-04-09T09:02:00+08:00", key="rf-approve")
        assert r.status_code == 409
        body = r.json()
        assert body["error"] == "event-not-allowed" and not body["accepted"]
        assert body["allowed"] == ["accept", "request_supplement", "refuse_to_accept"]
        assert "accept" in body["message_zh"]
        retry = fire(c, "RF-1", "approve", "2025-04-09T09:02:00+08:00", key="rf-approve")
        assert retry.status_code == 409 and retry.json()["duplicate"]
        assert retry.json()["allowed"] == body["allowed"]
        case = c.get("/api/cases/RF-1").json()
    assert case["step"] == "accept"
    refused = [r for r in case["trail"] if not r["accepted"]]
    assert len(refused) == 1 and refused[0]["seq"] == body["seq"]
    assert any(f["code"] == "PF501" and f["seq"] == body["seq"] for f in case["findings"])


def test_bad_requests_are_clear(server: Server) -> None:
    with server.client("clerk_a") as c:
        r = c.post("/api/cases", json={"id": "X-1", "power": "NO-SUCH"})
        assert r.status_code == 422 and r.json()["error"] == "unknown-power"
        open_case(c, "X-2", "2025-04-09T09:00:00+08:00")
        r = c.post("/api/cases", json={"id": "X-2", "power": "KJ-QR-0001"})
        assert r.status_code == 409 and r.json()["diagnostic"] == "PF808"
        r = fire(c, "X-2", "submit", "2025-04-01T09:00:00+08:00")  # before the opening
        assert r.status_code == 422 and r.json()["diagnostic"] == "PF809"
        r = fire(c, "X-2", "submit", "2025-05-01T09:00:00+08:00")  # after now
        assert r.status_code == 422 and r.json()["error"] == "time-in-future"
        r = fire(c, "X-2", "submit", "yesterday")
        assert r.status_code == 422 and r.json()["error"] == "bad-time"
        assert fire(c, "NOPE", "submit", NOW).status_code == 404


def test_cards_as_of_now_on_working_days(server: Server) -> None:
    with server.client("clerk_a") as c:
        # accept (受理) has a limit of 2 working days; now is Thursday 10 April 2025
        for cid, day in (("CD-red", "01"), ("CD-yellow", "08"), ("CD-green", "09")):
            open_case(c, cid, f"2025-04-{day}T09:00:00+08:00")
            fire(c, cid, "submit", f"2025-04-{day}T09:05:00+08:00")
        red = c.get("/api/cards", params={"color": "red"}).json()
        yellow = c.get("/api/cards", params={"color": "yellow"}).json()
        green = c.get("/api/cards", params={"color": "green"}).json()
        assert c.get("/api/cards", params={"color": "purple"}).status_code == 422
    assert red["as_of"] == NOW
    assert "CD-red" in {x["case_id"] for x in red["items"]}
    assert {x["case_id"] for x in yellow["items"]} >= {"CD-yellow"}
    assert "CD-red" not in {x["case_id"] for x in yellow["items"]}
    assert "CD-green" in {x["case_id"] for x in green["items"]}
    item = next(x for x in red["items"] if x["case_id"] == "CD-red")
    # 1 Apr (Tue) -> 10 Apr (Thu): 2, 3, 7, 8, 9, 10 April (4 April 清明, 5-6 weekend)
    assert item["step_days"] == 6 and item["step_limit"] == 2


def test_paging(server: Server) -> None:
    with server.client("admin") as c:
        for i in range(7):
            open_case(c, f"PG-{i}", "2025-04-09T09:00:00+08:00", unit="paging")
        pages = [c.get("/api/cards", params={"unit": "paging", "per_page": 3, "page": p,
                                             "sort": "case"}).json() for p in (1, 2, 3)]
    assert [p["total"] for p in pages] == [7, 7, 7] and pages[0]["pages"] == 3
    ids = [x["case_id"] for p in pages for x in p["items"]]
    assert ids == [f"PG-{i}" for i in range(7)]


def test_clerk_isolation_api(server: Server) -> None:
    with server.client("clerk_a") as a, server.client("clerk_b") as b, \
            server.client("sup") as s:
        open_case(a, "ISO-A", "2025-04-09T09:00:00+08:00")
        assert b.get("/api/cases/ISO-A").status_code == 404
        assert fire(b, "ISO-A", "submit", NOW).status_code == 404
        assert "ISO-A" not in {x["case_id"] for x in b.get("/api/cards").json()["items"]}
        r = b.post("/api/cases", json={"id": "ISO-B1", "power": "KJ-QR-0001", "unit": "A"})
        assert r.status_code == 403
        assert s.get("/api/cases/ISO-A").status_code == 200
        assert "ISO-A" in {x["case_id"] for x in s.get("/api/cards").json()["items"]}
        assert fire(s, "ISO-A", "submit", NOW).status_code == 403  # supervisors read only
        assert s.post("/api/cases", json={"id": "ISO-S", "power": "KJ-QR-0001",
                                          "unit": "A"}).status_code == 403
        assert b.get("/api/verify").status_code == 403
        assert s.get("/api/verify").json()["ok"]
        trail = a.get("/api/cases/ISO-A").json()["trail"]
    assert [r["event"] for r in trail] == ["@open"]  # nothing written by B or the supervisor


def test_clerk_isolation_pages(server: Server) -> None:
    with server.client("clerk_a") as a:
        open_case(a, "PAGE-A", "2025-04-09T09:00:00+08:00")
    b, r = login(server.base, "clerk_b")
    with closing(b):
        assert r.status_code == 303
        assert "PAGE-A" not in b.get("/").text
        page = b.get("/cases/PAGE-A")
        assert page.status_code == 404 and "PAGE-A" in page.text  # the id, escaped, no data
        assert b.get("/cases/PAGE-A/chart.svg").status_code == 404
        csrf = form_csrf(b.get("/").text)
        r = b.post("/cases/PAGE-A/events", data={"csrf": csrf, "event": "submit", "key": "x"})
        assert r.status_code == 404
    a, _ = login(server.base, "clerk_a")
    with closing(a):
        assert "PAGE-A" in a.get("/").text
        page = a.get("/cases/PAGE-A")
        assert page.status_code == 200
        r = a.post("/cases/PAGE-A/events", data={"csrf": form_csrf(page.text),
                                                  "event": "submit", "key": "k1"})
        assert r.status_code == 303 and "msg=accepted" in r.headers["location"]
    with server.client("clerk_a") as c:
        trail = c.get("/api/cases/PAGE-A").json()["trail"]
    assert [r["event"] for r in trail] == ["@open", "submit"]
