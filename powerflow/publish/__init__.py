"""Publication: the static public site of a power list and the risk-control table export.

Takes flows (through the loader and pipeline); gives a folder of HTML pages with charts
(`build_site`) and XLSX/CSV tables (`write_table`). Must not: print, or execute anything from
YAML; all text is escaped by the template engine.
"""

from __future__ import annotations

from .risk_table import table_rows, write_table
from .site import SiteOptions, SiteResult, build_site

__all__ = ["SiteOptions", "SiteResult", "build_site", "table_rows", "write_table"]
