"""PF4xx openness and time rules: legal basis, supervision channels, publicity, time limits.

Takes a rule `Context`; gives `Finding`s. The time-limit sum is the longest path of the acyclic
flow (`FlowGraph.longest`: send-backs dropped, loops condensed, `dag_longest_path`); "reachable
without publicity" is a shortest path in the graph with the notice steps removed.
Must not walk the graph by hand.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Severity, Text
from ..model import ActorKind, Category, Clock, Outcome, StepKind, Unpublished, limit_days
from .base import Context, Finding, rule

__all__ = ["PUBLICITY_CATEGORIES", "requires_publicity"]

E, W = Severity.ERROR, Severity.WARNING

PUBLICITY_CATEGORIES = frozenset({Category.AWARD})
"""Categories whose favourable outcome must be published first when the power does not say
(`power.requires_publicity` overrides either way)."""


def unpublished(ctx: Context, field: Unpublished) -> bool:
    """The power marks `field` as not yet published by its source (reported by PF114)."""
    return field in ctx.flow.info.unpublished


def requires_publicity(ctx: Context) -> bool:
    explicit = ctx.flow.info.requires_publicity
    return explicit if explicit is not None else ctx.flow.info.category in PUBLICITY_CATEGORIES


@rule("PF401", "missing-legal-basis", E, Text("no legal basis", "没有实施依据"),
      Text("List the instruments under `power.legal_basis` with rank, title and article "
           "(职权法定: no power without a legal basis).",
           "在 `power.legal_basis` 中列出依据的法律文件、层级和条款（职权法定）。"))
def missing_legal_basis(ctx: Context) -> Iterator[Finding]:
    if not ctx.flow.info.legal_basis and not unpublished(ctx, Unpublished.LEGAL_BASIS):
        yield Finding(ctx.loc("power"), Text(
            f"power {ctx.flow.code} names no legal basis", f"事项 {ctx.flow.code} 没有列出实施依据"))


@rule("PF402", "missing-hotline", E, Text("no supervision hotline", "没有监督电话"),
      Text("Give `supervision.hotline` in the power or the catalogue's department.",
           "在事项或目录的部门信息中填写 `supervision.hotline`（监督电话）。"))
def missing_hotline(ctx: Context) -> Iterator[Finding]:
    if not ctx.flow.supervision.hotline and not unpublished(ctx, Unpublished.HOTLINE):
        yield Finding(ctx.loc("power"), Text(
            f"power {ctx.flow.code} has no supervision hotline, in its own file or its department's",
            f"事项 {ctx.flow.code} 及其部门都没有监督电话"))


@rule("PF403", "step-without-time-limit", W, Text("step without a time limit", "环节没有办理时限"),
      Text("Give the step `limit:` in working days, `same_day` (当天) or `immediate` (即办).",
           "为环节写明 `limit:`：工作日数、`same_day`（当天）或 `immediate`（即办）。"))
def step_without_limit(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    for sid in sorted(g.g, key=g.order):
        s = ctx.flow.steps[sid]
        actor = ctx.flow.actors.get(s.actor)
        if s.kind in (StepKind.START, StepKind.END, StepKind.SUPERVISION) or s.limit is not None:
            continue
        if actor is not None and actor.kind is ActorKind.EXTERNAL:
            continue
        yield Finding(ctx.step_loc(sid), Text(
            f"step {g.name(sid)!r} ({sid}) has no time limit", f"环节“{g.name(sid)}”（{sid}）没有办理时限"),
            sid)


@rule("PF404", "missing-promised-limit", E, Text("no promised time limit", "没有承诺时限"),
      Text("Give `power.limits.promised` in working days (承诺时限).",
           "填写 `power.limits.promised`（承诺时限，工作日）。"))
def missing_promised(ctx: Context) -> Iterator[Finding]:
    if ctx.flow.info.limits.promised is None and not unpublished(ctx, Unpublished.PROMISED):
        yield Finding(ctx.loc("power", "limits"), Text(
            f"power {ctx.flow.code} has no promised time limit",
            f"事项 {ctx.flow.code} 没有承诺时限"))


@rule("PF405", "step-limits-exceed-promise", E,
      Text("step limits on the longest path exceed the promised limit", "最长路径上的环节时限之和超过承诺时限"),
      Text("Shorten the step limits on that path, mark periods that stop the clock by law "
           "(`clock: excluded`), or raise the promise within the statutory limit.",
           "缩短该路径上的环节时限，将依法不计入的时段标为 `clock: excluded`，或在法定时限内调整承诺时限。"))
def limits_exceed_promise(ctx: Context) -> Iterator[Finding]:
    promised = ctx.flow.info.limits.promised
    longest = ctx.graph.longest
    if promised is None or longest is None or longest.days <= limit_days(promised):
        return
    g = ctx.graph
    parts = " + ".join(f"{g.name(s)} {g.g.nodes[s]['days']}" for s in longest.counted)
    yield Finding(ctx.loc("power", "limits", "promised"), Text(
        f"the step limits along {g.path_text(longest.steps)} add up to {longest.days} working days "
        f"({parts}), more than the promised {promised}",
        f"路径 {g.path_text(longest.steps)} 上的环节时限合计 {longest.days} 个工作日（{parts}），"
        f"超过承诺时限 {promised}"), data={"path": list(longest.steps), "days": longest.days})


@rule("PF406", "promise-exceeds-statutory", E,
      Text("promised limit longer than the statutory one", "承诺时限超过法定时限"),
      Text("The promise (承诺时限) must not exceed the statutory limit (法定时限).",
           "承诺时限不得超过法定时限。"))
def promise_over_statutory(ctx: Context) -> Iterator[Finding]:
    limits = ctx.flow.info.limits
    if limits.promised is None or limits.statutory is None:
        return
    if limit_days(limits.promised) > limit_days(limits.statutory):
        yield Finding(ctx.loc("power", "limits", "promised"), Text(
            f"the promised limit {limits.promised} exceeds the statutory limit {limits.statutory}",
            f"承诺时限 {limits.promised} 超过法定时限 {limits.statutory}"))


def publishes(ctx: Context, notice: str, end: str) -> bool:
    """Whether notice step `notice` is publicity of outcome `end`: it names no `of:`, names
    `end`, or names a decision from which `end` follows with no other decision between."""
    step = ctx.flow.steps[notice]
    if step.kind is not StepKind.NOTICE:
        return False
    if step.of is None or step.of == end:
        return True
    of = ctx.flow.steps.get(step.of)
    if of is None or of.kind is not StepKind.DECISION or step.of not in ctx.graph.g:
        return False
    others = [s for s in ctx.graph.g if s != step.of
              and ctx.flow.steps[s].kind is StepKind.DECISION]
    return ctx.graph.shortest(ctx.graph.without(others), step.of, end) is not None


@rule("PF407", "favourable-outcome-without-publicity", E,
      Text("favourable outcome reachable without publicity", "可不经公示得到有利结果"),
      Text("Route every path to the favourable outcome through a notice step (`kind: notice`, "
           "公示), or set `power.requires_publicity: false` if the law does not require it.",
           "让通往有利结果的每条路径都经过公示环节（`kind: notice`）；若法律不要求公示，设 `power.requires_publicity: false`。"))
def without_publicity(ctx: Context) -> Iterator[Finding]:
    if not requires_publicity(ctx):
        return
    g = ctx.graph
    for end in sorted(g.favourable_ends, key=g.order):
        notices = [s for s in g.g if publishes(ctx, s, end)]
        path = g.path_avoiding(notices, [end])
        if path is not None:
            yield Finding(ctx.step_loc(end), Text(
                f"{g.name(end)!r} can be reached without publicity: {g.path_text(path)}",
                f"可不经公示到达“{g.name(end)}”：{g.path_text(path)}"), end, data={"path": path})


def external_party(ctx: Context) -> bool:
    """Whether the case is brought by or against a party outside the administration (the start
    step's actor is external): only then is a refusal an administrative act that owes reasons
    and appeal rights. An internal proposal turned down is not."""
    start = ctx.flow.start
    actor = ctx.flow.actors.get(ctx.flow.steps[start].actor) if start else None
    return actor is not None and actor.kind is ActorKind.EXTERNAL


@rule("PF408", "refusal-without-reasons", E,
      Text("refusal without written reasons and notice of appeal rights", "不予决定未书面说明理由并告知救济权利"),
      Text("Set `written_reasons: true` and `appeal_notice: true` on the end step, and produce "
           "the written decision (行政复议或行政诉讼权利告知).",
           "在该办结环节设 `written_reasons: true` 与 `appeal_notice: true`，并出具书面决定（告知复议、诉讼权利）。"))
def refusal_without_reasons(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    if not external_party(ctx):
        return
    for end in sorted(g.adverse_ends, key=g.order):
        s = ctx.flow.steps[end]
        missing = [(en, zh) for flag, en, zh in (
            (s.written_reasons, "written reasons", "书面理由"),
            (s.appeal_notice, "notice of appeal rights", "救济权利告知")) if not flag]
        if missing:
            yield Finding(ctx.step_loc(end), Text(
                f"refusal {g.name(end)!r} ({end}) gives no {' and no '.join(m[0] for m in missing)}",
                f"不予决定“{g.name(end)}”（{end}）缺少{'和'.join(m[1] for m in missing)}"), end)


@rule("PF409", "notice-without-days", W, Text("notice step without a notice period", "公示环节没有公示期"),
      Text("Give the notice step `notice_days:` (e.g. 7 working days).",
           "为公示环节写明 `notice_days:`（如 7 个工作日）。"))
def notice_without_days(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    for sid, s in ctx.flow.steps.items():
        if s.kind is StepKind.NOTICE and s.notice_days is None:
            yield Finding(ctx.step_loc(sid), Text(
                f"notice step {g.name(sid)!r} ({sid}) gives no notice period",
                f"公示环节“{g.name(sid)}”（{sid}）没有写明公示期"), sid)


@rule("PF410", "excluded-time-not-declared", W,
      Text("time excluded from the limit without saying so", "不计入时限的时段未向申请人说明"),
      Text("Say in `power.limits.note` which periods do not count (e.g. 不含专家评审、公示时间): the "
           "applicant must be told in writing.", "在 `power.limits.note` 中说明不计入时限的时段（如“不含专家评审、公示时间”）：须书面告知申请人。"),
      recommended=False)
def excluded_not_declared(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    excluded = [s for s in sorted(g.g, key=g.order) if ctx.flow.steps[s].clock is Clock.EXCLUDED]
    if excluded and not ctx.flow.info.limits.note:
        yield Finding(ctx.loc("power", "limits"), Text(
            f"{g.names(excluded)} do not count against the limit, but power.limits.note does not "
            "say so",
            f"{g.names(excluded)} 不计入时限，但 power.limits.note 未作说明"))


@rule("PF411", "missing-statutory-limit", W, Text("no statutory time limit", "没有法定时限"),
      Text("Give `power.limits.statutory` (法定时限) from the legal basis.",
           "根据实施依据填写 `power.limits.statutory`（法定时限）。"), recommended=False)
def missing_statutory(ctx: Context) -> Iterator[Finding]:
    if ctx.flow.info.limits.statutory is None and not unpublished(ctx, Unpublished.STATUTORY):
        yield Finding(ctx.loc("power", "limits"), Text(
            f"power {ctx.flow.code} has no statutory time limit", f"事项 {ctx.flow.code} 没有法定时限"))


def penalty_ends(ctx: Context) -> list[str]:
    """End steps of a penalty power that impose a penalty (outcome `penalised`)."""
    if ctx.flow.info.category is not Category.PENALTY:
        return []
    g = ctx.graph
    return sorted((e for e in g.ends if ctx.flow.steps[e].outcome is Outcome.PENALISED),
                  key=g.order)


def penalty_decisions(ctx: Context) -> list[str]:
    """The decision steps a penalty follows from (a penalty end without one stands for itself),
    each once, in flow order."""
    g = ctx.graph
    out: list[str] = []
    for end in penalty_ends(ctx):
        found = [s for s in g.upstream(end) if ctx.flow.steps[s].kind is StepKind.DECISION]
        out.extend(s for s in sorted(found, key=g.order) or [end] if s not in out)
    return out


def _flagged(ctx: Context, flag: str) -> list[str]:
    return [s for s in ctx.graph.g if getattr(ctx.flow.steps[s], flag)]


@rule("PF412", "penalty-without-prior-notice", E,
      Text("a penalty can be decided without prior notice of facts, reasons and rights",
           "未经事先告知即可作出处罚决定"),
      Text("Before the penalty decision, notify the party of the proposed penalty, its facts, "
           "reasons and basis and the right to state a case and defend (行政处罚法 第四十四条): a "
           "step with `prior_notice: true` on every path to the decision.",
           "在作出处罚决定前告知当事人拟作出的处罚内容及事实、理由、依据和陈述、申辩权（行政处罚法第四十四条）：在通往决定的每条路径上设 `prior_notice: true` 的告知环节。"))
def penalty_without_notice(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    notices = _flagged(ctx, "prior_notice")
    for d in penalty_decisions(ctx):
        path = g.path_avoiding(notices, [d])
        if path is not None:
            yield Finding(ctx.step_loc(d), Text(
                f"the penalty decision {g.name(d)!r} can be reached without prior notice of "
                f"facts, reasons and rights: {g.path_text(path)}",
                f"可不经事先告知（事实、理由、依据及陈述申辩权）到达处罚决定“{g.name(d)}”："
                f"{g.path_text(path)}"), d, data={"path": path})


@rule("PF413", "penalty-without-hearing", E,
      Text("a penalty power offers no hearing", "处罚流程没有听证环节"),
      Text("Major penalties (large fines or confiscations, lowered qualifications, revoked "
           "licences, suspension or closure, bans on practice …) carry a right to a hearing on "
           "request (行政处罚法 第六十三条): add a step with `hearing: true` between the prior "
           "notice and the decision. A power that imposes none of these may waive this rule "
           "with its reason.",
           "较大数额罚款、没收较大数额违法所得、降低资质等级、吊销许可证件、责令停产停业、限制从业等处罚，当事人有权要求听证（行政处罚法第六十三条）：在告知与决定之间增加 `hearing: true` 的听证环节。不作出此类处罚的事项可写明理由豁免本规则。"))
def penalty_without_hearing(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    hearings = _flagged(ctx, "hearing")
    for d in penalty_decisions(ctx):
        if not any(h in g.upstream(d) for h in hearings):
            yield Finding(ctx.step_loc(d), Text(
                f"no hearing step (hearing: true) comes before the penalty decision "
                f"{g.name(d)!r}", f"处罚决定“{g.name(d)}”之前没有听证环节（hearing: true）"), d)
            return


@rule("PF414", "penalty-without-appeal-notice", E,
      Text("a penalty ends without notice of appeal rights", "处罚决定未告知复议、诉讼权利"),
      Text("The written penalty decision states how and by when the party may apply for "
           "administrative reconsideration or bring a suit (行政处罚法 第五十九条): set "
           "`appeal_notice: true` and `written_reasons: true` on the penalty end.",
           "处罚决定书应载明申请行政复议、提起行政诉讼的途径和期限（行政处罚法第五十九条）：在处罚办结环节设 `appeal_notice: true` 与 `written_reasons: true`。"))
def penalty_without_appeal(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    for end in penalty_ends(ctx):
        s = ctx.flow.steps[end]
        if not (s.appeal_notice and s.written_reasons):
            yield Finding(ctx.step_loc(end), Text(
                f"penalty end {g.name(end)!r} ({end}) does not give the written decision with "
                "notice of reconsideration and litigation rights",
                f"处罚办结环节“{g.name(end)}”（{end}）未出具载明复议、诉讼权利的书面决定"), end)
