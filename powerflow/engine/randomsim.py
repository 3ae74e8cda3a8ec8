"""Monte Carlo simulation of a flow: how long cases take and which risk points they pass.

Takes a `CompiledFlow`, a number of runs and a seed; gives a `RandomResult` with the
distribution of the counted working days per case (percentiles), the probability of exceeding
the promised and the statutory limits, of each step exceeding its own limit, how often each risk
point is passed and how cases end. All runs advance together, one step at a time, with numpy.

Branches: a transition's `probability`, the rest of the probability shared evenly by the other
outgoing transitions of the step (normalised when the written ones add up to more than 1).
Guard conditions are not evaluated here (random cases have no facts): write `probability` to
express how often a condition holds. Durations: a step's `duration` (triangular min/mode/max in
working days), else triangular(0.2·L, 0.5·L, 1.1·L) for a step limit L (so a step runs over its
limit now and then), else 0. Only `clock: counts` steps add to the total.

Must not: read files, print, or use unseeded randomness.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..deviations import Unchecked
from ..model import Clock, limit_days
from .compile import CompiledFlow

__all__ = ["RandomResult", "assumptions", "branch_probabilities", "simulate_random",
           "step_duration"]

PERCENTILES = (50, 75, 90, 95, 99)


@dataclass
class RandomResult:
    power: str
    power_name: str
    runs: int
    seed: int
    totals: np.ndarray[Any, np.dtype[np.float64]]
    promised: int | None
    statutory: int | None
    unfinished: int
    percentiles: dict[int, float] = field(default_factory=dict)
    p_over_promised: float | None = None
    p_over_statutory: float | None = None
    risk_freq: dict[str, float] = field(default_factory=dict)
    step_over: dict[str, float] = field(default_factory=dict)
    outcomes: dict[str, float] = field(default_factory=dict)
    assumptions: list[Unchecked] = field(default_factory=list)
    """What the simulation had to assume (branch shares, durations, guards): said, not hidden."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "power": self.power, "runs": self.runs, "seed": self.seed,
            "unfinished": self.unfinished, "mean": float(self.totals.mean()) if self.runs else 0,
            "percentiles": {f"p{k}": v for k, v in self.percentiles.items()},
            "promised": self.promised, "statutory": self.statutory,
            "p_over_promised": self.p_over_promised, "p_over_statutory": self.p_over_statutory,
            "risk_frequency": self.risk_freq, "step_over_limit": self.step_over,
            "outcomes": self.outcomes,
            "assumptions": [a.to_dict() for a in self.assumptions],
        }


def branch_probabilities(compiled: CompiledFlow, step: str) -> list[tuple[str, str, float]]:
    """(event, target, probability) of each outgoing transition of `step`."""
    out = compiled.out.get(step, ())
    if not out:
        return []
    given = sum(t.probability for t in out if t.probability is not None)
    free = [t for t in out if t.probability is None]
    rest = max(0.0, 1.0 - given)
    probs = [t.probability if t.probability is not None else rest / len(free) for t in out]
    total = sum(probs)
    if total <= 0:
        probs, total = [1.0] * len(out), float(len(out))
    return [(t.event, t.to, p / total) for t, p in zip(out, probs, strict=True)]


def step_duration(compiled: CompiledFlow, step: str) -> tuple[float, float, float]:
    """The triangular (min, mode, max) working days of a step."""
    s = compiled.flow.steps[step]
    if s.duration is not None:
        return s.duration.min, s.duration.mode, s.duration.max
    lim = float(limit_days(s.limit))
    return 0.2 * lim, 0.5 * lim, 1.1 * lim


