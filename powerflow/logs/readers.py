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

import codecs
import contextlib
import csv
import gzip
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.expatreader import ExpatLocator
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import Locator

from ..diagnostics import Diagnostic, Location, Severity, Text
from .eventlog import EventLog, build_from_rows
from .mapping import LogMapping

__all__ = ["ARROW_CSV_BYTES", "LogReadError", "ReadOptions", "open_binary", "read_log", "unreadable"]


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


@dataclass(frozen=True)
class ReadOptions:
    """How to read a log: the text encoding of a CSV (None: UTF-8, else refuse and ask) and the
    decompression budget of `.gz` files (refused once more than `ratio_after` bytes are out and
    they are more than `max_ratio` times the compressed bytes read so far, or past `max_bytes`
    in all). Real logs compress 10 to 30 times, generated ones up to about 150 times."""

    encoding: str | None = None
    max_ratio: int = 200
    ratio_after: int = 16 << 20
    max_bytes: int = 8 << 30


def read_log(path: str | Path, mapping: LogMapping,
             options: ReadOptions = ReadOptions()) -> EventLog:
    """Read a log by its suffix. Raises `LogReadError` when nothing can be read."""
    p = Path(path)
    name = p.name.lower()
    if not p.is_file():
        raise unreadable(str(p), "no such log file", "日志文件不存在")
    if options.encoding is not None:
        _check_codec(str(p), options.encoding)
    if name.endswith((".xes", ".xes.gz")):
        return _read_xes(p, mapping, options)
    if name.endswith((".parquet", ".pq")):
        from .arrowlog import read_parquet

        return read_parquet(p, mapping)
    if name.endswith((".csv", ".csv.gz", ".txt")):
        return _read_csv(p, mapping, options)
    raise unreadable(str(p), f"unknown log format {p.suffix!r}", f"无法识别的日志格式 {p.suffix!r}")


