"""The simulate and case commands end to end (exit codes, formats, bad input)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from .conftest import PROC, case_yaml

Cli = Callable[..., Result]


def test_simulate_formats_and_exit_codes(cli: Cli, tmp_path: Path) -> None:
    case = tmp_path / "a.case.json"
    case.write_bytes(case_yaml("A-1", [{"time": "2025-03-03T09:00", "event": "submit"},
                                       {"time": "2025-03-03T10:00", "event": "sign"}]))
    res = cli("simulate", str(PROC), str(case), "--lang", "en")
    assert res.exit_code == 1 and "PF501" in res.output and "Path taken" in res.output
    res = cli("simulate", str(PROC), str(case), "--format", "json")
    assert json.loads(res.output)["rejected"][0]["event"] == "sign"
    out = tmp_path / "a.html"
    res = cli("simulate", str(PROC), str(case), "--format", "html", "-o", str(out), "--lang", "zh")
    page = out.read_text(encoding="utf-8")
    assert res.exit_code == 1 and "<table>" in page and "办理路径" in page and "<script" not in page


def test_simulate_bad_case_file_is_exit_2_with_location(cli: Cli, tmp_path: Path) -> None:
    case = tmp_path / "b.case.yaml"
    case.write_text("case: {id: B}\nevents:\n  - {time: later, event: submit}\n", encoding="utf-8")
    res = cli("simulate", str(PROC), str(case), "--lang", "en")
    assert res.exit_code == 2 and f"{case}:3:" in res.stderr and "PF005" in res.stderr


def test_simulate_random(cli: Cli, tmp_path: Path) -> None:
    svg = tmp_path / "h.svg"
    res = cli("simulate", str(PROC), "--random", "500", "--seed", "2", "--format", "json",
              "-o", str(svg))
    body = json.loads(res.stdout)
    assert res.exit_code == 0 and body["runs"] == 500 and svg.read_text().startswith("<svg")
    assert cli("simulate", str(PROC), "--random", "500", "--seed", "2", "--format",
               "json").stdout == res.stdout
    assert cli("simulate", str(PROC)).exit_code == 2


def test_case_commands(cli: Cli, tmp_path: Path) -> None:
    db = str(tmp_path / "s.sqlite3")
    assert cli("case", "open", str(PROC), "X", "--fact", "amount=3000000", "--time",
               "2025-03-03T09:00", "--store", db).exit_code == 0
    assert cli("case", "fire", "X", "submit", "--time", "2025-03-03T09:00", "--person", "甲",
               "--store", db).exit_code == 0
    res = cli("case", "fire", "X", "sign", "--time", "2025-03-03T10:00", "--store", db,
              "--lang", "en")
    assert res.exit_code == 1 and "not allowed" in res.stderr and "rejected attempt" in res.stderr
    res = cli("case", "show", "X", "--as-of", "2025-03-10T09:00", "--store", db, "--lang", "en")
    assert "refused" in res.output and "PF504" in res.output
    assert "X\tT-PROC-1\tcheck\topen" in cli("case", "list", "--store", db).output
    assert cli("case", "overdue", "--as-of", "2025-03-10T09:00", "--store", db).exit_code == 1
    assert cli("case", "verify", "--store", db).exit_code == 0
    assert cli("case", "fire", "nope", "submit", "--store", db).exit_code == 2
    bad = tmp_path / "not.sqlite3"
    bad.write_text("hello, this is not a database" * 100)
    assert cli("case", "list", "--store", str(bad)).exit_code == 2


def test_simulate_refuses_a_case_of_another_power(cli: Cli, tmp_path: Path) -> None:
    case = tmp_path / "c.case.yaml"
    case.write_text("case: {id: C, power: KJ-XK-0001}\nevents: []\n", encoding="utf-8")
    res = cli("simulate", str(PROC), str(case), "--lang", "en")
    assert res.exit_code == 2 and f"{case}:1:" in res.stderr and "T-PROC-1" in res.stderr
