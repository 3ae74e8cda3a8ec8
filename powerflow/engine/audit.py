"""Audit one case against its flow: path, time, risk points, duties, refusals, outcome.

Takes a `CompiledFlow` and a `LoadedCase` (or any events with a locator); gives a `CaseAudit`:
the path taken with the working days each step used against its limit, the case total against
the limit in force, every risk point passed with each evidence control evidenced or missing,
control steps skipped, separation-of-duty breaches, refused events and the outcome, plus PF5xx
`Diagnostic`s located on the offending event's line, and what could not be checked. The
findings come from the one deviation core, `powerflow.replay.checks`: the case is written as a
log of one case and audited by `powerflow.replay.audit.audit`, so `simulate`, the live store
and the log audit judge alike (`docs/audit.md`, "The rules"). Also gives the `Overlay` of the
path for the chart renderer.

Must not: read files, print, judge anything itself, or read the system clock (`as_of` is passed
in; by default the last event's time).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..clock import Calendar
from ..clock import status as light
from ..deviations import Deviation, Unchecked
from ..diagnostics import Diagnostic, Location, Text
from ..model import Limit, limit_days
from ..overlay import Overlay
from ..replay.checks import KINDS
from .case import CaseEvent, LoadedCase
from .compile import CompiledFlow, EventNotAllowed
from .onecase import CoreRun, run_core
from .run import Breach, ControlCheck, Rejected, RiskPass

__all__ = ["CaseAudit", "StepTime", "audit_case", "audit_events"]


@dataclass(frozen=True, slots=True)
class StepTime:
    """One step visit on the path, with its time against its limit."""

    step: str
    name: str
    entered: dt.datetime
    left: dt.datetime | None
    days: int
    limit: Limit | None
    clock: str
    status: str  # green, yellow, red, or "" when the step has no limit
    persons: tuple[str, ...]
    event_index: int | None  # the event that left (or, if open, entered) the step


@dataclass(frozen=True)
class CaseAudit:
    """Everything the audit found about one case."""

    case_id: str
    power: str
    power_name: str
    path: tuple[StepTime, ...]
    edges: tuple[tuple[str, str, str], ...]
    total_days: int
    promised: Limit | None
    statutory: Limit | None
    case_status: str
    risks: tuple[RiskPass, ...]
    skipped_controls: tuple[tuple[str, str], ...]  # (risk id, control step)
    breaches: tuple[Breach, ...]
    rejected: tuple[Rejected, ...]
    outcome: str | None
    step: str
    as_of: dt.datetime
    yellow_at: float
    diagnostics: tuple[Diagnostic, ...]
    unchecked: tuple[Unchecked, ...] = ()

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    @property
    def has_findings(self) -> bool:
        return any(d.suppressed is None for d in self.diagnostics)

    def overlay(self, lang: str = "zh") -> Overlay:
        """The path drawn over the flowchart: taken edges with counts, steps coloured by time."""
        counts = Counter(self.edges)
        colors = {"red": "bad", "yellow": "warn"}
        steps: dict[str, str] = {}
        for v in self.path:
            steps[v.step] = colors.get(v.status, steps.get(v.step, "path"))
        notes = {v.step: f"{v.days}/{limit_days(v.limit)}" for v in self.path if v.limit is not None}
        missing = "缺少留痕：" if lang == "zh" else "evidence missing: "
        risk_notes = {r.risk: missing + ("、" if lang == "zh" else ", ").join(
            c.name for c in r.missing) for r in self.risks if r.missing}
        return Overlay(edge_counts=dict(counts), edge_colors=dict.fromkeys(counts, "path"),
                       step_colors=steps, step_notes=notes, risk_notes=risk_notes,
                       caption=f"{self.case_id}: {self.outcome or self.step}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (diagnostics are rendered by the caller)."""
        return {
            "case": self.case_id, "power": self.power, "outcome": self.outcome,
            "current_step": self.step, "as_of": self.as_of.isoformat(),
            "total_days": self.total_days, "promised": self.promised,
            "statutory": self.statutory, "status": self.case_status, "yellow_at": self.yellow_at,
            "path": [{"step": v.step, "name": v.name, "entered": v.entered.isoformat(),
                      "left": v.left.isoformat() if v.left else None, "days": v.days,
                      "limit": v.limit, "clock": v.clock, "status": v.status,
                      "persons": list(v.persons)} for v in self.path],
            "risks": [{"risk": r.risk, "at": r.at, "event": r.event_index,
                       "controls": [{"name": c.name, "evidence": c.ref, "ok": c.ok}
                                    for c in r.controls]} for r in self.risks],
            "skipped_controls": [{"risk": r, "step": s} for r, s in self.skipped_controls],
            "separation_breaches": [{"person": b.person, "steps": list(b.steps),
                                     "event": b.event_index} for b in self.breaches],
            "rejected": [{"event": r.event, "index": r.event_index, "step": r.error.step,
                          "reason": r.error.reason, "allowed": list(r.error.allowed)}
                         for r in self.rejected],
            "not_checked": [u.to_dict() for u in self.unchecked],
        }


