"""The log mapping: which log columns mean what, and which log activity is which flow event.

Takes the bytes of a `<flow>.mapping.yaml` (read by the strict loader `powerflow.source.read_yaml`)
and the `Flow` it belongs to; gives a validated `LogMapping` and diagnostics (PF003-PF006 for the
shape, PF063 for activities mapped to events the flow lacks, PF066 for evidence the flow does not
ask for), each with `file:line:column`.

Must not: read the log, execute anything, or guess a mapping silently.
"""

from __future__ import annotations

import difflib
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..clock import Calendar, calendar_from_spec
from ..diagnostics import Diagnostic, Location, Severity, Text
from ..model import CalendarField, Flow, calendar_spec
from ..source import SourceMap, locate, read_yaml

__all__ = ["Columns", "LoadedMapping", "LogMapping", "calendar_for", "default_mapping",
           "load_mapping", "mapping_path_for"]

DEFAULT_ZONE = "Asia/Shanghai"


class Columns(BaseModel):
    """Log column (attribute) names. Defaults are the XES standard names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case: str = "case:concept:name"
    activity: str = "concept:name"
    time: str = "time:timestamp"
    person: str | None = "org:resource"
    post: str | None = "org:group"
    lifecycle: str | None = "lifecycle:transition"


class LogMapping(BaseModel):
    """How one log maps onto one flow.

    ``activities`` maps a log activity name to a flow event; ``ignore`` lists activity names to
    drop on purpose (every other unmapped activity is kept and reported as PF508);
    ``evidence`` maps an evidence id named by a flow control to the log attribute that records
    it; ``facts`` maps a case fact read by transition conditions to a log attribute;
    ``timezone`` is the zone whose calendar dates count working days; ``calendar`` the
    working-day calendar they are counted on (else the catalogue's); ``lifecycle`` keeps only
    events with that lifecycle transition (when the log has the column).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    columns: Columns = Columns()
    activities: dict[str, str] = {}
    ignore: tuple[str, ...] = ()
    evidence: dict[str, str] = {}
    facts: dict[str, str] = {}
    timezone: str = DEFAULT_ZONE
    lifecycle: str | None = "complete"
    yellow_at: Annotated[float, Field(gt=0, lt=1)] | None = None
    calendar: CalendarField | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            zoneinfo.ZoneInfo(v)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}; use an IANA name such as "
                             "Asia/Shanghai or Europe/Amsterdam") from None
        return v


@dataclass(frozen=True)
class LoadedMapping:
    path: str | None
    mapping: LogMapping | None
    diagnostics: tuple[Diagnostic, ...]


def calendar_for(mapping: LogMapping, flow: Flow) -> Calendar:
    """The calendar a log is counted on: the mapping's `calendar:`, else the catalogue's."""
    own = mapping.calendar
    return calendar_from_spec(calendar_spec(own if own is not None else flow.defaults.calendar))


def mapping_path_for(flow_path: str | Path) -> Path:
    """`flows/x.yaml` → `flows/x.mapping.yaml`."""
    p = Path(flow_path)
    stem = p.name.rsplit(".", 1)[0]
    return p.with_name(f"{stem}.mapping.yaml")


def default_mapping(flow: Flow) -> LogMapping:
    """Without a mapping file, log activity names are taken to be the flow's event ids."""
    events = sorted({t.event for t in flow.transitions})
    return LogMapping(activities={e: e for e in events})


def _warn(code: str, loc: Location, en: str, zh: str, hint: Text, name: str,
          sev: Severity = Severity.WARNING) -> Diagnostic:
    return Diagnostic(code, sev, loc, Text(en, zh), hint, name)


