"""Fit a laid-out chart to paper: orientation, zoom and the page regions of a print PDF.

Takes the laid-out chart (`place.Layout`) and a paper name (`A4`, `A3`); gives a `PagePlan`:
the page size in points (portrait or landscape, whichever prints the chart larger), one zoom
for all pages and the part of the chart each page shows. The step names are set in 12 pt; a
plan keeps them at 9 pt or more (zoom ≥ 0.75) when it can: first the whole chart on one page;
when that is too small the caller moves the risk table to a page of its own and asks again;
when still too small the chart is cut across, between rows of steps (never through a step
box or the title), into pages as wide as the paper allows, and a chart too wide for the
paper at 9 pt also between lanes, into columns of pages (a page shows a little of the next
lane at its edge: pages overlap, as printed maps do). Each page is exactly the paper size.
Must not: run Graphviz or read files.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from .geometry import Box
from .place import Layout, node_box

__all__ = ["MIN_STEP_PT", "PAPERS", "PagePlan", "plan_pages", "viewport"]

PAPERS: dict[str, tuple[float, float]] = {"A4": (595.28, 841.89), "A3": (841.89, 1190.55)}
"""Portrait width and height in points (ISO 216)."""
MARGIN = 14.17
"""5 mm of white round the chart on every page."""
STEP_PT = 12.0
"""Font size of step names (the node `fontsize` of `dot.to_dot`)."""
MIN_STEP_PT = 9.0
"""Smallest printed size of a step name."""


@dataclass(frozen=True)
class PagePlan:
    paper: str
    width: float
    height: float
    zoom: float
    regions: tuple[Box, ...]
    """Chart coordinates shown per page (y up, as in the layout), top of the chart first."""

    @property
    def step_pt(self) -> float:
        return STEP_PT * self.zoom

    @property
    def pages(self) -> int:
        return len(self.regions)

    @property
    def small(self) -> bool:
        return self.step_pt < MIN_STEP_PT - 1e-6

    @property
    def orientation(self) -> str:
        return "landscape" if self.width > self.height else "portrait"


def _sizes(paper: str) -> list[tuple[float, float]]:
    w, h = PAPERS[paper]
    return [(w, h), (h, w)]


def _fit(w: float, h: float, page: tuple[float, float]) -> float:
    return min(1.0, (page[0] - 2 * MARGIN) / w, (page[1] - 2 * MARGIN) / h)


def _occupied(layout: Layout) -> list[tuple[float, float]]:
    """Vertical spans that a page edge must not cut: step boxes, headers, legend, title."""
    spans = [(b.y0, b.y1) for b in (node_box(n) for n in layout.nodes.values()
                                     if n.attrs.get("width") and n.attrs.get("height"))]
    bb = layout.content or layout.bbox
    spans.append((layout.title_bottom, bb.y1))
    return spans


def _cuts(layout: Layout, band: float) -> list[float]:
    """Tops of the pages (chart y, from the top down): each page at most `band` tall, each
    cut in a gap between occupied spans."""
    spans = _occupied(layout)
    bb = layout.content or layout.bbox
    top, bottom = bb.y1, bb.y0
    tops = [top]
    while tops[-1] - band > bottom:
        limit = tops[-1] - band
        free = [y for y in sorted({s[1] + 2 for s in spans} | {s[0] - 2 for s in spans})
                if limit <= y < tops[-1] - 1 and not any(a < y < b for a, b in spans)]
        if not free:  # one row taller than a page: cut under it
            below = [s[0] - 2 for s in spans if s[0] - 2 < limit]
            free = [max(below)] if below else []
        if not free:
            break
        tops.append(min(free))
    return tops


def _columns(layout: Layout, width: float) -> list[tuple[float, float]]:
    """x ranges of page columns, each at most `width` wide, cut between lanes."""
    bb = layout.content or layout.bbox
    lanes = sorted(layout.clusters.values(), key=lambda b: b.x0)
    if not lanes:
        return [(bb.x0, bb.x1)]
    cols: list[tuple[float, float]] = []
    start = bb.x0
    for prev, lane in pairwise(lanes):
        if lane.x1 - start > width:
            cut = (prev.x1 + lane.x0) / 2
            cols.append((start, cut))
            start = cut
    cols.append((start, bb.x1))
    return cols


def plan_pages(layout: Layout, paper: str, split: bool = True) -> PagePlan:
    """The pages of `layout` on `paper`. With `split` false, one page whatever the zoom."""
    bb = layout.content or layout.bbox
    w, h = bb.x1 - bb.x0, bb.y1 - bb.y0
    page = max(_sizes(paper), key=lambda p: _fit(w, h, p))
    zoom = _fit(w, h, page)
    if zoom * STEP_PT >= MIN_STEP_PT or not split:
        return PagePlan(paper, page[0], page[1], zoom, (bb,))
    page = max(_sizes(paper), key=lambda p: min(1.0, (p[0] - 2 * MARGIN) / w))
    zoom = max(MIN_STEP_PT / STEP_PT, min(1.0, (page[0] - 2 * MARGIN) / w))
    band = (page[1] - 2 * MARGIN) / zoom
    cols = _columns(layout, (page[0] - 2 * MARGIN) / zoom)
    regions = tuple(Box(x0, max(bb.y0, t - band), x1, t)
                    for t in _cuts(layout, band) for x0, x1 in cols)
    return PagePlan(paper, page[0], page[1], zoom, regions)


def viewport(plan: PagePlan, region: Box) -> str:
    """Graph attributes that draw `region` of the chart on one page of `plan` (the page is
    exactly the paper size; on a page of several the region sits at the top left; a single
    page is centred both ways)."""
    cx = (region.x0 + region.x1) / 2
    cy = (region.y0 + region.y1) / 2
    if len(plan.regions) > 1:
        cx = region.x0 - MARGIN / plan.zoom + plan.width / plan.zoom / 2
        cy = region.y1 + MARGIN / plan.zoom - plan.height / plan.zoom / 2
    return (f'viewport="{plan.width:.2f},{plan.height:.2f},{plan.zoom:.4f},{cx:.2f},{cy:.2f}" '
            "pad=0 margin=0")
