"""Event-log import: formats, time zones, unsafe XML, bad input, the mapping file."""

from __future__ import annotations

import datetime as dt
import gzip
import zoneinfo
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerflow.logs import LogMapping, LogReadError, load_mapping, local_days, read_log
from powerflow.model import Actor, Flow, PowerInfo, Step, Transition

CSV = """case:concept:name,concept:name,time:timestamp,org:resource,proof
c1,submit,2024-03-30 23:30:00+01:00,alice,yes
c1,approve,2024-03-31 03:30:00+02:00,,
c2,submit,2024-10-27T02:30:00,bob,0
c2,mystery,2024-10-28T09:00:00Z,bob,1
"""


def flow() -> Flow:
    return Flow(info=PowerInfo(code="T-1", name="t", category="other"),
                actors={"a": Actor(name="a", kind="post")},
                steps={"s": Step(name="s", actor="a", kind="start"),
                       "m": Step(name="m", actor="a"),
                       "e": Step(name="e", actor="a", kind="end", outcome="closed")},
                transitions=(Transition.model_validate({"from": "s", "to": "m", "event": "submit"}),
                             Transition.model_validate({"from": "m", "to": "e",
                                                        "event": "approve"})))


def test_csv_times_zones_and_missing_persons(tmp_path: Path) -> None:
    p = tmp_path / "log.csv"
    p.write_text(CSV, encoding="utf-8")
    log = read_log(p, LogMapping(timezone="Europe/Amsterdam", evidence={"proof": "proof"}))
    assert (log.n_events, log.n_cases) == (4, 2)
    # aware times keep their instant: the wall clocks say 4 hours, across the spring DST change 3
    assert (log.time[1] - log.time[0]) // 3_600_000_000_000 == 3
    # a naive time is read in the mapping's zone (27 Oct 2024 02:30 CEST, before the change)
    naive = dt.datetime(2024, 10, 27, 2, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert log.time[2] == int(naive.timestamp()) * 1_000_000_000
    assert log.person.tolist() == [0, -1, 1, 1]
    assert log.evidence["proof"].tolist() == [True, False, False, True]
    assert log.line.tolist() == [2, 3, 4, 5]
    # local dates: 23:30 CET on 30 March is still 30 March in Amsterdam, 31 March in UTC+8
    assert local_days(log.time[:1], "Europe/Amsterdam")[0] == (dt.date(2024, 3, 30) - dt.date(1970, 1, 1)).days
    assert local_days(log.time[:1], "Asia/Shanghai")[0] == (dt.date(2024, 3, 31) - dt.date(1970, 1, 1)).days


def test_xes_matches_csv_and_gz(tmp_path: Path) -> None:
    xes = """<?xml version="1.0" encoding="UTF-8"?><log xes.version="1.0">
<trace><string key="concept:name" value="c1"/><float key="amount" value="2.5"/>
<event><string key="concept:name" value="submit"/><date key="time:timestamp" value="2024-03-30T23:30:00+01:00"/><string key="org:resource" value="alice"/></event>
<event><string key="concept:name" value="approve"/><date key="time:timestamp" value="2024-03-31T03:30:00+02:00"/></event>
</trace></log>"""
    (tmp_path / "a.xes").write_text(xes, encoding="utf-8")
    (tmp_path / "a.xes.gz").write_bytes(gzip.compress(xes.encode()))
    m = LogMapping(facts={"amount": "case:amount"})
    a, b = read_log(tmp_path / "a.xes", m), read_log(tmp_path / "a.xes.gz", m)
    assert a.activity_names == ["submit", "approve"] and a.case_names == ["c1"]
    assert np.array_equal(a.time, b.time) and a.facts["amount"] == [2.5]
    assert a.line.tolist() == [3, 4]


def test_xes_entity_bomb_is_refused(tmp_path: Path) -> None:
    bomb = """<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<log><trace><event><string key="concept:name" value="&lol2;"/></event></trace></log>"""
    (tmp_path / "bomb.xes").write_text(bomb, encoding="utf-8")
    with pytest.raises(LogReadError) as exc:
        read_log(tmp_path / "bomb.xes", LogMapping())
    assert exc.value.diagnostics[0].code == "PF060"
    assert "unsafe XML" in exc.value.diagnostics[0].message.en


def test_broken_xml_has_a_location(tmp_path: Path) -> None:
    (tmp_path / "bad.xes").write_text("<log>\n<trace>\n<event></trace>", encoding="utf-8")
    with pytest.raises(LogReadError) as exc:
        read_log(tmp_path / "bad.xes", LogMapping())
    assert exc.value.diagnostics[0].location.line == 3


def test_missing_column_is_a_diagnostic(tmp_path: Path) -> None:
    p = tmp_path / "log.csv"
    p.write_text("case,activity,when\nc1,submit,2024-01-02T10:00:00+08:00\n", encoding="utf-8")
    with pytest.raises(LogReadError) as exc:
        read_log(p, LogMapping())
    assert {d.code for d in exc.value.diagnostics} == {"PF061"}
    assert any("did you mean" in d.message.en or "no column" in d.message.en
               for d in exc.value.diagnostics)
    ok = read_log(p, LogMapping.model_validate(
        {"columns": {"case": "case", "activity": "activity", "time": "when"}}))
    assert ok.n_events == 1 and not ok.diagnostics


def test_parquet_round_trip(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    p = tmp_path / "log.csv"
    p.write_text(CSV, encoding="utf-8")
    m = LogMapping(timezone="Europe/Amsterdam", evidence={"proof": "proof"})
    from_csv = read_log(p, m)
    t = pa.table({"case:concept:name": ["c1", "c1", "c2", "c2"],
                  "concept:name": ["submit", "approve", "submit", "mystery"],
                  "time:timestamp": pa.array(from_csv.time, pa.timestamp("ns", tz="UTC")),
                  "org:resource": ["alice", None, "bob", "bob"],
                  "proof": ["yes", "", "0", "1"]})
    pq.write_table(t, tmp_path / "log.parquet")
    log = read_log(tmp_path / "log.parquet", m)
    assert np.array_equal(log.time, from_csv.time)
    assert log.person.tolist() == [0, -1, 1, 1]
    assert log.evidence["proof"].tolist() == [True, False, False, True]


def test_mapping_errors_point_at_the_line(tmp_path: Path) -> None:
    p = tmp_path / "x.mapping.yaml"
    p.write_text("activities:\n  Submit it: submit\n  Approve it: aprove\ntimezone: Mars/Base\n",
                 encoding="utf-8")
    lm = load_mapping(p, flow())
    assert lm.mapping is None
    assert any(d.code == "PF005" or d.code == "PF003" or d.code == "PF004" or d.code == "PF006"
               for d in lm.diagnostics)
    p.write_text("activities:\n  Submit it: submit\n  Approve it: aprove\n", encoding="utf-8")
    lm = load_mapping(p, flow())
    (d,) = lm.diagnostics
    assert d.code == "PF063" and (d.location.line, d.location.column) == (3, 15)
    assert "did you mean 'approve'" in d.message.en


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(946_684_800, 1_798_761_600), min_size=1, max_size=40),
       st.sampled_from(["Europe/Amsterdam", "America/New_York", "Asia/Shanghai",
                        "Australia/Lord_Howe", "Europe/Rome"]))
