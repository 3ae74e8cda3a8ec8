"""Layout quality measured from the drawn SVG: no edge through any text, no text on a text.

The count is taken on every sample chart (Chinese and English, with and without an overlay)
and on a seeded corpus of generated flows (`flowgen`); it must stay 0. The counter itself is
tested on hand-made SVG so that it can fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from powerflow.loader import load_flow_text, load_flow_with_catalog
from powerflow.model import Flow
from powerflow.overlay import Overlay
from powerflow.render import render_flow
from powerflow.render.collisions import count_collisions
from powerflow.render.diagram import Edge
from powerflow.render.extract import merge_parallel
from powerflow.render.place import improve, parse_layout
from tests.conftest import FLOWS, require_graphviz

from .flowgen import generated_flows

pytestmark = pytest.mark.graphviz

SVG = ('<svg xmlns="http://www.w3.org/2000/svg"><g class="graph">{}</g></svg>')
EDGE = ('<g class="edge"><title>a-&gt;b</title><path d="M0,-50C0,-50 200,-50 200,-50"/>'
        "</g>")


def _text(x: float, y: float, s: str) -> str:
    return f'<g class="node"><title>n</title><text x="{x}" y="{y}" font-size="10">{s}</text></g>'


def test_counter_sees_an_edge_through_a_text_and_texts_on_texts() -> None:
    crossed = count_collisions(SVG.format(EDGE + _text(50, -46, "审查意见")))
    assert crossed.edge_through_text == (("a->b", "审查意见"),)
    clear = count_collisions(SVG.format(EDGE + _text(50, -60, "审查意见")))
    assert clear.count == 0
    stacked = count_collisions(SVG.format(_text(0, 0, "受理") + _text(5, 2, "补正")))
    assert stacked.text_overlaps == (("受理", "补正"),)


def _flows() -> list[tuple[str, Flow]]:
    out = []
    for path in sorted(FLOWS.glob("*.yaml")):
        if path.name == "catalog.yaml":
            continue
        lf, _ = load_flow_with_catalog(path)
        assert lf.flow is not None
        out.append((path.stem, lf.flow))
    return out


def _count(flow: Flow, stem: Path, **kw: object) -> list[str]:
    render_flow(flow, stem, ("svg",), **kw)  # type: ignore[arg-type]
    c = count_collisions(stem.with_suffix(".svg").read_text(encoding="utf-8"))
    return [f"{stem.name}: edge {e} through {t!r}" for e, t in c.edge_through_text] + [
        f"{stem.name}: {a!r} on {b!r}" for a, b in c.text_overlaps]


def test_sample_charts_have_no_collisions(tmp_path: Path) -> None:
    require_graphviz()
    found: list[str] = []
    for name, flow in _flows():
        for lang in ("zh", "en"):
            found += _count(flow, tmp_path / f"{name}-{lang}", lang=lang)
        first = next(iter(flow.steps))
        overlay = Overlay(step_colors={first: "ok"}, step_notes={first: "12 件"},
                          edge_counts={(t.from_, t.to, t.event): 7 for t in flow.transitions},
                          caption="审计")
        found += _count(flow, tmp_path / f"{name}-overlay", overlay=overlay)
    print(f"collisions on sample charts: {len(found)}")
    assert found == []


def test_generated_flows_have_no_collisions(tmp_path: Path) -> None:
    require_graphviz()
    found: list[str] = []
    texts = generated_flows(30)
    for i, text in enumerate(texts):
        lf = load_flow_text(text.encode("utf-8"), f"gen-{i}.yaml")
        assert lf.flow is not None, [d.message.en for d in lf.diagnostics]
        found += _count(lf.flow, tmp_path / f"gen-{i}")
    print(f"collisions on {len(texts)} generated charts: {len(found)}")
    assert found == []


def test_parallel_edges_are_drawn_once_with_every_label() -> None:
    edges = [Edge("s2", "s1", "send_back", "材料不全"), Edge("s2", "s1", "send_back", "逾期"),
             Edge("s2", "s3", "flow", "通过")]
    merged = merge_parallel(edges, "；")
    assert [(e.tail, e.head, e.label) for e in merged] == [
        ("s2", "s1", "材料不全；逾期"), ("s2", "s3", "通过")]


LAID = """digraph g {
\tgraph [bb="0,0,300,200",
\t\tlp="10,190"
\t];
\tnode [shape=box];
\tsubgraph cluster_lane1 {
\t\tgraph [bb="0,0,100,180"];
\t\tlane1\t[height=0.5, pos="20,160", width=1];
\t\ta\t[height=0.5, label=<<B>width=9</B>>, pos="50,100", width=1];
\t}
\tsubgraph cluster_lane2 {
\t\tgraph [bb="110,0,300,180"];
\t\tb\t[height=0.5, pos="200,100", width=1];
\t}
\ta -> b\t[pos="e,164,100 86,100 110,100 140,100 164,100",
\t\txlabel=<通过>,
\t\txlp="125,100"];
}
"""


def test_label_is_moved_off_its_edge_and_headers_centred() -> None:
    out = parse_layout(improve(LAID, {"cluster_lane1": "lane1"}))
    edge = out.edges[0]
    _, y = (float(v) for v in edge.attrs["xlp"].split(","))
    assert abs(y - 100) > 7  # beside the horizontal edge, not on it
    assert out.nodes["lane1"].attrs["pos"].startswith("50.00,")
    assert out.nodes["a"].attrs["width"] == "1"  # label text is never read as an attribute


def test_english_is_wrapped_at_spaces_never_inside_a_word() -> None:
    from powerflow.render.dot import wrap, wrap_even

    for text in ("Bid evaluation committee", "Deputy director in charge",
                 "Municipal Finance Bureau (procurement oversight)"):
        for lines in (wrap_even(text, 18), wrap(text, 12)):
            assert " ".join(lines) == text, lines


def test_conditions_read_as_words() -> None:
    from powerflow.model import Condition
    from powerflow.render.words import condition_text

    facts = {"hearing_requested": "当事人在告知后5日内要求听证（true/false）", "amount": "拟采购金额"}
    cond = Condition.model_validate({"not": {"fact": "hearing_requested", "op": "==",
                                             "value": True}})
    assert condition_text(cond, facts) == "否：当事人在告知后5日内要求听证"
    assert condition_text(cond, facts, "en") == "not: hearing requested"
    both = Condition.model_validate({"all": [{"fact": "amount", "op": ">=", "value": 2000000},
                                             {"fact": "kind", "op": "in", "value": ["a", "b"]}]})
    assert condition_text(both, facts) == "拟采购金额不少于2000000且kind为a、b之一"


def test_report_charts_scale_to_the_page() -> None:
    require_graphviz()
    from powerflow.render import chart_svg

    name, flow = _flows()[0]
    svg, why = chart_svg(flow)
    assert svg is not None, why
    assert svg.startswith('<svg style="max-width:100%;height:auto" '), name
