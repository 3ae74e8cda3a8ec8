"""Mapping a new log without Python: `map-log` profiles a log and drafts a mapping that loads;
wildcards in `activities` and `ignore`; a mapping file without `activities:` means names are
events; nothing from the log becomes YAML structure or a terminal escape."""

from __future__ import annotations

from pathlib import Path

from powerflow.loader import load_flow_with_catalog
from powerflow.logs.mapping import LogMapping, load_mapping
from powerflow.logs.profile import draft_mapping, profile_log
from powerflow.logs.readers import read_log

FIX = Path(__file__).parents[1] / "replay" / "fixtures"

LOG = ('case:concept:name,concept:name,time:timestamp,org:resource\n'
       'a,Submit,2024-03-04T09:00:00+08:00,x\n'
       'a,Accept,2024-03-04T10:00:00+08:00,y\n'
       'a,"Print receipt 1",2024-03-04T10:30:00+08:00,y\n'
       'a,"Evil: {x: [1]}\x1b[31m",2024-03-04T11:00:00+08:00,y\n')


def test_profile_and_draft_loads(tmp_path: Path) -> None:
    p = tmp_path / "log.csv"
    p.write_text(LOG, encoding="utf-8")
    prof = profile_log(p)
    assert prof.events == 4 and dict(prof.activities)["Submit"] == 1
    assert prof.columns["case"] == "case:concept:name" and prof.columns["post"] is None
    lf, _ = load_flow_with_catalog(FIX / "small.yaml")
    assert lf.flow is not None
    draft = draft_mapping(prof, lf.flow)
    assert "\x1b" not in draft and '"Submit": submit' in draft
    assert '# "Evil' in draft  # no close event: left commented out, not guessed
    (tmp_path / "m.yaml").write_text(draft, encoding="utf-8")
    lm = load_mapping(tmp_path / "m.yaml", lf.flow)
    assert lm.mapping is not None, [d.message.en for d in lm.diagnostics]
    assert lm.mapping.event_of("Submit") == "submit"
    assert lm.mapping.event_of("Evil: {x: [1]}\x1b[31m") is None


def test_cli_map_log(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "log.csv"
    p.write_text(LOG, encoding="utf-8")
    res = cli("map-log", str(p), "--flow", str(FIX / "small.yaml"), "--lang", "en")
    assert res.exit_code == 0 and "activities (events):" in res.output
    assert "\x1b" not in res.output
    out = tmp_path / "draft.yaml"
    assert cli("map-log", str(p), "-o", str(out)).exit_code == 0 and out.is_file()
    assert cli("map-log", str(p), "-o", str(out)).exit_code == 2  # never overwrites
    assert cli("map-log", str(tmp_path / "missing.csv")).exit_code == 2


def test_wildcards_in_activities_and_ignore(tmp_path: Path) -> None:
    m = LogMapping.model_validate({"activities": {"Submit": "submit", "Acc*": "accept"},
                                   "ignore": ["Print *"]})
    assert m.event_of("Accept") == "accept" and m.event_of("Submit") == "submit"
    assert m.ignores("Print receipt 1") and not m.ignores("Submit")
    p = tmp_path / "log.csv"
    p.write_text(LOG, encoding="utf-8")
    log = read_log(p, m)
    assert log.ignored == 1 and "Print receipt 1" not in log.activity_names


def test_mapping_without_activities_means_names_are_events(tmp_path: Path) -> None:
    lf, _ = load_flow_with_catalog(FIX / "small.yaml")
    assert lf.flow is not None
    (tmp_path / "m.yaml").write_text("ignore: [Print]\n", encoding="utf-8")
    lm = load_mapping(tmp_path / "m.yaml", lf.flow)
    assert lm.mapping is not None
    assert lm.mapping.event_of("submit") == "submit"
