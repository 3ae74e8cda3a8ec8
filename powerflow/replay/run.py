"""Gather what an audit needs from paths: the flow (with its catalogue), the mapping, the log.

Takes the paths given on the command line; gives `AuditInputs` (with the working-day calendar
the mapping or the catalogue declares) or the diagnostics that stop the
audit (flow or mapping errors, an unreadable log). The mapping defaults to `<flow>.mapping.yaml`
beside the flow, and without one, log activity names are taken as the flow's event ids.

Must not: replay, print or decide exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..clock import Calendar
from ..diagnostics import Diagnostic, Severity
from ..loader import load_flow_with_catalog
from ..logs.eventlog import EventLog
from ..logs.mapping import (
    LogMapping,
    calendar_for,
    default_mapping,
    load_mapping,
    mapping_path_for,
)
from ..logs.readers import LogReadError, ReadOptions, read_log
from ..model import Flow

__all__ = ["AuditInputs", "load_flow_mapping", "load_inputs"]


@dataclass
class AuditInputs:
    flow: Flow | None
    mapping: LogMapping | None
    log: EventLog | None
    diagnostics: list[Diagnostic]
    mapping_path: str | None = None
    calendar: Calendar | None = None
    """The working-day calendar of the audit: the mapping's `calendar:`, else the catalogue's."""

    @property
    def ok(self) -> bool:
        return self.flow is not None and self.mapping is not None and self.log is not None


def load_flow_mapping(flow_path: str | Path, mapping_path: str | Path | None = None
                      ) -> AuditInputs:
    """The flow, the mapping and its calendar, without a log (`log` stays None)."""
    lf, cat_diags = load_flow_with_catalog(flow_path)
    diags: list[Diagnostic] = [*cat_diags, *lf.diagnostics]
    if lf.flow is None:
        return AuditInputs(None, None, None, diags)
    mp = Path(mapping_path) if mapping_path else mapping_path_for(flow_path)
    if mapping_path or mp.is_file():
        lm = load_mapping(mp, lf.flow)
        if lm.mapping is None:
            return AuditInputs(lf.flow, None, None, [*diags, *lm.diagnostics], str(mp))
        return AuditInputs(lf.flow, lm.mapping, None, [*diags, *lm.diagnostics], str(mp),
                           calendar_for(lm.mapping, lf.flow))
    mapping = default_mapping(lf.flow)
    return AuditInputs(lf.flow, mapping, None, diags, None, calendar_for(mapping, lf.flow))


def load_inputs(flow_path: str | Path, log_path: str | Path,
                mapping_path: str | Path | None = None,
                options: ReadOptions = ReadOptions()) -> AuditInputs:
    base = load_flow_mapping(flow_path, mapping_path)
    flow, mapping, diags = base.flow, base.mapping, base.diagnostics
    if flow is None or mapping is None:
        return base
    try:
        log = read_log(log_path, mapping, options)
    except LogReadError as exc:
        return AuditInputs(flow, mapping, None, [*diags, *exc.diagnostics], base.mapping_path)
    diags = [*diags, *log.diagnostics]
    if any(d.severity is Severity.ERROR for d in log.diagnostics) and not log.n_events:
        return AuditInputs(flow, mapping, None, diags, base.mapping_path)
    return AuditInputs(flow, mapping, log, diags, base.mapping_path, base.calendar)
