"""Column-wise reading with pyarrow: Parquet logs, and large CSV logs.

Takes a path and a `LogMapping`; gives an `EventLog` built from Arrow columns without a Python
loop per event (dictionary encoding for case, activity, person and post; timestamps converted to
UTC nanoseconds, naive ones read in the mapping's zone). pyarrow is an optional extra
(`pip install powerflow[parquet]`); without it Parquet gives PF064 and CSV falls back to the
standard library reader.

Rows are judged exactly as the CSV and XES readers judge them (`powerflow.logs.quality`): a
missing case id, activity or time is reported at its row and the row skipped, never filled in.

Must not: execute anything from the file, or fill in a missing value.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

import numpy as np

from ..diagnostics import Diagnostic, Location, Severity, Text
from .eventlog import (
    _EPOCH,
    OUT_OF_RANGE,
    TIME_MAX,
    TIME_MIN,
    EventLog,
    _missing_column,
    finish,
    read_time,
)
from .mapping import LogMapping
from .quality import LifecycleFilter, RowProblems
from .readers import LogReadError, unreadable
from .timezones import local_to_utc

__all__ = ["log_from_table", "read_csv_arrow", "read_parquet", "wanted_columns"]

def _codes(col: Any) -> tuple[np.ndarray[Any, Any], list[str]]:
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = col.cast(pa.string()) if not pa.types.is_string(col.type) else col
    enc = pc.dictionary_encode(arr).combine_chunks()
    idx = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    return idx, [str(x) for x in enc.dictionary.to_pylist()]


def read_parquet(p: Path, mapping: LogMapping) -> EventLog:
    """Read a Parquet log (only the columns the mapping needs)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise LogReadError([Diagnostic("PF064", Severity.ERROR, Location(str(p)), Text(
            "reading Parquet needs pyarrow, which is not installed",
            "读取 Parquet 需要 pyarrow，但尚未安装"),
            Text("pip install 'powerflow[parquet]' (or read the log as CSV or XES).",
                 "请执行 pip install 'powerflow[parquet]'（或改用 CSV、XES 日志）。"),
            "parquet-not-installed")]) from None
    cols = mapping.columns
    try:
        schema = pq.read_schema(p)
    except (OSError, pa.ArrowException) as exc:
        raise unreadable(str(p), f"not a Parquet file: {exc}", f"不是 Parquet 文件：{exc}") from None
    names = set(schema.names)
    missing = [c for c in (cols.case, cols.activity, cols.time) if c not in names]
    if missing:
        raise LogReadError([_missing_column(str(p), c, names) for c in missing])
    table = pq.read_table(p, columns=_wanted(mapping, names))
    return _from_table(table, names, mapping, str(p), 1, "row")


def _wanted(mapping: LogMapping, names: set[str]) -> list[str]:
    cols = mapping.columns
    return list(dict.fromkeys([cols.case, cols.activity, cols.time, *(c for c in (
        cols.person, cols.post, cols.lifecycle, *mapping.evidence.values(),
        *mapping.case_attributes().values()) if c and c in names)]))


