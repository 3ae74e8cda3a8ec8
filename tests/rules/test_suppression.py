"""Inline suppressions: they need a reason, are reported with it, do not fail the check, and
one that matches nothing is itself reported (PF100)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from powerflow.loader import load_flow_text
from powerflow.rules import Config
from powerflow.rules.docs import example

from .helpers import check_text

BAD = example("PF405", "bad")  # PF405 at the power's limits
REASON = "市政府批准延长承诺时限，见××号文"


def _with(suppress: str, text: str = BAD) -> str:
    return text + "suppress:\n" + suppress


def test_suppressed_finding_keeps_its_reason_and_stops_counting() -> None:
    diags = check_text(_with(f"  - {{code: PF405, reason: {REASON}}}\n"))
    [d] = diags
    assert d.code == "PF405" and d.suppressed == REASON and not d.is_error


def test_suppression_at_an_id_only_covers_that_id() -> None:
    text = example("PF403", "bad")  # accept has no limit
    ok = check_text(_with(f"  - {{code: PF403, at: accept, reason: {REASON}}}\n", text))
    assert [(d.code, d.suppressed) for d in ok] == [("PF403", REASON)]
    miss = check_text(_with(f"  - {{code: PF403, at: review, reason: {REASON}}}\n", text))
    assert sorted((d.code, d.suppressed) for d in miss) == [("PF100", None), ("PF403", None)]


def test_unused_and_unknown_suppressions_are_reported_where_they_are() -> None:
    text = _with(f"  - {{code: PF305, reason: {REASON}}}\n  - {{code: PF299, reason: {REASON}}}\n",
                 example("PF100", "good"))
    diags = check_text(text)
    lines = text.splitlines()
    assert [d.code for d in diags] == ["PF100", "PF100"]
    assert "PF305" in lines[diags[0].location.line - 1]
    assert "matches no finding" in diags[0].message.en
    assert "names no existing rule" in diags[1].message.en


def test_suppression_of_a_rule_that_did_not_run_is_not_unused() -> None:
    text = _with(f"  - {{code: PF405, reason: {REASON}}}\n")
    assert check_text(text, Config(ignore=("PF405",))) == []


def test_reason_is_required_by_the_format() -> None:
    loaded = load_flow_text(_with("  - {code: PF405}\n").encode(), "x.yaml")
    assert loaded.flow is None
    assert any(d.code == "PF006" and "reason" in d.message.en for d in loaded.diagnostics)


def test_cli_shows_reason_and_exits_zero(tmp_path: Path, cli: Callable[..., Result]) -> None:
    flow = tmp_path / "x.yaml"
    flow.write_text(_with(f"  - {{code: PF405, reason: {REASON}}}\n"), encoding="utf-8")
    res = cli("check", str(flow), "--no-cache", "--isolated", "--lang", "en")
    assert res.exit_code == 0
    assert "PF405 suppressed" in res.output and REASON in res.output
    full = cli("check", str(flow), "--no-cache", "--isolated", "--format", "full", "--lang", "zh")
    assert "豁免理由" in full.output and REASON in full.output
    js = json.loads(cli("check", str(flow), "--no-cache", "--isolated", "--format", "json").output)
    assert js["diagnostics"][0]["suppressed"] == REASON
    hidden = cli("check", str(flow), "--no-cache", "--isolated", "--hide-suppressed")
    assert hidden.exit_code == 0 and REASON not in hidden.output


def test_unused_suppression_says_where_the_rule_reports() -> None:
    text = _with(f"  - {{code: PF405, at: R1, reason: {REASON}}}\n")
    diags = {d.code: d for d in check_text(text)}
    assert "PF405 is reported at the whole file (no `at:`)" in diags["PF100"].message.en
    assert diags["PF405"].suppressed is None
