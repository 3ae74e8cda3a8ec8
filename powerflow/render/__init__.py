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
    layout_only,
    render_dot,
    write_pages,
)
from .paper import PAPERS, PagePlan, plan_pages
from .place import parse_layout

__all__ = [
    "FORMATS",
    "PAPERS",
    "RENDERER_VERSION",
    "Diagram",
    "GraphvizError",
    "GraphvizMissing",
    "PagePlan",
    "RenderResult",
    "chart_svg",
    "check_environment",
    "extract",
    "flow_to_dot",
    "lane_order",
    "render_flow",
    "risk_rows",
]

RENDERER_VERSION = "3"
"""Bumped whenever the chart changes for the same input (invalidates published charts)."""


def flow_to_dot(flow: Flow, overlay: Overlay | None = None, lang: str = "zh",
                lanes: Sequence[str] | None = None, risk_table: str = "inline") -> str:
    """DOT text of the chart of `flow`."""
    return to_dot(extract(flow, overlay, lang, lanes, risk_table))


def render_flow(flow: Flow, stem: Path, formats: Sequence[str] = ("svg",), dpi: int = 150,
                lang: str = "zh", lanes: Sequence[str] | None = None,
                risk_table: str = "inline", overlay: Overlay | None = None,
                paper: str | None = None) -> list[RenderResult]:
    """Write `stem.svg` (…pdf, .png) for `flow`; with `risk_table="separate"` also
    `stem-risks.<fmt>` holding the risk table alone. With `paper` (`A4`/`A3`) the PDF is a
    print PDF of that page size (see `paper`). Returns one result per chart written."""
    diagram = extract(flow, overlay, lang, lanes, risk_table)
    results = [render_dot(to_dot(diagram), stem, formats, dpi, diagram.lane_ids())]
    if diagram.risk_table == "separate" and diagram.risk_rows:
        table = replace(diagram, lanes=(), nodes=(), edges=())
        results.append(render_dot(risk_table_dot(table), stem.with_name(stem.name + "-risks"),
                                  formats, dpi))
    if paper and "pdf" in formats:
        pages = print_pages(diagram, results[0].laid, paper)
        notes = write_pages(pages, stem.with_name(stem.name + ".pdf"))
        results[0] = replace(results[0], pages=pages[0][1],
                             warnings=results[0].warnings + tuple(notes))
    return results


def print_pages(diagram: Diagram, laid: str, paper: str) -> list[tuple[str, PagePlan]]:
    """The pages of the print PDF: the chart on one page when its step names print at 9 pt or
    more; else the risk table moves to a page of its own, and a chart still too big is cut
    between rows of steps (`paper.plan_pages`)."""
    plan = plan_pages(parse_layout(laid), paper, split=False)
    if not plan.small:
        return [(laid, plan)]
    if diagram.risk_table == "inline" and diagram.risk_rows:
        chart = layout_only(to_dot(replace(diagram, risk_table="none")), diagram.lane_ids())
        table = layout_only(risk_table_dot(diagram))
        return [(chart, plan_pages(parse_layout(chart), paper)),
                (table, plan_pages(parse_layout(table), paper))]
    return [(laid, plan_pages(parse_layout(laid), paper))]


def chart_svg(flow: Flow, overlay: Overlay | None = None, lang: str = "zh",
              risk_table: str = "inline") -> tuple[str | None, str]:
    """The chart of `flow` (with `overlay` drawn on) as SVG text for embedding in a report,
    or None and the reason (Graphviz or a CJK font missing). Reports embed it as an image or
    inline SVG that the renderer escaped; the XML prologue is dropped and the chart scales
    down to the width of the page (`max-width:100%`)."""
    try:
        with tempfile.TemporaryDirectory(prefix="powerflow-chart-") as tmp:
            res = render_flow(flow, Path(tmp) / "chart", ("svg",), lang=lang,
                              risk_table=risk_table, overlay=overlay)
            text = Path(res[0].files["svg"]).read_text(encoding="utf-8")
    except GraphvizError as exc:
        return None, str(exc)
    start = text.find("<svg")
    svg = text[start:] if start >= 0 else text
    # scaled to the page width (height follows the viewBox), never wider than drawn
    return svg.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1), ""
