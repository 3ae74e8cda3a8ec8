"""The SQLite store: concurrent writers, tamper detection with the sqlite3 program, crashes."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from powerflow.engine.case import CHINA_TZ
from powerflow.engine.store.base import CaseExists, StoreError
from powerflow.engine.store.sqlite import SqliteStore

from .conftest import PROC

T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=CHINA_TZ)
LOOP = ("ask", "answer")  # check -> wait -> check: a case can take any number of events


def _writer(db: str, case_id: str, n: int) -> None:
    with SqliteStore(db) as store:
        store.fire(case_id, T0, "submit", "甲")
        for i in range(n - 1):
            res = store.fire(case_id, T0 + dt.timedelta(seconds=i + 1), LOOP[i % 2], f"p{i}")
            assert res.accepted, res.error


def test_two_processes_firing_1000_events_each_lose_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "cases.sqlite3")
    with SqliteStore(db, create=True) as store:
        store.open_case("A", str(PROC), {}, T0)
        store.open_case("B", str(PROC), {}, T0)
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(db, cid, 1000)) for cid in ("A", "B")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with SqliteStore(db) as store:
        res = store.verify()
        assert res.ok, res.problems
        assert res.rows == 2 + 2000
        for cid in ("A", "B"):
            rec, rows = store.get(cid)
            assert rec.events == 1000 and len(rows) == 1001
            assert [r.n for r in rows] == list(range(1001))  # no gap, no double
    seqs = [r[0] for r in sqlite3.connect(db).execute("SELECT seq FROM trail ORDER BY seq")]
    assert seqs == list(range(1, 2003))


def _filled(tmp_path: Path) -> str:
    db = str(tmp_path / "c.sqlite3")
    with SqliteStore(db, create=True) as store:
        store.open_case("C", str(PROC), {"amount": 10}, T0)
        store.fire("C", T0, "submit", "甲")
        store.fire("C", T0 + dt.timedelta(hours=1), "approve", "乙", "finance")
        store.fire("C", T0 + dt.timedelta(hours=2), "choose", "丙", evidence=("approval_trail",))
        assert store.verify().ok
    return db


def _sqlite3(db: str, sql: str) -> None:
    if not shutil.which("sqlite3"):
        pytest.skip("the sqlite3 program is not installed (apt-get install sqlite3)")
    subprocess.run(["sqlite3", db, sql], check=True, capture_output=True)


@pytest.mark.parametrize("sql", [
    "UPDATE trail SET person='丁' WHERE seq=3",                        # edited row
    "UPDATE trail SET evidence='[\"approval_trail\",\"x\"]' WHERE seq=4",
    "DELETE FROM trail WHERE seq=2",                                  # deleted middle row
    "DELETE FROM trail WHERE seq=(SELECT MAX(seq) FROM trail)",       # deleted last row
    "UPDATE trail SET to_step='contract' WHERE seq=4",               # state forged
    "UPDATE trail SET detail='{\"facts\":{\"amount\":1}}' WHERE seq=1",  # facts rewritten
])
def test_verify_catches_changes_made_with_the_sqlite3_program(tmp_path: Path, sql: str) -> None:
    db = _filled(tmp_path)
    _sqlite3(db, sql)
    with SqliteStore(db) as store:
        res = store.verify()
    assert not res.ok and res.problems


def test_refused_event_is_kept_as_a_rejected_attempt(tmp_path: Path) -> None:
    db = _filled(tmp_path)
    with SqliteStore(db) as store:
        res = store.fire("C", T0 + dt.timedelta(hours=3), "sign", "丙")
        assert not res.accepted and res.error is not None and res.error.reason == "wrong-step"
        rec, rows = store.get("C")
        assert rec.step == "quote" and rec.events == 3
        assert rows[-1].event == "sign" and not rows[-1].accepted
        assert rows[-1].detail["allowed"] == ["award", "sign_direct"]
        assert store.verify().ok
        assert "PF501" in {d.code for d in store.audit("C").diagnostics}


def test_idempotency_key_and_input_errors(tmp_path: Path) -> None:
    db = _filled(tmp_path)
    with SqliteStore(db) as store:
        t = T0 + dt.timedelta(hours=3)
        first = store.fire("C", t, "award", "丁", evidence=("recusal",), key="k-1")
        again = store.fire("C", t, "award", "丁", evidence=("recusal",), key="k-1")
        assert again.duplicate and again.row.seq == first.row.seq
        assert store.get("C")[0].events == 4
        with pytest.raises(StoreError):
            store.fire("C", T0, "sign")  # earlier than the last event
        with pytest.raises(StoreError):
            store.fire("nope", t, "sign")
        with pytest.raises(CaseExists):
            store.open_case("C", str(PROC), {}, t)


def test_overdue_lists_yellow_and_red_open_cases(tmp_path: Path) -> None:
    db = str(tmp_path / "o.sqlite3")
    with SqliteStore(db, create=True) as store:
        for cid in ("G", "Y", "R"):
            store.open_case(cid, str(PROC), {}, T0)
            store.fire(cid, T0, "submit", "甲")
        store.fire("G", T0 + dt.timedelta(days=2), "approve", "乙", "finance")
        # check (limit 2) is open for Y and R; as of Wed it is 2 of 2 (yellow) ...
        found = {rec.case_id: a.path[-1].status for rec, a in store.overdue(T0 + dt.timedelta(
            days=2))}
        assert found == {"Y": "yellow", "R": "yellow"}
        found = {rec.case_id for rec, _ in store.overdue(T0 + dt.timedelta(days=3))}
        assert found == {"Y", "R"}


_KILLER = r"""
import sys, time, datetime as dt
from pathlib import Path
from powerflow.engine.store import sqlite as s
from powerflow.engine.case import CHINA_TZ
db, flow, ready = sys.argv[1], sys.argv[2], Path(sys.argv[3])
store = s.SqliteStore(db)
original = store._append
def slow_append(row):
    out = original(row)          # the trail row and the new head are written ...
    ready.write_text("in transaction")
    time.sleep(60)               # ... and the process is killed before COMMIT
    return out
store._append = slow_append
store.fire("K", dt.datetime(2025, 3, 4, 9, tzinfo=CHINA_TZ), "submit", "甲")
"""


def test_process_killed_mid_transaction_leaves_store_consistent(tmp_path: Path) -> None:
    db = str(tmp_path / "k.sqlite3")
    with SqliteStore(db, create=True) as store:
        store.open_case("K", str(PROC), {}, T0)
    ready = tmp_path / "ready"
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-c", _KILLER, db, str(PROC), str(ready)],
                            env={**os.environ, "PYTHONPATH": str(root)})
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert proc.poll() is None, "the writer died before reaching the transaction"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    with SqliteStore(db, busy_timeout=5) as store:
        res = store.verify()
        assert res.ok and res.rows == 1, res.problems
        assert store.get("K")[0].step == "plan"
        assert store.fire("K", T0 + dt.timedelta(days=1), "submit", "甲").accepted
        assert store.verify().ok
