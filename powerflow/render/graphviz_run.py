"""Run Graphviz: DOT text → SVG / PDF / PNG files, with the lane order checked.

Takes DOT text (from `powerflow.render.dot`), an output stem, formats and a PNG dpi; gives the
written files and the lane-order check. Checks first that `dot` and a CJK font are installed
(without one Graphviz exits 0 and draws empty boxes) and raises `GraphvizMissing` saying what to
install. SVG and PDF (and the `-Tjson` layout used by the check) come from one `dot` run; PNG
comes from a second run on a copy of the graph with `dpi` set (on the graph itself it would
scale SVG and PDF too), through `png:cairo`, with a pHYs chunk so the dpi is recorded.
Must not: build DOT, or pass anything but the DOT text on stdin to the program.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .geometry import Box
from .layout_check import LaneOrderResult, check_lane_order
from .paper import PagePlan, viewport
from .place import improve, parse_layout

__all__ = [
    "FORMATS",
    "GraphvizError",
    "GraphvizMissing",
    "RenderResult",
    "check_environment",
    "render_dot",
    "set_png_dpi",
]

FORMATS = ("svg", "pdf", "png")
INSTALL = ("install Graphviz and a CJK font: `apt-get install graphviz fonts-noto-cjk` "
           "(Debian/Ubuntu; `fonts-wqy-microhei` is a small fallback), `brew install graphviz` "
           "and a Noto Sans CJK SC font on macOS, or run `make setup`")
TIMEOUT = 300
FALLBACKS = ("splines=polyline", "mclimit=1", "newrank=false", "newrank=false splines=polyline")
"""Graph attributes tried in turn when dot crashes on a chart."""
DRAW = ("-Kneato", "-n2")
"""Draw a laid-out graph (`-Tdot` output with `pos` everywhere) as it is: no second layout."""


class GraphvizError(RuntimeError):
    """Graphviz failed on a chart (the message carries its stderr)."""


class GraphvizCrash(GraphvizError):
    """`dot` died of a signal (a bug of Graphviz on this graph, not of the input)."""


class GraphvizMissing(GraphvizError):
    """`dot` or a CJK font is not installed; the message says what to install."""


@dataclass(frozen=True)
class RenderResult:
    files: dict[str, Path]
    lanes: LaneOrderResult | None = None
    retried: bool = False
    warnings: tuple[str, ...] = field(default=())
    laid: str = field(default="", repr=False)
    """The laid-out DOT text the files were drawn from (`-Tdot`, labels placed)."""
    pages: PagePlan | None = None
    """How the print PDF was put on paper, when a paper size was asked for."""


@functools.cache
def check_environment() -> str:
    """The path of `dot`, after checking that a CJK font is installed; raises
    `GraphvizMissing` otherwise."""
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizMissing(f"Graphviz's `dot` program was not found on PATH: {INSTALL}")
    fc = shutil.which("fc-list")
    if fc is None:
        raise GraphvizMissing("fontconfig's `fc-list` was not found, so no CJK font can be "
                              f"checked for (Chinese text would be drawn as empty boxes): {INSTALL}")
    out = subprocess.run([fc, ":lang=zh", "family"], capture_output=True, text=True,
                         timeout=60, check=False).stdout
    if not out.strip():
        raise GraphvizMissing("no font with Chinese glyphs is installed (`fc-list :lang=zh` "
                              f"is empty), so charts would show empty boxes: {INSTALL}")
    return dot


def _run(dot: str, args: list[str], source: str) -> bytes:
    try:
        proc = subprocess.run([dot, *args], input=source.encode("utf-8"), capture_output=True,
                              timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise GraphvizError(f"Graphviz took longer than {TIMEOUT} s on one chart") from exc
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        kind = GraphvizCrash if proc.returncode < 0 else GraphvizError
        raise kind(f"Graphviz failed (exit {proc.returncode}): {err[:2000]}")
    return proc.stdout


_NODE_DEFAULTS = re.compile(r"^\s*node \[", re.MULTILINE)


def _with_graph_attrs(source: str, attrs: str) -> str:
    """`source` with a `graph [attrs]` statement after the graph's own attributes (so these
    win), i.e. before the node defaults that our DOT and dot's `-Tdot` output always have."""
    m = _NODE_DEFAULTS.search(source)
    at = m.start() if m else source.index("{") + 1
    return f"{source[:at]}\n  graph [{attrs}];\n{source[at:]}"


