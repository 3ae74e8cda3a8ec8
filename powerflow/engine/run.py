"""Run one case through a compiled flow, event by event, keeping the audit's bookkeeping.

Takes a `CompiledFlow` and the case's events one at a time (time, event, person, post,
evidence); gives a `CaseRun` that knows the steps visited (with working days used), the risk
points passed (each evidence control evidenced or missing), separation-of-duty breaches and the
events refused by the machine. It is the live part of the audit: the store and the benchmark
drive it directly; `audit.audit_case` finishes it into a `CaseAudit` report.

Rules: an event fired from step S is S's work, done by the event's person; a step visit ends
when the case leaves it (a self-loop ends one visit and starts the next). Evidence controls of a
risk at S must be recorded on an event of that visit; of a risk at an end step, on the event
that reaches it; of a risk at an event (a transition), on that event.

Must not: read files, print, or read the system clock (event times are the clock).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..clock import CalendarRangeError, working_days_between
from ..model import Risk
from .compile import CaseModel, CompiledFlow, EventNotAllowed

__all__ = ["Breach", "CaseRun", "ControlCheck", "Rejected", "RiskPass", "Visit"]


@dataclass(slots=True)
class Visit:
    """One stay of the case in one step."""

    step: str
    entered: dt.datetime
    entered_by: int | None
    left: dt.datetime | None = None
    left_by: int | None = None
    persons: list[str] = field(default_factory=list)
    evidence: set[str] = field(default_factory=set)
    days: int = 0


@dataclass(frozen=True, slots=True)
class ControlCheck:
    name: str
    kind: str  # "evidence" or "step"
    ref: str  # the evidence id or the control step
    ok: bool


@dataclass(frozen=True, slots=True)
class RiskPass:
    """A risk point the case passed, with what was found for each of its controls."""

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
    """The live state of one case: the machine model plus the audit's bookkeeping."""

    __slots__ = ("breaches", "calendar_errors", "compiled", "done_by", "edges", "model", "passes",
                 "rejected", "visits")

    def __init__(self, compiled: CompiledFlow, case_id: str, facts: dict[str, object] | None,
                 opened: dt.datetime) -> None:
        self.compiled = compiled
        self.model: CaseModel = compiled.new_case(case_id, facts)
        self.visits: list[Visit] = [Visit(self.model.state, opened, None)]
        self.passes: list[RiskPass] = []
        self.breaches: list[Breach] = []
        self.rejected: list[Rejected] = []
        self.edges: list[tuple[str, str, str]] = []
        self.done_by: dict[str, dict[str, int]] = {}
        self.calendar_errors: list[tuple[int, CalendarRangeError]] = []

    @property
    def step(self) -> str:
        return self.model.state

    @property
    def finished(self) -> bool:
        return self.model.state in self.compiled.ends

    def apply(self, index: int, time: dt.datetime, event: str, person: str | None = None,
              post: str | None = None, evidence: tuple[str, ...] = ()) -> EventNotAllowed | None:
        """Fire one event; on refusal record it and return the error (the case does not move)."""
        source = self.model.state
        try:
            t = self.compiled.fire(self.model, event, post)
        except EventNotAllowed as err:
            self.rejected.append(Rejected(index, event, err))
            return err
        dest = t.to
        visit = self.visits[-1]
        visit.evidence.update(evidence)
        if person:
            visit.persons.append(person)
            self._separation(source, person, index)
        visit.left, visit.left_by = time, index
        visit.days = self.days(visit.entered, time, index)
        self.edges.append((source, dest, event))
        self._risks(source, index, visit.evidence)
        for rid, risk in self.compiled.risks_on.get(event, ()):
            self.passes.append(self._check(rid, risk, index, set(evidence)))
        nxt = Visit(dest, time, index)
        self.visits.append(nxt)
        if dest in self.compiled.ends:
            nxt.left, nxt.left_by = time, index
            self._risks(dest, index, set(evidence))
        return None

    def days(self, start: dt.datetime, end: dt.datetime, index: int) -> int:
        """Working days from `start` to `end`; -1 (and a recorded error) outside the calendar."""
        try:
            return working_days_between(start, end)
        except CalendarRangeError as err:
            if not self.calendar_errors:
                self.calendar_errors.append((index, err))
            return -1

    def _risks(self, step: str, index: int, evidence: set[str]) -> None:
        for rid, risk in self.compiled.risks_at.get(step, ()):
            self.passes.append(self._check(rid, risk, index, evidence))

    def _check(self, rid: str, risk: Risk, index: int, evidence: set[str]) -> RiskPass:
        checks = tuple(
            ControlCheck(c.name, "evidence", c.evidence, c.evidence in evidence)
            for c in risk.controls if c.evidence is not None)
        return RiskPass(rid, risk.at, index, checks)

    def _separation(self, step: str, person: str, index: int) -> None:
        mine = self.done_by.setdefault(step, {})
        mine.setdefault(person, index)
        for sep in self.compiled.separation_of.get(step, ()):
            for other in sep.steps:
                if other == step:
                    continue
                first = self.done_by.get(other, {}).get(person)
                if first is not None and not any(
                        b.person == person and set(b.steps) == {step, other}
                        for b in self.breaches):
                    self.breaches.append(Breach(person, (other, step), index, first, sep.reason))
