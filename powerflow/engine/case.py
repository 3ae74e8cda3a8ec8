"""The case file: what happened in one case, as an auditor hands it over.

Takes the bytes of a YAML or JSON case file (read by the strict loader `powerflow.source`, so
errors carry file:line:column); gives a `LoadedCase` with a validated `CaseFile` (the case id,
its facts, and its events, each with an aware time, the event name, the person, their post and
the evidence recorded) or the PF0xx diagnostics explaining why it could not be read. Times are
ISO 8601; a time without an offset is China Standard Time (Asia/Shanghai, UTC+8, no daylight
saving since 1991).

Must not: know about flows or machines (checking events against a flow is the audit's job),
print, or execute anything from the file.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..diagnostics import Diagnostic, Location, Severity, Text
from ..loader import pydantic_diagnostics
from ..model import ID_PATTERN
from ..source import Limits, SourceMap, locate, read_yaml

__all__ = ["CHINA_TZ", "CaseEvent", "CaseFile", "CaseInfo", "LoadedCase", "load_case",
           "load_case_text", "parse_time"]

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
"""China Standard Time. A fixed offset is exact for Asia/Shanghai since 1991 (no DST)."""

CaseId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[^\s/\\]+$")]
Ref = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=64)]


def parse_time(value: Any) -> dt.datetime:
    """An ISO 8601 date-time (or date) as an aware datetime in China Standard Time (working
    days are counted on Beijing dates); a time without an offset is already Beijing time.
    Years outside 1900-2199 are refused, like the log readers' PF089: an event at 9999-12-31
    in a live case would otherwise come before nothing and block every later event."""
    if isinstance(value, dt.datetime):
        t = value
    elif isinstance(value, dt.date):
        t = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        try:
            t = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"{value!r} is not an ISO 8601 time such as 2025-03-03T09:30:00+08:00") from None
    else:
        raise ValueError("a time must be an ISO 8601 string such as 2025-03-03T09:30:00+08:00")
    if not 1900 <= t.year < 2200:
        raise ValueError(f"{value!s:.40} is outside the years 1900-2199 (a placeholder such as "
                         "9999-12-31 or a mistyped year?)")
    return t.astimezone(CHINA_TZ) if t.tzinfo is not None else t.replace(tzinfo=CHINA_TZ)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", coerce_numbers_to_str=True)


class CaseEvent(_Strict):
    """One thing that happened: at `time`, `person` (holding `post`) did `event`."""

    time: dt.datetime
    event: Ref
    person: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    post: Ref | None = None
    evidence: tuple[Ref, ...] = ()
    note: str | None = None

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, v: Any) -> dt.datetime:
        return parse_time(v)


class CaseInfo(_Strict):
    """Who the case is. `as_of` dates a snapshot of an open case: the audit measures open
    steps up to it (default: the last event's time)."""

    id: CaseId
    power: str | None = None
    title: str | None = None
    as_of: dt.datetime | None = None

    @field_validator("as_of", mode="before")
    @classmethod
    def _as_of(cls, v: Any) -> dt.datetime | None:
        return None if v is None else parse_time(v)


class CaseFile(_Strict):
    """A whole case file. `facts` are what guard conditions read (amount, bidders …)."""

    case: CaseInfo
    facts: dict[Ref, str | int | float | bool | None] = {}
    events: tuple[CaseEvent, ...] = ()

    @model_validator(mode="after")
    def _ordered(self) -> CaseFile:
        for i in range(1, len(self.events)):
            if self.events[i].time < self.events[i - 1].time:
                raise ValueError(f"events must be in time order: event {i} "
                                 f"({self.events[i].event}) is earlier than event {i - 1}")
        return self


@dataclass(frozen=True)
class LoadedCase:
    """A case file after loading: `case` is None when the file has errors."""

    path: str
    case: CaseFile | None
    source: SourceMap = field(repr=False)
    diagnostics: tuple[Diagnostic, ...]

    def locate_event(self, index: int) -> Location:
        """Where event `index` starts in the file (its line)."""
        return locate(self.source, ("events", index), self.path)

    def locate(self, *path: str | int) -> Location:
        return locate(self.source, path, self.path)


def _order_diag(file: str, source: SourceMap, data: Any) -> list[Diagnostic]:
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list):
        return []
    prev: dt.datetime | None = None
    for i, ev in enumerate(events):
        try:
            t = parse_time(ev.get("time")) if isinstance(ev, dict) else None
        except ValueError:
            return []
        if t is not None and prev is not None and t < prev:
            return [Diagnostic(
                "PF005", Severity.ERROR, locate(source, ("events", i, "time"), file),
                Text(f"event {i} happens before the event listed above it; list events in "
                     "time order", f"第 {i} 个事件早于上一个事件；请按时间顺序列出事件"),
                Text("Sort the events by time, or correct the time.", "请按时间排序或更正时间。"),
                "invalid-value")]
        prev = t if t is not None else prev
    return []


def load_case_text(raw: bytes, file: str, limits: Limits = Limits()) -> LoadedCase:
    """Load a case file from bytes (the name is used for locations only)."""
    res = read_yaml(raw, file, limits)
    diags = list(res.diagnostics)
    if res.data is None or any(d.is_error for d in diags):
        return LoadedCase(file, None, res.source, tuple(diags))
    if not isinstance(res.data, dict):
        diags.append(Diagnostic(
            "PF004", Severity.ERROR, Location(file, 1, 1),
            Text("a case file is a mapping with keys case:, facts:, events:",
                 "办件文件顶层应为映射，包含 case:、facts:、events: 等键"),
            Text("See docs/cases.md for an example.", "示例见 docs/cases.md。"), "wrong-type"))
        return LoadedCase(file, None, res.source, tuple(diags))
    try:
        case = CaseFile.model_validate(res.data)
    except ValidationError as exc:
        found = pydantic_diagnostics(exc, res.data, res.source, file, CaseFile)
        order = _order_diag(file, res.source, res.data)
        found = [d for d in found if not (order and "time order" in d.message.en)] + order
        return LoadedCase(file, None, res.source, (*diags, *found))
    return LoadedCase(file, case, res.source, tuple(diags))


def load_case(path: str | os.PathLike[str], limits: Limits = Limits()) -> LoadedCase:
    """Load one case file (YAML or JSON)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        return LoadedCase(str(p), None, {}, (Diagnostic(
            "PF012", Severity.ERROR, Location(str(p)),
            Text(f"cannot read the case file: {exc.strerror or exc}",
                 f"无法读取办件文件：{exc.strerror or exc}"), None, "not-a-file"),))
    return load_case_text(raw, str(p), limits)
