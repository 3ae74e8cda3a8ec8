"""The vectorised replay against a real `transitions` machine built from the same flow.

For random flows (with duplicate events, self-loops, guarded alternatives) and random logs
(unknown activities, missing facts), every case must end in the same step, with the same
number of accepted events and the same first deviation, as when its events are fed one by one
to `transitions.Machine(auto_transitions=False, ignore_invalid_triggers=False)` with the
documented resynchronisation rule applied after a refused event.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transitions import Machine, MachineError

from powerflow.logs.eventlog import build_from_rows
from powerflow.logs.mapping import LogMapping
from powerflow.model import Actor, Condition, Flow, PowerInfo, Step, Transition
from powerflow.replay.audit import audit

EVENTS = ["e0", "e1", "e2", "e3"]


@st.composite
def flows(draw: st.DrawFn) -> Flow:
    n = draw(st.integers(2, 6))
    names = [f"s{i}" for i in range(n)]
    n_end = draw(st.integers(1, max(1, n - 1)))
    ends = set(names[n - n_end:])
    steps = {}
    for i, s in enumerate(names):
        kind = "start" if i == 0 else ("end" if s in ends else "task")
        steps[s] = Step(name=s, actor="a", kind=kind, outcome="closed" if s in ends else None)
    sources = [s for s in names if s not in ends] or names[:1]
    trans = []
    for _ in range(draw(st.integers(1, 10))):
        cond = None
        if draw(st.booleans()) and draw(st.booleans()):
            cond = Condition(fact="x", op="==", value=draw(st.integers(0, 1)))
        trans.append(Transition.model_validate({
            "from": draw(st.sampled_from(sources)), "to": draw(st.sampled_from(names)),
            "event": draw(st.sampled_from(EVENTS)), "condition": cond}))
    return Flow(info=PowerInfo(code="T-1", name="test", category="other"),
                actors={"a": Actor(name="a", kind="post")}, steps=steps,
                transitions=tuple(trans))


logs = st.lists(st.tuples(st.lists(st.sampled_from([*EVENTS, "zz"]), min_size=1, max_size=8),
                          st.sampled_from([None, 0, 1])), min_size=1, max_size=12)


def reference(flow: Flow, events: list[str], facts: dict[str, Any]) -> tuple[str, int, int]:
    """(final step, accepted events, index of first deviation or -1) by a transitions machine."""

    class Case:
        state: str

    case = Case()
    spec = []
    ends = {k for k, st in flow.steps.items() if st.kind.value == "end"}
    for t in flow.transitions:
        if t.to in ends:  # an end step may repeat the event that reached it
            spec.append({"trigger": t.event, "source": t.to, "dest": t.to, "conditions": []})
        conds = []
        if t.condition is not None:
            c = t.condition
            conds.append(lambda c=c: c.evaluate(facts))
        spec.append({"trigger": t.event, "source": t.from_, "dest": t.to, "conditions": conds})
    machine = Machine(model=case, states=list(flow.steps), transitions=spec,
                      initial=flow.start, auto_transitions=False,
                      ignore_invalid_triggers=False)
    known = {t.event for t in flow.transitions}
    accepted, first = 0, -1
    for i, ev in enumerate(events):
        if ev not in known:
            first = i if first < 0 else first
            continue
        try:
            ok = case.trigger(ev)  # type: ignore[attr-defined]
        except MachineError:
            ok = False
        if ok:
            accepted += 1
            continue
        first = i if first < 0 else first
        targets = {t.to for t in flow.transitions if t.event == ev}
        if len(targets) == 1:
            machine.set_state(targets.pop(), model=case)
    return case.state, accepted, first


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows(), logs, st.booleans())
def test_vectorised_replay_matches_transitions(flow: Flow, cases: list[tuple[list[str], Any]],
                                               with_facts: bool) -> None:
    rows = []
    line = 0
    for c, (events, x) in enumerate(cases):
        for i, ev in enumerate(events):
            line += 1
            rows.append((line, {"case:concept:name": f"c{c}", "concept:name": ev,
                                "time:timestamp": f"2024-03-{1 + i:02d}T10:00:00+08:00",
                                "x": "" if x is None else str(x)}))
    known = sorted({t.event for t in flow.transitions})
    mapping = LogMapping(activities={e: e for e in known},
                         facts={"x": "x"} if with_facts else {})
    log = build_from_rows(rows, mapping, "log.csv")
    result = audit(flow, log, mapping)
    result.overlay()  # traffic counts work under every guard signature
    for c, (events, x) in enumerate(cases):
        facts = {"x": x} if with_facts and x is not None else {}
        if not with_facts:
            # without the fact in the log, guarded alternatives count as allowed
            flow_ref = flow.model_copy(update={"transitions": tuple(
                t.model_copy(update={"condition": None}) for t in flow.transitions)})
        else:
            flow_ref = flow
        final, accepted, first = reference(flow_ref, events, facts)
        assert result.encoded_flow.steps[int(result.replayed.final[c])] == final
        assert int(result.accepted[c]) == accepted
        first_line = int(result.log.line[result.first_event[c]]) if result.first_event[c] >= 0 else -1
        start_line = 1 + sum(len(e) for e, _ in cases[:c])
        assert first_line == (start_line + first if first >= 0 else -1)
        assert bool(result.fits[c]) == (first < 0 and flow.steps[final].kind.value == "end")
