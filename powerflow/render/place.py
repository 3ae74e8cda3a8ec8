"""Place edge labels where nothing is drawn, and centre lane headers, on a laid-out chart.

Takes the `-Tdot` output of `dot` (every node, edge and cluster with its position); gives the
same DOT text with new `xlp` (edge label) positions and lane headers moved to the centre of
their lane, ready for `neato -n2` to draw unchanged otherwise. dot places an `xlabel` anywhere
near its edge, often on top of another edge or label; here every label is tried beside each
segment of its own edge, near the segment's middle first, and put on the first spot that
touches no edge, node or label already placed (the least bad spot when none is free).
Must not: run Graphviz, change the layout of nodes or edges, or read files.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .dot import wrap_even
from .escape import html_label_text
from .fontmetrics import text_width
from .geometry import Box, Point, Segment, segments

__all__ = ["LABEL_SIZE", "Layout", "parse_layout", "place_labels"]

LABEL_SIZE = 10.0
"""Font size of edge labels (the `edge [fontsize]` of `dot.to_dot`)."""
LINE = 1.25
"""Line height of label text, in em."""
GAP = 4.0
"""Distance between an edge and its label."""
_STMT = re.compile(r'^\t+(?:"?(?P<tail>[\w]+)"? -> "?(?P<head>[\w]+)"?|"?(?P<node>[\w]+)"?)\t\[')
_ATTR = re.compile(r'(?P<key>\w+)=(?:"(?P<q>[^"]*)"|(?P<v>[^,\]\s<][^,\]]*))')
_BR = re.compile(r"<BR[^>]*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_HTML_VALUE = re.compile(r"=<.*>(,|\];)?\s*$")
"""An HTML-like label value (always on one line: our labels hold no newline), dropped before
attributes are read so that label text never reads as an attribute."""


@dataclass
class Statement:
    """One node or edge statement of the laid-out DOT text: its line span and attributes."""

    first: int
    last: int
    tail: str | None
    head: str | None
    node: str | None
    attrs: dict[str, str]
    label_lines: list[str] = field(default_factory=list)


@dataclass
class Layout:
    lines: list[str]
    nodes: dict[str, Statement]
    edges: list[Statement]
    clusters: dict[str, Box]
    bbox: Box
    title_bottom: float = 0.0
    """Lowest y of the graph label (the title block); the top of the chart if none."""
    content: Box | None = None
    """What is drawn after placement (lanes, nodes, title): dot's `bb` also holds where it
    had put things that were moved since."""


def _label_lines(raw: str) -> list[str]:
    """The text lines of an HTML-like label (tags dropped, backslashes undoubled, entities
    decoded): the text `escape.html_label_text` was given."""
    return [html.unescape(_TAG.sub("", part).replace("\\\\", "\\")) for part in _BR.split(raw)]


def _statements(lines: list[str]) -> Iterator[Statement]:
    i = 0
    while i < len(lines):
        m = _STMT.match(lines[i])
        if not m:
            i += 1
            continue
        j = i
        while not lines[j].rstrip().endswith("];") and j + 1 < len(lines):
            j += 1
        text = "\n".join(lines[i:j + 1])
        body = "\n".join(_HTML_VALUE.sub(r"=HTML\1", line) for line in lines[i:j + 1])
        body = body[body.index("[") + 1:]
        attrs = {a["key"]: a["q"] if a["q"] is not None else a["v"].strip()
                 for a in _ATTR.finditer(body)}
        st = Statement(i, j, m["tail"], m["head"], m["node"], attrs)
        xl = re.search(r"xlabel=<(.*)>,?\s*$", text, re.MULTILINE)
        if xl:
            st.label_lines = _label_lines(xl.group(1))
        yield st
        i = j + 1


def _bb(value: str) -> Box:
    x0, y0, x1, y1 = (float(v) for v in value.split(","))
    return Box(x0, y0, x1, y1)


def parse_layout(text: str) -> Layout:
    """Read the statements of `dot -Tdot` output that placement needs."""
    lines = text.replace("\\\n", "").split("\n")  # dot continues long values with \⏎
    nodes: dict[str, Statement] = {}
    edges: list[Statement] = []
    for st in _statements(lines):
        if st.node and "pos" in st.attrs:
            nodes[st.node] = st
        elif st.tail and "pos" in st.attrs:
            edges.append(st)
    clusters: dict[str, Box] = {}
    current = None
    bbox = Box(0, 0, 0, 0)
    for line in lines:
        m = re.match(r"\s*subgraph (cluster_\w+) \{", line)
        if m:
            current = m.group(1)
            continue
        b = re.search(r'bb="([^"]+)"', line)
        if b and current and current not in clusters:
            clusters[current] = _bb(b.group(1))
        elif b and not clusters and bbox == Box(0, 0, 0, 0):
            bbox = _bb(b.group(1))
    title = _title_box(lines)
    boxes = [*clusters.values(), *(node_box(n) for n in nodes.values()
                                   if _visible(n) and n.attrs.get("width"))]
    if title:
        boxes.append(title)
    content = Box(min(b.x0 for b in boxes) - PAD, min(b.y0 for b in boxes) - PAD,
                  max(b.x1 for b in boxes) + PAD, max(b.y1 for b in boxes) + PAD) if boxes else bbox
    return Layout(lines, nodes, edges, clusters, bbox, title.y0 if title else bbox.y1, content)


PAD = 8.0
"""White round the content of a chart."""


def _title_box(lines: list[str]) -> Box | None:
    """The graph label (title block) box, from `lp`, `lwidth` and `lheight`."""
    vals: dict[str, str] = {}
    for line in lines:
        if _STMT.match(line) or "subgraph" in line:
            break
        if m := re.match(r'\s*(lp|lwidth|lheight)=(?:"([^"]*)"|([\d.]+))', line):
            vals[m.group(1)] = m.group(2) or m.group(3)
    if len(vals) < 3:
        return None
    x, y = (float(v) for v in vals["lp"].split(","))
    return Box.around(x, y, float(vals["lwidth"]) * 72, float(vals["lheight"]) * 72)


def edge_points(pos: str) -> list[Point]:
    """The polyline of an edge `pos` (B-spline control points, then the arrow tip)."""
    tip: Point | None = None
    pts: list[Point] = []
    for tok in pos.split():
        parts = tok.split(",")
        if parts[0] in ("e", "s"):
            if parts[0] == "e":
                tip = (float(parts[1]), float(parts[2]))
            continue
        pts.append((float(parts[0]), float(parts[1])))
    return pts + ([tip] if tip else [])


def node_box(st: Statement) -> Box:
    x, y = (float(v) for v in st.attrs["pos"].split(","))
    return Box.around(x, y, float(st.attrs.get("width", "0")) * 72,
                      float(st.attrs.get("height", "0")) * 72)


def _visible(st: Statement) -> bool:
    return "invis" not in st.attrs.get("style", "")


def label_size(lines: list[str]) -> tuple[float, float]:
    w = max((text_width(line, LABEL_SIZE) for line in lines), default=0.0)
    return w + 2, len(lines) * LABEL_SIZE * LINE + 2


NEAR = (0.0, 8.0, 16.0)
FAR = (32.0, 56.0, 88.0)
"""Distances from the edge tried for a label (beyond `GAP`): near ones first, in every shape."""


def _candidates(seg: Segment, w: float, h: float, fars: tuple[float, ...]) -> Iterator[Box]:
    """Spots beside `seg`: from its middle outwards, on both sides, close to it first."""
    (ax, ay), (bx, by) = seg
    length = abs(bx - ax) + abs(by - ay)
    steps = max(1, int(length // 12))
    order = sorted(range(steps + 1), key=lambda k: abs(k - steps / 2))
    for far in fars:
        for k in order:
            t = k / steps
            x, y = ax + (bx - ax) * t, ay + (by - ay) * t
            d = GAP + far
            if abs(by - ay) < abs(bx - ax):  # horizontal: above, then below
                yield Box.around(x, y + d + h / 2, w, h)
                yield Box.around(x, y - d - h / 2, w, h)
            else:  # vertical: right, then left
                yield Box.around(x + d + w / 2, y, w, h)
                yield Box.around(x - d - w / 2, y, w, h)


def _join(lines: list[str]) -> str:
    """The label text before wrapping (a space back between two Latin words)."""
    out = lines[0] if lines else ""
    for line in lines[1:]:
        latin = out[-1:].isascii() and out[-1:].isalnum() and line[:1].isascii()
        out += (" " if latin else "") + line
    return out


def _shapes(lines: list[str]) -> list[list[str]]:
    """The label as drawn, and wrapped to about half its width when that is narrower."""
    text = _join(lines)
    cols = sum(2 if ord(c) > 0x2E7F else 1 for c in text)
    narrow = wrap_even(text, max(8, cols // 2 + 1)) if cols >= 10 else lines
    return [lines, narrow] if len(narrow) > len(lines) else [lines]


def _boxes(boxes: list[Box]) -> npt.NDArray[np.float64]:
    return np.array([(b.x0, b.y0, b.x1, b.y1) for b in boxes], dtype=np.float64).reshape(-1, 4)


def _seg_boxes(segs: list[Segment]) -> npt.NDArray[np.float64]:
    """Bounding boxes of segments: exact for the axis-parallel ones ortho edges are made of,
    on the safe side for any other."""
    return np.array([(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
                     for a, b in segs], dtype=np.float64).reshape(-1, 4)


def _hits(cands: npt.NDArray[np.float64], boxes: npt.NDArray[np.float64], strict: bool
          ) -> npt.NDArray[np.int64]:
    """Per candidate box, how many of `boxes` it overlaps (touching counts unless `strict`)."""
    c = cands[:, None, :]
    b = boxes[None, :, :]
    if strict:
        m = (c[..., 0] < b[..., 2]) & (b[..., 0] < c[..., 2]) & \
            (c[..., 1] < b[..., 3]) & (b[..., 1] < c[..., 3])
    else:
        m = (c[..., 0] <= b[..., 2]) & (b[..., 0] <= c[..., 2]) & \
            (c[..., 1] <= b[..., 3]) & (b[..., 1] <= c[..., 3])
    return np.asarray(m.sum(axis=1), dtype=np.int64)


def _scores(cands: npt.NDArray[np.float64], obstacles: npt.NDArray[np.float64],
            segs: npt.NDArray[np.float64], lanes: npt.NDArray[np.float64], area: Box
            ) -> npt.NDArray[np.int64]:
    """10 per edge or text touched, 5 outside the chart, 1 across a lane border."""
    inner = cands + np.array([0.5, 0.5, -0.5, -0.5])
    hits = _hits(inner, obstacles, True) + _hits(inner, segs, False)
    outside = ~((cands[:, 0] >= area.x0) & (cands[:, 2] <= area.x1)
                & (cands[:, 1] >= area.y0) & (cands[:, 3] <= area.y1))
    if len(lanes):
        c, b = cands[:, None, :], lanes[None, :, :]
        inside = ((c[..., 0] >= b[..., 0]) & (c[..., 2] <= b[..., 2])
                  & (c[..., 1] >= b[..., 1]) & (c[..., 3] <= b[..., 3])).any(axis=1)
        straddles = (_hits(cands, lanes, True) > 0) & ~inside
    else:
        straddles = np.zeros(len(cands), dtype=bool)
    return np.asarray(hits * 10 + outside * 5 + straddles, dtype=np.int64)


def _place_one(e: Statement, own: list[Segment], obstacles: list[Box],
               segs: npt.NDArray[np.float64], layout: Layout) -> tuple[Box, list[str]]:
    """The best spot and shape for the label of `e`: near spots in any shape before far
    ones; the first free spot in that order, else the least bad."""
    obs = _boxes(obstacles)
    lanes = _boxes(list(layout.clusters.values()))
    best: tuple[int, Box, list[str]] | None = None
    for fars in (NEAR, FAR):
        for shape in _shapes(e.label_lines):
            w, h = label_size(shape)
            boxes = [b for seg in own for b in _candidates(seg, w, h, fars)]
            scores = _scores(_boxes(boxes), obs, segs, lanes, layout.bbox)
            i = int(np.argmin(scores))
            if best is None or scores[i] < best[0]:
                best = (int(scores[i]), boxes[i], shape)
            if best[0] == 0:
                return best[1], best[2]
    assert best is not None
    return best[1], best[2]


def place_labels(layout: Layout) -> dict[int, tuple[Point, list[str]]]:
    """New label centre and lines per edge statement index: beside its own edge, clear of
    the rest."""
    visible = [e for e in layout.edges if _visible(e)]
    segs = _seg_boxes([s for e in visible for s in segments(edge_points(e.attrs["pos"]))])
    obstacles = [node_box(n) for n in layout.nodes.values()
                 if _visible(n) and n.attrs.get("width")]
    placed: dict[int, tuple[Point, list[str]]] = {}
    labelled = [e for e in visible if e.label_lines]
    labelled.sort(key=lambda e: -len(segments(edge_points(e.attrs["pos"]))))
    for e in labelled:
        own = sorted(segments(edge_points(e.attrs["pos"])),
                     key=lambda s: -(abs(s[1][0] - s[0][0]) + abs(s[1][1] - s[0][1])))
        if not own:
            continue
        box, shape = _place_one(e, own, obstacles, segs, layout)
        obstacles.append(box)
        placed[e.first] = (((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2), shape)
    return placed


def centre_headers(layout: Layout, header_of: dict[str, str]) -> dict[str, Point]:
    """New position of each lane header node (`header_of`: cluster name → header node id):
    centred over its lane."""
    out: dict[str, Point] = {}
    for cluster, node in header_of.items():
        box = layout.clusters.get(cluster)
        st = layout.nodes.get(node)
        if box is None or st is None:
            continue
        _, y = (float(v) for v in st.attrs["pos"].split(","))
        out[node] = ((box.x0 + box.x1) / 2, y)
    return out


def centre_below(layout: Layout, node: str) -> dict[str, Point]:
    """New position of `node` (the legend): centred under the lanes."""
    st = layout.nodes.get(node)
    if st is None or not layout.clusters:
        return {}
    x0 = min(c.x0 for c in layout.clusters.values())
    x1 = max(c.x1 for c in layout.clusters.values())
    _, y = (float(v) for v in st.attrs["pos"].split(","))
    return {node: ((x0 + x1) / 2, y)}


def _set(lines: list[str], st: Statement, key: str, value: str) -> None:
    pat = re.compile(rf'(\b{key}=)"[^"]*"')
    for i in range(st.first, st.last + 1):
        if pat.search(lines[i]):
            lines[i] = pat.sub(lambda m: f'{m.group(1)}"{value}"', lines[i], count=1)
            return


def _centre_title(lines: list[str], layout: Layout) -> None:
    """Put the graph label (the title block) over the middle of the lanes."""
    if not layout.clusters:
        return
    x = (min(c.x0 for c in layout.clusters.values())
         + max(c.x1 for c in layout.clusters.values())) / 2
    for i, line in enumerate(lines):
        if _STMT.match(line) or "subgraph" in line:
            return  # past the graph's own attributes
        m = re.match(r'(\s*lp=)"[^",]*,([^"]*)"', line)
        if m:
            lines[i] = f'{m.group(1)}"{x:.2f},{m.group(2)}"' + line[m.end():]
            return


def _set_label(lines: list[str], st: Statement, shape: list[str]) -> None:
    if shape == st.label_lines:
        return
    html_text = "<BR/>".join(html_label_text(line) for line in shape)
    for i in range(st.first, st.last + 1):
        m = re.match(r"(\s*xlabel=<)(.*)(>,?\s*)$", lines[i])
        if m:
            lines[i] = m.group(1) + html_text + m.group(3)
            return


def apply(layout: Layout, labels: dict[int, tuple[Point, list[str]]],
          headers: dict[str, Point]) -> str:
    """The laid-out DOT text with the new label and node positions written in, and the title
    centred over the lanes."""
    lines = list(layout.lines)
    _centre_title(lines, layout)
    by_first = {e.first: e for e in layout.edges}
    for first, ((x, y), shape) in labels.items():
        _set(lines, by_first[first], "xlp", f"{x:.2f},{y:.2f}")
        _set_label(lines, by_first[first], shape)
    for node, (x, y) in headers.items():
        _set(lines, layout.nodes[node], "pos", f"{x:.2f},{y:.2f}")
    return "\n".join(lines)


def improve(text: str, header_of: dict[str, str]) -> str:
    """`dot -Tdot` output with edge labels moved clear of everything, lane headers centred
    over their lanes and the legend (with the risk table) centred under them."""
    layout = parse_layout(text)
    moves = centre_headers(layout, header_of) | centre_below(layout, "legend")
    return apply(layout, place_labels(layout), moves)
