"""`calendar:` declarations in a catalogue, a calendar file and a log mapping: a 2027 case is
counted exactly once its arrangement is declared; malformed declarations give located errors."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from powerflow.engine.flows import load_compiled
from powerflow.loader import load_catalog
from powerflow.logs.mapping import calendar_for, load_mapping

ROOT = Path(__file__).resolve().parents[2]
FLOW = "kj-fx-0012-project-approval.yaml"
CASE = ROOT / "examples" / "cases" / "KJ-FX-0012" / "dated-2027.case.yaml"

# Test data shaped like a State Council arrangement for 2027 (not the published one, which
# does not exist yet): Spring Festival 5-13 February, Sunday 14 February worked.
DECLARED = """\
  calendar:
    base: cn
    years:
      2027:
        source: test arrangement
        holidays: [2027-01-01, 2027-02-05/2027-02-13]
        workdays: [2027-02-14]
"""


def _catalogue(tmp: Path, calendar: str) -> Path:
    text = (ROOT / "flows" / "catalog.yaml").read_text(encoding="utf-8")
    text = text.replace("  calendar: cn\n", calendar)
    (tmp / "catalog.yaml").write_text(text, encoding="utf-8")
    shutil.copy(ROOT / "flows" / FLOW, tmp / FLOW)
    return tmp / "catalog.yaml"


def _formal_days(cli: Callable[..., Result], flow: Path) -> tuple[int, set[str]]:
    import json

    res = cli("simulate", str(flow), str(CASE), "--format", "json", "--lang", "en")
    body = json.loads(res.output)
    formal = next(v for v in body["path"] if v["step"] == "expert_review")
    return formal["days"], {d["code"] for d in body["diagnostics"]}


def test_2027_without_arrangement_warns_and_with_one_counts_exactly(
        tmp_path: Path, cli: Callable[..., Result]) -> None:
    shutil.copy(ROOT / "flows" / "catalog.yaml", tmp_path / "catalog.yaml")
    shutil.copy(ROOT / "flows" / FLOW, tmp_path / FLOW)
    days, codes = _formal_days(cli, tmp_path / FLOW)
    # expert review 1 Feb (Mon) to 19 Feb: 2-4, 11-12, 15-19 on the statutory calendar
    # (Spring Festival 5-8 February, make-up days 9 and 10)
    assert (days, "PF531" in codes) == (10, True)
    (tmp_path / "declared").mkdir()
    _catalogue(tmp_path / "declared", DECLARED)
    days, codes = _formal_days(cli, tmp_path / "declared" / FLOW)
    # 2-4, Sunday 14 (worked), 15-19 on the declared arrangement (5-13 off)
    assert (days, "PF531" in codes) == (9, False)
    compiled = load_compiled(tmp_path / "declared" / FLOW).compiled
    assert compiled is not None
    cal = compiled.calendar
    # exactly the declared days: 5-13 February off, Sunday 14 worked
    assert cal.working_days_between(dt.date(2027, 2, 4), dt.date(2027, 2, 15)) == 2
    assert "PF531" not in codes


def test_a_calendar_file_named_by_the_catalogue(tmp_path: Path) -> None:
    cat = _catalogue(tmp_path, "  calendar: cal/2027.yaml\n")
    (tmp_path / "cal").mkdir()
    (tmp_path / "cal" / "2027.yaml").write_text(
        "name: test calendar\nyears:\n  2027: {holidays: [2027-02-05/2027-02-13]}\n",
        encoding="utf-8")
    lc = load_catalog(cat)
    assert lc.catalog is not None, lc.diagnostics
    compiled = load_compiled(tmp_path / FLOW).compiled
    assert compiled is not None and compiled.calendar.label == "test calendar"
    assert not compiled.calendar.is_statutory_only(2027)


BAD = """\
  calendar:
    years:
      2027:
        holidays: [2027-02-30, 2028-01-01, 2027-02-05/2027-02-01, 2027-02-14]
        workdays: [2027-02-14, 2027-02-15]
      20x7: {}
