"""The flow as a networkx graph, and the graph questions the rules ask of it.

Takes a `Flow`; gives a `FlowGraph`: one `networkx.DiGraph` of control flow (nodes are step ids
with their attributes, edges are transitions with their events, conditions and kinds) and a
separate graph of supervision links (a supervision step watches other steps; that is not control
flow). Every question is answered with a networkx algorithm: `descendants`/`ancestors` for
reachability, `immediate_dominators` for "is this control step on every path",
`condensation` for loops with no way out, `dag_longest_path` for time-limit sums.

Must not: read files, report diagnostics (that is the rules'), or walk the graph by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import networkx as nx

from .model import Clock, Flow, StepKind, Transition, limit_days

__all__ = ["FlowGraph", "TimedPath", "build_graph"]


@dataclass(frozen=True)
class TimedPath:
    """A path through the flow and the working days its counting steps may take."""

    steps: tuple[str, ...]
    days: int
    counted: tuple[str, ...]


class FlowGraph:
    """Control-flow and supervision graphs of one flow, with cached analyses.

    Examples
    --------
    >>> from powerflow.model import Flow
    >>> flow = Flow.model_validate({
    ...     "info": {"code": "X-1", "name": "示例", "category": "licensing"},
    ...     "actors": {"a": {"name": "窗口", "kind": "post"}},
    ...     "steps": {"s": {"name": "申请", "actor": "a", "kind": "start"},
    ...               "e": {"name": "办结", "actor": "a", "kind": "end", "outcome": "granted"}},
    ...     "transitions": [{"from": "s", "to": "e", "event": "go"}]})
    >>> fg = FlowGraph(flow)
    >>> sorted(fg.reachable)
    ['e', 's']
    >>> fg.path_text(["s", "e"])
    '申请 → 办结'
    """

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        g: nx.DiGraph = nx.DiGraph()
        linked = {t.from_ for t in flow.transitions} | {t.to for t in flow.transitions}
        for sid, step in flow.steps.items():
            if step.kind is StepKind.SUPERVISION and sid not in linked:
                continue
            g.add_node(sid, name=step.name, actor=step.actor, kind=step.kind,
                       days=limit_days(step.limit) if step.clock is Clock.COUNTS else 0)
        for index, t in enumerate(flow.transitions):
            if g.has_edge(t.from_, t.to):
                data = g.edges[t.from_, t.to]
                data["transitions"].append((index, t))
                data["send_back"] = data["send_back"] and t.kind.value == "send_back"
            else:
                g.add_edge(t.from_, t.to, transitions=[(index, t)],
                           send_back=t.kind.value == "send_back")
        self.g = g
        sup: nx.DiGraph = nx.DiGraph()
        for sid, step in flow.steps.items():
            for link in step.supervises:
                sup.add_edge(sid, link.step, label=link.label)
        self.supervision = sup

    # ------------------------------------------------------------------ basic sets

    def name(self, step: str) -> str:
        s = self.flow.steps.get(step)
        return s.name if s else step

    def path_text(self, path: Iterable[str]) -> str:
        """Step names joined by arrows, e.g. ``受理 → 形式审查 → 立项``."""
        return " → ".join(self.name(s) for s in path)

    def names(self, steps: Iterable[str]) -> str:
        return "、".join(self.name(s) for s in steps)

    @cached_property
    def starts(self) -> list[str]:
        return [s for s in self.g if self.g.nodes[s]["kind"] is StepKind.START]

    @property
    def start(self) -> str | None:
        return self.starts[0] if self.starts else None

    @cached_property
    def ends(self) -> list[str]:
        return [s for s in self.g if self.g.nodes[s]["kind"] is StepKind.END]

    def _outcome_ends(self, favourable: bool) -> list[str]:
        out = []
        for s in self.ends:
            outcome = self.flow.steps[s].outcome
            if outcome is not None and (outcome.favourable if favourable else outcome.adverse):
                out.append(s)
        return out

    @cached_property
    def favourable_ends(self) -> list[str]:
        return self._outcome_ends(True)

    @cached_property
    def adverse_ends(self) -> list[str]:
        return self._outcome_ends(False)

    @cached_property
    def reachable(self) -> set[str]:
        """Steps reachable from a start step (the start steps included)."""
        out: set[str] = set(self.starts)
        for s in self.starts:
            out |= nx.descendants(self.g, s)
        return out

    @cached_property
    def reaches_end(self) -> set[str]:
        """Steps from which some end step can be reached (the end steps included)."""
        out: set[str] = set(self.ends)
        for e in self.ends:
            out |= nx.ancestors(self.g, e)
        return out

    @cached_property
    def closed_loops(self) -> list[list[str]]:
        """Loops (strongly connected groups of steps) with no transition leaving them and no
        end step inside: a case that enters one can never finish."""
        cond = nx.condensation(self.g)
        loops = []
        for n in cond:
            if cond.out_degree(n):
                continue
            members = sorted(cond.nodes[n]["members"], key=self.order)
            if len(members) == 1 and not self.g.has_edge(members[0], members[0]):
                continue
            if any(m in self.ends for m in members):
                continue
            loops.append(members)
        return loops

    def cycle_in(self, steps: Sequence[str]) -> list[str]:
        """One simple cycle through the given steps (for naming a loop in a message)."""
        found: list[str] = next(nx.simple_cycles(self.g.subgraph(steps)), list(steps))
        first = found.index(min(found, key=self.order))  # start where the file does
        return found[first:] + found[:first]

    def has_path(self, source: str, target: str) -> bool:
        return bool(nx.has_path(self.g, source, target))

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.flow.steps)}

    def order(self, step: str) -> int:
        """Position of a step in the file, for stable messages."""
        return self._positions.get(step, 1 << 30)

    def out_transitions(self, step: str) -> list[tuple[int, Transition]]:
        return [(i, t) for i, t in enumerate(self.flow.transitions) if t.from_ == step]

    # ------------------------------------------------------------------ paths and dominators

    @cached_property
    def branch_block(self) -> dict[str, tuple[str, ...]]:
        """Every step inside a parallel branch → all branch steps of its block (a case that
        passes the block passes every branch)."""
        out: dict[str, tuple[str, ...]] = {}
        for block in self.flow.parallel.values():
            members = tuple(s for br in block.branches for s in br if s in self.g)
            for s in members:
                out[s] = members
        return out

    def without(self, removed: Iterable[str]) -> Any:
        """A read-only view of the control-flow graph with some steps removed. Removing a step
        of a parallel branch removes its whole block: no case completes one branch alone."""
        gone = set(removed)
        for s in list(gone):
            gone.update(self.branch_block.get(s, ()))
        return nx.restricted_view(self.g, list(gone), [])

    def shortest(self, graph: Any, source: str, target: str) -> list[str] | None:
        try:
            path: list[str] = nx.shortest_path(graph, source, target)
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            return None
        return path

    def _dominator_tree(self, root: str) -> nx.DiGraph:
        cache: dict[str, nx.DiGraph] = self.__dict__.setdefault("_dom_trees", {})
        if root not in cache:
            cache[root] = self._build_dominator_tree(root)
        return cache[root]

    def _build_dominator_tree(self, root: str) -> nx.DiGraph:
        idom = nx.immediate_dominators(self.g, root)
        tree: nx.DiGraph = nx.DiGraph()
        tree.add_nodes_from(idom)
        tree.add_edges_from((d, n) for n, d in idom.items() if d != n)
        return tree

    @cached_property
    def _start_dominators(self) -> nx.DiGraph | None:
        start = self.start
        return self._dominator_tree(start) if start is not None and start in self.g else None

    def dominates(self, control: str, step: str, root: str | None = None) -> bool:
        """True when every path from `root` (default: the start step) to `step` passes
        `control`."""
        tree = self._start_dominators if root is None else self._dominator_tree(root)
        if tree is None or step not in tree:
            return False
        return control == step or control in nx.ancestors(tree, step)

    def bypass(self, control: str, via: Sequence[str], targets: Iterable[str]) -> list[str] | None:
        """A path from the start through one of `via` to one of `targets` that avoids
        `control`, or None when `control` lies on every such path.

        `control` guards the risk at `via` when it dominates `via` (`immediate_dominators` from
        the start), or when no target is a descendant of `via` once `control` is removed (it
        dominates every target from `via`). The bypassing path is two shortest paths in the
        graph with `control` removed."""
        start = self.start
        if start is None or control not in self.g:
            return None
        cut = self.without([control])
        for v in via:
            if v not in cut or v == control or self.dominates(control, v):
                continue
            after = nx.descendants(cut, v) | {v}
            for goal in sorted(set(targets) & after - {control}, key=self.order):
                head = self.shortest(cut, start, v)
                tail = self.shortest(cut, v, goal)
                if head is not None and tail is not None:
                    return head + tail[1:]
        return None

    def path_avoiding(self, avoided: Iterable[str], targets: Iterable[str]) -> list[str] | None:
        """A shortest path from the start to one of `targets` that passes none of `avoided`."""
        start = self.start
        if start is None:
            return None
        view = self.without([a for a in avoided if a in self.g and a != start])
        for t in sorted(targets, key=self.order):
            if t in view:
                path = self.shortest(view, start, t)
                if path is not None:
                    return path
        return None

    def upstream(self, step: str) -> set[str]:
        """Steps from which `step` can be reached without send-back edges."""
        cache: dict[str, set[str]] = self.__dict__.setdefault("_upstream", {})
        if step not in cache:
            cache[step] = set(nx.ancestors(self.forward, step)) if step in self.forward else set()
        return cache[step]

    # ------------------------------------------------------------------ time

    @cached_property
    def forward(self) -> nx.DiGraph:
        """The control-flow graph without send-back edges (补正/退回 loops)."""
        fwd: nx.DiGraph = nx.DiGraph()
        fwd.add_nodes_from(self.g)
        fwd.add_edges_from((u, v) for u, v, back in self.g.edges(data="send_back") if not back)
        return fwd

    @cached_property
    def longest(self) -> TimedPath | None:
        """The path from the start whose counting steps' limits add up to the most working
        days. Send-back edges are dropped and remaining loops condensed (a loop's steps count
        once), so the longest path is taken on a DAG with `dag_longest_path`."""
        start = self.start
        if start is None:
            return None
        reach = {start} | nx.descendants(self.forward, start)
        sub = self.forward.subgraph(reach)
        if nx.is_directed_acyclic_graph(sub):
            members = {n: [n] for n in sub}
            dag: nx.DiGraph = nx.DiGraph(sub)
            src = start
        else:
            cond = nx.condensation(sub)
            members = {n: list(cond.nodes[n]["members"]) for n in cond}
            dag = nx.DiGraph(cond)
            src = cond.graph["mapping"][start]
        weight = {n: sum(self.g.nodes[m]["days"] for m in members[n]) for n in dag}
        root = ("root",)  # not a possible step id
        # days weigh 1000 each and every step 1, so among equally long paths the one that goes
        # on to an end step wins (a path that stops before the end reads badly in messages).
        for u, v in list(dag.edges):
            dag.edges[u, v]["w"] = weight[v] * 1000 + 1
        dag.add_edge(root, src, w=weight[src] * 1000 + 1)
        best = [n for n in nx.dag_longest_path(dag, weight="w", default_weight=0) if n != root]
        steps: list[str] = []
        for n in best:
            steps.extend(sorted(members[n], key=self.order))
        counted = tuple(s for s in steps if self.g.nodes[s]["days"] > 0)
        return TimedPath(tuple(steps), sum(weight[n] for n in best), counted)


def build_graph(flow: Flow) -> FlowGraph:
    """The graphs of `flow` (see `FlowGraph`)."""
    return FlowGraph(flow)
