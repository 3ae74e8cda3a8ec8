"""Drafting tools: import a power list, scaffold a power, format files, review changes.

Stages (data flows one way): `sheet` (read XLSX/CSV) → `headers` (find the header) → `rows`
(cells → `PowerInfo`) → `templates` (category skeleton) → `importer` (write valid files);
`exporter` (records → XLSX/CSV); `scaffold` (`powerflow new`); `layout` + `fmt` (canonical
layout keeping comments); `diffsource` (files, folders, git) → `diff` (semantic changes) →
`review` (per power, overlays, new rule findings) → `review_report` (text/JSON/HTML).
"""

from __future__ import annotations

from .diff import Change, Effect, compare
from .exporter import write_csv, write_xlsx
from .fmt import FormatError, format_text
from .headers import HeaderMapping, load_mapping
from .importer import ImportResult, import_list
from .review import Review, overlays, review
from .scaffold import ScaffoldError, power_info, scaffold
from .templates import TEMPLATES, build_flow

__all__ = [
    "TEMPLATES",
    "Change",
    "Effect",
    "FormatError",
    "HeaderMapping",
    "ImportResult",
    "Review",
    "ScaffoldError",
    "build_flow",
    "compare",
    "format_text",
    "import_list",
    "load_mapping",
    "overlays",
    "power_info",
    "review",
    "scaffold",
    "write_csv",
    "write_xlsx",
]
