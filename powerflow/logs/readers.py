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
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import Locator

from ..diagnostics import Diagnostic, Location, Severity, Text
from .eventlog import EventLog, build_from_rows
from .mapping import LogMapping

__all__ = ["ARROW_CSV_BYTES", "LogReadError", "read_log", "unreadable"]


class LogReadError(Exception):
    """The log cannot be read at all; `diagnostics` says why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("; ".join(d.message.en for d in diagnostics))


def unreadable(path: str, en: str, zh: str, line: int = 0, col: int = 0) -> LogReadError:
    return LogReadError([Diagnostic("PF060", Severity.ERROR, Location(path, line, col),
                                    Text(en, zh), Text(
        "Give a CSV, XES (.xes/.xes.gz) or Parquet event log.",
        "请提供 CSV、XES（.xes/.xes.gz）或 Parquet 格式的事件日志。"), "log-unreadable")])


def read_log(path: str | Path, mapping: LogMapping) -> EventLog:
    """Read a log by its suffix. Raises `LogReadError` when nothing can be read."""
    p = Path(path)
    name = p.name.lower()
    if not p.is_file():
        raise unreadable(str(p), "no such log file", "日志文件不存在")
    if name.endswith((".xes", ".xes.gz")):
        return _read_xes(p, mapping)
    if name.endswith((".parquet", ".pq")):
        from .arrowlog import read_parquet

        return read_parquet(p, mapping)
    if name.endswith((".csv", ".csv.gz", ".txt")):
        return _read_csv(p, mapping)
    raise unreadable(str(p), f"unknown log format {p.suffix!r}", f"无法识别的日志格式 {p.suffix!r}")


# --- CSV ---------------------------------------------------------------------------------

def _text(p: Path) -> str:
    raw = gzip.decompress(p.read_bytes()) if p.name.lower().endswith(".gz") else p.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw[:4096]:
        raise unreadable(str(p), "the file is binary, not a CSV text", "文件是二进制数据，不是 CSV 文本")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


ARROW_CSV_BYTES = 16_000_000
"""CSV files at least this large are read with pyarrow.csv when it is installed (about 50 times
faster); line numbers then assume one line per record."""


def _dialect(sample: str) -> Any:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _sniff(p: Path) -> str:
    with p.open("rb") as fh:
        head = fh.read(8192).decode("utf-8", errors="replace")
    return str(_dialect(head).delimiter)


def _read_csv(p: Path, mapping: LogMapping) -> EventLog:
    if not p.name.lower().endswith(".gz") and p.stat().st_size >= ARROW_CSV_BYTES:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            pass
        else:
            from .arrowlog import read_csv_arrow

            return _nonempty(read_csv_arrow(p, mapping, _sniff(p)))
    try:
        text = _text(p)
    except OSError as exc:
        raise unreadable(str(p), f"cannot read: {exc.strerror}", f"无法读取：{exc.strerror}") from None
    if not text.strip():
        raise unreadable(str(p), "the log is empty", "日志为空")
    dialect = _dialect(text[:8192])
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise unreadable(str(p), f"no header row ({exc})", "缺少表头行") from None

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            for rec in reader:
                if rec:
                    yield reader.line_num, dict(zip(header, rec, strict=False))
        except csv.Error as exc:
            raise unreadable(str(p), f"CSV error: {exc}", f"CSV 格式错误：{exc}",
                              reader.line_num) from None

    return _nonempty(build_from_rows(rows(), mapping, str(p)))


def _nonempty(log: EventLog) -> EventLog:
    """A log with no event left is unusable; say why (all ignored, other lifecycle, errors)."""
    if log.n_events:
        return log
    if log.ignored or log.other_lifecycle:
        raise unreadable(
            log.path, f"no event left: {log.ignored} ignored by the mapping, "
            f"{log.other_lifecycle} of another lifecycle transition",
            f"没有可审计的事件：{log.ignored} 个被映射忽略，{log.other_lifecycle} 个属于其他生命周期")
    if not log.diagnostics:
        raise unreadable(log.path, "the log has no events", "日志中没有事件")
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
        raise unreadable(str(p), f"cannot read: {exc.strerror}", f"无法读取：{exc.strerror}") from None
    try:
        with stream:
            defusedxml.sax.parse(stream, handler, forbid_dtd=True, forbid_entities=True,
                                 forbid_external=True)
    except DefusedXmlException as exc:
        raise unreadable(str(p), f"refused unsafe XML ({type(exc).__name__}): DTDs and entities "
                          "are not allowed in an event log",
                          f"拒绝不安全的 XML（{type(exc).__name__}）：事件日志中不允许 DTD 和实体") from None
    except Exception as exc:  # SAXParseException, gzip/OSError, EOFError
        line = getattr(exc, "getLineNumber", lambda: 0)()
        col = getattr(exc, "getColumnNumber", lambda: 0)()
        raise unreadable(str(p), f"XML error: {exc}", f"XML 错误：{exc}", line, col) from None
    if not handler.rows:
        raise unreadable(str(p), "the XES file holds no events in traces",
                          "XES 文件中没有位于 trace 内的事件")
    return _nonempty(build_from_rows(handler.rows, mapping, str(p)))
