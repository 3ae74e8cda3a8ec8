"""Each deviation kind on a small hand-made log whose answers are worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

from powerflow.deviations import Deviation as D
from powerflow.replay.audit import audit
from powerflow.replay.run import load_inputs

FIX = Path(__file__).parent / "fixtures"


def result():  # type: ignore[no-untyped-def]
    inputs = load_inputs(FIX / "small.yaml", FIX / "small.csv")
    assert inputs.ok, inputs.diagnostics
    assert inputs.flow and inputs.log and inputs.mapping
    return audit(inputs.flow, inputs.log, inputs.mapping)


def test_each_kind() -> None:
    r = result()
    assert r.log.ignored == 1  # "Print" is ignored on purpose, and counted
    by = {d: r.cases_with(d) for d in D}
    # evidence `minutes` missing when `decide` was completed (granted or refused)
    assert by[D.CONTROL_EVIDENCE_MISSING] == ["sameperson", "slow"]
    # w1 accepted and reviewed the same case
    assert by[D.SEPARATION_BREACH] == ["sameperson"]
    # amount 500 fails the fast-track guard: not allowed, stays (resync to `decide`, unique)
    assert by[D.EVENT_NOT_ALLOWED] == ["blocked"]
    assert by[D.UNKNOWN_ACTIVITY] == ["slow"]
    assert by[D.CASE_UNFINISHED] == ["blocked"]
    # fast track reached `granted` without the control step `review`
    assert by[D.CONTROL_STEP_SKIPPED] == ["fasttrack"]
    # 2024-09-27 (Fri) → 2024-10-09: the National Day holiday (10-01..10-07) does not count,
    # and Sunday 09-29 and Saturday 10-12 are adjusted working days (调休):
    # working days after 09-27 up to 10-09 = 09-29, 09-30, 10-08, 10-09 = 4 > review limit 2
    assert by[D.STEP_OVERDUE] == ["slow"]
    rows = {d: n for d, (n, _) in r.counts().items()}
    assert rows[D.STEP_OVERDUE] == 1
    f = r.findings
    k = list(D).index(D.STEP_OVERDUE)
    assert f.value[f.kind == k].tolist() == [4.0]
    # case: 09-27 → 10-11 = 6 working days > promised limit 5 → red
    assert by[D.CASE_OVERDUE] == ["slow"] and by[D.CASE_NEAR_LIMIT] == []
    # `decide` was entered on 10-09 (review passed) and left on 10-11: 2 working days = its
    # limit, but the step is closed: yellow warns about open steps only (one rule for every
    # audit, docs/audit.md).
    assert by[D.STEP_NEAR_LIMIT] == []
    fits = dict(zip(r.log.case_names, r.fits.tolist(), strict=True))
    assert fits == {"ok": True, "sameperson": True, "fasttrack": True, "blocked": False,
                    "slow": False}
    ov = r.overlay()
    assert ov.edge_counts[("accept", "review", "accept")] == 3
    assert ov.risk_notes == {"R1": "防控措施缺失 3 件 (controls missing in 3 cases)"}
    assert ov.step_colors == {"review": "bad"}  # yellow is for open steps only


def test_cli_exit_codes_and_files(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = cli("audit", str(FIX / "small.yaml"), str(FIX / "small.csv"), "--format", "json",
              "-o", str(tmp_path))
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert data["kinds"]["PF503"]["case_ids"] == ["sameperson"]
    assert {p.name for p in tmp_path.iterdir()} == {"summary.json", "cases.csv",
                                                   "deviations.csv", "report.html", "not-checked.csv", "cases"}
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<section id=\"chart\">" in html and "sameperson" in html
    csv_out = cli("audit", str(FIX / "small.yaml"), str(FIX / "small.csv"), "--format", "csv")
    assert csv_out.stdout.splitlines()[0].startswith("code,name,severity,case")
    assert "small.csv:19" in csv_out.stdout  # the unknown activity, at its CSV line


def test_clean_log_exits_0(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lines = (FIX / "small.csv").read_text(encoding="utf-8").splitlines()
    clean = tmp_path / "clean.csv"
    clean.write_text("\n".join(lines[:6]) + "\n", encoding="utf-8")
    res = cli("audit", str(FIX / "small.yaml"), str(clean), "--mapping",
              str(FIX / "small.mapping.yaml"))
    assert res.exit_code == 0, res.output


def test_bad_inputs_exit_2_with_locations(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad_map = tmp_path / "m.yaml"
    bad_map.write_text("activities:\n  Submit: sumbit\n", encoding="utf-8")
    res = cli("audit", str(FIX / "small.yaml"), str(FIX / "small.csv"), "--mapping",
              str(bad_map), "--lang", "en")
    assert res.exit_code == 2
    assert f"{bad_map}:2:11" in res.stderr and "PF063" in res.stderr
    garbage = tmp_path / "log.xes"
    garbage.write_bytes(b"\x00\x01 not xml")
    res = cli("audit", str(FIX / "small.yaml"), str(garbage), "--lang", "en")
    assert res.exit_code == 2 and "PF060" in res.stderr
    assert "Traceback" not in res.output


def test_progress_bar_and_unusable_logs(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    inputs = load_inputs(FIX / "small.yaml", FIX / "small.csv")
    assert inputs.flow and inputs.log and inputs.mapping
    quiet = audit(inputs.flow, inputs.log, inputs.mapping)
    loud = audit(inputs.flow, inputs.log, inputs.mapping, progress=True)
    assert loud.counts() == quiet.counts()
    assert "replay" in capsys.readouterr().err
    only_ignored = tmp_path / "ign.csv"
    only_ignored.write_text("case:concept:name,concept:name,time:timestamp\n"
                            "c1,Print,2024-01-02T10:00:00+08:00\n", encoding="utf-8")
    bad = load_inputs(FIX / "small.yaml", only_ignored)
    assert not bad.ok and "1 ignored by the mapping" in bad.diagnostics[-1].message.en
    no_ids = tmp_path / "noid.csv"
    no_ids.write_text("case:concept:name,concept:name,time:timestamp\n"
                      + "".join(f"c{i},,2024-01-02\n" for i in range(100)), encoding="utf-8")
    bad = load_inputs(FIX / "small.yaml", no_ids)
    assert not bad.ok
    assert len([d for d in bad.diagnostics if d.code == "PF061"]) == 21  # 20 shown + a total


def test_step_times_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = cli("audit", str(FIX / "small.yaml"), str(FIX / "small.csv"), "-o", str(tmp_path),
              "--step-times")
    assert res.exit_code == 1
    rows = (tmp_path / "steps.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "case,step,activity,person,completed_utc,working_days,limit"
    assert "slow,review,Review passed,r1,2024-10-09T02:00:00Z,4,2" in rows
    assert "slow,decide,Refuse,boss,2024-10-11T02:00:00Z,2,2" in rows
