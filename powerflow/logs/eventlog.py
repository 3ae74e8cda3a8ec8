"""The event log in memory: one column-oriented record, built once from rows or an Arrow table.

Takes rows (from the CSV and XES readers: a line number and a dict of attribute → value) or an
Arrow table (from Parquet), and a `LogMapping`; gives an `EventLog`: integer-coded columns in
NumPy arrays (case, activity, person, post; times as int64 nanoseconds since the epoch in UTC;
evidence as booleans) plus the names behind the codes, the case facts, and diagnostics.

Time: aware timestamps keep their instant and are compared in UTC; a naive timestamp is read as
local time in the mapping's `timezone`. Missing persons are kept as code -1. Unknown activities
are kept (they are only recognised as unknown later, against the mapping); only activities the
mapping lists under `ignore`, and events of another lifecycle transition, are dropped, and both
are counted.

Must not: interpret activities against the flow, or execute anything from the log.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ..diagnostics import Diagnostic, Location, Severity, Text
from .mapping import LogMapping

__all__ = ["NO_TIME", "EventLog", "build_from_rows", "evidence_present", "parse_time"]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
NO_TIME = np.iinfo(np.int64).min
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_FALSY = {"", "0", "false", "no", "none", "null", "nil", "nan", "n"}


@dataclass
class EventLog:
    """A whole log as arrays; event i is described by ``case[i]``, ``activity[i]`` …"""

    path: str
    case_names: list[str]
    case: I32
    activity_names: list[str]
    activity: I32
    time: I64
    person_names: list[str]
    person: I32
    post_names: list[str]
    post: I32
    line: I32
    evidence: dict[str, Bools] = field(default_factory=dict)
    facts: dict[str, list[Any]] = field(default_factory=dict)
    ignored: int = 0
    other_lifecycle: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    line_kind: str = "line"
    attributes: tuple[str, ...] = ()
    """Every attribute (column) name the log has, for the audit's coverage notes."""

    @property
    def n_events(self) -> int:
        return int(self.case.shape[0])

    @property
    def n_cases(self) -> int:
        return len(self.case_names)

    def where(self, event: int) -> Location:
        """The source location of event `event` (CSV/XES line, or Parquet row)."""
        return Location(self.path, int(self.line[event]), 0)


