"""Run one case through a compiled flow, event by event, keeping the audit's bookkeeping.

Takes a `CompiledFlow` and the case's events one at a time (time, event, person, post,
evidence); gives a `CaseRun` that knows the steps visited (with working days used), the risk
points passed (each evidence control evidenced or missing), separation-of-duty breaches and the
events refused by the machine. It is the live part of the audit: the store and the benchmark
drive it directly; `audit.finish` turns it into a `CaseAudit` report. The per-event work is
kept small (plain tuples, no per-control objects) because thousands of live cases run through it.

Rules: an event fired from step S is S's work, done by the event's person; a step visit ends
when the case leaves it (a self-loop ends one visit and starts the next). Evidence controls of a
risk at S must be recorded on an event of that visit; of a risk at an end step, on the event
that reaches it; of a risk at an event (a transition), on that event.

Must not: read files, print, or read the system clock (event times are the clock).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from ..clock import CalendarRangeError
from .compile import CaseModel, CompiledFlow, EventNotAllowed

__all__ = ["Breach", "CaseRun", "ControlCheck", "Rejected", "RiskPass", "Visit"]


class Visit:
    """One stay of the case in one step (built on demand from the run's compact path)."""

    __slots__ = ("days", "entered", "entered_by", "event", "evidence", "left", "left_by",
                 "persons", "step")

    def __init__(self, step: str, entered: dt.datetime, entered_by: int | None,
                 left: dt.datetime | None = None, left_by: int | None = None,
                 event: str | None = None, persons: tuple[str, ...] = (),
                 evidence: tuple[str, ...] = (), days: int = 0) -> None:
        self.step = step
        self.entered = entered
        self.entered_by = entered_by
        self.left = left
        self.left_by = left_by
        self.event = event  # the event that left the step
        self.persons = persons
        self.evidence = evidence
        self.days = days


@dataclass(frozen=True, slots=True)
class ControlCheck:
    name: str
    kind: str  # "evidence"
    ref: str  # the evidence id
    ok: bool


@dataclass(frozen=True, slots=True)
class RiskPass:
    """A risk point the case passed, with what was found for each of its evidence controls."""

    risk: str
    at: str
    event_index: int
    controls: tuple[ControlCheck, ...]

    @property
    def missing(self) -> tuple[ControlCheck, ...]:
        return tuple(c for c in self.controls if not c.ok)


@dataclass(frozen=True, slots=True)
class Breach:
    """The same person on two steps that must be separated."""

    person: str
    steps: tuple[str, str]
    event_index: int
    first_index: int
    reason: str | None


@dataclass(frozen=True, slots=True)
class Rejected:
    event_index: int
    event: str
    error: EventNotAllowed


class CaseRun:
    """The live state of one case: the machine model plus the audit's bookkeeping.

    Closed visits are kept as plain tuples of atoms (which the garbage collector stops
    tracking), so ten thousand live cases add little to every collection."""

    __slots__ = ("breaches", "calendar", "calendar_errors", "compiled", "cur_by", "cur_entered",
                 "cur_evidence", "cur_persons", "done_by", "model", "passed", "path", "rejected",
                 "statutory_only", "year_seen")

    def __init__(self, compiled: CompiledFlow, case_id: str, facts: dict[str, object] | None,
                 opened: dt.datetime) -> None:
        self.compiled = compiled
        self.model: CaseModel = compiled.new_case(case_id, facts)
        # closed visits: (step, entered, entered_by, left, left_by, event, persons, evidence, days)
        self.path: list[tuple[Any, ...]] = []
        self.cur_entered: dt.datetime | None = opened  # None once the case has ended
        self.cur_by: int | None = None
        self.cur_persons: tuple[str, ...] = ()
        self.cur_evidence: tuple[str, ...] = ()
        self.passed: list[tuple[str, int, tuple[str, ...]]] = []  # (risk, event, evidence seen)
        self.breaches: list[Breach] = []
        self.rejected: list[Rejected] = []
        self.done_by: dict[str, dict[str, int]] = {}
        self.calendar_errors: list[tuple[int, CalendarRangeError]] = []
        self.calendar = compiled.calendar
        self.statutory_only: dict[int, int] = {}
        """Years counted on statutory holidays only (no declared 调休), by the first event index
        at which the case needed them."""
        self.year_seen = 0

    @property
    def step(self) -> str:
        return self.model.state

    @property
    def finished(self) -> bool:
        return self.model.state in self.compiled.ends

    @property
    def visits(self) -> list[Visit]:
        """Every visit in order, the open one (if any) last."""
        out = [Visit(*t) for t in self.path]
        if self.cur_entered is not None:
            out.append(Visit(self.model.state, self.cur_entered, self.cur_by, None, None, None,
                             self.cur_persons, self.cur_evidence))
        return out

    def apply(self, index: int, time: dt.datetime, event: str, person: str | None = None,
              post: str | None = None, evidence: tuple[str, ...] = ()) -> EventNotAllowed | None:
        """Fire one event; on refusal record it and return the error (the case does not move)."""
        compiled = self.compiled
        model = self.model
        source = model.state
        try:
            compiled.move(model, event, post)
        except EventNotAllowed as err:
            self.rejected.append(Rejected(index, event, err))
            return err
        dest = model.state
        entered = self.cur_entered
        assert entered is not None  # an ended case refuses every event
        seen = self.cur_evidence + evidence if evidence else self.cur_evidence
        persons = self.cur_persons
        if person:
            persons += (person,)
            if source in compiled.apart:
                self._separation(source, person, index)
        days = self.days(entered, time, index)
        path = self.path
        path.append((source, entered, self.cur_by, time, index, event, persons, seen, days))
        passed = self.passed
        for rid, _needs in compiled.evidence_at.get(source, ()):
            passed.append((rid, index, seen))
        for rid, _needs in compiled.evidence_on.get(event, ()):
            passed.append((rid, index, evidence))
        self.cur_persons = self.cur_evidence = ()
        if dest in compiled.ends:
            path.append((dest, time, index, time, index, None, (), evidence, 0))
            self.cur_entered = self.cur_by = None
            for rid, _needs in compiled.evidence_at.get(dest, ()):
                passed.append((rid, index, evidence))
        else:
            self.cur_entered, self.cur_by = time, index
        return None

    def days(self, start: dt.datetime, end: dt.datetime, index: int) -> int:
        """Working days from `start` to `end`; -1 (and a recorded error) outside the calendar.
        Notes the years counted on statutory holidays only."""
        if end.year != self.year_seen or start.year != end.year:
            self.year_seen = end.year
            for y in self.calendar.statutory_only_years(start.date(), end.date()):
                self.statutory_only.setdefault(y, index)
        try:
            return self.calendar.working_days_between(start, end)
        except CalendarRangeError as err:
            if not self.calendar_errors:
                self.calendar_errors.append((index, err))
            return -1

    def _separation(self, step: str, person: str, index: int) -> None:
        mine = self.done_by.get(step)
        if mine is None:
            self.done_by[step] = {person: index}
        elif person not in mine:
            mine[person] = index
        for other in self.compiled.apart.get(step, ()):
            first = self.done_by.get(other, {}).get(person)
            if first is not None and not any(
                    b.person == person and set(b.steps) == {step, other} for b in self.breaches):
                reason = next((s.reason for s in self.compiled.separation_of[step]
                               if other in s.steps), None)
                self.breaches.append(Breach(person, (other, step), index, first, reason))

    def risk_passes(self) -> list[RiskPass]:
        """The risk points passed, with each evidence control checked."""
        flow = self.compiled.flow
        out = []
        for rid, index, seen in self.passed:
            risk = flow.risks[rid]
            checks = tuple(ControlCheck(c.name, "evidence", c.evidence, c.evidence in seen)
                           for c in risk.controls if c.evidence is not None)
            out.append(RiskPass(rid, risk.at, index, checks))
        return out

    def edges(self) -> list[tuple[str, str, str]]:
        """(from, to, event) of every move, in order."""
        v = self.visits
        return [(a.step, b.step, a.event) for a, b in itertools.pairwise(v)
                if a.event is not None]
