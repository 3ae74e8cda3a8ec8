"""Flow (+ optional Overlay) → Diagram: decide what the chart shows.

Takes a `powerflow.model.Flow`, an optional `powerflow.overlay.Overlay`, a language for the
chrome (`zh`/`en`) and an optional lane order; gives a `Diagram`. Lanes follow
`Flow.lane_order()` unless `lanes` overrides it (unknown names are ignored, unlisted lanes
follow in their usual order). Node ids are generated (`s1`, `s2` …) in step order.
Must not: escape text, call Graphviz, or read files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from ..model import Flow, Limit, Risk, Step, StepKind
from ..overlay import Overlay
from .diagram import (
    PALETTE,
    Badge,
    Diagram,
    Edge,
    EdgeStyle,
    Lane,
    LegendItem,
    Node,
    NodeKind,
    RiskRow,
    TitleBlock,
)
from .words import condition_text

__all__ = ["CHROME", "extract", "format_limit", "lane_order", "merge_parallel", "risk_rows"]

CHROME: dict[str, dict[str, str]] = {
    "zh": {
        "chart": "流程图", "code": "职权编码", "name": "职权名称", "category": "职权类别",
        "basis": "法律依据", "limits": "办理时限", "hotline": "监督电话", "email": "投诉邮箱",
        "address": "监督地址", "window": "窗口电话", "chart_no": "图号",
        "statutory": "法定时限 {}", "promised": "承诺时限 {}",
        "legend": "图例", "high": "高风险", "medium": "中风险", "low": "低风险",
        "task": "办理环节", "review": "审查", "decision": "决策", "terminal": "开始/办结",
        "notice": "公示", "supervision_step": "监督环节",
        "flow": "流转", "send_back": "退回补正", "supervision": "监督",
        "risk_title": "廉政风险点及防控措施", "id": "编号", "level": "等级", "step": "环节",
        "risk": "风险点", "controls": "防控措施", "responsible": "责任人",
        "days": "{}个工作日", "same_day": "当天办结", "immediate": "即办",
        "excluded": "（不计入时限）", "paused": "（暂停计时）", "sep": "；",
        "holder": "责任人：{}", "phase": "【{}】", "fork": "并联：{}", "join": "汇合：{}",
    },
    "en": {
        "chart": "flowchart", "code": "Power code", "name": "Power", "category": "Category",
        "basis": "Legal basis", "limits": "Time limits", "hotline": "Supervision hotline",
        "email": "Complaints e-mail", "address": "Address", "window": "Service window",
        "chart_no": "Chart No.",
        "statutory": "statutory {}", "promised": "promised {}",
        "legend": "Legend", "high": "high risk", "medium": "medium risk", "low": "low risk",
        "task": "task", "review": "review", "decision": "decision", "terminal": "start / end",
        "notice": "publicity", "supervision_step": "supervision step",
        "flow": "flow", "send_back": "send back", "supervision": "supervision",
        "risk_title": "Integrity risks and controls", "id": "No.", "level": "Level",
        "step": "Step", "risk": "Risk", "controls": "Controls", "responsible": "Responsible",
        "days": "{} working days", "same_day": "same day", "immediate": "immediate",
        "excluded": " (not counted)", "paused": " (clock paused)", "sep": "; ",
        "holder": "responsible: {}", "phase": "[{}]", "fork": "parallel: {}", "join": "join: {}",
    },
}

LEVEL_TEXT = {"zh": {"high": "高", "medium": "中", "low": "低"},
              "en": {"high": "H", "medium": "M", "low": "L"}}

_KIND: dict[StepKind, NodeKind] = {
    StepKind.START: "start", StepKind.END: "end", StepKind.TASK: "task",
    StepKind.REVIEW: "review", StepKind.DECISION: "decision", StepKind.NOTICE: "notice",
    StepKind.SUPERVISION: "supervision",
}


def _c(lang: str) -> dict[str, str]:
    return CHROME["en" if lang == "en" else "zh"]


def format_limit(limit: Limit | None, lang: str = "zh") -> str | None:
    """``7个工作日`` / ``7 working days``, ``当天办结``, ``即办``; None when there is no limit."""
    c = _c(lang)
    if limit is None:
        return None
    if isinstance(limit, int):
        return c["days"].format(limit)
    return c[limit]


def _name(obj: Step | Flow, lang: str) -> str:
    if isinstance(obj, Flow):
        return (obj.info.name_en or obj.info.name) if lang == "en" else obj.info.name
    return (obj.name_en or obj.name) if lang == "en" else obj.name


def lane_order(flow: Flow, lanes: Sequence[str] | None = None) -> list[str]:
    """Actor ids in lane order: `lanes` first (those the flow uses), then the flow's own order."""
    base = flow.lane_order()
    if not lanes:
        return base
    first = [a for a in dict.fromkeys(lanes) if a in base]
    return first + [a for a in base if a not in first]


def _actor_name(flow: Flow, actor: str, lang: str) -> str:
    a = flow.actors.get(actor)
    if a is None:
        return actor
    return (a.name_en or a.name) if lang == "en" else a.name


