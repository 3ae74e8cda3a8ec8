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
from ..deviations import Deviation, Unchecked
from ..logs.eventlog import EventLog
from ..logs.mapping import LogMapping, calendar_for
from ..model import Flow
from ..overlay import Overlay
from .arrays import count_distinct, distinct, run_starts
from .checks import KINDS, CoreOptions, Findings, check
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

    @property
    def unchecked(self) -> list[Unchecked]:
        """What could not be checked, or only partly (reason and count): every report shows it."""
        return self.findings.unchecked

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
        real = edge >= 0  # -2: an end step repeating the event that reached it
        key = distinct(edge[real] * max(el.n_cases, 1) + el.case[m][real])
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


def audit(flow: Flow, log: EventLog, mapping: LogMapping, progress: bool = False, *,
          as_of: int | None = None, effect: npt.NDArray[np.bool_] | None = None,
          yellow_at: float | None = None, calendar: Calendar | None = None,
          opened: npt.NDArray[np.int64] | None = None) -> AuditResult:
    """Encode, replay and check a whole log (`powerflow.replay.checks` holds the rules).

    `as_of` (ns since the epoch, UTC) measures the open step of unfinished cases (default: each
    case's last event); `effect` marks per log event the attempts that took no effect (a live
    store's refusals); `calendar` counts working days;
    `opened` (per case, ns) is when each case entered its start step (default: its first
    event). The calendar defaults to the mapping's, else the flow's catalogue's
    (`calendar_for`)."""
    cal = calendar if calendar is not None else calendar_for(mapping, flow)
    guarded, sigs, sig_of_case = guard_signatures(flow, log.facts, log.n_cases)
    fe = encode_flow(flow, sigs, guarded)
    el = encode_log(log, mapping, fe, effect)
    rp = replay(fe, el, sig_of_case, progress=progress)
    opts = CoreOptions(as_of, yellow_at or mapping.yellow_at or flow.defaults.yellow_at,
                       mapping.timezone, cal, opened)
    findings = check(flow, fe, log, el, rp, opts, sig_of_case, dict(mapping.evidence))
    findings.unchecked[:0] = coverage(flow, log, mapping, el)
    findings.notes = [(u.en, u.zh) for u in findings.unchecked]
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


def unseen_mapping_keys(log: EventLog, mapping: LogMapping) -> list[str]:
    """The mapping's activity keys (names or wildcards) that match no activity of the log."""
    seen = set(log.activity_names)
    return [k for k in mapping.activities if k not in seen
            and not any(mapping.matches(k, a) for a in seen)]


def unseen_note(unseen: list[str]) -> Unchecked:
    """The not-checked entry for mapping keys never seen in the log."""
    return Unchecked("mapping-keys-unseen", len(unseen), "mapping keys",
                     f"mapping keys never seen in the log: {', '.join(map(repr, unseen[:20]))}",
                     f"映射中的活动在日志中从未出现：{'、'.join(map(repr, unseen[:20]))}")


def coverage(flow: Flow, log: EventLog, mapping: LogMapping, el: EncodedLog) -> list[Unchecked]:
    """What the log and mapping leave unchecked: missing person/post columns, unknown
    activities (with counts), mapping keys never seen, dropped and ignored events, guards
    without facts, and the readers' own records (`EventLog.diagnostics`, by code)."""
    c = _Coverage(flow, log, mapping)
    c.columns()
    c.activities(el)
    c.dropped()
    return c.out


class _Coverage:
    def __init__(self, flow: Flow, log: EventLog, mapping: LogMapping) -> None:
        self.flow, self.log, self.mapping = flow, log, mapping
        self.out: list[Unchecked] = []

    def add(self, key: str, count: int, unit: str, en: str, zh: str) -> None:
        if count:
            self.out.append(Unchecked(key, int(count), unit, en, zh))

    def columns(self) -> None:
        flow, log, cols = self.flow, self.log, self.mapping.columns
        attrs = set(log.attributes)
        n = log.n_events
        no_person = int((log.person < 0).sum()) if n else 0
        if flow.separation and cols.person and attrs and cols.person not in attrs:
            # (events without a person in a column that exists are counted per group)
            self.add("person-missing", no_person, "events",
                     f"the log has no column {cols.person!r}: separation of duties (PF503) not "
                     "checked for these events",
                     f"日志中没有列 {cols.person!r}：这些事件未检查职责分离（PF503）")
        if any(t.actor for t in flow.transitions) and cols.post and attrs and \
                cols.post not in attrs:
            self.add("post-missing", n, "events",
                     f"the log has no column {cols.post!r}: who acted for which post not checked",
                     f"日志中没有列 {cols.post!r}：未检查办理岗位")
        guarded = [t for t in flow.transitions if t.condition is not None
                   and not t.condition.facts() <= set(log.facts)]
        if guarded:
            self.add("guard-facts-missing", log.n_cases, "cases",
                     f"{len(guarded)} transition condition(s) read facts the log does not carry; "
                     "they were taken as met",
                     f"{len(guarded)} 个流转条件所需的事实日志中没有，按满足处理")

    def activities(self, el: EncodedLog) -> None:
        log, mapping = self.log, self.mapping
        unknown = el.event < 0
        if unknown.any():
            acts, cnt = np.unique(log.activity[el.order[unknown]], return_counts=True)
            listed = sorted(zip(cnt.tolist(), [log.activity_names[a] for a in acts.tolist()],
                                strict=True), reverse=True)
            names = "; ".join(f"{a!r} ×{c}" for c, a in listed[:20]) + (
                f"; … {len(listed) - 20} more" if len(listed) > 20 else "")
            self.add("unknown-activities", int(unknown.sum()), "events",
                     f"activities the mapping does not know (PF508), not replayed: {names}",
                     f"映射中没有的活动（PF508），未参与回放：{names}")
        unseen = unseen_mapping_keys(log, mapping)
        if log.n_events and unseen and mapping.activities != {e: e for e in mapping.activities}:
            self.out.append(unseen_note(unseen))

    def dropped(self) -> None:
        log, mapping = self.log, self.mapping
        self.add("lifecycle-dropped", log.other_lifecycle, "events",
                 f"events whose lifecycle is not {mapping.lifecycle!r} were dropped",
                 f"生命周期不是 {mapping.lifecycle!r} 的事件已丢弃")
        self.add("ignored", log.ignored, "events",
                 "events of activities under `ignore` were dropped", "映射 ignore 中的活动事件已丢弃")
        by_code: dict[str, int] = {}
        for d in log.diagnostics:
            by_code[d.code] = by_code.get(d.code, 0) + 1
        for code, c in sorted(by_code.items()):
            self.add(f"reader:{code}", c, "records", f"{code}: the log reader dropped or "
                     "misread data (see the diagnostics)",
                     f"{code}：读取日志时有数据被丢弃或误读（见诊断信息）")
