"""Rules of the one deviation core seen from `simulate`: a control skipped by a jump the flow
does not allow, a publicity ended early, refusals attributed to who made them, what could not be
checked said in every case report format."""

from __future__ import annotations

import json

from powerflow.engine.compile import CompiledFlow
from powerflow.report.case import render_audit_html, render_audit_json, render_audit_text

from .test_audit import codes, ev, proc_path, run


def test_control_skipped_by_a_disallowed_jump(proc: CompiledFlow) -> None:
    # plan → check → method, then `sign_direct` (it leaves only `quote`) jumps to the contract:
    # the risk at `method` (control: the collective decision) is passed by the jump.
    events = [ev("2025-03-03T09:00", "submit", "甲"),
              ev("2025-03-03T10:00", "approve", "乙", "finance"),
              ev("2025-03-04T10:00", "sign_direct", "丙")]
    a = run(proc, events, {"amount": 100})
    assert "PF501" in codes(a) and "PF510" in codes(a)
    d = next(d for d in a.diagnostics if d.code == "PF510")
    assert d.data == {"risk": "R1", "step": "collective"}
    assert "sign_direct" in d.message.en and "集体决策" in d.message.zh
    assert d.location.line > 1  # at the event that passed the risk, not the case header
    assert a.skipped_controls == (("R1", "collective"),)


def test_control_done_before_the_outcome_is_no_deviation(proc: CompiledFlow) -> None:
    events, facts = proc_path("2025-03-04T09:00", amount=3_000_000)
    events += [ev("2025-03-05T09:00", "award", "丁", evidence=["recusal"]),
               ev("2025-03-06T09:00", "sign", "戊")]
    a = run(proc, events, facts)
    assert "PF510" not in codes(a), a.diagnostics


def test_publicity_ended_early(sample: CompiledFlow) -> None:
    base = [ev("2025-03-03T09:00", "submit"), ev("2025-03-03T10:00", "accept", "李",
                                                  evidence=["one_time_notice", "intake_register"]),
            ev("2025-03-04T10:00", "pass_formal", "张", evidence=["two_person_signoff"]),
            ev("2025-03-10T10:00", "submit_opinions", "陈", evidence=[
                "random_draw_record", "recusal_declaration", "signed_opinions"]),
            ev("2025-03-11T10:00", "propose", "会", evidence=["meeting_minutes",
                                                              "discipline_attendance"])]
    early = run(sample, [*base, ev("2025-03-12T10:00", "no_objection", "张",
                                   evidence=["publicity_screenshot"])])
    d = next(d for d in early.diagnostics if d.code == "PF512")
    assert d.data["step"] == "publicity" and d.data["days"] == 1 and d.data["minimum"] == 7
    full = run(sample, [*base, ev("2025-03-20T10:00", "no_objection", "张",
                                  evidence=["publicity_screenshot"])])
    assert "PF512" not in codes(full)


def test_not_checked_in_text_json_and_html(proc: CompiledFlow) -> None:
    # nobody recorded who did the separated steps: PF503 cannot be judged, and the reports say so
    events = [ev("2025-03-03T09:00", "submit"), ev("2025-03-03T10:00", "approve", post="finance"),
              ev("2025-03-04T10:00", "choose", evidence=["approval_trail"])]
    a = run(proc, events, {"amount": 100})
    keys = {u.key for u in a.unchecked}
    assert any(k.startswith("person-missing") for k in keys)
    assert "PF503" not in codes(a)
    text = render_audit_text(a, "en")
    assert "Not checked, or only partly" in text and "cannot be judged" in text
    body = json.loads(render_audit_json(a, "en"))
    assert any(u["key"].startswith("person-missing") and u["count"] >= 1
               for u in body["not_checked"])
    assert "未检查或仅部分检查" in render_audit_html(a, "zh")


def test_random_simulation_says_what_it_assumed(proc: CompiledFlow) -> None:
    from powerflow.engine.randomsim import simulate_random
    from powerflow.report.randomsim import render_random_json, render_random_text

    r = simulate_random(proc, 200, seed=1)
    keys = {a.key: a for a in r.assumptions}
    assert "branch-without-probability" in keys and "guards-not-evaluated" in keys
    assert "check→approve" in keys["branch-without-probability"].en
    text = render_random_text(r, "en")
    assert "Assumed for want of data" in text and "None" not in text
    assert json.loads(render_random_json(r))["assumptions"]