Locator = Callable[[int | None], Location]
KIND_INDEX = {d: i for i, d in enumerate(KINDS)}


def audit_events(compiled: CompiledFlow, case_id: str, facts: dict[str, Any],
                 events: Sequence[CaseEvent], locate: Locator, *, yellow_at: float | None = None,
                 as_of: dt.datetime | None = None, opened: dt.datetime | None = None,
                 effect: Sequence[bool] | None = None,
                 calendar: Calendar | None = None) -> CaseAudit:
    """Audit `events` through the deviation core. `as_of` closes the books (by default the
    last event); `effect` marks attempts that took no effect (a live store's refusals)."""
    end = as_of or (events[-1].time if events else opened)
    if end is None:
        raise ValueError("a case with no events needs `opened` or `as_of`")
    flow = compiled.flow
    ya = yellow_at if yellow_at is not None else flow.defaults.yellow_at
    core = run_core(flow, case_id, facts, events, as_of=end, effect=effect, yellow_at=ya,
                    calendar=calendar or compiled.calendar, opened=opened)
    b = _Builder(compiled, core, facts, locate, ya, end, opened or (events[0].time if events
                                                                    else end))
    return b.build(case_id)


def audit_case(compiled: CompiledFlow, loaded: LoadedCase, *, yellow_at: float | None = None,
               as_of: dt.datetime | None = None,
               calendar: Calendar | None = None) -> CaseAudit:
    """Audit a loaded case file; diagnostics point at the offending event's line."""
    assert loaded.case is not None, "audit only cases that loaded without errors"
    case = loaded.case

    def locate(index: int | None) -> Location:
        return loaded.locate_event(index) if index is not None else loaded.locate("case")

    return audit_events(compiled, case.case.id, dict(case.facts), case.events, locate,
                        yellow_at=yellow_at, as_of=as_of or case.case.as_of, calendar=calendar)


def _diag(kind: Deviation, loc: Location, en: str, zh: str, hint: Text | None = None,
          **data: Any) -> Diagnostic:
    return Diagnostic(kind.code, kind.severity, loc, Text(en, zh), hint, kind.rule_name,
                      data=data)


def _days(x: float) -> int:
    return -1 if x != x else int(x)


