"""Audit one case against its flow: path, time, risk points, duties, refusals, outcome.

Takes a `CompiledFlow` and a `LoadedCase` (or any events with a locator); gives a `CaseAudit`:
the path taken with the working days each step used against its limit (clock `counts`,
`paused`, `excluded` honoured), the case total against the promised and statutory limits, every
risk point passed with each evidence control evidenced or missing, control steps skipped on the
way to a favourable outcome, separation-of-duty breaches, refused events and the outcome, plus
PF5xx `Diagnostic`s located on the offending event's line. Yellow applies to open steps and open
cases at `yellow_at` of the limit (the catalogue's `defaults.yellow_at`, 90 % unless set); red to
anything over its limit. Also gives the `Overlay` of the path for the chart renderer.

Must not: read files, print, or read the system clock (`as_of` is passed in; by default the
last event's time).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..clock import status as light
from ..deviations import Deviation
from ..diagnostics import Diagnostic, Location, Text
from ..model import Limit, limit_days
from ..overlay import Overlay
from .case import CaseEvent, LoadedCase
from .compile import CompiledFlow
from .run import Breach, CaseRun, Rejected, RiskPass

__all__ = ["CaseAudit", "StepTime", "audit_case", "audit_events", "finish"]


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
        }


Locator = Callable[[int | None], Location]


def _diag(kind: Deviation, loc: Location, en: str, zh: str, hint: Text | None = None,
          **data: Any) -> Diagnostic:
    return Diagnostic(kind.code, kind.severity, loc, Text(en, zh), hint, kind.rule_name,
                      data=data)


def audit_events(compiled: CompiledFlow, case_id: str, facts: dict[str, Any],
                 events: Sequence[CaseEvent], locate: Locator, *, yellow_at: float | None = None,
                 as_of: dt.datetime | None = None, opened: dt.datetime | None = None) -> CaseAudit:
    """Run `events` through the flow and audit the result. The case opens at `opened` (by
    default its first event); `as_of` closes the books (by default its last event)."""
    opened = opened or (events[0].time if events else as_of)
    if opened is None:
        raise ValueError("a case with no events needs `opened` or `as_of`")
    run = CaseRun(compiled, case_id, facts, opened)
    for i, ev in enumerate(events):
        run.apply(i, ev.time, ev.event, ev.person, ev.post, ev.evidence)
    end = as_of or (events[-1].time if events else opened)
    return finish(run, end, locate, yellow_at=yellow_at)


def audit_case(compiled: CompiledFlow, loaded: LoadedCase, *, yellow_at: float | None = None,
               as_of: dt.datetime | None = None) -> CaseAudit:
    """Audit a loaded case file; diagnostics point at the offending event's line."""
    assert loaded.case is not None, "audit only cases that loaded without errors"
    case = loaded.case

    def locate(index: int | None) -> Location:
        return loaded.locate_event(index) if index is not None else loaded.locate("case")

    return audit_events(compiled, case.case.id, dict(case.facts), case.events, locate,
                        yellow_at=yellow_at, as_of=as_of or case.case.as_of)


def _time_diags(compiled: CompiledFlow, path: list[StepTime], locate: Locator,
                yellow_at: float) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for v in path:
        if v.limit is None or v.days < 0:
            continue
        lim = limit_days(v.limit)
        if v.status == "red":
            out.append(_diag(
                Deviation.STEP_OVERDUE, locate(v.event_index),
                f"step {v.step} ({v.name}) used {v.days} working day(s); its limit is {v.limit}",
                f"环节 {v.step}（{v.name}）用时 {v.days} 个工作日，超过时限 {v.limit}",
                Text("Record the reason for the delay and the approved extension, if any.",
                     "请记录延误原因及经批准的延期（如有）。"), step=v.step, days=v.days, limit=lim))
        elif v.status == "yellow" and v.left is None:
            out.append(_diag(
                Deviation.STEP_NEAR_LIMIT, locate(v.event_index),
                f"open step {v.step} ({v.name}) has used {v.days} of {lim} working day(s) "
                f"(yellow at {yellow_at:.0%})",
                f"未办结环节 {v.step}（{v.name}）已用 {v.days}/{lim} 个工作日（{yellow_at:.0%} 黄灯）",
                Text("Finish the step, or ask for an extension before it expires.",
                     "请尽快办理，或在到期前申请延期。"), step=v.step, days=v.days, limit=lim))
    return out


