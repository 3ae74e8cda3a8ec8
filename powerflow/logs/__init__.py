"""Event-log import: CSV, XES and Parquet logs read into column arrays, with a YAML mapping
from log columns and activities to the flow. See `docs/audit.md`."""

from .eventlog import EventLog, evidence_present, parse_time
from .mapping import (
    Columns,
    LoadedMapping,
    LogMapping,
    default_mapping,
    load_mapping,
    mapping_path_for,
)
from .readers import LogReadError, read_log
from .timezones import local_days, local_to_utc

__all__ = [
    "Columns",
    "EventLog",
    "LoadedMapping",
    "LogMapping",
    "LogReadError",
    "default_mapping",
    "evidence_present",
    "load_mapping",
    "local_days",
    "local_to_utc",
    "mapping_path_for",
    "parse_time",
    "read_log",
]
