"""The differential test of the one deviation core: every example case audited by `simulate`
and, written as a CSV event log, by the log audit gives the same findings (code, line, step);
hypothesis generates more cases. Both go through `powerflow.replay.checks`; what this test
guards is everything around it: reading, sorting, facts, time zones, as-of, locations."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from powerflow.diagnostics import Location
from powerflow.engine.audit import audit_case, audit_events
from powerflow.engine.case import CaseEvent, load_case
from powerflow.engine.compile import CompiledFlow
from powerflow.engine.flows import find_flow, load_compiled
from powerflow.logs.mapping import LogMapping
from powerflow.logs.readers import read_log
from powerflow.replay.audit import audit
from powerflow.replay.report import deviation_rows

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "examples" / "cases").glob("*/*.case.yaml"))


def _write_log(path: Path, case_id: str, events: list[CaseEvent], facts: dict[str, Any],
               evidence: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["case", "activity", "time", "person", "post", *[f"ev_{e}" for e in evidence],
                    *[f"fact_{k}" for k in facts]])
        for e in events:
            w.writerow([case_id, e.event, e.time.isoformat(), e.person or "", e.post or "",
                        *["yes" if x in e.evidence else "" for x in evidence],
                        *[str(v).lower() if isinstance(v, bool) else v for v in facts.values()]])


def _mapping_for(compiled: CompiledFlow, evidence: list[str], facts: dict[str, Any]) -> LogMapping:
    events = sorted({t.event for t in compiled.flow.transitions})
    return LogMapping.model_validate({
        "columns": {"case": "case", "activity": "activity", "time": "time", "person": "person",
                    "post": "post", "lifecycle": None},
        "activities": {e: e for e in events}, "evidence": {e: f"ev_{e}" for e in evidence},
        "facts": {k: f"fact_{k}" for k in facts}, "lifecycle": None})


def _both(compiled: CompiledFlow, tmp: Path, case_id: str, events: list[CaseEvent],
          facts: dict[str, Any], as_of: dt.datetime | None
          ) -> tuple[list[tuple[str, int, str]], list[tuple[str, int, str]]]:
    flow = compiled.flow
    evidence = sorted({c.evidence for r in flow.risks.values() for c in r.controls
                       if c.evidence})
    _write_log(tmp, case_id, events, facts, evidence)
    mapping = _mapping_for(compiled, evidence, facts)
    log = read_log(tmp, mapping)
    end = as_of or events[-1].time
    res = audit(flow, log, mapping, as_of=int(end.timestamp() * 1e9))
    by_log = sorted((r["code"], int(str(r["location"]).rsplit(":", 1)[1]) - 2
                     if ":" in str(r["location"]) else -1, r["step"])
                    for r in deviation_rows(res))
    one = audit_events(compiled, case_id, facts, events,
                       lambda i: Location("case", (i + 1) if i is not None else 0, 1),
                       as_of=as_of)
    by_case = []
    for d in one.diagnostics:
        if d.suppressed is not None:
            continue
        step = d.data.get("step")
        by_case.append((d.code, d.location.line - 1, step if isinstance(step, str) else ""))
    return sorted(by_case), by_log


def _norm(rows: list[tuple[str, int, str]]) -> list[tuple[str, int]]:
    return sorted((c, i) for c, i, _s in rows)


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example_case_same_findings_both_ways(path: Path, tmp_path: Path) -> None:
    flows = find_flow(path.parent.name, ROOT / "flows")
    if not flows:
        pytest.skip("no flow for this power code")
    compiled = load_compiled(flows[0]).compiled
    assert compiled is not None
    loaded = load_case(path)
    assert loaded.case is not None
    case = loaded.case
    a = audit_case(compiled, loaded)
    assert a is not None
    by_case, by_log = _both(compiled, tmp_path / "log.csv", case.case.id, list(case.events),
                            dict(case.facts), case.case.as_of)
    assert _norm(by_case) == _norm(by_log)


_FLOW = ROOT / "flows" / "kj-fx-0012-project-approval.yaml"


@st.composite
def _cases(draw: st.DrawFn, compiled: CompiledFlow) -> tuple[list[CaseEvent], dict[str, Any]]:
    flow = compiled.flow
    names = [*sorted({t.event for t in flow.transitions}), "not_in_flow"]
    evidence = sorted({c.evidence for r in flow.risks.values() for c in r.controls
                       if c.evidence})
    posts = [*flow.actors, None]
    n = draw(st.integers(1, 9))
    t = dt.datetime(2024, 12, 20, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    out = []
    for _ in range(n):
        t += dt.timedelta(hours=draw(st.integers(0, 24 * 12)))
        out.append(CaseEvent.model_construct(
            time=t, event=draw(st.sampled_from(names)),
            person=draw(st.sampled_from(["甲", "乙", None])),
            post=draw(st.sampled_from(posts)),
            evidence=tuple(draw(st.sets(st.sampled_from(evidence), max_size=4))), note=None))
    facts = {"amount": draw(st.sampled_from([100, 800_000, 6_000_000]))}
    return out, facts


@pytest.fixture(scope="module")
def fx12() -> CompiledFlow:
    compiled = load_compiled(_FLOW).compiled
    assert compiled is not None
    return compiled


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_cases_same_findings_both_ways(data: st.DataObject, fx12: CompiledFlow,
                                                 tmp_path: Path) -> None:
    events, facts = data.draw(_cases(fx12))
    by_case, by_log = _both(fx12, tmp_path / "gen.csv", "G-1", events, facts, None)
    assert _norm(by_case) == _norm(by_log)
