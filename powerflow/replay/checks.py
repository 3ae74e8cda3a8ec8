"""The deviation core: the one definition of the PF5xx findings, over arrays of replayed events.

Takes the flow, its encoding, the log and its encoding, the replay output and `CoreOptions`
(as-of time, yellow share, time zone and the working-day `Calendar`, passed in, never global);
gives `Findings`: one row per deviation (kind, case, event, step, value) as NumPy arrays, the
per-event bookkeeping the single-case report draws its path from (completed step, working days
in the step, risk passes), and `Unchecked` notes for whatever could not be judged. Every source
of events uses it: the log audit (many cases), `simulate` and the live store (a case is a log
of one case). `docs/audit.md` ("The rules") is the written definition; keep the two together.

Rules (the PF5xx kinds of `powerflow.deviations`):

* PF501 an event the current step does not allow; PF508 an activity the mapping does not know;
  PF509 a case whose final step is not an end step (an unfinished case, judged as of `as_of`).
* The step an event *completes*: the step the case was in when the event was allowed, or, for a
  deviating event that took effect, the one step that event leaves in the flow (if only one).
  An allowed event whose transition names an actor other than the step's actor (a supervisor's
  rejection, a return) is that actor's decision, not the completion of the step.
* Risk passes: a risk at a step is passed by the event completing that step, a risk at an end
  step by the event reaching it, a risk at an event by that event. PF502 a control's evidence
  absent from the passing event.
* PF503 one person completed two different steps of a `separation` group in one case.
* Time in a step runs from the event that moved the case into it (the case's first event for the
  start step) to the event that completed it, or to `as_of` for the open step of an unfinished
  case, in working days between local dates (the calendar decides which days work). PF504 red:
  over the step's limit (open or closed); PF505 yellow: the open step at `yellow_at` of it.
  PF512 a step with `notice_days` (publicity) completed before that many working days (when
  its own limit is at least that long; a shorter limit makes the step the act of publishing).
* PF506/PF507 the case against the limit in force (promised, else statutory): counted working
  days from its first event to its last (finished) or to `as_of` (unfinished), less the days in
  steps whose clock is paused or excluded; red when over, yellow only for an open case.
* PF510 a control step not completed before the case passes the risk (when the control step
  comes before the risk in the flow) or before it reaches a favourable end after passing the
  risk, or an end every path to which passes the risk's step (a jump over the risk passes it).
* PF511 a case with an event (or `as_of`) outside the calendar: its time limits are not judged;
  PF531 once per case at its first event in a year counted without a declared arrangement
  (statutory holidays only).

Must not: print, build Diagnostic objects per event (reports do that for what they show).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt

from ..clock import Calendar, default_calendar
from ..deviations import Deviation, Unchecked
from ..logs.eventlog import EventLog, parse_time
from ..logs.mapping import DEADLINE
from ..logs.timezones import local_days
from ..model import Clock, EdgeKind, Flow, StepKind, limit_days
from .arrays import distinct, distinct_counts, run_starts
from .encode import EncodedFlow, EncodedLog
from .engine import Replayed

__all__ = ["KINDS", "CoreOptions", "Findings", "check"]

KINDS: list[Deviation] = list(Deviation)
K = {d: i for i, d in enumerate(KINDS)}
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class CoreOptions:
    """What the core needs besides the events: the as-of time (ns since the epoch, UTC; None:
    each case's last event), the yellow share, the zone of local dates and the calendar."""

    as_of: int | None = None
    yellow_at: float = 0.9
    timezone: str = "Asia/Shanghai"
    calendar: Calendar = field(default_factory=default_calendar)
    opened: I64 | None = None
    """Per case: when it was opened (ns, UTC), i.e. entered the start step; None: at its
    first event (a log does not record the opening apart from its events)."""


@dataclass
class Findings:
    kind: npt.NDArray[np.int16]
    case: I32
    event: I64
    """Index of the event in the `EventLog` (file order), -1 for case-level findings."""
    step: I32
    value: F64
    done: I32
    """Per sorted event: the step it completed, -1 when none."""
    days: F64
    """Per sorted event: working days spent in the completed step (NaN: not measurable)."""
    case_days: F64
    notes: list[tuple[str, str]] = field(default_factory=list)
    used: F64 = field(default_factory=lambda: np.zeros(0))
    """Per sorted event: working days since the case entered the step it was in (NaN: none)."""
    open_days: F64 = field(default_factory=lambda: np.zeros(0))
    """Per case: working days in its open step up to as-of (NaN when finished or unknown)."""
    open_entered: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    """Per case: sorted index of the event that moved it into its open step (-1: opened)."""
    passes: tuple[I32, I64, I32, Bools] = field(default_factory=lambda: (
        np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, bool)))
    """Risk passes, one row per control with evidence: (risk, sorted event, control, ok)."""
    unchecked: list[Unchecked] = field(default_factory=list)


