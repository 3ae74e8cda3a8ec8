"""Count what a publisher would reject in a drawn chart: edges through text, texts on texts.

Takes the SVG text of a chart (as Graphviz writes it: `<text>` with x, y, anchor and size;
edges as `<g class="edge">` paths); gives a `Collisions` record listing every edge that
crosses a text and every pair of overlapping texts. Text widths come from `fontmetrics` (the
measure the label placer uses), glyph height 0.85 em above the baseline and 0.15 em below.
Must not: run Graphviz, change the chart, or read files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from .fontmetrics import text_width
from .geometry import Box, Point, Segment, segments

__all__ = ["Collisions", "TextBox", "count_collisions"]

_NS = "{http://www.w3.org/2000/svg}"
_NUM = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
TOLERANCE = 1.0
"""Texts and edges may touch by this much (points) without counting."""


@dataclass(frozen=True)
class TextBox:
    text: str
    box: Box
    owner: str


@dataclass(frozen=True)
class Collisions:
    edge_through_text: tuple[tuple[str, str], ...]
    """(edge title, text) per edge that crosses a text."""
    text_overlaps: tuple[tuple[str, str], ...]
    """(text, text) per pair of texts drawn on each other."""

    @property
    def count(self) -> int:
        return len(self.edge_through_text) + len(self.text_overlaps)


def _text_box(el: Element, owner: str) -> TextBox | None:
    text = "".join(el.itertext())
    if not text.strip():
        return None
    size = float(el.get("font-size", "14"))
    x, y = float(el.get("x", "0")), float(el.get("y", "0"))
    w = text_width(text, size, el.get("font-weight") == "bold")
    anchor = el.get("text-anchor", "start")
    x0 = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
    return TextBox(text, Box(x0, y - 0.85 * size, x0 + w, y + 0.15 * size), owner)


def _path_points(d: str) -> list[Point]:
    nums = [float(n) for n in _NUM.findall(d)]
    return list(zip(nums[0::2], nums[1::2], strict=False))


def _groups(root: Element) -> list[tuple[str, str, Element]]:
    out = []
    for g in root.iter(f"{_NS}g"):
        title = g.find(f"{_NS}title")
        out.append((g.get("class", ""), title.text or "" if title is not None else "", g))
    return out


def count_collisions(svg: str) -> Collisions:
    """Every edge crossing a text and every pair of overlapping texts in `svg`."""
    root = ElementTree.fromstring(svg.encode("utf-8"))
    texts: list[TextBox] = []
    edges: list[tuple[str, list[Segment]]] = []
    seen: set[int] = set()
    for kind, title, g in _groups(root):
        if kind == "edge":
            segs = [s for p in g.iter(f"{_NS}path") for s in segments(_path_points(p.get("d", "")))]
            edges.append((title, segs))
        if kind in ("node", "edge", "cluster"):
            for t in g.iter(f"{_NS}text"):
                seen.add(id(t))
                tb = _text_box(t, f"{kind}:{title}")
                if tb:
                    texts.append(tb)
    for t in root.iter(f"{_NS}text"):  # graph label (title block)
        if id(t) not in seen and (tb := _text_box(t, "graph")):
            texts.append(tb)
    inner = [(t, t.box.shrink(TOLERANCE)) for t in texts]
    through = tuple((title, t.text) for title, segs in edges for t, box in inner
                    if box.crossed_by_any(segs))
    overlaps = tuple((a.text, b.text) for (a, ab), (b, _) in combinations(inner, 2)
                     if ab.overlaps(b.box.shrink(TOLERANCE)))
    return Collisions(through, overlaps)
