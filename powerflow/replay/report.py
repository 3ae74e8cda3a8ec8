"""Audit reports: a summary table, per-kind case lists, CSV and JSON export, an HTML page.

Takes an `AuditResult`; gives text, JSON-ready dicts, CSV files and an HTML page. The HTML page
has a separate `<section id="chart">` for the flowchart with the real traffic (the caller passes
an SVG rendered from `AuditResult.overlay()`); without a chart the section says so and the
tables stand alone.

Must not: replay or check anything, or put anything from the log into the page unescaped.
"""

from __future__ import annotations

import csv
import html
import json
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

from ..cells import csv_rows
from ..deviations import unit_text
from ..model import Flow
from ..terminal import field
from .audit import AuditResult
from .checks import KINDS
from .drilldown import case_link, write_case_pages

__all__ = [
    "CASE_HEADERS",
    "DEVIATION_HEADERS",
    "NOT_CHECKED_HEADERS",
    "STEP_HEADERS",
    "case_rows",
    "deviation_lists",
    "deviation_rows",
    "html_from_summary",
    "not_checked_line",
    "not_checked_rows",
    "render_html",
    "render_text",
    "step_time_lists",
    "summary",
    "text_from_summary",
    "write_reports",
]

_CASE_LIST = 10


def summary(r: AuditResult) -> dict[str, Any]:
    """Plain data: totals, per-kind counts and case lists, time per step."""
    counts = r.counts()
    return {
        "flow": r.flow.code,
        "log": r.log.path,
        "events": r.log.n_events,
        "cases": r.n_cases,
        "fitting": int(r.fits.sum()),
        "mean_fitness": round(float(r.fitness.mean()), 4) if r.n_cases else 1.0,
        "deviating_cases": r.deviating_cases,
        "ignored_events": r.log.ignored,
        "other_lifecycle_events": r.log.other_lifecycle,
        "calendar": r.calendar.label if r.calendar is not None else None,
        "kinds": {d.code: {"name": d.rule_name, "severity": d.severity.value,
                           "title": {"en": d.title.en, "zh": d.title.zh},
                           "findings": n, "cases": c, "case_ids": r.cases_with(d)}
                  for d, (n, c) in counts.items()},
        "steps": [{"step": s, "completed": n, "mean_days": round(m, 2),
                   "median_days": md, "max_days": mx} for s, n, m, md, mx in r.step_times()],
        "notes": [{"en": en, "zh": zh} for en, zh in r.findings.notes],
        "not_checked": [u.to_dict() for u in r.unchecked],
    }


def not_checked_rows(r: AuditResult) -> list[list[Any]]:
    """What was not checked, in the order of `NOT_CHECKED_HEADERS`."""
    return [[u.key, u.count, u.unit, u.en, u.zh] for u in r.unchecked]


NOT_CHECKED_HEADERS = ["not_checked", "count", "unit", "reason", "原因"]


def not_checked_line(items: list[Any], lang: str = "zh") -> str:
    """One line for the terminal saying how much was not checked (empty when all was)."""
    if not items:
        return ""
    zh = lang.startswith("zh")
    what = ("；" if zh else "; ").join(f"{u.key} ×{u.count}" for u in items)
    return (f"未检查或仅部分检查：{len(items)} 项（{what}）" if zh else
            f"not checked or partly checked: {len(items)} item(s) ({what})")


def case_rows(r: AuditResult) -> list[list[Any]]:
    """One row per case, in the order of `CASE_HEADERS`."""
    acts = r.log.activity_names
    codes = [d.code for d in KINDS]
    steps = r.encoded_flow.steps
    fe_all = r.first_event.tolist()
    fk = r.first_kind.tolist()
    act = r.log.activity
    line = r.log.line
    days = r.findings.case_days
    day_s = np.where(np.isnan(days), -1, days).astype(np.int64).tolist()
    return [[name, ev, acc, fit, fits, steps[fin],
             codes[k] if f >= 0 else "", acts[int(act[f])] if f >= 0 else "",
             int(line[f]) if f >= 0 else "", d if d >= 0 else ""]
            for name, ev, acc, fit, fits, fin, f, k, d in zip(
                r.log.case_names, r.events.tolist(), r.accepted.tolist(),
                np.round(r.fitness, 4).tolist(),
                r.fits.tolist(), r.replayed.final.tolist(), fe_all, fk, day_s, strict=True)]


CASE_HEADERS = ["case", "events", "accepted", "fitness", "fits", "final_step", "first_deviation",
                "first_deviation_activity", "first_deviation_line", "working_days"]


DEVIATION_HEADERS = ["code", "name", "severity", "case", "activity", "person", "location",
                     "step", "value"]


