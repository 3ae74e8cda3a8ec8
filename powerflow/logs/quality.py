"""What reading a log dropped or kept doubtfully: one owner for every reader's semantics.

Takes rows' problems as a reader meets them (a missing case id or activity, an unreadable or
out-of-range time, a lifecycle value) and the finished `EventLog`; gives located diagnostics
(the first `LOCATED` rows of each kind, then one total), counts by kind for the report's "not
checked" section, and the checks run on the finished columns: duplicate events (PF087) and
suspicious names (PF092). The CSV, XES and Arrow readers all go through here, so a log gives the
same events and the same diagnostics whichever reader read it.

Must not: read files, change or drop an event that was read, or guess a missing value.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np

from ..diagnostics import Diagnostic, Location, Severity, Text

if TYPE_CHECKING:
    from .eventlog import EventLog

__all__ = ["LOCATED", "LifecycleFilter", "RowProblems", "duplicate_events", "lifecycle_key",
           "suspicious_names"]

LOCATED = 20
"""Rows located one by one per kind of problem; the rest are counted in one total."""

_KINDS: dict[str, tuple[str, Text]] = {
    "log-column-missing": ("PF061", Text(
        "Fix the log, or map the right columns under `columns:` in the mapping.",
        "请修正日志，或在映射文件的 columns 中指定正确的列。")),
    "log-bad-timestamp": ("PF062", Text(
        "Use ISO 8601, e.g. 2011-10-11T13:45:40+02:00.",
        "请使用 ISO 8601 格式，例如 2011-10-11T13:45:40+08:00。")),
    "log-time-out-of-range": ("PF089", Text(
        "Correct the date in the log (a placeholder such as 9999-12-31 or a mistyped year); "
        "times from 1900 to 2199 are read.",
        "请更正日志中的日期（如 9999-12-31 之类的占位值或输错的年份）；可读取 1900 至 2199 年的时间。")),
}


class RowProblems:
    """Rows skipped while reading, located (first `LOCATED` per kind) and counted."""

    def __init__(self, path: str, line_kind: str = "line") -> None:
        self.path = path
        self.line_kind = line_kind
        self.counts: Counter[str] = Counter()
        self._located: list[Diagnostic] = []

    def _add(self, name: str, line: int, en: str, zh: str) -> None:
        self.counts[name] += 1
        if self.counts[name] <= LOCATED:
            code, hint = _KINDS[name]
            self._located.append(Diagnostic(code, Severity.ERROR, Location(self.path, line, 0),
                                            Text(en, zh), hint, name))

    def missing_id(self, line: int, column: str) -> None:
        self._add("log-column-missing", line, f"event without a value in {column!r}: skipped",
                  f"事件的 {column!r} 列为空，已跳过")

    def bad_time(self, line: int, column: str, value: Any, reason: str) -> None:
        from .eventlog import OUT_OF_RANGE

        if reason == OUT_OF_RANGE:
            self._add("log-time-out-of-range", line,
                      f"time {value!s:.40} in {column!r} is outside 1900-2199: event skipped",
                      f"{column!r} 中的时间 {value!s:.40} 超出 1900-2199 年范围，事件已跳过")
        else:
            self._add("log-bad-timestamp", line,
                      f"unreadable timestamp {value!r:.60} in {column!r}: event skipped",
                      f"{column!r} 中的时间 {value!r:.60} 无法识别，事件已跳过")

    def diagnostics(self) -> list[Diagnostic]:
        out = list(self._located)
        for name, n in sorted(self.counts.items()):
            if n > LOCATED:
                code, hint = _KINDS[name]
                out.append(Diagnostic(code, Severity.ERROR, Location(self.path), Text(
                    f"{n} events in all were skipped for this reason ({name}); the first "
                    f"{LOCATED} are located above", f"共有 {n} 个事件因此被跳过（{name}），"
                    f"前 {LOCATED} 个已在上面给出位置"), hint, name))
        return out


def lifecycle_key(value: Any) -> str:
    """Lifecycle values compare with case and surrounding spaces ignored (`complete `)."""
    return str(value).strip().casefold()


class LifecycleFilter:
    """Keeps events whose lifecycle transition is the mapping's (tolerantly) or absent; counts
    the values it left out and the variant spellings it kept."""

    MAX_VALUES = 50

    def __init__(self, wanted: str | None) -> None:
        self.wanted = wanted
        self.key = lifecycle_key(wanted) if wanted else ""
        self.active = bool(wanted)
        self.others: Counter[str] = Counter()
        self.variants: Counter[str] = Counter()
        self.dropped = 0

    def keep(self, value: Any) -> bool:
        if value is None or (isinstance(value, str) and not value.strip()):
            return True
        text = str(value)
        if text == self.wanted:
            return True
        if lifecycle_key(text) == self.key:
            self.count(self.variants, text, 1)
            return True
        self.dropped += 1
        self.count(self.others, text, 1)
        return False

    def count(self, counter: Counter[str], value: str, n: int) -> None:
        if value in counter or len(counter) < self.MAX_VALUES:
            counter[value] += n
        else:
            counter["…"] += n

    def diagnostics(self, path: str) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        if self.others:
            listed = ", ".join(f"{v!r} ({n:,})" for v, n in self.others.most_common(8))
            out.append(Diagnostic("PF088", Severity.WARNING, Location(path), Text(
                f"{self.dropped:,} events left out for their lifecycle transition (only "
                f"{self.wanted!r} is kept): {listed}",
                f"{self.dropped:,} 个事件因生命周期不同未纳入审计（只保留 {self.wanted!r}）：{listed}"),
                Text("Set `lifecycle:` in the mapping to the transition that completes a step, "
                     "or `lifecycle: null` to keep every event.",
                     "请在映射文件中把 lifecycle 设为表示环节完成的值，或设为 null 保留全部事件。"),
                "log-lifecycle-other", data={"values": dict(self.others)}))
        if self.variants:
            listed = ", ".join(f"{v!r} ({n:,})" for v, n in self.variants.most_common(8))
            out.append(Diagnostic("PF088", Severity.INFO, Location(path), Text(
                f"lifecycle values read as {self.wanted!r} (case or spaces differ): {listed}",
                f"以下生命周期值按 {self.wanted!r} 读取（大小写或空格不同）：{listed}"),
                name="log-lifecycle-other", data={"variants": dict(self.variants)}))
        return out


def duplicate_events(log: EventLog) -> list[Diagnostic]:
    """Events equal to an earlier one in case, activity, time, person, post and evidence: kept
    (each is an event of the log) and reported, the first copies located."""
    n = log.n_events
    if n < 2:
        return []
    keys: list[Any] = [log.case, log.activity, log.time, log.person, log.post,
                       *(v.astype(np.int8) for v in log.evidence.values())]
    order = np.lexsort(keys[::-1])
    same = np.ones(n - 1, dtype=np.bool_)
    for k in keys:
        s = k[order]
        same &= s[1:] == s[:-1]
    dup = order[1:][same]
    log.duplicates = int(dup.size)
    if not dup.size:
        return []
    lines = sorted(int(log.line[i]) for i in dup)
    shown = ", ".join(str(x) for x in lines[:LOCATED])
    more = f" and {len(lines) - LOCATED:,} more" if len(lines) > LOCATED else ""
    more_zh = f" 等 {len(lines):,} 处" if len(lines) > LOCATED else ""
    return [Diagnostic("PF087", Severity.WARNING, Location(log.path, lines[0], 0), Text(
        f"{dup.size:,} events repeat an earlier event exactly (same case, activity, time, person, "
        f"post and evidence), at {log.line_kind}s {shown}{more}: kept, each counts as an event",
        f"{dup.size:,} 个事件与之前的事件完全相同（案件、活动、时间、办理人、岗位和留痕均相同），"
        f"位于第 {shown} 行{more_zh}：已保留，每个都计为一个事件"),
        Text("Remove the copies from the export if they are not real repeats.",
             "如果不是真实的重复办理，请从导出的日志中删除重复行。"), "log-duplicate-events",
        data={"count": int(dup.size), "lines": lines[:LOCATED]})]


def _suspicious(name: str) -> bool:
    return "\ufffd" in name or any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs")
                                   for ch in name)


def suspicious_names(log: EventLog) -> list[Diagnostic]:
    """Person, post and case names holding a replacement character (U+FFFD: a character lost
    by an earlier conversion, so two people may have become one) or control characters."""
    out: list[Diagnostic] = []
    for what, zh, names in (("person", "办理人", log.person_names), ("post", "岗位", log.post_names),
                            ("case", "案件", log.case_names)):
        bad = [n for n in names if _suspicious(n)]
        if not bad:
            continue
        listed = ", ".join(ascii(n) for n in bad[:10])
        out.append(Diagnostic("PF092", Severity.WARNING, Location(log.path), Text(
            f"{len(bad)} {what} name(s) hold a replacement or control character: {listed}; "
            "different people may have been merged into one by an earlier conversion",
            f"{len(bad)} 个{zh}名称含有替换字符或控制字符：{listed}；之前的编码转换可能已把不同的人合并为一人"),
            Text("Export the log again in UTF-8 from the source system.",
                 "请从源系统重新以 UTF-8 导出日志。"), "log-suspicious-names",
            data={"kind": what, "names": bad[:50]}))
    return out
