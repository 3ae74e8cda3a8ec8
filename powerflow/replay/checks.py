"""Case checks over a replayed log: conformance, controls, separation of duties, time.

Takes the flow, its encoding, the log and its encoding, the replay output and the mapping;
gives `Findings`: one row per deviation (kind, case, event, step, value) as NumPy arrays, the
per-event working days spent in the step the event completed, and notes about what could not
be checked. Every check is array code over all cases at once.

Rules (the PF5xx kinds of `powerflow.deviations`):

* PF501 an event the current step does not allow; PF508 an activity the mapping does not know;
  PF509 a case whose final step is not an end step.
* The step an event *completed*: the step the case was in when the event was allowed, or, for a
  deviating event, the one step that event leaves in the flow (if it leaves only one).
* PF502 a risk step completed by an event that lacks an evidence attribute a control asks for.
* PF503 one person completed two different steps of a `separation` group in one case.
* PF504/PF505 a step completed after more (red) or at least `yellow_at` (yellow) of its
  working-day limit; the time in a step runs from the event that moved the case into it (an
  allowed or resynchronised event; the first event for the start step) to the event that
  completed it, in working days between the local dates (mapping `timezone`) of the two
  events, on the working-day `Calendar` passed in (the mapping's, else the catalogue's).
* PF506/PF507 the case over (or near) its promised limit (else the statutory one): working days
  from its first to its last event, less the days spent in steps whose clock is paused or
  excluded. An unfinished case is measured up to its last event.
* PF511 once per case at its first event outside the calendar's years; PF531 once per case at
  its first event in a year counted without a declared arrangement (statutory holidays only).
* PF510 a case that reached a favourable end after passing a risk step but not one of the
  risk's control steps.

Must not: print, build Diagnostic objects per event (reports do that for what they show).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ..clock import Calendar
from ..deviations import Deviation
from ..logs.eventlog import EventLog
from ..logs.mapping import LogMapping
from ..logs.timezones import local_days
from ..model import Clock, Flow, limit_days
from .arrays import distinct, distinct_counts, run_starts
from .encode import EncodedFlow, EncodedLog
from .engine import Replayed

__all__ = ["KINDS", "Findings", "check"]

KINDS: list[Deviation] = list(Deviation)
K = {d: i for i, d in enumerate(KINDS)}
F64 = npt.NDArray[np.float64]


@dataclass
class Findings:
    kind: npt.NDArray[np.int16]
    case: npt.NDArray[np.int32]
    event: npt.NDArray[np.int64]
    """Index of the event in the `EventLog` (file order), -1 for case-level findings."""
    step: npt.NDArray[np.int32]
    value: F64
    done: npt.NDArray[np.int32]
    """Per sorted event: the step it completed, -1 when none."""
    days: F64
    """Per sorted event: working days spent in the completed step (NaN: not measurable)."""
    case_days: F64
    notes: list[tuple[str, str]] = field(default_factory=list)


class _Rows:
    def __init__(self) -> None:
        self.parts: list[tuple[int, npt.NDArray[np.int32], npt.NDArray[np.int64],
                               npt.NDArray[np.int32], F64]] = []

    def add(self, kind: Deviation, case: npt.NDArray[np.int32], event: npt.NDArray[np.int64],
            step: npt.NDArray[np.int32] | int, value: F64 | float = np.nan) -> None:
        n = case.shape[0]
        if not n:
            return
        st = np.broadcast_to(np.asarray(step, dtype=np.int32), (n,)).copy()
        va = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)).copy()
        self.parts.append((K[kind], case.astype(np.int32), event.astype(np.int64), st, va))


_EPOCH = dt.date(1970, 1, 1)


def _working_day_index(days: npt.NDArray[np.int64], cal: Calendar
                       ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Cumulative working-day count at each local date (days since 1970-01-01), and whether
    the calendar covers it; one `Calendar.workday_cumsum` over the dates the log spans."""
    first, last = cal.span
    lo_ok = (dt.date(first, 1, 1) - _EPOCH).days
    hi_ok = (dt.date(last, 12, 31) - _EPOCH).days
    covered = (days >= lo_ok) & (days <= hi_ok)
    if not covered.any():
        return np.zeros(days.shape, np.int64), covered
    lo, hi = int(days[covered].min()), int(days[covered].max())
    cum = cal.workday_cumsum(_EPOCH + dt.timedelta(days=lo), _EPOCH + dt.timedelta(days=hi))
    return cum[np.clip(days - lo, 0, hi - lo)], covered


