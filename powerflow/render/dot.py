"""Diagram → DOT text (deterministic; generated ids only; all user text escaped).

Takes a `Diagram`; gives the DOT source of the chart (`to_dot`) and of a stand-alone risk
table (`risk_table_dot`). Layout follows RENDERING.md: one cluster per lane with a header node
on a shared top rank and an invisible anchor on a shared bottom rank (full-height lanes), lane
order fixed by an invisible root with `ordering=out`, every edge label an `xlabel`, the title
block as the graph label, legend and risk table one HTML node under the lanes.
Must not: run Graphviz, read files, or put any user text anywhere but an escaped HTML label.
"""

from __future__ import annotations

import itertools
import unicodedata

from .diagram import LEVEL_COLOURS, Diagram, Edge, Node
from .escape import html_label_text

__all__ = ["FONTS", "risk_table_dot", "to_dot", "wrap", "wrap_even"]

FONTS = "Noto Sans CJK SC,Microsoft YaHei,PingFang SC,Hiragino Sans GB,SimHei,sans-serif"
"""The installed CJK font first (fontconfig fallback depends on the locale), then desktop ones."""

MCLIMIT = 0.01
"""Little crossing minimisation: dot's mincross otherwise swaps whole lanes (clusters); with
this the lane order holds and the layout check rarely needs the second layout."""

DARK = "#1F4E79"
_NODE_STYLE: dict[str, str] = {
    "start": f'fillcolor="{DARK}" color="{DARK}"',
    "end": f'fillcolor="{DARK}" color="{DARK}"',
    "task": f'fillcolor="#FFFFFF" color="{DARK}"',
    "review": f'fillcolor="#E8F1FB" color="{DARK}"',
    "decision": f'fillcolor="#D4E6F9" color="{DARK}" penwidth=2.4',
    "notice": f'fillcolor="#FFFDE7" color="{DARK}"',
    "supervision": 'fillcolor="#FFF3E0" color="#C62828" style="rounded,filled,dashed"',
}
_EDGE_STYLE: dict[str, str] = {
    "flow": "",
    "send_back": 'style=dashed color="#8D6E63" fontcolor="#6D4C41" constraint=false',
    "supervision": 'style=dashed color="#C62828" fontcolor="#C62828" constraint=false',
    "extra": 'style=dashed color="#6A1B9A" fontcolor="#6A1B9A"',
}


