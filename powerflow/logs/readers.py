"""Read event logs from CSV, XES (.xes, .xes.gz) and Parquet files.

Takes a path and a `LogMapping`; gives an `EventLog` (see `powerflow.logs.eventlog`), with
problems as diagnostics (PF060 unreadable, PF061 missing column, PF062 bad timestamp, PF064
Parquet support not installed) rather than exceptions.

CSV is read with the standard library (any dialect `csv.Sniffer` recognises; UTF-8 with or
without BOM, else GB18030). XES is streamed with `defusedxml.sax` (no DOM is built; DTDs,
entity expansion and external references are refused); trace attributes become `case:<key>`
columns as process-mining tools name them. Parquet is read column-wise with pyarrow, which is
an optional extra (`pip install powerflow[parquet]`).

Must not: execute or resolve anything from the file (no entities, no external DTDs).
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import Locator

import numpy as np

from ..diagnostics import Diagnostic, Location, Severity, Text
from .eventlog import EventLog, build_from_rows
from .mapping import LogMapping

__all__ = ["LogReadError", "read_log"]


class LogReadError(Exception):
    """The log cannot be read at all; `diagnostics` says why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("; ".join(d.message.en for d in diagnostics))


def _unreadable(path: str, en: str, zh: str, line: int = 0, col: int = 0) -> LogReadError:
    return LogReadError([Diagnostic("PF060", Severity.ERROR, Location(path, line, col),
                                    Text(en, zh), Text(
        "Give a CSV, XES (.xes/.xes.gz) or Parquet event log.",
        "请提供 CSV、XES（.xes/.xes.gz）或 Parquet 格式的事件日志。"), "log-unreadable")])


def read_log(path: str | Path, mapping: LogMapping) -> EventLog:
    """Read a log by its suffix. Raises `LogReadError` when nothing can be read."""
    p = Path(path)
    name = p.name.lower()
    if not p.is_file():
        raise _unreadable(str(p), "no such log file", "日志文件不存在")
    if name.endswith((".xes", ".xes.gz")):
        return _read_xes(p, mapping)
    if name.endswith((".parquet", ".pq")):
        return _read_parquet(p, mapping)
    if name.endswith((".csv", ".csv.gz", ".txt")):
        return _read_csv(p, mapping)
    raise _unreadable(str(p), f"unknown log format {p.suffix!r}", f"无法识别的日志格式 {p.suffix!r}")


# --- CSV ---------------------------------------------------------------------------------

def _text(p: Path) -> str:
    raw = gzip.decompress(p.read_bytes()) if p.name.lower().endswith(".gz") else p.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw[:4096]:
        raise _unreadable(str(p), "the file is binary, not a CSV text", "文件是二进制数据，不是 CSV 文本")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


def _read_csv(p: Path, mapping: LogMapping) -> EventLog:
    try:
        text = _text(p)
    except OSError as exc:
        raise _unreadable(str(p), f"cannot read: {exc.strerror}", f"无法读取：{exc.strerror}") from None
    if not text.strip():
        raise _unreadable(str(p), "the log is empty", "日志为空")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise _unreadable(str(p), f"no header row ({exc})", "缺少表头行") from None

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            for rec in reader:
                if rec:
                    yield reader.line_num, dict(zip(header, rec, strict=False))
        except csv.Error as exc:
            raise _unreadable(str(p), f"CSV error: {exc}", f"CSV 格式错误：{exc}",
                              reader.line_num) from None

    return _nonempty(build_from_rows(rows(), mapping, str(p)))


def _nonempty(log: EventLog) -> EventLog:
    """A log with no event left is unusable; say why (all ignored, other lifecycle, errors)."""
    if log.n_events:
        return log
    if log.ignored or log.other_lifecycle:
        raise _unreadable(
            log.path, f"no event left: {log.ignored} ignored by the mapping, "
            f"{log.other_lifecycle} of another lifecycle transition",
            f"没有可审计的事件：{log.ignored} 个被映射忽略，{log.other_lifecycle} 个属于其他生命周期")
    if not log.diagnostics:
        raise _unreadable(log.path, "the log has no events", "日志中没有事件")
    raise LogReadError(log.diagnostics)


# --- XES ---------------------------------------------------------------------------------

_XES_TYPES = {"string", "date", "int", "float", "boolean", "id"}


