"""`--format sarif` is valid SARIF 2.1.0 (official schema shipped under tests/rules/data)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from click.testing import Result

from powerflow.rules.docs import example

SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    return jsonschema.Draft4Validator(schema)


def _sarif(cli: Callable[..., Result], *paths: str) -> dict:  # type: ignore[type-arg]
    res = cli("check", *paths, "--no-cache", "--isolated", "--format", "sarif", "--lang", "en")
    assert res.exit_code in (0, 1), res.output
    log: dict = json.loads(res.stdout)  # type: ignore[type-arg]
    return log


def test_findings_suppressions_and_rules_validate(tmp_path: Path, cli: Callable[..., Result],
                                                  validator: jsonschema.Draft4Validator) -> None:
    bad = tmp_path / "bypass.yaml"
    bad.write_text(example("PF204", "bad"), encoding="utf-8")
    waived = tmp_path / "waived.yaml"
    waived.write_text(example("PF405", "bad").replace("EX-FX-0001", "EX-FX-0002")
                      + "suppress:\n  - {code: PF405, reason: 经市政府批准的延期安排}\n",
                      encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("power: [\n", encoding="utf-8")
    log = _sarif(cli, str(tmp_path))
    validator.validate(log)
    run = log["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    results = run["results"]
    by_rule = {r["ruleId"]: r for r in results}
    assert {"PF204", "PF405"} <= set(by_rule)
    assert any(code.startswith("PF00") for code in by_rule), "the loader's error is reported"
    bypass = by_rule["PF204"]
    region = bypass["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == example("PF204", "bad").splitlines().index(
        next(line for line in example("PF204", "bad").splitlines() if "expect: PF204" in line)) + 1
    assert bypass["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(
        "bypass.yaml")
    assert "skips 集体决定" in bypass["message"]["text"]
    assert rules["PF204"]["name"] == "control-step-bypassed"
    assert rules["PF204"]["helpUri"].endswith("docs/rules/PF204.md")
    assert rules["PF204"]["help"]["text"]
    assert run["tool"]["driver"]["rules"][bypass["ruleIndex"]]["id"] == "PF204"
    assert by_rule["PF405"]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "经市政府批准的延期安排"}]


def test_clean_catalogue_validates(cli: Callable[..., Result], flows_dir: Path,
                                   validator: jsonschema.Draft4Validator) -> None:
    log = _sarif(cli, str(flows_dir))
    validator.validate(log)
    results = log["runs"][0]["results"]
    # the one waiver in the sample (the 等标期 is a minimum period, not a time limit), with its
    # reason: nothing unsuppressed
    assert [(r["ruleId"], r["suppressions"][0]["status"]) for r in results] == [
        ("PF403", "accepted")]
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) >= 20


def test_schema_catches_a_broken_log(validator: jsonschema.Draft4Validator) -> None:
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({"version": "2.1.0", "runs": [{"results": []}]})