class _Rows:
    def __init__(self) -> None:
        self.parts: list[tuple[int, I32, I64, I32, F64]] = []

    def add(self, kind: Deviation, case: npt.NDArray[np.integer], event: I64,
            step: I32 | int, value: F64 | float = np.nan) -> None:
        n = case.shape[0]
        if not n:
            return
        st = np.broadcast_to(np.asarray(step, dtype=np.int32), (n,)).copy()
        va = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)).copy()
        self.parts.append((K[kind], case.astype(np.int32), event.astype(np.int64), st, va))


class _Ctx:
    """Everything the check sections share for one run."""

    def __init__(self, flow: Flow, fe: EncodedFlow, log: EventLog, el: EncodedLog,
                 rp: Replayed, opts: CoreOptions) -> None:
        self.flow, self.fe, self.log, self.el, self.rp, self.opts = flow, fe, log, el, rp, opts
        self.rows = _Rows()
        self.unchecked: list[Unchecked] = []
        self.n = el.case.shape[0]
        self.orig = el.order
        self.known = el.event >= 0
        self.risk_index = {rid: i for i, rid in enumerate(flow.risks)}
        self.signature: I32 | None = None
        self.evidence_columns: dict[str, str] = {}
        self.passes: tuple[I32, I64, I32, Bools] = (
            np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(0, np.int32),
            np.zeros(0, np.bool_))

    def note(self, key: str, count: int, unit: str, en: str, zh: str) -> None:
        if count:
            self.unchecked.append(Unchecked(key, int(count), unit, en, zh))


def _credited(ctx: _Ctx) -> I32:
    """The step each event completed (see the module docstring), -1 when none."""
    fe, el, rp = ctx.fe, ctx.el, ctx.rp
    e = np.maximum(el.event, 0)
    sig: I64 | int = 0
    if ctx.signature is not None and fe.edge.shape[0] > 1:
        sig = np.asarray(ctx.signature, np.int64)[el.case]
    if fe.credit.all():  # no transition names another actor: only end-step repeats differ
        own = ~((rp.before == rp.after) & fe.is_end[rp.before])
    else:
        edge = fe.edge[sig, rp.before, e]
        own = fe.credit[np.maximum(edge, 0)] & (edge >= 0)
    took = ctx.known & el.effect & ~rp.allowed
    done = np.where(rp.allowed & own, rp.before, np.where(took, fe.source[e], -1))
    return done.astype(np.int32)


def _conformance(ctx: _Ctx) -> None:
    el, rp, fe = ctx.el, ctx.rp, ctx.fe
    bad = ctx.known & ~rp.allowed
    ctx.rows.add(Deviation.EVENT_NOT_ALLOWED, el.case[bad], ctx.orig[bad], rp.before[bad])
    unk = ~ctx.known
    ctx.rows.add(Deviation.UNKNOWN_ACTIVITY, el.case[unk], ctx.orig[unk], rp.before[unk])
    open_cases = np.flatnonzero(~fe.is_end[rp.final]).astype(np.int32)
    last = el.starts[1:][open_cases] - 1
    ev = np.where(last >= el.starts[:-1][open_cases], ctx.orig[np.maximum(last, 0)]
                  if ctx.n else -1, -1)
    ctx.rows.add(Deviation.CASE_UNFINISHED, open_cases, np.asarray(ev, np.int64),
                 rp.final[open_cases])


def _pass_events(ctx: _Ctx, at: str, done: I32) -> I64:
    """Sorted indices of the events that pass a risk placed `at` a step or an event."""
    fe, rp, el = ctx.fe, ctx.rp, ctx.el
    if at in ctx.flow.steps:
        s = fe.step_id(at)
        hit = done == s
        if ctx.flow.steps[at].kind is StepKind.END:
            hit = hit | ((rp.after == s) & (rp.before != s))
        return np.flatnonzero(hit)
    if at in fe.events:
        return np.flatnonzero(el.event == fe.events.index(at))
    return np.zeros(0, np.int64)


