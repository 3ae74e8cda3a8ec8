"""One case as a log of one case, for the deviation core.

Takes a flow, a case's events (time, event, person, post, evidence) and its facts; gives a
`CoreRun`: the `AuditResult` of `powerflow.replay.audit.audit` over an `EventLog` holding just
that case (event i of the case is log event i, its line i + 1), so the single-case audit, the
live store and the log audit share one set of rules.

Must not: judge anything itself, read files or the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ..clock import Calendar
from ..deviations import Deviation
from ..logs.eventlog import EventLog
from ..logs.mapping import LogMapping
from ..model import Flow
from ..replay.audit import AuditResult, audit
from ..replay.checks import KINDS
from .case import CaseEvent

__all__ = ["CoreRun", "EventLike", "cases_log", "run_core", "timed_out"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


_MICRO = dt.timedelta(microseconds=1)


def _ns(t: dt.datetime) -> int:
    return (t - _EPOCH) // _MICRO * 1000


class EventLike(Protocol):
    """What the core reads of an event: a `CaseEvent`, a store trail row, a named tuple."""

    @property
    def time(self) -> dt.datetime: ...
    @property
    def event(self) -> str: ...
    @property
    def person(self) -> str | None: ...
    @property
    def post(self) -> str | None: ...
    @property
    def evidence(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class CoreRun:
    result: AuditResult
    events: tuple[CaseEvent, ...]


def _codes(values: Sequence[str | None]) -> tuple[list[str], np.ndarray[Any, Any]]:
    names: dict[str, int] = {}
    out = [names.setdefault(v, len(names)) if v else -1 for v in values]
    return list(names), np.asarray(out, dtype=np.int32)


def _evidence(asked: list[str], evs: Sequence[EventLike]) -> dict[str, np.ndarray[Any, Any]]:
    """Per evidence id a flow control asks for: whether each event records it."""
    row = {k: i for i, k in enumerate(asked)}
    table = np.zeros((len(asked), len(evs)), dtype=np.bool_)
    for j, e in enumerate(evs):
        for k in e.evidence:
            i = row.get(k)
            if i is not None:
                table[i, j] = True
    return {k: table[i] for k, i in row.items()}


def cases_log(flow: Flow, cases: Sequence[tuple[str, Mapping[str, Any], Sequence[EventLike]]]
              ) -> tuple[EventLog, LogMapping]:
    """Cases (id, facts, events) written as one `EventLog` (events of case k follow those of
    case k-1; line = position within its case + 1) and the mapping that reads it."""
    asked = sorted({c.evidence for r in flow.risks.values() for c in r.controls
                    if c.evidence is not None})
    events_of_flow = sorted({t.event for t in flow.transitions})
    evs = [e for _c, _f, events in cases for e in events]
    acts, act = _codes([e.event for e in evs])
    persons, person = _codes([e.person for e in evs])
    posts, post = _codes([e.post for e in evs])
    evidence = _evidence(asked, evs)
    keys = dict.fromkeys(flow.facts)
    for _c, facts, _e in cases:
        keys.update(dict.fromkeys(facts))
    log = EventLog(
        path=cases[0][0] if len(cases) == 1 else "", case_names=[c for c, _f, _e in cases],
        case=np.repeat(np.arange(len(cases), dtype=np.int32), [len(e) for _c, _f, e in cases]),
        activity_names=acts, activity=act,
        time=np.asarray([_ns(e.time) for e in evs], dtype=np.int64),
        person_names=persons, person=person, post_names=posts, post=post,
        line=np.concatenate([np.arange(1, len(e) + 1, dtype=np.int32) for _c, _f, e in cases])
        if evs else np.zeros(0, np.int32), evidence=evidence,
        facts={k: [f.get(k) for _c, f, _e in cases] for k in keys},
        attributes=("case", "event", "time", "person", "post", *asked))
    mapping = LogMapping(activities={e: e for e in events_of_flow},
                         evidence={k: k for k in asked}, lifecycle=None,
                         columns={"case": "case", "activity": "event", "time": "time",
                                  "person": "person", "post": "post", "lifecycle": None})
    return log, mapping


def run_core(flow: Flow, case_id: str, facts: Mapping[str, Any], events: Sequence[CaseEvent],
             *, as_of: dt.datetime, effect: Sequence[bool] | None = None,
             yellow_at: float | None = None, calendar: Calendar | None = None,
             opened: dt.datetime | None = None) -> CoreRun:
    """Audit one case through the core (see the module docstring)."""
    log, mapping = cases_log(flow, [(case_id, facts, events)])
    eff = None if effect is None else np.asarray(effect, dtype=np.bool_)
    res = audit(flow, log, mapping, as_of=_ns(as_of), effect=eff, yellow_at=yellow_at,
                calendar=calendar, opened=None if opened is None else
                np.asarray([_ns(opened)], dtype=np.int64))
    return CoreRun(res, tuple(events))


def timed_out(flow: Flow, cases: Sequence[tuple[str, Mapping[str, Any], Sequence[EventLike]]],
              *, as_of: dt.datetime, effect: Sequence[bool] | None = None,
              yellow_at: float | None = None, calendar: Calendar | None = None,
              opened: Sequence[dt.datetime] | None = None) -> set[int]:
    """Indices of the cases with a time finding (PF504-PF507) as of `as_of`: many live cases
    judged in one pass of the core, as a log."""
    if not cases:
        return set()
    log, mapping = cases_log(flow, cases)
    eff = None if effect is None else np.asarray(effect, dtype=np.bool_)
    res = audit(flow, log, mapping, as_of=_ns(as_of), effect=eff, yellow_at=yellow_at,
                calendar=calendar, opened=None if opened is None else
                np.asarray([_ns(t) for t in opened], dtype=np.int64))
    kinds = [KINDS.index(d) for d in (Deviation.STEP_OVERDUE, Deviation.STEP_NEAR_LIMIT,
                                      Deviation.CASE_OVERDUE, Deviation.CASE_NEAR_LIMIT)]
    f = res.findings
    return set(f.case[np.isin(f.kind, kinds)].tolist())
