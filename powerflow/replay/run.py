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
from ..logs.readers import LogReadError, read_log
from ..model import Flow

__all__ = ["AuditInputs", "load_inputs"]


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


def load_inputs(flow_path: str | Path, log_path: str | Path,
                mapping_path: str | Path | None = None) -> AuditInputs:
    lf, cat_diags = load_flow_with_catalog(flow_path)
    diags: list[Diagnostic] = [*cat_diags, *lf.diagnostics]
    if lf.flow is None:
        return AuditInputs(None, None, None, diags)
    mp = Path(mapping_path) if mapping_path else mapping_path_for(flow_path)
    mapping: LogMapping | None
    if mapping_path or mp.is_file():
        lm = load_mapping(mp, lf.flow)
        diags += lm.diagnostics
        mapping = lm.mapping
        if mapping is None:
            return AuditInputs(lf.flow, None, None, diags, str(mp))
    else:
        mapping = default_mapping(lf.flow)
        mp = Path("")
    try:
        log = read_log(log_path, mapping)
    except LogReadError as exc:
        return AuditInputs(lf.flow, mapping, None, [*diags, *exc.diagnostics], str(mp) or None)
    diags += log.diagnostics
    if any(d.severity is Severity.ERROR for d in log.diagnostics) and not log.n_events:
        return AuditInputs(lf.flow, mapping, None, diags, str(mp) or None)
    return AuditInputs(lf.flow, mapping, log, diags, str(mp) or None,
                       calendar_for(mapping, lf.flow))
