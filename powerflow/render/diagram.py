"""The diagram model: what a chart shows, independent of Graphviz.

Takes nothing; gives plain frozen dataclasses (`Diagram` of `Lane`, `Node`, `Edge`, `Badge`,
`TitleBlock`, `LegendItem`, `RiskRow`) built by `extract` and drawn by `dot`. Ids are generated
(`s1`, `lane1` …), never user text; text fields hold raw user text, escaped only by the renderer.
Must not: import Graphviz, read files, or escape text (that belongs to the renderer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "LEVEL_COLOURS",
    "PALETTE",
    "Badge",
    "Diagram",
    "Edge",
    "EdgeStyle",
    "Lane",
    "LegendItem",
    "Node",
    "NodeKind",
    "RiskRow",
    "TitleBlock",
]

NodeKind = Literal["start", "end", "task", "review", "decision", "notice", "supervision"]
EdgeStyle = Literal["flow", "send_back", "supervision", "extra"]

LEVEL_COLOURS: dict[str, tuple[str, str]] = {
    "high": ("#C62828", "#FFFFFF"),
    "medium": ("#EF6C00", "#000000"),
    "low": ("#F9A825", "#000000"),
}
"""Badge fill and text colour per risk level: they stay apart in black-and-white print."""

PALETTE: dict[str, str] = {
    "ok": "#2E7D32",
    "warn": "#F9A825",
    "bad": "#C62828",
    "path": "#1565C0",
    "added": "#2E7D32",
    "removed": "#9E9E9E",
}
"""Overlay colour names (see `powerflow.overlay.Overlay`) and their colours."""


@dataclass(frozen=True)
class Badge:
    """A risk badge on a step: level (`high`/`medium`/`low`) and its text, e.g. ``高 R3``."""

    risk_id: str
    level: str
    text: str


@dataclass(frozen=True)
class Node:
    id: str
    lane: str
    kind: NodeKind
    label: str
    detail: str | None = None
    badges: tuple[Badge, ...] = ()
    colour: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Edge:
    tail: str
    head: str
    style: EdgeStyle = "flow"
    label: str | None = None
    width: float = 1.2
    colour: str | None = None
    count: int | None = None


@dataclass(frozen=True)
class Lane:
    id: str
    actor: str
    title: str


@dataclass(frozen=True)
class TitleBlock:
    title: str
    subtitle: str | None = None
    rows: tuple[tuple[str, str], ...] = ()
    footer: str | None = None


@dataclass(frozen=True)
class LegendItem:
    kind: str
    text: str


@dataclass(frozen=True)
class RiskRow:
    """One row of the risk table: 编号 | 等级 | 环节 | 风险点 | 防控措施 | 责任人."""

    risk_id: str
    level: str
    level_text: str
    step: str
    risk: str
    controls: str
    responsible: str
    note: str | None = None


@dataclass(frozen=True)
class Diagram:
    lang: str
    title: TitleBlock
    lanes: tuple[Lane, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    legend: tuple[LegendItem, ...] = ()
    risk_rows: tuple[RiskRow, ...] = ()
    risk_table: Literal["inline", "separate", "none"] = "inline"
    headings: dict[str, str] = field(default_factory=dict)
    caption: str | None = None

    def lane_ids(self) -> list[str]:
        return [lane.id for lane in self.lanes]

    def nodes_in(self, lane: str) -> list[Node]:
        return [n for n in self.nodes if n.lane == lane]