def read_csv_arrow(p: Path, mapping: LogMapping, delimiter: str) -> EventLog:
    """Read a large CSV log with pyarrow.csv (types inferred; ISO 8601 times with offsets
    become UTC timestamps)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    cols = mapping.columns
    try:
        with pcsv.open_csv(p, parse_options=pcsv.ParseOptions(delimiter=delimiter),
                           read_options=pcsv.ReadOptions(block_size=1 << 16)) as reader:
            header = reader.schema.names
    except pa.ArrowException as exc:
        raise unreadable(str(p), f"CSV error: {exc}", f"CSV 格式错误：{exc}") from None
    names = set(header)
    missing = [c for c in (cols.case, cols.activity, cols.time) if c not in names]
    if missing:
        raise LogReadError([_missing_column(str(p), c, names) for c in missing])
    try:
        table = pcsv.read_csv(p, parse_options=pcsv.ParseOptions(delimiter=delimiter),
                              convert_options=pcsv.ConvertOptions(
                                  include_columns=_wanted(mapping, names),
                                  strings_can_be_null=True))
    except pa.ArrowException as exc:
        raise unreadable(str(p), f"CSV error: {exc}", f"CSV 格式错误：{exc}") from None
    return _from_table(table, names, mapping, str(p), 2, "line")


def _from_table(table: Any, names: set[str], mapping: LogMapping, path: str, first_line: int,
                line_kind: str) -> EventLog:
    """The row reader's semantics (`powerflow.logs.quality`) on whole columns: lifecycle, then
    missing ids, then ignored activities, then times; every skipped row located and counted."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = mapping.columns
    rows = np.arange(first_line, table.num_rows + first_line, dtype=np.int32)
    problems = RowProblems(path, line_kind)
    lifecycle = LifecycleFilter(mapping.lifecycle if cols.lifecycle else None)
    keep = np.ones(table.num_rows, dtype=np.bool_)
    if lifecycle.active and cols.lifecycle in names:
        keep &= _lifecycle(table[cols.lifecycle], lifecycle)
    for col in (cols.case, cols.activity):
        blank = _np_bool(pc.or_kleene(pc.is_null(table[col]), pc.equal(
            pc.utf8_trim_whitespace(table[col].cast(pa.string())), ""))) & keep
        for i in np.flatnonzero(blank):
            problems.missing_id(int(rows[i]), col)
        keep &= ~blank
    ignored = 0
    if mapping.ignore:
        acts = table[cols.activity].cast(pa.string())
        dropped = [a for a in pc.unique(acts).to_pylist() if a is not None and mapping.ignores(a)]
        ig = _np_bool(pc.is_in(acts, value_set=pa.array(dropped, pa.string()))) & keep
        ignored = int(ig.sum())
        keep &= ~ig
    time, why = _arrow_time(table[cols.time], mapping.timezone)
    bad = (why > 0) & keep
    if bad.any():
        raw = table[cols.time].take(pa.array(np.flatnonzero(bad))).to_pylist()
        for i, v in zip(np.flatnonzero(bad), raw, strict=True):
            problems.bad_time(int(rows[i]), cols.time, v,
                              OUT_OF_RANGE if why[i] == 2 else "unreadable")
    keep &= ~bad
    if not keep.all():
        table = table.filter(pa.array(keep))
        rows, time = rows[keep], time[keep]
    log = _columns(table, names, mapping, path, rows, time, line_kind)
    log.ignored = ignored
    return finish(log, problems, lifecycle)


def _np_bool(arr: Any) -> Any:
    return arr.to_numpy(zero_copy_only=False).astype(np.bool_)


