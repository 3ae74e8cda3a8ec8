"""Renderings of a case audit: plain text, JSON and a self-contained HTML page.

Takes a `CaseAudit` (from `powerflow.engine.audit`); gives strings. The HTML page shows the
path taken as a table, the risk points with their controls, and the findings; every value from
the case or the flow is HTML-escaped. Must not: decide what is a finding or set exit codes.
"""

from __future__ import annotations

import base64
import html
import json
from typing import TYPE_CHECKING, Any

from ..deviations import unit_text
from ..model import Outcome
from ..terminal import field
from .json import diagnostic_to_dict
from .text import render_concise

if TYPE_CHECKING:
    from ..engine.audit import CaseAudit

__all__ = ["render_audit_html", "render_audit_json", "render_audit_text"]

_L = {
    "case": ("Case", "办件"), "power": ("Power", "事项"), "outcome": ("Outcome", "结果"),
    "open": ("open, at step", "未办结，当前环节"), "total": ("Counted working days", "计时工作日"),
    "promised": ("promised", "承诺"), "statutory": ("statutory", "法定"),
    "path": ("Path taken", "办理路径"), "step": ("Step", "环节"), "name": ("Name", "名称"), "entered": ("Entered", "进入"),
    "left": ("Left", "离开"), "days": ("Days", "用时"), "limit": ("Limit", "时限"),
    "clock": ("Clock", "计时"), "status": ("Status", "状态"), "who": ("Done by", "办理人"),
    "risks": ("Risk points passed", "经过的风险点"), "risk": ("Risk", "风险点"),
    "controls": ("Controls", "防控措施"), "findings": ("Findings", "发现的问题"),
    "none": ("none", "无"), "clean": ("No findings.", "未发现问题。"),
    "as_of": ("as of", "截至"),
    "unchecked": ("Not checked, or only partly", "未检查或仅部分检查"),
    "chart": ("The path on the flowchart", "办理路径流程图"),
}
_STATUS_ZH = {"green": "绿", "yellow": "黄", "red": "红", "": ""}
_CLOCK_ZH = {"counts": "计时", "paused": "暂停", "excluded": "不计入"}


def _t(key: str, lang: str) -> str:
    en, zh = _L[key]
    return zh if lang == "zh" else en


def _status(s: str, lang: str) -> str:
    return _STATUS_ZH[s] if lang == "zh" else s


def _head(a: CaseAudit, lang: str) -> list[str]:
    res = Outcome.label(a.outcome, lang) if a.outcome else f"{_t('open', lang)} {a.step}"
    lim = f"{_t('promised', lang)} {a.promised if a.promised is not None else '—'}, " \
          f"{_t('statutory', lang)} {a.statutory if a.statutory is not None else '—'}"
    return [f"{_t('case', lang)}: {a.case_id}    {_t('power', lang)}: {a.power} {a.power_name}",
            f"{_t('outcome', lang)}: {res}    {_t('as_of', lang)} {a.as_of:%Y-%m-%d %H:%M}",
            f"{_t('total', lang)}: {a.total_days} ({lim}) {_status(a.case_status, lang)}"]


def _rows(a: CaseAudit, lang: str) -> list[list[str]]:
    rows = []
    for v in a.path:
        rows.append([v.step, v.name, f"{v.entered:%m-%d %H:%M}",
                     f"{v.left:%m-%d %H:%M}" if v.left else "…",
                     str(v.days) if v.days >= 0 else "?",
                     "" if v.limit is None else str(v.limit),
                     _CLOCK_ZH[v.clock] if lang == "zh" else v.clock,
                     _status(v.status, lang), "、".join(field(p) for p in v.persons)])
    return rows


def _cols(lang: str) -> list[str]:
    return [_t(k, lang) for k in ("step", "name", "entered", "left", "days", "limit", "clock",
                                  "status", "who")]


def _risk_rows(a: CaseAudit, lang: str) -> list[tuple[str, str, str]]:
    out = []
    for r in a.risks:
        marks = "; ".join(f"{c.name} {'✓' if c.ok else '✗'}" for c in r.controls)
        out.append((r.risk, r.at, marks or _t("none", lang)))
    return out


