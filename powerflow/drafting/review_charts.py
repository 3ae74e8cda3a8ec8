"""Charts for a change review: the OLD and NEW flowcharts of a power with the changes drawn on.

Takes a `PowerReview`; gives the two charts as SVG text, drawn by `powerflow.render` with the
review's overlays (removed steps and edges on the old chart, added ones on the new), or None with
the reason when Graphviz or a CJK font is not available: the review works without them.

Must not: fail the review (every renderer problem becomes a reason string) or put SVG text into
a page unescaped (callers embed it as an image, so nothing in it can run).
"""

from __future__ import annotations

from .review import PowerReview, overlays

__all__ = ["chart_pair"]


def chart_pair(pr: PowerReview, lang: str = "zh") -> tuple[tuple[str, str] | None, str | None]:
    """((old SVG, new SVG), None) or (None, why not)."""
    if pr.old is None or pr.new is None or pr.old.flow is None or pr.new.flow is None:
        return None, None
    from ..render import chart_svg

    old_o, new_o = overlays(pr, lang)
    old, why = chart_svg(pr.old.flow, old_o, lang)
    if old is None:
        return None, why
    new, why = chart_svg(pr.new.flow, new_o, lang)
    if new is None:
        return None, why
    return (old, new), None
