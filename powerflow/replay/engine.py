"""The vectorised replay: every case's i-th event at once, through the dense transition table.

Takes an `EncodedFlow`, an `EncodedLog` and each case's guard signature; gives, per event (in
sorted order), the step it met, the step it left the case in and whether the flow allowed it,
and per case the final step.

Semantics (the same as a `transitions.Machine(auto_transitions=False,
ignore_invalid_triggers=False)` built from the flow, which the differential test checks):

* a case starts in the flow's start step;
* an allowed event moves the case along the first transition (file order) from the current step
  on that event whose guard holds;
* an event the step does not allow (the machine raises `MachineError`, or every guard is false so
  the trigger returns False) is a deviation (PF501). The case then *resynchronises*: when every
  transition on that event leads to the same step, the case moves there (the log says the work
  was done, so the case is where that work leads); otherwise it stays where it was;
* an activity the mapping does not know (PF508) leaves the case where it is;
* a transition with an `actor` allows its event only when the event's post is that actor or
  unknown (a post naming another actor of the flow is refused, as the machine does);
* an end step allows the events that reach it again (a repeated payment): the case stays;
* an attempt that took no effect (a live store refused it) is not allowed and does not move
  the case.

Must not: look at times, persons or evidence (the checks do), or allocate per case Python objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .encode import EncodedFlow, EncodedLog

__all__ = ["Replayed", "lookup_loop", "replay"]

I32 = npt.NDArray[np.int32]


@dataclass(frozen=True)
class Replayed:
    before: I32
    """Per sorted event: the step the case was in when the event came."""
    after: I32
    """Per sorted event: the step the case was in after it."""
    allowed: npt.NDArray[np.bool_]
    final: I32
    """Per case: the step the case ended in."""


def _by_position(pos: I32) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    if pos.size == 0:
        return np.zeros(0, np.int64), np.zeros(1, np.int64)
    order = np.argsort(pos, kind="stable").astype(np.int64)
    bounds = np.zeros(int(pos.max()) + 2, dtype=np.int64)
    np.cumsum(np.bincount(pos), out=bounds[1:])
    return order, bounds


def replay(flow: EncodedFlow, log: EncodedLog, signature: I32 | None = None,
           progress: bool = False) -> Replayed:
    """Replay every case of `log` through `flow` (see the module docstring for the rules)."""
    n = log.case.shape[0]
    before = np.empty(n, dtype=np.int32)
    after = np.empty(n, dtype=np.int32)
    allowed = np.zeros(n, dtype=np.bool_)
    state = np.full(log.n_cases, flow.start, dtype=np.int32)
    order, bounds = _by_position(log.pos)
    single = flow.table.shape[0] == 1
    table2 = flow.table[0]
    by_actor = bool((flow.edge_actor >= 0).any()) and bool((log.post_actor >= 0).any())
    all_effect = bool(log.effect.all())
    steps = range(bounds.shape[0] - 1)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=n, unit="ev", desc="replay", leave=False, mininterval=0.5)
    for i in steps:
        idx = order[bounds[i]:bounds[i + 1]]
        c = log.case[idx]
        ev = log.event[idx]
        known = ev >= 0
        e = np.where(known, ev, 0)
        s = state[c]
        nxt = table2[s, e] if single else flow.table[signature[c] if signature is not None
                                                     else 0, s, e]
        ok = known & (nxt >= 0)
        if by_actor:
            ok &= _actor_ok(flow, log, idx, signature, c, s, e)
        if not all_effect:
            ok &= log.effect[idx]
        rs = flow.resync[e] if flow.resync.size else np.full(e.shape, -1, np.int32)
        moves = known & (rs >= 0) if all_effect else known & (rs >= 0) & log.effect[idx]
        new = np.where(ok, nxt, np.where(moves, rs, s))
        state[c] = new
        before[idx] = s
        after[idx] = new
        allowed[idx] = ok
        if bar is not None:
            bar.update(idx.shape[0])
    if bar is not None:
        bar.close()
    return Replayed(before, after, allowed, state)


def _actor_ok(flow: EncodedFlow, log: EncodedLog, idx: npt.NDArray[np.int64],
              signature: I32 | None, c: I32, s: I32, e: I32) -> npt.NDArray[np.bool_]:
    """False where the transition names an actor and the event's post names another."""
    sig = signature[c] if signature is not None and flow.edge.shape[0] > 1 else 0
    ed = flow.edge[sig, s, e]
    need = np.where(ed >= 0, flow.edge_actor[np.maximum(ed, 0)], -1)
    post = log.post_actor[idx]
    ok: npt.NDArray[np.bool_] = (need < 0) | (post < 0) | (post == need)
    return ok


def lookup_loop(table: I32, log: EncodedLog, start: int) -> I32:
    """The bare baseline for the benchmark: the same position-wise table look-ups with no
    bookkeeping (no deviations, no resynchronisation, no per-event outputs)."""
    state = np.full(log.n_cases, start, dtype=np.int32)
    order, bounds = _by_position(log.pos)
    e_all = np.maximum(log.event, 0)
    for i in range(bounds.shape[0] - 1):
        idx = order[bounds[i]:bounds[i + 1]]
        c = log.case[idx]
        state[c] = np.maximum(table[state[c], e_all[idx]], 0)
    return state