def assumptions(compiled: CompiledFlow) -> list[Unchecked]:
    """What a random simulation of this flow assumes for want of data: branches without a
    `probability` (an even share of the rest), steps with neither `duration` nor `limit` (0 days),
    guarded branches (conditions are not evaluated: their `probability` stands for them)."""
    flow = compiled.flow
    out: list[Unchecked] = []
    shared = [(s, t.event) for s in compiled.states for t in compiled.out.get(s, ())
              if t.probability is None and len(compiled.out.get(s, ())) > 1]
    if shared:
        names = ", ".join(f"{s}→{e}" for s, e in shared[:12])
        out.append(Unchecked("branch-without-probability", len(shared), "branches",
                             f"branches without a probability share the rest evenly: {names}",
                             f"未写概率的分支平均分配剩余概率：{names}"))
    zero = [s for s in compiled.states if s not in compiled.ends
            and flow.steps[s].duration is None and flow.steps[s].limit is None
            and s != compiled.initial]
    if zero:
        out.append(Unchecked("step-without-duration", len(zero), "steps",
                             f"steps with neither duration nor limit count 0 days: "
                             f"{', '.join(zero)}", f"既无 duration 也无时限的环节按 0 天计："
                             f"{'、'.join(zero)}"))
    guarded = [t for t in flow.transitions if t.condition is not None]
    if guarded:
        out.append(Unchecked("guards-not-evaluated", len(guarded), "transitions",
                             "conditions are not evaluated (random cases have no facts); their "
                             "probability stands for how often they hold",
                             "随机办件没有事实，流转条件不求值，以其概率代表成立的频率"))
    return out


def simulate_random(compiled: CompiledFlow, runs: int, seed: int = 0,
                    max_steps: int = 1000) -> RandomResult:
    """Simulate `runs` cases from the start step until each reaches an end (or `max_steps`)."""
    flow = compiled.flow
    rng = np.random.default_rng(seed)
    states = list(compiled.states)
    index = {s: i for i, s in enumerate(states)}
    ends = np.array([s in compiled.ends for s in states])
    cur = np.full(runs, index[compiled.initial], dtype=np.int64)
    total = np.zeros(runs)
    risks = list(flow.risks)
    passed = np.zeros((len(risks), runs), dtype=bool)
    over = {s: np.zeros(runs, dtype=bool) for s in states if flow.steps[s].limit is not None}
    rindex = {r: i for i, r in enumerate(risks)}
    for _ in range(max_steps):
        live = ~ends[cur]
        if not live.any():
            break
        for s in np.unique(cur[live]):
            name = states[int(s)]
            idx = np.nonzero(cur == s)[0]
            lo, mode, hi = step_duration(compiled, name)
            days = rng.triangular(lo, mode, hi, idx.size) if hi > lo else np.full(idx.size, lo)
            step = flow.steps[name]
            if step.clock is Clock.COUNTS:
                total[idx] += days
            if name in over:
                over[name][idx] |= days > limit_days(step.limit)
            for rid, _r in compiled.risks_at.get(name, ()):
                passed[rindex[rid], idx] = True
            branches = branch_probabilities(compiled, name)
            if not branches:  # a dead end: the run stops here, unfinished
                ends[s] = True
                continue
            pick = rng.choice(len(branches), size=idx.size, p=[b[2] for b in branches])
            for k, (event, dest, _p) in enumerate(branches):
                chosen = idx[pick == k]
                cur[chosen] = index[dest]
                for rid, _r in compiled.risks_on.get(event, ()):
                    passed[rindex[rid], chosen] = True
    finished = np.array([states[int(c)] in compiled.ends for c in cur])
    for e in compiled.ends:
        for rid, _r in compiled.risks_at.get(e, ()):
            passed[rindex[rid], cur == index[e]] = True
    limits = flow.info.limits
    promised = limit_days(limits.promised) if limits.promised is not None else None
    statutory = limit_days(limits.statutory) if limits.statutory is not None else None
    res = RandomResult(flow.code, flow.name, runs, seed, total, promised, statutory,
                       int((~finished).sum()))
    res.percentiles = {p: float(np.percentile(total, p)) for p in PERCENTILES}
    if promised is not None:
        res.p_over_promised = float((total > promised).mean())
    if statutory is not None:
        res.p_over_statutory = float((total > statutory).mean())
    res.risk_freq = {r: float(passed[i].mean()) for i, r in enumerate(risks)}
    res.step_over = {s: float(v.mean()) for s, v in over.items()}
    outcomes: dict[str, float] = {}
    for e in compiled.ends:
        oc = flow.steps[e].outcome
        key = oc.value if oc is not None else e
        outcomes[key] = outcomes.get(key, 0.0) + float((cur == index[e]).mean())
    res.outcomes = outcomes
    res.assumptions = assumptions(compiled)
    return res