def _evidence(ctx: _Ctx, done: I32) -> None:
    flow, log, el = ctx.flow, ctx.log, ctx.el
    p_risk, p_ev, p_ctl, p_ok = [], [], [], []
    attrs = set(log.attributes)
    for rid, risk in flow.risks.items():
        ri = ctx.risk_index[rid]
        if risk.at not in flow.steps and risk.at not in ctx.fe.events:
            ctx.note("risk-place-unknown", 1, "risks",
                     f"risk {rid} sits at {risk.at!r}, neither a step nor an event of the flow: "
                     "not checked", f"风险点 {rid} 的位置 {risk.at!r} 既不是环节也不是事件，未检查")
            continue
        ev = _pass_events(ctx, risk.at, done)
        for ci, ctl in enumerate(risk.controls):
            if ctl.evidence is None or not ev.size:
                continue
            col = log.evidence.get(ctl.evidence)
            mapped_col = None
            if col is None or (attrs and _evidence_column(ctx, ctl.evidence) not in attrs):
                mapped_col = "unmapped" if col is None else "absent"
            if mapped_col is not None:
                ctx.note(f"evidence-{mapped_col}:{ctl.evidence}", ev.size, "risk passes",
                         f"{rid}: evidence {ctl.evidence!r} is "
                         + ("not mapped to a log attribute" if col is None else
                            "mapped to an attribute the log does not have")
                         + "; those passes of the risk not checked",
                         f"{rid}：留痕 {ctl.evidence!r} "
                         + ("未映射到日志属性" if col is None else "映射的属性在日志中不存在")
                         + "；该风险点的这些经过未检查")
                continue
            assert col is not None
            ok = col[ctx.orig[ev]]
            p_risk.append(np.full(ev.size, ri, np.int32))
            p_ev.append(ev)
            p_ctl.append(np.full(ev.size, ci, np.int32))
            p_ok.append(ok)
            miss = ev[~ok]
            ctx.rows.add(Deviation.CONTROL_EVIDENCE_MISSING, el.case[miss], ctx.orig[miss],
                         done[miss], float(ri))
    ctx.passes = (_cat(p_risk, np.int32), _cat(p_ev, np.int64), _cat(p_ctl, np.int32),
                  _cat(p_ok, np.bool_))


def _evidence_column(ctx: _Ctx, evidence: str) -> str:
    return ctx.evidence_columns.get(evidence, evidence)


def _cat(parts: list[npt.NDArray[Any]], dtype: type) -> npt.NDArray[Any]:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)


def _separation(ctx: _Ctx, done: I32) -> None:
    flow, fe, el, log = ctx.flow, ctx.fe, ctx.el, ctx.log
    for gi, sep in enumerate(flow.separation):
        ids = [fe.step_id(s) for s in sep.steps if s in flow.steps]
        in_group = np.isin(done, ids)
        ctx.note(f"person-missing:{gi}", int((in_group & (el.person < 0)).sum()), "events",
                 f"separation of {', '.join(sep.steps)}: events without a person "
                 "cannot be judged", f"{'、'.join(sep.steps)} 的职责分离：未记录办理人的事件无法判断")
        m = in_group & (el.person >= 0)
        if not m.any():
            continue
        idx = np.flatnonzero(m)
        key = el.case[idx].astype(np.int64) * (len(log.person_names) + 1) + el.person[idx]
        width = len(fe.steps) + 1
        pairs = distinct(key * width + done[idx]) // width
        k, cnt = distinct_counts(pairs)
        breach = k[cnt >= 2]
        if breach.size:
            sel = np.isin(key, breach)
            hit, hkey = idx[sel], key[sel]
            # one finding per (case, person): at the first event completing a second step
            order = np.argsort(hkey, kind="stable")
            seq = hit[order]
            starts = run_starts(hkey[order])
            flag = np.zeros(seq.shape[0], np.int64)
            flag[starts] = 1
            group = np.cumsum(flag) - 1
            other = np.flatnonzero(done[seq] != done[seq[starts]][group])
            evs = seq[other[run_starts(group[other])]]
            ctx.rows.add(Deviation.SEPARATION_BREACH, el.case[evs], ctx.orig[evs], done[evs],
                         float(gi))


_EPOCH = dt.date(1970, 1, 1)


