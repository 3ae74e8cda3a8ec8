"""Print PDFs on paper, checked from the PDF itself: page size, and the printed size of every
step name (measured by poppler's `pdftotext -bbox`: a CJK glyph is exactly 1 em wide)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from powerflow.loader import load_flow_text, load_flow_with_catalog
from powerflow.model import Flow
from powerflow.render import PAPERS, render_flow
from tests.conftest import FLOWS, require_graphviz

from .flowgen import generated_flows

pytestmark = pytest.mark.graphviz
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>')
CJK = re.compile(r"^[\u4e00-\u9fff（）]+$")


def _tools() -> None:
    require_graphviz()
    if not (shutil.which("pdftotext") and shutil.which("pdfinfo")):
        pytest.skip("poppler-utils (pdftotext, pdfinfo) is not installed")


def step_sizes(pdf: Path, flow: Flow) -> dict[str, float]:
    """Printed size (pt) of each step name found in `pdf`. A name can also be an edge label
    (10 pt) or a risk-table cell: the largest occurrence is the step box."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    names = {s.name for s in flow.steps.values() if CJK.match(s.name)}
    sizes: dict[str, float] = {}
    for x0, x1, word in WORD.findall(out):
        if word in names:
            size = (float(x1) - float(x0)) / len(word)
            sizes[word] = max(size, sizes.get(word, size))
    return sizes


def page_sizes(pdf: Path) -> set[tuple[int, int]]:
    out = subprocess.run(["pdfinfo", "-l", "99", str(pdf)], capture_output=True, text=True,
                         check=True).stdout
    return {(round(float(w)), round(float(h)))
            for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out)}


def _paper(name: str) -> set[tuple[int, int]]:
    w, h = PAPERS[name]
    return {(round(w), round(h)), (round(h), round(w))}


def _check(flow: Flow, stem: Path, paper: str) -> None:
    render_flow(flow, stem, ("pdf",), paper=paper)
    pdf = stem.with_suffix(".pdf")
    assert page_sizes(pdf) <= _paper(paper), f"{stem.name}: pages not {paper}"
    sizes = step_sizes(pdf, flow)
    assert sizes, f"{stem.name}: no step name found in the PDF"
    small = {k: round(v, 2) for k, v in sizes.items() if v < 9 - 0.01}
    assert small == {}, f"{stem.name} on {paper}: step names under 9 pt"


def test_every_sample_chart_prints_on_a3_with_step_names_of_9pt(tmp_path: Path) -> None:
    _tools()
    for path in sorted(FLOWS.glob("*.yaml")):
        if path.name == "catalog.yaml":
            continue
        lf, _ = load_flow_with_catalog(path)
        assert lf.flow is not None
        _check(lf.flow, tmp_path / lf.flow.code, "A3")


def test_flows_of_up_to_12_steps_print_on_a4(tmp_path: Path) -> None:
    _tools()
    checked = 0
    for i, text in enumerate(generated_flows(30)):
        lf = load_flow_text(text.encode("utf-8"), f"gen-{i}.yaml")
        assert lf.flow is not None
        if len(lf.flow.steps) > 12:
            continue
        _check(lf.flow, tmp_path / f"gen-{i}", "A4")
        checked += 1
    assert checked >= 3


def test_the_measure_sees_small_text(tmp_path: Path) -> None:
    """Without a paper size the PDF is the natural size: 12 pt step names; the same chart
    squeezed on one A4 page (no splitting) is under 9 pt, and the measure says so."""
    _tools()
    lf, _ = load_flow_with_catalog(FLOWS / "kj-qt-0021-government-procurement.yaml")
    assert lf.flow is not None
    render_flow(lf.flow, tmp_path / "natural", ("pdf",))
    sizes = step_sizes(tmp_path / "natural.pdf", lf.flow)
    assert sizes and min(sizes.values()) == pytest.approx(12, abs=0.05)
    from powerflow.render import flow_to_dot
    from powerflow.render.graphviz_run import layout_only, write_pages
    from powerflow.render.paper import plan_pages
    from powerflow.render.place import parse_layout

    laid = layout_only(flow_to_dot(lf.flow))
    plan = plan_pages(parse_layout(laid), "A4", split=False)
    write_pages([(laid, plan)], tmp_path / "squeezed.pdf")
    small = step_sizes(tmp_path / "squeezed.pdf", lf.flow)
    assert max(small.values()) < 9
