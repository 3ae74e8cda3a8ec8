"""Rules that fit real charts: each false positive of real transcriptions removed, and each
newly recognised case (notices tied to their decision, supervisor-kind controls, standing
committees, internal refusals, separate catalogues, ungraded powers, parallel branches)."""

from __future__ import annotations

from pathlib import Path

from powerflow.check import check_paths
from powerflow.model import RiskLevel
from powerflow.rules import Config
from powerflow.rules.docs import example

from .helpers import check_text

BASE = example("PF100", "good")
PENALTY = example("PF412", "good")
DEFAULT = Config()


def _edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _codes(text: str, config: Config | None = None) -> list[str]:
    diags = check_text(text, config) if config else check_text(text)
    return sorted(d.code for d in diags if d.suppressed is None)


BYPASS = ("  - {from: decide, to: refused, event: decline}\n",
          "  - {from: decide, to: refused, event: decline}\n"
          "  - {from: decide, to: granted, event: approve_directly}\n")
EARLY = ("  review: {name: 审查",
         "  formal_notice: {name: 形式审查结果公示, actor: window, kind: notice, limit: 5, "
         "notice_days: 5, clock: excluded, of: review}\n  review: {name: 审查")
EARLY_EDGE = ("  - {from: accept, to: review, event: accept}\n",
              "  - {from: accept, to: formal_notice, event: accept}\n"
              "  - {from: formal_notice, to: review, event: noticed}\n")
DROP_CONTROL = ("      - {name: 拟批准项目公示, step: publicity, owner: reviewer}\n",
                "      - {name: 纪检监察列席, evidence: discipline_attendance, owner: discipline}\n")


def test_an_earlier_notice_of_another_step_does_not_cover_the_outcome() -> None:
    flow = _edit(BASE, EARLY, EARLY_EDGE, BYPASS, DROP_CONTROL)
    assert "PF407" in _codes(flow)
    untied = flow.replace(", of: review}", "}")  # an untied notice still counts, as before
    assert "PF407" not in _codes(untied)


def test_a_notice_of_the_deciding_step_covers_its_outcome() -> None:
    flow = _edit(BASE, ("notice_days: 7, clock: excluded}", "notice_days: 7, clock: excluded, "
                        "of: decide}"))
    assert _codes(flow) == []
    flow = _edit(flow, BYPASS, DROP_CONTROL)
    assert "PF407" in _codes(flow)


def test_supervisor_kind_control_owned_by_a_section_satisfies_pf305() -> None:
    flow = _edit(BASE, ("discipline: {name: 纪检监察组, kind: supervisor}",
                        "discipline: {name: 机关纪委办公室, kind: office}"),
                 ("  watch:\n    name: 全程监督\n    actor: discipline\n    kind: supervision\n"
                  "    supervises: [{step: expert_review}, {step: decide}]\n", ""))
    assert "PF305" in _codes(flow)
    marked = _edit(flow, ("evidence: random_draw_record, owner: discipline}",
                          "evidence: random_draw_record, owner: discipline, oversight: true}"))
    assert "PF305" not in _codes(marked)


def test_collective_decision_owning_its_controls_is_not_checking_itself() -> None:
    flow = _edit(BASE, ("{name: 拟批准项目公示, step: publicity, owner: reviewer}",
                        "{name: 拟批准项目公示, step: publicity, owner: meeting}"))
    assert "PF203" not in _codes(flow)
    single = _edit(flow, ("decide: {name: 集体决定, actor: meeting,",
                          "decide: {name: 集体决定, actor: reviewer,"))
    assert "PF304" in _codes(single)  # the bypass of the collective is still reported


def test_rules_and_training_do_not_count_as_a_second_control() -> None:
    flow = _edit(BASE, ("      - {name: 回避声明, evidence: recusal_declaration, owner: experts}\n",
                        "      - {name: 评审纪律培训, training: 专家评审纪律培训, owner: discipline}\n"))
    assert "PF202" in _codes(flow)