def risk_rows(flow: Flow, lang: str = "zh", overlay: Overlay | None = None) -> list[RiskRow]:
    """The risk table of a flow, ordered by id as written in the file."""
    c = _c(lang)
    rows = []
    for rid, risk in flow.risks.items():
        rows.append(_row(flow, rid, risk, lang, c, overlay))
    return rows


def _row(flow: Flow, rid: str, risk: Risk, lang: str, c: dict[str, str],
         overlay: Overlay | None) -> RiskRow:
    step = flow.steps.get(risk.at)
    if step is not None:
        where = _name(step, lang)
    else:  # a risk on a transition: name it by its event
        where = next((t.label or t.event for t in flow.transitions if t.event == risk.at), risk.at)
    controls = c["sep"].join((ctl.name_en or ctl.name) if lang == "en" else ctl.name
                             for ctl in risk.controls)
    return RiskRow(rid, risk.level.value, LEVEL_TEXT["en" if lang == "en" else "zh"][
        risk.level.value], where, risk.description, controls,
        _actor_name(flow, risk.responsible, lang),
        overlay.risk_notes.get(rid) if overlay else None)


def _title(flow: Flow, lang: str) -> TitleBlock:
    c = _c(lang)
    info = flow.info
    rows: list[tuple[str, str]] = [(c["code"], info.code), (c["name"], _name(flow, lang))]
    if info.chart_no:
        rows.insert(0, (c["chart_no"], info.chart_no))
    rows.append((c["category"], info.category.zh if lang != "en" else info.category.value
                 .replace("_", " ")))
    if info.legal_basis:
        rows.append((c["basis"], c["sep"].join(f"{b.instrument}{b.article or ''}"
                                               for b in info.legal_basis)))
    lim = []
    if info.limits.statutory is not None:
        lim.append(c["statutory"].format(format_limit(info.limits.statutory, lang)))
    if info.limits.promised is not None:
        lim.append(c["promised"].format(format_limit(info.limits.promised, lang)))
    if lim:
        note = f"（{info.limits.note}）" if info.limits.note and lang != "en" else (
            f" ({info.limits.note})" if info.limits.note else "")
        rows.append((c["limits"], ("，" if lang != "en" else ", ").join(lim) + note))
    sup = flow.supervision
    foot = []
    if sup.hotline:
        foot.append(f"{c['hotline']}：{sup.hotline}" if lang != "en" else
                    f"{c['hotline']}: {sup.hotline}")
    if sup.email:
        foot.append(f"{c['email']}：{sup.email}" if lang != "en" else
                    f"{c['email']}: {sup.email}")
    if sup.window_phone:
        foot.append(f"{c['window']}：{sup.window_phone}" if lang != "en" else
                    f"{c['window']}: {sup.window_phone}")
    dept = flow.department
    subtitle = None
    if dept is not None:
        subtitle = (dept.name_en or dept.name) if lang == "en" else dept.name
    elif info.body:
        subtitle = info.body
    title = f"{_name(flow, lang)}{c['chart']}" if lang != "en" else \
        f"{_name(flow, lang)}: {c['chart']}"
    return TitleBlock(title, subtitle, tuple(rows), "    ".join(foot) or None)


def _detail(step: Step, lang: str, overlay: Overlay | None, sid: str,
            phase: str | None = None) -> str | None:
    c = _c(lang)
    parts = [c["phase"].format(phase)] if phase else []
    lim = format_limit(step.limit, lang)
    if lim:
        if step.clock.value == "excluded":
            lim += c["excluded"]
        elif step.clock.value == "paused":
            lim += c["paused"]
        parts.append(lim)
    if step.holder:
        parts.append(c["holder"].format(step.holder))
    if overlay and sid in overlay.step_notes:
        parts.append(overlay.step_notes[sid])
    return "\n".join(parts) or None


def extract(flow: Flow, overlay: Overlay | None = None, lang: str = "zh",
            lanes: Sequence[str] | None = None,
            risk_table: str = "inline") -> Diagram:
    """Build the diagram of `flow`, drawing `overlay` on it when given."""
    c = _c(lang)
    order = lane_order(flow, lanes)
    lane_ids = {actor: f"lane{i}" for i, actor in enumerate(order, 1)}
    out_lanes = tuple(Lane(lane_ids[a], a, _actor_name(flow, a, lang)) for a in order)
    node_ids = {sid: f"s{i}" for i, sid in enumerate(flow.steps, 1)}
    nodes = _nodes(flow, node_ids, lane_ids, overlay, lang)
    edges: list[Edge] = []
    counts = overlay.edge_counts if overlay else {}
    top = max(counts.values(), default=0)
    for t in flow.transitions:
        key = (t.from_, t.to, t.event)
        style: EdgeStyle = "send_back" if t.kind.value == "send_back" else "flow"
        label = _parallel_label(flow, t.from_, t.to, lang, t.label or (
            condition_text(t.condition, flow.facts, lang) if t.condition else None))
        edges.append(_edge(node_ids[t.from_], node_ids[t.to], style, label, key, overlay, top))
    for sid, step in flow.steps.items():
        for link in step.supervises:
            if link.step in node_ids:
                edges.append(Edge(node_ids[sid], node_ids[link.step], "supervision", link.label))
    if overlay:
        for key in overlay.extra_edges:
            if key[0] in node_ids and key[1] in node_ids:
                edges.append(_edge(node_ids[key[0]], node_ids[key[1]], "extra", key[2] or None,
                                   key, overlay, top))
    legend = _legend(c, nodes, edges)
    rt: Literal["inline", "separate", "none"] = (
        "separate" if risk_table == "separate" else "none" if risk_table == "none" else "inline")
    headings = {k: c[k] for k in ("legend", "risk_title", "id", "level", "step", "risk",
                                  "controls", "responsible")}
    return Diagram(lang, _title(flow, lang), out_lanes, tuple(nodes), merge_parallel(edges, c["sep"]), legend,
                   tuple(risk_rows(flow, lang, overlay)), rt,
                   headings, overlay.caption if overlay else None)


