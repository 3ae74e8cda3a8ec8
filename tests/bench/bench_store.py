"""Case store benchmark: what a fired event costs in the SQLite store, against a bare chained
append in the same run.

`python -m tests.bench store`. The baseline is the least a hash-chained SQLite append can do:
one `BEGIN IMMEDIATE` transaction per event that reads the head, inserts a row with its sha256
and updates the head (no flow check, no case state). The store's `fire` adds the case's state
(from the `heads` copy, checked against its chained hash), the check against the pinned flow, the
state hash and the `heads` update. Also measured: a fire on a case that already has 2,000 events
(must not grow with the trail), the keyed chain, and `verify` per row. Medians of `REPEAT` runs,
wall and CPU time; each run on a fresh store in a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.bench.util import table

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "tests" / "engine" / "flows" / "procure.yaml"
CASES, EVENTS, LONG = 50, 40, 2_000
REPEAT = 3
T0 = dt.datetime(2025, 3, 3, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
LOOP = ("ask", "answer")


def _timed(fn: Callable[[Path], int]) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        w, c = time.perf_counter(), time.process_time()
        n = fn(Path(tmp))
        return time.perf_counter() - w, time.process_time() - c, n


def _bare(tmp: Path) -> int:
    db = sqlite3.connect(tmp / "bare.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("CREATE TABLE trail (seq INTEGER PRIMARY KEY, case_id TEXT, n INTEGER, "
               "body TEXT, prev_hash TEXT, hash TEXT)")
    db.execute("INSERT INTO meta VALUES ('head', ?), ('rows', '0')", ("0" * 64,))
    for i in range(CASES * EVENTS):
        db.execute("BEGIN IMMEDIATE")
        head = db.execute("SELECT value FROM meta WHERE key='head'").fetchone()[0]
        rows = int(db.execute("SELECT value FROM meta WHERE key='rows'").fetchone()[0])
        body = json.dumps({"case": f"C{i % CASES}", "n": i // CASES, "event": LOOP[i % 2],
                           "person": "p", "time": T0.isoformat()}, sort_keys=True)
        h = hashlib.sha256((head + body).encode()).hexdigest()
        db.execute("INSERT INTO trail VALUES (?,?,?,?,?,?)",
                   (rows + 1, f"C{i % CASES}", i // CASES, body, head, h))
        db.execute("UPDATE meta SET value=? WHERE key='head'", (h,))
        db.execute("UPDATE meta SET value=? WHERE key='rows'", (str(rows + 1),))
        db.execute("COMMIT")
    db.close()
    return CASES * EVENTS


def _fill(tmp: Path, key: bytes | None, cases: int, events: int) -> tuple[Path, int]:
    from powerflow.engine.store.sqlite import SqliteStore

    db = tmp / "cases.sqlite3"
    with SqliteStore(db, key, create=True) as store:
        for c in range(cases):
            store.open_case(f"C{c}", str(FLOW), {"amount": 10}, T0)
            store.fire(f"C{c}", T0, "submit", "p")
        for i in range(events - 1):
            t = T0 + dt.timedelta(seconds=i + 1)
            for c in range(cases):
                store.fire(f"C{c}", t, LOOP[i % 2], "p")
    return db, cases * events


def _store(key: bytes | None) -> Callable[[Path], int]:
    return lambda tmp: _fill(tmp, key, CASES, EVENTS)[1]


def _long_case() -> tuple[float, float, float, float]:
    """Wall and CPU per fire for the first 100 and the last 100 of 2,000 events on one case."""
    from powerflow.engine.store.sqlite import SqliteStore

    out = []
    with tempfile.TemporaryDirectory() as tmp, SqliteStore(
            Path(tmp) / "long.sqlite3", create=True) as store:
        store.open_case("L", str(FLOW), {"amount": 10}, T0)
        store.fire("L", T0, "submit", "p")
        for i in range(LONG - 1):
            if i in (0, LONG - 101):
                w, c = time.perf_counter(), time.process_time()
            store.fire("L", T0 + dt.timedelta(seconds=i + 1), LOOP[i % 2], "p")
            if i in (99, LONG - 2):
                out += [(time.perf_counter() - w) / 100, (time.process_time() - c) / 100]
    return out[0], out[1], out[2], out[3]


def _verify(tmp: Path) -> int:
    from powerflow.engine.store.sqlite import SqliteStore

    db, n = _fill(tmp, None, CASES, EVENTS)
    with SqliteStore(db, readonly=True) as store:
        w, c = time.perf_counter(), time.process_time()
        res = store.verify()
        assert res.ok, res.problems
        _VERIFY.append((time.perf_counter() - w, time.process_time() - c, res.rows))
    return n


_VERIFY: list[tuple[float, float, int]] = []


def main() -> None:
    runs: dict[str, list[tuple[float, float, int]]] = {"bare": [], "store": [], "keyed": []}
    for _ in range(REPEAT):  # alternate, so load changes hit all alike
        runs["bare"].append(_timed(_bare))
        runs["store"].append(_timed(_store(None)))
        runs["keyed"].append(_timed(_store(b"k" * 32)))
        _timed(_verify)
    med = {k: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v),
               v[0][2]) for k, v in runs.items()}
    per = {k: (w / n * 1e6, c / n * 1e6) for k, (w, c, n) in med.items()}
    long = _long_case()
    vw = statistics.median(v[0] for v in _VERIFY) / _VERIFY[0][2] * 1e6
    vc = statistics.median(v[1] for v in _VERIFY) / _VERIFY[0][2] * 1e6
    base = per["bare"]
    rows = [
        ["bare chained append (baseline)", *per["bare"], "1.00×"],
        ["`fire`, unkeyed chain", *per["store"], f"{per['store'][0] / base[0]:.2f}×"],
        ["`fire`, keyed chain (HMAC-SHA256)", *per["keyed"], f"{per['keyed'][0] / base[0]:.2f}×"],
        ["`fire` on one case, events 1-100", long[0] * 1e6, long[1] * 1e6, ""],
        [f"`fire` on one case, events {LONG - 99}-{LONG}", long[2] * 1e6, long[3] * 1e6,
         f"{long[2] / long[0]:.2f}× events 1-100"],
        ["`verify` (chain, cases, replay), per row", vw, vc, ""],
    ]
    print(f"{CASES} cases × {EVENTS} events = {CASES * EVENTS:,} fires per run (plus one case of "
          f"{LONG:,} events); medians of {REPEAT} runs; µs per event\n")
    print(table(["what", "wall µs", "CPU µs", "wall vs baseline"], rows))
