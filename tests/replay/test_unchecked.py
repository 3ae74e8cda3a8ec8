"""Nothing unchecked in silence: a log without a person column, a mapping key the log never
uses and lifecycle values that are not exactly `complete` are said in the text, JSON, CSV and
HTML reports, with counts, and do not change the exit code."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from powerflow.replay.audit import audit
from powerflow.replay.report import render_html, render_text, summary, write_reports
from powerflow.replay.run import load_inputs

FIX = Path(__file__).parent / "fixtures"

LOG = """case:concept:name,concept:name,time:timestamp,lifecycle:transition,minutes
a,Submit,2024-03-04T09:00:00+08:00,complete,
a,Accept,2024-03-04T10:00:00+08:00,complete,
a,Review passed,2024-03-05T10:00:00+08:00,complete ,
a,Review passed,2024-03-05T11:00:00+08:00,complete,
a,Grant,2024-03-06T10:00:00+08:00,complete,yes
b,Submit,2024-03-04T09:00:00+08:00,complete,
b,Mystery,2024-03-04T09:30:00+08:00,complete,
"""

MAPPING = """activities:
  Submit: submit
  Accept: accept
  Fast track: fast_track
  Review passed: pass
  Grant: grant
  Refuse: refuse
  Never logged: refuse
evidence:
  minutes: minutes
"""


def _inputs(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "log.csv").write_text(LOG, encoding="utf-8")
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    inputs = load_inputs(FIX / "small.yaml", tmp_path / "log.csv", tmp_path / "m.yaml")
    assert inputs.ok, inputs.diagnostics
    return inputs


def test_unchecked_listed_with_counts(tmp_path: Path) -> None:
    i = _inputs(tmp_path)
    r = audit(i.flow, i.log, i.mapping)
    got = {u.key: u.count for u in r.unchecked}
    # `complete ` matches `complete` (the readers tolerate case and spaces and say so), so all
    # seven events are kept, none with a person
    assert i.log.lifecycle_variants == {"complete ": 1}
    assert got["person-missing"] == 7 == i.log.n_events
    assert got["mapping-keys-unseen"] == 3  # Fast track, Refuse, Never logged
    # the exact-input readers decide how `complete ` is matched; whatever they drop is said
    assert got.get("lifecycle-dropped", 0) == i.log.other_lifecycle
    assert got["unknown-activities"] == 1
    s = summary(r)
    assert {u["key"] for u in s["not_checked"]} >= {"person-missing", "mapping-keys-unseen"}
    text = render_text(r, "en")
    assert "Not checked, or only partly" in text and "'Never logged'" in text
    assert "no column 'org:resource'" in text
    html = render_html(r, None, "en")
    assert "Not checked, or only partly" in html and "mapping-keys-unseen" in html
    paths = write_reports(r, tmp_path / "out")
    with (tmp_path / "out" / "not-checked.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:3] == ["not_checked", "count", "unit"]
    assert {row[0] for row in rows[1:]} >= {"person-missing", "mapping-keys-unseen"}
    assert tmp_path / "out" / "not-checked.csv" in paths


def test_exit_code_is_for_findings_and_a_line_says_what_was_not_checked(
        tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _inputs(tmp_path)
    res = cli("audit", str(FIX / "small.yaml"), str(tmp_path / "log.csv"), "--mapping",
              str(tmp_path / "m.yaml"), "--format", "json", "--lang", "en")
    assert res.exit_code == 1  # case b is unfinished and has an unknown activity
    body = json.loads(res.stdout)
    assert body["not_checked"]
    assert "not checked or partly checked" in res.stderr
    out = cli("audit", str(FIX / "small.yaml"), str(tmp_path / "log.csv"), "--mapping",
              str(tmp_path / "m.yaml"), "--format", "csv", "--lang", "en")
    assert "not-checked" in out.stdout and "person-missing" in out.stdout


DEADLINE_LOG = """case:concept:name,concept:name,time:timestamp,case:deadline
late,Submit,2024-03-04T09:00:00+08:00,2024-03-05
late,Accept,2024-03-04T10:00:00+08:00,2024-03-05
late,Review passed,2024-03-05T10:00:00+08:00,2024-03-05
late,Grant,2024-03-06T10:00:00+08:00,2024-03-05
ontime,Submit,2024-03-04T09:00:00+08:00,2024-04-30
ontime,Accept,2024-03-04T10:00:00+08:00,2024-04-30
ontime,Review passed,2024-03-05T10:00:00+08:00,2024-04-30
ontime,Grant,2024-03-06T10:00:00+08:00,2024-04-30
"""


def test_a_case_deadline_in_the_data_is_used(tmp_path: Path) -> None:
    (tmp_path / "log.csv").write_text(DEADLINE_LOG, encoding="utf-8")
    (tmp_path / "m.yaml").write_text(MAPPING.replace("  Never logged: refuse\n", "")
                                     + "deadline: case:deadline\n", encoding="utf-8")
    i = load_inputs(FIX / "small.yaml", tmp_path / "log.csv", tmp_path / "m.yaml")
    assert i.ok, i.diagnostics
    r = audit(i.flow, i.log, i.mapping)
    from powerflow.deviations import Deviation

    assert r.cases_with(Deviation.CASE_OVERDUE) == ["late"]


def test_not_checked_units_in_the_report_language(tmp_path: Path) -> None:
    i = _inputs(tmp_path)
    r = audit(i.flow, i.log, i.mapping)
    zh = render_text(r, "zh")
    assert "个事件" in zh and " events:" not in zh
    assert " events:" in render_text(r, "en")