def _work_index(ctx: _Ctx, days: I64) -> tuple[I64, Bools]:
    """Cumulative working-day count at each local date (days since 1970-01-01), and whether
    the calendar covers it; one `Calendar.workday_cumsum` over the dates the data spans."""
    cal = ctx.opts.calendar
    first, last = cal.span
    covered = (days >= (dt.date(first, 1, 1) - _EPOCH).days) & (
        days <= (dt.date(last, 12, 31) - _EPOCH).days)
    if not covered.any():
        return np.zeros(days.shape, np.int64), covered
    inside = days[covered] if not covered.all() else days
    lo, hi = int(inside.min()), int(inside.max())
    cum = cal.workday_cumsum(_EPOCH + dt.timedelta(days=lo), _EPOCH + dt.timedelta(days=hi))
    return cum[np.clip(days - lo, 0, hi - lo)], covered


def _years(days: I64) -> I64:
    years: I64 = days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    return years


def _statutory_only(ctx: _Ctx, ldays: I64, covered: Bools, done: I32) -> None:
    """PF531 once per case at its first event in a year without a declared arrangement."""
    cal, el = ctx.opts.calendar, ctx.el
    years = _years(ldays)
    flagged = [y for y in np.unique(years[covered]).tolist() if cal.is_statutory_only(y)]
    if not flagged:
        return
    hit = covered & np.isin(years, flagged)
    what_en = ("statutory holidays only (no declared 调休)" if cal.name == "cn"
               else "weekdays only (no declared holidays)")
    what_zh = "仅按法定节假日（未声明调休）" if cal.name == "cn" else "仅按周一至周五（未声明节假日）"
    ctx.note("year-not-declared", int(hit.sum()), "events",
             f"events in {', '.join(map(str, flagged))}, whose working days were counted on "
             f"{what_en}; calendar: {cal.label}",
             f"{'、'.join(map(str, flagged))} 年的事件，其工作日{what_zh}计算；工作日历：{cal.label}")
    idx = np.flatnonzero(hit)
    first = idx[np.r_[True, el.case[idx][1:] != el.case[idx][:-1]]]
    ctx.rows.add(Deviation.YEAR_NOT_DECLARED, el.case[first], ctx.orig[first], done[first],
                 years[first].astype(np.float64))


def _entered(ctx: _Ctx) -> tuple[I64, Bools]:
    """Per sorted event: the sorted index of the event that moved the case into the step the
    event found it in (the case's first event for the start step), and whether the case was
    still in its start step (nothing had moved it yet)."""
    el, rp, n = ctx.el, ctx.rp, ctx.n
    moved = rp.allowed | (rp.after != rp.before)  # allowed, or resynchronised elsewhere
    case_first = el.starts[:-1][el.case]
    last_move = np.maximum.accumulate(np.where(moved, np.arange(n), -1))
    entered = np.empty(n, dtype=np.int64)
    entered[0] = case_first[0]
    entered[1:] = np.maximum(last_move[:-1], case_first[1:])
    prev = np.empty(n, dtype=np.int64)
    prev[0] = -1
    prev[1:] = last_move[:-1]
    return entered, prev < case_first


@dataclass
class _Days:
    """Cumulative working-day counts (and calendar coverage) at each event, at each case's
    as-of time and at each case's opening."""

    cum: I64
    covered: Bools
    asof: I64
    asof_ok: Bools
    opened: I64
    opened_ok: Bools
    deadline: I64
    """Per case: the working-day count at its deadline day (the data's), meaningful where
    `has_deadline`."""
    has_deadline: Bools
    deadline_day: I64
    end_day: I64
    """Per case: the local day its books close (last event if finished, else as-of)."""
    local: I64
    """Per event: its local date (days since 1970-01-01)."""


def _days(ctx: _Ctx, last_i: I64) -> _Days:
    el, n, nc, tz = ctx.el, ctx.n, ctx.el.n_cases, ctx.opts.timezone
    ldays = local_days(el.time, tz)
    asof_day = (local_days(np.full(nc, ctx.opts.as_of, np.int64), tz)
                if ctx.opts.as_of is not None else ldays[last_i])
    open_day = (ldays[np.minimum(el.starts[:-1], n - 1)] if ctx.opts.opened is None
                else local_days(ctx.opts.opened, tz))
    has_dl, dl_ns = _deadlines(ctx)
    dl_day = np.where(has_dl, local_days(np.where(has_dl, dl_ns, el.time[0]), tz), asof_day)
    cum, cov = _work_index(ctx, np.concatenate([ldays, asof_day, open_day, dl_day]))
    k = n + 2 * nc
    unfinished = ~ctx.fe.is_end[ctx.rp.final]
    end_day = np.where(unfinished, asof_day, ldays[last_i])
    return _Days(cum[:n], cov[:n], cum[n:n + nc], cov[n:n + nc], cum[n + nc:k], cov[n + nc:k],
                 cum[k:], has_dl, dl_day, end_day, ldays)


