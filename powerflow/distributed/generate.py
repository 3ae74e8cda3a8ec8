"""Large, realistic event logs generated from a flow, written as a partitioned Parquet dataset.

Takes a `CompiledFlow`, a number of events, a seed and an output folder; gives hive-style
folders ``year=YYYY/month=MM/unit=UNN/`` of Parquet files with the XES standard columns
(`case:concept:name`, `concept:name`, `time:timestamp` in UTC, `org:resource`, `org:group`).
Cases follow the random simulation's rules (`powerflow.engine.randomsim`: branch probabilities,
triangular step durations in working days, here spread over calendar days); each case belongs to
one unit and its events fall in the months they happen in, so a case's events usually lie in
several partitions. Noise: a share of the cases has one event replaced by another event of the
flow (a deviation to find); persons are drawn from the unit's staff, so some separated steps are
done by one person.

Activities are the flow's event ids (no mapping file needed). Generation runs chunk by chunk,
so memory stays bounded whatever the number of events.

Must not: use unseeded randomness, or write outside the output folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.compile import CompiledFlow
from ..engine.randomsim import branch_probabilities, step_duration

__all__ = ["COLUMNS", "GenerateResult", "generate_dataset"]

COLUMNS = ("case:concept:name", "concept:name", "time:timestamp", "org:resource", "org:group")
_DAY_NS = 86_400_000_000_000
_START_NS = 1_704_067_200_000_000_000  # 2024-01-01 00:00 UTC
_SPAN_DAYS = 2 * 365
_LOCAL_NS = 8 * 3_600_000_000_000  # partition months by China Standard Time


@dataclass(frozen=True)
class GenerateResult:
    events: int
    cases: int
    files: int


def _walk(compiled: CompiledFlow, n: int, rng: np.random.Generator, max_len: int
          ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any],
                     list[str]]:
    """(case, event code, days since the case's start, event names) of `n` random cases."""
    states = list(compiled.states)
    index = {s: i for i, s in enumerate(states)}
    events = sorted({t.event for t in compiled.flow.transitions})
    ecode = {e: i for i, e in enumerate(events)}
    cur = np.full(n, index[compiled.initial], np.int64)
    clock = rng.uniform(0, 0.4, n)
    live = np.ones(n, np.bool_)
    cases, codes, times = [], [], []
    for _ in range(max_len):
        if not live.any():
            break
        for s in np.unique(cur[live]).tolist():
            idx = np.flatnonzero(live & (cur == s))
            branches = branch_probabilities(compiled, states[s])
            if not branches:
                live[idx] = False
                continue
            lo, mode, hi = step_duration(compiled, states[s])
            days = rng.triangular(lo, mode, hi, idx.size) if hi > lo else np.full(idx.size, lo)
            clock[idx] += days * 7 / 5 + rng.uniform(0.05, 0.4, idx.size)
            pick = rng.choice(len(branches), size=idx.size, p=[b[2] for b in branches])
            for k, (event, dest, _p) in enumerate(branches):
                chosen = idx[pick == k]
                cur[chosen] = index[dest]
                cases.append(chosen)
                codes.append(np.full(chosen.size, ecode[event], np.int32))
                times.append(clock[chosen].copy())
        live &= ~np.isin(cur, [index[e] for e in compiled.ends])
    case = np.concatenate(cases) if cases else np.zeros(0, np.int64)
    order = np.lexsort((np.concatenate(times), case)) if cases else case
    return case[order], np.concatenate(codes)[order], np.concatenate(times)[order], events


def _chunk(compiled: CompiledFlow, n_cases: int, first: int, rng: np.random.Generator,
           units: int, staff: int, noise: float, max_len: int) -> Any:
    import pyarrow as pa

    case, code, days, events = _walk(compiled, n_cases, rng, max_len)
    noisy = rng.random(n_cases) < noise
    swap = noisy[case] & (rng.random(case.size) < 0.25)
    code = np.where(swap, rng.integers(0, len(events), case.size), code)
    unit = rng.integers(0, units, n_cases)
    start = _START_NS + rng.integers(0, _SPAN_DAYS, n_cases) * _DAY_NS + 8 * 3_600_000_000_000
    t = start[case] + (days * _DAY_NS).astype(np.int64)
    local = (t + _LOCAL_NS).astype("datetime64[ns]")
    month = local.astype("datetime64[M]")
    year = month.astype("datetime64[Y]").astype(np.int64) + 1970
    mon = month.astype(np.int64) % 12 + 1
    actor = {t.event: compiled.flow.steps[t.from_].actor for t in compiled.flow.transitions}
    names = pa.array([f"{compiled.flow.code}-{first + c:09d}" for c in range(n_cases)])
    staff_names = pa.array([f"p{p}" for p in range(units * staff)])
    person = unit[case] * staff + rng.integers(0, staff, case.size)
    months = pa.array([f"{m:02d}" for m in range(1, 13)])
    return pa.table({
        COLUMNS[0]: names.take(case), COLUMNS[1]: pa.array(events).take(code),
        COLUMNS[2]: pa.array(t, pa.timestamp("ns", tz="UTC")),
        COLUMNS[3]: staff_names.take(person),
        COLUMNS[4]: pa.array([actor[e] for e in events]).take(code),
        "year": pa.array(year.astype(str)), "month": months.take(mon - 1),
        "unit": pa.array([f"U{u:02d}" for u in range(units)]).take(unit[case])})


def generate_dataset(compiled: CompiledFlow, events: int, out: str | Path, seed: int = 1,
                     units: int = 8, staff: int = 25, noise: float = 0.05,
                     chunk_cases: int = 1_000_000, max_len: int = 40) -> GenerateResult:
    """Write at least `events` events (whole cases) under `out`, partitioned by year, month and
    unit."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    done = cases = chunk = 0
    while done < events:
        table = _chunk(compiled, chunk_cases, cases, rng, units, staff, noise, max_len)
        need = events - done
        if table.num_rows > need:  # cut at a case boundary past `need` events
            names = table[COLUMNS[0]].to_numpy(zero_copy_only=False)
            stop = need
            while stop < len(names) and names[stop] == names[stop - 1]:
                stop += 1
            table = table.slice(0, stop)
        pq.write_to_dataset(table, root, partition_cols=["year", "month", "unit"],
                            basename_template=f"chunk{chunk:05d}-{{i}}.parquet")
        done += table.num_rows
        cases += pc.count_distinct(table[COLUMNS[0]]).as_py()
        chunk += 1
    files = sum(1 for _ in root.rglob("*.parquet"))
    return GenerateResult(done, cases, files)
