"""Audits of the real public-administration logs in ../shared/data (skipped when absent).

The counts asserted here are the findings stated in docs/audit.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from powerflow.clock import default_calendar
from powerflow.deviations import Deviation
from powerflow.replay.audit import audit
from powerflow.replay.run import load_inputs

pytestmark = pytest.mark.realdata

EX = Path(__file__).resolve().parents[2] / "examples" / "realdata"

RECEIPT = {  # code: (findings, cases)
    "PF501": (1254, 528), "PF502": (0, 0), "PF503": (1099, 1099), "PF504": (171, 154),
    "PF505": (50, 50), "PF506": (18, 18), "PF507": (0, 0), "PF508": (257, 64),
    "PF509": (562, 562), "PF510": (0, 0), "PF511": (0, 0), "PF531": (0, 0),
}
"""Counted on the mapping's calendar (the Netherlands' public holidays); on the Chinese one the
time findings differ (PF504 167/150, PF505 48/48, PF506 17/17, PF507 1/1)."""


@pytest.mark.parametrize("name", ["receipt.xes.gz", "receipt.csv"])
def test_receipt_audit(shared_data: Path, name: str) -> None:
    inputs = load_inputs(EX / "receipt.yaml", shared_data / name)
    assert inputs.ok, inputs.diagnostics
    assert inputs.log is not None and inputs.flow is not None and inputs.mapping is not None
    assert (inputs.log.n_events, inputs.log.n_cases) == (8577, 1434)
    r = audit(inputs.flow, inputs.log, inputs.mapping)
    assert {d.code: v for d, v in r.counts().items()} == RECEIPT
    assert int(r.fits.sum()) == 729
    # the four-eyes breach the README describes: confirmation and its check by one person
    assert "case-10011" in r.cases_with(Deviation.SEPARATION_BREACH)
    # T11-T20 belong to follow-up procedures: kept and reported, not dropped
    unknown = {r.log.activity_names[a] for a in r.log.activity[r.encoded_log.order[
        r.encoded_log.event < 0]].tolist()}
    assert unknown and all(a.startswith(("T11", "T12", "T13", "T14", "T15", "T16", "T17",
                                         "T18", "T19", "T20")) for a in unknown)


def test_roadtraffic_audit(shared_data: Path) -> None:
    inputs = load_inputs(EX / "roadtraffic.yaml", shared_data / "roadtraffic100traces.xes")
    assert inputs.ok, inputs.diagnostics
    assert inputs.log is not None and inputs.flow is not None and inputs.mapping is not None
    assert (inputs.log.n_events, inputs.log.n_cases) == (390, 100)
    r = audit(inputs.flow, inputs.log, inputs.mapping)
    counts = {d.code: v for d, v in r.counts().items() if v[0]}
    assert counts == {"PF501": (17, 12), "PF504": (40, 40), "PF505": (3, 3), "PF509": (17, 17)}
    assert int(r.fits.sum()) == 72
    assert r.calendar is not None and r.calendar.name == "weekdays"
    # on the Chinese calendar 2000-2003 have no shipped arrangement: counted and said
    cn = audit(inputs.flow, inputs.log, inputs.mapping, calendar=default_calendar())
    assert {d.code: v for d, v in cn.counts().items() if v[0]}["PF531"] == (31, 31)
    assert any("2000, 2001, 2002, 2003" in en for en, _ in cn.findings.notes)
    # missing resources are tolerated (290 of 390 events have none)
    assert int((inputs.log.person < 0).sum()) == 290


def test_audit_command_on_real_log(shared_data: Path, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = cli("audit", str(EX / "receipt.yaml"), str(shared_data / "receipt.xes.gz"),
              "--format", "json", "-o", str(tmp_path), "--lang", "en")
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert data["cases"] == 1434 and data["kinds"]["PF503"]["cases"] == 1099
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="chart"' in html and "PF503" in html
    assert (tmp_path / "cases.csv").read_text(encoding="utf-8").count("\n") == 1435
