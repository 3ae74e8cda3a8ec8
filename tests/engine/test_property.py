"""Property: the compiled machine accepts exactly the event sequences the flow graph allows.

The reference is built independently from the plain transition list in a networkx
MultiDiGraph: from the current node, the first out-edge (in file order) with the event whose
guard holds on the facts is taken; no such edge means the event is refused.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from powerflow.engine.compile import EventNotAllowed, compile_flow
from powerflow.model import Actor, ActorKind, Condition, Flow, PowerInfo, Step, StepKind, Transition

EVENTS = ["a", "b", "c", "d"]


@st.composite
def flows(draw: st.DrawFn) -> Flow:
    n = draw(st.integers(2, 6))
    names = [f"s{i}" for i in range(n)]
    ends = set(draw(st.lists(st.sampled_from(names[1:]), max_size=2, unique=True)))
    steps = {}
    for i, s in enumerate(names):
        kind = StepKind.START if i == 0 else (StepKind.END if s in ends else StepKind.TASK)
        steps[s] = Step(name=s, actor="x", kind=kind,
                        outcome="granted" if kind is StepKind.END else None)
    trans = []
    for _ in range(draw(st.integers(0, 12))):
        src = draw(st.sampled_from([s for s in names if s not in ends]))
        cond = draw(st.none() | st.builds(
            lambda v: Condition(fact="amount", op=">=", value=v), st.integers(0, 10)))
        trans.append(Transition.model_validate({
            "from": src, "to": draw(st.sampled_from(names)), "event": draw(st.sampled_from(EVENTS)),
            "condition": cond}))
    return Flow(info=PowerInfo(code="P", name="p", category="other"),
                actors={"x": Actor(name="x", kind=ActorKind.POST)}, steps=steps,
                transitions=tuple(trans))


def reference(flow: Flow, facts: dict[str, Any], events: list[str]) -> list[str | None]:
    g = nx.MultiDiGraph()
    for i, t in enumerate(flow.transitions):
        g.add_edge(t.from_, t.to, key=i, event=t.event, cond=t.condition)
    state = flow.start
    out: list[str | None] = []
    for ev in events:
        edges = sorted(g.out_edges(state, keys=True, data=True), key=lambda e: e[2]) \
            if state in g else []
        nxt = next((v for _u, v, _k, d in edges if d["event"] == ev
                    and (d["cond"] is None or d["cond"].evaluate(facts))), None)
        out.append(nxt)
        if nxt is not None:
            state = nxt
    return out


@settings(max_examples=150, deadline=None)
@given(flows(), st.integers(0, 10), st.lists(st.sampled_from([*EVENTS, "zz"]), max_size=15))
def test_machine_matches_graph(flow: Flow, amount: int, events: list[str]) -> None:
    compiled = compile_flow(flow)
    facts = {"amount": amount}
    case = compiled.new_case("P", facts)
    got: list[str | None] = []
    for ev in events:
        try:
            got.append(compiled.fire(case, ev).to)
        except EventNotAllowed:
            got.append(None)
    assert got == reference(flow, facts, events)
