"""Combine the audits of a dataset's partitions into one report.

Takes the `PartAudit`s of every partition (each case lies in exactly one, so counts of cases
add up); gives a `Combined` audit whose `summary()` has the shape of
`powerflow.replay.report.summary` (totals, per-kind counts and case lists in partition order,
time per step from exact histograms, notes) and whose `overlay()` is built by the audit core's
own `AuditResult.overlay` over the combined counts, so the chart follows one rule.

This module is the only place that knows how the core's per-partition results add up: when the
core changes, this is the step to adapt.

Must not: read files, print, or drop a partition silently (a failed one makes the whole result
unusable and its diagnostics say why).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np

from ..deviations import Deviation
from ..diagnostics import Diagnostic
from ..model import Flow
from ..overlay import Overlay
from .partition import PartAudit

__all__ = ["Combined", "combine_notes", "combine_unchecked", "median_of"]


def median_of(hist: dict[float, int]) -> tuple[int, float, float, float]:
    """(count, mean, median, max) of values given as value → count, as NumPy would give them."""
    vals = np.array(sorted(hist), dtype=np.float64)
    cnt = np.array([hist[v] for v in vals.tolist()], dtype=np.int64)
    n = int(cnt.sum())
    cum = np.cumsum(cnt)

    def nth(k: int) -> float:
        return float(vals[int(np.searchsorted(cum, k + 1))])

    med = nth(n // 2) if n % 2 else (nth(n // 2 - 1) + nth(n // 2)) / 2
    return n, float((vals * cnt).sum() / n), med, float(vals[-1])


_COUNT = re.compile(r"^(\d+)(\D.*)$", re.S)


def combine_notes(parts: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """Notes of the partitions: equal ones once, ones that differ only in a leading count
    (e.g. "12 events fall outside the working-day calendar …") once with the counts added."""
    order: list[tuple[str, str]] = []
    total: dict[tuple[str, str], int] = {}
    for notes in parts:
        for en, zh in notes:
            me, mz = _COUNT.match(en), _COUNT.match(zh)
            key = (me.group(2), mz.group(2)) if me and mz else (en, zh)
            if key not in total:
                order.append(key)
                total[key] = 0
            if me and mz:
                total[key] += int(me.group(1))
            else:
                total[key] = -1
    return [(k[0], k[1]) if total[k] < 0 else (f"{total[k]}{k[0]}", f"{total[k]}{k[1]}")
            for k in order]


def combine_unchecked(parts: list[PartAudit]) -> list[dict[str, Any]]:
    """What was not checked over the whole dataset: counts of events, cases and records add up
    by key; where partitions word an entry differently (their own counts or names), every
    distinct wording is kept. A mapping key is unseen only when no partition saw it."""
    from ..replay.audit import unseen_note

    out: dict[str, dict[str, Any]] = {}
    texts: dict[str, list[tuple[str, str]]] = {}
    for p in parts:
        for u in (p.summary or {}).get("not_checked", []):
            if u["key"] == "mapping-keys-unseen":
                continue
            entry = out.setdefault(u["key"], {**u, "count": 0})
            entry["count"] += u["count"]
            if (u["en"], u["zh"]) not in texts.setdefault(u["key"], []):
                texts[u["key"]].append((u["en"], u["zh"]))
    for key, entry in out.items():
        if len(texts[key]) > 1:
            entry["en"] = (f"in {len(texts[key])} partitions, summed: "
                           + " | ".join(en for en, _zh in texts[key]))
            entry["zh"] = f"{len(texts[key])} 个分区合计：" + " | ".join(zh for _en, zh in texts[key])
    lists = [set(p.unseen) for p in parts if p.unseen is not None]
    reported = any(u["key"] == "mapping-keys-unseen" for p in parts
                   for u in (p.summary or {}).get("not_checked", []))
    unseen = set.intersection(*lists) if lists and reported else set()
    first = next((p.unseen for p in parts if p.unseen is not None), [])
    items = list(out.values())
    if unseen:
        items.append(unseen_note([k for k in first if k in unseen]).to_dict())
    return items


@dataclass
class Combined:
    flow: Flow
    log: str
    parts: list[PartAudit] = field(default_factory=list)

    def add(self, part: PartAudit) -> None:
        """Keep a partition's summary and counts (its report rows are written by the caller)."""
        part.cases, part.deviations, part.steps = [], [], []
        self.parts.append(part)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for p in sorted(self.parts, key=lambda p: p.index) for d in p.diagnostics]

    @property
    def failed(self) -> bool:
        return any(p.failed for p in self.parts)

    def _done(self) -> list[PartAudit]:
        return sorted((p for p in self.parts if p.summary is not None), key=lambda p: p.index)

    def summary(self) -> dict[str, Any]:
        parts = self._done()
        sums = [p.summary for p in parts if p.summary]
        n_cases = sum(s["cases"] for s in sums)
        kinds: dict[str, Any] = {}
        for d in Deviation:
            ks = [s["kinds"][d.code] for s in sums]
            kinds[d.code] = {"name": d.rule_name, "severity": d.severity.value,
                             "title": {"en": d.title.en, "zh": d.title.zh},
                             "findings": sum(k["findings"] for k in ks),
                             "cases": sum(k["cases"] for k in ks),
                             "case_ids": [c for k in ks for c in k["case_ids"]]}
        return {
            "flow": self.flow.code, "log": self.log,
            "events": sum(s["events"] for s in sums), "cases": n_cases,
            "fitting": sum(s["fitting"] for s in sums),
            "mean_fitness": (round(sum(p.fitness_sum for p in parts) / n_cases, 4)
                             if n_cases else 1.0),
            "deviating_cases": sum(s["deviating_cases"] for s in sums),
            "ignored_events": sum(p.ignored for p in self.parts),
            "other_lifecycle_events": sum(p.other_lifecycle for p in self.parts),
            "calendar": sums[0].get("calendar") if sums else None,
            "kinds": kinds, "steps": self._steps(parts),
            "not_checked": combine_unchecked(parts),
            "notes": [{"en": en, "zh": zh} for en, zh in combine_notes(
                [[(n["en"], n["zh"]) for n in s["notes"]] for s in sums])],
        }

    def _steps(self, parts: list[PartAudit]) -> list[dict[str, Any]]:
        out = []
        for sid in self.flow.steps:
            hist: dict[float, int] = {}
            for p in parts:
                for v, c in p.step_days.get(sid, {}).items():
                    hist[v] = hist.get(v, 0) + c
            if hist:
                n, mean, med, mx = median_of(hist)
                out.append({"step": sid, "completed": n, "mean_days": round(mean, 2),
                            "median_days": med, "max_days": mx})
        return out

    def overlay(self) -> Overlay:
        """The chart overlay, by the audit core's rule over the combined counts."""
        from ..replay.audit import AuditResult

        parts = self._done()
        edges: dict[int, int] = {}
        dev: dict[tuple[str, str, str], int] = {}
        cols: dict[str, list[Any]] = {"kind": [], "case": [], "step": [], "value": []}
        offset = 0
        for p in parts:
            for k, n in p.edge_cases.items():
                edges[k] = edges.get(k, 0) + n
            for key, n in p.deviation_edges.items():
                dev[key] = dev.get(key, 0) + n
            for c in ("kind", "step", "value"):
                cols[c] += p.overlay_findings.get(c, [])
            cols["case"] += [offset + c for c in p.overlay_findings.get("case", [])]
            offset += p.summary["cases"] if p.summary else 0
        view = SimpleNamespace(
            flow=self.flow, n_cases=offset,
            fits=np.array([sum(p.summary["fitting"] for p in parts if p.summary)]),
            encoded_flow=SimpleNamespace(steps=list(self.flow.steps)),
            findings=SimpleNamespace(kind=np.array(cols["kind"], np.int16),
                                     case=np.array(cols["case"], np.int64),
                                     step=np.array(cols["step"], np.int32),
                                     value=np.array(cols["value"], np.float64)),
            edge_cases=lambda: edges, deviation_edges=lambda: dev)
        overlay: Overlay = AuditResult.overlay(view)  # type: ignore[arg-type]
        return overlay
