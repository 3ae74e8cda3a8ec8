"""Plane geometry of a laid-out chart: boxes, polylines, text extents.

Takes numbers (points, 1/72 inch); gives `Box` and segment/box intersection. Shared by the
label placer (`place`) and the collision counter (`collisions`), so both judge a label by the
same measure.
Must not: parse DOT or SVG, run Graphviz, or read files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

__all__ = ["Box", "Point", "Segment", "segments"]

Point = tuple[float, float]
Segment = tuple[Point, Point]


@dataclass(frozen=True)
class Box:
    """An axis-aligned box: `x0 <= x1`, `y0 <= y1` (either y direction, used consistently)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @classmethod
    def around(cls, cx: float, cy: float, w: float, h: float) -> Box:
        return cls(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)

    def shrink(self, d: float) -> Box:
        return Box(self.x0 + d, self.y0 + d, self.x1 - d, self.y1 - d)

    def overlaps(self, other: Box) -> bool:
        return (self.x0 < other.x1 and other.x0 < self.x1
                and self.y0 < other.y1 and other.y0 < self.y1)

    def inside(self, other: Box) -> bool:
        return (other.x0 <= self.x0 and self.x1 <= other.x1
                and other.y0 <= self.y0 and self.y1 <= other.y1)

    def crossed_by(self, seg: Segment) -> bool:
        """Whether the segment passes through the box (Liang-Barsky clipping)."""
        (ax, ay), (bx, by) = seg
        t0, t1 = 0.0, 1.0
        dx, dy = bx - ax, by - ay
        for p, q in ((-dx, ax - self.x0), (dx, self.x1 - ax),
                     (-dy, ay - self.y0), (dy, self.y1 - ay)):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return False
        return True

    def crossed_by_any(self, segs: Iterable[Segment]) -> bool:
        return any(self.crossed_by(s) for s in segs)


def segments(points: Sequence[Point]) -> list[Segment]:
    """The segments of a polyline through `points` (zero-length ones dropped)."""
    return [(a, b) for a, b in pairwise(points) if a != b]
