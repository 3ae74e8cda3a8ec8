"""Drill-down pages of an audit: one HTML page per case with findings, linked from the report.

Takes an `AuditResult`; gives the page of one case (`case_page`): its events in time order
with time, activity, person, the step the event completed (by name), the risk points at that
step, and every finding at that event (code and title), then the case-level findings; and the
links to those pages (`case_link`, `case_href`). `write_case_pages` writes them into
`<report folder>/cases/`.
Must not: replay or check anything, or put text from the log into a page unescaped.
"""

from __future__ import annotations

import hashlib
import html
from collections import defaultdict
from pathlib import Path

import numpy as np

from .audit import AuditResult
from .checks import KINDS

__all__ = ["case_href", "case_link", "case_page", "write_case_pages"]

_CSS = """body{font-family:"Noto Sans CJK SC",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:.25em .6em;
text-align:left;vertical-align:top}th{background:#eee}.bad{color:#b00}.warn{color:#a60}"""


def case_href(name: str) -> str:
    """The file of a case's page, relative to the report: a safe name with a short hash."""
    clean = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in name)
    return f"cases/{clean[:60] or 'case'}-{hashlib.sha256(name.encode()).hexdigest()[:8]}.html"


def case_link(name: str) -> str:
    """An escaped link to the case's page."""
    return f'<a href="{html.escape(case_href(name))}">{html.escape(name)}</a>'


def _time(ns: int) -> str:
    return str(np.datetime64(int(ns), "ns").astype("datetime64[s]")).replace("T", " ")


def _findings_by_event(r: AuditResult, case: int) -> tuple[dict[int, list[str]], list[str]]:
    f = r.findings
    at: dict[int, list[str]] = defaultdict(list)
    whole: list[str] = []
    for i in np.flatnonzero(f.case == case).tolist():
        d = KINDS[int(f.kind[i])]
        text = f"{d.code} {d.title.zh} / {d.title.en}"
        step = int(f.step[i])
        if step >= 0:
            text += f"（{r.flow.steps[r.encoded_flow.steps[step]].name}）"
        ev = int(f.event[i])
        (at[ev] if ev >= 0 else whole).append(text)
    return at, whole


def case_page(r: AuditResult, case: int) -> str:
    """The drill-down page of case number `case` (see the module docstring)."""
    e = html.escape
    el, f, log = r.encoded_log, r.findings, r.log
    name = log.case_names[case]
    at, whole = _findings_by_event(r, case)
    steps = r.encoded_flow.steps
    rows = []
    for pos in range(int(el.starts[case]), int(el.starts[case + 1])):
        ev = int(el.order[pos])
        done = int(f.done[pos])
        step = r.flow.steps[steps[done]] if done >= 0 else None
        risks = "；".join(f"{rid} {risk.description}" for rid, risk in
                         r.flow.risks_at(steps[done])) if done >= 0 else ""
        person = log.person_names[log.person[ev]] if log.person[ev] >= 0 else ""
        found = "<br>".join(e(x) for x in at.get(ev, []))
        rows.append(f"<tr><td>{e(_time(int(el.time[pos])))}</td>"
                    f"<td>{e(log.activity_names[log.activity[ev]])}</td><td>{e(person)}</td>"
                    f"<td>{e(step.name) if step else ''}</td><td>{e(risks)}</td>"
                    f'<td class="bad">{found}</td></tr>')
    n = sum(len(v) for v in at.values()) + len(whole)
    whole_html = "".join(f"<li>{e(x)}</li>" for x in whole)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{e(name)} · {e(r.flow.code)}</title>
<style>{_CSS}</style></head><body>
<p><a href="../report.html">← 审计报告 / Audit report</a></p>
<h1>{e(name)}：{n} 条发现 / {n} finding(s)</h1>
<p>{e(r.flow.code)} {e(r.flow.name)}</p>
<table><thead><tr><th>时间 time (UTC)</th><th>事件 activity</th><th>办理人 person</th>
<th>环节 step</th><th>风险点 risk point</th><th>发现 finding</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
{f"<h2>整个办件 / Whole case</h2><ul>{whole_html}</ul>" if whole_html else ""}
</body></html>
"""


def write_case_pages(r: AuditResult, out: Path) -> list[Path]:
    """One page per case with findings, in `out/cases/`."""
    cases = sorted(set(r.findings.case.tolist()))
    folder = out / "cases"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for c in cases:
        path = out / case_href(r.log.case_names[c])
        path.write_text(case_page(r, c), encoding="utf-8")
        paths.append(path)
    return paths