class _Builder:
    """Turns the core's arrays for one case into the `CaseAudit` and its diagnostics."""

    def __init__(self, compiled: CompiledFlow, core: CoreRun, facts: dict[str, Any],
                 locate: Locator, ya: float, as_of: dt.datetime, opened: dt.datetime) -> None:
        self.compiled, self.core, self.facts, self.ya = compiled, core, facts, ya
        self.flow = compiled.flow
        self.r = core.result
        self.f = self.r.findings
        self.el = self.r.encoded_log
        self.steps = self.r.encoded_flow.steps
        self.as_of, self.opened = as_of, opened
        self._locate = locate
        self.order = self.el.order.tolist()

    def loc(self, index: int) -> Location:
        return self._locate(index if index >= 0 else None)

    def rows(self, kind: Deviation) -> list[tuple[int, int, float]]:
        """(event index, step, value) of the core's findings of one kind, in event order."""
        f = self.f
        m = f.kind == KIND_INDEX[kind]
        return sorted(zip(f.event[m].tolist(), f.step[m].tolist(), f.value[m].tolist(),
                          strict=True))

    def build(self, case_id: str) -> CaseAudit:
        flow, r = self.flow, self.r
        path = self.path()
        rejected = self.rejected(case_id)
        passes = self.passes()
        breaches = self.breaches()
        diags = self.diagnostics(path, rejected, passes, breaches)
        final = self.steps[int(r.replayed.final[0])]
        fstep = flow.steps[final]
        outcome = fstep.outcome.value if r.encoded_flow.is_end[r.replayed.final[0]] and \
            fstep.outcome else None
        total = _days(float(self.f.case_days[0])) if self.el.case.size else 0
        limits = flow.info.limits
        lim = limits.promised if limits.promised is not None else limits.statutory
        status = ""
        if lim is not None and total >= 0:
            status = light(total, limit_days(lim), self.ya)
            if status == "yellow" and outcome is not None:
                status = "green"
        skipped = tuple(dict.fromkeys(
            (list(flow.risks)[int(v)], self.steps[s]) for _i, s, v in
            self.rows(Deviation.CONTROL_STEP_SKIPPED)))
        return CaseAudit(
            case_id=case_id, power=flow.code, power_name=flow.name, path=tuple(path),
            edges=tuple(self.edges()), total_days=max(total, 0), promised=limits.promised,
            statutory=limits.statutory, case_status=status, risks=tuple(passes),
            skipped_controls=skipped, breaches=tuple(breaches), rejected=tuple(rejected),
            outcome=outcome, step=final, as_of=self.as_of, yellow_at=self.ya,
            diagnostics=tuple(diags), unchecked=tuple(self.f.unchecked))

    # --- what happened ------------------------------------------------------------------

    def _moves(self) -> list[tuple[int, int, int, bool]]:
        """(event index, step before, step after, allowed) of each event that moved the case."""
        el, rp, fe = self.el, self.r.replayed, self.r.encoded_flow
        out = []
        for j, i in enumerate(self.order):
            e = int(el.event[j])
            ok = bool(rp.allowed[j])
            before, after = int(rp.before[j]), int(rp.after[j])
            repeat = ok and before == after and bool(fe.is_end[before])
            if e >= 0 and not repeat and (ok or before != after):
                out.append((i, before, after, ok))
        return out

    def path(self) -> list[StepTime]:
        _flow, evs, f = self.flow, self.core.events, self.f
        used = {i: _days(float(f.used[j])) for j, i in enumerate(self.order)}
        visits: list[StepTime] = []
        cur, entered, by = self.steps[self.r.encoded_flow.start], self.opened, None
        for i, before, after, _ok in self._moves():
            ev = evs[i]
            visits.append(self._visit(self.steps[before], entered, ev.time, used[i],
                                      (ev.person,) if ev.person else (), i))
            cur, entered, by = self.steps[after], ev.time, i
            if self.r.encoded_flow.is_end[after]:
                visits.append(self._visit(cur, ev.time, ev.time, 0, (), i))
        if not self.r.encoded_flow.is_end[self.steps.index(cur)]:
            visits.append(self._visit(cur, entered, None, _days(float(f.open_days[0]))
                                      if f.open_days.size else -1, (), by))
        return visits

    def _visit(self, sid: str, entered: dt.datetime, left: dt.datetime | None, days: int,
               persons: tuple[str, ...], index: int | None) -> StepTime:
        step = self.flow.steps[sid]
        st = ""
        if step.limit is not None and days >= 0:
            st = light(days, limit_days(step.limit), self.ya)
            if left is not None and st == "yellow":
                st = "green"  # yellow warns about open items only
        return StepTime(sid, step.name, entered, left, max(days, 0), step.limit,
                        step.clock.value, st, persons, index)

    def edges(self) -> list[tuple[str, str, str]]:
        evs = self.core.events
        return [(self.steps[b], self.steps[a], evs[i].event)
                for i, b, a, ok in self._moves() if ok]

    def rejected(self, case_id: str) -> list[Rejected]:
        out = []
        rp = self.r.replayed
        j_of = {i: j for j, i in enumerate(self.order)}
        codes = {i for i, _s, _v in self.rows(Deviation.EVENT_NOT_ALLOWED)} | {
            i for i, _s, _v in self.rows(Deviation.UNKNOWN_ACTIVITY)}
        for i in sorted(codes):
            ev = self.core.events[i]
            step = self.steps[int(rp.before[j_of[i]])]
            out.append(Rejected(i, ev.event, self._refusal(case_id, ev, step)))
        return out

    def _refusal(self, case_id: str, ev: CaseEvent, step: str) -> EventNotAllowed:
        c = self.compiled
        allowed = c.allowed(step, self.facts)
        ts = [t for t in c.out.get(step, ()) if t.event == ev.event]
        if ev.event not in c.events:
            return EventNotAllowed(case_id, ev.event, step, allowed, "unknown-event",
                                   ev.post, "the flow has no such event")
        if step in c.ends:
            return EventNotAllowed(case_id, ev.event, step, allowed, "finished", ev.post)
        if not ts:
            return EventNotAllowed(case_id, ev.event, step, allowed, "wrong-step", ev.post)
        if ev.post is not None and all(t.actor is not None and t.actor != ev.post for t in ts):
            owners = ", ".join(sorted({t.actor for t in ts if t.actor}))
            return EventNotAllowed(case_id, ev.event, step, allowed, "actor", ev.post,
                                   f"only {owners} may do this")
        conds = "; ".join(t.condition.describe() for t in ts if t.condition is not None)
        return EventNotAllowed(case_id, ev.event, step, allowed, "condition", ev.post,
                               f"condition not met: {conds}" if conds else "refused")

    def passes(self) -> list[RiskPass]:
        risk_ids = list(self.flow.risks)
        rk, ev, ctl, ok = self.f.passes
        grouped: dict[tuple[int, int], list[ControlCheck]] = {}
        for r, j, c, o in zip(rk.tolist(), ev.tolist(), ctl.tolist(), ok.tolist(), strict=True):
            control = self.flow.risks[risk_ids[r]].controls[c]
            grouped.setdefault((self.order[j], r), []).append(
                ControlCheck(control.name, "evidence", control.evidence or "", bool(o)))
        return [RiskPass(risk_ids[r], self.flow.risks[risk_ids[r]].at, i, tuple(checks))
                for (i, r), checks in sorted(grouped.items())]

    def breaches(self) -> list[Breach]:
        out = []
        seps = self.flow.separation
        done = self.f.done.tolist()
        for i, s, gi in self.rows(Deviation.SEPARATION_BREACH):
            person = self.core.events[i].person or ""
            group = {self.steps.index(x) for x in seps[int(gi)].steps if x in self.flow.steps}
            first = next(k for j, k in enumerate(self.order)
                         if done[j] in group and done[j] != s
                         and self.core.events[k].person == person)
            out.append(Breach(person, (self.steps[done[self.order.index(first)]],
                                       self.steps[s]), i, first, seps[int(gi)].reason))
        return out

    # --- diagnostics ----------------------------------------------------------------------

    def diagnostics(self, path: list[StepTime], rejected: list[Rejected],
                    passes: list[RiskPass], breaches: list[Breach]) -> list[Diagnostic]:
        diags: list[Diagnostic] = []
        for r in rejected:
            err = r.error
            kind = Deviation.UNKNOWN_ACTIVITY if err.reason == "unknown-event" else (
                Deviation.EVENT_NOT_ALLOWED)
            allowed = ", ".join(err.allowed) or "—"
            diags.append(_diag(kind, self.loc(r.event_index), str(err), err.zh(),
                               Text(f"Allowed in step {err.step}: {allowed}.",
                                    f"环节 {err.step} 允许的事件：{allowed}。"),
                               event=r.event, step=err.step, reason=err.reason))
        diags += self._control_diags(passes)
        for b in breaches:
            diags.append(_diag(
                Deviation.SEPARATION_BREACH, self.loc(b.event_index),
                f"{b.person} did both {b.steps[0]} and {b.steps[1]}, which must be separated"
                + (f" ({b.reason})" if b.reason else ""),
                f"{b.person} 同时办理了应分离的环节 {b.steps[0]} 和 {b.steps[1]}"
                + (f"（{b.reason}）" if b.reason else ""),
                Text("Reassign one of the steps to another person.", "请将其中一个环节交由他人办理。"),
                person=b.person, steps=list(b.steps)))
        diags += self._time_diags()
        diags += self._case_diags()
        diags = _apply_suppressions(self.flow, diags)
        diags.sort(key=lambda d: (d.location.line, d.code))
        return diags

    def _control_diags(self, passes: list[RiskPass]) -> list[Diagnostic]:
        flow, out = self.flow, []
        for p in passes:
            risk = flow.risks[p.risk]
            for c in p.missing:
                out.append(_diag(
                    Deviation.CONTROL_EVIDENCE_MISSING, self.loc(p.event_index),
                    f"risk {p.risk} ({risk.level.value}) at {p.at}: control {c.name!r} has no "
                    f"evidence {c.ref!r} recorded",
                    f"风险点 {p.risk}（{risk.level.zh}）{p.at}：防控措施“{c.name}”缺少留痕 {c.ref!r}",
                    Text(f"Record `{c.ref}` in the event's evidence list.",
                         f"请在该事件的 evidence 中记录 `{c.ref}`。"),
                    risk=p.risk, evidence=c.ref))
        risk_ids = list(flow.risks)
        for i, s, v in self.rows(Deviation.CONTROL_STEP_SKIPPED):
            rid, sid = risk_ids[int(v)], self.steps[s]
            ctl = next(c for c in flow.risks[rid].controls if c.step == sid)
            ev = self.core.events[i].event if i >= 0 else "—"
            j = self.order.index(i) if i >= 0 else -1
            after = self.steps[int(self.r.replayed.after[j])] if j >= 0 else ""
            out_ = flow.steps[after].outcome if after else None
            if out_ is not None and out_.favourable and after != flow.risks[rid].at:
                what_en = f"reached outcome {after} ({flow.steps[after].name}), risk {rid}"
                what_zh = f"得出结果 {after}（{flow.steps[after].name}，风险点 {rid}）"
            else:
                what_en = f"passed risk {rid} (at {flow.risks[rid].at})"
                what_zh = f"经过风险点 {rid}（{flow.risks[rid].at}）"
            out.append(_diag(
                Deviation.CONTROL_STEP_SKIPPED, self.loc(i),
                f"event {ev!r} {what_en} without control step {sid} ({ctl.name}) completed "
                "before it", f"事件 {ev!r} {what_zh}时，防控环节 {sid}（{ctl.name}）尚未办理",
                Text("The control had to happen before this event: find out why it did not.",
                     "防控环节应在该事件之前办理，请查明原因。"), risk=rid, step=sid))
        return out

    def _time_diags(self) -> list[Diagnostic]:
        flow, out = self.flow, []
        for kind, _is_open in ((Deviation.STEP_OVERDUE, None), (Deviation.STEP_NEAR_LIMIT, True)):
            for i, s, v in self.rows(kind):
                sid = self.steps[s]
                step = flow.steps[sid]
                lim = limit_days(step.limit)
                closed = kind is Deviation.STEP_OVERDUE and not self._open_at(i, s)
                if kind is Deviation.STEP_OVERDUE:
                    en = (f"step {sid} ({step.name}) used {int(v)} working day(s); its limit is "
                          f"{step.limit}" if closed else f"open step {sid} ({step.name}) has used "
                          f"{int(v)} working day(s); its limit is {step.limit}")
                    zh = f"环节 {sid}（{step.name}）用时 {int(v)} 个工作日，超过时限 {step.limit}"
                    hint = Text("Record the reason for the delay and the approved extension, if "
                                "any.", "请记录延误原因及经批准的延期（如有）。")
                else:
                    en = (f"open step {sid} ({step.name}) has used {int(v)} of {lim} working "
                          f"day(s) (yellow at {self.ya:.0%})")
                    zh = (f"未办结环节 {sid}（{step.name}）已用 {int(v)}/{lim} 个工作日"
                          f"（{self.ya:.0%} 黄灯）")
                    hint = Text("Finish the step, or ask for an extension before it expires.",
                                "请尽快办理，或在到期前申请延期。")
                out.append(_diag(kind, self.loc(i), en, zh, hint, step=sid, days=int(v),
                                 limit=lim))
        return out + self._period_diags() + self._calendar_diags()

    def _period_diags(self) -> list[Diagnostic]:
        flow, out = self.flow, []
        for i, s, v in self.rows(Deviation.PERIOD_ENDED_EARLY):
            sid = self.steps[s]
            step = flow.steps[sid]
            out.append(_diag(
                Deviation.PERIOD_ENDED_EARLY, self.loc(i),
                f"step {sid} ({step.name}) ended after {int(v)} working day(s); its minimum "
                f"period (notice_days) is {step.notice_days}",
                f"环节 {sid}（{step.name}）仅 {int(v)} 个工作日即结束，不足最短期限 "
                f"{step.notice_days} 个工作日", Text(
                    "A notice must run its full period: record why it ended early.",
                    "公示（公告）须满期，请说明提前结束的原因。"),
                step=sid, days=int(v), minimum=step.notice_days))
        return out

    def _calendar_diags(self) -> list[Diagnostic]:
        out = []
        cal = self.r.calendar or self.compiled.calendar
        for i, _s, v in self.rows(Deviation.YEAR_NOT_DECLARED):
            year = int(v)
            out.append(_diag(
                Deviation.YEAR_NOT_DECLARED, self.loc(i),
                f"working days in {year} were counted on {cal.source(year)}",
                f"{year} 年的工作日" + ("按法定节假日计算（未声明调休安排）" if cal.name == "cn"
                                        else "按周一至周五计算（未声明该年节假日）"),
                Text(f"Declare the {year} arrangement (holidays and adjusted working days) "
                     "under `calendar:` in the catalogue or the log mapping.",
                     f"请在目录或日志映射的 calendar: 中声明 {year} 年的放假和调休上班日期。"),
                year=year))
        for i, _s, _v in self.rows(Deviation.TIME_OUTSIDE_CALENDAR):
            day = (self.core.events[i].time if i >= 0 else self.as_of).date().isoformat()
            out.append(_diag(
                Deviation.TIME_OUTSIDE_CALENDAR, self.loc(i),
                f"cannot count working days: {day} is outside the working-day calendar",
                f"无法计算工作日：{day} 超出工作日历覆盖范围",
                Text("Check the event time, or give the log or catalogue a calendar that covers "
                     "it.", "请检查事件时间，或为日志或目录指定覆盖该日期的工作日历。")))
        return out

    def _open_at(self, index: int, step: int) -> bool:
        f = self.f
        return bool(f.open_days.size and f.open_entered[0] >= 0
                    and self.order[int(f.open_entered[0])] == index
                    and int(self.r.replayed.final[0]) == step
                    and not self.r.encoded_flow.is_end[step])

    def _case_diags(self) -> list[Diagnostic]:
        flow, out = self.flow, []
        limits = flow.info.limits
        promised, statutory = limits.promised, limits.statutory
        lim = promised if promised is not None else statutory
        word = ("promised", "承诺") if promised is not None else ("statutory", "法定")
        for i, _s, v in self.rows(Deviation.CASE_OVERDUE):
            over_stat = promised is not None and statutory is not None and \
                v > limit_days(statutory)
            en_s = f" and the statutory limit of {statutory}" if over_stat else ""
            zh_s = f"，并超过法定时限 {statutory}" if over_stat else ""
            out.append(_diag(
                Deviation.CASE_OVERDUE, self.loc(i),
                f"case used {int(v)} counted working day(s), over the {word[0]} limit of "
                f"{lim}{en_s}", f"办件计时 {int(v)} 个工作日，超过{word[1]}时限 {lim}{zh_s}",
                Text("Explain the delay; excluded periods must be marked clock: excluded.",
                     "请说明延误原因；依法不计时的环节应标注 clock: excluded。"),
                days=int(v), limit=limit_days(lim)))
        for i, _s, v in self.rows(Deviation.CASE_NEAR_LIMIT):
            out.append(_diag(
                Deviation.CASE_NEAR_LIMIT, self.loc(i),
                f"open case has used {int(v)} of {lim} {word[0]} working day(s)",
                f"未办结办件已用 {int(v)}/{lim} 个{word[1]}工作日",
                Text("Prioritise this case.", "请优先办理。"), days=int(v)))
        for i, s, _v in self.rows(Deviation.CASE_UNFINISHED):
            sid = self.steps[s]
            out.append(_diag(
                Deviation.CASE_UNFINISHED, self.loc(i),
                f"the case is still at step {sid} ({flow.steps[sid].name}) as of "
                f"{self.as_of:%Y-%m-%d %H:%M}", f"截至 {self.as_of:%Y-%m-%d %H:%M}，办件仍停留在环节 "
                f"{sid}（{flow.steps[sid].name}）",
                Text("Record the remaining events, or audit with a later --as-of.",
                     "请补录后续事件，或用更晚的 --as-of 审计。"), step=sid))
        return out


def _apply_suppressions(flow: Any, diags: list[Diagnostic]) -> list[Diagnostic]:
    """A flow's `suppress:` entry for a PF5xx code (optionally `at` a step/risk) waives it."""
    out = []
    for d in diags:
        target = d.data.get("step") or d.data.get("risk")
        for s in flow.suppress:
            if s.code == d.code and (s.at is None or s.at == target):
                d = d.with_suppression(s.reason)
                break
        out.append(d)
    return out
