"""The audit: working days over holidays with 调休, yellow/red, and each violation class."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from powerflow.engine.audit import CaseAudit, audit_case
from powerflow.engine.case import CHINA_TZ, load_case_text
from powerflow.engine.compile import CompiledFlow

from .conftest import case_yaml


def run(compiled: CompiledFlow, events: list[dict[str, Any]], facts: dict[str, Any] | None = None,
        as_of: str | None = None, yellow_at: float | None = None) -> CaseAudit:
    loaded = load_case_text(case_yaml("T-1", events, facts, as_of), "t.case.json")
    assert loaded.case is not None, [d.message.en for d in loaded.diagnostics]
    return audit_case(compiled, loaded, yellow_at=yellow_at)


def codes(a: CaseAudit) -> list[str]:
    return sorted({d.code for d in a.diagnostics})


def ev(time: str, event: str, person: str | None = None, post: str | None = None,
       evidence: list[str] | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {"time": time, "event": event}
    if person:
        d["person"] = person
    if post:
        d["post"] = post
    if evidence:
        d["evidence"] = evidence
    return d


def proc_path(check_done: str, method_done: str = "2025-03-04T10:00",
              amount: int = 100) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    return [ev("2025-03-03T09:00", "submit", "甲"),
            ev(check_done, "approve", "乙", "finance"),
            ev(method_done, "choose", "丙", evidence=["approval_trail"])], {"amount": amount}


# ------------------------------------------------------------------------- working days


def test_spring_festival_2025_with_adjusted_working_weekends(sample: CompiledFlow) -> None:
    # formal review from Fri 2025-01-24 to Fri 2025-02-07: Sun 26 Jan is a working day,
    # 28 Jan-4 Feb are holidays, so: 26, 27, 5, 6, 7 = 5 working days.
    a = run(sample, [
        ev("2025-01-23T09:00", "submit"), ev("2025-01-24T09:00", "accept", "甲", evidence=[
            "one_time_notice", "intake_register"]),
        ev("2025-02-07T09:00", "pass_formal", "乙", evidence=["two_person_signoff"])])
    formal = next(v for v in a.path if v.step == "formal_review")
    assert formal.days == 5 and formal.status == "green"
    # naive times are Beijing time; the same instant in UTC counts the same
    b = run(sample, [
        ev("2025-01-23T01:00:00Z", "submit"), ev("2025-01-24T01:00:00Z", "accept", "甲"),
        ev("2025-02-07T01:00:00Z", "pass_formal", "乙")])
    assert next(v for v in b.path if v.step == "formal_review").days == 5


def test_national_day_2025_week_makes_a_step_red(sample: CompiledFlow) -> None:
    # 2025-09-26 to 2025-10-13: Sun 28 Sep and Sat 11 Oct are working days, 1-8 Oct are not:
    # 28, 29, 30 Sep, 9, 10, 11, 13 Oct = 7 working days: the formal review (limit 7) is at its
    # limit (yellow while open), and one more working day makes it red.
    base = [ev("2025-09-25T09:00", "submit"), ev("2025-09-26T09:00", "accept", "甲")]
    a = run(sample, base, as_of="2025-10-13T18:00")
    open_step = a.path[-1]
    assert (open_step.step, open_step.days, open_step.status) == ("formal_review", 7, "yellow")
    assert "PF505" in codes(a) and "PF504" not in codes(a)
    a = run(sample, [*base, ev("2025-10-14T09:00", "pass_formal", "乙")])
    formal = next(v for v in a.path if v.step == "formal_review")
    assert (formal.days, formal.status) == (8, "red") and "PF504" in codes(a)


def test_out_of_calendar_is_an_error_never_a_guess(sample: CompiledFlow) -> None:
    a = run(sample, [ev("2135-01-02T09:00", "submit"), ev("2135-01-03T09:00", "accept")])
    assert "PF511" in codes(a)
    assert any("2135" in d.message.en for d in a.diagnostics if d.code == "PF511")


def test_a_year_without_arrangement_is_counted_with_a_warning(sample: CompiledFlow) -> None:
    a = run(sample, [ev("2035-01-02T09:00", "submit"), ev("2035-01-03T09:00", "accept")])
    assert "PF511" not in codes(a)
    warn = [d for d in a.diagnostics if d.code == "PF531"]
    assert len(warn) == 1 and warn[0].data["year"] == 2035 and warn[0].location.line > 0
    assert a.path[1].days == 1  # accept: entered 2 January, left 3 January


# ------------------------------------------------------------------------- yellow / red


@pytest.mark.parametrize(("as_of", "yellow_at", "expected"), [
    ("2025-03-03T18:00", None, "green"),   # 0 of 2 used
    ("2025-03-04T18:00", None, "green"),   # 1 of 2: 50 % < 90 %
    ("2025-03-04T18:00", 0.5, "yellow"),   # configurable threshold
    ("2025-03-05T18:00", None, "yellow"),  # 2 of 2: at the limit
    ("2025-03-06T18:00", None, "red"),     # 3 of 2: over
])
def test_open_step_thresholds(proc: CompiledFlow, as_of: str, yellow_at: float | None,
                              expected: str) -> None:
    a = run(proc, [ev("2025-03-03T09:00", "submit")], as_of=as_of, yellow_at=yellow_at)
    assert a.path[-1].status == expected
    want = {"green": set(), "yellow": {"PF505"}, "red": {"PF504"}}[expected]
    assert {"PF504", "PF505"} & set(codes(a)) == want


def test_case_total_yellow_and_red_against_promise(proc: CompiledFlow) -> None:
    # promised 10; the paused `wait` step does not count.
    events = [ev("2025-03-03T09:00", "submit"), ev("2025-03-05T09:00", "ask", "乙"),
              ev("2025-03-28T09:00", "answer", "丁"), ev("2025-03-31T09:00", "approve", "乙",
                                                          "finance")]
    a = run(proc, events, as_of="2025-04-11T09:00")  # method open since 31 Mar: 8 days
    assert a.total_days == 2 + 1 + 8
    assert a.case_status == "red" and "PF506" in codes(a)
    a = run(proc, events, as_of="2025-04-04T09:00")  # 2 + 1 + 3 (4 Apr is Qingming)
    assert (a.total_days, a.case_status) == (6, "green")
    a = run(proc, events, as_of="2025-04-09T09:00")  # 2 + 1 + 6 = 9 of 10
    assert (a.total_days, a.case_status) == (9, "yellow") and "PF507" in codes(a)


# ------------------------------------------------------------------------- violation classes


def test_clean_path_has_no_findings(proc: CompiledFlow) -> None:
    events, facts = proc_path("2025-03-04T09:00", amount=100)
    events += [ev("2025-03-05T09:00", "award", "丁", evidence=["recusal"]),
               ev("2025-03-06T09:00", "sign", "戊")]
    a = run(proc, events, facts)
    assert a.outcome == "granted" and codes(a) == [] and not a.has_findings


def test_pf501_event_not_allowed(proc: CompiledFlow) -> None:
    a = run(proc, [ev("2025-03-03T09:00", "submit"), ev("2025-03-03T10:00", "sign", "甲")])
    assert "PF501" in codes(a) and a.rejected[0].event == "sign" and a.step == "check"
    assert a.diagnostics[0].location.line > 1  # points at the event in the file


def test_pf502_evidence_missing(proc: CompiledFlow) -> None:
    events, facts = proc_path("2025-03-04T09:00")
    events[-1].pop("evidence")
    a = run(proc, events, facts)
    assert "PF502" in codes(a)
    assert [c.ok for r in a.risks if r.risk == "R1" for c in r.controls] == [False]


def test_pf502_on_an_event_risk(proc: CompiledFlow) -> None:
    events, facts = proc_path("2025-03-04T09:00")
    events.append(ev("2025-03-05T09:00", "award", "丁"))  # R2 sits on the `award` event
    a = run(proc, events, facts)
    assert any(d.code == "PF502" and d.data["risk"] == "R2" for d in a.diagnostics)


def test_pf503_separation(proc: CompiledFlow) -> None:
    events, facts = proc_path("2025-03-04T09:00")
    events[2]["person"] = "乙"  # the finance reviewer also chose the method
    a = run(proc, events, facts)
    assert "PF503" in codes(a) and a.breaches[0].person == "乙"


def test_pf508_unknown_activity(proc: CompiledFlow) -> None:
    a = run(proc, [ev("2025-03-03T09:00", "submit"), ev("2025-03-03T10:00", "lunch")])
    assert "PF508" in codes(a) and "PF501" not in codes(a)


def test_pf509_unfinished_and_pf510_control_step_skipped(proc: CompiledFlow) -> None:
    events, facts = proc_path("2025-03-04T09:00")
    assert "PF509" in codes(run(proc, events, facts))
    events.append(ev("2025-03-05T09:00", "sign_direct", "丁"))  # bypasses the collective step
    a = run(proc, events, facts)
    assert a.outcome == "granted" and a.skipped_controls == (("R1", "collective"),)
    assert "PF510" in codes(a) and "PF509" not in codes(a)


def test_overlay_of_the_path(proc: CompiledFlow) -> None:
    events, facts = proc_path("2025-03-10T09:00", "2025-03-11T09:00")  # check: 5 of 2 days
    o = run(proc, events, facts).overlay()
    assert o.edge_counts[("plan", "check", "submit")] == 1
    assert o.step_colors["check"] == "bad" and o.step_colors["plan"] == "path"


def test_audit_is_deterministic(proc: CompiledFlow) -> None:
    events, facts = proc_path("2025-03-04T09:00")
    a, b = run(proc, events, facts), run(proc, events, facts)
    assert a.to_dict() == b.to_dict()
    assert a.as_of == dt.datetime(2025, 3, 4, 10, 0, tzinfo=CHINA_TZ)