def _deadlines(ctx: _Ctx) -> tuple[Bools, I64]:
    """Per case: whether the data records a deadline, and when (ns since the epoch, UTC)."""
    nc = ctx.el.n_cases
    raw = ctx.log.facts.get(DEADLINE)
    if raw is None:
        return np.zeros(nc, np.bool_), np.zeros(nc, np.int64)
    zone = zoneinfo.ZoneInfo(ctx.opts.timezone)
    memo: dict[object, int | None] = {}
    parsed = [None if v is None else memo[v] if v in memo else
              memo.setdefault(v, parse_time(v, zone)) for v in raw]
    bad = sum(1 for v, p in zip(raw, parsed, strict=True) if v is not None and p is None)
    ctx.note("deadline-unreadable", bad, "cases", "deadlines that could not be read as a time: "
             "those cases are held to the flow's limit", "无法识别的办理期限：相关办件按流程时限检查")
    has = np.array([p is not None for p in parsed], dtype=np.bool_)
    return has, np.array([p or 0 for p in parsed], dtype=np.int64)


def _calendar_gaps(ctx: _Ctx, d: _Days, done: I32, unfinished: Bools) -> None:
    """PF511 once per case with a date (or as-of) outside the calendar; said as not checked."""
    el, rp = ctx.el, ctx.rp
    out_cal = ~d.covered
    bad_asof = unfinished & ~d.asof_ok
    if not (out_cal.any() or bad_asof.any()):
        return
    out = np.flatnonzero(out_cal)
    first = out[np.r_[True, el.case[out][1:] != el.case[out][:-1]]] if out.size else out
    ctx.rows.add(Deviation.TIME_OUTSIDE_CALENDAR, el.case[first], ctx.orig[first], done[first])
    extra = np.setdiff1d(np.flatnonzero(bad_asof), el.case[first]).astype(np.int32)
    ctx.rows.add(Deviation.TIME_OUTSIDE_CALENDAR, extra, np.full(extra.shape, -1, np.int64),
                 rp.final[extra])
    cal = ctx.opts.calendar
    ctx.note("outside-calendar", int(out_cal.sum()) + int(extra.size), "events",
             f"dates outside the working-day calendar ({cal.label}: {cal.span[0]}-"
             f"{cal.span[1]}): time limits of those steps and cases not checked",
             f"日期超出工作日历覆盖范围（{cal.label}：{cal.span[0]}-{cal.span[1]}年）："
             "相关环节和办件的时限未检查")


def _used(ctx: _Ctx, d: _Days, entered: I64, in_start: Bools) -> F64:
    """Per event: working days since the case entered the step the event found it in."""
    if ctx.opts.opened is None:  # the start step was entered at the first event
        ent_cum, ent_cov = d.cum[entered], d.covered[entered]
    else:
        case = ctx.el.case
        ent_cum = np.where(in_start, d.opened[case], d.cum[entered])
        ent_cov = np.where(in_start, d.opened_ok[case], d.covered[entered])
    used: F64 = np.maximum(d.cum - ent_cum, 0).astype(np.float64)
    if not (d.covered.all() and ent_cov.all()):
        used[~(d.covered & ent_cov)] = np.nan
    return used


def _time(ctx: _Ctx, done: I32) -> tuple[F64, F64, F64, F64, I64]:
    fe, el, rp, n, nc = ctx.fe, ctx.el, ctx.rp, ctx.n, ctx.el.n_cases
    if not n:
        empty = np.full(nc, np.nan)
        return np.zeros(0), np.zeros(0), empty, empty.copy(), np.full(nc, -1, np.int64)
    nonempty = el.starts[1:] > el.starts[:-1]
    last_i = np.maximum(el.starts[1:] - 1, 0)
    unfinished = ~fe.is_end[rp.final] & nonempty
    d = _days(ctx, last_i)
    _calendar_gaps(ctx, d, done, unfinished)
    _statutory_only(ctx, d.local, d.covered, done)
    entered, in_start = _entered(ctx)
    used = _used(ctx, d, entered, in_start)
    step_days = np.where(done >= 0, used, np.nan)
    open_days, open_entered = _open_step(ctx, d, entered, in_start, last_i, unfinished)
    _step_limits(ctx, done, step_days, open_days, open_entered)
    case_days = _case_days(ctx, done, step_days, open_days, d, unfinished, nonempty)
    return used, step_days, case_days, open_days, open_entered


