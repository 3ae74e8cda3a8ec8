"""Column-wise reading with pyarrow: Parquet logs, and large CSV logs.

Takes a path and a `LogMapping`; gives an `EventLog` built from Arrow columns without a Python
loop per event (dictionary encoding for case, activity, person and post; timestamps converted to
UTC nanoseconds, naive ones read in the mapping's zone). pyarrow is an optional extra
(`pip install powerflow[parquet]`); without it Parquet gives PF064 and CSV falls back to the
standard library reader.

Must not: execute anything from the file.
"""

from __future__ import annotations

import zoneinfo
from pathlib import Path
from typing import Any

import numpy as np

from ..diagnostics import Diagnostic, Location, Severity, Text
from .eventlog import EventLog, _missing_column, parse_time
from .mapping import LogMapping
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
        *mapping.facts.values()) if c and c in names)]))


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
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = mapping.columns
    n_all = table.num_rows
    rows = np.arange(first_line, n_all + first_line, dtype=np.int32)
    keep = np.ones(n_all, dtype=np.bool_)
    other = ignored = 0
    if mapping.lifecycle and cols.lifecycle and cols.lifecycle in names:
        lc = pc.utf8_lower(table[cols.lifecycle].cast(pa.string()))
        bad = pc.and_(pc.is_valid(lc), pc.not_equal(lc, mapping.lifecycle.lower()))
        bad_np = bad.to_numpy(zero_copy_only=False).astype(np.bool_)
        other = int(bad_np.sum())
        keep &= ~bad_np
    if mapping.ignore:
        ig = pc.is_in(table[cols.activity].cast(pa.string()),
                      value_set=pa.array(list(mapping.ignore))).to_numpy(zero_copy_only=False)
        ig = ig.astype(np.bool_) & keep
        ignored = int(ig.sum())
        keep &= ~ig
    if not keep.all():
        table = table.filter(pa.array(keep))
        rows = rows[keep]
    case, case_names = _codes(table[cols.case])
    act, act_names = _codes(table[cols.activity])
    time = _arrow_time(table[cols.time], mapping.timezone, path)
    person, person_names = (_codes(table[cols.person]) if cols.person and cols.person in names
                            else (np.full(table.num_rows, -1, np.int32), []))
    post, post_names = (_codes(table[cols.post]) if cols.post and cols.post in names
                        else (np.full(table.num_rows, -1, np.int32), []))
    evidence = {}
    for eid, col in mapping.evidence.items():
        if col in names:
            s = pc.utf8_lower(pc.utf8_trim_whitespace(table[col].cast(pa.string())))
            bad = pc.or_kleene(pc.is_null(s), pc.is_in(s, value_set=pa.array(
                ["", "0", "false", "no", "none", "null", "nil", "nan", "n"])))
            evidence[eid] = ~bad.to_numpy(zero_copy_only=False).astype(np.bool_)
        else:
            evidence[eid] = np.zeros(table.num_rows, np.bool_)
    facts: dict[str, list[Any]] = {}
    for fid, col in mapping.facts.items():
        vals: list[Any] = [None] * len(case_names)
        if col in names:
            for ci, v in zip(case.tolist(), table[col].to_pylist(), strict=True):
                if v is not None and vals[ci] is None:
                    vals[ci] = v
        facts[fid] = vals
    return EventLog(path, case_names, case, act_names, act, time, person_names, person,
                    post_names, post, rows, evidence, facts, ignored, other, [], line_kind)


def _arrow_time(col: Any, zone: str, path: str) -> np.ndarray[Any, np.dtype[np.int64]]:
    import pyarrow as pa

    if pa.types.is_timestamp(col.type):
        if col.type.tz is None:
            local = col.cast(pa.timestamp("ns")).to_numpy().astype("datetime64[ns]").astype(np.int64)
            return local_to_utc(local, zone)
        utc: np.ndarray[Any, np.dtype[np.int64]] = np.asarray(
            col.cast(pa.timestamp("ns", tz="UTC")).to_numpy(), dtype="datetime64[ns]"
        ).astype(np.int64)
        return utc
    z = zoneinfo.ZoneInfo(zone)
    out = [parse_time(v, z) for v in col.to_pylist()]
    if any(v is None for v in out):
        raise unreadable(path, "unreadable timestamps in the time column", "时间列中有无法识别的时间")
    return np.asarray(out, dtype=np.int64)


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