def _years(days: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _statutory_only(rows: _Rows, notes: list[tuple[str, str]], cal: Calendar,
                    ldays: npt.NDArray[np.int64], covered: npt.NDArray[np.bool_],
                    el: EncodedLog, done: npt.NDArray[np.int32]) -> None:
    """PF531 once per case at its first event in a year without a declared arrangement."""
    years = _years(ldays)
    flagged = [y for y in np.unique(years[covered]).tolist() if cal.is_statutory_only(y)]
    if not flagged:
        return
    hit = covered & np.isin(years, flagged)
    what_en = ("statutory holidays only (no declared 调休)" if cal.name == "cn"
               else "weekdays only (no declared holidays)")
    what_zh = "仅按法定节假日（未声明调休）" if cal.name == "cn" else "仅按周一至周五（未声明节假日）"
    notes.append((f"{int(hit.sum())} events fall in {', '.join(map(str, flagged))}, whose "
                  f"working days were counted on {what_en}; calendar: {cal.label}",
                  f"{int(hit.sum())} 个事件在 {'、'.join(map(str, flagged))} 年，其工作日"
                  f"{what_zh}计算；工作日历：{cal.label}"))
    idx = np.flatnonzero(hit)
    first = idx[np.r_[True, el.case[idx][1:] != el.case[idx][:-1]]]
    rows.add(Deviation.YEAR_NOT_DECLARED, el.case[first], el.order[first], done[first],
             years[first].astype(np.float64))


def check(flow: Flow, fe: EncodedFlow, log: EventLog, el: EncodedLog, rp: Replayed,
          mapping: LogMapping, calendar: Calendar) -> Findings:
    rows = _Rows()
    n = el.case.shape[0]
    orig = el.order
    known = el.event >= 0
    # --- conformance -------------------------------------------------------------------
    bad = known & ~rp.allowed
    rows.add(Deviation.EVENT_NOT_ALLOWED, el.case[bad], orig[bad], rp.before[bad])
    unk = ~known
    rows.add(Deviation.UNKNOWN_ACTIVITY, el.case[unk], orig[unk], rp.before[unk])
    open_cases = np.flatnonzero(~fe.is_end[rp.final]).astype(np.int32)
    rows.add(Deviation.CASE_UNFINISHED, open_cases, np.full(open_cases.shape, -1, np.int64),
             rp.final[open_cases])
    done = np.where(rp.allowed, rp.before,
                    np.where(known, fe.source[np.maximum(el.event, 0)], -1)).astype(np.int32)
    # --- evidence at risk steps --------------------------------------------------------
    notes: list[tuple[str, str]] = []
    for rid, risk in flow.risks.items():
        if risk.at not in flow.steps:
            continue
        at = fe.step_id(risk.at)
        here = done == at
        for ctl in risk.controls:
            if ctl.evidence is None:
                continue
            col = log.evidence.get(ctl.evidence)
            if col is None:
                notes.append((f"{rid}: evidence {ctl.evidence!r} is not mapped to a log "
                               "attribute, so it was not checked",
                               f"{rid}：留痕 {ctl.evidence!r} 未映射到日志属性，未检查"))
                continue
            miss = here & ~col[orig]
            rows.add(Deviation.CONTROL_EVIDENCE_MISSING, el.case[miss], orig[miss], at,
                     float(list(flow.risks).index(rid)))
    # --- separation of duties ----------------------------------------------------------
    for gi, sep in enumerate(flow.separation):
        ids = [fe.step_id(s) for s in sep.steps if s in flow.steps]
        m = np.isin(done, ids) & (el.person >= 0)
        if not m.any():
            continue
        idx = np.flatnonzero(m)
        key = el.case[idx].astype(np.int64) * (len(log.person_names) + 1) + el.person[idx]
        width = len(fe.steps) + 1
        pairs = distinct(key * width + done[idx]) // width
        k, cnt = distinct_counts(pairs)
        breach = k[cnt >= 2]
        if breach.size:
            hit = idx[np.isin(key, breach)]
            # one finding per (case, person): the last event of that person in the group
            hkey = key[np.isin(key, breach)]
            # hit is in sorted-event order, so grouped by case: the last of each key
            order = np.argsort(hkey, kind="stable")
            ends = np.r_[run_starts(hkey[order])[1:], order.shape[0]] - 1
            ev = hit[order[ends]]
            rows.add(Deviation.SEPARATION_BREACH, el.case[ev], orig[ev], done[ev], float(gi))
    # --- time --------------------------------------------------------------------------
    ldays = local_days(el.time, mapping.timezone)
    cum, covered = _working_day_index(ldays, calendar)
    _statutory_only(rows, notes, calendar, ldays, covered, el, done)
    # The step an event completes was entered by the case's last event that moved it (an
    # allowed event or a resynchronised one), or at the case's first event (the start step).
    moved = known & (rp.allowed | (fe.resync[np.maximum(el.event, 0)] >= 0))
    case_first = el.starts[:-1][el.case] if n else np.zeros(0, np.int64)
    last_move = np.maximum.accumulate(np.where(moved, np.arange(n), -1)) if n else case_first
    entered = np.empty(n, dtype=np.int64)
    if n:
        entered[0] = 0
        entered[1:] = np.maximum(last_move[:-1], case_first[1:])
    used = np.full(n, np.nan)
    both = covered & covered[entered]
    used[both] = np.maximum(cum[both] - cum[entered[both]], 0)
    if (~covered).any():
        notes.append((f"{int((~covered).sum())} events fall outside the working-day calendar "
                      f"({calendar.label}: {calendar.span[0]}-{calendar.span[1]}); their time "
                      "limits were not checked",
                      f"{int((~covered).sum())} 个事件超出工作日历覆盖范围"
                      f"（{calendar.label}：{calendar.span[0]}-{calendar.span[1]}年），未检查其时限"))
        # Said, not guessed: one PF511 per case, at its first event outside the calendar,
        # as the single-case audit does.
        out = np.flatnonzero(~covered)
        first = out[np.r_[True, el.case[out][1:] != el.case[out][:-1]]]
        rows.add(Deviation.TIME_OUTSIDE_CALENDAR, el.case[first], orig[first], done[first])
    yellow = mapping.yellow_at or flow.defaults.yellow_at
    step_days = np.where(done >= 0, used, np.nan)
    for sid, step in flow.steps.items():
        if step.limit is None:
            continue
        lim = float(limit_days(step.limit))
        s = fe.step_id(sid)
        m = (done == s) & ~np.isnan(step_days)
        red = m & (step_days > lim)
        yel = m & ~red & (step_days >= yellow * lim) & (lim > 0)
        rows.add(Deviation.STEP_OVERDUE, el.case[red], orig[red], s, step_days[red])
        rows.add(Deviation.STEP_NEAR_LIMIT, el.case[yel], orig[yel], s, step_days[yel])
    not_counted = np.array([flow.steps[s].clock is not Clock.COUNTS for s in fe.steps],
                           dtype=np.bool_)
    paused = np.where((done >= 0) & ~np.isnan(step_days), step_days, 0.0)
    paused = np.where(not_counted[np.maximum(done, 0)] & (done >= 0), paused, 0.0)
    nonempty = el.starts[1:] > el.starts[:-1]
    case_days = np.full(el.n_cases, np.nan)
    f_i = el.starts[:-1][nonempty]
    l_i = el.starts[1:][nonempty] - 1
    ok_t = covered[f_i] & covered[l_i]
    span = np.where(ok_t, cum[l_i] - cum[f_i], np.nan).astype(np.float64)
    pz = np.add.reduceat(paused, el.starts[:-1][nonempty]) if n else np.zeros(0)
    case_days[nonempty] = span - pz
    limit = flow.info.limits.promised if flow.info.limits.promised is not None \
        else flow.info.limits.statutory
    if limit is not None:
        lim = float(limit_days(limit))
        cd = np.nan_to_num(case_days, nan=-1.0)
        red_c = np.flatnonzero(cd > lim).astype(np.int32)
        yel_c = np.flatnonzero((cd <= lim) & (cd >= yellow * lim) & (lim > 0)).astype(np.int32)
        rows.add(Deviation.CASE_OVERDUE, red_c, np.full(red_c.shape, -1, np.int64), -1,
                 case_days[red_c])
        rows.add(Deviation.CASE_NEAR_LIMIT, yel_c, np.full(yel_c.shape, -1, np.int64), -1,
                 case_days[yel_c])
    # --- control steps skipped on the way to a favourable end --------------------------
    step_ctl = [(rid, r, c) for rid, r in flow.risks.items() for c in r.controls
                if c.step is not None and r.at in flow.steps and c.step in flow.steps]
    if step_ctl:
        visited = np.zeros((el.n_cases, len(fe.steps)), dtype=np.bool_)
        visited[:, fe.start] = True
        visited[el.case[rp.allowed], rp.after[rp.allowed]] = True
        outcomes = [flow.steps[s].outcome for s in fe.steps]
        fav = np.array([o is not None and o.favourable for o in outcomes], dtype=np.bool_)
        ended_fav = fav[rp.final]
        for rid, r, c in step_ctl:
            at, cs = fe.step_id(r.at), fe.step_id(c.step or "")
            skip = np.flatnonzero(ended_fav & visited[:, at] & ~visited[:, cs]).astype(np.int32)
            rows.add(Deviation.CONTROL_STEP_SKIPPED, skip, np.full(skip.shape, -1, np.int64), cs,
                     float(list(flow.risks).index(rid)))
    if rows.parts:
        kind = np.concatenate([np.full(p[1].shape, p[0], np.int16) for p in rows.parts])
        cols = [np.concatenate([p[i] for p in rows.parts]) for i in range(1, 5)]
    else:
        kind = np.zeros(0, np.int16)
        cols = [np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(0, np.int32),
                np.zeros(0, np.float64)]
    return Findings(kind, cols[0].astype(np.int32), cols[1].astype(np.int64),
                    cols[2].astype(np.int32), cols[3].astype(np.float64), done, step_days,
                    case_days, notes)
