"""Audit a whole event log against one flow: encode, replay, check, summarise.

Takes a `Flow`, an `EventLog` and its `LogMapping`; gives an `AuditResult`: per case the final
step, events, accepted events, fitness, whether it fits and its first deviation; the findings
(see `powerflow.replay.checks`); counts by kind; time per step; traffic per transition; and an
`Overlay` for the chart renderer.

Fitness of a case is the share of its events (mapped and unknown, ignored ones excluded) that
the flow allowed where they came. A case *fits* when every event was known and allowed and the
case ended in an end step (the same verdict as token replay on the exported Petri net).

Must not: read files, print or render.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..clock import Calendar
from ..deviations import Deviation
from ..logs.eventlog import EventLog
from ..logs.mapping import LogMapping, calendar_for
from ..model import Flow
from ..overlay import Overlay
from .arrays import count_distinct, distinct, run_starts
from .checks import KINDS, Findings, check
from .encode import EncodedFlow, EncodedLog, encode_flow, encode_log, guard_signatures
from .engine import Replayed, replay

__all__ = ["AuditResult", "audit"]

_CONFORMANCE = {KINDS.index(Deviation.EVENT_NOT_ALLOWED), KINDS.index(Deviation.UNKNOWN_ACTIVITY)}


@dataclass
class AuditResult:
    flow: Flow
    log: EventLog
    encoded_flow: EncodedFlow
    encoded_log: EncodedLog
    replayed: Replayed
    findings: Findings
    events: npt.NDArray[np.int64]
    accepted: npt.NDArray[np.int64]
    fitness: npt.NDArray[np.float64]
    fits: npt.NDArray[np.bool_]
    first_event: npt.NDArray[np.int64]
    """Per case: log index of its first PF501/PF508 event, -1 when none."""
    first_kind: npt.NDArray[np.int16]
    signature: npt.NDArray[np.int32]
    """Per case: index of its guard signature (the table it was replayed with)."""
    calendar: Calendar | None = None
    """The working-day calendar the log was counted on."""

    @property
    def n_cases(self) -> int:
        return self.log.n_cases

    def counts(self) -> dict[Deviation, tuple[int, int]]:
        """Per kind: (findings, distinct cases)."""
        out: dict[Deviation, tuple[int, int]] = {}
        k, c = self.findings.kind, self.findings.case
        for i, d in enumerate(KINDS):
            m = k == i
            out[d] = (int(m.sum()), count_distinct(c[m]))
        return out

    def cases_with(self, kind: Deviation) -> list[str]:
        m = self.findings.kind == KINDS.index(kind)
        return [self.log.case_names[i] for i in distinct(self.findings.case[m]).tolist()]

    @property
    def deviating_cases(self) -> int:
        return count_distinct(self.findings.case)

    def step_times(self) -> list[tuple[str, int, float, float, float]]:
        """(step, times completed, mean, median, max working days) for measured steps."""
        rows = []
        for s, sid in enumerate(self.encoded_flow.steps):
            d = self.findings.days[(self.findings.done == s) & ~np.isnan(self.findings.days)]
            if d.size:
                rows.append((sid, int(d.size), float(d.mean()), float(np.median(d)),
                             float(d.max())))
        return rows

    def edge_cases(self) -> dict[int, int]:
        """Transition index → number of distinct cases that took it."""
        rp, el, fe = self.replayed, self.encoded_log, self.encoded_flow
        m = rp.allowed
        if not m.any():
            return {}
        sig = self.signature[el.case[m]]
        edge = fe.edge[sig, rp.before[m], el.event[m]].astype(np.int64)
        key = distinct(edge * max(el.n_cases, 1) + el.case[m])
        cnt = np.bincount(key // max(el.n_cases, 1), minlength=len(self.flow.transitions))
        return {i: int(c) for i, c in enumerate(cnt.tolist()) if c}

    def deviation_edges(self) -> dict[tuple[str, str, str], int]:
        """(step, step after resynchronising, event) → cases, for events not allowed."""
        rp, el, fe = self.replayed, self.encoded_log, self.encoded_flow
        m = (el.event >= 0) & ~rp.allowed
        out: dict[tuple[str, str, str], int] = {}
        if not m.any():
            return out
        trip = np.stack([rp.before[m], rp.after[m], el.event[m], el.case[m]]).astype(np.int64)
        u = np.unique(trip, axis=1)
        keys, cnt = np.unique(u[:3], axis=1, return_counts=True)
        for (a, b, e), c in zip(keys.T.tolist(), cnt.tolist(), strict=True):
            out[(fe.steps[a], fe.steps[b], fe.events[e])] = int(c)
        return out

    def overlay(self, max_extra: int = 8) -> Overlay:
        """Traffic and findings to draw over the flow's chart: cases per transition, the most
        frequent deviation paths in red, overdue steps red/yellow, missing controls per risk."""
        f, flow = self.findings, self.flow
        counts = {(t.from_, t.to, t.event): 0 for t in flow.transitions}
        for i, n in self.edge_cases().items():
            t = flow.transitions[i]
            counts[(t.from_, t.to, t.event)] = n
        dev = self.deviation_edges()
        # Draw the deviation paths that matter (at least 1 % of the cases, at most 8): a
        # chart with every stray edge of a real log is unreadable; the tables list them all.
        floor = max(1, int(0.01 * self.n_cases))
        ranked = sorted(((n, k) for k, n in dev.items() if k not in counts), reverse=True)
        extra = tuple(k for n, k in ranked[:max_extra] if n >= floor)
        hidden = len(ranked) - len(extra)
        colors = {k: "bad" for k in extra}
        for k in extra:
            counts[k] = dev[k]
        step_colors: dict[str, str] = {}
        step_notes: dict[str, str] = {}
        red, yel = KINDS.index(Deviation.STEP_OVERDUE), KINDS.index(Deviation.STEP_NEAR_LIMIT)
        for s, sid in enumerate(self.encoded_flow.steps):
            nr = count_distinct(f.case[(f.kind == red) & (f.step == s)])
            ny = count_distinct(f.case[(f.kind == yel) & (f.step == s)])
            if nr:
                step_colors[sid] = "bad"
            elif ny:
                step_colors[sid] = "warn"
            if nr or ny:
                step_notes[sid] = f"超时 {nr} 件 / 临近 {ny} 件 (overdue {nr}, near {ny})"
        risk_notes: dict[str, str] = {}
        ev_k, sk_k = (KINDS.index(Deviation.CONTROL_EVIDENCE_MISSING),
                      KINDS.index(Deviation.CONTROL_STEP_SKIPPED))
        for r, rid in enumerate(flow.risks):
            m = ((f.kind == ev_k) | (f.kind == sk_k)) & (f.value == r)
            n = count_distinct(f.case[m])
            if n:
                risk_notes[rid] = f"防控措施缺失 {n} 件 (controls missing in {n} cases)"
        return Overlay(edge_counts=counts, edge_colors=colors, extra_edges=extra,
                       step_colors=step_colors, step_notes=step_notes, risk_notes=risk_notes,
                       caption=(f"{self.n_cases} cases, {int(self.fits.sum())} fitting"
                                + (f"; {hidden} rarer deviation paths not drawn" if hidden
                                   else "")))


def audit(flow: Flow, log: EventLog, mapping: LogMapping, progress: bool = False,
          calendar: Calendar | None = None) -> AuditResult:
    """Encode, replay and check a whole log, counting working days on `calendar` (by default
    the one the mapping declares, else the flow's catalogue: `calendar_for`)."""
    cal = calendar if calendar is not None else calendar_for(mapping, flow)
    guarded, sigs, sig_of_case = guard_signatures(flow, log.facts, log.n_cases)
    fe = encode_flow(flow, sigs, guarded)
    el = encode_log(log, mapping, fe)
    rp = replay(fe, el, sig_of_case, progress=progress)
    findings = check(flow, fe, log, el, rp, mapping, cal)
    n_cases = log.n_cases
    events = np.bincount(el.case, minlength=n_cases).astype(np.int64)
    accepted = np.bincount(el.case[rp.allowed], minlength=n_cases).astype(np.int64)
    fitness = np.where(events > 0, accepted / np.maximum(events, 1), 1.0)
    conf = (el.event < 0) | ~rp.allowed
    first_event = np.full(n_cases, -1, np.int64)
    first_kind = np.full(n_cases, -1, np.int16)
    if conf.any():
        idx = np.flatnonzero(conf)
        first = run_starts(el.case[idx])  # events are grouped by case
        cases = el.case[idx[first]]
        first_event[cases] = el.order[idx[first]]
        first_kind[cases] = np.where(el.event[idx[first]] < 0,
                                     KINDS.index(Deviation.UNKNOWN_ACTIVITY),
                                     KINDS.index(Deviation.EVENT_NOT_ALLOWED))
    fits = (first_event < 0) & fe.is_end[rp.final]
    return AuditResult(flow, log, fe, el, rp, findings, events, accepted, fitness, fits,
                       first_event, first_kind, sig_of_case, cal)
