"""Parallel blocks (并联审批/会签) as machine states: the product of the branch positions.

Takes a `Flow`; gives an `Expansion`: the machine states (the flow's steps outside every parallel
block, plus one state per combination of branch positions inside each block), the moves between
them, the steps each state stands for (`active`) and, for each move, the flow step it leaves
(`left`). A case in block ``joint`` with branch 1 at ``expert_review`` and branch 2 finished is
in state ``joint[expert_review|*]``; the join step is entered only when every branch has
arrived, so an event that would skip a branch is not allowed there.

A branch's steps are ordered in the block; a transition from a branch step to the join marks
that branch finished; one to a step outside the block leaves the block (e.g. a refusal) and
abandons the other branches. The split's transition into the first step of the first branch
starts all branches at once on its event (the other branches' entry transitions share it).

Must not: read files, print or know about audits; the rules check that blocks are wired
(PF115) — a block that is not is expanded as far as its transitions go.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from ..model import Flow, ParallelBlock, StepKind, Transition

__all__ = ["DONE", "Expansion", "expand", "state_name"]

DONE = "*"
"""Position of a branch that has reached the join."""


def state_name(block: str, positions: tuple[str, ...]) -> str:
    return f"{block}[{'|'.join(positions)}]"


@dataclass
class Expansion:
    states: list[str] = field(default_factory=list)
    moves: list[tuple[str, str, str, int]] = field(default_factory=list)
    """(event, source state, destination state, index of the flow transition)."""
    active: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Machine state → the flow steps it stands for (a plain step stands for itself)."""
    left: dict[tuple[str, str, str], str] = field(default_factory=dict)
    """(source state, event, destination state) → the flow step the move leaves."""


def _block_of(flow: Flow) -> dict[str, tuple[str, int]]:
    """Branch step → (block id, branch number)."""
    out: dict[str, tuple[str, int]] = {}
    for pid, block in flow.parallel.items():
        for i, branch in enumerate(block.branches):
            for sid in branch:
                out.setdefault(sid, (pid, i))
    return out


def _positions(block: ParallelBlock) -> list[tuple[str, ...]]:
    """Every combination of branch positions except all-finished (that is the join)."""
    choices = [(*branch, DONE) for branch in block.branches]
    return [p for p in itertools.product(*choices) if any(x != DONE for x in p)]


def _enter(flow: Flow, pid: str, block: ParallelBlock, positions: tuple[str, ...]) -> str:
    return block.join if all(p == DONE for p in positions) else state_name(pid, positions)


def expand(flow: Flow) -> Expansion:
    """The states and moves of `flow` with its parallel blocks expanded."""
    ex = Expansion()
    inside = _block_of(flow)
    for sid, step in flow.steps.items():
        if step.kind is not StepKind.SUPERVISION and sid not in inside:
            ex.states.append(sid)
            ex.active[sid] = (sid,)
    for pid, block in flow.parallel.items():
        for pos in _positions(block):
            name = state_name(pid, pos)
            ex.states.append(name)
            ex.active[name] = tuple(p for p in pos if p != DONE)
    known = set(ex.states) | set(inside)
    for i, t in enumerate(flow.transitions):
        if t.from_ in known and t.to in known:
            _add(ex, flow, inside, i, t)
    return ex


def _add(ex: Expansion, flow: Flow, inside: dict[str, tuple[str, int]], i: int,
         t: Transition) -> None:
    src_in, dst_in = inside.get(t.from_), inside.get(t.to)
    if src_in is None:
        if dst_in is None:
            _move(ex, t.event, t.from_, t.to, i, t.from_)
            return
        pid, _ = dst_in
        block = flow.parallel[pid]
        if t.from_ == block.split and dst_in[1] == 0 and t.to == block.branches[0][0]:
            start = tuple(br[0] for br in block.branches)
            _move(ex, t.event, t.from_, state_name(pid, start), i, t.from_)
        return  # an entry into the middle of a branch is not a move of the block
    pid, n = src_in
    block = flow.parallel[pid]
    for pos in _positions(block):
        if pos[n] != t.from_:
            continue
        src = state_name(pid, pos)
        if t.to == block.join or (dst_in is not None and dst_in[0] == pid and dst_in[1] == n):
            new = list(pos)
            new[n] = DONE if t.to == block.join else t.to
            _move(ex, t.event, src, _enter(flow, pid, block, tuple(new)), i, t.from_)
        elif dst_in is None:
            _move(ex, t.event, src, t.to, i, t.from_)  # leaves the block: other branches dropped


def _move(ex: Expansion, event: str, src: str, dst: str, index: int, step: str) -> None:
    ex.moves.append((event, src, dst, index))
    ex.left.setdefault((src, event, dst), step)