_NO_LINE_START = frozenset("）】」』》〉、，。；：！？）),.;:!?%")
"""Closing punctuation never starts a line (Chinese line breaking, 避头)."""
_OPENING = frozenset("（【「『《〈(")


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _break_at(line: str) -> int:
    """Where to break an over-long `line`: after its last space, closing punctuation or
    before an opening bracket in its second half (so ``（成交）`` stays whole); else after any
    space rather than inside an English word (``directo r``); else at its end."""
    for i in range(len(line) - 1, len(line) // 2 - 1, -1):
        if line[i] == " " or line[i] in _NO_LINE_START:
            return i + 1
        if line[i] in _OPENING and i > 0:
            return i
    if line[-1:].isascii() and line[-1:].isalnum() and line.rfind(" ") > 0:
        return line.rfind(" ") + 1  # never cut an English word: break at its space
    return len(line)


def wrap(text: str, width: int) -> list[str]:
    """Split `text` into lines of at most `width` display columns (CJK counts 2), keeping
    existing newlines, breaking at spaces and punctuation where it can and never starting a
    line with closing punctuation."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for ch in para:
            used = sum(_width(c) for c in line)
            if used + _width(ch) > width and line and ch not in _NO_LINE_START:
                cut = len(line) if ch == " " else _break_at(line)
                head, line = line[:cut].rstrip(" "), line[cut:]
                lines.append(head)
                if ch == " " and not line:
                    continue
            line += ch
        lines.append(line)
    return lines


def wrap_even(text: str, width: int) -> list[str]:
    """`text` in as few lines as `wrap(text, width)` gives, but of even length, so a name does
    not end in a one-character line (``市科学技术奖励委员`` / ``会``)."""
    plain = wrap(text, width)
    total = max((sum(_width(c) for c in line) for line in plain), default=0)
    if len(plain) <= 1:
        return plain
    for w in range(-(-total // len(plain)), width + 1):
        lines = wrap(text, w)
        if len(lines) <= len(plain):
            return lines
    return plain


def _lines(lines: list[str]) -> str:
    return "<BR/>".join(html_label_text(line) for line in lines)


def _t(text: str, width: int | None = None, align: str = "") -> str:
    """Escaped label text, wrapped to `width` columns with `<BR/>` line breaks."""
    if width is None:
        return html_label_text(text)
    br = f'<BR ALIGN="{align}"/>' if align else "<BR/>"
    return br.join(html_label_text(line) for line in wrap(text, width)) + (br if align else "")


def _node(n: Node) -> str:
    light = n.kind in ("start", "end")
    fg = "#FFFFFF" if light else ("#B71C1C" if n.kind == "supervision" else "#102A43")
    cells = [f'<TD><FONT COLOR="{fg}"><B>{_lines(wrap_even(n.label, 16))}</B>'
             "</FONT></TD>"]
    for b in n.badges:
        bg, txt = LEVEL_COLOURS.get(b.level, ("#757575", "#FFFFFF"))
        cells.append(f'<TD BGCOLOR="{bg}" STYLE="rounded" CELLPADDING="2"><FONT COLOR="{txt}" '
                     f'POINT-SIZE="9"><B>{_t(b.text)}</B></FONT></TD>')
    head = f"<TR>{''.join(cells)}</TR>"
    if n.detail:  # name and badges in their own table, so a wide detail does not stretch them
        sub = "#DDE7F0" if light else "#455A64"
        rows = [f'<TR><TD><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1">'
                f"{head}</TABLE></TD></TR>",
                f'<TR><TD><FONT POINT-SIZE="9" COLOR="{sub}">{_t(n.detail, 24)}</FONT></TD></TR>']
        label = ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
                 + "".join(rows) + "</TABLE>")
    else:
        label = ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1">'
                 + head + "</TABLE>")
    style = _NODE_STYLE[n.kind]
    if n.colour:
        style = style.split(" color=")[0] + f' color="{n.colour}" penwidth=3'
        if n.kind == "supervision":
            style += ' style="rounded,filled,dashed"'
    return f"    {n.id} [{style} label=<{label}>];"


def _edge(e: Edge) -> str:
    attrs = [_EDGE_STYLE[e.style]] if _EDGE_STYLE[e.style] else []
    if e.colour:
        attrs.append(f'color="{e.colour}" fontcolor="{e.colour}"')
    if e.width != 1.2:
        attrs.append(f"penwidth={e.width:g}")
    if e.label:
        attrs.append(f"xlabel=<{_t(e.label, 20)}>")
    return f"  {e.tail} -> {e.head} [{' '.join(attrs)}];" if attrs else f"  {e.tail} -> {e.head};"


def _title(d: Diagram) -> str:
    t = d.title
    rows = [f'<TR><TD><FONT POINT-SIZE="20"><B>{_t(t.title, 60)}</B></FONT></TD></TR>']
    if t.subtitle:
        rows.append(f'<TR><TD><FONT POINT-SIZE="11">{_t(t.subtitle)}</FONT></TD></TR>')
    inner = []
    for key, value in t.rows:
        inner.append(f'<TR><TD BGCOLOR="#ECEFF1" ALIGN="LEFT"><B>{_t(key)}</B></TD>'
                     f'<TD ALIGN="LEFT" BALIGN="LEFT">{_t(value, 90)}</TD></TR>')
    if t.footer:
        inner.append(f'<TR><TD COLSPAN="2" BGCOLOR="#FFF3E0" ALIGN="LEFT">{_t(t.footer)}</TD></TR>')
    if d.caption:
        inner.append(f'<TR><TD COLSPAN="2" BGCOLOR="#E3F2FD" ALIGN="LEFT"><I>{_t(d.caption, 90)}'
                     "</I></TD></TR>")
    if inner:
        rows.append('<TR><TD><TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
                    f'COLOR="#90A4AE">{"".join(inner)}</TABLE></TD></TR>')
    return '<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">' + "".join(rows) + "</TABLE>"


_LEGEND_FILL = {"task": ("#FFFFFF", DARK), "review": ("#E8F1FB", DARK),
                "decision": ("#D4E6F9", DARK), "notice": ("#FFFDE7", DARK),
                "supervision_step": ("#FFF3E0", "#C62828"), "terminal": (DARK, DARK)}
"""Swatch fill and border per legend entry of a step kind (as `_NODE_STYLE` draws them)."""


def _legend(d: Diagram) -> str:
    cells = [f'<TD><B>{_t(d.headings.get("legend", ""))}</B></TD>']
    for item in d.legend:
        if item.kind in LEVEL_COLOURS:
            bg, fg = LEVEL_COLOURS[item.kind]
            mark = "高" if item.kind == "high" else "中" if item.kind == "medium" else "低"
            if d.lang == "en":
                mark = item.kind[0].upper()
            cells.append(f'<TD BGCOLOR="{bg}" STYLE="rounded"><FONT COLOR="{fg}"><B>{mark}</B>'
                         f"</FONT></TD><TD>{_t(item.text)}</TD>")
        elif item.kind in _LEGEND_FILL:
            fill, border = _LEGEND_FILL[item.kind]
            cells.append(f'<TD BGCOLOR="{fill}" STYLE="rounded" BORDER="1" COLOR="{border}" '
                         f'WIDTH="36"> </TD><TD>{_t(item.text)}</TD>')
        else:
            colour, line = {"flow": ("#37474F", "──→"), "send_back": ("#8D6E63", "- - →"),
                            "supervision": ("#C62828", "- - →")}.get(item.kind, ("#000000", "→"))
            cells.append(f'<TD><FONT COLOR="{colour}">{line} {_t(item.text)}</FONT></TD>')
    return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="3"><TR>'
            + "".join(cells) + "</TR></TABLE>")


def _risk_table(d: Diagram) -> str:
    h = d.headings
    head = "".join(f'<TD BGCOLOR="#ECEFF1"><B>{_t(h.get(k, k))}</B></TD>'
                   for k in ("id", "level", "step", "risk", "controls", "responsible"))
    rows = [f'<TR><TD COLSPAN="6" BGCOLOR="#DDE7F0"><B>{_t(h.get("risk_title", ""))}</B></TD></TR>',
            f"<TR>{head}</TR>"]
    for r in d.risk_rows:
        bg, fg = LEVEL_COLOURS.get(r.level, ("#757575", "#FFFFFF"))
        risk = r.risk + (f"\n⚑ {r.note}" if r.note else "")
        rows.append(
            f'<TR><TD><FONT COLOR="{bg}"><B>{_t(r.risk_id)}</B></FONT></TD>'
            f'<TD BGCOLOR="{bg}"><FONT COLOR="{fg}"><B>{_t(r.level_text)}</B></FONT></TD>'
            f'<TD ALIGN="LEFT" BALIGN="LEFT">{_t(r.step, 16)}</TD>'
            f'<TD ALIGN="LEFT" BALIGN="LEFT">{_t(risk, 40)}</TD>'
            f'<TD ALIGN="LEFT" BALIGN="LEFT">{_t(r.controls, 40)}</TD>'
            f'<TD ALIGN="LEFT" BALIGN="LEFT">{_t(r.responsible, 16)}</TD></TR>')
    return ('<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" COLOR="#90A4AE">'
            + "".join(rows) + "</TABLE>")


def _graph_head(label: str) -> list[str]:
    return [
        "digraph powerflow {",
        f'  graph [rankdir=TB newrank=true mclimit={MCLIMIT} splines=ortho nodesep=0.3 ranksep=0.4 pad=0.3 '
        f'fontsize=12 forcelabels=true outputorder=edgesfirst bgcolor="#FFFFFF" '
        f'fontname="{FONTS}" labelloc=t label=<{label}>];',
        f'  node [fontname="{FONTS}" fontsize=12 shape=box style="rounded,filled" '
        f'penwidth=1.3 margin="0.14,0.06"];',
        f'  edge [fontname="{FONTS}" fontsize=10 color="#37474F" fontcolor="#37474F" '
        f"arrowsize=0.7 penwidth=1.2];",
    ]


def to_dot(d: Diagram) -> str:
    """The DOT source of the chart. Same diagram, same text."""
    out = _graph_head(_title(d))
    out.append("  lane_root [shape=point style=invis width=0 height=0 ordering=out];")
    lines = max((len(wrap_even(lane.title, 18)) for lane in d.lanes), default=1)
    header_h = 14 + 16 * lines  # every lane header as tall as the tallest: lanes line up
    for lane in d.lanes:
        out.append(f"  subgraph cluster_{lane.id} {{")
        out.append('    graph [label="" style="filled" fillcolor="#F4F7FB" color="#B0BEC5" '
                   "penwidth=1 margin=14];")
        out.append(f'    {lane.id} [shape=plain style="" label=<<TABLE BORDER="0" '
                   f'CELLPADDING="5" BGCOLOR="{DARK}"><TR><TD WIDTH="110" HEIGHT="{header_h}">'
                   f'<FONT COLOR="#FFFFFF"><B>{_lines(wrap_even(lane.title, 18))}</B>'
                   "</FONT></TD></TR>"
                   "</TABLE>>];")
        out.append(f"    {lane.id}_end [shape=point style=invis width=0.01 height=0.01];")
        for n in d.nodes_in(lane.id):
            out.append(_node(n))
        out.append("  }")
    ids = d.lane_ids()
    for lid in ids:
        out.append(f"  lane_root -> {lid} [style=invis];")
    out.append("  { rank=same; " + " ".join(f"{i};" for i in ids) + " }")
    for left, right in itertools.pairwise(ids):
        out.append(f"  {left} -> {right} [style=invis];")
    out.append("  { rank=same; " + " ".join(f"{i}_end;" for i in ids) + " }")
    for lane in d.lanes:
        for n in d.nodes_in(lane.id):
            out.append(f"  {lane.id} -> {n.id} [style=invis weight=10];")
            out.append(f"  {n.id} -> {lane.id}_end [style=invis weight=10];")
    for e in d.edges:
        out.append(_edge(e))
    parts = [f"<TR><TD>{_legend(d)}</TD></TR>"]
    if d.risk_table == "inline" and d.risk_rows:
        parts.append(f"<TR><TD>{_risk_table(d)}</TD></TR>")
    out.append('  legend [shape=plain style="" label=<<TABLE BORDER="0" CELLSPACING="0" '
               f'CELLPADDING="2">{"".join(parts)}</TABLE>>];')
    for lid in ids:
        out.append(f"  {lid}_end -> legend [style=invis weight=0];")
    out.append("}")
    return "\n".join(out) + "\n"


def risk_table_dot(d: Diagram) -> str:
    """The risk table alone (for `--risk-table separate`), titled like the chart."""
    out = _graph_head(_title(d))
    out.append(f'  risks [shape=plain style="" label=<{_risk_table(d)}>];')
    out.append("}")
    return "\n".join(out) + "\n"
