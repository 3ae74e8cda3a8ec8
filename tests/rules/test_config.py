"""Selection by code prefix, profiles, severity overrides and configuration files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from powerflow.diagnostics import Severity
from powerflow.rules import RULES, Config, ConfigError, find_config, load_config
from powerflow.rules.config import config_from_table
from powerflow.rules.docs import example

from .helpers import check_text, codes

# The PF303 flaw also lacks nothing else; PF208 and PF410 only run under strict.
STRICT_ONLY = [c for c, r in RULES.items() if not r.recommended]


def test_profiles() -> None:
    recommended = {r.code for r in Config().rules()}
    strict = {r.code for r in Config(profile="strict").rules()}
    assert strict == set(RULES)
    assert recommended == strict - set(STRICT_ONLY)
    assert {"PF208", "PF410", "PF411"} <= set(STRICT_ONLY)
    text = example("PF208", "bad")
    assert "PF208" in codes(check_text(text, Config(profile="strict")))
    assert "PF208" not in codes(check_text(text, Config()))


def test_select_and_ignore_by_prefix_most_specific_wins() -> None:
    cfg = Config(select=("PF2",), ignore=("PF20",), extend_select=("PF203",))
    on = {r.code for r in cfg.rules()}
    assert on == {"PF203"}  # PF2 selected, PF20x ignored, PF203 put back
    assert {r.code for r in Config(select=("PF2",), ignore=("PF205",)).rules()} == {
        c for c in RULES if c.startswith("PF2") and c != "PF205"}
    assert not Config(ignore=("PF4",)).enabled("PF405")
    assert Config(ignore=("PF4",), extend_select=("PF405",)).enabled("PF405")


def test_ignore_and_select_change_findings() -> None:
    text = example("PF405", "bad")
    assert codes(check_text(text, Config())) == ["PF405"]
    assert codes(check_text(text, Config(ignore=("PF405",)))) == []
    assert codes(check_text(text, Config(select=("PF1",)))) == []


def test_severity_override() -> None:
    cfg = Config(severity={"PF405": Severity.WARNING})
    [d] = check_text(example("PF405", "bad"), cfg)
    assert d.severity is Severity.WARNING


@pytest.mark.parametrize("table, message", [
    ({"profile": "lenient"}, "unknown profile"),
    ({"select": ["PF299"]}, "no rule has the code 'PF299'"),
    ({"select": ["XX1"]}, "not a rule code"),
    ({"ignor": ["PF1"]}, "did you mean 'ignore'"),
    ({"severity": {"PF101": "fatal"}}, "not error, warning or info"),
])
def test_bad_configuration_is_a_clear_error(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config_from_table(table, "pyproject.toml")


def test_config_found_from_the_checked_path_upward(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.powerflow]\nprofile = "strict"\nignore = ["PF405"]\n', encoding="utf-8")
    sub = tmp_path / "flows" / "office"
    sub.mkdir(parents=True)
    flow = sub / "x.yaml"
    flow.write_text(example("PF405", "bad"), encoding="utf-8")
    found = find_config(flow)
    assert found == tmp_path / "pyproject.toml"
    cfg = load_config(found)
    assert cfg.profile == "strict" and not cfg.enabled("PF405")
    (sub / "powerflow.toml").write_text('select = ["PF1"]\n', encoding="utf-8")
    assert find_config(flow) == sub / "powerflow.toml"
    assert load_config(sub / "powerflow.toml").select == ("PF1",)



def test_cli_uses_config_file_and_options(tmp_path: Path, cli: Callable[..., Result]) -> None:
    flow = tmp_path / "x.yaml"
    flow.write_text(example("PF405", "bad"), encoding="utf-8")
    assert cli("check", str(flow), "--no-cache", "--isolated").exit_code == 1
    assert cli("check", str(flow), "--no-cache", "--isolated", "--ignore", "PF405").exit_code == 0
    assert cli("check", str(flow), "--no-cache", "--isolated", "--select", "PF1,PF2").exit_code == 0
    (tmp_path / "powerflow.toml").write_text('ignore = ["PF4"]\n', encoding="utf-8")
    assert cli("check", str(flow), "--no-cache").exit_code == 0
    assert cli("check", str(flow), "--no-cache", "--extend-select", "PF405").exit_code == 1
    (tmp_path / "powerflow.toml").write_text('profile = "lenient"\n', encoding="utf-8")
    bad = cli("check", str(flow), "--no-cache")
    assert bad.exit_code == 2 and "unknown profile" in bad.output
    assert cli("check", str(flow), "--no-cache", "--isolated", "--select", "PF9").exit_code == 2

def test_pyproject_without_powerflow_table_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.other]\nx = 1\n", encoding="utf-8")
    assert find_config(tmp_path / "a.yaml") != tmp_path / "pyproject.toml"