"""


def test_malformed_declarations_give_located_errors(tmp_path: Path) -> None:
    lc = load_catalog(_catalogue(tmp_path, BAD))
    assert lc.catalog is None
    got = sorted((d.code, d.location.line, d.location.column) for d in lc.diagnostics)
    lines = (tmp_path / "catalog.yaml").read_text(encoding="utf-8").splitlines()
    row = next(i for i, t in enumerate(lines, 1) if "2027-02-30" in t)
    assert ("PF005", row + 2, 7) in got or any(c == "PF005" and ln == row + 2 for c, ln, _ in got)
    assert [c for c, _, _ in got if c.startswith("PF08")] == []  # shape first: 20x7 is no year
    text = (tmp_path / "catalog.yaml").read_text(encoding="utf-8").replace("      20x7: {}\n", "")
    (tmp_path / "catalog.yaml").write_text(text, encoding="utf-8")
    lc = load_catalog(tmp_path / "catalog.yaml")
    got = sorted((d.code, d.location.line, d.location.column) for d in lc.diagnostics)
    col = lines[row - 1].index("2027-02-30") + 1
    assert ("PF080", row, col) in got                                   # no 30 February
    assert ("PF081", row, lines[row - 1].index("2028-01-01") + 1) in got  # not in 2027
    assert ("PF080", row, lines[row - 1].index("2027-02-05/") + 1) in got  # ends before start
    assert ("PF082", row + 1, lines[row].index("2027-02-14") + 1) in got   # off and working
    assert ("PF084", row + 1, lines[row].index("2027-02-15") + 1) in got   # a Monday anyway
    assert lc.catalog is None
    for d in lc.diagnostics:
        assert d.message.zh and d.hint is not None and d.location.file.endswith("catalog.yaml")


@pytest.mark.parametrize(("value", "code"), [
    ("  calendar: missing.yaml\n", "PF083"),
    ("  calendar: cnn\n", "PF083"),
    ("  calendar: {base: cnn}\n", "PF005"),
    ("  calendar: {file: x.yaml, years: {2027: {}}}\n", "PF083"),
    ("  calendar: {years: {1850: {}}}\n", "PF005"),
    ("  calendar: {years: {2027: {holidays: [5]}}}\n", "PF080"),
])
def test_other_bad_calendar_values(tmp_path: Path, value: str, code: str) -> None:
    lc = load_catalog(_catalogue(tmp_path, value))
    assert lc.catalog is None
    assert code in {d.code for d in lc.diagnostics}, lc.diagnostics
    assert all(d.location.line >= 13 for d in lc.diagnostics)


def test_a_calendar_file_that_names_another_is_refused(tmp_path: Path) -> None:
    cat = _catalogue(tmp_path, "  calendar: a.yaml\n")
    (tmp_path / "a.yaml").write_text("file: b.yaml\n", encoding="utf-8")
    lc = load_catalog(cat)
    assert [d.code for d in lc.diagnostics] == ["PF083"]
    assert lc.diagnostics[0].location.file.endswith("a.yaml")


def test_a_mapping_chooses_its_calendar(tmp_path: Path) -> None:
    compiled = load_compiled(ROOT / "examples" / "realdata" / "receipt.yaml").compiled
    assert compiled is not None
    lm = load_mapping(ROOT / "examples" / "realdata" / "receipt.mapping.yaml", compiled.flow)
    assert lm.mapping is not None, lm.diagnostics
    cal = calendar_for(lm.mapping, compiled.flow)
    assert cal.name == "weekdays" and not cal.is_statutory_only(2011)
    assert cal.is_statutory_only(2013)  # the list of holidays stops
    (tmp_path / "m.mapping.yaml").write_text("calendar: {base: weekdays, years: {2011: "
                                             "{holidays: [2011-13-01]}}}\n", encoding="utf-8")
    bad = load_mapping(tmp_path / "m.mapping.yaml", compiled.flow)
    assert bad.mapping is None and [(d.code, d.location.line) for d in bad.diagnostics] == [
        ("PF080", 1)]


LOG = """case,activity,time,person
K1,submit,2027-01-25T09:00:00+08:00,a
K1,accept,2027-01-26T09:00:00+08:00,b
K1,pass_formal,2027-02-01T09:00:00+08:00,c
K2,submit,2026-12-01T09:00:00+08:00,a
K2,accept,2026-12-02T09:00:00+08:00,b
"""


def test_a_2027_log_says_so_in_every_format(tmp_path: Path, cli: Callable[..., Result]) -> None:
    import json

    (tmp_path / "log.csv").write_text(LOG, encoding="utf-8")
    (tmp_path / "m.mapping.yaml").write_text(
        "columns: {case: case, activity: activity, time: time, person: person, post: null,"
        " lifecycle: null}\n", encoding="utf-8")
    flow = str(ROOT / "flows" / FLOW)
    args = (flow, str(tmp_path / "log.csv"), "--mapping", str(tmp_path / "m.mapping.yaml"),
            "--lang", "en", "--no-chart")
    body = json.loads(cli("audit", *args, "--format", "json").stdout)
    assert body["kinds"]["PF531"]["case_ids"] == ["K1"]
    assert any("2027" in n["en"] and "statutory" in n["en"] for n in body["notes"])
    assert body["calendar"].startswith("Chinese mainland")
    text = cli("audit", *args, "--format", "text").stdout
    assert "PF531" in text and "note: 3 events fall in 2027" in text
    html = cli("audit", *args, "--format", "html").stdout
    assert "PF531" in html and "2027" in html
    csv = cli("audit", *args, "--format", "csv").stdout
    assert "PF531,year-arrangement-not-declared,warning,K1" in csv
