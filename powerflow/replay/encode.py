"""Encode a flow and a log once, as integer arrays, for vectorised replay.

Takes a `Flow`, an `EventLog` and its `LogMapping`; gives `EncodedFlow` (step and event ids as
integers, a dense table ``next_state[signature, step, event]`` with -1 for "not allowed", the
resynchronisation target of each event) and `EncodedLog` (events sorted by case, time and file
order, with event codes, -1 for activities the mapping does not know).

Guards: a transition's condition is evaluated with the case's facts when the mapping names a log
attribute for every fact it reads; otherwise the guarded transition is taken as allowed. Each
distinct vector of guard outcomes over the cases is one *signature* with its own table; where
several transitions leave one step on one event, the first in file order whose guard holds
wins, as in a `transitions` machine.

Must not: replay, judge cases, or evaluate anything but the declarative `Condition`s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ..logs.eventlog import EventLog
from ..logs.mapping import LogMapping
from ..model import Flow, StepKind

__all__ = ["EncodedFlow", "EncodedLog", "encode_flow", "encode_log", "guard_signatures"]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class EncodedFlow:
    steps: list[str]
    events: list[str]
    start: int
    is_end: npt.NDArray[np.bool_]
    table: I32
    """next_state[signature, step, event]: target step, or -1 when not allowed."""
    edge: I32
    """edge[signature, step, event]: index into `flow.transitions` of the transition taken."""
    resync: I32
    """Per event: its target when every transition on that event has the same target, else -1."""
    source: I32
    """Per event: its source step when every transition on that event leaves one step, else -1."""
    guarded: tuple[int, ...]
    signatures: npt.NDArray[np.bool_]
    """signatures[s, g]: outcome of guarded transition `guarded[g]` under signature s."""
    actors: tuple[str, ...] = ()
    """The flow's actor ids (codes of `edge_actor` and of the log's posts)."""
    edge_actor: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    """Per transition: the actor who must post its event (code into `actors`), or -1."""
    credit: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))
    """Per transition: its event completes the step it leaves (no other actor declared)."""

    def step_id(self, step: str) -> int:
        return self.steps.index(step)


def _table(flow: Flow, steps: dict[str, int], events: dict[str, int],
           outcome: dict[int, bool]) -> tuple[I32, I32]:
    nxt = np.full((len(steps), len(events)), -1, dtype=np.int32)
    edge = np.full((len(steps), len(events)), -1, dtype=np.int32)
    for i, t in enumerate(flow.transitions):
        if not outcome.get(i, True):
            continue
        s, e = steps[t.from_], events[t.event]
        if nxt[s, e] < 0:
            nxt[s, e] = steps[t.to]
            edge[s, e] = i
    # An end step may repeat the event that reached it (a second payment, a re-sent notice):
    # the case stays, no deviation; such a repeat is no transition of the flow (edge -2).
    for t in flow.transitions:
        if flow.steps[t.to].kind is StepKind.END:
            s, e = steps[t.to], events[t.event]
            if nxt[s, e] < 0:
                nxt[s, e] = s
                edge[s, e] = -2
    return nxt, edge


def guard_signatures(flow: Flow, facts: dict[str, list[Any]], n_cases: int
                     ) -> tuple[tuple[int, ...], npt.NDArray[np.bool_], I32]:
    """(guarded transition indices, unique signatures, signature index per case)."""
    guarded = tuple(i for i, t in enumerate(flow.transitions) if t.condition is not None)
    if not guarded:
        return guarded, np.ones((1, 0), dtype=np.bool_), np.zeros(n_cases, dtype=np.int32)
    out = np.ones((n_cases, len(guarded)), dtype=np.bool_)
    for g, i in enumerate(guarded):
        cond = flow.transitions[i].condition
        assert cond is not None
        needed = cond.facts()
        if not needed <= set(facts):
            continue  # the log does not carry the facts: the guarded transition is allowed
        cols = {f: facts[f] for f in needed}
        for c in range(n_cases):
            row = {f: v[c] for f, v in cols.items() if v[c] is not None}
            out[c, g] = cond.evaluate(row)
    sigs, inv = np.unique(out, axis=0, return_inverse=True)
    return guarded, sigs, inv.reshape(-1).astype(np.int32)


def encode_flow(flow: Flow, signatures: npt.NDArray[np.bool_] | None = None,
                guarded: tuple[int, ...] = ()) -> EncodedFlow:
    """The flow's integer tables, one per guard signature (one table when unguarded)."""
    steps = list(flow.steps)
    sidx = {s: i for i, s in enumerate(steps)}
    events = sorted({t.event for t in flow.transitions})
    eidx = {e: i for i, e in enumerate(events)}
    if signatures is None:
        signatures = np.ones((1, len(guarded)), dtype=np.bool_)
    tables, edges = [], []
    for sig in signatures:
        nxt, edge = _table(flow, sidx, eidx, {g: bool(sig[k]) for k, g in enumerate(guarded)})
        tables.append(nxt)
        edges.append(edge)
    resync = np.full(len(events), -1, dtype=np.int32)
    source = np.full(len(events), -1, dtype=np.int32)
    for e, ei in eidx.items():
        targets = {t.to for t in flow.transitions if t.event == e}
        sources = {t.from_ for t in flow.transitions if t.event == e}
        if len(targets) == 1:
            resync[ei] = sidx[targets.pop()]
        if len(sources) == 1:
            source[ei] = sidx[sources.pop()]
    start = flow.start or steps[0]
    is_end = np.array([flow.steps[s].kind is StepKind.END for s in steps], dtype=np.bool_)
    actors = tuple(flow.actors)
    aidx = {a: i for i, a in enumerate(actors)}
    edge_actor = np.array([aidx.get(t.actor, -1) if t.actor else -1 for t in flow.transitions],
                          dtype=np.int32)
    credit = np.array([t.actor is None or t.actor == flow.steps[t.from_].actor
                       for t in flow.transitions], dtype=np.bool_)
    return EncodedFlow(steps, events, sidx[start], is_end,
                       np.stack(tables).astype(np.int32), np.stack(edges).astype(np.int32),
                       resync, source, guarded, signatures, actors, edge_actor, credit)


