"""Render flows as publication charts: Flow (+ Overlay) → Diagram → DOT → Graphviz files.

Takes a `Flow` and options; gives DOT text (`flow_to_dot`, no Graphviz needed) or written
SVG/PDF/PNG files (`render_flow`). Stages: `extract` (what to show), `dot` (how to draw it,
all text escaped by `escape`), `graphviz_run` (running `dot`), `layout_check` (lane order).
Must not: load files, print, or decide exit codes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..model import Flow
from ..overlay import Overlay
from .diagram import Diagram
from .dot import risk_table_dot, to_dot
from .extract import extract, lane_order, risk_rows
from .graphviz_run import (
    FORMATS,
    GraphvizError,
    GraphvizMissing,
    RenderResult,
    check_environment,
    render_dot,
)

__all__ = [
    "FORMATS",
    "RENDERER_VERSION",
    "Diagram",
    "GraphvizError",
    "GraphvizMissing",
    "RenderResult",
    "chart_svg",
    "check_environment",
    "extract",
    "flow_to_dot",
    "lane_order",
    "render_flow",
    "risk_rows",
]

RENDERER_VERSION = "2"
"""Bumped whenever the chart changes for the same input (invalidates published charts)."""


def flow_to_dot(flow: Flow, overlay: Overlay | None = None, lang: str = "zh",
                lanes: Sequence[str] | None = None, risk_table: str = "inline") -> str:
    """DOT text of the chart of `flow`."""
    return to_dot(extract(flow, overlay, lang, lanes, risk_table))


def render_flow(flow: Flow, stem: Path, formats: Sequence[str] = ("svg",), dpi: int = 150,
                lang: str = "zh", lanes: Sequence[str] | None = None,
                risk_table: str = "inline", overlay: Overlay | None = None
                ) -> list[RenderResult]:
    """Write `stem.svg` (…pdf, .png) for `flow`; with `risk_table="separate"` also
    `stem-risks.<fmt>` holding the risk table alone. Returns one result per chart written."""
    diagram = extract(flow, overlay, lang, lanes, risk_table)
    results = [render_dot(to_dot(diagram), stem, formats, dpi, diagram.lane_ids())]
    if diagram.risk_table == "separate" and diagram.risk_rows:
        table = replace(diagram, lanes=(), nodes=(), edges=())
        results.append(render_dot(risk_table_dot(table), stem.with_name(stem.name + "-risks"),
                                  formats, dpi))
    return results


def chart_svg(flow: Flow, overlay: Overlay | None = None, lang: str = "zh",
              risk_table: str = "inline") -> tuple[str | None, str]:
    """The chart of `flow` (with `overlay` drawn on) as SVG text for embedding in a report,
    or None and the reason (Graphviz or a CJK font missing). Reports embed it as an image or
    inline SVG that the renderer escaped; the XML prologue is dropped."""
    try:
        with tempfile.TemporaryDirectory(prefix="powerflow-chart-") as tmp:
            res = render_flow(flow, Path(tmp) / "chart", ("svg",), lang=lang,
                              risk_table=risk_table, overlay=overlay)
            text = Path(res[0].files["svg"]).read_text(encoding="utf-8")
    except GraphvizError as exc:
        return None, str(exc)
    start = text.find("<svg")
    return (text[start:] if start >= 0 else text), ""
