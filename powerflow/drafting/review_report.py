"""Renderings of a change `Review`: text, JSON and a self-contained HTML page.

Takes a `Review`; gives strings. The HTML page lists the changes per power with their effect
(loosening red, tightening green, neutral grey) and new rule findings, and a section per power
(`<section class="charts" data-power=…>`) with the OLD and NEW charts side by side when
`powerflow.render` and Graphviz are available (`review_charts`; embedded as data-URI images, so
nothing in a chart can run), a placeholder saying why otherwise. Every user text is escaped; the
page has a strict content-security policy and loads nothing from the network.

Must not: decide what is a change or the exit status.
"""

from __future__ import annotations

import base64
import html
import json
from typing import Any

from .diff import Effect
from .review import PowerReview, Review
from .review_charts import chart_pair

__all__ = ["render_html", "render_json", "render_text", "rules_note", "summary"]

_MARK = {Effect.LOOSENING: "−", Effect.TIGHTENING: "+", Effect.NEUTRAL: "·"}


def _effect(e: Effect, lang: str) -> str:
    return e.zh if lang == "zh" else e.value


def summary(r: Review, lang: str = "en") -> str:
    """One line: how many changes of each effect, and whether control is loosened."""
    n = r.counts()
    errors = sum(len(p.new_errors) for p in r.powers)
    if not r.changes:
        return "无语义变化。" if lang == "zh" else "No semantic changes."
    if lang == "zh":
        return (f"共 {len(r.changes)} 处变化：放松 {n['loosening']}，收紧 {n['tightening']}，"
                f"中性 {n['neutral']}" + (f"；新增规则错误 {errors} 项" if errors else "") + "。"
                + ("存在放松管控的变化。" if r.loosening else ""))
    return (f"{len(r.changes)} change(s): {n['loosening']} loosening, {n['tightening']} "
            f"tightening, {n['neutral']} neutral" + (f"; {errors} new rule error(s)" if errors else "")
            + "." + (" Control is loosened." if r.loosening else ""))


def rules_note(r: Review, lang: str = "en") -> str | None:
    """Why rule findings are not shown, or None when they are."""
    if r.rules == "used":
        return None
    if r.rules == "absent":
        return ("未安装规则检查模块（powerflow.rules），未列出新出现的规则发现。" if lang == "zh" else
                "The rule engine (powerflow.rules) is not installed: new rule findings are not shown.")
    return (f"规则检查未能运行（{r.rules}），未列出新出现的规则发现。" if lang == "zh" else
            f"The rule engine could not run ({r.rules}): new rule findings are not shown.")


def render_text(r: Review, lang: str = "en") -> str:
    zh = lang == "zh"
    lines = [f"{'对比' if zh else 'diff'} {r.old_label} → {r.new_label}"]
    for p in r.powers:
        if not p.changes and not p.new_findings:
            continue
        lines.append("")
        lines.append(f"{p.code} {p.name}")
        for c in p.changes:
            lines.append(f"  {_MARK[c.effect]} [{_effect(c.effect, lang)}] {c.message.get(lang)}")
        for d in p.new_findings:
            lines.append(f"  ! {'新规则发现' if zh else 'new finding'} {d.code} {d.location}: "
                         f"{d.message.get(lang)}")
    lines.append("")
    lines.append(summary(r, lang))
    note = rules_note(r, lang)
    if note:
        lines.append(note)
    return "\n".join(lines)