@dataclass(frozen=True)
class EncodedLog:
    order: I64
    """Sorted position → index of the event in the `EventLog`."""
    case: I32
    event: I32
    time: I64
    person: I32
    pos: I32
    """Position of each event within its case (0 for the first)."""
    starts: I64
    """starts[c]..starts[c+1] are case c's events in sorted order."""
    n_cases: int
    post_actor: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    """Per sorted event: the flow actor its post names (code into `EncodedFlow.actors`), -1
    when the post is missing or names no actor of the flow."""
    effect: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))
    """Per sorted event: it took effect (False for attempts a live store refused)."""


def encode_log(log: EventLog, mapping: LogMapping, flow: EncodedFlow,
               effect: npt.NDArray[np.bool_] | None = None) -> EncodedLog:
    """Sort the events by case, time and file order, and code activities as flow events.
    `effect` (per log event) marks attempts that took no effect (a live store's refusals)."""
    n = log.n_events
    eidx = {e: i for i, e in enumerate(flow.events)}
    act_to_event = np.array([eidx.get(mapping.event_of(a) or "", -1)
                             for a in log.activity_names] or [-1], dtype=np.int32)
    aidx = {a: i for i, a in enumerate(flow.actors)}
    post_to_actor = np.array([aidx.get(p, -1) for p in log.post_names] + [-1], dtype=np.int32)
    case, time = log.case, log.time
    sorted_already = n < 2 or bool(np.all(
        (case[1:] > case[:-1]) | ((case[1:] == case[:-1]) & (time[1:] >= time[:-1]))))
    if sorted_already:
        order = np.arange(n, dtype=np.int64)
    else:
        order = np.lexsort((np.arange(n), time, case)).astype(np.int64)
    c = case[order]
    counts = np.bincount(c, minlength=log.n_cases) if n else np.zeros(log.n_cases, np.int64)
    starts = np.zeros(log.n_cases + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    pos = (np.arange(n, dtype=np.int64) - starts[c]).astype(np.int32)
    eff = np.ones(n, np.bool_) if effect is None else effect[order]
    return EncodedLog(order, c, act_to_event[log.activity[order]] if n else log.activity,
                      time[order], log.person[order], pos, starts, log.n_cases,
                      post_to_actor[log.post[order]] if n else np.zeros(0, np.int32), eff)
