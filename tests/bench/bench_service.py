"""Service benchmark: events accepted through the HTTP API with 8 concurrent clients against
the same events fired directly into the store, in the same run.

`python -m tests.bench service`. The real server (`powerflow serve`, uvicorn, one process) on
127.0.0.1; 8 client processes, each posting `EVENTS` events with an Idempotency-Key to its own
case (token check, JSON, the store's `fire` with the flow check and the chained row). Baselines:
the same events fired into `SqliteStore` directly, from one thread, and from 8 threads with one
store each (SQLite serialises the writers). Also: `GET /api/cards` (every live case audited as of
now) with `CARDS` live cases. Medians of `REPEAT` runs; wall time, and CPU time of the process
that does the work (the server's, read from /proc, for the HTTP rows).
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.bench.util import table
from tests.conftest import FLOWS
from tests.service.conftest import make_server

CLIENTS, EVENTS, CARDS = 8, 150, 1_000
REPEAT = 3
T0 = dt.datetime(2025, 4, 10, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
FLOW = FLOWS / "kj-qr-0001-technology-contract-registration.yaml"


def _event(i: int) -> str:
    return "submit" if i == 0 else ("request_supplement" if i % 2 else "resubmit")


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    import os

    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _client(base: str, token: str, k: int, start: float) -> list[float]:
    """One client process: waits for the common start, posts its events, gives latencies."""
    lat = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=60) as c:
        time.sleep(max(0.0, start - time.time()))
        for i in range(EVENTS):
            t = time.perf_counter()
            r = c.post(f"/api/cases/B{k}/events", headers={"Idempotency-Key": f"{k}/{i}"},
                       json={"event": _event(i),
                             "time": (T0 + dt.timedelta(seconds=i)).isoformat()})
            lat.append(time.perf_counter() - t)
            assert r.status_code == 201, r.text
    return lat


def _http(tmp: Path) -> tuple[float, float, list[float]]:
    srv = make_server(tmp).start()
    assert srv.proc is not None
    try:
        with srv.client("admin") as c:
            for k in range(CLIENTS):
                c.post("/api/cases", json={"id": f"B{k}", "power": "KJ-QR-0001", "unit": "A",
                                           "time": "2025-04-10T07:00:00+08:00"})
        token = srv.tokens["clerk_a"]
        with ProcessPoolExecutor(CLIENTS) as pool:  # one process per client: no shared GIL
            start = time.time() + 1.0
            cpu0 = _cpu(srv.proc.pid)
            futures = [pool.submit(_client, srv.base, token, k, start) for k in range(CLIENTS)]
            lat = [x for f in futures for x in f.result()]
            w = time.time() - start
        return w, _cpu(srv.proc.pid) - cpu0, lat
    finally:
        srv.stop()


def _direct(tmp: Path, threads: int) -> tuple[float, float]:
    from powerflow.engine.store.sqlite import SqliteStore

    db = tmp / "cases.db"
    with SqliteStore(db, create=True) as store:
        for k in range(CLIENTS):
            store.open_case(f"B{k}", str(FLOW), {}, T0 - dt.timedelta(hours=1), unit="A")

    def client(ks: list[int]) -> None:
        with SqliteStore(db) as store:
            for k in ks:
                for i in range(EVENTS):
                    store.fire(f"B{k}", T0 + dt.timedelta(seconds=i), _event(i), "clerk_a",
                               key=f"clerk_a\x1f{k}/{i}")

    w, c = time.perf_counter(), time.process_time()
    if threads == 1:
        client(list(range(CLIENTS)))
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(client, [[k] for k in range(CLIENTS)]))
    return time.perf_counter() - w, time.process_time() - c


def _cards(tmp: Path) -> tuple[float, float]:
    srv = make_server(tmp).start()
    assert srv.proc is not None
    try:
        with srv.client("admin") as c:
            for k in range(CARDS):
                c.post("/api/cases", json={"id": f"C{k:05d}", "power": "KJ-QR-0001",
                                           "unit": "A", "time": "2025-04-01T09:00:00+08:00"})
            c.get("/api/cards")
            cpu0, w = _cpu(srv.proc.pid), time.perf_counter()
            r = c.get("/api/cards", params={"color": "red"})
            assert r.json()["total"] + r.json()["counts"]["green"] >= 0
            return time.perf_counter() - w, _cpu(srv.proc.pid) - cpu0
    finally:
        srv.stop()


def main() -> None:
    n = CLIENTS * EVENTS
    runs: dict[str, list[tuple[float, float]]] = {"one": [], "eight": [], "http": []}
    lats: list[float] = []
    for _ in range(REPEAT):  # alternate, so load changes hit all alike
        with tempfile.TemporaryDirectory() as tmp:
            runs["one"].append(_direct(Path(tmp), 1))
        with tempfile.TemporaryDirectory() as tmp:
            runs["eight"].append(_direct(Path(tmp), CLIENTS))
        with tempfile.TemporaryDirectory() as tmp:
            w, c, lat = _http(Path(tmp))
            runs["http"].append((w, c))
            lats += lat
    med = {k: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v))
           for k, v in runs.items()}
    base = n / med["one"][0]
    q = statistics.quantiles(lats, n=100)
    with tempfile.TemporaryDirectory() as tmp:
        cw, cc = _cards(Path(tmp))
    rows = [
        ["store `fire` directly, 1 thread (baseline)", n / med["one"][0],
         med["one"][0] / n * 1e3, med["one"][1] / n * 1e3, "1.00×"],
        ["store `fire` directly, 8 threads", n / med["eight"][0], med["eight"][0] / n * 1e3,
         med["eight"][1] / n * 1e3, f"{n / med['eight'][0] / base:.2f}×"],
        ["HTTP API, 8 clients", n / med["http"][0], med["http"][0] / n * 1e3,
         med["http"][1] / n * 1e3, f"{n / med['http'][0] / base:.2f}×"],
    ]
    print(f"{CLIENTS} clients × {EVENTS} events = {n:,} events per run; medians of {REPEAT} "
          "runs (CPU: the process doing the work; for HTTP, the server)\n")
    print(table(["path", "events/s", "wall ms/event", "CPU ms/event", "vs baseline"], rows))
    print(f"\nHTTP latency per event over {len(lats):,} posts: p50 {q[49] * 1e3:.1f} ms, "
          f"p95 {q[94] * 1e3:.1f} ms, max {max(lats) * 1e3:.1f} ms")
    print(f"`GET /api/cards` with {CARDS:,} live cases (each audited as of now): "
          f"{cw * 1e3:.0f} ms wall, {cc * 1e3:.0f} ms server CPU")
