"""Real renders with Graphviz: texts in the SVG, fonts embedded in the PDF, dpi in the PNG,
the lane-order check, and a clear error when Graphviz or a CJK font is missing."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from powerflow.model import Flow
from powerflow.render import GraphvizMissing, flow_to_dot, render_flow
from powerflow.render import graphviz_run as gr
from powerflow.render.layout_check import check_lane_order, drawn_lane_order
from tests.conftest import FLOWS, require_graphviz

from .conftest import FIXTURES

pytestmark = pytest.mark.graphviz


def svg_text(path: Path) -> str:
    """The text content of an SVG (Graphviz writes some characters as entities)."""
    import defusedxml.ElementTree as ET

    tree = ET.fromstring(path.read_bytes())
    return "\n".join(el.text or "" for el in tree.iter())


def png_dpi(data: bytes) -> float | None:
    pos = 8
    while pos < len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        if data[pos + 4:pos + 8] == b"pHYs":
            x, _y, unit = struct.unpack(">IIB", data[pos + 8:pos + 17])
            return x * 0.0254 if unit == 1 else None
        pos += 12 + length
    return None


def test_svg_pdf_png(mini_flow: Flow, tmp_path: Path) -> None:
    require_graphviz()
    results = render_flow(mini_flow, tmp_path / "mini", ["svg", "pdf", "png"], dpi=200)
    assert results[0].lanes is not None and results[0].lanes.ok
    svg = svg_text(tmp_path / "mini.svg")
    for text in ("测试许可流程图", "申请人", "业务科", "集体决定", "高 R2", "中 R1", "2个工作日",
                 "材料不全", "列席", "廉政风险点及防控措施", "个人意见代替集体决策", "0000-1111"):
        assert text in svg, text
    fonts = subprocess.run(["pdffonts", str(tmp_path / "mini.pdf")], capture_output=True,
                           text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # emb column
    assert any("CJK" in line for line in fonts)
    png = (tmp_path / "mini.png").read_bytes()
    assert png_dpi(png) == pytest.approx(200, abs=0.1)
    assert png.count(b"pHYs") == 1


def test_dpi_only_on_png(mini_flow: Flow, tmp_path: Path) -> None:
    require_graphviz()
    render_flow(mini_flow, tmp_path / "a", ["svg", "png"], dpi=72)
    render_flow(mini_flow, tmp_path / "b", ["svg", "png"], dpi=144)
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    assert (tmp_path / "b.png").stat().st_size > (tmp_path / "a.png").stat().st_size


def test_lane_order_checked_on_the_layout(mini_flow: Flow) -> None:
    require_graphviz()
    dot = shutil.which("dot")
    assert dot
    text = flow_to_dot(mini_flow, lanes=["meeting"])
    layout = subprocess.run([dot, "-Tjson"], input=text, capture_output=True, text=True,
                            check=True).stdout
    assert drawn_lane_order(layout, ["lane1", "lane2", "lane3", "lane4"]) == [
        "lane1", "lane2", "lane3", "lane4"]
    bad = check_lane_order(layout, ["lane2", "lane1", "lane3", "lane4"])
    assert not bad.ok and bad.drawn[0] == "lane1"
    assert json.loads(layout)["name"] == "powerflow"


def test_separate_risk_table(mini_flow: Flow, tmp_path: Path) -> None:
    require_graphviz()
    render_flow(mini_flow, tmp_path / "m", ["svg"], risk_table="separate")
    assert "个人意见代替集体决策" not in (tmp_path / "m.svg").read_text("utf-8")
    assert "个人意见代替集体决策" in (tmp_path / "m-risks.svg").read_text("utf-8")


def test_missing_graphviz_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, mini_flow: Flow,
                                           tmp_path: Path) -> None:
    gr.check_environment.cache_clear()
    monkeypatch.setattr(gr.shutil, "which", lambda name: None)
    try:
        with pytest.raises(GraphvizMissing, match="apt-get install graphviz fonts-noto-cjk"):
            render_flow(mini_flow, tmp_path / "x", ["svg"])
    finally:
        gr.check_environment.cache_clear()


def test_missing_cjk_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    gr.check_environment.cache_clear()
    real_run = subprocess.run

    def fake_run(args: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
        if "fc-list" in str(args[0]):
            return subprocess.CompletedProcess(args, 0, "", "")
        return real_run(args, **kw)  # type: ignore[call-overload,no-any-return]

    monkeypatch.setattr(gr.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(gr.subprocess, "run", fake_run)
    try:
        with pytest.raises(GraphvizMissing, match="fc-list :lang=zh"):
            gr.check_environment()
    finally:
        gr.check_environment.cache_clear()


def test_render_command(cli: Callable[..., Result], tmp_path: Path) -> None:
    require_graphviz()
    res = cli("render", str(FIXTURES), "-o", str(tmp_path), "--format", "svg,png", "--dpi", "96",
              "--lang", "en", "--lanes", "discipline,applicant")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "T-XK-0001.svg").is_file() and (tmp_path / "T-XK-0001.png").is_file()
    svg = svg_text(tmp_path / "T-XK-0001.svg")
    assert "Legend" in svg and svg.index("Discipline") < svg.index("Applicant")
    assert cli("render", str(FIXTURES), "--format", "gif").exit_code == 2


def test_render_command_reports_invalid_files(cli: Callable[..., Result], tmp_path: Path) -> None:
    require_graphviz()
    bad = tmp_path / "bad"
    shutil.copytree(FIXTURES, bad)
    (bad / "broken.yaml").write_text("power: {code: X-1}\nsteps: {}\n", "utf-8")
    res = cli("render", str(bad), "-o", str(tmp_path / "out"))
    assert res.exit_code == 1
    assert (tmp_path / "out" / "T-XK-0001.svg").is_file()
    assert not (tmp_path / "out" / "X-1.svg").exists()


def test_sample_catalogue_renders(tmp_path: Path) -> None:
    require_graphviz()
    from powerflow.render.batch import render_paths

    result = render_paths([FLOWS], tmp_path, ["svg"])
    assert result.rendered >= 1 and result.rendered == result.loaded
    assert [d for d in result.diagnostics if d.code == "PF701"] == []