def test_local_days_match_zoneinfo(seconds: list[int], zone: str) -> None:
    """Local dates across daylight-saving changes equal what `zoneinfo` says, event by event."""
    z = zoneinfo.ZoneInfo(zone)
    ns = np.asarray(seconds, dtype=np.int64) * 1_000_000_000
    want = [(dt.datetime.fromtimestamp(s, z).date() - dt.date(1970, 1, 1)).days
            for s in seconds]
    assert local_days(ns, zone).tolist() == want


@pytest.mark.parametrize("source", ["fixture", "receipt"])
def test_large_csv_path_matches_stdlib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       source: str, request: pytest.FixtureRequest) -> None:
    """Big CSV files go through pyarrow.csv; the result must equal the stdlib reader's."""
    pytest.importorskip("pyarrow")
    from powerflow.logs import readers

    if source == "receipt":
        p = request.getfixturevalue("shared_data") / "receipt.csv"
        m = LogMapping(timezone="Europe/Amsterdam", evidence={"trail": "concept:instance"},
                       facts={"channel": "case:channel"}, ignore=("T03 Adjust confirmation of receipt",))
    else:
        p = tmp_path / "log.csv"
        p.write_text(CSV, encoding="utf-8")
        m = LogMapping(timezone="Europe/Amsterdam", evidence={"proof": "proof"})
    slow = read_log(p, m)
    monkeypatch.setattr(readers, "ARROW_CSV_BYTES", 0)
    fast = read_log(p, m)
    assert fast.line_kind == "line"
    for name in ("case_names", "activity_names", "person_names", "post_names", "facts",
                 "ignored", "other_lifecycle"):
        a, b = getattr(slow, name), getattr(fast, name)
        if name.endswith("_names"):
            # codes may be numbered differently: compare the decoded columns
            col = name.removesuffix("_names")
            if col in ("case", "activity", "person", "post"):
                da = [a[i] if i >= 0 else None for i in getattr(slow, col).tolist()]
                db = [b[i] if i >= 0 else None for i in getattr(fast, col).tolist()]
                assert da == db, name
                continue
        assert a == b, name
    assert np.array_equal(slow.time, fast.time)
    assert np.array_equal(slow.line, fast.line)
    for k in slow.evidence:
        assert np.array_equal(slow.evidence[k], fast.evidence[k])


def test_parquet_without_pyarrow_says_what_to_install(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    (tmp_path / "log.parquet").write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(LogReadError) as exc:
        read_log(tmp_path / "log.parquet", LogMapping())
    (d,) = exc.value.diagnostics
    assert d.code == "PF064" and d.hint is not None and "powerflow[parquet]" in d.hint.en