def _open_step(ctx: _Ctx, d: _Days, entered: I64, in_start: Bools, last_i: I64,
               unfinished: Bools) -> tuple[F64, I64]:
    """Per case: working days in its open step up to as-of (NaN when finished or unknown),
    and the sorted index of the event that moved it there (-1: its opening)."""
    rp = ctx.rp
    nonempty = ctx.el.starts[1:] > ctx.el.starts[:-1]
    last_move_entered = _open_entry(ctx, entered, last_i, nonempty)
    never_moved = in_start[last_i] & ~(rp.allowed[last_i] | (rp.after[last_i] != rp.before[
        last_i]))
    at = np.maximum(last_move_entered, 0)
    o_cum = np.where(never_moved, d.opened, d.cum[at])
    o_cov = np.where(never_moved, d.opened_ok, d.covered[at])
    open_days = np.full(ctx.el.n_cases, np.nan)
    ok_open = unfinished & d.asof_ok & o_cov
    open_days[ok_open] = np.maximum(d.asof[ok_open] - o_cum[ok_open], 0)
    if ctx.opts.opened is not None:  # the open start step was entered when the case opened
        last_move_entered = np.where(never_moved, -1, last_move_entered)
    return open_days, last_move_entered


def _open_entry(ctx: _Ctx, entered: I64, last_i: I64, nonempty: Bools) -> I64:
    """Per case: sorted index of the event that moved it into the step it ends in."""
    _el, rp = ctx.el, ctx.rp
    last_moved = rp.allowed[last_i] | (rp.after[last_i] != rp.before[last_i])
    ent = np.where(last_moved, last_i, entered[last_i])
    return np.where(nonempty, ent, -1).astype(np.int64)


def _step_tables(flow: Flow, fe: EncodedFlow) -> tuple[F64, F64]:
    """Per step: its limit in working days (inf: none) and its minimum period (0: none, or
    not observable because the step's own limit is shorter: it is the act of publishing)."""
    lim = np.full(len(fe.steps), np.inf)
    low = np.zeros(len(fe.steps))
    for i, sid in enumerate(fe.steps):
        step = flow.steps[sid]
        if step.limit is not None:
            lim[i] = float(limit_days(step.limit))
        if step.notice_days is not None and lim[i] >= step.notice_days:
            low[i] = float(step.notice_days)
    return lim, low


def _step_limits(ctx: _Ctx, done: I32, step_days: F64, open_days: F64,
                 open_entered: I64) -> None:
    """PF504 (closed and open steps), PF505 (open steps), PF512 (minimum periods), all
    steps at once through per-step tables."""
    el, rp = ctx.el, ctx.rp
    lim, low = _step_tables(ctx.flow, ctx.fe)
    d = np.maximum(done, 0)
    with np.errstate(invalid="ignore"):
        m = done >= 0
        if low.any():
            early = np.flatnonzero(m & (step_days < low[d]))
            ctx.rows.add(Deviation.PERIOD_ENDED_EARLY, el.case[early], ctx.orig[early],
                         done[early], step_days[early])
        red = np.flatnonzero(m & (step_days > lim[d]))
        ctx.rows.add(Deviation.STEP_OVERDUE, el.case[red], ctx.orig[red], done[red],
                     step_days[red])
        olim = lim[rp.final]
        ev = np.where(open_entered >= 0, ctx.orig[np.maximum(open_entered, 0)], -1)
        o_red = np.flatnonzero(open_days > olim).astype(np.int32)
        o_yel = np.flatnonzero((open_days <= olim) & (open_days >= ctx.opts.yellow_at * olim)
                               & (olim > 0)).astype(np.int32)
    ctx.rows.add(Deviation.STEP_OVERDUE, o_red, ev[o_red], rp.final[o_red], open_days[o_red])
    ctx.rows.add(Deviation.STEP_NEAR_LIMIT, o_yel, ev[o_yel], rp.final[o_yel], open_days[o_yel])


