"""Renderings of a random simulation: text, JSON and a histogram as a standalone SVG.

Takes a `RandomResult`; gives strings (and writes the SVG file when asked). The SVG is written
by hand (no plotting dependency): bars of the counted working days per case, with the promised
and statutory limits drawn as vertical lines. Must not: simulate anything itself.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..deviations import unit_text
from ..model import Outcome

if TYPE_CHECKING:
    from ..engine.randomsim import RandomResult

__all__ = ["histogram_svg", "render_random_json", "render_random_text", "write_histogram"]


def _pct(p: float | None) -> str:
    return "—" if p is None else f"{p:.1%}"


def render_random_text(r: RandomResult, lang: str = "en") -> str:
    zh = lang == "zh"
    lines = [
        (f"{r.power} {r.power_name}：随机模拟 {r.runs:,} 件（种子 {r.seed}）" if zh else
         f"{r.power} {r.power_name}: {r.runs:,} random cases (seed {r.seed})"),
        ("计时工作日分位数：" if zh else "Counted working days, percentiles: ")
        + ", ".join(f"p{k} {v:.1f}" for k, v in r.percentiles.items())
        + (f"; {'平均' if zh else 'mean'} {float(r.totals.mean()):.1f}" if r.runs else ""),
        _over(r, zh),
    ]
    if r.unfinished:
        lines.append(f"未办结（步数上限）：{r.unfinished}" if zh else
                     f"did not finish within the step cap: {r.unfinished}")
    lines.append("结果：" if zh else "Outcomes:")
    lines += [f"  {Outcome.label(k, lang)}: {v:.1%}"
              for k, v in sorted(r.outcomes.items(), key=lambda kv: -kv[1])]
    lines.append("经过各风险点的比例：" if zh else "Share of cases passing each risk point:")
    lines += [f"  {k}: {v:.1%}" for k, v in r.risk_freq.items()]
    lines.append("环节超时比例：" if zh else "Share of cases where a step overran its limit:")
    lines += [f"  {k}: {v:.1%}" for k, v in r.step_over.items() if v > 0]
    if r.assumptions:
        lines.append("模拟所作的假设：" if zh else "Assumed for want of data:")
        lines += [f"  [{a.key}] {a.count} {unit_text(a.unit, 'zh' if zh else 'en')}: {a.zh if zh else a.en}"
                  for a in r.assumptions]
    return "\n".join(lines)


def _over(r: RandomResult, zh: bool) -> str:
    parts = []
    for word, lim, p in (("promised", r.promised, r.p_over_promised),
                         ("statutory", r.statutory, r.p_over_statutory)):
        w = {"promised": "承诺", "statutory": "法定"}[word]
        if lim is None:
            parts.append(f"无{w}时限" if zh else f"no {word} limit")
        else:
            parts.append(f"超过{w}时限（{lim}）的概率：{_pct(p)}" if zh else
                         f"P(over {word} {lim}) = {_pct(p)}")
    return ("；" if zh else "; ").join(parts)


def render_random_json(r: RandomResult) -> str:
    return json.dumps({"version": 1, **r.to_dict()}, ensure_ascii=False, indent=2)


def histogram_svg(r: RandomResult, lang: str = "en", width: int = 720,
                  height: int = 400) -> str:
    """The distribution of counted working days as an SVG bar chart with the limits marked."""
    zh = lang == "zh"
    left, right, top, bottom = 60, 20, 50, 60
    pw, ph = width - left - right, height - top - bottom
    hi = max([float(r.totals.max()) if r.runs else 1.0, *(v for v in (r.promised, r.statutory)
                                                          if v is not None)]) * 1.05
    counts, edges = np.histogram(r.totals, bins=40, range=(0.0, hi))
    top_count = max(int(counts.max()), 1)

    def x(v: float) -> float:
        return left + pw * v / hi

    def y(c: float) -> float:
        return top + ph - ph * c / top_count

    e = html.escape
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="Noto Sans CJK SC, Noto Sans, '
             f'sans-serif" font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">'
             f'{e(r.power)} {e(r.power_name)}'
             f'{"：随机模拟" if zh else ": "}{r.runs:,}{" 件" if zh else " random cases"}</text>']
    for c, a, b in zip(counts, edges[:-1], edges[1:], strict=True):
        if c:
            parts.append(f'<rect x="{x(a):.1f}" y="{y(c):.1f}" width="{max(x(b) - x(a) - 1, 1):.1f}"'
                         f' height="{top + ph - y(c):.1f}" fill="#4a78b0"/>')
    parts.append(f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" '
                 'stroke="black"/>')
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="black"/>')
    for v in _ticks(hi):
        parts.append(f'<text x="{x(v):.1f}" y="{top + ph + 16}" text-anchor="middle">{v:g}</text>')
    for c in _ticks(top_count):
        parts.append(f'<text x="{left - 6}" y="{y(c) + 4:.1f}" text-anchor="end">{c:g}</text>')
    parts.append(f'<text x="{left + pw / 2}" y="{height - 14}" text-anchor="middle">'
                 f'{"计时工作日" if zh else "counted working days per case"}</text>')
    parts.append(f'<text x="16" y="{top + ph / 2}" text-anchor="middle" transform="rotate(-90 16 '
                 f'{top + ph / 2})">{"办件数" if zh else "cases"}</text>')
    for value, colour, en, zh_label, p in (
            (r.promised, "#e08a00", "promised", "承诺", r.p_over_promised),
            (r.statutory, "#c00000", "statutory", "法定", r.p_over_statutory)):
        if value is None:
            continue
        label = f"{zh_label} {value}（超过 {_pct(p)}）" if zh else f"{en} {value} (over: {_pct(p)})"
        parts.append(f'<line x1="{x(value):.1f}" y1="{top}" x2="{x(value):.1f}" y2="{top + ph}" '
                     f'stroke="{colour}" stroke-width="2" stroke-dasharray="6 3"/>')
        anchor = "end" if x(value) > left + pw * 0.7 else "start"
        dx = -4 if anchor == "end" else 4
        dy = 14 if en == "promised" else 30
        parts.append(f'<text x="{x(value) + dx:.1f}" y="{top + dy}" text-anchor="{anchor}" '
                     f'fill="{colour}">{e(label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _ticks(hi: float) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) from 0 up to `hi`."""
    raw = max(hi / 5, 1e-9)
    mag = 10 ** np.floor(np.log10(raw))
    step = float(next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw))
    return [k * step for k in range(int(hi // step) + 1)]


def write_histogram(r: RandomResult, path: Path, lang: str = "en") -> None:
    path.write_text(histogram_svg(r, lang), encoding="utf-8")
