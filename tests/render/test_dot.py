"""The DOT renderer, compared with golden files: no Graphviz needed.

Set POWERFLOW_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change (and look at
the charts before committing them)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from powerflow.model import Flow
from powerflow.overlay import Overlay
from powerflow.render import flow_to_dot
from powerflow.render.dot import wrap, wrap_even
from powerflow.render.extract import extract, lane_order

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("POWERFLOW_UPDATE_GOLDEN"):
        path.write_text(text, "utf-8")
    assert path.is_file(), f"missing golden file {path}: run with POWERFLOW_UPDATE_GOLDEN=1"
    assert text == path.read_text("utf-8")


@pytest.mark.parametrize(("lang", "table"), [("zh", "inline"), ("en", "none")])
def test_chart_matches_golden(mini_flow: Flow, lang: str, table: str) -> None:
    check_golden(f"mini-{lang}-{table}.dot", flow_to_dot(mini_flow, lang=lang, risk_table=table))


def test_overlay_matches_golden(mini_flow: Flow) -> None:
    overlay = Overlay(edge_counts={("apply", "accept", "submit"): 40, ("accept", "decide", "pass"): 10},
                      edge_colors={("accept", "decide", "pass"): "bad"},
                      extra_edges=(("accept", "granted", ""),),
                      step_colors={"decide": "warn"}, step_notes={"decide": "3 件超期"},
                      risk_notes={"R2": "2 件缺少会议纪要"}, caption="2024 年案件回放")
    text = flow_to_dot(mini_flow, overlay)
    check_golden("mini-overlay.dot", text)
    assert "penwidth=6" in text  # the busiest edge is the widest
    assert 'color="#C62828"' in text and "#F9A825" in text
    assert "2 件缺少会议纪要" in text and "3 件超期" in text


def test_dot_is_deterministic_and_ids_are_generated(mini_flow: Flow) -> None:
    a = flow_to_dot(mini_flow)
    assert a == flow_to_dot(mini_flow)
    statements = re.findall(r"^\s*([A-Za-z0-9_]+) \[", a, re.M)
    assert statements and all(re.fullmatch(r"s\d+|lane\d+(_end)?|lane_root|legend|graph|node|edge",
                                            s) for s in statements)
    for step in mini_flow.steps:  # user ids never become node names
        assert not re.search(rf"^\s*{step}\b", a, re.M)


def test_lane_order_and_override(mini_flow: Flow) -> None:
    assert lane_order(mini_flow) == ["applicant", "office", "meeting", "discipline"]
    assert lane_order(mini_flow, ["meeting", "nobody", "applicant"]) == [
        "meeting", "applicant", "office", "discipline"]
    d = extract(mini_flow, lanes=["discipline"])
    assert d.lanes[0].actor == "discipline"
    text = flow_to_dot(mini_flow, lanes=["discipline"])
    assert "lane1 -> lane2 [style=invis];" in text
    assert text.index("纪检监察") < text.index("申请人")


def test_chart_content(mini_flow: Flow) -> None:
    d = extract(mini_flow)
    kinds = {n.label: n.kind for n in d.nodes}
    assert kinds["申请"] == "start" and kinds["准予许可"] == "end" and kinds["集体决定"] == "decision"
    badges = {b.text for n in d.nodes for b in n.badges}
    assert badges == {"中 R1", "高 R2"}
    styles = {(e.style, e.label) for e in d.edges}
    assert ("send_back", "材料不全") in styles and ("supervision", "列席") in styles
    assert [n.detail for n in d.nodes if n.label == "补正"] == ["5个工作日（暂停计时）"]
    text = flow_to_dot(mini_flow)
    assert "constraint=false" in text and "style=dashed" in text
    assert 'BGCOLOR="#C62828"' in text and 'BGCOLOR="#EF6C00"' in text
    assert "xlabel=<材料不全>" in text and " label=<材料不全>" not in text
    assert "法定时限 20个工作日" in text and "0000-1111" in text


def test_english_chrome(mini_flow: Flow) -> None:
    text = flow_to_dot(mini_flow, lang="en")
    assert "Power code" in text and "Legend" in text and "H R2" in text
    assert "Test licence" in text and "职权编码" not in text


def test_wrap_counts_cjk_double() -> None:
    assert wrap("一二三四五六", 6) == ["一二三", "四五六"]
    assert wrap("hello world again", 11) == ["hello world", "again"]
    assert wrap("a\nb", 10) == ["a", "b"]


def test_names_wrap_evenly_and_keep_brackets_whole() -> None:
    assert wrap_even("市科学技术奖励委员会", 18) == ["市科学技术", "奖励委员会"]
    assert wrap_even("确定中标（成交）供应商", 16) == ["确定中标（成交）", "供应商"]
    assert wrap_even("局务会集体决策", 16) == ["局务会集体决策"]
    assert all(not line.startswith(("）", "，", "。")) for line in
               wrap("对符合条件的申报不予受理，或对不符合条件的违规受理（含补正）。", 12))
