"""Data drawn on top of a flowchart: traffic, highlights, notes.

Takes nothing; gives `Overlay`, which the renderer accepts to redraw a flow with what happened
in real cases (edge width by case count, deviations and overdue steps coloured, notes on risk
points), a simulated path, or the changes between two versions. Producers: the case audit, the
log replay, `diff`. Consumer: `powerflow.render`.
Must not: know about Graphviz, files or HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["EdgeKey", "Overlay"]

EdgeKey = tuple[str, str, str]
"""(from step, to step, event) of a transition; for edges the flow lacks, event may be ``""``."""


@dataclass(frozen=True)
class Overlay:
    """What to draw over the flow. Colours are names of the renderer's palette:
    ``ok``, ``warn`` (yellow), ``bad`` (red), ``path`` (highlighted), ``added``, ``removed``."""

    edge_counts: dict[EdgeKey, int] = field(default_factory=dict)
    edge_colors: dict[EdgeKey, str] = field(default_factory=dict)
    extra_edges: tuple[EdgeKey, ...] = ()
    step_colors: dict[str, str] = field(default_factory=dict)
    step_notes: dict[str, str] = field(default_factory=dict)
    risk_notes: dict[str, str] = field(default_factory=dict)
    caption: str | None = None
