"""Compile a `Flow` into one `transitions` state machine that cases run through.

Takes a `Flow` (the model); gives a `CompiledFlow`: one shared `transitions.Machine` whose states
are the flow's control-flow steps (supervision steps stand beside the flow and are not states)
and whose triggers are the transition events, plus `CaseModel`, the cheap per-case object the
machine drives. Guard conditions are the flow's `Condition` data, evaluated by
`Condition.evaluate` on the case's facts through a callable bound here; a transition that names an
actor only fires for an event posted by that actor.

Cases are not registered with `Machine.add_model` (that copies a bound trigger, a ``may_`` and an
``is_`` partial per event and state onto every model and keeps them in a list for ever): the
machine is built with ``model=None`` and each event is fired with
``machine.events[event].trigger(case, ...)``, which needs only a ``state`` attribute on the case.
An event that is not allowed raises `EventNotAllowed` (wrapping `transitions.MachineError`).

Must not: read files, print, evaluate Python from the flow, or know about reports and stores.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from transitions import Machine, MachineError

from ..clock import Calendar, calendar_from_spec, default_calendar
from ..model import Condition, Flow, Risk, Separation, StepKind, Transition, calendar_spec

__all__ = ["CaseModel", "CompiledFlow", "EventNotAllowed", "compile_flow"]


class EventNotAllowed(Exception):
    """An event the flow does not allow for this case now.

    `reason` is ``unknown-event`` (the flow has no such event), ``wrong-step`` (no transition on
    this event leaves the current step), ``condition`` (the guard is false on the case's facts),
    ``actor`` (the transition belongs to another actor) or ``finished`` (the case has ended).
    """

    def __init__(self, case: str, event: str, step: str, allowed: tuple[str, ...], reason: str,
                 actor: str | None = None, detail: str = "") -> None:
        self.case = case
        self.event = event
        self.step = step
        self.allowed = allowed
        self.reason = reason
        self.actor = actor
        self.detail = detail
        who = f" by {actor}" if actor else ""
        allowed_txt = ", ".join(allowed) if allowed else "none (the case has ended)"
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"case {case}: event {event!r}{who} is not allowed in step {step!r}{extra}; "
            f"allowed there: {allowed_txt}")

    def zh(self) -> str:
        """The same message in Chinese."""
        who = f"（{self.actor}）" if self.actor else ""
        allowed = "、".join(self.allowed) if self.allowed else "无（办件已办结）"
        extra = f"（{self.detail}）" if self.detail else ""
        return (f"办件 {self.case}：当前环节 {self.step!r} 不允许事件 {self.event!r}{who}{extra}；"
                f"该环节允许：{allowed}")


class CaseModel:
    """One case as the machine sees it: an id, the current step (`state`) and the facts that
    guard conditions read. `__slots__` keeps thousands of live cases small."""

    __slots__ = ("case_id", "facts", "state")

    def __init__(self, case_id: str, state: str, facts: Mapping[str, Any] | None = None) -> None:
        self.case_id = case_id
        self.state = state
        self.facts: Mapping[str, Any] = facts if facts is not None else {}


def _guard(cond: Condition | None, actor: str | None) -> Callable[[Any], bool] | None:
    """A condition callable for transitions (send_event=True gives it the EventData)."""
    if cond is None and actor is None:
        return None

    def check(event_data: Any) -> bool:
        if actor is not None:
            post = event_data.kwargs.get("post")
            if post is not None and post != actor:
                return False
        return cond is None or cond.evaluate(event_data.model.facts)

    return check


@dataclass
class CompiledFlow:
    """A flow compiled once and shared by every case of that power."""

    flow: Flow
    machine: Machine
    states: tuple[str, ...]
    initial: str
    ends: frozenset[str]
    events: frozenset[str]
    out: dict[str, tuple[Transition, ...]] = field(default_factory=dict)
    by_edge: dict[tuple[str, str, str], tuple[int, ...]] = field(default_factory=dict)
    risks_at: dict[str, tuple[tuple[str, Risk], ...]] = field(default_factory=dict)
    """Risk points by the step they sit on."""
    risks_on: dict[str, tuple[tuple[str, Risk], ...]] = field(default_factory=dict)
    """Risk points on an event (a transition); a name that is also a step id means the step."""
    separation_of: dict[str, tuple[Separation, ...]] = field(default_factory=dict)
    """Separation groups by member step."""
    evidence_at: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = field(default_factory=dict)
    """(risk id, evidence ids its controls need) by the step a risk sits on."""
    evidence_on: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = field(default_factory=dict)
    """The same for risks on an event."""
    apart: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Steps that must be done by someone else than the person who did the key step."""
    calendar: Calendar = field(default_factory=default_calendar)
    """The working-day calendar cases of this flow are counted on (the catalogue's)."""

    def new_case(self, case_id: str, facts: Mapping[str, Any] | None = None) -> CaseModel:
        """A case standing at the start step."""
        return CaseModel(case_id, self.initial, facts)

    def allowed(self, step: str, facts: Mapping[str, Any] | None = None,
                post: str | None = None) -> tuple[str, ...]:
        """Events that leave `step`; with `facts`, only those whose guard holds (and, with
        `post`, whose actor matches)."""
        names: list[str] = []
        for t in self.out.get(step, ()):
            if facts is not None:
                if t.condition is not None and not t.condition.evaluate(facts):
                    continue
                if post is not None and t.actor is not None and t.actor != post:
                    continue
            if t.event not in names:
                names.append(t.event)
        return tuple(names)

    def fire(self, case: CaseModel, event: str, post: str | None = None) -> Transition:
        """Move `case` on `event`; return the flow transition taken or raise `EventNotAllowed`."""
        source = case.state
        self.move(case, event, post)
        return self.taken(source, event, case.state, case.facts)

    def move(self, case: CaseModel, event: str, post: str | None = None) -> None:
        """Move `case` on `event` (or raise `EventNotAllowed`) without looking up the flow
        transition: the hot path of the live audit."""
        source = case.state
        ev = self.machine.events.get(event)
        if ev is None:
            raise self._refuse(case, event, post, "unknown-event", "the flow has no such event")
        try:
            moved = ev.trigger(case, post=post) if post is not None else ev.trigger(case)
        except MachineError:
            reason = "finished" if source in self.ends else "wrong-step"
            raise self._refuse(case, event, post, reason) from None
        if not moved:
            ts = [t for t in self.out.get(source, ()) if t.event == event]
            if post is not None and all(t.actor is not None and t.actor != post for t in ts):
                owners = ", ".join(sorted({t.actor for t in ts if t.actor}))
                raise self._refuse(case, event, post, "actor", f"only {owners} may do this")
            conds = "; ".join(t.condition.describe() for t in ts if t.condition is not None)
            raise self._refuse(case, event, post, "condition", f"condition not met: {conds}")

    def taken(self, source: str, event: str, dest: str, facts: Mapping[str, Any]) -> Transition:
        """The flow transition behind a move (the first listed whose guard holds)."""
        idx = self.by_edge[(source, event, dest)]
        for i in idx:
            t = self.flow.transitions[i]
            if t.condition is None or t.condition.evaluate(facts):
                return t
        return self.flow.transitions[idx[0]]

    def _refuse(self, case: CaseModel, event: str, post: str | None, reason: str,
                detail: str = "") -> EventNotAllowed:
        return EventNotAllowed(case.case_id, event, case.state,
                               self.allowed(case.state, case.facts), reason, post, detail)


def compile_flow(flow: Flow, calendar: Calendar | None = None) -> CompiledFlow:
    """Build the shared machine of a flow. The flow must have a start step (the loader and the
    structure checks guarantee one for published flows). Cases are counted on `calendar`, by
    default the one the flow's catalogue declares (`defaults.calendar`)."""
    states = tuple(k for k, s in flow.steps.items() if s.kind is not StepKind.SUPERVISION)
    initial = flow.start or (states[0] if states else "")
    if not initial:
        raise ValueError(f"flow {flow.code} has no steps to run")
    machine = Machine(model=None, states=list(states), initial=initial, auto_transitions=False,
                      ignore_invalid_triggers=False, send_event=True)
    state_set = set(states)
    out: dict[str, list[Transition]] = {}
    by_edge: dict[tuple[str, str, str], list[int]] = {}
    for i, t in enumerate(flow.transitions):
        if t.from_ not in state_set or t.to not in state_set:
            continue  # edges to or from a supervision step are drawn, not run
        guard = _guard(t.condition, t.actor)
        machine.add_transition(t.event, t.from_, t.to, conditions=[guard] if guard else None)
        out.setdefault(t.from_, []).append(t)
        by_edge.setdefault((t.from_, t.event, t.to), []).append(i)
    ends = frozenset(k for k in states if flow.steps[k].kind is StepKind.END)
    risks_at: dict[str, list[tuple[str, Risk]]] = {}
    risks_on: dict[str, list[tuple[str, Risk]]] = {}
    for rid, risk in flow.risks.items():
        target = risks_at if risk.at in flow.steps else risks_on
        target.setdefault(risk.at, []).append((rid, risk))
    separation_of: dict[str, list[Separation]] = {}
    for sep in flow.separation:
        for sid in dict.fromkeys(sep.steps):
            separation_of.setdefault(sid, []).append(sep)
    def needs(pairs: list[tuple[str, Risk]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return tuple((rid, tuple(c.evidence for c in r.controls if c.evidence is not None))
                     for rid, r in pairs)

    apart = {sid: tuple(dict.fromkeys(o for sep in seps for o in sep.steps if o != sid))
             for sid, seps in separation_of.items()}
    return CompiledFlow(
        evidence_at={k: needs(v) for k, v in risks_at.items()},
        evidence_on={k: needs(v) for k, v in risks_on.items()},
        apart=apart,
        flow=flow, machine=machine, states=states, initial=initial, ends=ends,
        events=frozenset(machine.events), out={k: tuple(v) for k, v in out.items()},
        by_edge={k: tuple(v) for k, v in by_edge.items()},
        risks_at={k: tuple(v) for k, v in risks_at.items()},
        risks_on={k: tuple(v) for k, v in risks_on.items()},
        separation_of={k: tuple(v) for k, v in separation_of.items()},
        calendar=calendar or calendar_from_spec(calendar_spec(flow.defaults.calendar)),
    )
