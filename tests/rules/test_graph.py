"""FlowGraph: the networkx questions the rules rely on."""

from __future__ import annotations

import doctest

import powerflow.graph
from powerflow.graph import FlowGraph
from powerflow.loader import load_flow_text
from powerflow.rules.docs import example


def _graph(text: str) -> FlowGraph:
    loaded = load_flow_text(text.encode(), "g.yaml")
    assert loaded.flow is not None
    return FlowGraph(loaded.flow)


def test_doctests() -> None:
    assert doctest.testmod(powerflow.graph).failed == 0


def test_supervision_step_is_not_control_flow() -> None:
    g = _graph(example("PF100", "good"))
    assert "watch" not in g.g
    assert set(g.supervision.successors("watch")) == {"expert_review", "decide"}
    assert g.reachable == set(g.g)


def test_dominator_bypass_and_guard() -> None:
    g = _graph(example("PF204", "bad"))
    assert g.bypass("decide", ["review"], g.favourable_ends) == [
        "apply", "accept", "review", "publicity", "granted"]
    assert g.bypass("publicity", ["decide"], g.favourable_ends) is None
    # a control before the risk step guards it when it dominates the risk step
    assert g.bypass("accept", ["review"], g.favourable_ends) is None


def test_longest_path_drops_send_backs_and_counts_only_running_clock() -> None:
    g = _graph(example("PF100", "good"))
    longest = g.longest
    assert longest is not None
    assert longest.days == 12
    assert longest.counted == ("accept", "review", "decide")
    assert longest.steps[-1] in g.ends


def test_closed_loop_found_by_condensation() -> None:
    g = _graph(example("PF107", "bad"))
    assert g.closed_loops == [["supplement", "remind"]]
    assert g.cycle_in(["supplement", "remind"])[0] in {"supplement", "remind"}
