"""The compiler: one shared machine, guards from data, our own error for refused events."""

from __future__ import annotations

import pytest
from transitions import Machine

from powerflow.engine.compile import CaseModel, CompiledFlow, EventNotAllowed


def test_states_are_control_flow_steps_and_no_auto_transitions(proc: CompiledFlow) -> None:
    assert isinstance(proc.machine, Machine)
    assert "watch" not in proc.states  # supervision steps stand beside the flow
    assert set(proc.states) == set(proc.flow.steps) - {"watch"}
    assert not any(e.startswith("to_") for e in proc.machine.events)
    assert proc.machine.models == []  # cases are not registered with add_model


def test_cases_share_one_machine(proc: CompiledFlow) -> None:
    a, b = proc.new_case("A", {"amount": 5_000_000}), proc.new_case("B", {"amount": 10})
    for case in (a, b):
        proc.fire(case, "submit")
        proc.fire(case, "approve")
        proc.fire(case, "choose")
    assert (a.state, b.state) == ("tender", "quote")  # the guard read each case's facts
    assert not hasattr(a, "submit") and not hasattr(a, "is_plan")


def test_condition_is_data_and_a_missing_fact_fails(proc: CompiledFlow) -> None:
    case = proc.new_case("C", {})
    proc.fire(case, "submit")
    proc.fire(case, "approve")
    with pytest.raises(EventNotAllowed) as err:
        proc.fire(case, "choose")
    assert err.value.reason == "condition"
    assert "amount >= 2000000" in str(err.value)
    assert case.state == "method"


def test_refusal_names_case_event_actor_step_and_allowed(proc: CompiledFlow) -> None:
    case = proc.new_case("CASE-9")
    with pytest.raises(EventNotAllowed) as err:
        proc.fire(case, "sign", post="office")
    e = err.value
    assert (e.case, e.event, e.step, e.actor, e.reason) == ("CASE-9", "sign", "plan", "office",
                                                            "wrong-step")
    assert e.allowed == ("submit",)
    for part in ("CASE-9", "'sign'", "office", "'plan'", "submit"):
        assert part in str(e)
    assert "CASE-9" in e.zh() and "当前环节" in e.zh()


def test_unknown_event_and_finished_case(proc: CompiledFlow) -> None:
    case = proc.new_case("D")
    with pytest.raises(EventNotAllowed) as err:
        proc.fire(case, "bribe")
    assert err.value.reason == "unknown-event"
    case = CaseModel("E", "contract")
    with pytest.raises(EventNotAllowed) as err:
        proc.fire(case, "sign")
    assert err.value.reason == "finished" and err.value.allowed == ()


def test_transition_actor_is_enforced(proc: CompiledFlow) -> None:
    case = proc.new_case("F")
    proc.fire(case, "submit")
    with pytest.raises(EventNotAllowed) as err:
        proc.fire(case, "approve", post="office")
    assert err.value.reason == "actor" and "finance" in str(err.value)
    t = proc.fire(case, "approve", post="finance")
    assert (t.from_, t.to) == ("check", "method")


def test_sample_flow_runs_to_granted(sample: CompiledFlow) -> None:
    case = sample.new_case("S")
    for ev in ("submit", "accept", "request_supplement", "resubmit", "accept", "pass_formal",
               "submit_opinions", "propose", "object", "dismiss_objection", "close"):
        sample.fire(case, ev)
    assert case.state == "approved" and case.state in sample.ends