def _lifecycle(col: Any, lifecycle: LifecycleFilter) -> Any:
    """Rows to keep by lifecycle (tolerant match, or no value); counts what is left out."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = col.cast(pa.string())
    key = pc.utf8_lower(pc.utf8_trim_whitespace(text))
    present = pc.and_(pc.is_valid(key), pc.not_equal(key, ""))
    match = pc.equal(key, lifecycle.key)
    other = _np_bool(pc.and_(present, pc.invert(match)).fill_null(False))
    variant = _np_bool(pc.and_(match, pc.not_equal(text, lifecycle.wanted)).fill_null(False))
    for mask, counter in ((other, lifecycle.others), (variant, lifecycle.variants)):
        if mask.any():
            counts = pc.value_counts(text.filter(pa.array(mask)))
            for item in counts.to_pylist():
                lifecycle.count(counter, str(item["values"]), int(item["counts"]))
    lifecycle.dropped = int(other.sum())
    return ~other


def _columns(table: Any, names: set[str], mapping: LogMapping, path: str, rows: Any,
             time: Any, line_kind: str) -> EventLog:
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = mapping.columns
    case, case_names = _codes(table[cols.case])
    act, act_names = _codes(table[cols.activity])
    person, person_names = _optional_codes(table, cols.person, names)
    post, post_names = _optional_codes(table, cols.post, names)
    evidence = {}
    for eid, col in mapping.evidence.items():
        if col in names:
            s = pc.utf8_lower(pc.utf8_trim_whitespace(table[col].cast(pa.string())))
            bad = pc.or_kleene(pc.is_null(s), pc.is_in(s, value_set=pa.array(
                ["", "0", "false", "no", "none", "null", "nil", "nan", "n"])))
            evidence[eid] = ~_np_bool(bad)
        else:
            evidence[eid] = np.zeros(table.num_rows, np.bool_)
    facts: dict[str, list[Any]] = {}
    for fid, col in mapping.case_attributes().items():
        vals: list[Any] = [None] * len(case_names)
        if col in names:
            for ci, v in zip(case.tolist(), table[col].to_pylist(), strict=True):
                if v is not None and vals[ci] is None:
                    vals[ci] = v
        facts[fid] = vals
    return EventLog(path, case_names, case, act_names, act, time, person_names, person,
                    post_names, post, rows, evidence, facts, 0, 0, [], line_kind,
                    attributes=tuple(sorted(names)))


def _optional_codes(table: Any, col: str | None, names: set[str]) -> tuple[Any, list[str]]:
    """Codes of an optional column; blank values are code -1 as in the row reader."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not col or col not in names:
        return np.full(table.num_rows, -1, np.int32), []
    text = table[col].cast(pa.string())
    blank = pc.equal(pc.utf8_trim_whitespace(text), "")
    return _codes(pc.if_else(blank, pa.scalar(None, pa.string()), text))


_UNIT = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


def _arrow_time(col: Any, zone: str) -> tuple[Any, Any]:
    """UTC nanoseconds per row and why a row has none: 0 fine, 1 unreadable or missing,
    2 outside `TIME_MIN`..`TIME_MAX`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(col)
    if not pa.types.is_timestamp(col.type):
        z = zoneinfo.ZoneInfo(zone)
        got = [read_time(v, z) for v in col.to_pylist()]
        why = np.fromiter((0 if isinstance(g, int) else 2 if g == OUT_OF_RANGE else 1
                           for g in got), dtype=np.int8, count=n)
        ns = np.fromiter((g if isinstance(g, int) else 0 for g in got), dtype=np.int64, count=n)
        return ns, why
    unit = _UNIT[col.type.unit]
    values = pc.cast(col, pa.int64())
    why = np.where(_np_bool(pc.is_null(values)), 1, 0).astype(np.int8)
    raw = values.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    lo = (TIME_MIN - _EPOCH) // dt.timedelta(microseconds=1) * 1000 // unit
    hi = (TIME_MAX - _EPOCH) // dt.timedelta(microseconds=1) * 1000 // unit
    why[(why == 0) & ((raw < lo) | (raw >= hi))] = 2
    ns = np.where(why == 0, raw, 0) * unit
    if col.type.tz is None:
        ns = local_to_utc(ns, zone)
    return ns, why


def wanted_columns(mapping: LogMapping, names: set[str]) -> list[str]:
    """The columns of a table with `names` that the mapping reads (case, activity and time
    first), for readers that select columns before reading."""
    return _wanted(mapping, names)


def log_from_table(table: Any, mapping: LogMapping, path: str, first_line: int = 1,
                   line_kind: str = "row") -> EventLog:
    """An `EventLog` from an Arrow table already in memory (e.g. one partition of a dataset),
    by the same column-wise path as `read_parquet`; rows are numbered from `first_line`."""
    names = set(table.column_names)
    missing = [c for c in (mapping.columns.case, mapping.columns.activity, mapping.columns.time)
               if c not in names]
    if missing:
        raise LogReadError([_missing_column(path, c, names) for c in missing])
    return _from_table(table, names, mapping, path, first_line, line_kind)
