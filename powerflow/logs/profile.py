"""Profile an event log and draft its mapping file, so a new log can be mapped without Python.

Takes a log path (CSV, XES, Parquet) and optionally the `Flow` it is to be audited against;
gives a `LogProfile` (every attribute with its number of distinct values and the most common
ones, the activities with their event counts) and the text of a draft `<flow>.mapping.yaml`:
columns recognised by their XES or usual names, and each activity next to the flow event whose
id or transition label matches it best. A draft is a proposal: every guessed line says so in a
comment, activities without a good match are left commented out (kept and reported as PF508 if
the file is used as is), never mapped or ignored by guess.

Must not: execute anything from the log, write files, or audit.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import Flow
from .readers import raw_rows, unreadable

__all__ = ["LogProfile", "draft_mapping", "profile_log"]

_TOP = 8
_CANDIDATES = {
    "case": ("case:concept:name", "case", "case_id", "caseid", "案件编号", "办件编号", "编号"),
    "activity": ("concept:name", "activity", "event", "活动", "环节", "事项"),
    "time": ("time:timestamp", "timestamp", "time", "date", "时间", "办理时间"),
    "person": ("org:resource", "resource", "person", "user", "办理人", "经办人"),
    "post": ("org:group", "org:role", "group", "role", "post", "岗位", "部门"),
    "lifecycle": ("lifecycle:transition", "lifecycle", "status"),
}


@dataclass
class LogProfile:
    path: str
    events: int
    attributes: dict[str, tuple[int, list[tuple[str, int]]]]
    """Attribute → (distinct values, the most common values with counts)."""
    columns: dict[str, str | None]
    """Recognised column per role (case, activity, time, person, post, lifecycle)."""
    activities: list[tuple[str, int]]

    def to_dict(self) -> dict[str, Any]:
        return {"log": self.path, "events": self.events, "columns": self.columns,
                "activities": [{"activity": a, "events": n} for a, n in self.activities],
                "attributes": {k: {"distinct": d, "top": [{"value": v, "count": c}
                                                          for v, c in top]}
                               for k, (d, top) in self.attributes.items()}}


def _rows(p: Path) -> list[dict[str, Any]]:
    name = p.name.lower()
    if not p.is_file():
        raise unreadable(str(p), "no such log file", "日志文件不存在")
    if name.endswith((".parquet", ".pq")):
        import pyarrow.parquet as pq

        rows: list[dict[str, Any]] = pq.read_table(p).to_pylist()
        return rows
    return [row for _line, row in raw_rows(p)]


def _column(role: str, names: list[str]) -> str | None:
    low = {n.lower().strip(): n for n in names}
    for cand in _CANDIDATES[role]:
        if cand.lower() in low:
            return low[cand.lower()]
    return None


def profile_log(path: str | Path) -> LogProfile:
    """Read every event of the log and count its attributes' values."""
    rows = _rows(Path(path))
    counts: dict[str, Counter[str]] = {}
    for row in rows:
        for k, v in row.items():
            counts.setdefault(k, Counter())[json.dumps(v, default=str, ensure_ascii=False)
                                             if not isinstance(v, str) else v] += 1
    names = list(counts)
    cols = {role: _column(role, names) for role in _CANDIDATES}
    act = cols["activity"]
    activities = counts[act].most_common() if act else []
    attrs = {k: (len(c), c.most_common(_TOP)) for k, c in counts.items()}
    return LogProfile(str(path), len(rows), attrs, cols, activities)


def _yaml_str(s: str) -> str:
    """A YAML double-quoted scalar (nothing from the log can become YAML structure)."""
    return json.dumps(s, ensure_ascii=False)


def _best_event(activity: str, flow: Flow) -> tuple[str, float] | None:
    names: dict[str, str] = {}
    for t in flow.transitions:
        names.setdefault(t.event.lower(), t.event)
        if t.label:
            names.setdefault(t.label.lower(), t.event)
        names.setdefault(flow.steps[t.to].name.lower(), t.event)
    hit = difflib.get_close_matches(activity.lower(), list(names), n=1, cutoff=0.6)
    if not hit:
        return None
    return names[hit[0]], difflib.SequenceMatcher(None, activity.lower(), hit[0]).ratio()


def draft_mapping(profile: LogProfile, flow: Flow | None = None) -> str:
    """The text of a draft mapping file (see the module docstring)."""
    lines = [f"# Draft mapping for {profile.path} ({profile.events} events).",
             "# Review every line: guesses are marked; commented activities are not mapped.",
             "# 映射草稿：请逐行核对；标注“猜测”的为自动匹配，注释掉的活动未映射。", "columns:"]
    for role, col in profile.columns.items():
        if col is None:
            lines.append(f"  # {role}: ?   # no column recognised / 未识别")
        else:
            lines.append(f"  {role}: {_yaml_str(col)}")
    lines.append("activities:")
    for activity, n in profile.activities:
        guess = _best_event(activity, flow) if flow is not None else None
        if flow is None:
            lines.append(f"  {_yaml_str(activity)}: {_yaml_str(activity)}   # {n} events")
        elif guess is None:
            lines.append(f"  # {_yaml_str(activity)}: ?   # {n} events, no close flow event")
        else:
            lines.append(f"  {_yaml_str(activity)}: {guess[0]}   # {n} events; guessed "
                         f"(similarity {guess[1]:.2f}) / 猜测")
    if flow is not None:
        asked = sorted({c.evidence for r in flow.risks.values() for c in r.controls
                        if c.evidence})
        if asked:
            lines.append("evidence: {}   # fill in: the log attribute that records each "
                         "control's evidence")
            lines += [f"  # {e}: ?" for e in asked]
        if flow.facts:
            lines.append("facts: {}   # fill in: the log attribute holding each fact "
                         "conditions read")
            lines += [f"  # {f}: ?" for f in flow.facts]
    return "\n".join(lines) + "\n"