class _XesHandler(ContentHandler):
    """Collects (line, attributes) per event; trace attributes are copied as `case:<key>`."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[int, dict[str, Any]]] = []
        self.loc: Locator | None = None
        self.stack: list[str] = []
        self.trace: dict[str, Any] = {}
        self.event: dict[str, Any] | None = None
        self.event_line = 0
        self.pending: list[dict[str, Any]] = []

    def setDocumentLocator(self, locator: Locator) -> None:
        self.loc = locator

    def startElement(self, name: str, attrs: Any) -> None:
        parent = self.stack[-1] if self.stack else ""
        self.stack.append(name)
        if name == "trace":
            self.trace = {}
            self.pending = []
        elif name == "event" and parent == "trace":
            self.event = {}
            self.event_line = int(self.loc.getLineNumber() or 0) if self.loc else 0
        elif name in _XES_TYPES and "key" in attrs:
            value: Any = attrs.get("value")
            if name == "int":
                with contextlib.suppress(TypeError, ValueError):
                    value = int(value)
            elif name == "float":
                with contextlib.suppress(TypeError, ValueError):
                    value = float(value)
            elif name == "boolean":
                value = str(value).lower() == "true"
            if parent == "event" and self.event is not None:
                self.event[attrs["key"]] = value
            elif parent == "trace":
                self.trace["case:" + attrs["key"]] = value

    def endElement(self, name: str) -> None:
        self.stack.pop()
        if name == "event" and self.event is not None:
            self.pending.append({"__line": self.event_line, **self.event})
            self.event = None
        elif name == "trace":
            for ev in self.pending:
                line = ev.pop("__line")
                self.rows.append((line, {**self.trace, **ev}))
            self.pending = []


def _read_xes(p: Path, mapping: LogMapping) -> EventLog:
    import defusedxml.sax
    from defusedxml import DefusedXmlException

    handler = _XesHandler()
    stream: Any
    try:
        stream = (gzip.open(p, "rb")  # noqa: SIM115 - closed by the `with` below
                  if p.name.lower().endswith(".gz") else p.open("rb"))
    except OSError as exc:
        raise _unreadable(str(p), f"cannot read: {exc.strerror}", f"无法读取：{exc.strerror}") from None
    try:
        with stream:
            defusedxml.sax.parse(stream, handler, forbid_dtd=True, forbid_entities=True,
                                 forbid_external=True)
    except DefusedXmlException as exc:
        raise _unreadable(str(p), f"refused unsafe XML ({type(exc).__name__}): DTDs and entities "
                          "are not allowed in an event log",
                          f"拒绝不安全的 XML（{type(exc).__name__}）：事件日志中不允许 DTD 和实体") from None
    except Exception as exc:  # SAXParseException, gzip/OSError, EOFError
        line = getattr(exc, "getLineNumber", lambda: 0)()
        col = getattr(exc, "getColumnNumber", lambda: 0)()
        raise _unreadable(str(p), f"XML error: {exc}", f"XML 错误：{exc}", line, col) from None
    if not handler.rows:
        raise _unreadable(str(p), "the XES file holds no events in traces",
                          "XES 文件中没有位于 trace 内的事件")
    return _nonempty(build_from_rows(handler.rows, mapping, str(p)))


# --- Parquet -----------------------------------------------------------------------------

def _codes(col: Any) -> tuple[np.ndarray[Any, Any], list[str]]:
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = col.cast(pa.string()) if not pa.types.is_string(col.type) else col
    enc = pc.dictionary_encode(arr).combine_chunks()
    idx = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    return idx, [str(x) for x in enc.dictionary.to_pylist()]


def _read_parquet(p: Path, mapping: LogMapping) -> EventLog:
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
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
        raise _unreadable(str(p), f"not a Parquet file: {exc}", f"不是 Parquet 文件：{exc}") from None
    names = set(schema.names)
    missing = [c for c in (cols.case, cols.activity, cols.time) if c not in names]
    if missing:
        from .eventlog import _missing_column

        raise LogReadError([_missing_column(str(p), c, names) for c in missing])
    wanted = [cols.case, cols.activity, cols.time, *(c for c in (
        cols.person, cols.post, cols.lifecycle, *mapping.evidence.values(),
        *mapping.facts.values()) if c and c in names)]
    table = pq.read_table(p, columns=list(dict.fromkeys(wanted)))
    n_all = table.num_rows
    rows = np.arange(1, n_all + 1, dtype=np.int32)
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
    time = _parquet_time(table[cols.time], mapping.timezone, str(p))
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
    return EventLog(str(p), case_names, case, act_names, act, time, person_names, person,
                    post_names, post, rows, evidence, facts, ignored, other, [], "row")


def _parquet_time(col: Any, zone: str, path: str) -> np.ndarray[Any, np.dtype[np.int64]]:
    import pyarrow as pa

    from .eventlog import parse_time

    if pa.types.is_timestamp(col.type):
        if col.type.tz is None:
            local = col.cast(pa.timestamp("ns")).to_numpy().astype("datetime64[ns]").astype(np.int64)
            from .timezones import local_to_utc

            return local_to_utc(local, zone)
        utc: np.ndarray[Any, np.dtype[np.int64]] = np.asarray(
            col.cast(pa.timestamp("ns", tz="UTC")).to_numpy(), dtype="datetime64[ns]"
        ).astype(np.int64)
        return utc
    z = zoneinfo.ZoneInfo(zone)
    out = [parse_time(v, z) for v in col.to_pylist()]
    if any(v is None for v in out):
        raise _unreadable(path, "unreadable timestamps in the time column", "时间列中有无法识别的时间")
    return np.asarray(out, dtype=np.int64)