def _nodes(flow: Flow, node_ids: dict[str, str], lane_ids: dict[str, str],
           overlay: Overlay | None, lang: str) -> list[Node]:
    lt = LEVEL_TEXT["en" if lang == "en" else "zh"]
    nodes = []
    for sid, step in flow.steps.items():
        badges = tuple(Badge(rid, r.level.value, f"{lt[r.level.value]} {rid}")
                       for rid, r in flow.risks_at(sid))
        colour = PALETTE.get(overlay.step_colors.get(sid, "")) if overlay else None
        phase = flow.phases.get(step.phase) if step.phase else None
        phase_name = (phase.name_en or phase.name if lang == "en" else phase.name) if phase else None
        nodes.append(Node(node_ids[sid], lane_ids[step.actor], _KIND[step.kind],
                          _name(step, lang), _detail(step, lang, overlay, sid, phase_name),
                          badges, colour))
    return nodes


def _parallel_label(flow: Flow, src: str, dst: str, lang: str, label: str | None) -> str | None:
    """Mark the edges that open and close a parallel block, so both branches read as one."""
    c = _c(lang)
    for pid, block in flow.parallel.items():
        name = (block.name_en if lang == "en" else None) or block.name or pid
        firsts = {br[0] for br in block.branches}
        lasts = {br[-1] for br in block.branches}
        key = "fork" if (src == block.split and dst in firsts) else \
            "join" if (dst == block.join and src in lasts) else None
        if key is not None:
            mark = c[key].format(name)
            return f"{mark}\n{label}" if label else mark
    return label


def _legend(c: dict[str, str], nodes: Sequence[Node], edges: Sequence[Edge]
            ) -> tuple[LegendItem, ...]:
    """Legend entries for what the chart shows, and nothing else."""
    used: set[str] = {b.level for n in nodes for b in n.badges}
    used |= {"terminal" if n.kind in ("start", "end") else
             "supervision_step" if n.kind == "supervision" else n.kind for n in nodes}
    used |= {e.style for e in edges}
    order = ("high", "medium", "low", "task", "review", "decision", "notice",
             "supervision_step", "terminal", "flow", "send_back", "supervision")
    return tuple(LegendItem(k, c[k]) for k in order if k in used)


_RANK = ("bad", "warn", "removed", "added", "path", "ok")


def merge_parallel(edges: Sequence[Edge], sep: str) -> tuple[Edge, ...]:
    """One edge per (tail, head, style): parallel transitions (two send-backs from one step to
    another, say) are drawn once with every label, joined by `sep`, and their counts added; the
    line takes the most alarming overlay colour of the group (none is lost)."""
    groups: dict[tuple[str, str, str], list[Edge]] = {}
    for e in edges:
        groups.setdefault((e.tail, e.head, e.style), []).append(e)
    out = []
    for group in groups.values():
        if len(group) == 1:
            out.append(group[0])
            continue
        labels = [e.label for e in group if e.label]
        counts = [e.count for e in group if e.count is not None]
        colours = [e.colour for e in group if e.colour]
        rank = {PALETTE[k]: i for i, k in enumerate(_RANK)}
        out.append(Edge(group[0].tail, group[0].head, group[0].style,
                        sep.join(dict.fromkeys(labels)) or None, max(e.width for e in group),
                        min(colours, key=lambda c: rank.get(c, 99)) if colours else None,
                        sum(counts) if counts else None))
    return tuple(out)


def _edge(tail: str, head: str, style: EdgeStyle, label: str | None,
          key: tuple[str, str, str], overlay: Overlay | None, top: int) -> Edge:
    if overlay is None:
        return Edge(tail, head, style, label)
    count = overlay.edge_counts.get(key)
    width = 1.2 + (4.8 * count / top if count and top else 0.0)
    colour = PALETTE.get(overlay.edge_colors.get(key, ""))
    if count is not None:
        label = f"{label} ({count})" if label else f"({count})"
    return Edge(tail, head, style, label, round(width, 2), colour, count)