def _check_codec(path: str, encoding: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise LogReadError([Diagnostic("PF086", Severity.ERROR, Location(path), Text(
            f"unknown encoding {encoding!r}", f"无法识别的编码 {encoding!r}"),
            Text("Name a Python codec, e.g. utf-8, gb18030, latin-1, cp1252.",
                 "请给出编码名称，例如 utf-8、gb18030、latin-1、cp1252。"),
            "log-bad-encoding")]) from None


# --- decompression budget -------------------------------------------------------------------

class _Budgeted(io.RawIOBase):
    """A gzip stream that stops with PF090 once its output breaks the `ReadOptions` budget."""

    def __init__(self, p: Path, options: ReadOptions) -> None:
        self.path = p
        self.file = p.open("rb")
        self.inner = gzip.GzipFile(fileobj=self.file, mode="rb")
        self.options = options
        self.out = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.inner.readinto(buffer)
        self.out += n
        o = self.options
        packed = max(self.file.tell(), 1)
        if self.out > o.max_bytes or (self.out > o.ratio_after
                                      and self.out > o.max_ratio * packed):
            raise LogReadError([Diagnostic("PF090", Severity.ERROR, Location(str(self.path)), Text(
                f"refused: the compressed file expands to more than {self.out:,} bytes "
                f"({self.out // packed:,} times the compressed bytes read); the budget is {o.max_ratio} times "
                f"past {o.ratio_after >> 20} MB, {o.max_bytes >> 20} MB in all",
                f"已拒绝：压缩文件解压后超过 {self.out:,} 字节（原大小的 {self.out // packed:,} 倍）；"
                f"上限为超过 {o.ratio_after >> 20} MB 后不超过 {o.max_ratio} 倍，总计 {o.max_bytes >> 20} MB"),
                Text("This looks like a decompression bomb. If the log is genuine, decompress it "
                     "yourself and audit the plain file.",
                     "这像是解压炸弹。如果日志确实如此，请先自行解压，再审计解压后的文件。"),
                "log-decompression-budget")])
        return n

    def close(self) -> None:
        self.inner.close()
        self.file.close()
        super().close()


def open_binary(p: Path, options: ReadOptions) -> Any:
    """The file's bytes as a stream: `.gz` files decompressed within the budget."""
    if p.name.lower().endswith(".gz"):
        return io.BufferedReader(_Budgeted(p, options), 1 << 16)
    return p.open("rb")


# --- CSV ---------------------------------------------------------------------------------

MAX_LINE = 1 << 20
"""A CSV line longer than this is refused (a log line is a few hundred bytes)."""

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


def _read_csv(p: Path, mapping: LogMapping, options: ReadOptions) -> EventLog:
    if (not p.name.lower().endswith(".gz") and p.stat().st_size >= ARROW_CSV_BYTES
            and options.encoding in (None, "utf-8", "utf8")):
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            pass
        else:
            from .arrowlog import read_csv_arrow

            _utf8_or_refuse(p)
            return _nonempty(read_csv_arrow(p, mapping, _sniff(p)))
    try:
        raw = open_binary(p, options)
    except OSError as exc:
        raise unreadable(str(p), f"cannot read: {exc.strerror}", f"无法读取：{exc.strerror}") from None
    with raw:
        head = raw.peek(8192)[:8192]
        if b"\x00" in head[:4096]:
            raise unreadable(str(p), "the file is binary, not a CSV text", "文件是二进制数据，不是 CSV 文本")
        lines = _decoded_lines(p, raw, options.encoding)
        return _nonempty(_csv_rows(p, lines, mapping))


def _decoded_lines(p: Path, raw: Any, encoding: str | None) -> Iterator[str]:
    """Physical lines decoded one by one (UTF-8 unless `encoding` is given), so a byte that
    does not decode is reported at its own line."""
    decode = codecs.getdecoder(encoding or "utf-8-sig")
    for n, line in enumerate(iter(lambda: raw.readline(MAX_LINE), b""), 1):
        if len(line) == MAX_LINE and not line.endswith(b"\n"):
            raise unreadable(str(p), f"line {n} is longer than {MAX_LINE >> 20} MB: not a CSV log",
                             f"第 {n} 行超过 {MAX_LINE >> 20} MB：不是 CSV 日志", n)
        try:
            yield decode(line)[0]
        except UnicodeDecodeError as exc:
            raise _not_decoded(p, exc, encoding, n) from None


def _csv_rows(p: Path, lines: Iterator[str], mapping: LogMapping) -> EventLog:
    first: list[str] = []
    while sum(map(len, first)) < 8192 and (line := next(lines, "")):
        first.append(line)
    sample = "".join(first)
    if not sample.strip():
        raise unreadable(str(p), "the log is empty", "日志为空")
    reader = csv.reader(itertools.chain(first, lines), _dialect(sample))
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

    return build_from_rows(rows(), mapping, str(p))


def raw_rows(path: str | Path, options: ReadOptions | None = None
             ) -> Iterator[tuple[int, dict[str, Any]]]:
    """A CSV or XES log's events as (line, attributes), read with the same decoding, budgets
    and XML defences as `read_log`, without a mapping (used to profile a log)."""
    p, opts = Path(path), options or ReadOptions()
    if not p.is_file():
        raise unreadable(str(p), "no such log file", "日志文件不存在")
    if p.name.lower().endswith((".xes", ".xes.gz")):
        yield from _xes_rows(p, opts, _XesHandler())
        return
    with open_binary(p, opts) as raw:
        lines = _decoded_lines(p, raw, opts.encoding)
        first = list(itertools.islice(lines, 64))
        reader = csv.reader(itertools.chain(first, lines), _dialect("".join(first)))
        header = next(reader, [])
        for rec in reader:
            if rec:
                yield reader.line_num, dict(zip(header, rec, strict=False))


def _utf8_or_refuse(p: Path) -> None:
    """The pyarrow CSV reader takes UTF-8 only: check the whole file first, in chunks."""
    dec = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with p.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            try:
                dec.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = exc.object[: exc.start]
                raise _not_decoded(p, exc, None, line + bad.count(b"\n")) from None
            line += chunk.count(b"\n")


def _not_decoded(p: Path, exc: UnicodeDecodeError, encoding: str | None,
                 line: int) -> LogReadError:
    """PF085 (not UTF-8 and no --encoding: never guess between legacy encodings, show the
    readings) or PF086 (not valid in the encoding given)."""
    raw = bytes(exc.object)
    start = raw.rfind(b"\n", 0, exc.start) + 1
    end = raw.find(b"\n", exc.end)
    piece = raw[start: end if end >= 0 else len(raw)][:200]
    col = exc.start - start + 1
    if encoding is None:
        readings = "; ".join(f"{c}: {piece.decode(c, errors='replace')!r}"
                             for c in ("gb18030", "cp1252", "latin-1"))
        return LogReadError([Diagnostic("PF085", Severity.ERROR, Location(str(p), line, col), Text(
            f"the log is not UTF-8 (byte 0x{raw[exc.start]:02x}), and legacy encodings cannot be "
            f"told apart safely; this line reads as {readings}",
            f"日志不是 UTF-8 编码（字节 0x{raw[exc.start]:02x}），无法可靠地区分各种旧编码；该行可读作 {readings}"),
            Text("Say which encoding the log is in with --encoding (e.g. --encoding gb18030 for "
                 "a Chinese export, --encoding cp1252 for a Western one), or export it as UTF-8.",
                 "请用 --encoding 指定日志的编码（中文系统导出的一般为 --encoding gb18030，"
                 "西文系统为 --encoding cp1252），或以 UTF-8 重新导出。"), "log-encoding-unknown")])
    return LogReadError([Diagnostic("PF086", Severity.ERROR, Location(str(p), line, col), Text(
        f"byte 0x{raw[exc.start]:02x} is not valid {encoding}: {piece!r}",
        f"字节 0x{raw[exc.start]:02x} 不是有效的 {encoding} 编码：{piece!r}"),
        Text("Check the encoding given with --encoding; the file may mix encodings.",
             "请检查 --encoding 给出的编码；文件中可能混有多种编码。"), "log-bad-encoding")])


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
    """Collects (line, attributes) per event as the parser is fed; trace attributes are copied
    as `case:<key>`. `rows` is drained by the reader after every chunk, so only one chunk's
    events (and one trace's pending events) are held at a time."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[int, dict[str, Any]]] = []
        self.loc: Locator | None = None
        self.stack: list[str] = []
        self.trace: dict[str, Any] = {}
        self.event: dict[str, Any] | None = None
        self.event_line = 0
        self.pending: list[tuple[int, dict[str, Any]]] = []
        self.events = 0

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
            value = _xes_value(name, attrs.get("value"))
            if parent == "event" and self.event is not None:
                self.event[attrs["key"]] = value
            elif parent == "trace":
                self.trace["case:" + attrs["key"]] = value

    def endElement(self, name: str) -> None:
        self.stack.pop()
        if name == "event" and self.event is not None:
            self.pending.append((self.event_line, self.event))
            self.event = None
        elif name == "trace":
            trace = self.trace
            self.rows.extend((line, {**trace, **ev}) for line, ev in self.pending)
            self.events += len(self.pending)
            self.pending = []


def _xes_value(kind: str, value: Any) -> Any:
    if kind == "int":
        with contextlib.suppress(TypeError, ValueError):
            return int(value)
    elif kind == "float":
        with contextlib.suppress(TypeError, ValueError):
            return float(value)
    elif kind == "boolean":
        return str(value).lower() == "true"
    return value


def _xes_rows(p: Path, options: ReadOptions, handler: _XesHandler
              ) -> Iterator[tuple[int, dict[str, Any]]]:
    """Feed the file to a defused SAX parser chunk by chunk and yield the events it found."""
    import defusedxml.expatreader
    from defusedxml import DefusedXmlException

    parser = defusedxml.expatreader.create_parser(forbid_dtd=True, forbid_entities=True,
                                                  forbid_external=True)
    parser.setContentHandler(handler)
    handler.setDocumentLocator(ExpatLocator(parser))
    try:
        stream = open_binary(p, options)
    except OSError as exc:
        raise unreadable(str(p), f"cannot read: {exc.strerror}", f"无法读取：{exc.strerror}") from None
    try:
        with stream:
            for chunk in iter(lambda: stream.read(1 << 16), b""):
                parser.feed(chunk)
                yield from handler.rows
                handler.rows.clear()
            parser.close()
            yield from handler.rows
    except DefusedXmlException as exc:
        raise unreadable(str(p), f"refused unsafe XML ({type(exc).__name__}): DTDs and entities "
                         "are not allowed in an event log",
                         f"拒绝不安全的 XML（{type(exc).__name__}）：事件日志中不允许 DTD 和实体") from None
    except LogReadError:
        raise
    except Exception as exc:  # SAXParseException, gzip/OSError, EOFError
        line = getattr(exc, "getLineNumber", lambda: 0)()
        col = getattr(exc, "getColumnNumber", lambda: 0)()
        raise unreadable(str(p), f"XML error: {exc}", f"XML 错误：{exc}", line, col) from None


def _read_xes(p: Path, mapping: LogMapping, options: ReadOptions) -> EventLog:
    handler = _XesHandler()
    log = build_from_rows(_xes_rows(p, options, handler), mapping, str(p))
    if not handler.events:
        raise unreadable(str(p), "the XES file holds no events in traces",
                         "XES 文件中没有位于 trace 内的事件")
    return _nonempty(log)