def test_internal_refusal_owes_no_appeal_notice() -> None:
    external = _edit(BASE, ("outcome: refused, written_reasons: true, appeal_notice: true}",
                            "outcome: refused}"))
    assert "PF408" in _codes(external)
    internal = _edit(external, ("applicant: {name: 申报单位, kind: external}",
                                "applicant: {name: 业务科室, kind: office}"))
    assert "PF408" not in _codes(internal)


def test_terminated_is_not_an_adverse_outcome() -> None:
    flow = _edit(BASE, ("outcome: refused, written_reasons: true, appeal_notice: true}",
                        "outcome: 终止}"))
    assert "PF408" not in _codes(flow)


def test_standing_committee_needs_recusal_but_no_random_draw() -> None:
    flow = _edit(BASE, ("      - {name: 专家库随机抽取, evidence: random_draw_record, owner: discipline}\n",
                        "      - {name: 纪检监察列席, evidence: attendance, owner: discipline}\n"))
    assert "PF306" in _codes(flow)
    standing = _edit(flow, ("experts: {name: 专家组, kind: panel, min_size: 5}",
                            "experts: {name: 学术委员会, kind: panel, min_size: 5, standing: true}"))
    assert "PF306" not in _codes(standing)


def test_ungraded_power_fails_the_default_profile() -> None:
    ungraded = example("PF113", "bad")
    assert "PF113" in _codes(ungraded, DEFAULT)
    other = ungraded.replace("category: 非行政许可审批", "category: 其他")
    no_decision = other.replace("kind: decision", "kind: review")
    assert "PF113" in _codes(other, DEFAULT)  # `other`, but it decides something
    assert "PF113" not in _codes(no_decision, DEFAULT)


def test_level_words_of_real_charts_are_aliases() -> None:
    assert RiskLevel("低级") is RiskLevel.LOW and RiskLevel("中级") is RiskLevel.MEDIUM
    assert RiskLevel("一级") is RiskLevel.HIGH and RiskLevel("三级") is RiskLevel.LOW
    assert _codes(BASE.replace("level: 高\n      description: 专家", "level: 一级\n      "
                               "description: 专家")) == []


def test_same_code_in_two_catalogues_is_no_duplicate(tmp_path: Path) -> None:
    for dept in ("a", "b"):
        folder = tmp_path / dept
        folder.mkdir()
        (folder / "catalog.yaml").write_text(
            f"department: {{name: 部门{dept}}}\n", encoding="utf-8")
        (folder / "power.yaml").write_text(BASE, encoding="utf-8")
    assert "PF013" not in {d.code for d in check_paths([str(tmp_path)], Config(), jobs=1).diagnostics}
    (tmp_path / "a" / "copy.yaml").write_text(BASE, encoding="utf-8")
    dups = [d for d in check_paths([str(tmp_path)], Config(), jobs=1).diagnostics if d.code == "PF013"]
    assert len(dups) == 1 and "/a/" in dups[0].location.file


def test_control_in_one_parallel_branch_is_not_bypassed_by_the_other() -> None:
    good = example("PF115", "good")
    flow = _edit(good, ("      - {name: 回避声明, evidence: recusal_declaration, owner: experts}\n",
                        "      - {name: 回避声明, evidence: recusal_declaration, owner: experts}\n"
                        "      - {name: 预算核对, step: budget_check, owner: window}\n"))
    assert "PF204" not in _codes(flow)
    block = flow[flow.index("parallel:\n"):flow.index("transitions:\n")]
    assert "PF204" in _codes(flow.replace(block, ""))  # as plain alternatives it is bypassed


def test_penalty_base_is_clean_and_each_penalty_rule_fires() -> None:
    assert _codes(PENALTY) == []
    for code in ("PF311", "PF412", "PF413", "PF414"):
        assert code in _codes(example(code, "bad")), code


def test_branches_starting_on_different_events_are_reported() -> None:
    good = example("PF115", "good")
    flow = _edit(good, ("  - {from: review, to: budget_check, event: pass}\n",
                        "  - {from: review, to: budget_check, event: pass_budget}\n"))
    found = [d for d in check_text(flow) if d.code == "PF115"]
    assert len(found) == 1 and "pass, pass_budget" in found[0].message.en
