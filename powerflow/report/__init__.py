"""Renderings of diagnostics: `text` (concise and full with a code frame), `json`, `sarif`.

Takes lists of `Diagnostic`; gives strings. Must not decide what is a finding or change exit
codes: that is the caller's.
"""

from __future__ import annotations

from .json import render_json
from .text import render_concise, render_full, summary_line

__all__ = ["render_concise", "render_full", "render_json", "summary_line"]