def _statutory_only(run: CaseRun, locate: Locator) -> list[Diagnostic]:
    """PF531 at the first event of the case that needed a year without a declared arrangement."""
    cal = run.calendar
    return [_diag(Deviation.YEAR_NOT_DECLARED, locate(idx),
                  f"working days in {year} were counted on {cal.source(year)}",
                  f"{year} 年的工作日" + ("按法定节假日计算（未声明调休安排）" if cal.name == "cn"
                                          else "按周一至周五计算（未声明该年节假日）"),
                  Text(f"Declare the {year} arrangement (holidays and adjusted working days) "
                       "under `calendar:` in the catalogue or the log mapping.",
                       f"请在目录或日志映射的 calendar: 中声明 {year} 年的放假和调休上班日期。"),
                  year=year)
            for year, idx in sorted(run.statutory_only.items())]


def finish(run: CaseRun, as_of: dt.datetime, locate: Locator, *,
           yellow_at: float | None = None) -> CaseAudit:
    """Close the books of a run at `as_of`: time against limits, skipped controls, findings."""
    compiled = run.compiled
    flow = compiled.flow
    ya = yellow_at if yellow_at is not None else flow.defaults.yellow_at
    path: list[StepTime] = []
    total = 0
    for v in run.visits:
        step = flow.steps[v.step]
        days = v.days if v.left is not None else run.days(v.entered, as_of, v.entered_by or 0)
        if days >= 0 and step.clock.value == "counts":
            total += days
        st = light(days, limit_days(step.limit), ya) if step.limit is not None and days >= 0 else ""
        if v.left is not None and st == "yellow":
            st = "green"  # yellow warns about open items only; a closed step in time is green
        idx = v.left_by if v.left is not None else v.entered_by
        path.append(StepTime(v.step, step.name, v.entered, v.left, days, step.limit,
                             step.clock.value, st, tuple(dict.fromkeys(v.persons)), idx))
    diags: list[Diagnostic] = []
    passes = run.risk_passes()
    for r in run.rejected:
        err = r.error
        kind = Deviation.UNKNOWN_ACTIVITY if err.reason == "unknown-event" else (
            Deviation.EVENT_NOT_ALLOWED)
        allowed = ", ".join(err.allowed) or "—"
        diags.append(_diag(kind, locate(r.event_index), str(err), err.zh(),
                           Text(f"Allowed in step {err.step}: {allowed}.",
                                f"环节 {err.step} 允许的事件：{allowed}。"),
                           event=r.event, step=err.step, reason=err.reason))
    for p in passes:
        risk = flow.risks[p.risk]
        for c in p.missing:
            diags.append(_diag(
                Deviation.CONTROL_EVIDENCE_MISSING, locate(p.event_index),
                f"risk {p.risk} ({risk.level.value}) at {p.at}: control {c.name!r} has no "
                f"evidence {c.ref!r} recorded",
                f"风险点 {p.risk}（{risk.level.zh}）{p.at}：防控措施“{c.name}”缺少留痕 {c.ref!r}",
                Text(f"Record `{c.ref}` in the event's evidence list.",
                     f"请在该事件的 evidence 中记录 `{c.ref}`。"), risk=p.risk, evidence=c.ref))
    for b in run.breaches:
        diags.append(_diag(
            Deviation.SEPARATION_BREACH, locate(b.event_index),
            f"{b.person} did both {b.steps[0]} and {b.steps[1]}, which must be separated"
            + (f" ({b.reason})" if b.reason else ""),
            f"{b.person} 同时办理了应分离的环节 {b.steps[0]} 和 {b.steps[1]}"
            + (f"（{b.reason}）" if b.reason else ""),
            Text("Reassign one of the steps to another person.", "请将其中一个环节交由他人办理。"),
            person=b.person, steps=list(b.steps)))
    for idx, cal in run.calendar_errors:
        diags.append(Diagnostic(
            Deviation.TIME_OUTSIDE_CALENDAR.code, Deviation.TIME_OUTSIDE_CALENDAR.severity,
            locate(idx), Text(f"cannot count working days: {cal}",
                              f"无法计算工作日：{cal.day.isoformat()} 超出工作日历覆盖范围"
                              f"（{cal.first}-{cal.last}）"),
            Text("Check the event time, or give the log or catalogue a calendar that covers it.",
                 "请检查事件时间，或为日志或目录指定覆盖该日期的工作日历。"),
            Deviation.TIME_OUTSIDE_CALENDAR.rule_name))
    diags += _statutory_only(run, locate)
    diags += _time_diags(compiled, path, locate, ya)
    outcome_step = flow.steps[run.step]
    outcome = outcome_step.outcome.value if run.finished and outcome_step.outcome else None
    last_idx = path[-1].event_index if path else None
    promised, statutory = flow.info.limits.promised, flow.info.limits.statutory
    case_status = ""
    if promised is not None and not run.calendar_errors:
        case_status = light(total, limit_days(promised), ya)
        over_stat = statutory is not None and total > limit_days(statutory)
        if case_status == "red":
            en_s = f" and the statutory limit of {statutory}" if over_stat else ""
            zh_s = f"，并超过法定时限 {statutory}" if over_stat else ""
            diags.append(_diag(
                Deviation.CASE_OVERDUE, locate(last_idx),
                f"case used {total} counted working day(s), over the promised limit of "
                f"{promised}{en_s}", f"办件计时 {total} 个工作日，超过承诺时限 {promised}{zh_s}",
                Text("Explain the delay; excluded periods must be marked clock: excluded.",
                     "请说明延误原因；依法不计时的环节应标注 clock: excluded。"),
                days=total, promised=limit_days(promised)))
        elif case_status == "yellow" and outcome is None:
            diags.append(_diag(
                Deviation.CASE_NEAR_LIMIT, locate(last_idx),
                f"open case has used {total} of {promised} promised working day(s)",
                f"未办结办件已用 {total}/{promised} 个承诺工作日",
                Text("Prioritise this case.", "请优先办理。"), days=total))
    skipped: list[tuple[str, str]] = []
    if outcome is not None and outcome_step.outcome is not None and outcome_step.outcome.favourable:
        seen = {v.step for v in run.visits}
        for p in {p.risk: p for p in passes}.values():
            for ctl in flow.risks[p.risk].controls:
                if ctl.step is not None and ctl.step not in seen and (
                        p.risk, ctl.step) not in skipped:
                    skipped.append((p.risk, ctl.step))
                    diags.append(_diag(
                        Deviation.CONTROL_STEP_SKIPPED, locate(last_idx),
                        f"the case reached {outcome} without control step {ctl.step} "
                        f"({ctl.name}) of risk {p.risk}",
                        f"办件未经防控环节 {ctl.step}（{ctl.name}，风险点 {p.risk}）即得出结果 "
                        f"{outcome}", Text("The flow lets this path bypass the control: fix the "
                                           "flow.", "流程允许绕过该防控环节，请修改流程。"),
                        risk=p.risk, step=ctl.step))
    if outcome is None:
        last_event = max([i for v in run.visits for i in (v.entered_by, v.left_by)
                          if i is not None] + [r.event_index for r in run.rejected], default=None)
        diags.append(_diag(
            Deviation.CASE_UNFINISHED, locate(last_event),
            f"the case is still at step {run.step} ({outcome_step.name}) as of "
            f"{as_of:%Y-%m-%d %H:%M}", f"截至 {as_of:%Y-%m-%d %H:%M}，办件仍停留在环节 "
            f"{run.step}（{outcome_step.name}）",
            Text("Record the remaining events, or audit with a later --as-of.",
                 "请补录后续事件，或用更晚的 --as-of 审计。"), step=run.step))
    diags = _apply_suppressions(flow, diags)
    diags.sort(key=lambda d: (d.location.line, d.code))
    return CaseAudit(
        case_id=run.model.case_id, power=flow.code, power_name=flow.name, path=tuple(path),
        edges=tuple(run.edges()), total_days=total, promised=promised, statutory=statutory,
        case_status=case_status, risks=tuple(passes), skipped_controls=tuple(skipped),
        breaches=tuple(run.breaches), rejected=tuple(run.rejected), outcome=outcome,
        step=run.step, as_of=as_of, yellow_at=ya, diagnostics=tuple(diags))


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