def _laid_out(dot: str, source: str) -> tuple[str, str | None]:
    """`dot -Tdot` of `source`; when dot crashes (2.43 does on some clustered ortho graphs),
    the layout again with each of `FALLBACKS` until one works, and which one it was."""
    try:
        return _run(dot, ["-Tdot"], source).decode("utf-8"), None
    except GraphvizCrash as first:
        for attrs in FALLBACKS:
            try:
                return _run(dot, ["-Tdot"], _with_graph_attrs(source, attrs)).decode(), attrs
            except GraphvizCrash:
                continue
        raise first


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def set_png_dpi(png: bytes, dpi: int) -> bytes:
    """`png` with one pHYs chunk saying `dpi` (pixels per metre, unit 1) right after IHDR."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise GraphvizError("Graphviz did not write a PNG file")
    out = [png[:8]]
    pos = 8
    ppm = round(dpi / 0.0254)
    while pos < len(png):
        length = struct.unpack(">I", png[pos:pos + 4])[0]
        kind = png[pos + 4:pos + 8]
        end = pos + 12 + length
        if kind != b"pHYs":
            out.append(png[pos:end])
        if kind == b"IHDR":
            out.append(_chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1)))
        pos = end
    return b"".join(out)


def layout_only(source: str, lane_ids: Sequence[str] = ()) -> str:
    """The laid-out DOT text of `source` (labels placed, headers centred), drawing nothing."""
    raw, _ = _laid_out(check_environment(), source)
    return improve(raw, {f"cluster_{lid}": lid for lid in lane_ids})


def _drawn_offset(dot: str, laid: str) -> tuple[float, float]:
    """How far `neato -n2` shifts the laid-out chart when drawing it (it moves the drawing to
    the origin), measured on one node: viewports are given in the drawn coordinates."""
    data = json.loads(_run(dot, [*DRAW, "-Tjson0"], laid))
    layout = parse_layout(laid)
    for obj in data.get("objects", []):
        st = layout.nodes.get(obj.get("name", ""))
        if st is not None and isinstance(obj.get("pos"), str):
            (ax, ay), (bx, by) = (tuple(float(v) for v in p.split(",")) for p in
                                  (st.attrs["pos"], obj["pos"]))
            return bx - ax, by - ay
    return 0.0, 0.0


def write_pages(pages: Sequence[tuple[str, PagePlan]], out: Path) -> list[str]:
    """Draw each page of each (laid-out DOT, plan) into one PDF at `out`; pages are joined
    with `pdfunite` (poppler-utils). Without it the pages after the first are written as
    `out-2.pdf` … and the returned warnings say so."""
    dot = check_environment()
    files: list[Path] = []
    for laid, plan in pages:
        dx, dy = _drawn_offset(dot, laid)
        for region in plan.regions:
            path = out.with_name(f"{out.stem}-{len(files) + 1}.pdf")
            moved = Box(region.x0 + dx, region.y0 + dy, region.x1 + dx, region.y1 + dy)
            _run(dot, [*DRAW, "-Tpdf", f"-o{path}"], _with_graph_attrs(laid, viewport(plan, moved)))
            files.append(path)
    if len(files) == 1:
        files[0].replace(out)
        return []
    unite = shutil.which("pdfunite")
    if unite is None:
        files[0].replace(out)
        return [f"pdfunite (poppler-utils) is not installed: pages 2-{len(files)} of {out.name} "
                f"are separate files ({files[1].name} …)"]
    proc = subprocess.run([unite, *map(str, files), str(out)], capture_output=True,
                          timeout=TIMEOUT, check=False)
    if proc.returncode != 0:
        raise GraphvizError(f"pdfunite failed: {proc.stderr.decode('utf-8', 'replace')[:500]}")
    for f in files:
        f.unlink()
    return []


def render_dot(source: str, stem: Path, formats: Sequence[str] = ("svg",), dpi: int = 150,
               lane_ids: Sequence[str] | None = None) -> RenderResult:
    """Write `stem.<fmt>` for each format. When `lane_ids` is given the lane order is checked
    on the same layout; if dot reordered the lanes the chart is laid out once more with full
    crossing minimisation and checked again (the result says whether it still differs)."""
    dot = check_environment()
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown chart format(s): {', '.join(unknown)}")
    stem.parent.mkdir(parents=True, exist_ok=True)
    files = {f: stem.with_name(f"{stem.name}.{f}") for f in FORMATS if f in formats}
    vector = [f for f in ("svg", "pdf") if f in files]

    header_of = {f"cluster_{lid}": lid for lid in lane_ids or ()}

    warnings: list[str] = []

    def layout(src: str) -> tuple[str, LaneOrderResult | None]:
        raw, fallback = _laid_out(dot, src)
        if fallback:
            warnings.append(f"Graphviz crashed on this chart; drawn with {fallback}")
        laid = improve(raw, header_of)
        args: list[str] = []
        for f in vector:
            args += [f"-T{f}", f"-o{files[f]}"]
        if lane_ids:
            args.append("-Tjson0")
        if not args:
            return laid, None
        out = _run(dot, [*DRAW, *args], laid)
        return laid, (check_lane_order(out, lane_ids) if lane_ids else None)

    laid, lanes = layout(source)
    retried = False
    if lanes is not None and not lanes.ok:
        laid, lanes = layout(_with_graph_attrs(source, "mclimit=1 remincross=true"))
        retried = True
    if "png" in files:
        png = _run(dot, [*DRAW, "-Tpng:cairo"], _with_graph_attrs(laid, f"dpi={int(dpi)}"))
        files["png"].write_bytes(set_png_dpi(png, int(dpi)))
    return RenderResult(files, lanes, retried, tuple(warnings), laid)