def deviation_lists(r: AuditResult) -> list[list[Any]]:
    """One row per finding (ordered by case, kind, event), in the order of `DEVIATION_HEADERS`."""
    f = r.findings
    order = np.lexsort((f.event, f.kind, f.case))
    kind, case, ev, step = f.kind[order], f.case[order], f.event[order], f.step[order]
    has_ev = ev >= 0
    evc = np.where(has_ev, ev, 0)
    act = np.where(has_ev, r.log.activity[evc] if r.log.n_events else -1, -1)
    per = np.where(has_ev, r.log.person[evc] if r.log.n_events else -1, -1)
    line = np.where(has_ev, r.log.line[evc] if r.log.n_events else 0, 0)
    value = np.round(f.value[order], 2)
    acts = [*r.log.activity_names, ""]
    persons = [*r.log.person_names, ""]
    steps = [*r.encoded_flow.steps, ""]
    meta = [(d.code, d.rule_name, d.severity.value) for d in KINDS]
    where = f"{r.log.path}:"
    return [[*meta[k], r.log.case_names[c], acts[a], persons[p],
             where + str(ln) if ln else r.log.path, steps[st], "" if v != v else v]
            for k, c, a, p, ln, st, v in zip(
                kind.tolist(), case.tolist(), act.tolist(), per.tolist(), line.tolist(),
                step.tolist(), value.tolist(), strict=True)]


def deviation_rows(r: AuditResult) -> list[dict[str, Any]]:
    """`deviation_lists` as dicts keyed by `DEVIATION_HEADERS`."""
    return [dict(zip(DEVIATION_HEADERS, row, strict=True)) for row in deviation_lists(r)]


STEP_HEADERS = ["case", "step", "activity", "person", "completed_utc", "working_days", "limit"]


def step_time_lists(r: AuditResult) -> list[list[Any]]:
    """Time per step per case: one row per completed step, in the order of `STEP_HEADERS`."""
    f, el = r.findings, r.encoded_log
    idx = np.flatnonzero(f.done >= 0)
    orig = el.order[idx]
    stamps = np.datetime_as_string(el.time[idx].view("datetime64[ns]"), unit="s")
    steps = r.encoded_flow.steps
    limits = [r.flow.steps[s].limit for s in steps]
    acts, persons = r.log.activity_names, [*r.log.person_names, ""]
    days = f.days[idx]
    return [[r.log.case_names[c], steps[s], acts[a], persons[p], t + "Z",
             "" if d != d else int(d), "" if limits[s] is None else limits[s]]
            for c, s, a, p, t, d in zip(
                el.case[idx].tolist(), f.done[idx].tolist(), r.log.activity[orig].tolist(),
                r.log.person[orig].tolist(), stamps.tolist(), days.tolist(), strict=True)]


