"""Charts for a change review: the OLD and NEW flowcharts of a power with the changes drawn on.

Takes a `PowerReview`; gives the two charts as SVG text, drawn by `powerflow.render` with the
review's overlays (removed steps and edges on the old chart, added ones on the new), or None with
the reason when the renderer or Graphviz is not available. The renderer is imported lazily: the
review works without it.

Must not: fail the review (every renderer problem becomes a reason string) or put SVG text into
a page unescaped (callers embed it as an image, so nothing in it can run).
"""

from __future__ import annotations

import importlib
import tempfile
from pathlib import Path
from typing import Any

from .review import PowerReview, overlays

__all__ = ["chart_pair"]


def _svg(render: Any, flow: Any, overlay: Any, lang: str, folder: Path, name: str) -> str:
    render.render_flow(flow, folder / name, formats=("svg",), lang=lang, overlay=overlay)
    return (folder / f"{name}.svg").read_text(encoding="utf-8")


def chart_pair(pr: PowerReview, lang: str = "zh") -> tuple[tuple[str, str] | None, str | None]:
    """((old SVG, new SVG), None) or (None, why not)."""
    if pr.old is None or pr.new is None or pr.old.flow is None or pr.new.flow is None:
        return None, None
    try:
        render = importlib.import_module("powerflow.render")
    except ImportError:
        return None, "powerflow.render is not installed"
    old_o, new_o = overlays(pr, lang)
    try:
        with tempfile.TemporaryDirectory(prefix="powerflow-diff-") as tmp:
            folder = Path(tmp)
            return (_svg(render, pr.old.flow, old_o, lang, folder, "old"),
                    _svg(render, pr.new.flow, new_o, lang, folder, "new")), None
    except Exception as exc:  # another helper's module or a missing Graphviz: never fatal here
        return None, f"{type(exc).__name__}: {exc}"
