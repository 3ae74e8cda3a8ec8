"""Load and failure through the real server: 8 clients posting concurrently lose and double
nothing (retries included); the server killed with SIGKILL mid-load restarts on a store whose
chain verifies, every acknowledged event is there once, and retried keys count once across the
restart."""

from __future__ import annotations

import datetime as dt
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .conftest import Server, open_case

pytestmark = pytest.mark.slow

CLIENTS = 8
EVENTS = 300
T0 = dt.datetime(2025, 4, 10, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def event(i: int) -> str:
    """The i-th event of a case of KJ-QR-0001: submit, then supplement requests and
    resubmissions (a loop the flow allows without end)."""
    if i == 0:
        return "submit"
    return "request_supplement" if i % 2 else "resubmit"


def post(c: httpx.Client, case_id: str, i: int) -> httpx.Response:
    return c.post(f"/api/cases/{case_id}/events",
                  json={"event": event(i), "time": (T0 + dt.timedelta(seconds=i)).isoformat()},
                  headers={"Idempotency-Key": f"{case_id}/{i}"})


def trail_of(server: Server, case_id: str) -> list[dict[str, object]]:
    with server.client("admin") as c:
        rows: list[dict[str, object]] = c.get(f"/api/cases/{case_id}").json()["trail"]
        return rows


def test_eight_clients_lose_and_double_nothing(fresh: Server) -> None:
    fresh.start()
    with fresh.client("admin") as c:
        for k in range(CLIENTS):
            open_case(c, f"LOAD-{k}", "2025-04-10T07:00:00+08:00", unit="A")

    def client(k: int) -> list[int]:
        seqs = []
        with fresh.client("clerk_a") as c:
            for i in range(EVENTS):
                r = post(c, f"LOAD-{k}", i)
                assert r.status_code == 201, r.text
                seqs.append(r.json()["seq"])
                if i % 10 == 0:  # a retry, as after a lost answer: counts once
                    again = post(c, f"LOAD-{k}", i)
                    assert again.status_code == 200 and again.json()["duplicate"]
                    assert again.json()["seq"] == seqs[-1]
        return seqs

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(client, range(CLIENTS)))
    all_seqs = [s for seqs in results for s in seqs]
    assert len(set(all_seqs)) == CLIENTS * EVENTS
    for k in range(CLIENTS):
        rows = trail_of(fresh, f"LOAD-{k}")
        assert [r["event"] for r in rows] == ["@open"] + [event(i) for i in range(EVENTS)]
        assert all(r["accepted"] for r in rows)
        assert [r["seq"] for r in rows[1:]] == results[k]
    with fresh.client("sup") as c:
        v = c.get("/api/verify").json()
    assert v["ok"] and v["rows"] == CLIENTS * (EVENTS + 1)


def test_sigkill_mid_load_then_restart(fresh: Server) -> None:
    fresh.start()
    cases = [f"KILL-{k}" for k in range(4)]
    with fresh.client("clerk_a") as c:
        for cid in cases:
            open_case(c, cid, "2025-04-10T07:00:00+08:00")
    acked: dict[str, dict[int, int]] = {cid: {} for cid in cases}
    stop = threading.Event()

    def client(cid: str) -> None:
        with fresh.client("clerk_a") as c:
            for i in range(2000):
                if stop.is_set():
                    return
                try:
                    r = post(c, cid, i)
                except httpx.TransportError:
                    return
                assert r.status_code == 201, r.text
                acked[cid][i] = r.json()["seq"]

    threads = [threading.Thread(target=client, args=(cid,)) for cid in cases]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 120
    while sum(map(len, acked.values())) < 200 and time.monotonic() < deadline:
        time.sleep(0.02)
    fresh.stop(signal.SIGKILL)
    stop.set()
    for t in threads:
        t.join(60)
    assert sum(map(len, acked.values())) >= 200

    fresh.start()  # the same data folder
    with fresh.client("sup") as c:
        assert c.get("/api/verify").json()["ok"]
    with fresh.client("clerk_a") as c:
        for cid in cases:
            n = len(acked[cid])
            for i in range(n + 5):  # every acknowledged post again, then a few new ones
                r = post(c, cid, i)
                assert r.status_code in (200, 201), r.text
                if i in acked[cid]:
                    assert r.json()["duplicate"] and r.json()["seq"] == acked[cid][i]
            rows = trail_of(fresh, cid)
            assert [r["event"] for r in rows] == ["@open"] + [event(i) for i in range(n + 5)]
            keys = [r["key"] for r in rows[1:]]
            assert len(set(keys)) == len(keys) == n + 5
    with fresh.client("sup") as c:
        assert c.get("/api/verify").json()["ok"]
