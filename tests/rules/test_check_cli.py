"""`powerflow check` and `powerflow rule` end to end: exit codes, formats, the cache."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from powerflow.check import check_paths
from powerflow.rules import RULES, Config
from powerflow.rules.docs import example, render_page


def test_sample_catalogue_is_clean(cli: Callable[..., Result], flows_dir: Path) -> None:
    res = cli("check", str(flows_dir), "--no-cache")
    assert res.exit_code == 0, res.output


def test_exit_codes_as_a_real_process(tmp_path: Path,
                                      cli_process: Callable[..., subprocess.CompletedProcess[str]]
                                      ) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(example("PF100", "good"), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(example("PF303", "bad").replace("EX-FX-0001", "EX-FX-0009"), encoding="utf-8")
    clean = cli_process("check", str(good), "--no-cache", "--isolated")
    assert clean.returncode == 0, clean.stderr
    found = cli_process("check", str(tmp_path), "--no-cache", "--isolated", "--lang", "zh")
    assert found.returncode == 1
    assert "PF303" in found.stdout and "独揽全过程" in found.stdout
    usage = cli_process("check", str(tmp_path / "missing.yaml"))
    assert usage.returncode == 2
    assert cli_process("check", str(good), "--format", "xml").returncode == 2


def test_broken_file_is_a_finding_not_a_traceback(tmp_path: Path,
                                                  cli: Callable[..., Result]) -> None:
    f = tmp_path / "x.yaml"
    f.write_text("power: {code: X}\nsteps: 3\n", encoding="utf-8")
    res = cli("check", str(f), "--no-cache", "--isolated", "--format", "full")
    assert res.exit_code == 1
    assert "Traceback" not in res.output and "PF00" in res.output


def test_json_output(tmp_path: Path, cli: Callable[..., Result]) -> None:
    f = tmp_path / "x.yaml"
    f.write_text(example("PF407", "bad"), encoding="utf-8")
    res = cli("check", str(f), "--no-cache", "--isolated", "--format", "json")
    body = json.loads(res.stdout)
    [d] = body["diagnostics"]
    assert d["code"] == "PF407" and d["name"] == "favourable-outcome-without-publicity"
    assert d["line"] == 26 and d["data"]["path"][-1] == "granted"


def test_rule_command(cli: Callable[..., Result]) -> None:
    page = cli("rule", "pf203")
    assert page.exit_code == 0 and page.output.strip() == render_page("PF203").strip()
    by_name = cli("rule", "control-step-bypassed")
    assert by_name.exit_code == 0 and by_name.output.startswith("# PF204")
    listing = cli("rule", "--lang", "zh")
    assert listing.exit_code == 0
    assert len(listing.output.strip().splitlines()) == len(RULES)
    assert "有路径绕过防控环节到达有利结果" in listing.output
    unknown = cli("rule", "PF299")
    assert unknown.exit_code == 2 and "PF209" in unknown.output


def _folder(tmp_path: Path) -> Path:
    flows = tmp_path / "flows"
    flows.mkdir()
    for i, code in enumerate(("PF100", "PF204", "PF405")):
        text = example(code, "bad" if code != "PF100" else "good")
        (flows / f"{code}.yaml").write_text(text.replace("EX-FX-0001", f"EX-FX-{i:04d}"),
                                            encoding="utf-8")
    return flows


def test_cache_hits_when_nothing_changed_and_misses_when_content_does(tmp_path: Path) -> None:
    flows, cache = _folder(tmp_path), tmp_path / "cache"
    first = check_paths([flows], Config(), jobs=1, cache_dir=cache)
    assert (first.cached, first.checked) == (0, 3)
    second = check_paths([flows], Config(), jobs=1, cache_dir=cache)
    assert (second.cached, second.checked) == (3, 0)
    assert second.diagnostics == first.diagnostics
    edited = flows / "PF405.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("promised: 20", "promised: 25"),
                      encoding="utf-8")
    third = check_paths([flows], Config(), jobs=1, cache_dir=cache)
    assert (third.cached, third.checked) == (2, 1)
    assert "PF405" not in {d.code for d in third.diagnostics}
    other_config = check_paths([flows], Config(ignore=("PF204",)), jobs=1, cache_dir=cache)
    assert other_config.checked == 3 and "PF204" not in {d.code for d in other_config.diagnostics}


def test_cached_locations_follow_the_file(tmp_path: Path) -> None:
    flows, cache = _folder(tmp_path), tmp_path / "cache"
    check_paths([flows], Config(), jobs=1, cache_dir=cache)
    moved = tmp_path / "moved"
    flows.rename(moved)
    again = check_paths([moved], Config(), jobs=1, cache_dir=cache)
    assert again.cached == 3
    assert all(d.location.file.startswith(str(moved)) for d in again.diagnostics)


def test_corrupt_cache_is_ignored_and_rewritten(tmp_path: Path) -> None:
    flows, cache = _folder(tmp_path), tmp_path / "cache"
    want = check_paths([flows], Config(), jobs=1, cache_dir=cache).diagnostics
    [index] = list(cache.rglob("*.json"))
    index.write_text("{not json", encoding="utf-8")
    broken = check_paths([flows], Config(), jobs=1, cache_dir=cache)
    assert broken.checked == 3 and broken.diagnostics == want
    data = json.loads(index.read_text(encoding="utf-8"))
    for entry in data["entries"].values():
        entry["diagnostics"] = [{"code": 5}]  # wrong shape: must not be trusted
    index.write_text(json.dumps(data), encoding="utf-8")
    tampered = check_paths([flows], Config(), jobs=1, cache_dir=cache)
    assert tampered.checked == 3 and tampered.diagnostics == want


def test_no_cache_writes_nothing(tmp_path: Path, cli: Callable[..., Result]) -> None:
    flows = _folder(tmp_path)
    cache = tmp_path / "cache"
    cli("check", str(flows), "--isolated", "--no-cache", "--cache-dir", str(cache))
    assert not cache.exists()
    cli("check", str(flows), "--isolated", "--cache-dir", str(cache))
    assert list(cache.rglob("*.json"))


def test_stored_discovery_notices_added_removed_and_renamed_files(tmp_path: Path) -> None:
    flows, cache = _folder(tmp_path), tmp_path / "cache"
    check_paths([flows], Config(), jobs=1, cache_dir=cache)
    sub = flows / "office"
    sub.mkdir()
    (sub / "new.yaml").write_text(example("PF403", "bad").replace("EX-FX-0001", "EX-FX-0100"),
                                  encoding="utf-8")
    added = check_paths([flows], Config(), jobs=1, cache_dir=cache)
    assert added.files == 4 and "PF403" in {d.code for d in added.diagnostics}
    (sub / "new.yaml").rename(sub / "renamed.yaml")
    renamed = check_paths([flows], Config(), jobs=1, cache_dir=cache)
    assert {d.location.file for d in renamed.diagnostics if d.code == "PF403"} == {
        str(sub / "renamed.yaml")}
    (flows / "PF204.yaml").unlink()
    removed = check_paths([flows], Config(), jobs=1, cache_dir=cache)
    assert removed.files == 3 and "PF204" not in {d.code for d in removed.diagnostics}
    (flows / "catalog.yaml").write_text("department: {name: 某局}\n", encoding="utf-8")
    with_catalogue = check_paths([flows], Config(), jobs=1, cache_dir=cache)
    assert with_catalogue.files == 4  # the new catalogue is found and counted
