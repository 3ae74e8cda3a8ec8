"""Case engine benchmark: events/s with the audit running vs a bare `transitions` machine,
memory per live case, and `powerflow --help` start-up time.

`python -m tests.bench engine`. The same 10,000 cases and the same interleaved events drive
both machines; the baseline is a plain `transitions.Machine` of the same states and transitions
with models registered the usual way (`add_model`) and triggers called as model methods.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any, NamedTuple

from tests.bench.util import table

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "flows" / "kj-fx-0012-project-approval.yaml"
CASES = 10_000
REPEAT = 5
T0 = dt.datetime(2025, 3, 3, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _paths(compiled: Any, n: int, seed: int = 5) -> list[list[tuple[str, str, tuple[str, ...]]]]:
    """A valid random path per case: (event, person, evidence of the step it completes)."""
    rng = random.Random(seed)
    flow = compiled.flow
    evidence = {s: tuple(c.evidence for _r, risk in compiled.risks_at.get(s, ())
                         for c in risk.controls if c.evidence) for s in compiled.states}
    out = []
    for _ in range(n):
        state, path = compiled.initial, []
        while state not in compiled.ends:
            t = rng.choice(compiled.out[state])
            path.append((t.event, f"p{rng.randrange(40)}", evidence[state]))
            state = t.to
        out.append(path)
    assert flow is not None
    return out


def _interleave(paths: list[list[Any]]) -> list[tuple[int, int, Any]]:
    """Round-robin over the cases: (case index, event index, event)."""
    out = []
    for k in range(max(len(p) for p in paths)):
        out += [(i, k, p[k]) for i, p in enumerate(paths) if k < len(p)]
    return out


def _ours(compiled: Any, events: list[Any]) -> float:
    """CPU seconds to fire every event into live cases with the audit's bookkeeping."""
    from powerflow.engine.run import CaseRun

    runs = [CaseRun(compiled, f"c{i}", {}, T0) for i in range(CASES)]
    gc.collect()
    t0 = time.process_time()
    for i, k, (event, person, evidence) in events:
        runs[i].apply(k, T0 + dt.timedelta(days=k), event, person, None, evidence)
    spent = time.process_time() - t0
    assert all(r.finished for r in runs) and not any(r.rejected for r in runs)
    return spent


class _Row(NamedTuple):
    """A trail row as the store keeps it (what the core reads of an event)."""

    time: dt.datetime
    event: str
    person: str | None
    post: str | None
    evidence: tuple[str, ...]


def _ours_core(compiled: Any, events: list[Any]) -> float:
    """CPU seconds for what the live store does: each event through the compiled machine and
    recorded (the trail), then the audit of every case by the deviation core, all cases in
    one pass (`engine.onecase.timed_out`, as `case overdue` does)."""
    from powerflow.engine.compile import CaseModel
    from powerflow.engine.onecase import cases_log
    from powerflow.replay.audit import audit

    models = [CaseModel(f"c{i}", compiled.initial) for i in range(CASES)]
    trails: list[list[_Row]] = [[] for _ in range(CASES)]
    gc.collect()
    t0 = time.process_time()
    for i, k, (event, person, evidence) in events:
        compiled.move(models[i], event, None)
        trails[i].append(_Row(T0 + dt.timedelta(days=k), event, person, None, evidence))
    log, mapping = cases_log(compiled.flow, [(f"c{i}", {}, t) for i, t in enumerate(trails)])
    res = audit(compiled.flow, log, mapping, calendar=compiled.calendar)
    spent = time.process_time() - t0
    assert all(m.state in compiled.ends for m in models) and bool(res.fits.all())
    return spent


class _Bare:
    pass


def _bare_machine(compiled: Any) -> Any:
    from transitions import Machine

    m = Machine(model=None, states=list(compiled.states), initial=compiled.initial,
                auto_transitions=False, ignore_invalid_triggers=False)
    for ts in compiled.out.values():
        for t in ts:
            m.add_transition(t.event, t.from_, t.to)
    return m


def _bare(compiled: Any, events: list[Any]) -> float:
    """CPU seconds for a plain transitions machine to fire the same events."""
    m = _bare_machine(compiled)
    models = [_Bare() for _ in range(CASES)]
    m.add_model(models)
    gc.collect()
    t0 = time.process_time()
    for i, _k, (event, _p, _e) in events:
        getattr(models[i], event)()
    spent = time.process_time() - t0
    assert all(mod.state in compiled.ends for mod in models)
    return spent


def _memory(compiled: Any, paths: list[Any]) -> tuple[float, float]:
    """Bytes per live case (half-way through its path), ours and the bare baseline."""
    from powerflow.engine.run import CaseRun

    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    runs = [CaseRun(compiled, f"c{i}", {}, T0) for i in range(CASES)]
    for i, p in enumerate(paths):
        for k, (event, person, evidence) in enumerate(p[: len(p) // 2]):
            runs[i].apply(k, T0 + dt.timedelta(days=k), event, person, None, evidence)
    ours = (tracemalloc.get_traced_memory()[0] - base) / CASES
    tracemalloc.stop()
    del runs
    m = _bare_machine(compiled)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    models = [_Bare() for _ in range(CASES)]
    m.add_model(models)
    bare = (tracemalloc.get_traced_memory()[0] - base) / CASES
    tracemalloc.stop()
    return ours, bare


def _startup(args: list[str], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    from powerflow.engine.flows import load_compiled

    fl = load_compiled(FLOW)
    assert fl.compiled is not None
    compiled = fl.compiled
    paths = _paths(compiled, CASES)
    events = _interleave(paths)
    n = len(events)
    triples = [(_bare(compiled, events), _ours(compiled, events), _ours_core(compiled, events))
               for _ in range(REPEAT)]
    bare = statistics.median(b for b, _o, _c in triples)
    ours = statistics.median(o for _b, o, _c in triples)
    ratio = statistics.median(o / b for b, o, _c in triples)
    core = statistics.median(c for _b, _o, c in triples)
    core_ratio = statistics.median(c / b for b, _o, c in triples)
    mem_ours, mem_bare = _memory(compiled, paths)
    py = _startup(["-c", "pass"])
    helps = _startup(["-m", "powerflow", "--help"])
    rows = [
        ["events/s, bare transitions (add_model, model.trigger)", f"{n / bare:,.0f}", "1.00",
         "baseline"],
        ["events/s, compiled machine + live bookkeeping (CaseRun)", f"{n / ours:,.0f}",
         f"{ratio:.2f}", ""],
        ["events/s, compiled machine + trail + audit of every case by the core",
         f"{n / core:,.0f}", f"{core_ratio:.2f}", "≤ 1.5× slower"],
        ["memory per live case, bare add_model (bytes)", f"{mem_bare:,.0f}", "", ""],
        ["memory per live case, ours mid-path (bytes)", f"{mem_ours:,.0f}",
         f"{mem_ours / mem_bare:.2f}", "< 10,240"],
        ["start-up, python -c pass (s)", f"{py:.3f}", "", "baseline"],
        ["start-up, powerflow --help (s)", f"{helps:.3f}", f"{helps / py:.1f}", "< 0.3"],
    ]
    print(f"{CASES:,} live cases of {compiled.flow.code}, {n:,} interleaved events; CPU time "
          f"(process_time), medians of {REPEAT} alternating runs (ratio: median of the per-run "
          "ratios); start-up: wall time, median of 7\n")
    print(table(["measure", "value", "ratio", "target"], rows))


if __name__ == "__main__":
    main()