def _case_days(ctx: _Ctx, done: I32, step_days: F64, open_days: F64, d: _Days,
               unfinished: Bools, nonempty: Bools) -> F64:
    cum, covered, cum_asof, cov_asof = d.cum, d.covered, d.asof, d.asof_ok
    cum_open, cov_open = d.opened, d.opened_ok
    flow, fe, el, rp = ctx.flow, ctx.fe, ctx.el, ctx.rp
    not_counted = np.array([flow.steps[s].clock is not Clock.COUNTS for s in fe.steps],
                           dtype=np.bool_)
    paused = np.where((done >= 0) & ~np.isnan(step_days) & not_counted[np.maximum(done, 0)],
                      step_days, 0.0)
    f_i = el.starts[:-1][nonempty]
    l_i = el.starts[1:][nonempty] - 1
    end_cum = np.where(unfinished[nonempty], cum_asof[nonempty], cum[l_i])
    end_ok = np.where(unfinished[nonempty], cov_asof[nonempty], covered[l_i])
    ok_t = cov_open[nonempty] & end_ok & _all_covered(covered, el.starts, nonempty)
    span = np.where(ok_t, end_cum - cum_open[nonempty], np.nan).astype(np.float64)
    pz = np.add.reduceat(paused, f_i)
    open_pause = np.where(unfinished & not_counted[rp.final], np.nan_to_num(open_days), 0.0)
    case_days = np.full(el.n_cases, np.nan)
    case_days[nonempty] = span - pz - open_pause[nonempty]
    _limit_findings(ctx, case_days, unfinished & nonempty, d, d.has_deadline & nonempty)
    return case_days


def _limit_findings(ctx: _Ctx, case_days: F64, unfinished: Bools, d: _Days,
                    has_dl: Bools) -> None:
    """PF506/PF507 against the case's own deadline where the data records one (a date: late
    when its books close on a later day; yellow when an open case has used `yellow_at` of the
    working days from its opening to its deadline), else against the flow's limit in force
    (promised, else statutory)."""
    el, ya = ctx.el, ctx.opts.yellow_at
    last = np.maximum(el.starts[1:] - 1, 0)
    late = has_dl & (d.end_day > d.deadline_day)
    ctx.rows.add(Deviation.CASE_OVERDUE, np.flatnonzero(late).astype(np.int32),
                 ctx.orig[last[late]], -1, case_days[late])
    span = (d.deadline - d.opened).astype(np.float64)
    near = has_dl & ~late & unfinished & d.asof_ok & d.opened_ok & (span > 0) & (
        (d.asof - d.opened) >= ya * span)
    ctx.rows.add(Deviation.CASE_NEAR_LIMIT, np.flatnonzero(near).astype(np.int32),
                 ctx.orig[last[near]], -1, case_days[near])
    limits = ctx.flow.info.limits
    limit = limits.promised if limits.promised is not None else limits.statutory
    if limit is not None:
        lim = float(limit_days(limit))
        cd = np.where(has_dl, -1.0, np.nan_to_num(case_days, nan=-1.0))
        red_c = np.flatnonzero(cd > lim).astype(np.int32)
        yel_c = np.flatnonzero(unfinished & (cd <= lim) & (cd >= ya * lim) & (lim > 0)
                               ).astype(np.int32)
        ctx.rows.add(Deviation.CASE_OVERDUE, red_c, ctx.orig[last[red_c]], -1, case_days[red_c])
        ctx.rows.add(Deviation.CASE_NEAR_LIMIT, yel_c, ctx.orig[last[yel_c]], -1,
                     case_days[yel_c])


def _all_covered(covered: Bools, starts: I64, nonempty: Bools) -> Bools:
    if covered.all():
        return np.ones(int(nonempty.sum()), np.bool_)
    bad = np.add.reduceat((~covered).astype(np.int64), starts[:-1][nonempty])
    ok: Bools = bad == 0
    return ok


