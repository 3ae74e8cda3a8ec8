"""Attacks on what powerflow writes: terminal escapes, forged lines, colliding output names,
the publish folder, invalid XML, a catalogue swapped by a link (issue: terminal and file
safety)."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from powerflow.cli import cli
from powerflow.loader import find_catalog, load_flow_with_catalog
from powerflow.render.batch import output_stem

ROOT = Path(__file__).resolve().parent.parent.parent
FLOW = ROOT / "examples/realdata/roadtraffic.yaml"
PROC = ROOT / "tests/engine/flows/procure.yaml"
ESC = "\x1b]0;owned\x07\x1b[2J\x1b[31m"


def test_escape_sequences_from_a_log_never_reach_the_terminal(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("case:concept:name,concept:name,time:timestamp,org:resource\n"
                   f"A{ESC}1,Create Fine,2006-07-24T00:00:00+02:00,{ESC}ann\n"
                   f"A{ESC}1,{ESC}Odd,2006-07-25T00:00:00+02:00,bob\n", encoding="utf-8")
    for fmt in ("text", "csv"):
        res = CliRunner().invoke(cli, ["audit", str(FLOW), str(log), "--no-chart", "--format",
                                       fmt, "--lang", "en"])
        assert res.exit_code in (0, 1), res.output
        assert "\x1b" not in res.output and "\x07" not in res.output
        assert "\\x1b" in res.output


def test_a_newline_in_a_name_cannot_forge_a_trail_line(tmp_path: Path) -> None:
    db = str(tmp_path / "s.sqlite3")
    run = CliRunner().invoke
    assert run(cli, ["case", "open", str(PROC), "X", "--fact", "amount=3000000", "--time",
                     "2025-03-03T08:00", "--store", db]).exit_code == 0
    forged = "甲\n  #99    2025-03-04T09:00:00+08:00  approve  审批人 draft → done"
    res = run(cli, ["case", "fire", "X", "submit", "--time", "2025-03-03T09:00", "--person",
                    forged, "--store", db])
    assert res.exit_code in (0, 1), res.output
    for args in (["case", "show", "X", "--store", db, "--lang", "en"],
                 ["case", "list", "--store", db]):
        out = run(cli, args).output
        assert "\n  #99" not in out and "\x1b" not in out
    assert "甲\\x0a  #99" in run(cli, ["case", "show", "X", "--store", db]).output


def test_a_placeholder_time_is_refused_in_a_live_case(tmp_path: Path) -> None:
    db = str(tmp_path / "s.sqlite3")
    run = CliRunner().invoke
    assert run(cli, ["case", "open", str(PROC), "Y", "--fact", "amount=3000000", "--time",
                     "2025-03-03T08:00", "--store", db]).exit_code == 0
    res = run(cli, ["case", "fire", "Y", "submit", "--time", "9999-12-31T00:00", "--store", db])
    assert res.exit_code == 2 and "1900-2199" in res.output
    res = run(cli, ["case", "fire", "Y", "submit", "--time", "2025-03-03T09:00", "--store", db])
    assert res.exit_code in (0, 1) and "Y:" in res.output


def test_output_names_never_collide() -> None:
    names = {output_stem(Path("out"), c) for c in (".X", "X", "..X", "X.", "x", "_X")}
    assert len(names) == 6
    assert all(p.parent == Path("out") and not p.name.startswith(".") for p in names)


def test_publish_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    from powerflow.publish.site import SiteRefused, guard

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("my own page", encoding="utf-8")
    with pytest.raises(SiteRefused):
        guard(site)
    res = CliRunner().invoke(cli, ["publish", str(ROOT / "flows"), "-o", str(site)])
    assert res.exit_code == 2
    assert (site / "index.html").read_text(encoding="utf-8") == "my own page"
    guard(tmp_path / "new")  # a missing or empty folder is fine
    link = tmp_path / "link"
    link.symlink_to(site)
    with pytest.raises(SiteRefused):
        guard(link)


def _with_control_characters():  # type: ignore[no-untyped-def]
    lf, _ = load_flow_with_catalog(FLOW)
    assert lf.flow is not None
    flow = lf.flow
    sid, step = next(iter(flow.steps.items()))
    steps = {**flow.steps, sid: step.model_copy(update={"name": "bad\x01\x1bname\x0c"})}
    info = flow.info.model_copy(update={"name": "power\x00\x08"})
    return flow.model_copy(update={"steps": steps, "info": info})


@pytest.mark.parametrize("fmt", ["pnml", "bpmn"])
def test_control_characters_give_valid_xml(fmt: str) -> None:
    from powerflow.replay.net import to_bpmn, to_pnml

    text = (to_pnml if fmt == "pnml" else to_bpmn)(_with_control_characters())
    ET.fromstring(text.split("\n", 1)[1])
    assert "badname" in text


def test_a_linked_flow_file_keeps_its_folders_catalogue(tmp_path: Path) -> None:
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "catalog.yaml").write_text(f"department: {{name: {d}}}\n", "utf-8")
    (tmp_path / "b" / "p.yaml").write_text("code: P\n", encoding="utf-8")
    os.symlink(tmp_path / "b" / "p.yaml", tmp_path / "a" / "p.yaml")
    assert find_catalog(tmp_path / "a" / "p.yaml") == tmp_path / "a" / "catalog.yaml"
