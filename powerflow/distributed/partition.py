"""One partition of a shuffled dataset audited on a worker, reduced to what the coordinator needs.

Takes a pandas frame holding every event of some cases (from `dataset.read_file`, shuffled by
case id), the flow, the mapping and the dataset's file list; gives a `PartAudit`: the partition's
summary (`powerflow.replay.report.summary`), exact step-time histograms, what the chart overlay
counts, the diagnostics of the reader, and, when asked, the report rows (cases, deviations,
steps) with each location rewritten from the partition's row to the dataset's `file:row`.

The events are put in dataset order (file, then row) before the shared reader builds the
`EventLog`, so the audit core, which orders each case's events by time and then by that
position, sees them exactly as a single-process read of the concatenated files would.

Must not: import the CLI, print, or return anything the size of the event table unless rows
were asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..deviations import Deviation
from ..diagnostics import Diagnostic, Location
from ..logs.mapping import LogMapping
from ..logs.readers import LogReadError
from ..model import Flow
from .dataset import FILE_COLUMN, ROW_COLUMN

__all__ = ["OVERLAY_KINDS", "PartAudit", "audit_partition"]

OVERLAY_KINDS = (Deviation.STEP_OVERDUE, Deviation.STEP_NEAR_LIMIT,
                 Deviation.CONTROL_EVIDENCE_MISSING, Deviation.CONTROL_STEP_SKIPPED)
"""The kinds whose findings the chart overlay counts by step or by risk."""


@dataclass
class PartAudit:
    index: int
    summary: dict[str, Any] | None = None
    fitness_sum: float = 0.0
    step_days: dict[str, dict[float, int]] = field(default_factory=dict)
    edge_cases: dict[int, int] = field(default_factory=dict)
    deviation_edges: dict[tuple[str, str, str], int] = field(default_factory=dict)
    overlay_findings: dict[str, list[int] | list[float]] = field(default_factory=dict)
    """kind, case, step, value of the findings in `OVERLAY_KINDS` (case local to the part)."""
    ignored: int = 0
    other_lifecycle: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: bool = False
    cases: list[list[Any]] = field(default_factory=list)
    deviations: list[list[Any]] = field(default_factory=list)
    steps: list[list[Any]] = field(default_factory=list)
    unseen: list[str] | None = None
    """Mapping keys no activity of this partition matched (None: the partition had no events)."""


class _Where:
    """Maps a partition row (1-based) back to the dataset's `file:row`."""

    def __init__(self, label: str, files: tuple[str, ...], fid: Any, row: Any) -> None:
        self.label, self.files, self.fid, self.row = label, files, fid, row

    def at(self, k: int) -> str:
        return f"{self.files[int(self.fid[k - 1])]}:{int(self.row[k - 1])}"

    def location(self, loc: Location) -> Location:
        if loc.file != self.label or loc.line < 1:
            return loc
        return Location(self.files[int(self.fid[loc.line - 1])], int(self.row[loc.line - 1]),
                        loc.column)

    def diagnostic(self, d: Diagnostic) -> Diagnostic:
        from dataclasses import replace

        return replace(d, location=self.location(d.location))


def audit_partition(frame: Any, index: int, flow: Flow, mapping: LogMapping, root: str,
                    files: tuple[str, ...], rows: frozenset[str] = frozenset()) -> PartAudit:
    """Audit one partition (a pandas frame or an Arrow table); `rows` names the report rows to return ("cases", "deviations",
    "steps"). A reader error of the partition comes back as diagnostics with `failed` set."""
    import pyarrow as pa

    from ..logs.arrowlog import log_from_table
    from ..replay.audit import audit, unseen_mapping_keys

    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    table = table.sort_by([(FILE_COLUMN, "ascending"), (ROW_COLUMN, "ascending")])
    label = f"{root}#partition-{index}"
    where = _Where(label, files, table[FILE_COLUMN].to_numpy(), table[ROW_COLUMN].to_numpy())
    table = table.drop_columns([FILE_COLUMN, ROW_COLUMN])
    try:
        log = log_from_table(table, mapping, label)
    except LogReadError as exc:
        return PartAudit(index, diagnostics=[where.diagnostic(d) for d in exc.diagnostics],
                         failed=True)
    out = PartAudit(index, ignored=log.ignored, other_lifecycle=log.other_lifecycle,
                    diagnostics=[where.diagnostic(d) for d in log.diagnostics])
    if not log.n_events:
        return out
    _reduce(out, audit(flow, log, mapping), where, root, rows)
    out.unseen = unseen_mapping_keys(log, mapping)
    return out


def _reduce(out: PartAudit, r: Any, where: _Where, root: str, rows: frozenset[str]) -> None:
    from ..replay.checks import KINDS
    from ..replay.report import case_rows, deviation_lists, step_time_lists, summary

    out.summary = summary(r)
    out.fitness_sum = float(r.fitness.sum())
    f = r.findings
    for s, sid in enumerate(r.encoded_flow.steps):
        d = f.days[(f.done == s) & ~np.isnan(f.days)]
        if d.size:
            vals, cnt = np.unique(d, return_counts=True)
            out.step_days[sid] = dict(zip(vals.tolist(), cnt.tolist(), strict=True))
    out.edge_cases = r.edge_cases()
    out.deviation_edges = r.deviation_edges()
    m = np.isin(f.kind, [KINDS.index(k) for k in OVERLAY_KINDS])
    out.overlay_findings = {"kind": f.kind[m].tolist(), "case": f.case[m].tolist(),
                            "step": f.step[m].tolist(), "value": f.value[m].tolist()}
    if "cases" in rows:
        out.cases = [[*row[:8], where.at(row[8]) if row[8] != "" else "", row[9]]
                     for row in case_rows(r)]
    if "deviations" in rows:
        prefix = re.compile(re.escape(where.label) + r":(\d+)$")
        out.deviations = [[*row[:6], _location(prefix, where, root, row[6]), *row[7:]]
                          for row in deviation_lists(r)]
    if "steps" in rows:
        out.steps = step_time_lists(r)


def _location(prefix: re.Pattern[str], where: _Where, root: str, loc: str) -> str:
    m = prefix.match(loc)
    if m:
        return where.at(int(m.group(1)))
    return root if loc == where.label else loc
