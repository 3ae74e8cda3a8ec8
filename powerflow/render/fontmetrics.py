"""The width of a line of chart text, measured with the font Graphviz draws it in.

Takes text, a point size and whether it is bold; gives its advance width in points. The font
file is the one fontconfig picks for the chart's first font family (`dot.FONTS`), the same
lookup Graphviz makes, read with fontTools (advance widths and character map only, once per
process). Without fontconfig, fontTools or a readable font it falls back to an estimate (CJK
1 em, capitals 0.68 em, other letters and digits 0.57 em, spaces and punctuation less), which
errs on the wide side.
Must not: run Graphviz or write files.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import unicodedata
from collections.abc import Callable

__all__ = ["FAMILY", "estimate", "text_width"]

FAMILY = "Noto Sans CJK SC"
"""The first family of the chart font list (`powerflow.render.dot.FONTS`)."""
_THIN_EM = {" ": 0.3, ".": 0.35, ",": 0.35, ":": 0.35, ";": 0.35, "'": 0.3, "!": 0.35,
            "|": 0.35, "-": 0.4, "(": 0.4, ")": 0.4, "[": 0.4, "]": 0.4}


def estimate(text: str, size: float) -> float:
    """Estimated width of `text` at `size` when the font cannot be read."""
    em = sum(1.0 if unicodedata.east_asian_width(c) in ("W", "F")
             else 0.68 if c.isupper() else _THIN_EM.get(c, 0.57) for c in text)
    return em * size


def _font_file(bold: bool) -> tuple[str, int] | None:
    fc = shutil.which("fc-match")
    if fc is None:
        return None
    pattern = FAMILY + (":bold" if bold else "")
    try:
        out = subprocess.run([fc, "-f", "%{file}\t%{index}", pattern], capture_output=True,
                             text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    path, _, index = out.partition("\t")
    return (path, int(index or 0)) if path else None


@functools.cache
def _advances(bold: bool) -> Callable[[str], float] | None:
    """A function giving the advance of a string in em, or None when the font is unreadable."""
    found = _font_file(bold)
    if found is None:
        return None
    try:
        from fontTools.ttLib import TTFont

        with TTFont(found[0], fontNumber=found[1], lazy=True) as font:
            cmap: dict[int, str] = dict(font.getBestCmap())
            metrics: dict[str, float] = {name: float(adv) for name, (adv, _) in
                                         font["hmtx"].metrics.items()}
            upm = float(font["head"].unitsPerEm)
    except Exception:
        return None
    missing = metrics.get(".notdef", upm)

    def advance(text: str) -> float:
        return sum(metrics.get(cmap.get(ord(c), ".notdef"), missing) for c in text) / upm
    return advance


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of one line of `text` at font `size` (points), bold or regular."""
    advance = _advances(bold)
    return advance(text) * size if advance else estimate(text, size)
