"""Replay and audit of event logs against a flow: encode once, replay all cases with NumPy,
check controls, separation of duties and working-day limits, report. See `docs/audit.md`."""

from .audit import AuditResult, audit
from .encode import EncodedFlow, EncodedLog, encode_flow, encode_log, guard_signatures
from .engine import Replayed, lookup_loop, replay
from .run import AuditInputs, load_inputs

__all__ = [
    "AuditInputs",
    "AuditResult",
    "EncodedFlow",
    "EncodedLog",
    "Replayed",
    "audit",
    "encode_flow",
    "encode_log",
    "guard_signatures",
    "load_inputs",
    "lookup_loop",
    "replay",
]
