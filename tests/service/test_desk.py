"""The service's operations in-process (no HTTP): cards recomputed as the clock moves, with no
new event; the card rules; the store refusing a bad folder at start."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from powerflow.engine.case import CHINA_TZ
from powerflow.service.accounts import Principal
from powerflow.service.config import ServiceConfig
from powerflow.service.operations import Desk, Filters, OperationError
from tests.conftest import FLOWS

ADMIN = Principal("admin", "admin", None)


class Clock:
    def __init__(self, t: dt.datetime) -> None:
        self.t = t

    def __call__(self) -> dt.datetime:
        return self.t


def _card(desk: Desk, case_id: str) -> str:
    page = desk.cards(ADMIN, Filters(q=case_id, finished=True))
    return next(c.card for c in page.items if c.case_id == case_id)


def test_cards_change_as_time_passes(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2025, 4, 8, 10, tzinfo=CHINA_TZ))  # Tuesday
    desk = Desk(ServiceConfig(tmp_path, FLOWS, clock))
    desk.open_case(ADMIN, "T-1", "KJ-QR-0001", "A", {}, "2025-04-08T09:00:00+08:00")
    desk.fire(ADMIN, "T-1", "submit", "2025-04-08T09:05:00+08:00", None, None, (), None)
    seen = []
    for day in (8, 9, 10, 11, 14):  # accept (受理): 2 working days; yellow at 90 %
        clock.t = dt.datetime(2025, 4, day, 10, tzinfo=CHINA_TZ)
        seen.append(_card(desk, "T-1"))
    assert seen == ["green", "green", "yellow", "red", "red"]
    assert desk.case(ADMIN, "T-1")[1].as_of == clock.t


def test_finished_case_is_done_and_hidden_by_default(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2025, 4, 10, 10, tzinfo=CHINA_TZ))
    desk = Desk(ServiceConfig(tmp_path, FLOWS, clock))
    desk.open_case(ADMIN, "F-1", "KJ-QR-0001", "A", {}, "2025-04-08T09:00:00+08:00")
    for i, ev in enumerate(("submit", "refuse_to_accept")):
        res = desk.fire(ADMIN, "F-1", ev, f"2025-04-08T09:0{i}:00+08:00", None, None, (), None)
        assert res.accepted
    assert desk.cards(ADMIN, Filters()).total == 0
    assert _card(desk, "F-1") == "done"


def test_clerk_sees_own_unit_only(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2025, 4, 10, 10, tzinfo=CHINA_TZ))
    desk = Desk(ServiceConfig(tmp_path, FLOWS, clock))
    a, b = Principal("a", "clerk", "A"), Principal("b", "clerk", "B")
    desk.open_case(a, "U-A", "KJ-QR-0001", None, {}, None)
    assert desk.case(a, "U-A")[0].unit == "A"
    with pytest.raises(OperationError) as err:
        desk.case(b, "U-A")
    assert err.value.status == 404
    assert [c.case_id for c in desk.cards(b, Filters()).items] == []


def test_serve_refuses_a_foreign_store(tmp_path: Path, cli: Callable[..., Result]) -> None:
    (tmp_path / "cases.db").write_bytes(b"not a database at all")
    r = cli("serve", "--data", str(tmp_path), "--flows", str(FLOWS), "--port", "0")
    assert r.exit_code == 2 and "PF803" in r.stderr and "不是办件库" in r.stderr


def test_import_case_files_twice_adds_nothing(tmp_path: Path, cli: Callable[..., Result]) -> None:
    files = [str(p) for p in sorted((FLOWS.parent / "examples" / "cases" / "KJ-QR-0001").glob(
        "*.case.yaml"))]
    data = str(tmp_path / "data")
    first = cli("service", "import", *files, "--data", data, "--unit", "登记科", "--lang", "en")
    assert first.exit_code == 0, first.output
    assert "QR2025-0210-V: 6 events recorded (1 refused by the flow), 0 already there" in first.output
    again = cli("service", "import", *files, "--data", data, "--lang", "en")
    assert again.exit_code == 0 and "0 events recorded (0 refused by the flow), 5 already there" \
        in again.output
    desk = Desk(ServiceConfig(Path(data), FLOWS, Clock(dt.datetime(2026, 1, 5, tzinfo=CHINA_TZ))))
    rec, audit, rows = desk.case(ADMIN, "QR2025-0210-V")
    assert rec.unit == "登记科" and len(rows) == 7
    assert {d.code for d in audit.diagnostics} >= {"PF501", "PF502", "PF503"}
    bad = tmp_path / "bad.case.yaml"
    bad.write_text("case: {id: x}\n", encoding="utf-8")
    r = cli("service", "import", str(bad), "--data", data, "--lang", "en")
    assert r.exit_code == 1 and "no events" in r.stderr
