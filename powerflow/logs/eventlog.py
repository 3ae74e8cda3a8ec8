"""The event log in memory: one column-oriented record, built once from rows or an Arrow table.

Takes rows (from the CSV and XES readers: a line number and a dict of attribute → value) or an
Arrow table (from Parquet), and a `LogMapping`; gives an `EventLog`: integer-coded columns in
NumPy arrays (case, activity, person, post; times as int64 nanoseconds since the epoch in UTC;
evidence as booleans) plus the names behind the codes, the case facts, and diagnostics.

Time: aware timestamps keep their instant and are compared in UTC; a naive timestamp is read as
local time in the mapping's `timezone`. Missing persons are kept as code -1. Unknown activities
are kept (they are only recognised as unknown later, against the mapping); only activities the
mapping lists under `ignore`, and events of another lifecycle transition, are dropped, and both
are counted. Every reader has the same semantics (`powerflow.logs.quality`): a row without a
case id or activity (PF061), with an unreadable time (PF062) or a time outside 1900-2199
(PF089) is skipped, located and counted, never invented or kept; lifecycle values match with
case and surrounding spaces ignored, the others are counted by value (PF088); duplicate events
are kept and reported (PF087).

Must not: interpret activities against the flow, or execute anything from the log.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ..diagnostics import Diagnostic, Location, Severity, Text
from .mapping import LogMapping
from .quality import LifecycleFilter, RowProblems, duplicate_events, suspicious_names

__all__ = ["NO_TIME", "OUT_OF_RANGE", "TIME_MAX", "TIME_MIN", "EventLog", "build_from_rows",
           "evidence_present", "finish", "parse_time", "read_time"]

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
    dropped: dict[str, int] = field(default_factory=dict)
    """Rows the reader skipped, by diagnostic name (`log-column-missing`, `log-bad-timestamp`,
    `log-time-out-of-range`); each kind's first rows are located in `diagnostics`."""
    other_lifecycle_values: dict[str, int] = field(default_factory=dict)
    """Events left out for their lifecycle transition, by the value the log holds."""
    lifecycle_variants: dict[str, int] = field(default_factory=dict)
    """Lifecycle values kept although they differ from the mapping's in case or spaces."""
    duplicates: int = 0
    """Events identical to an earlier one in every column the audit reads (kept, PF087)."""
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


TIME_MIN = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
TIME_MAX = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
"""Event times are read from 1900-01-01 (inclusive) to 2200-01-01 (exclusive), UTC; others are
out of range (PF089): `9999-12-31` placeholders and typed-in years such as `0202`."""
OUT_OF_RANGE = "out-of-range"


def read_time(value: Any, zone: dt.tzinfo) -> int | str:
    """A timestamp (datetime or ISO 8601 text) as int nanoseconds since the epoch, UTC, or the
    reason it cannot be used: ``"unreadable"`` or `OUT_OF_RANGE`. Naive times are read in
    `zone`."""
    if isinstance(value, dt.datetime):
        t = value
    elif isinstance(value, str) and value.strip():
        try:
            t = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return "unreadable"
    else:
        return "unreadable"
    try:
        if t.tzinfo is None:
            t = t.replace(tzinfo=zone)
        if not TIME_MIN <= t < TIME_MAX:
            return OUT_OF_RANGE
    except OverflowError:
        return OUT_OF_RANGE
    delta = t - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


def parse_time(value: Any, zone: dt.tzinfo) -> int | None:
    """`read_time`, with None for a time that cannot be used."""
    t = read_time(value, zone)
    return t if isinstance(t, int) else None


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


@dataclass
class _Columns:
    """The growing columns, as compact typed arrays (a few bytes per event)."""

    case: array[int] = field(default_factory=lambda: array("i"))
    act: array[int] = field(default_factory=lambda: array("i"))
    time: array[int] = field(default_factory=lambda: array("q"))
    person: array[int] = field(default_factory=lambda: array("i"))
    post: array[int] = field(default_factory=lambda: array("i"))
    line: array[int] = field(default_factory=lambda: array("i"))


