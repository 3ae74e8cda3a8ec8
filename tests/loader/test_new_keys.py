"""The keys real charts need (phases, parallel blocks, tied notices, penalty flags, holders,
rule and training controls, not-yet-published marks, source notes): loaded, refused when
wrong with the usual codes, put in order by `fmt`, drawn on the chart and reviewed by `diff`."""

from __future__ import annotations

from pathlib import Path

import pytest

from powerflow.drafting.diff import compare
from powerflow.drafting.fmt import format_text
from powerflow.loader import load_catalog, load_flow_text, load_flow_with_catalog
from powerflow.render import flow_to_dot
from powerflow.rules.docs import example

ROOT = Path(__file__).resolve().parents[2]
PARALLEL = ROOT / "flows" / "kj-qt-0041-new-rd-institution.yaml"
BASE = example("PF100", "good")


def _codes(text: str) -> list[str]:
    return sorted(d.code for d in load_flow_text(text.encode(), "f.yaml").diagnostics)


@pytest.mark.parametrize(("old", "new", "code"), [
    ("notice_days: 7, clock: excluded}", "notice_days: 7, clock: excluded, of: nowhere}", "PF007"),
    ("kind: task, limit: 2}", "kind: task, limit: 2, phase: nowhere}", "PF007"),
    ("kind: task, limit: 2}", "kind: task, limit: 2, of: decide}", "PF005"),
    ("{name: 会议纪要存档, evidence: meeting_minutes, owner: meeting}",
     "{name: 会议纪要存档, evidence: meeting_minutes, rule: 会议制度, owner: meeting}", "PF005"),
    ("  requires_publicity: true\n", "  requires_publicity: true\n  unpublished: [传真]\n", "PF005"),
])
def test_wrong_new_keys_get_the_usual_codes(old: str, new: str, code: str) -> None:
    assert BASE.count(old) == 1
    assert code in _codes(BASE.replace(old, new))


def test_parallel_block_references_are_checked() -> None:
    text = example("PF115", "good").replace("      - [budget_check]\n", "      - [budgetcheck]\n")
    assert "PF007" in _codes(text)


def test_sample_parallel_power_loads_with_every_new_key() -> None:
    lf, _ = load_flow_with_catalog(PARALLEL)
    assert lf.ok and lf.flow is not None
    flow = lf.flow
    assert list(flow.phases) == ["intake", "review", "decision"]
    assert flow.parallel["joint_review"].branches == (("tech_review",), ("finance_review",))
    assert flow.steps["publicity"].of == "meeting"
    assert flow.steps["tech_review"].holder == "计划科科长 王某"
    kinds = {c.kind for r in flow.risks.values() for c in r.controls}
    assert {"rule", "training", "step", "evidence"} <= kinds


def test_fmt_puts_phases_before_steps_and_parallel_after() -> None:
    text = PARALLEL.read_text(encoding="utf-8")
    block = text[text.index("phases:\n"):text.index("steps:\n")]  # move it to the end
    shuffled = text.replace(block, "") + "\n" + block
    lf, _ = load_flow_with_catalog(PARALLEL)
    assert lf.flow is not None
    catalog = load_catalog(ROOT / "flows" / "catalog.yaml").catalog
    out = format_text(shuffled, catalog)
    assert shuffled.index("\nphases:") > shuffled.index("\nsteps:")
    assert out.index("\nphases:") < out.index("\nsteps:") < out.index("\nparallel:") < \
        out.index("\ntransitions:")


def test_chart_shows_both_branches_phases_and_holders() -> None:
    lf, _ = load_flow_with_catalog(PARALLEL)
    assert lf.flow is not None
    dot = flow_to_dot(lf.flow)
    assert "技术条件审查" in dot and "财务状况审查" in dot
    assert dot.count("并联：并联审查（会签）") == 2 and dot.count("汇合：并联审查（会签）") == 2
    assert "【并联审查】" in dot and "责任人：计划科科长 王某" in dot
    en = flow_to_dot(lf.flow, lang="en")
    assert "parallel: " in en and "[Parallel review]" in en


def test_diff_reports_dropped_penalty_safeguards_as_loosening() -> None:
    old = load_flow_text(example("PF412", "good").encode(), "a.yaml").flow
    new = load_flow_text(example("PF412", "good").replace(", prior_notice: true}", "}").encode(),
                         "b.yaml").flow
    assert old is not None and new is not None
    changes = compare(old, new)
    assert [(c.kind, c.effect.value) for c in changes] == [("prior-notice-dropped", "loosening")]


def test_source_notes_and_party_regulations_load() -> None:
    lf, _ = load_flow_with_catalog(ROOT / "flows" / "kj-qt-0031-major-fund-decision.yaml")
    assert lf.flow is not None
    first = lf.flow.info.legal_basis[0]
    assert first.rank.value == "party_regulation" and first.note and "党内法规" in first.note


def test_diff_reviews_parallel_blocks_standing_committees_and_holders() -> None:
    lf, _ = load_flow_with_catalog(PARALLEL)
    assert lf.flow is not None
    flow = lf.flow
    steps = dict(flow.steps)
    steps["tech_review"] = steps["tech_review"].model_copy(update={"holder": "计划科科长 孙某"})
    actors = dict(flow.actors)
    actors["expert_panel"] = actors["expert_panel"].model_copy(update={"standing": True})
    new = flow.model_copy(update={"parallel": {}, "steps": steps, "actors": actors})
    got = {(c.kind, c.effect.value) for c in compare(flow, new)}
    assert {("parallel-dropped", "loosening"), ("holder-changed", "neutral"),
            ("actor-standing-changed", "loosening")} <= got


def test_an_oversized_parallel_block_is_refused_not_expanded() -> None:
    """Cases run through the product of branch positions: 5 branches of 6 steps would be
    7^5 = 16,807 states; the loader refuses it with PF005 before anything is built."""
    steps = "".join(f"  b{i}s{j}: {{name: 步骤{i}{j}, actor: reviewer, kind: task, limit: 1}}\n"
                    for i in range(5) for j in range(6))
    branches = "".join(f"      - [{', '.join(f'b{i}s{j}' for j in range(6))}]\n" for i in range(5))
    text = example("PF100", "good").replace("  decide: {name: 集体决定", steps + "  decide: {name: 集体决定")
    text = text.replace("transitions:\n", "parallel:\n  big:\n    split: review\n    join: decide\n"
                        "    branches:\n" + branches + "transitions:\n")
    loaded = load_flow_text(text.encode(), "big.yaml")
    assert loaded.flow is None
    [d] = [d for d in loaded.diagnostics if d.code == "PF005"]
    assert "16807" in d.message.en and "split it" in d.message.en


@pytest.mark.parametrize(("old", "new"), [
    ("    join: decide\n", "    join: review\n"),
    ("      - [budget_check]\n", "      - [budget_check, decide]\n"),
])
def test_split_and_join_stay_outside_the_branches(old: str, new: str) -> None:
    text = example("PF115", "good")
    assert text.count(old) == 1
    assert "PF005" in _codes(text.replace(old, new))