def evidence_present(value: Any) -> bool:
    """Evidence counts as recorded when the attribute holds something other than an empty or
    negative word (``""``, ``0``, ``false``, ``no``, ``none``, ``null``, ``nil``, ``nan``)."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value != value:
        return False
    return str(value).strip().lower() not in _FALSY


def parse_time(value: Any, zone: dt.tzinfo) -> int | None:
    """A timestamp (datetime or ISO 8601 text) as int nanoseconds since the epoch, UTC.
    Naive times are read in `zone`; None when the value cannot be read."""
    if isinstance(value, dt.datetime):
        t = value
    elif isinstance(value, str) and value.strip():
        try:
            t = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=zone)
    delta = t - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


class _Codes:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.names: list[str] = []

    def code(self, name: str) -> int:
        c = self.index.get(name)
        if c is None:
            c = self.index[name] = len(self.names)
            self.names.append(name)
        return c


_BOOLS = {"true": True, "false": False}


def _fact_value(value: Any) -> Any:
    if isinstance(value, str):
        s = value.strip()
        if not s:
            return None
        if s.lower() in _BOOLS:  # a log's `true` is the boolean a guard compares with
            return _BOOLS[s.lower()]
        try:
            return int(s)
        except ValueError:
            pass
        try:
            return float(s)
        except ValueError:
            return s
    return value


def build_from_rows(rows: Iterable[tuple[int, dict[str, Any]]], mapping: LogMapping,
                    path: str, line_kind: str = "line") -> EventLog:
    """Build an `EventLog` from (line, attributes) rows in file order."""
    cols = mapping.columns
    zone = zoneinfo.ZoneInfo(mapping.timezone)
    cases, acts, persons, posts = _Codes(), _Codes(), _Codes(), _Codes()
    c_case: list[int] = []
    c_act: list[int] = []
    c_time: list[int] = []
    c_person: list[int] = []
    c_post: list[int] = []
    c_line: list[int] = []
    ev: dict[str, list[bool]] = {k: [] for k in mapping.evidence}
    case_cols = mapping.case_attributes()
    facts: dict[str, dict[int, Any]] = {k: {} for k in case_cols}
    diags: list[Diagnostic] = []
    ignored = other = bad_time = no_id = 0
    seen_cols: set[str] = set()
    first = True
    for line, row in rows:
        if first:
            seen_cols = set(row)
            first = False
        else:
            seen_cols.update(row)
        if mapping.lifecycle and cols.lifecycle:
            lc = row.get(cols.lifecycle)
            if lc not in (None, "") and str(lc).lower() != mapping.lifecycle.lower():
                other += 1
                continue
        case = row.get(cols.case)
        activity = row.get(cols.activity)
        if case in (None, "") or activity in (None, ""):
            no_id += 1
            if no_id > 20:
                continue
            diags.append(Diagnostic("PF061", Severity.ERROR, Location(path, line, 0), Text(
                f"event without a case id ({cols.case}) or activity ({cols.activity}): skipped",
                f"事件缺少案件编号（{cols.case}）或活动（{cols.activity}），已跳过"),
                Text("Fix the log, or map the right columns under `columns:` in the mapping.",
                     "请修正日志，或在映射文件的 columns 中指定正确的列。"), "log-column-missing"))
            continue
        if mapping.ignores(str(activity)):
            ignored += 1
            continue
        t = parse_time(row.get(cols.time), zone)
        if t is None:
            bad_time += 1
            if bad_time <= 20:
                diags.append(Diagnostic("PF062", Severity.ERROR, Location(path, line, 0), Text(
                    f"unreadable timestamp {row.get(cols.time)!r} in {cols.time!r}: event skipped",
                    f"{cols.time!r} 中的时间 {row.get(cols.time)!r} 无法识别，事件已跳过"),
                    Text("Use ISO 8601, e.g. 2011-10-11T13:45:40+02:00.",
                         "请使用 ISO 8601 格式，例如 2011-10-11T13:45:40+08:00。"),
                    "log-bad-timestamp"))
            continue
        ci = cases.code(str(case))
        c_case.append(ci)
        c_act.append(acts.code(str(activity)))
        c_time.append(t)
        p = row.get(cols.person) if cols.person else None
        c_person.append(persons.code(str(p)) if p not in (None, "") else -1)
        q = row.get(cols.post) if cols.post else None
        c_post.append(posts.code(str(q)) if q not in (None, "") else -1)
        c_line.append(line)
        for eid, col in mapping.evidence.items():
            ev[eid].append(evidence_present(row.get(col)))
        for fid, col in case_cols.items():
            v = _fact_value(row.get(col))
            if v is not None and ci not in facts[fid]:
                facts[fid][ci] = v
    if no_id > 20:
        diags.append(Diagnostic("PF061", Severity.ERROR, Location(path), Text(
            f"{no_id} events in all had no case id or activity and were skipped",
            f"共有 {no_id} 个事件缺少案件编号或活动，已跳过"), name="log-column-missing"))
    if bad_time > 20:
        diags.append(Diagnostic("PF062", Severity.ERROR, Location(path), Text(
            f"{bad_time} events in all had an unreadable timestamp and were skipped",
            f"共有 {bad_time} 个事件的时间无法识别，已跳过"), name="log-bad-timestamp"))
    for need in (cols.case, cols.activity, cols.time):
        if seen_cols and need not in seen_cols:
            diags.append(_missing_column(path, need, seen_cols))
    n = len(cases.names)
    return EventLog(
        path=path, case_names=cases.names, case=np.asarray(c_case, dtype=np.int32),
        activity_names=acts.names, activity=np.asarray(c_act, dtype=np.int32),
        time=np.asarray(c_time, dtype=np.int64), person_names=persons.names,
        person=np.asarray(c_person, dtype=np.int32), post_names=posts.names,
        post=np.asarray(c_post, dtype=np.int32), line=np.asarray(c_line, dtype=np.int32),
        evidence={k: np.asarray(v, dtype=np.bool_) for k, v in ev.items()},
        facts={k: [v.get(i) for i in range(n)] for k, v in facts.items()},
        ignored=ignored, other_lifecycle=other, diagnostics=diags, line_kind=line_kind,
        attributes=tuple(sorted(seen_cols)))


def _missing_column(path: str, need: str, seen: set[str]) -> Diagnostic:
    import difflib

    near = difflib.get_close_matches(need, sorted(seen), n=1)
    return Diagnostic("PF061", Severity.ERROR, Location(path, 1, 1), Text(
        f"the log has no column {need!r}" + (f"; did you mean {near[0]!r}?" if near else ""),
        f"日志中没有列 {need!r}" + (f"；是否应为 {near[0]!r}？" if near else "")),
        Text(f"Name the log's column under `columns:` in the mapping file. Columns seen: "
             f"{', '.join(sorted(seen)[:12])}.",
             f"请在映射文件的 columns 中指定日志的列名。已有的列：{'、'.join(sorted(seen)[:12])}。"),
        "log-column-missing")
