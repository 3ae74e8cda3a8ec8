"""Check, after layout, that Graphviz kept the lanes in the order asked for.

Takes the `-Tjson` output of a laid-out chart and the lane ids in their intended order; gives
the lane ids in the order they were drawn (left to right) and whether it matches. dot does not
guarantee the order of clusters, so every render is checked.
Must not: run Graphviz or touch files.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["LaneOrderResult", "check_lane_order", "drawn_lane_order"]


@dataclass(frozen=True)
class LaneOrderResult:
    expected: tuple[str, ...]
    drawn: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.expected == self.drawn


def drawn_lane_order(layout_json: str | bytes, lane_ids: Sequence[str]) -> list[str]:
    """Lane header nodes sorted by their x position in the layout."""
    data = json.loads(layout_json)
    wanted = set(lane_ids)
    xs: dict[str, float] = {}
    for obj in data.get("objects", []):
        name = obj.get("name")
        pos = obj.get("pos")
        if name in wanted and isinstance(pos, str):
            xs[name] = float(pos.split(",")[0])
    return sorted(xs, key=lambda n: (xs[n], n))


def check_lane_order(layout_json: str | bytes, lane_ids: Sequence[str]) -> LaneOrderResult:
    return LaneOrderResult(tuple(lane_ids), tuple(drawn_lane_order(layout_json, lane_ids)))
