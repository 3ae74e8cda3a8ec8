"""PF2xx control rules: does every integrity-risk point have controls that actually bite?

Takes a rule `Context`; gives `Finding`s. "Is the control step on every path to the favourable
outcome" is a dominator question (`FlowGraph.bypass`), and the bypassing path is spelled out.
Must not walk the graph by hand.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Severity, Text
from ..model import ActorKind, RiskLevel, StepKind
from .base import Context, Finding, rule

__all__: list[str] = []

E, W = Severity.ERROR, Severity.WARNING


def _risk_label(ctx: Context, rid: str) -> tuple[str, str]:
    r = ctx.flow.risks[rid]
    where = ctx.graph.names(ctx.risk_steps(rid)) or r.at
    return (f"risk {rid} ({r.level.value}) at {where!r}", f"{where}的{r.level.zh}风险点 {rid}")


@rule("PF201", "risk-without-control", E, Text("risk point without a control", "风险点没有防控措施"),
      Text("Add at least one control: a control step of the flow (`step:`) or evidence kept at "
           "the risk step (`evidence:`), each with its owner.",
           "至少增加一项防控措施：流程中的防控环节（`step:`）或在风险环节留存的凭证（`evidence:`），并写明责任人。"))
def risk_without_control(ctx: Context) -> Iterator[Finding]:
    for rid, r in ctx.flow.risks.items():
        if not r.controls:
            en, zh = _risk_label(ctx, rid)
            yield Finding(ctx.risk_loc(rid), Text(
                f"{en} has no control: {r.description}",
                f"{zh}没有任何防控措施：{r.description}"), rid)


@rule("PF202", "high-risk-with-one-control", E,
      Text("high risk with fewer than two controls", "高风险点的防控措施少于两项"),
      Text("A high risk needs at least two controls, e.g. a collective decision and publicity, or "
           "random drawing and a recusal declaration.",
           "高风险点至少需要两项防控措施，如集体决策加公示，或随机抽取加回避声明。"))
def high_risk_one_control(ctx: Context) -> Iterator[Finding]:
    for rid, r in ctx.flow.risks.items():
        acting = [c for c in r.controls if c.operative]
        if r.level is RiskLevel.HIGH and r.controls and len(acting) < 2:
            en, zh = _risk_label(ctx, rid)
            names = ", ".join(c.name for c in acting) or "none"
            yield Finding(ctx.risk_loc(rid), Text(
                f"{en} has {len(acting)} control(s) that act on the case ({names}); a high risk "
                "needs two (a rule or training does not count)",
                f"{zh}作用于办件的防控措施只有 {len(acting)} 项（{'、'.join(c.name for c in acting) or '无'}），"
                "高风险点至少需要两项（制度、培训不计入）"), rid)


@rule("PF203", "high-risk-without-independent-control", E,
      Text("high risk whose every control is owned by the risky actor itself",
           "高风险点的防控措施全由风险环节的办理者自己负责"),
      Text("Give one control to someone else: a collective body, a second reviewer, the "
           "discipline-inspection office.", "至少一项措施交由他人负责：集体决策机构、复核岗位或纪检监察。"))
def no_independent_control(ctx: Context) -> Iterator[Finding]:
    for rid, r in ctx.flow.risks.items():
        if r.level is not RiskLevel.HIGH or not r.controls:
            continue
        actors = {ctx.flow.steps[s].actor for s in ctx.risk_steps(rid)}
        if all(ctx.actor_kind(a) is ActorKind.COLLECTIVE for a in actors):
            continue  # the risk is that the deliberation is bypassed: PF204/PF304 ask that
        if any(c.oversight for c in r.controls):
            continue
        if actors and all(c.owner in actors for c in r.controls):
            en, zh = _risk_label(ctx, rid)
            who = "、".join(ctx.actor_name(a) for a in sorted(actors))
            yield Finding(ctx.risk_loc(rid), Text(
                f"{en}: every control ({', '.join(c.name for c in r.controls)}) is owned by "
                f"{who}, the actor the risk is about; nobody independent checks it",
                f"{zh}的防控措施（{'、'.join(c.name for c in r.controls)}）全由风险环节的办理者"
                f"{who}负责，没有独立的制约"), rid)


@rule("PF204", "control-step-bypassed", E,
      Text("a path to the favourable outcome bypasses a control step", "有路径绕过防控环节到达有利结果"),
      Text("Route every path from the risk step to the favourable outcome through the control "
           "step, or name a control that is on all of them.",
           "让风险环节到有利结果的每条路径都经过该防控环节，或改用位于所有路径上的措施。"))
def control_bypassed(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    for rid, r in ctx.flow.risks.items():
        via = ctx.risk_steps(rid)
        for j, c in enumerate(r.controls):
            if c.step is None or c.step in via or c.step not in g.g:
                continue
            if ctx.flow.steps[c.step].kind is StepKind.SUPERVISION:
                continue
            path = g.bypass(c.step, via, g.favourable_ends)
            if path is None:
                continue
            cname = g.name(c.step)
            yield Finding(ctx.loc("risks", rid, "controls", j, key=False), Text(
                f"control step {cname!r} of risk {rid} can be bypassed: {g.path_text(path)} "
                f"skips {cname}",
                f"风险点 {rid} 的防控环节“{cname}”可被绕过：{g.path_text(path)} 未经过“{cname}”"),
                rid, data={"path": path, "control": c.step})


@rule("PF205", "control-step-is-risk-step", E,
      Text("a risk's control is the risky step itself", "风险点的防控环节就是风险环节本身"),
      Text("A step cannot control itself: name a later review, decision, publicity or "
           "supervision step, or evidence kept at the step.",
           "环节不能自我制约：请指定其后的复核、决策、公示或监督环节，或在该环节留存的凭证。"))
def control_is_risk_step(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    for rid, r in ctx.flow.risks.items():
        via = ctx.risk_steps(rid)
        for j, c in enumerate(r.controls):
            if c.step is not None and c.step in via:
                yield Finding(ctx.loc("risks", rid, "controls", j, key=False), Text(
                    f"risk {rid} at {g.name(c.step)!r} names that same step as its control "
                    f"{c.name!r}",
                    f"风险点 {rid} 把其所在环节“{g.name(c.step)}”本身作为防控措施“{c.name}”"), rid)


@rule("PF206", "evidence-names-a-step", W,
      Text("an evidence control that names a step", "凭证类措施写成了环节"),
      Text("If the control is that step of the flow, write `step: <id>`; evidence is a record "
           "kept at the risk step (e.g. `recusal_declaration`).",
           "若该措施就是流程中的环节，请写 `step: <id>`；凭证是在风险环节留存的记录（如 `recusal_declaration`）。"))
def evidence_names_step(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    for rid, r in ctx.flow.risks.items():
        for j, c in enumerate(r.controls):
            if c.evidence is not None and c.evidence in ctx.flow.steps:
                yield Finding(ctx.loc("risks", rid, "controls", j, key=False), Text(
                    f"control {c.name!r} of risk {rid} is evidence {c.evidence!r}, which is the id "
                    f"of step {g.name(c.evidence)!r}: the path check is skipped for it",
                    f"风险点 {rid} 的措施“{c.name}”写作凭证 {c.evidence!r}，但这是环节“{g.name(c.evidence)}”"
                    "的标识：该措施未参与路径检查"), rid)


@rule("PF207", "supervision-control-not-linked", E,
      Text("a supervision step named as control does not supervise the risk step",
           "作为防控措施的监督环节并未监督风险环节"),
      Text("Add the risk step to the supervision step's `supervises:` list.",
           "在监督环节的 `supervises:` 中加入该风险环节。"))
def supervision_not_linked(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    for rid, r in ctx.flow.risks.items():
        via = ctx.risk_steps(rid)
        for j, c in enumerate(r.controls):
            if c.step is None or ctx.flow.steps[c.step].kind is not StepKind.SUPERVISION:
                continue
            watched = set(g.supervision.successors(c.step)) if c.step in g.supervision else set()
            if not watched & set(via):
                yield Finding(ctx.loc("risks", rid, "controls", j, key=False), Text(
                    f"supervision step {g.name(c.step)!r} is named as control of risk {rid} but does "
                    f"not supervise {g.names(via)}",
                    f"监督环节“{g.name(c.step)}”被列为风险点 {rid} 的防控措施，但并未监督“{g.names(via)}”"),
                    rid)


@rule("PF208", "decision-without-risk-point", W,
      Text("decision or expert step with no risk point", "决定或专家评审环节没有标注风险点"),
      Text("Decisions and expert reviews are where discretion lies: record their risk points "
           "(查找廉政风险点) with level and controls.",
           "决定和专家评审是自由裁量集中的环节：请查找并标注其廉政风险点、等级和防控措施。"),
      recommended=False)
def decision_without_risk(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    risky = {s for rid in ctx.flow.risks for s in ctx.risk_steps(rid)}
    for sid, s in ctx.flow.steps.items():
        if (s.kind is StepKind.DECISION or s.expert) and sid not in risky:
            yield Finding(ctx.step_loc(sid), Text(
                f"{'decision' if s.kind is StepKind.DECISION else 'expert'} step {g.name(sid)!r} "
                f"({sid}) has no integrity-risk point",
                f"{'决定' if s.kind is StepKind.DECISION else '专家评审'}环节“{g.name(sid)}”（{sid}）"
                "没有标注廉政风险点"), sid)


@rule("PF209", "risk-controlled-only-by-outsiders", W,
      Text("every control of a risk is owned by an external party", "风险点的防控措施全由外部当事人负责"),
      Text("Controls are the administration's duty: give at least one control to a post, "
           "office, collective body or supervisor.",
           "防控是行政机关的责任：至少一项措施应由岗位、科室、集体决策机构或监督机构负责。"))
def controlled_by_outsiders(ctx: Context) -> Iterator[Finding]:
    for rid, r in ctx.flow.risks.items():
        owners = [ctx.flow.actors.get(c.owner) for c in r.controls]
        if owners and all(a is not None and a.kind is ActorKind.EXTERNAL for a in owners):
            en, zh = _risk_label(ctx, rid)
            who = "、".join(sorted({a.name for a in owners if a is not None}))
            yield Finding(ctx.risk_loc(rid), Text(
                f"{en}: every control is owned by {who}, outside the administration; nobody in "
                "the department answers for it",
                f"{zh}的防控措施全由外部当事人{who}负责，部门内无人对其负责"), rid)
