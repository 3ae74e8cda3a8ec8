"""PF3xx separation-of-duties rules: decision, execution and supervision kept apart.

Takes a rule `Context`; gives `Finding`s. "Upstream of" is `ancestors` on the forward graph
(send-back edges dropped). Must not walk the graph by hand.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Severity, Text
from ..model import ActorKind, Category, RiskLevel, StepKind
from .base import Context, Finding, rule

__all__: list[str] = []

E, W = Severity.ERROR, Severity.WARNING

ONE_HAND = (ActorKind.POST, ActorKind.OFFICE, ActorKind.LEADER)
"""Actor kinds that act alone (a collective body or panel deliberates among several people)."""

RECUSAL_WORDS = ("recus", "回避")
DRAW_WORDS = ("random", "draw", "lottery", "随机", "抽取", "抽签", "摇号")


def _kind(ctx: Context, actor: str) -> ActorKind | None:
    kind: ActorKind | None = ctx.actor_kind(actor)
    return kind


def _steps(ctx: Context, *kinds: StepKind) -> list[str]:
    g = ctx.graph
    return [s for s in sorted(g.g, key=g.order) if ctx.flow.steps[s].kind in kinds]


def _chains(ctx: Context) -> dict[str, tuple[str, str, str]]:
    """Actors acting alone that hold a task, a later review and a later decision on one path:
    actor → (task, review, decision)."""
    g = ctx.graph
    out: dict[str, tuple[str, str, str]] = {}
    for d in _steps(ctx, StepKind.DECISION):
        actor = ctx.flow.steps[d].actor
        if actor in out or _kind(ctx, actor) not in ONE_HAND:
            continue
        before_d = g.upstream(d)
        for r in _steps(ctx, StepKind.REVIEW):
            if r in before_d and ctx.flow.steps[r].actor == actor:
                tasks = [t for t in _steps(ctx, StepKind.TASK)
                         if t in g.upstream(r) and ctx.flow.steps[t].actor == actor]
                if tasks:
                    out[actor] = (tasks[0], r, d)
                    break
    return out


@rule("PF301", "reviews-own-work", E, Text("a post reviews its own work", "自己审查自己经办的事项"),
      Text("Give the review to another post or office (四眼原则), or merge the two steps and add "
           "an independent review.", "将审查交由其他岗位或科室（四眼原则），或合并两环节并增加独立审查。"))
def reviews_own_work(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    chains = _chains(ctx)
    for r in _steps(ctx, StepKind.REVIEW):
        actor = ctx.flow.steps[r].actor
        if actor in chains or _kind(ctx, actor) not in ONE_HAND:
            continue
        for p in sorted(g.forward.predecessors(r), key=g.order):
            ps = ctx.flow.steps[p]
            if ps.actor == actor and ps.kind in (StepKind.TASK, StepKind.REVIEW):
                who = ctx.actor_name(actor)
                yield Finding(ctx.step_loc(r), Text(
                    f"{who} reviews its own work: {g.path_text([p, r])} are both done by {who}",
                    f"{who}审查自己经办的事项：{g.path_text([p, r])} 均由{who}办理"), r,
                    data={"steps": [p, r], "actor": actor})
                break


@rule("PF302", "same-post-reviews-and-decides", E,
      Text("the same post reviews and decides", "同一岗位既审查又决定"),
      Text("Let a different post, a leader or a collective body decide on the review's "
           "result.", "由另一岗位、领导或集体决策机构根据审查结果作出决定。"))
def reviews_and_decides(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    chains = _chains(ctx)
    for d in _steps(ctx, StepKind.DECISION):
        actor = ctx.flow.steps[d].actor
        if actor in chains or _kind(ctx, actor) not in ONE_HAND:
            continue
        before = g.upstream(d)
        reviews = [r for r in _steps(ctx, StepKind.REVIEW)
                   if r in before and ctx.flow.steps[r].actor == actor]
        if reviews:
            who = ctx.actor_name(actor)
            yield Finding(ctx.step_loc(d), Text(
                f"{who} both reviews ({g.names(reviews)}) and decides ({g.name(d)}): the review "
                "no longer checks the decision",
                f"{who}既审查（{g.names(reviews)}）又决定（{g.name(d)}）：审查失去了对决定的制约"), d,
                data={"steps": [*reviews, d], "actor": actor})


@rule("PF303", "one-post-holds-whole-chain", E,
      Text("one post accepts, reviews and decides alone", "一个岗位包揽受理、审查、决定"),
      Text("Split acceptance, review and decision between different posts (受审分离、审决分离).",
           "将受理、审查、决定分给不同岗位（受审分离、审决分离）。"))
def whole_chain(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    for actor, (t, r, d) in _chains(ctx).items():
        who = ctx.actor_name(actor)
        yield Finding(ctx.step_loc(d), Text(
            f"{who} holds the whole chain alone: {g.name(t)} → {g.name(r)} → {g.name(d)}",
            f"{who}独揽全过程：{g.name(t)} → {g.name(r)} → {g.name(d)}"), d,
            data={"steps": [t, r, d], "actor": actor})


@rule("PF304", "high-risk-decision-not-collective", E,
      Text("high-risk decision not taken by a collective body", "高风险决策未经集体决定"),
      Text("Major matters (三重一大) are decided collectively: give the decision to the bureau "
           "affairs meeting or Party group.", "“三重一大”事项须集体决策：由局务会或党组会作出决定。"))
def decision_not_collective(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    for rid, risk in ctx.flow.risks.items():
        if risk.level is not RiskLevel.HIGH:
            continue
        for s in ctx.risk_steps(rid):
            step = ctx.flow.steps[s]
            if step.kind is StepKind.DECISION and _kind(ctx, step.actor) is not ActorKind.COLLECTIVE:
                yield Finding(ctx.step_loc(s), Text(
                    f"decision {g.name(s)!r} carries high risk {rid} but is taken by "
                    f"{ctx.actor_name(step.actor)} alone, not a collective body",
                    f"决定环节“{g.name(s)}”有高风险点 {rid}，却由{ctx.actor_name(step.actor)}"
                    "个人决定，而非集体决策"), s)


def supervised(ctx: Context) -> bool:
    """A supervisor takes part: it does a step or owns a control, or a supervision step
    (`kind: supervision`) watches the flow, or a control is a discipline-inspection measure
    (`oversight: true`): the kind of the measure counts, not only the kind of its owner."""
    if any(s.kind is StepKind.SUPERVISION and s.supervises for s in ctx.flow.steps.values()):
        return True
    involved = {s.actor for s in ctx.flow.steps.values()}
    controls = [c for r in ctx.flow.risks.values() for c in r.controls]
    involved |= {c.owner for c in controls}
    if any(_kind(ctx, a) is ActorKind.SUPERVISOR for a in involved):
        return True
    return any(c.oversight or (c.step is not None and ctx.flow.steps[c.step].kind is
                               StepKind.SUPERVISION) for c in controls)


@rule("PF305", "high-risk-power-without-supervisor", E,
      Text("high-risk power with no supervisor", "高风险事项没有监督机构参与"),
      Text("Involve the discipline-inspection office: a supervision step (`kind: supervision`) "
           "or a control it owns.", "让纪检监察参与：增加监督环节（`kind: supervision`）或由其负责的防控措施。"))
def no_supervisor(ctx: Context) -> Iterator[Finding]:
    high = [rid for rid, r in ctx.flow.risks.items() if r.level is RiskLevel.HIGH]
    if not high:
        return
    if not supervised(ctx):
        yield Finding(ctx.risk_loc(high[0]), Text(
            f"the power has high risks ({', '.join(high)}) but no supervisor takes part in it",
            f"该事项有高风险点（{'、'.join(high)}），却没有任何监督机构参与"))


@rule("PF306", "expert-step-without-recusal", E,
      Text("expert step without recusal or random drawing", "专家评审环节没有回避或随机抽取"),
      Text("Add to the expert step's risk the evidence controls `recusal_declaration` (回避声明) "
           "and `random_draw_record` (专家库随机抽取记录).",
           "为专家评审环节的风险点增加凭证类措施 `recusal_declaration`（回避声明）和 `random_draw_record`（随机抽取记录）。"))
def expert_without_recusal(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    for sid, step in ctx.flow.steps.items():
        if not (step.expert or _kind(ctx, step.actor) is ActorKind.PANEL):
            continue
        actor = ctx.flow.actors.get(step.actor)
        standing = actor is not None and actor.standing
        if step.kind in (StepKind.START, StepKind.END, StepKind.SUPERVISION):
            continue
        words = " ".join(f"{c.evidence or c.step or ''} {c.name} {c.name_en or ''}".lower()
                         for rid, r in ctx.flow.risks.items() if sid in ctx.risk_steps(rid)
                         for c in r.controls)
        wanted: list[tuple[tuple[str, str], tuple[str, ...]]] = [(("recusal", "回避"), RECUSAL_WORDS)]
        if not standing:  # a standing committee's members are appointed, not drawn
            wanted.append((("random drawing", "随机抽取"), DRAW_WORDS))
        missing = [(en, zh) for (en, zh), keys in wanted if not any(k in words for k in keys)]
        if missing:
            yield Finding(ctx.step_loc(sid), Text(
                f"expert step {g.name(sid)!r} ({sid}) has no control for "
                f"{' or '.join(m[0] for m in missing)} of the experts",
                f"专家评审环节“{g.name(sid)}”（{sid}）缺少{'和'.join(m[1] for m in missing)}措施"), sid)


@rule("PF307", "separated-steps-same-post", E,
      Text("steps that must be separated are given to one post", "应分离的环节由同一岗位办理"),
      Text("Give the separated steps to different posts; one post is one person.",
           "将应分离的环节分给不同岗位；一个岗位就是一个人。"))
def separated_same_post(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    for i, sep in enumerate(ctx.flow.separation):
        by_actor: dict[str, list[str]] = {}
        for s in sep.steps:
            by_actor.setdefault(ctx.flow.steps[s].actor, []).append(s)
        for actor, steps in by_actor.items():
            if len(steps) > 1 and _kind(ctx, actor) in (ActorKind.POST, ActorKind.LEADER):
                yield Finding(ctx.loc("separation", i), Text(
                    f"{g.names(steps)} must be done by different people but are all given to "
                    f"{ctx.actor_name(actor)}",
                    f"{g.names(steps)} 应由不同人员办理，却都分给了{ctx.actor_name(actor)}"), steps[-1])


@rule("PF308", "supervisor-does-business", W,
      Text("the supervisor handles a business step", "监督机构办理业务环节"),
      Text("Supervision must stay apart from execution (决策权、执行权、监督权相互制约): let the "
           "supervisor watch the step through `supervises:` instead.",
           "监督与执行应分离：让监督机构通过 `supervises:` 监督该环节，而不是亲自办理。"))
def supervisor_business(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    # a step the flow names as a control owned by its own (supervising) actor is supervision
    oversight = {c.step for r in ctx.flow.risks.values() for c in r.controls
                 if c.step is not None and c.owner == ctx.flow.steps[c.step].actor}
    for sid in sorted(g.g, key=g.order):
        step = ctx.flow.steps[sid]
        if sid in oversight:
            continue
        if step.kind in (StepKind.TASK, StepKind.REVIEW, StepKind.DECISION) and \
                _kind(ctx, step.actor) is ActorKind.SUPERVISOR:
            yield Finding(ctx.step_loc(sid), Text(
                f"step {g.name(sid)!r} is done by the supervisor {ctx.actor_name(step.actor)}",
                f"环节“{g.name(sid)}”由监督机构{ctx.actor_name(step.actor)}办理"), sid)


@rule("PF309", "collective-body-too-small", W,
      Text("a collective body or panel of fewer than three", "集体决策机构或专家组少于三人"),
      Text("Set `min_size` to at least 3 (expert panels usually 5 or more, an odd number).",
           "将 `min_size` 设为不少于 3（专家组通常 5 人以上的单数）。"))
def too_small(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    used: dict[str, str] = {}
    for sid in sorted(g.g, key=g.order):
        used.setdefault(ctx.flow.steps[sid].actor, sid)
    for actor, sid in used.items():
        a = ctx.flow.actors[actor]
        if a.kind in (ActorKind.COLLECTIVE, ActorKind.PANEL) and a.min_size is not None \
                and a.min_size < 3:
            yield Finding(ctx.step_loc(sid), Text(
                f"{a.name} decides at {g.name(sid)!r} with a minimum of {a.min_size} member(s): "
                "that is not a collective decision",
                f"{a.name}在“{g.name(sid)}”最少只有 {a.min_size} 人，不构成集体决策"), actor)


@rule("PF310", "risk-responsible-is-outsider", W,
      Text("an external party is responsible for a risk", "风险点的责任人是外部当事人"),
      Text("The responsible post (责任岗位) is a post of the administration that handles the step.",
           "责任岗位应为办理该环节的行政机关岗位。"))
def responsible_outsider(ctx: Context) -> Iterator[Finding]:
    for rid, r in ctx.flow.risks.items():
        if _kind(ctx, r.responsible) is ActorKind.EXTERNAL:
            yield Finding(ctx.loc("risks", rid, "responsible", key=False), Text(
                f"risk {rid} names {ctx.actor_name(r.responsible)}, an external party, as responsible",
                f"风险点 {rid} 的责任人{ctx.actor_name(r.responsible)}是外部当事人"), rid)


@rule("PF311", "investigation-by-one-officer", E,
      Text("a penalty investigation not done by at least two officers", "调查取证的执法人员少于两人"),
      Text("Investigation and evidence-gathering are done by at least two law-enforcement "
           "officers who show their IDs (行政处罚法 第四十二条、第五十五条): mark the step "
           "`investigation: true` and give it to an office or team with `min_size: 2` or more.",
           "调查取证须由两名以上执法人员进行并出示执法证件（行政处罚法第四十二条、第五十五条）：将该环节标为 `investigation: true`，并交由 `min_size` 不少于 2 的科室或执法组办理。"))
def one_officer(ctx: Context) -> Iterator[Finding]:
    if ctx.flow.info.category is not Category.PENALTY:
        return
    g = ctx.graph
    steps = [s for s in sorted(g.g, key=g.order) if ctx.flow.steps[s].investigation]
    if not steps:
        start = ctx.flow.start
        yield Finding(ctx.step_loc(start) if start else ctx.loc("steps"), Text(
            "the penalty power has no investigation step (investigation: true)",
            "处罚流程没有调查取证环节（investigation: true）"), start)
    for sid in steps:
        a = ctx.flow.actors.get(ctx.flow.steps[sid].actor)
        if a is not None and a.kind is not ActorKind.LEADER and (a.min_size or 0) >= 2:
            continue
        yield Finding(ctx.step_loc(sid), Text(
            f"investigation {g.name(sid)!r} ({sid}) is given to {ctx.actor_name(ctx.flow.steps[sid].actor)}"
            ", which is not declared as at least two officers (min_size: 2)",
            f"调查取证环节“{g.name(sid)}”（{sid}）由{ctx.actor_name(ctx.flow.steps[sid].actor)}办理，"
            "未声明至少两名执法人员（min_size: 2）"), sid)
