"""Case files: strict loading with file:line:col, JSON or YAML, time zones."""

from __future__ import annotations

import datetime as dt

from powerflow.engine.case import CHINA_TZ, load_case, load_case_text, parse_time


def test_naive_time_is_beijing_and_offsets_convert() -> None:
    assert parse_time("2025-02-05T09:00") == dt.datetime(2025, 2, 5, 9, tzinfo=CHINA_TZ)
    utc = parse_time("2025-02-04T17:30:00Z")
    assert utc.date() == dt.date(2025, 2, 5) and utc.utcoffset() == dt.timedelta(hours=8)


def test_bad_case_file_reports_every_problem_with_locations() -> None:
    raw = (b"case: {id: X-1}\n"
           b"events:\n"
           b"  - {time: '2025-01-02T09:00', event: submit, persn: a}\n"
           b"  - {time: 'yesterday', event: accept}\n"
           b"  - {event: close}\n").decode().encode()
    lc = load_case_text(raw, "bad.case.yaml")
    assert lc.case is None
    found = {(d.code, d.location.line) for d in lc.diagnostics}
    assert ("PF003", 3) in found  # unknown key, with a did-you-mean
    assert ("PF005", 4) in found  # not a time
    assert ("PF006", 5) in found  # missing time
    assert any("person" in d.message.en for d in lc.diagnostics if d.code == "PF003")


def test_out_of_order_events() -> None:
    raw = (b"case: {id: X-2}\nevents:\n  - {time: '2025-01-03', event: a}\n"
           b"  - {time: '2025-01-02', event: b}\n")
    (d,) = load_case_text(raw, "o.case.yaml").diagnostics
    assert (d.code, d.location.line) == ("PF005", 4) and "time order" in d.message.en


def test_json_case_and_missing_file(tmp_path: object) -> None:
    raw = b'{"case": {"id": "J-1"}, "facts": {"amount": 5}, "events": [{"time": "2025-01-02T09:00:00+08:00", "event": "submit", "evidence": ["x"]}]}'
    lc = load_case_text(raw, "j.case.json")
    assert lc.case is not None and lc.case.facts == {"amount": 5}
    assert lc.case.events[0].evidence == ("x",)
    missing = load_case("/nonexistent/x.case.yaml")
    assert missing.case is None and missing.diagnostics[0].code == "PF012"


def test_yaml_tags_are_refused() -> None:
    raw = b"case: {id: !!python/object:os.system x}\n"
    lc = load_case_text(raw, "t.case.yaml")
    assert lc.case is None and lc.diagnostics[0].code == "PF014"