def _check_against_flow(m: LogMapping, flow: Flow, file: str,
                        source: SourceMap) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    events = sorted({t.event for t in flow.transitions})
    for activity, event in m.activities.items():
        if event not in events:
            near = difflib.get_close_matches(event, events, n=1)
            dym = f"; did you mean {near[0]!r}?" if near else ""
            dym_zh = f"；是否应为 {near[0]!r}？" if near else ""
            diags.append(_warn(
                "PF063", locate(source, ("activities", activity), file),
                f"activity {activity!r} is mapped to {event!r}, which no transition of the flow "
                f"has{dym}", f"活动 {activity!r} 映射到的事件 {event!r} 在流程的流转中不存在{dym_zh}",
                Text(f"Use one of the flow's events: {', '.join(events)}.",
                     f"请使用流程中的事件：{'、'.join(events)}。"),
                "mapping-unknown-event", Severity.ERROR))
    both = set(m.activities) & set(m.ignore)
    for activity in sorted(both):
        diags.append(_warn(
            "PF063", locate(source, ("activities", activity), file),
            f"activity {activity!r} is both mapped and ignored",
            f"活动 {activity!r} 既被映射又被忽略",
            Text("Keep it in one of `activities` or `ignore`.", "只保留在 activities 或 ignore 之一中。"),
            "mapping-unknown-event", Severity.ERROR))
    asked = {c.evidence for r in flow.risks.values() for c in r.controls if c.evidence}
    for ev in m.evidence:
        if ev not in asked:
            diags.append(_warn(
                "PF066", locate(source, ("evidence", ev), file, key=True),
                f"evidence {ev!r} is not asked for by any control of the flow",
                f"流程中没有防控措施要求留痕 {ev!r}",
                Text(f"Evidence the flow asks for: {', '.join(sorted(asked)) or '(none)'}.",
                     f"流程要求的留痕：{'、'.join(sorted(asked)) or '（无）'}。"),
                "mapping-unknown-evidence"))
    return diags


def load_mapping(path: str | Path, flow: Flow) -> LoadedMapping:
    """Read and validate a mapping file against `flow`. `mapping` is None on errors."""
    from ..loader import pydantic_diagnostics

    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return LoadedMapping(file, None, (Diagnostic(
            "PF060", Severity.ERROR, Location(file), Text(
                f"cannot read the mapping file: {exc.strerror}", f"无法读取映射文件：{exc.strerror}"),
            Text("Check the path given to --mapping.", "请检查 --mapping 给出的路径。"),
            "log-unreadable"),))
    res = read_yaml(raw, file)
    diags = list(res.diagnostics)
    if res.data is None:
        return LoadedMapping(file, None, tuple(diags))
    if not isinstance(res.data, dict):
        diags.append(Diagnostic("PF004", Severity.ERROR, Location(file, 1, 1), Text(
            "a mapping file is a mapping (columns, activities, ignore, evidence, facts, timezone)",
            "映射文件应为映射（columns、activities、ignore、evidence、facts、timezone）"),
            name="wrong-type"))
        return LoadedMapping(file, None, tuple(diags))
    data = dict(res.data)
    if isinstance(data.get("activities"), dict):
        # A null value (`Some activity: ~`) means "ignore" as well.
        acts = data["activities"]
        nulls = [k for k, v in acts.items() if v is None]
        if nulls:
            data["activities"] = {k: v for k, v in acts.items() if v is not None}
            data["ignore"] = [*(data.get("ignore") or []), *nulls]
    try:
        mapping = LogMapping.model_validate(data)
    except ValidationError as exc:
        diags += pydantic_diagnostics(exc, res.data, res.source, file, LogMapping)
        return LoadedMapping(file, None, tuple(diags))
    diags += _check_against_flow(mapping, flow, file, res.source)
    if mapping.calendar is not None:
        from ..calendars import resolve_calendar

        spec, cal_diags = resolve_calendar(mapping.calendar, res.data, res.source, file,
                                           ("calendar",))
        diags += cal_diags
        mapping = mapping.model_copy(update={"calendar": spec})
    ok = not any(d.severity is Severity.ERROR for d in diags)
    return LoadedMapping(file, mapping if ok else None, tuple(diags))
