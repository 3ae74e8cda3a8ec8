"""Parallel blocks (并联审批/会签) compile to the product of their branch positions: the join is
entered only when every branch has arrived, and each machine state maps back to its steps."""

from __future__ import annotations

from pathlib import Path

import pytest

from powerflow.engine.compile import EventNotAllowed, compile_flow
from powerflow.loader import load_flow_with_catalog

FLOW = Path(__file__).resolve().parents[2] / "flows" / "kj-qt-0041-new-rd-institution.yaml"
BOTH = "joint_review[tech_review|finance_review]"


@pytest.fixture(scope="module")
def compiled():  # type: ignore[no-untyped-def]
    loaded, _ = load_flow_with_catalog(FLOW)
    assert loaded.flow is not None
    return compile_flow(loaded.flow)


def test_states_are_the_branch_positions(compiled) -> None:  # type: ignore[no-untyped-def]
    block = {s for s in compiled.states if s.startswith("joint_review[")}
    assert block == {BOTH, "joint_review[*|finance_review]", "joint_review[tech_review|*]"}
    assert "tech_review" not in compiled.states and "finance_review" not in compiled.states
    assert compiled.active[BOTH] == ("tech_review", "finance_review")
    assert compiled.active["joint_review[*|finance_review]"] == ("finance_review",)


def test_join_waits_for_every_branch(compiled) -> None:  # type: ignore[no-untyped-def]
    case = compiled.new_case("c1")
    for event in ("submit", "accept", "tech_passed"):
        compiled.fire(case, event)
    assert case.state == "joint_review[*|finance_review]"
    with pytest.raises(EventNotAllowed) as err:
        compiled.fire(case, "submit_opinions")  # the expert review has not been reached
    assert err.value.reason == "wrong-step" and err.value.allowed == (
        "finance_passed", "finance_failed")
    compiled.fire(case, "finance_passed")
    assert case.state == "expert_review"


def test_branches_finish_in_either_order_and_moves_name_their_step(compiled) -> None:  # type: ignore[no-untyped-def]
    case = compiled.new_case("c2")
    for event in ("submit", "accept", "finance_passed", "tech_passed"):
        compiled.fire(case, event)
    assert case.state == "expert_review"
    assert compiled.step_left(BOTH, "finance_passed", "joint_review[tech_review|*]") == \
        "finance_review"
    assert compiled.step_left("accept", "accept", BOTH) == "accept"


def test_a_branch_may_end_the_case(compiled) -> None:  # type: ignore[no-untyped-def]
    case = compiled.new_case("c3")
    for event in ("submit", "accept", "tech_failed"):
        compiled.fire(case, event)
    assert case.state == "refused" and case.state in compiled.ends


def test_flows_without_blocks_compile_as_before(compiled) -> None:  # type: ignore[no-untyped-def]
    plain = FLOW.parent / "kj-fx-0012-project-approval.yaml"
    loaded, _ = load_flow_with_catalog(plain)
    assert loaded.flow is not None
    c = compile_flow(loaded.flow)
    steps = [k for k, s in loaded.flow.steps.items() if s.kind.value != "supervision"]
    assert list(c.states) == steps and all(c.active[s] == (s,) for s in steps)


@pytest.mark.parametrize("args", [
    ["simulate", str(FLOW), "--random", "10"],
    ["export-net", str(FLOW)],
])
def test_commands_that_cannot_run_blocks_refuse_clearly(args: list[str], cli) -> None:  # type: ignore[no-untyped-def]
    res = cli(*args, "--lang", "en")
    assert res.exit_code == 2
    assert "PF016" in res.output and "parallel blocks (joint_review)" in res.output