class _Forward:
    """The flow's forward graph (send-back edges left out), for "comes before" questions."""

    def __init__(self, flow: Flow) -> None:
        self.g: nx.DiGraph[str] = nx.DiGraph()
        self.g.add_nodes_from(flow.steps)
        self.g.add_edges_from((t.from_, t.to) for t in flow.transitions
                              if t.kind is EdgeKind.FLOW)
        start = flow.start or next(iter(flow.steps))
        self.idom = nx.immediate_dominators(self.g, start) if start in self.g else {}

    def before(self, control: str, risk_at: str) -> bool:
        """Whether the control step comes before the risk's step (a path leads from it)."""
        return control != risk_at and nx.has_path(self.g, control, risk_at)

    def dominates(self, step: str, end: str) -> bool:
        """Whether every path from the start to `end` passes `step`."""
        node = end
        while node in self.idom and self.idom[node] != node:
            node = self.idom[node]
            if node == step:
                return True
        return False


def _first_per_case(n_cases: int, case: I32, idx: I64) -> I64:
    first = np.full(n_cases, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(first, case[idx], idx)
    return first


def _skipped(ctx: _Ctx, done: I32) -> None:
    """PF510: a control step not completed before the risk was passed (when it comes before
    the risk's step) or before a favourable end was reached, where that end is reached after
    passing the risk or only through the risk's step (a jump over it passes it too)."""
    flow, fe, el, rp = ctx.flow, ctx.fe, ctx.el, ctx.rp
    outcomes = [flow.steps[s].outcome for s in fe.steps]
    fav = np.array([o is not None and o.favourable for o in outcomes], dtype=np.bool_)
    reach_fav = np.flatnonzero(fav[rp.after] & (rp.after != rp.before))
    fwd = _Forward(flow)
    for rid, risk in flow.risks.items():
        ctls = [c for c in risk.controls if c.step is not None and c.step in flow.steps
                and flow.steps[c.step].kind is not StepKind.SUPERVISION]
        if not ctls:
            continue  # a supervision step is drawn, not run: nothing completes it
        passes = _pass_events(ctx, risk.at, done)
        first_pass = _first_per_case(el.n_cases, el.case, passes)
        dom = np.array([risk.at in flow.steps and fwd.dominates(risk.at, s) for s in fe.steps],
                       dtype=np.bool_)
        at_end = reach_fav[(first_pass[el.case[reach_fav]] <= reach_fav)
                           | dom[rp.after[reach_fav]]]
        for ctl in ctls:
            cs = fe.step_id(ctl.step or "")
            did = np.flatnonzero((done == cs) | ((rp.after == cs) & fe.is_end[cs]))
            first = _first_per_case(el.n_cases, el.case, did)
            upstream = risk.at not in flow.steps or fwd.before(ctl.step or "", risk.at)
            check_at = np.union1d(passes, at_end) if upstream else at_end
            bad = check_at[first[el.case[check_at]] > check_at]
            if not bad.size:
                continue
            keep = bad[np.r_[True, el.case[bad][1:] != el.case[bad][:-1]]]
            ctx.rows.add(Deviation.CONTROL_STEP_SKIPPED, el.case[keep], ctx.orig[keep], cs,
                         float(ctx.risk_index[rid]))


def check(flow: Flow, fe: EncodedFlow, log: EventLog, el: EncodedLog, rp: Replayed,
          opts: CoreOptions, signature: I32 | None = None,
          evidence_columns: dict[str, str] | None = None) -> Findings:
    """All PF5xx findings of every case of `log` (see the module docstring)."""
    ctx = _Ctx(flow, fe, log, el, rp, opts)
    ctx.signature = signature
    ctx.evidence_columns = evidence_columns or {}
    _conformance(ctx)
    done = _credited(ctx) if ctx.n else np.zeros(0, np.int32)
    _evidence(ctx, done)
    _separation(ctx, done)
    used, step_days, case_days, open_days, open_entered = _time(ctx, done)
    _skipped(ctx, done)
    rows = ctx.rows
    if rows.parts:
        kind = np.concatenate([np.full(p[1].shape, p[0], np.int16) for p in rows.parts])
        cols = [np.concatenate([p[i] for p in rows.parts]) for i in range(1, 5)]
    else:
        kind = np.zeros(0, np.int16)
        cols = [np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(0, np.int32),
                np.zeros(0, np.float64)]
    notes = [(u.en, u.zh) for u in ctx.unchecked]
    return Findings(kind, cols[0].astype(np.int32), cols[1].astype(np.int64),
                    cols[2].astype(np.int32), cols[3].astype(np.float64), done, step_days,
                    case_days, notes, used, open_days, open_entered,
                    ctx.passes, ctx.unchecked)