def render_json(r: Review) -> str:
    data: dict[str, Any] = {
        "old": r.old_label, "new": r.new_label, "loosening": r.loosening, "counts": r.counts(),
        "rules": r.rules,
        "powers": [{
            "code": p.code, "name": p.name, "loosening": p.loosening,
            "changes": [c.to_json() for c in p.changes],
            "new_findings": [{"code": d.code, "location": str(d.location),
                              "message": d.message.en, "message_zh": d.message.zh}
                             for d in p.new_findings],
        } for p in r.powers],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;
margin:2em auto;max-width:72em;color:#222;line-height:1.5}
h1{font-size:1.4em}h2{font-size:1.15em;border-bottom:1px solid #ccc;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;margin:.5em 0 1em}
th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#eef}
.loosening td.effect{background:#fde2e1;color:#a40000;font-weight:bold}
.tightening td.effect{background:#e2f5e2;color:#1d6b1d;font-weight:bold}
.neutral td.effect{color:#555}
.summary{padding:.5em 1em;border:2px solid #888}
.summary.bad{border-color:#c00;background:#fff4f4}
section.charts{border:1px dashed #999;padding:.5em;margin:.5em 0 1.5em;color:#444}
.pair{display:flex;gap:1em;align-items:flex-start}
.pair figure{flex:1;margin:0;min-width:0}.pair img{max-width:100%;height:auto;border:1px solid #ddd}
figcaption{font-weight:bold;margin-bottom:.3em}
"""


def _e(s: object) -> str:
    return html.escape(str(s), quote=True)


def _charts(p: PowerReview, lang: str, draw: bool) -> str:
    zh = lang == "zh"
    head = (f'<section class="charts" data-power="{_e(p.code)}">'
            "<!-- charts: OLD and NEW flows side by side, drawn by powerflow.render with "
            "review.overlays(power) -->")
    pair, why = chart_pair(p, lang) if draw else (None, None)
    if pair is None:
        text = "（修改前后流程图对照将在此处显示）" if zh else "(side-by-side charts go here)"
        if why:
            text += f" — {why}"
        return f"{head}{_e(text)}</section>"
    cells = []
    for label, svg in zip(("修改前", "修改后") if zh else ("OLD", "NEW"), pair, strict=True):
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        cells.append(f'<figure><figcaption>{label}</figcaption>'
                     f'<img alt="{label}" src="data:image/svg+xml;base64,{data}"></figure>')
    return f'{head}<div class="pair">{"".join(cells)}</div></section>'


def render_html(r: Review, lang: str = "zh", charts: bool = True) -> str:
    """The review page; with `charts`, each changed power's OLD and NEW charts side by side
    when `powerflow.render` and Graphviz are available (embedded as images: nothing runs)."""
    zh = lang == "zh"
    title = f"{'变更审查' if zh else 'Change review'}: {r.old_label} → {r.new_label}"
    out = [
        "<!DOCTYPE html>", f'<html lang="{"zh-CN" if zh else "en"}"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src 'self' data:\">",
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="summary{" bad" if r.loosening else ""}">{_e(summary(r, lang))}</p>',
    ]
    heads = ("影响", "变化", "位置") if zh else ("Effect", "Change", "Where")
    for p in r.powers:
        if not p.changes and not p.new_findings:
            continue
        out.append(f'<h2 id="power-{_e(p.code)}">{_e(p.code)} {_e(p.name)}</h2>')
        out.append(f"<table><tr><th>{heads[0]}</th><th>{heads[1]}</th><th>{heads[2]}</th></tr>")
        for c in p.changes:
            out.append(f'<tr class="{c.effect.value}"><td class="effect">{_e(_effect(c.effect, lang))}'
                       f"</td><td>{_e(c.message.get(lang))}<br><small>{_e(c.message.get('en' if zh else 'zh'))}"
                       f"</small></td><td><code>{_e('.'.join(map(str, c.path)))}</code></td></tr>")
        out.append("</table>")
        if p.new_findings:
            out.append(f"<h3>{'修改后新出现的规则发现' if zh else 'Rule findings new in NEW'}</h3><ul>")
            for d in p.new_findings:
                out.append(f"<li><b>{_e(d.code)}</b> {_e(d.location)} — {_e(d.message.get(lang))}</li>")
            out.append("</ul>")
        out.append(_charts(p, lang, charts and bool(p.changes)))
    note = rules_note(r, lang)
    if note:
        out.append(f"<p><small>{_e(note)}</small></p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