def render_audit_text(a: CaseAudit, lang: str = "en") -> str:
    """A report for the terminal: summary, path table, risk points, findings."""
    lines = _head(a, lang)
    cols = _cols(lang)
    rows = _rows(a, lang)
    widths = [max(_w(r[i]) for r in [cols, *rows]) for i in range(len(cols))]
    lines += ["", _t("path", lang) + ":"]
    for r in [cols, *rows]:
        lines.append("  " + "  ".join(c + " " * (w - _w(c)) for c, w in zip(r, widths, strict=True)))
    if a.risks:
        lines += ["", _t("risks", lang) + ":"]
        lines += [f"  {rid} @ {at}: {marks}" for rid, at, marks in _risk_rows(a, lang)]
    lines += ["", _t("findings", lang) + ":"]
    text = render_concise(list(a.diagnostics), lang)
    lines.append(("  " + text.replace("\n", "\n  ")) if text else "  " + _t("clean", lang))
    if a.unchecked:
        lines += ["", _t("unchecked", lang) + ":"]
        lines += [f"  [{u.key}] {u.count} {unit_text(u.unit, lang)}: {u.zh if lang == 'zh' else u.en}"
                  for u in a.unchecked]
    return "\n".join(lines)


def _w(s: str) -> int:
    return sum(2 if ord(c) > 0x2E7F else 1 for c in s)


def render_audit_json(a: CaseAudit, lang: str = "en") -> str:
    body: dict[str, Any] = {"version": 1, **a.to_dict(),
                            "diagnostics": [diagnostic_to_dict(d, lang) for d in a.diagnostics]}
    return json.dumps(body, ensure_ascii=False, indent=2, default=str)


_CSS = """body{font-family:"Noto Sans CJK SC","Noto Sans",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #999;padding:.3em .6em;
text-align:left}th{background:#eee}.red{background:#f8d0d0}.yellow{background:#fff3b0}
.green{background:#e3f4e3}.bad{color:#b00000;font-weight:bold}.ok{color:#186018}
@media print{body{margin:0}}"""


def _chart(svg: str | None, note: str | None, lang: str) -> str:
    """The flowchart with the case's path, embedded as an image (nothing in it can run)."""
    if svg is None:
        return f"<p>{html.escape(note)}</p>" if note else ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    alt = html.escape(_t("chart", lang))
    return (f"<h2>{alt}</h2>"
            f'<p><img src="data:image/svg+xml;base64,{data}" alt="{alt}" style="max-width:100%"></p>')


def render_audit_html(a: CaseAudit, lang: str = "en", chart_svg: str | None = None,
                      chart_note: str | None = None) -> str:
    """A standalone page (no scripts): summary, the flowchart with the path taken drawn on it
    (when `chart_svg`, from `powerflow.render.chart_svg`, is given; else `chart_note` says
    why not), path table, risk table, findings."""
    e = html.escape
    head = "".join(f"<p>{e(line)}</p>" for line in _head(a, lang))
    th = "".join(f"<th>{e(c)}</th>" for c in _cols(lang))
    body = "".join(
        f'<tr class="{e(v.status)}">' + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>"
        for v, row in zip(a.path, _rows(a, lang), strict=True))
    risks = "".join(
        "<tr>" + f"<td>{e(r.risk)}</td><td>{e(r.at)}</td><td>"
        + "<br>".join(f'<span class="{"ok" if c.ok else "bad"}">{e(c.name)} '
                      f'{"✓" if c.ok else "✗"}</span>' for c in r.controls)
        + "</td></tr>" for r in a.risks)
    finds = "".join(
        f"<tr><td>{e(d.code)}</td><td>{e(d.severity.value)}</td>"
        f"<td>{e(str(d.location))}</td><td>{e(d.message.get(lang))}</td></tr>"
        for d in a.diagnostics)
    title = f"{a.case_id} — {a.power} {a.power_name}"
    return (f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>'
            f'<meta charset="utf-8"><title>{e(title)}</title><style>{_CSS}</style></head><body>'
            f"<h1>{e(title)}</h1>{head}{_chart(chart_svg, chart_note, lang)}"
            f"<h2>{e(_t('path', lang))}</h2>"
            f"<table><tr>{th}</tr>{body}</table>"
            f"<h2>{e(_t('risks', lang))}</h2><table><tr><th>{e(_t('risk', lang))}</th>"
            f"<th>{e(_t('step', lang))}</th><th>{e(_t('controls', lang))}</th></tr>{risks}</table>"
            f"<h2>{e(_t('findings', lang))}</h2>"
            + (f"<table>{finds}</table>" if finds else f"<p>{e(_t('clean', lang))}</p>")
            + (f"<h2>{e(_t('unchecked', lang))}</h2><ul>" + "".join(
                f"<li>[{e(u.key)}] {u.count} {e(unit_text(u.unit, lang))}: {e(u.zh if lang == 'zh' else u.en)}"
                "</li>" for u in a.unchecked) + "</ul>" if a.unchecked else "")
            + "</body></html>")