def _pad(text: str, width: int) -> str:
    """Left-align by display width (CJK characters take two columns)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)


def render_text(r: AuditResult, lang: str = "zh") -> str:
    return text_from_summary(summary(r), lang)


def text_from_summary(s: dict[str, Any], lang: str = "zh") -> str:
    """The text report of a `summary` (also of a combined one, see `powerflow.distributed`)."""
    zh = lang.startswith("zh")
    lines = [
        (f"审计 {s['flow']}：{field(s['log'])}" if zh else
         f"Audit of {s['flow']} on {field(s['log'])}"),
        (f"办件 {s['cases']}，事件 {s['events']}，完全符合流程 {s['fitting']} 件，"
         f"有偏差 {s['deviating_cases']} 件，平均拟合度 {s['mean_fitness']:.3f}" if zh else
         f"cases {s['cases']}, events {s['events']}, fitting {s['fitting']}, "
         f"with deviations {s['deviating_cases']}, mean fitness {s['mean_fitness']:.3f}"),
        *([("工作日历：" if zh else "working-day calendar: ") + s["calendar"]]
          if s["calendar"] else []),
        "",
        (f"{'代码':<4} {_pad('类别', 40)} {'条数':>7} {'办件数':>4}" if zh else
         f"{'code':<6} {_pad('kind', 40)} {'findings':>9} {'cases':>7}"),
    ]
    for code, k in s["kinds"].items():
        title = k["title"]["zh" if zh else "en"]
        lines.append(f"{code:<6} {_pad(title, 40)} {k['findings']:>9} {k['cases']:>7}")
    lines.append("")
    for code, k in s["kinds"].items():
        if k["cases"]:
            ids = k["case_ids"][:_CASE_LIST]
            more = f" … (+{k['cases'] - len(ids)})" if k["cases"] > len(ids) else ""
            lines.append(f"{code} {k['name']}: {', '.join(field(i) for i in ids)}{more}")
    if s["not_checked"]:
        lines.append("")
        lines.append("未检查或仅部分检查：" if zh else "Not checked, or only partly:")
        for u in s["not_checked"]:
            lines.append(f"  [{u['key']}] {u['count']} {unit_text(u['unit'], lang)}: {u['zh' if zh else 'en']}")
    return "\n".join(lines)


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = """body{font-family:"Noto Sans CJK SC",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:.25em .6em;
text-align:left}th{background:#eee}.bad{color:#b00}.warn{color:#a60}
#chart{border:1px dashed #999;padding:1em;margin:1em 0}"""


def render_html(r: AuditResult, chart_svg: str | None = None, lang: str = "zh",
                data: dict[str, Any] | None = None, links: bool = False) -> str:
    """A self-contained page. `chart_svg` is trusted SVG from the renderer (or None); `data`
    is `summary(r)` when the caller already has it; with `links` every case id links to its
    drill-down page (`drilldown`, written beside the report)."""
    return html_from_summary(r.flow, data or summary(r), r.overlay().risk_notes, chart_svg, lang,
                             links)


def html_from_summary(flow: Flow, s: dict[str, Any], risk_notes: dict[str, str],
                      chart_svg: str | None = None, lang: str = "zh", links: bool = False) -> str:
    """The HTML page of a `summary` (also of a combined one, see `powerflow.distributed`) with
    the overlay's notes per risk point."""
    e = html.escape
    kinds = [[c, k["title"]["zh"], k["title"]["en"], k["severity"], k["findings"], k["cases"]]
             for c, k in s["kinds"].items()]
    chart = chart_svg if chart_svg else (
        "<p>流程图未生成（未安装渲染模块或未请求）。下表为完整结果。<br>"
        "No chart rendered (renderer not available or not requested); the tables below are "
        "complete.</p>")
    lists = "".join(
        f"<h3>{e(c)} {e(k['title']['zh'])} / {e(k['title']['en'])}</h3><p>"
        + (", ".join(map(case_link, k["case_ids"][:200])) if links
           else e(", ".join(k["case_ids"][:200])))
        + (f" … (+{k['cases'] - 200})" if k["cases"] > 200 else "") + "</p>"
        for c, k in s["kinds"].items() if k["cases"])
    risk = [[rid, note] for rid, note in risk_notes.items()]
    steps = [[x["step"], flow.steps[x["step"]].name, x["completed"], x["mean_days"],
              x["median_days"], x["max_days"]] for x in s["steps"]]
    notes = "".join(f"<li>[{e(u['key'])}] {u['count']} {e(u['unit'])}: {e(u['zh'])} / "
                    f"{e(u['en'])}</li>" for u in s["not_checked"])
    return f"""<!doctype html>
<html lang="{'zh-CN' if lang.startswith('zh') else 'en'}"><head><meta charset="utf-8">
<title>审计报告 Audit {e(flow.code)}</title><style>{_CSS}</style></head><body>
<h1>{e(flow.name)} — 审计报告 / Audit report</h1>
<p>日志 Log: {e(s['log'])} · 办件 cases {s['cases']} · 事件 events {s['events']} ·
符合 fitting {s['fitting']} · 有偏差 with deviations {s['deviating_cases']} ·
平均拟合度 mean fitness {s['mean_fitness']:.3f}{
" · 工作日历 calendar: " + e(s["calendar"]) if s["calendar"] else ""}</p>
<section id="chart"><h2>流程实况 / Flow with real traffic</h2>{chart}</section>
<h2>偏差汇总 / Deviations by kind</h2>
{_table(["代码 code", "类别", "kind", "severity", "findings", "cases"], kinds)}
<h2>风险点 / Risk points</h2>
{_table(["risk", "note"], risk) if risk else "<p>各风险点防控措施均有留痕 / no missing controls found.</p>"}
<h2>环节用时（工作日）/ Time per step (working days)</h2>
{_table(["step", "名称", "completed", "mean", "median", "max"], steps)}
<h2>各类偏差的办件 / Cases by kind</h2>{lists}
<h2>未检查或仅部分检查 / Not checked, or only partly</h2>
{f"<ul>{notes}</ul>" if notes else "<p>各项均已检查 / everything was checked.</p>"}
</body></html>
"""


def write_reports(r: AuditResult, out: Path, chart_svg: str | None = None,
                  lang: str = "zh", step_times: bool = False) -> list[Path]:
    """Write summary.json, cases.csv, deviations.csv and report.html into `out`, and with
    `step_times` also steps.csv (time per step per case)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "summary.json", out / "cases.csv", out / "deviations.csv", out / "report.html",
             out / "not-checked.csv"]
    data = summary(r)
    paths[0].write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    with paths[1].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CASE_HEADERS)
        w.writerows(csv_rows(case_rows(r)))
    with paths[2].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(DEVIATION_HEADERS)
        w.writerows(csv_rows(deviation_lists(r)))
    paths[3].write_text(render_html(r, chart_svg, lang, data, links=True), encoding="utf-8")
    with paths[4].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(NOT_CHECKED_HEADERS)
        w.writerows(not_checked_rows(r))
    paths += write_case_pages(r, out)
    if step_times:
        paths.append(out / "steps.csv")
        with paths[-1].open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(STEP_HEADERS)
            w.writerows(csv_rows(step_time_lists(r)))
    return paths

