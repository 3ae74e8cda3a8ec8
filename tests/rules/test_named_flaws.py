"""The four flaws named in the issue are reported with the offending path or steps spelled out."""

from __future__ import annotations

from powerflow.rules.docs import example

from .helpers import check_text

BASE = example("PF100", "good")


def _edit(*pairs: tuple[str, str]) -> str:
    text = BASE
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _only(diags: list, code: str) -> list:  # type: ignore[type-arg]
    return [d for d in diags if d.code == code and d.suppressed is None]


def test_bypassed_publicity_names_the_path() -> None:
    flow = _edit(("  - {from: decide, to: refused, event: decline}\n",
                  "  - {from: decide, to: refused, event: decline}\n"
                  "  - {from: decide, to: granted, event: approve_directly}\n"))
    diags = check_text(flow)
    path = "申报 → 受理 → 审查 → 专家评审 → 集体决定 → 批准"
    [pub] = _only(diags, "PF407")
    assert path in pub.message.zh and path in pub.message.en
    assert pub.data["path"] == ["apply", "accept", "review", "expert_review", "decide", "granted"]
    [ctl] = _only(diags, "PF204")  # the publicity is also R2's control step
    assert f"{path} skips 公示" in ctl.message.en
    assert "未经过“公示”" in ctl.message.zh


def test_same_post_reviews_and_approves_names_both_steps() -> None:
    flow = _edit(("decide: {name: 集体决定, actor: meeting, kind: decision, limit: 5}",
                  "decide: {name: 审批, actor: reviewer, kind: decision, limit: 5}"))
    diags = check_text(flow)
    [d] = _only(diags, "PF302")
    assert "审查岗" in d.message.en and "(审查)" in d.message.en and "(审批)" in d.message.en
    assert d.data["steps"] == ["review", "decide"]
    [high] = _only(diags, "PF304")  # R2 is high: a single post may not take that decision
    assert "审批" in high.message.en


def test_step_limits_exceeding_the_promise_name_path_and_sum() -> None:
    flow = _edit(("limits: {statutory: 30, promised: 20,", "limits: {statutory: 30, promised: 10,"))
    [d] = _only(check_text(flow), "PF405")
    assert "受理 2 + 审查 5 + 集体决定 5" in d.message.en
    assert "12 working days" in d.message.en and "promised 10" in d.message.en
    assert "申报 → 受理 → 审查 → 专家评审 → 集体决定" in d.message.zh
    assert d.data["days"] == 12


def test_clock_excluded_and_send_back_steps_do_not_count() -> None:
    flow = _edit(
        ("limits: {statutory: 30, promised: 20,", "limits: {statutory: 30, promised: 12,"),
        ("  decide: {name: 集体决定", "  supplement: {name: 补正, actor: window, kind: task, "
                                     "limit: 30, clock: paused}\n  decide: {name: 集体决定"),
        ("  - {from: review, to: refused, event: fail}\n",
         "  - {from: review, to: refused, event: fail}\n"
         "  - {from: review, to: supplement, event: ask, kind: send_back}\n"
         "  - {from: supplement, to: review, event: resubmit, kind: send_back}\n"))
    assert _only(check_text(flow), "PF405") == []


def test_uncontrolled_high_risk_names_the_risk_and_step() -> None:
    flow = _edit(("separation:\n", "  R3:\n    at: accept\n    level: 高\n"
                  "    description: 违规受理不符合条件的申报\n    responsible: window\nseparation:\n"))
    [d] = _only(check_text(flow), "PF201")
    assert "R3" in d.message.en and "'受理'" in d.message.en and "违规受理" in d.message.en
    assert "受理的高风险点 R3" in d.message.zh
