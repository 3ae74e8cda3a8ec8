"""PF1xx structure rules: can every case start, move on, and finish?

Takes a rule `Context`; gives `Finding`s. Reachability with `descendants`/`ancestors`, loops with
no way out with `condensation` and `simple_cycles`, all through `FlowGraph` (networkx is imported
only when a flow is analysed). Must not walk the graph by hand.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from ..diagnostics import Severity, Text
from ..model import Category, StepKind, Unpublished
from .base import Context, Finding, rule

__all__: list[str] = []

E, W = Severity.ERROR, Severity.WARNING


@rule("PF101", "no-start-step", E, Text("no start step", "没有开始环节"),
      Text("Mark the applicant's or the office's first step with `kind: start`.",
           "将申请人或承办机构的第一个环节标为 `kind: start`。"))
def no_start(ctx: Context) -> Iterator[Finding]:
    if not ctx.graph.starts:
        yield Finding(ctx.loc("steps"), Text(
            "the flow has no start step, so no case can begin",
            "流程没有开始环节，办件无从开始"))


@rule("PF102", "several-start-steps", E, Text("several start steps", "多个开始环节"),
      Text("Keep one start step; join the other entries to it with transitions.",
           "只保留一个开始环节，其他入口用流转连接到它。"))
def several_starts(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    for extra in g.starts[1:]:
        yield Finding(ctx.step_loc(extra), Text(
            f"step {g.name(extra)!r} ({extra}) is a second start step besides "
            f"{g.name(g.starts[0])!r}",
            f"环节“{g.name(extra)}”（{extra}）是“{g.name(g.starts[0])}”之外的又一个开始环节"), extra)


@rule("PF103", "unreachable-step", E, Text("step unreachable from the start", "从开始环节无法到达的环节"),
      Text("Add a transition into the step, or delete it.", "为该环节增加进入的流转，或删除它。"))
def unreachable(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    if not g.starts:
        return
    for sid in sorted(set(g.g) - g.reachable, key=g.order):
        yield Finding(ctx.step_loc(sid), Text(
            f"no path from the start step {g.name(g.starts[0])!r} leads to step {g.name(sid)!r} "
            f"({sid})",
            f"从开始环节“{g.name(g.starts[0])}”没有路径到达环节“{g.name(sid)}”（{sid}）"), sid)


def _dead_end(ctx: Context, sid: str) -> bool:
    g = ctx.graph
    return g.g.out_degree(sid) == 0 and ctx.flow.steps[sid].kind is not StepKind.END


@rule("PF104", "step-cannot-reach-end", E,
      Text("step from which no end can be reached", "无法到达办结的环节"),
      Text("Give the step (or the steps after it) a transition towards an end step.",
           "为该环节（或其后的环节）增加通往办结环节的流转。"))
def cannot_finish(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    if not g.ends:
        return
    in_loops = {s for loop in g.closed_loops for s in loop}
    scope = g.reachable if g.starts else set(g.g)
    for sid in sorted(scope - g.reaches_end - in_loops, key=g.order):
        if _dead_end(ctx, sid):
            continue
        yield Finding(ctx.step_loc(sid), Text(
            f"every path from step {g.name(sid)!r} ({sid}) runs into a dead end or a closed loop; "
            "a case there can never be finished",
            f"从环节“{g.name(sid)}”（{sid}）出发的所有路径都走进死胡同或闭环，办件无法办结"), sid)


@rule("PF105", "dead-end-step", E, Text("dead end: a step with no way out", "死胡同：没有出口的环节"),
      Text("Add the transitions that leave the step, or make it an end step with an outcome.",
           "为该环节增加离开的流转，或将其改为带结果的办结环节。"))
def dead_end(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    if not g.ends:
        return  # PF110 says it once: nothing can finish
    for sid in sorted(g.g, key=g.order):
        if _dead_end(ctx, sid):
            yield Finding(ctx.step_loc(sid), Text(
                f"step {g.name(sid)!r} ({sid}) is not an end step but has no transition out",
                f"环节“{g.name(sid)}”（{sid}）不是办结环节，却没有任何流出的流转"), sid)


@rule("PF106", "end-step-with-exit", E, Text("end step with a transition out", "办结环节还有流出"),
      Text("An end step closes the case: move the transition to the step before it, or make "
           "the step a task.", "办结环节即结案：把该流转移到前一环节，或将其改为办理环节。"))
def end_with_exit(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    for sid in g.ends:
        for index, t in g.out_transitions(sid):
            yield Finding(ctx.transition_loc(index), Text(
                f"end step {g.name(sid)!r} ({sid}) has a transition out to {g.name(t.to)!r} "
                f"on {t.event!r}",
                f"办结环节“{g.name(sid)}”（{sid}）还有事件 {t.event!r} 流向“{g.name(t.to)}”"), sid)


@rule("PF107", "loop-without-exit", E, Text("loop with no way out", "无出口的循环"),
      Text("Give one step of the loop a transition that leaves it (e.g. a refusal or a "
           "deadline for supplements).", "为循环中的某个环节增加离开循环的流转（如不予受理或补正期限届满）。"))
def closed_loop(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    if not g.ends:
        return  # PF110 says it once: nothing can finish
    for loop in g.closed_loops:
        cycle = g.cycle_in(loop)
        yield Finding(ctx.step_loc(loop[0]), Text(
            f"the loop {g.path_text([*cycle, cycle[0]])} has no transition leaving it; a case "
            "that enters it never ends",
            f"循环 {g.path_text([*cycle, cycle[0]])} 没有离开的流转，办件进入后永远无法办结"),
            loop[0], data={"loop": loop})


def _fork_targets(ctx: Context, step: str) -> set[str]:
    """The first steps of every branch of the parallel block that splits at `step`."""
    for block in ctx.flow.parallel.values():
        if block.split == step:
            return {br[0] for br in block.branches}
    return set()


@rule("PF108", "ambiguous-event", E,
      Text("same event leads from one step to two steps without a condition",
           "同一环节的同一事件无条件地流向两个环节"),
      Text("Rename one event, or give each transition a `condition:` on the case's facts.",
           "将其中一个事件改名，或为每个流转写明基于案件事实的 `condition:`。"))
def ambiguous_event(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    groups: dict[tuple[str, str], list[int]] = {}
    for index, t in enumerate(ctx.flow.transitions):
        groups.setdefault((t.from_, t.event), []).append(index)
    for (src, event), idx in groups.items():
        trans = [ctx.flow.transitions[i] for i in idx]
        targets = {t.to for t in trans}
        if len(targets) < 2 or all(t.condition is not None for t in trans):
            continue
        if targets == _fork_targets(ctx, src):
            continue  # a parallel split: every branch starts on the same event
        second = next(i for i in idx if ctx.flow.transitions[i].to != trans[0].to)
        yield Finding(ctx.transition_loc(second), Text(
            f"event {event!r} at step {g.name(src)!r} leads to {g.names(sorted(targets, key=g.order))}"
            " and not every transition has a condition: the next step is left to chance",
            f"环节“{g.name(src)}”的事件 {event!r} 可流向 {g.names(sorted(targets, key=g.order))}，"
            "且并非每个流转都有条件：下一环节不确定"), event)


@rule("PF109", "duplicate-transition", W, Text("the same transition written twice", "重复的流转"),
      Text("Delete the repeated transition.", "删除重复的流转。"))
def duplicate_transition(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    seen: set[tuple[str, str, str]] = set()
    for index, t in enumerate(ctx.flow.transitions):
        key = (t.from_, t.to, t.event)
        if key in seen:
            yield Finding(ctx.transition_loc(index), Text(
                f"transition {g.name(t.from_)!r} → {g.name(t.to)!r} on {t.event!r} is written twice",
                f"流转“{g.name(t.from_)}”→“{g.name(t.to)}”（事件 {t.event!r}）重复出现"), t.event)
        seen.add(key)


@rule("PF110", "no-end-step", E, Text("no end step", "没有办结环节"),
      Text("Add end steps (`kind: end`) with their outcomes: granted, refused, withdrawn …",
           "增加办结环节（`kind: end`）并写明结果：准予、不予、撤回……"))
def no_end(ctx: Context) -> Iterator[Finding]:
    if not ctx.graph.ends:
        yield Finding(ctx.loc("steps"), Text(
            "the flow has no end step, so no case can be closed", "流程没有办结环节，办件无法办结"))


@rule("PF111", "send-back-goes-forward", W,
      Text("a send-back transition that does not go back", "标为退回却并不回退的流转"),
      Text("Use `kind: flow` for a forward move; `send_back` is for returns to an earlier step "
           "(补正/退回), which time sums leave out.",
           "前进的流转用 `kind: flow`；`send_back` 只用于退回到前面的环节（补正/退回），时限合计时不计入。"),
      recommended=False)
def send_back_forward(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    for index, t in enumerate(ctx.flow.transitions):
        if t.kind.value != "send_back" or t.to not in g.g or t.from_ not in g.g:
            continue
        if not g.has_path(t.to, t.from_):
            yield Finding(ctx.transition_loc(index), Text(
                f"transition {g.name(t.from_)!r} → {g.name(t.to)!r} is marked send_back but "
                f"{g.name(t.to)!r} never leads back to {g.name(t.from_)!r}; the steps after it "
                "are left out of the limit sums (a send-back restarts the clock)",
                f"流转“{g.name(t.from_)}”→“{g.name(t.to)}”标为退回，但“{g.name(t.to)}”不会回到"
                f"“{g.name(t.from_)}”；其后的环节不计入时限合计（退回即重新计时）"), t.event)


@rule("PF112", "branch-probabilities-off-one", W,
      Text("branch probabilities of a step do not add up to 1", "环节各分支概率之和不为 1"),
      Text("Make the `probability:` values of the transitions out of the step add up to 1, or "
           "leave some out: the ones left out share what remains.",
           "让该环节各流转的 `probability:` 之和为 1，或留空部分流转：未写的平分剩余概率。"))
def branch_probabilities_off_one(ctx: Context) -> Iterator[Finding]:
    """Random simulation draws branches from these numbers; a set that does not add up is
    rescaled there, so the simulated outcome shares would silently differ from what is written."""
    first: dict[str, int] = {}
    given: dict[str, list[float]] = {}
    open_: dict[str, int] = {}
    for index, t in enumerate(ctx.flow.transitions):
        first.setdefault(t.from_, index)
        if t.probability is None:
            open_[t.from_] = open_.get(t.from_, 0) + 1
        else:
            given.setdefault(t.from_, []).append(t.probability)
    for step, probs in given.items():
        total = sum(probs)
        full = open_.get(step, 0) == 0
        if (full and abs(total - 1) > 1e-6) or (not full and total > 1 + 1e-6):
            name = ctx.graph.name(step) if step in ctx.graph.g else step
            yield Finding(ctx.transition_loc(first[step]), Text(
                f"the probabilities of the transitions out of {name!r} add up to {total:g}, not 1"
                + ("" if full else " (and others are left to share the rest)"),
                f"“{name}”各流转的概率之和为 {total:g}，不是 1"
                + ("" if full else "（其余未写的流转还要平分剩余概率）")), step)


RISK_CATEGORIES = frozenset(set(Category) - {Category.OTHER})
"""Categories of power that always carry integrity risk to grade (查找廉政风险点、逐点定级);
an `other` power is held to it when it has a decision step."""


@rule("PF113", "no-graded-risks", E, Text("no graded risk point at all", "没有任何分级的风险点"),
      Text("Find the power's integrity-risk points (查找廉政风险点), grade each (逐点定级) and give "
           "its controls and responsible post under `risks:`.",
           "查找该事项的廉政风险点，逐点定级，并在 `risks:` 中写明防控措施和责任岗位。"))
def no_graded_risks(ctx: Context) -> Iterator[Finding]:
    if ctx.flow.risks:
        return
    flow = ctx.flow
    decides = any(s.kind is StepKind.DECISION for s in flow.steps.values())
    if flow.info.category in RISK_CATEGORIES or decides:
        yield Finding(ctx.loc("power", "category"), Text(
            f"power {flow.code} ({flow.info.category.zh}) has no graded integrity-risk point",
            f"事项 {flow.code}（{flow.info.category.zh}）没有任何分级的廉政风险点"))


@rule("PF114", "marked-not-published", W,
      Text("a field marked as not yet published", "字段标为“未公布”"),
      Text("Ask the department for the missing field and fill it in; remove it from "
           "`power.unpublished` then. A field both given and marked is a contradiction.",
           "向部门索取该字段并填写，然后从 `power.unpublished` 中删除。既填写又标为未公布是自相矛盾的。"))
def marked_unpublished(ctx: Context) -> Iterator[Finding]:
    info = ctx.flow.info
    given = {Unpublished.LEGAL_BASIS: bool(info.legal_basis),
             Unpublished.HOTLINE: bool(ctx.flow.supervision.hotline),
             Unpublished.STATUTORY: info.limits.statutory is not None,
             Unpublished.PROMISED: info.limits.promised is not None}
    for i, field in enumerate(info.unpublished):
        extra = (" but it is given as well", "，但同时又填写了该字段") if given[field] else ("", "")
        yield Finding(ctx.loc("power", "unpublished", i, key=False), Text(
            f"{field.value} of power {info.code} is marked not yet published{extra[0]}",
            f"事项 {info.code} 的 {field.value} 标为未公布{extra[1]}"), field.value)


@rule("PF115", "parallel-block-not-wired", E,
      Text("a parallel block whose branches are not wired from split to join",
           "并联块的分支没有从分出环节连到汇合环节"),
      Text("Give each branch a transition from `split` to its first step (one event for all "
           "branches), transitions along it, and one from its last step to `join`; branches "
           "share no step.",
           "每个分支都要有从 `split` 到其首个环节（各分支同一事件）、分支内依次、以及从末个环节到 `join` 的流转；分支之间不得共用环节。"))
def parallel_not_wired(ctx: Context) -> Iterator[Finding]:
    edges = {(t.from_, t.to) for t in ctx.flow.transitions}
    seen: set[str] = set()
    for pid, block in ctx.flow.parallel.items():
        firsts = {br[0] for br in block.branches}
        events = sorted({t.event for t in ctx.flow.transitions
                         if t.from_ == block.split and t.to in firsts})
        if len(events) > 1:
            yield Finding(ctx.loc("parallel", pid, "split", key=False), Text(
                f"parallel block {pid} starts its branches on different events "
                f"({', '.join(events)}): all branches start together, on one event",
                f"并联块 {pid} 的各分支由不同事件开始（{'、'.join(events)}）：各分支应由同一事件同时开始"),
                pid)
        for i, br in enumerate(block.branches):
            chain = [block.split, *br, block.join]
            gaps = [f"{a} → {b}" for a, b in itertools.pairwise(chain)
                    if (a, b) not in edges]
            shared = sorted(set(br) & seen)
            seen.update(br)
            if gaps or shared:
                what = "; ".join(gaps) or f"shares {', '.join(shared)} with another branch"
                yield Finding(ctx.loc("parallel", pid, "branches", i, key=False), Text(
                    f"branch {i + 1} of parallel block {pid} is not wired: {what}",
                    f"并联块 {pid} 的第 {i + 1} 个分支未连通：{what}"), pid)


@rule("PF116", "notice-before-its-decision", E,
      Text("a notice published before the decision it belongs to", "公示早于其所公示的决定"),
      Text("A notice publishes a result: put it after the step named in its `of:`, or name the "
           "right step.", "公示的是结果：请把公示放在其 `of:` 所指环节之后，或改正 `of:`。"))
def notice_before_decision(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    for sid, s in ctx.flow.steps.items():
        if s.of is None or sid not in g.g or s.of not in g.g:
            continue
        if ctx.flow.steps[s.of].kind is StepKind.END:
            if not g.has_path(sid, s.of):
                yield Finding(ctx.step_loc(sid), Text(
                    f"notice {g.name(sid)!r} publishes {g.name(s.of)!r} but never leads to it",
                    f"公示“{g.name(sid)}”所公示的“{g.name(s.of)}”在其后无法到达"), sid)
        elif not g.has_path(s.of, sid):
            yield Finding(ctx.step_loc(sid), Text(
                f"notice {g.name(sid)!r} publishes {g.name(s.of)!r} but does not come after it",
                f"公示“{g.name(sid)}”所公示的“{g.name(s.of)}”并不在其之前"), sid)
