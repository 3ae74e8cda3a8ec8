"""Generated event logs for the audit benchmarks: random walks through a flow, with noise."""

from __future__ import annotations

from typing import Any

import numpy as np

from powerflow.model import Flow

__all__ = ["walks"]


def walks(flow: Flow, n_cases: int, seed: int = 7, noise: float = 0.05,
          max_len: int = 30) -> dict[str, Any]:
    """Columns of a log: case ids, activities (the flow's event ids), UTC ns timestamps,
    resources. Each case walks the flow choosing branches with the flow's `probability`
    values (the split random simulation uses); about `noise` of the cases get one event
    swapped for a random one."""
    from powerflow.engine.compile import compile_flow
    from powerflow.engine.randomsim import branch_probabilities

    rng = np.random.default_rng(seed)
    compiled = compile_flow(flow)
    out: dict[str, list[Any]] = {s: [] for s in flow.steps}
    probs: dict[str, Any] = {}
    for s in flow.steps:
        br = branch_probabilities(compiled, s)
        out[s] = [(e, to) for e, to, _p in br]
        probs[s] = np.asarray([p for _e, _to, p in br], dtype=np.float64)
    events = sorted({t.event for t in flow.transitions})
    case_l: list[int] = []
    act_l: list[str] = []
    res_l: list[int] = []
    start = flow.start or next(iter(flow.steps))
    for c in range(n_cases):
        s = start
        trace: list[str] = []
        while out[s] and len(trace) < max_len:
            event, s = out[s][int(rng.choice(len(out[s]), p=probs[s]))]
            trace.append(event)
        if trace and rng.random() < noise:
            trace[int(rng.integers(len(trace)))] = events[int(rng.integers(len(events)))]
        case_l += [c] * len(trace)
        act_l += trace
        res_l += rng.integers(0, 50, len(trace)).tolist()
    n = len(case_l)
    case = np.asarray(case_l, dtype=np.int64)
    base = np.int64(1_704_153_600_000_000_000)  # 2024-01-02 00:00 UTC
    first = np.r_[True, case[1:] != case[:-1]] if n else np.zeros(0, bool)
    starts = np.flatnonzero(first)
    pos = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))
    time = base + case * 600_000_000_000 + pos * 86_400_000_000_000
    return {"case": [f"case-{c}" for c in case_l], "activity": act_l, "time": time,
            "resource": [f"r{r}" for r in res_l]}