def build_from_rows(rows: Iterable[tuple[int, dict[str, Any]]], mapping: LogMapping,
                    path: str, line_kind: str = "line") -> EventLog:
    """Build an `EventLog` from (line, attributes) rows in file order, consuming them one by
    one (a streaming reader's rows are never all in memory)."""
    cols = mapping.columns
    zone = zoneinfo.ZoneInfo(mapping.timezone)
    cases, acts, persons, posts = _Codes(), _Codes(), _Codes(), _Codes()
    out = _Columns()
    ev: dict[str, bytearray] = {k: bytearray() for k in mapping.evidence}
    case_cols = mapping.case_attributes()
    facts: dict[str, dict[int, Any]] = {k: {} for k in case_cols}
    problems = RowProblems(path, line_kind)
    lifecycle = LifecycleFilter(mapping.lifecycle if cols.lifecycle else None)
    ignored = 0
    seen_cols: set[str] = set()
    for line, row in rows:
        if len(seen_cols) < 10_000:
            seen_cols.update(row)
        if lifecycle.active and not lifecycle.keep(row.get(cols.lifecycle or "")):
            continue
        case = row.get(cols.case)
        activity = row.get(cols.activity)
        if _blank(case) or _blank(activity):
            problems.missing_id(line, cols.case if _blank(case) else cols.activity)
            continue
        if mapping.ignores(str(activity)):
            ignored += 1
            continue
        t = read_time(row.get(cols.time), zone)
        if not isinstance(t, int):
            problems.bad_time(line, cols.time, row.get(cols.time), t)
            continue
        ci = cases.code(str(case))
        out.case.append(ci)
        out.act.append(acts.code(str(activity)))
        out.time.append(t)
        p = row.get(cols.person) if cols.person else None
        out.person.append(-1 if _blank(p) else persons.code(str(p)))
        q = row.get(cols.post) if cols.post else None
        out.post.append(-1 if _blank(q) else posts.code(str(q)))
        out.line.append(line)
        for eid, col in mapping.evidence.items():
            ev[eid].append(evidence_present(row.get(col)))
        for fid, col in case_cols.items():
            v = _fact_value(row.get(col))
            if v is not None and ci not in facts[fid]:
                facts[fid][ci] = v
    diags = [d for need in (cols.case, cols.activity, cols.time)
             if seen_cols and need not in seen_cols
             for d in [_missing_column(path, need, seen_cols)]]
    n = len(cases.names)
    log = EventLog(
        path=path, case_names=cases.names, case=_np(out.case, np.int32),
        activity_names=acts.names, activity=_np(out.act, np.int32),
        time=_np(out.time, np.int64), person_names=persons.names,
        person=_np(out.person, np.int32), post_names=posts.names,
        post=_np(out.post, np.int32), line=_np(out.line, np.int32),
        evidence={k: np.frombuffer(v, dtype=np.bool_) if v else np.zeros(0, np.bool_)
                  for k, v in ev.items()},
        facts={k: [v.get(i) for i in range(n)] for k, v in facts.items()},
        ignored=ignored, diagnostics=diags, line_kind=line_kind,
        attributes=tuple(sorted(seen_cols)))
    return finish(log, problems, lifecycle)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and value != value)


def _np(values: array[int], dtype: Any) -> Any:
    return np.frombuffer(values, dtype=dtype) if len(values) else np.zeros(0, dtype)


def finish(log: EventLog, problems: RowProblems, lifecycle: LifecycleFilter) -> EventLog:
    """Record what reading dropped or kept doubtfully: skipped rows, other lifecycles,
    duplicates and suspicious names (the same for every reader)."""
    log.diagnostics[:0] = problems.diagnostics()
    log.dropped.update(problems.counts)
    log.other_lifecycle = lifecycle.dropped
    log.other_lifecycle_values = dict(lifecycle.others)
    log.lifecycle_variants = dict(lifecycle.variants)
    log.diagnostics += lifecycle.diagnostics(log.path)
    log.diagnostics += duplicate_events(log)
    log.diagnostics += suspicious_names(log)
    return log


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
