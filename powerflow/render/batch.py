"""Render many power files at once (the `render` command's library half).

Takes paths, an output folder and chart options; loads every file, renders the valid ones and
gives the files written plus diagnostics: the load problems of invalid files, PF701
(lanes-reordered) when Graphviz did not keep the lane order even after a retry, PF702
(paper-too-small) when a print PDF's step names are under 9 pt and PF703 (render-fallback)
when a chart needed a fallback (Graphviz crashed, pages could not be joined).
Must not: print, exit, or render a file that failed to load.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic, Location, Severity, Text
from ..loader import LoadedFlow
from ..pipeline import run
from . import RenderResult, render_flow
from .escape import file_stem
from .extract import lane_order
from .layout_check import LaneOrderResult
from .paper import PagePlan

__all__ = ["BatchResult", "fallback_diagnostic", "lane_diagnostic", "output_stem",
           "paper_diagnostic", "render_paths"]


@dataclass
class BatchResult:
    files: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    rendered: int = 0
    loaded: int = 0


def output_stem(out: Path, code: str) -> Path:
    """`out/<name>` for a power code: two codes never share a name (`escape.file_stem`)."""
    return out / file_stem(code)


def lane_diagnostic(path: str, code: str, lanes: LaneOrderResult,
                    titles: dict[str, str]) -> Diagnostic:
    want = " | ".join(titles.get(i, i) for i in lanes.expected)
    got = " | ".join(titles.get(i, i) for i in lanes.drawn)
    return Diagnostic(
        "PF701", Severity.WARNING, Location(path, 1, 1),
        Text(f"Graphviz drew the lanes of {code} out of order: {got} (wanted {want})",
             f"{code} 的泳道顺序被 Graphviz 打乱：{got}（应为 {want}）"),
        Text("Give the order explicitly with --lanes or `lanes:` in the file, or split a lane "
             "whose steps cross many others.",
             "用 --lanes 或文件中的 lanes: 指定顺序，或拆分与其他泳道交叉过多的泳道。"),
        "lanes-reordered")


def paper_diagnostic(path: str, code: str, plan: PagePlan) -> Diagnostic:
    """PF702: the step names of a print PDF are smaller than 9 pt (too wide for the paper)."""
    pt = f"{plan.step_pt:.1f}"
    return Diagnostic(
        "PF702", Severity.WARNING, Location(path, 1, 1),
        Text(f"the chart of {code} is too wide for {plan.paper} at 9 pt: its step names print "
             f"at {pt} pt", f"{code} 的流程图按 9 磅字排不下 {plan.paper} 纸：环节名称只有 {pt} 磅"),
        Text("Print on a larger paper (--paper A3), or draw fewer lanes side by side (merge "
             "lanes of one office, or split the power into phases).",
             "改用更大的纸（--paper A3），或减少并排的泳道（合并同一科室的泳道，或按阶段拆分）。"),
        "paper-too-small")


def fallback_diagnostic(path: str, code: str, note: str) -> Diagnostic:
    """PF703: Graphviz crashed on the chart, or a page could not be joined; said, not hidden."""
    return Diagnostic(
        "PF703", Severity.WARNING, Location(path, 1, 1),
        Text(f"the chart of {code} needed a fallback: {note}",
             f"{code} 的流程图使用了备用绘制方式：{note}"),
        Text("Look at the chart; report the power file if it is drawn badly.",
             "请检查该图；若绘制不佳请反馈该职权文件。"),
        "render-fallback")


@dataclass(frozen=True)
class _Options:
    out: Path
    formats: tuple[str, ...]
    dpi: int
    lang: str | None
    lanes: tuple[str, ...] | None
    risk_table: str
    paper: str | None = None


_OPTIONS: _Options | None = None
"""Set in the parent before `pipeline.run` forks its workers."""


def _render_one(lf: LoadedFlow) -> tuple[list[str], list[Diagnostic]]:
    """Worker stage: render one loaded file; give the files written and lane diagnostics."""
    opts = _OPTIONS
    if lf.flow is None or opts is None:
        return [], []
    flow = lf.flow
    stem = output_stem(opts.out, flow.code)
    rendered: list[RenderResult] = render_flow(flow, stem, opts.formats, opts.dpi,
                                               opts.lang or flow.defaults.lang, opts.lanes,
                                               opts.risk_table, paper=opts.paper)
    files: list[str] = []
    diags: list[Diagnostic] = []
    for r in rendered:
        files.extend(str(p) for p in r.files.values())
        if r.pages is not None and r.pages.small:
            diags.append(paper_diagnostic(lf.path, flow.code, r.pages))
        diags.extend(fallback_diagnostic(lf.path, flow.code, w) for w in r.warnings)
        if r.lanes is not None and not r.lanes.ok:
            titles = {f"lane{i}": a for i, a in enumerate(lane_order(flow, opts.lanes), 1)}
            diags.append(lane_diagnostic(lf.path, flow.code, r.lanes, titles))
    return files, diags


def render_paths(paths: Iterable[str | os.PathLike[str]], out: Path,
                 formats: Sequence[str] = ("svg",), dpi: int = 150, lang: str | None = None,
                 lanes: Sequence[str] | None = None, risk_table: str = "inline",
                 jobs: int | None = None, paper: str | None = None) -> BatchResult:
    """Load and render every power file under `paths` into `out` (chart language: `lang`, or
    the catalogue's default language), in parallel worker processes for many files."""
    global _OPTIONS
    _OPTIONS = _Options(out, tuple(formats), dpi, lang, tuple(lanes) if lanes else None,
                        risk_table, paper)
    try:
        ran = run(paths, _render_one, jobs=jobs)
    finally:
        _OPTIONS = None
    result = BatchResult(diagnostics=ran.diagnostics, loaded=len(ran.files))
    for fr in ran.files:
        if fr.value is None or not fr.value[0]:
            continue
        result.files.extend(Path(p) for p in fr.value[0])
        result.diagnostics.extend(fr.value[1])
        result.rendered += 1
    return result
