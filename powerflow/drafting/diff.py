"""Semantic differences between two versions of a power: what changed and whether it loosens
control.

Takes two `Flow`s (old and new); gives `Change` records: steps, actors, transitions, risks and
controls added or removed; controls weakened (a control step turned into an evidence record, the
owner changed to the risk step's own actor); risk levels lowered or raised; time limits raised or
lowered; legal basis changed; separation groups dropped; a collective decision replaced by one
leader; suppressions added … each classified `tightening`, `loosening` or `neutral`, with a reason
in English and Chinese. Reviewers file a change as "loosening" when it gives power more room.

Must not: read files, render, or look at text layout (a reordered or reformatted file has no
changes).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from .. import model as m
from ..diagnostics import Text

__all__ = ["Change", "Effect", "compare"]


class Effect(enum.Enum):
    TIGHTENING = "tightening"
    LOOSENING = "loosening"
    NEUTRAL = "neutral"

    @property
    def zh(self) -> str:
        return {"tightening": "收紧", "loosening": "放松", "neutral": "中性"}[self.value]


@dataclass(frozen=True)
class Change:
    """One semantic change. `path` points into the file (``steps.decide.actor``); `step` and
    `risk` name what a chart overlay should mark."""

    kind: str
    effect: Effect
    path: tuple[str | int, ...]
    message: Text
    old: Any = None
    new: Any = None
    step: str | None = None
    risk: str | None = None
    side: str = "new"
    edge: tuple[str, str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "effect": self.effect.value,
                "path": ".".join(map(str, self.path)), "message": self.message.en,
                "message_zh": self.message.zh, "old": _plain(self.old), "new": _plain(self.new),
                "step": self.step, "risk": self.risk}


def _plain(v: Any) -> Any:
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, tuple | list):
        return [_plain(x) for x in v]
    return v


_CONTROL_KINDS = {m.StepKind.REVIEW, m.StepKind.DECISION, m.StepKind.NOTICE,
                  m.StepKind.SUPERVISION}
_T, _L, _N = Effect.TIGHTENING, Effect.LOOSENING, Effect.NEUTRAL


@dataclass
class _Diff:
    old: m.Flow
    new: m.Flow
    out: list[Change] = field(default_factory=list)

    def add(self, kind: str, effect: Effect, path: tuple[str | int, ...], en: str, zh: str,
            old: Any = None, new: Any = None, **kw: Any) -> None:
        self.out.append(Change(kind, effect, path, Text(en, zh), old, new, **kw))

    def sname(self, flow: m.Flow, sid: str) -> str:
        s = flow.steps.get(sid)
        return f"{s.name}（{sid}）" if s else sid

    def aname(self, flow: m.Flow, aid: str) -> str:
        a = flow.actors.get(aid)
        return f"{a.name}（{aid}）" if a else aid


def _days(limit: m.Limit | None) -> float:
    if limit is None:
        return float("inf")
    return float(m.limit_days(limit))


def _limit_text(limit: m.Limit | None) -> str:
    if limit is None:
        return "none"
    if isinstance(limit, int):
        return f"{limit} working days"
    return limit.replace("_", " ")


def _limit(d: _Diff, path: tuple[str | int, ...], what_en: str, what_zh: str,
           old: m.Limit | None, new: m.Limit | None, step: str | None = None) -> None:
    if old == new:
        return
    a, b = _days(old), _days(new)
    effect = _L if b > a else _T if b < a else _N
    verb_en = "raised" if b > a else "lowered" if b < a else "changed"
    verb_zh = "延长" if b > a else "缩短" if b < a else "改变"
    kind = "limit-raised" if b > a else "limit-lowered" if b < a else "limit-changed"
    d.add(kind, effect, path, f"{what_en} {verb_en}: {_limit_text(old)} → {_limit_text(new)}",
          f"{what_zh}{verb_zh}：{old if old is not None else '无'} → {new if new is not None else '无'}",
          old, new, step=step)


def _power(d: _Diff) -> None:
    o, n = d.old.info, d.new.info
    _limit(d, ("power", "limits", "statutory"), "statutory limit", "法定时限",
           o.limits.statutory, n.limits.statutory)
    _limit(d, ("power", "limits", "promised"), "promised limit", "承诺时限",
           o.limits.promised, n.limits.promised)
    ob = [(b.rank, b.instrument, b.article) for b in o.legal_basis]
    nb = [(b.rank, b.instrument, b.article) for b in n.legal_basis]
    for b in ob:
        if b not in nb:
            d.add("legal-basis-removed", _N, ("power", "legal_basis"),
                  f"legal basis removed: {b[1]} {b[2] or ''}".rstrip(),
                  f"删除实施依据：{b[1]}{b[2] or ''}", old=b[1], side="old")
    for b in nb:
        if b not in ob:
            d.add("legal-basis-added", _N, ("power", "legal_basis"),
                  f"legal basis added: {b[1]} {b[2] or ''}".rstrip(),
                  f"新增实施依据：{b[1]}{b[2] or ''}", new=b[1])
    if o.category != n.category:
        d.add("category-changed", _N, ("power", "category"),
              f"category changed: {o.category.value} → {n.category.value}",
              f"职权类别变更：{o.category.zh} → {n.category.zh}", o.category, n.category)
    if o.requires_publicity and not n.requires_publicity:
        d.add("publicity-dropped", _L, ("power", "requires_publicity"),
              "the power no longer requires publicity", "不再要求公示", True, n.requires_publicity)
    for fld, en, zh in (("hotline", "supervision hotline", "监督电话"),):
        ov, nv = getattr(o.supervision, fld), getattr(n.supervision, fld)
        if ov and not nv:
            d.add("supervision-removed", _L, ("power", "supervision", fld),
                  f"{en} removed", f"删除{zh}", ov, nv)
        elif ov != nv:
            d.add("supervision-changed", _N, ("power", "supervision", fld),
                  f"{en} changed", f"{zh}变更", ov, nv)
    if o.unpublished != n.unpublished:
        d.add("unpublished-changed", _N, ("power", "unpublished"),
              f"fields marked not yet published: {[u.value for u in o.unpublished]} → "
              f"{[u.value for u in n.unpublished]}",
              f"标为未公布的字段：{'、'.join(u.value for u in o.unpublished) or '无'} → "
              f"{'、'.join(u.value for u in n.unpublished) or '无'}", o.unpublished, n.unpublished)
    for fld, en, zh in (("name", "name", "名称"), ("office", "handling office", "承办机构"),
                        ("body", "implementing body", "实施主体"), ("fees", "fees", "收费")):
        ov, nv = getattr(o, fld), getattr(n, fld)
        if ov != nv:
            d.add(f"{fld}-changed", _N, ("power", fld), f"{en} changed: {ov} → {nv}",
                  f"{zh}变更：{ov or '无'} → {nv or '无'}", ov, nv)


def _step_fields(d: _Diff, sid: str, o: m.Step, n: m.Step) -> None:
    name = d.sname(d.new, sid)
    _limit(d, ("steps", sid, "limit"), f"time limit of {name}", f"环节 {name} 的时限",
           o.limit, n.limit, step=sid)
    if o.actor != n.actor:
        oa, na = d.old.actors.get(o.actor), d.new.actors.get(n.actor)
        ok_, nk = (oa.kind if oa else None), (na.kind if na else None)
        if ok_ is m.ActorKind.COLLECTIVE and nk is not m.ActorKind.COLLECTIVE:
            d.add("collective-decision-dropped", _L, ("steps", sid, "actor"),
                  f"{name} is no longer decided collectively: {d.aname(d.old, o.actor)} → "
                  f"{d.aname(d.new, n.actor)}",
                  f"{name} 由集体决策改为 {d.aname(d.new, n.actor)} 个人决定（原为 "
                  f"{d.aname(d.old, o.actor)}）", o.actor, n.actor, step=sid)
        elif nk is m.ActorKind.COLLECTIVE and ok_ is not m.ActorKind.COLLECTIVE:
            d.add("collective-decision-added", _T, ("steps", sid, "actor"),
                  f"{name} is now decided collectively by {d.aname(d.new, n.actor)}",
                  f"{name} 改由 {d.aname(d.new, n.actor)} 集体决策", o.actor, n.actor, step=sid)
        else:
            d.add("step-actor-changed", _N, ("steps", sid, "actor"),
                  f"{name} is now done by {d.aname(d.new, n.actor)} (was {d.aname(d.old, o.actor)})",
                  f"{name} 改由 {d.aname(d.new, n.actor)} 办理（原为 {d.aname(d.old, o.actor)}）",
                  o.actor, n.actor, step=sid)
    if o.kind != n.kind:
        weaker = o.kind in _CONTROL_KINDS and n.kind not in _CONTROL_KINDS
        stronger = n.kind in _CONTROL_KINDS and o.kind not in _CONTROL_KINDS
        d.add("step-kind-changed", _L if weaker else _T if stronger else _N,
              ("steps", sid, "kind"), f"{name} changed from a {o.kind.value} to a {n.kind.value} step",
              f"{name} 的类型由 {o.kind.value} 改为 {n.kind.value}", o.kind, n.kind, step=sid)
    if o.clock != n.clock:
        looser = n.clock is not m.Clock.COUNTS and o.clock is m.Clock.COUNTS
        d.add("clock-changed", _L if looser else _T if n.clock is m.Clock.COUNTS else _N,
              ("steps", sid, "clock"),
              f"{name}: time now {'does not count' if looser else 'counts' if n.clock is m.Clock.COUNTS else 'is ' + n.clock.value} against the limit",
              f"{name}：计时方式由 {o.clock.value} 改为 {n.clock.value}", o.clock, n.clock, step=sid)
    if o.notice_days != n.notice_days and o.notice_days and n.notice_days:
        shorter = n.notice_days < o.notice_days
        d.add("notice-days-changed", _L if shorter else _T, ("steps", sid, "notice_days"),
              f"publicity of {name} {'shortened' if shorter else 'lengthened'}: {o.notice_days} → "
              f"{n.notice_days} days", f"{name} 公示期{'缩短' if shorter else '延长'}："
              f"{o.notice_days} → {n.notice_days} 天", o.notice_days, n.notice_days, step=sid)
    _flags(d, sid, name, o, n)
    lost = {x.step for x in o.supervises} - {x.step for x in n.supervises}
    for t in sorted(lost):
        d.add("supervision-link-removed", _L, ("steps", sid, "supervises"),
              f"{name} no longer supervises {d.sname(d.old, t)}",
              f"{name} 不再监督 {d.sname(d.old, t)}", t, None, step=sid)


_FLAGS = (("written_reasons", "written reasons", "书面说明理由"),
          ("appeal_notice", "notice of appeal rights", "告知救济权利"),
          ("expert", "expert review", "专家评审"),
          ("prior_notice", "prior notice of facts, reasons and rights", "事先告知"),
          ("hearing", "hearing", "听证"),
          ("investigation", "investigation by two officers", "调查取证"))
"""Step flags whose removal loosens control."""


def _flags(d: _Diff, sid: str, name: str, o: m.Step, n: m.Step) -> None:
    for fld, en, zh in (("of", "notice of", "公示对象"), ("phase", "phase", "所属阶段"),
                        ("holder", "responsible holder", "责任人")):
        ov, nv = getattr(o, fld), getattr(n, fld)
        if ov != nv:
            d.add(f"{fld}-changed", _N, ("steps", sid, fld), f"{name}: {en} {ov} → {nv}",
                  f"{name}：{zh} {ov or '无'} → {nv or '无'}", ov, nv, step=sid)
    for fld, en, zh in _FLAGS:
        ov, nv = getattr(o, fld), getattr(n, fld)
        if ov != nv:
            d.add(f"{fld.replace('_', '-')}-{'dropped' if ov else 'added'}", _L if ov else _T,
                  ("steps", sid, fld), f"{name}: {en} {'no longer required' if ov else 'now required'}",
                  f"{name}：{'不再要求' if ov else '新增要求'}{zh}", ov, nv, step=sid)


def _steps(d: _Diff) -> None:
    o, n = d.old.steps, d.new.steps
    for sid in o.keys() - n.keys():
        s = o[sid]
        weaker = s.kind in _CONTROL_KINDS
        d.add("step-removed", _L if weaker else _N, ("steps", sid),
              f"step removed: {d.sname(d.old, sid)}" + (f" (a {s.kind.value} step)" if weaker else ""),
              f"删除环节：{d.sname(d.old, sid)}" + ("（审查/决定/公示/监督类环节）" if weaker else ""),
              old=s.name, step=sid, side="old")
    for sid in n.keys() - o.keys():
        s = n[sid]
        d.add("step-added", _T if s.kind in _CONTROL_KINDS else _N, ("steps", sid),
              f"step added: {d.sname(d.new, sid)}", f"新增环节：{d.sname(d.new, sid)}",
              new=s.name, step=sid)
    for sid in o.keys() & n.keys():
        _step_fields(d, sid, o[sid], n[sid])
    had = any(s.kind is m.StepKind.DECISION and _collective(d.old, s) for s in o.values())
    has = any(s.kind is m.StepKind.DECISION and _collective(d.new, s) for s in n.values())
    replaced = [c for c in d.out if c.kind == "collective-decision-dropped"]
    if had and not has and not replaced:
        d.add("collective-decision-dropped", _L, ("steps",),
              "no decision is taken by a collective body any more",
              "已无由集体决策机构作出的决定环节（集体决策被取消）")


def _collective(flow: m.Flow, s: m.Step) -> bool:
    a = flow.actors.get(s.actor)
    return a is not None and a.kind is m.ActorKind.COLLECTIVE


def _actors(d: _Diff) -> None:
    used_o = {s.actor for s in d.old.steps.values()}
    used_n = {s.actor for s in d.new.steps.values()}
    for aid in sorted(used_o - used_n):
        d.add("actor-removed", _N, ("actors", aid), f"actor no longer involved: {d.aname(d.old, aid)}",
              f"参与者不再参与：{d.aname(d.old, aid)}", side="old")
    for aid in sorted(used_n - used_o):
        d.add("actor-added", _N, ("actors", aid), f"actor now involved: {d.aname(d.new, aid)}",
              f"新增参与者：{d.aname(d.new, aid)}")
    for aid in sorted(used_o & used_n):
        oa, na = d.old.actors[aid], d.new.actors[aid]
        if oa.min_size and na.min_size != oa.min_size:
            smaller = (na.min_size or 1) < oa.min_size
            d.add("actor-size-changed", _L if smaller else _T, ("actors", aid, "min_size"),
                  f"{d.aname(d.new, aid)}: minimum size {oa.min_size} → {na.min_size}",
                  f"{d.aname(d.new, aid)} 最少人数 {oa.min_size} → {na.min_size}",
                  oa.min_size, na.min_size)
        if oa.standing != na.standing:
            d.add("actor-standing-changed", _L if na.standing else _T,
                  ("actors", aid, "standing"),
                  f"{d.aname(d.new, aid)} is {'now' if na.standing else 'no longer'} a standing "
                  f"committee: random drawing of its members is {'no longer' if na.standing else 'now'} required",
                  f"{d.aname(d.new, aid)} {'改为' if na.standing else '不再是'}常设委员会："
                  f"{'不再' if na.standing else '须'}随机抽取成员", oa.standing, na.standing)
        if oa.kind != na.kind:
            looser = oa.kind in (m.ActorKind.COLLECTIVE, m.ActorKind.PANEL) and na.kind not in (
                m.ActorKind.COLLECTIVE, m.ActorKind.PANEL)
            d.add("actor-kind-changed", _L if looser else _N, ("actors", aid, "kind"),
                  f"{d.aname(d.new, aid)} changed from {oa.kind.value} to {na.kind.value}",
                  f"{d.aname(d.new, aid)} 类型由 {oa.kind.value} 改为 {na.kind.value}",
                  oa.kind, na.kind)


def _transitions(d: _Diff) -> None:
    def key(t: m.Transition) -> tuple[str, str, str]:
        return (t.from_, t.to, t.event)
    o = {key(t): t for t in d.old.transitions}
    n = {key(t): t for t in d.new.transitions}
    for k in sorted(o.keys() - n.keys()):
        d.add("transition-removed", _N, ("transitions",),
              f"transition removed: {d.sname(d.old, k[0])} → {d.sname(d.old, k[1])} ({k[2]})",
              f"删除流转：{d.sname(d.old, k[0])} → {d.sname(d.old, k[1])}（{k[2]}）",
              side="old", edge=k)
    for k in sorted(n.keys() - o.keys()):
        d.add("transition-added", _N, ("transitions",),
              f"transition added: {d.sname(d.new, k[0])} → {d.sname(d.new, k[1])} ({k[2]})",
              f"新增流转：{d.sname(d.new, k[0])} → {d.sname(d.new, k[1])}（{k[2]}）", edge=k)
    for k in sorted(o.keys() & n.keys()):
        oc, nc = o[k].condition, n[k].condition
        if oc != nc:
            d.add("condition-changed", _N, ("transitions",),
                  f"condition of {k[0]} → {k[1]} changed: {oc.describe() if oc else 'none'} → "
                  f"{nc.describe() if nc else 'none'}",
                  f"{k[0]} → {k[1]} 的条件变更：{oc.describe() if oc else '无'} → "
                  f"{nc.describe() if nc else '无'}", edge=k)


def _controls(d: _Diff, rid: str, o: m.Risk, n: m.Risk) -> None:
    step_actor = d.new.steps[n.at].actor if n.at in d.new.steps else None
    oc = {c.name: c for c in o.controls}
    nc = {c.name: c for c in n.controls}
    for name in oc.keys() - nc.keys():
        d.add("control-removed", _L, ("risks", rid, "controls"),
              f"control removed from risk {rid}: {name}", f"风险点 {rid} 删除防控措施：{name}",
              old=name, risk=rid, step=o.at, side="old")
    for name in nc.keys() - oc.keys():
        d.add("control-added", _T, ("risks", rid, "controls"),
              f"control added to risk {rid}: {name}", f"风险点 {rid} 新增防控措施：{name}",
              new=name, risk=rid, step=n.at)
    for name in oc.keys() & nc.keys():
        a, b = oc[name], nc[name]
        if a.kind == "step" and b.kind == "evidence":
            d.add("control-weakened", _L, ("risks", rid, "controls"),
                  f"control {name} of risk {rid} is no longer a step of the flow, only a record "
                  f"({b.evidence})", f"风险点 {rid} 的防控措施 {name} 由流程环节降为留痕记录（{b.evidence}）",
                  a.step, b.evidence, risk=rid, step=n.at)
        elif a.kind == "evidence" and b.kind == "step":
            d.add("control-strengthened", _T, ("risks", rid, "controls"),
                  f"control {name} of risk {rid} is now a step of the flow ({b.step})",
                  f"风险点 {rid} 的防控措施 {name} 改为流程环节（{b.step}）", a.evidence, b.step,
                  risk=rid, step=n.at)
        elif a.operative != b.operative:
            weaker = a.operative and not b.operative
            d.add("control-weakened" if weaker else "control-strengthened", _L if weaker else _T,
                  ("risks", rid, "controls"),
                  f"control {name} of risk {rid} is now a {b.kind} (was a {a.kind})"
                  + (": it no longer acts on each case" if weaker else ""),
                  f"风险点 {rid} 的防控措施 {name} 由 {a.kind} 改为 {b.kind}"
                  + ("，不再作用于每个办件" if weaker else ""), a.kind, b.kind, risk=rid, step=n.at)
        if a.owner != b.owner:
            own = b.owner == step_actor
            d.add("control-owner-changed", _L if own else _T if a.owner == step_actor else _N,
                  ("risks", rid, "controls"),
                  f"control {name} of risk {rid} now owned by {d.aname(d.new, b.owner)}"
                  + (" — the risk step's own actor, so it no longer checks anyone else" if own else ""),
                  f"风险点 {rid} 的防控措施 {name} 责任人改为 {d.aname(d.new, b.owner)}"
                  + ("（即风险环节的办理者本身，失去独立制约）" if own else ""),
                  a.owner, b.owner, risk=rid, step=n.at)


def _risks(d: _Diff) -> None:
    o, n = d.old.risks, d.new.risks
    for rid in sorted(o.keys() - n.keys()):
        d.add("risk-removed", _L, ("risks", rid),
              f"risk point removed: {rid} ({o[rid].level.value}) {o[rid].description}",
              f"删除风险点：{rid}（{o[rid].level.zh}）{o[rid].description}",
              risk=rid, step=o[rid].at, side="old")
    for rid in sorted(n.keys() - o.keys()):
        d.add("risk-added", _T, ("risks", rid),
              f"risk point added: {rid} ({n[rid].level.value}) {n[rid].description}",
              f"新增风险点：{rid}（{n[rid].level.zh}）{n[rid].description}", risk=rid, step=n[rid].at)
    for rid in sorted(o.keys() & n.keys()):
        a, b = o[rid], n[rid]
        if a.level != b.level:
            lower = b.level.rank < a.level.rank
            d.add("risk-level-lowered" if lower else "risk-level-raised", _L if lower else _T,
                  ("risks", rid, "level"),
                  f"risk {rid} level {'lowered' if lower else 'raised'}: {a.level.value} → {b.level.value}",
                  f"风险点 {rid} 等级{'降低' if lower else '提高'}：{a.level.zh} → {b.level.zh}",
                  a.level, b.level, risk=rid, step=b.at)
        if a.at != b.at:
            d.add("risk-moved", _N, ("risks", rid, "at"), f"risk {rid} moved: {a.at} → {b.at}",
                  f"风险点 {rid} 位置变更：{a.at} → {b.at}", a.at, b.at, risk=rid, step=b.at)
        _controls(d, rid, a, b)


def _separation(d: _Diff) -> None:
    o = {frozenset(s.steps): s for s in d.old.separation}
    n = {frozenset(s.steps): s for s in d.new.separation}
    for g in o.keys() - n.keys():
        kept = [h for h in n if h < g and len(h) >= 2]
        d.add("separation-dropped", _L, ("separation",),
              f"separation of duties {' / '.join(sorted(g))} dropped"
              + (f" (narrowed to {' / '.join(sorted(kept[0]))})" if kept else ""),
              f"取消不相容岗位分离：{' / '.join(sorted(g))}", old=sorted(g), side="old")
    for g in n.keys() - o.keys():
        d.add("separation-added", _T, ("separation",),
              f"separation of duties added: {' / '.join(sorted(g))}",
              f"新增不相容岗位分离：{' / '.join(sorted(g))}", new=sorted(g))


def _parallel(d: _Diff) -> None:
    """A parallel block dropped turns a countersign into alternatives (loosening)."""
    o, n = d.old.parallel, d.new.parallel
    for pid in sorted(o.keys() - n.keys()):
        d.add("parallel-dropped", _L, ("parallel", pid),
              f"parallel block {pid} dropped: its branches no longer all have to finish",
              f"取消并联块 {pid}：各分支不再须全部完成", old=pid, side="old")
    for pid in sorted(n.keys() - o.keys()):
        d.add("parallel-added", _T, ("parallel", pid),
              f"parallel block {pid} added: every branch has to finish",
              f"新增并联块 {pid}：各分支须全部完成", new=pid)
    for pid in sorted(o.keys() & n.keys()):
        if o[pid] != n[pid]:
            d.add("parallel-changed", _N, ("parallel", pid), f"parallel block {pid} changed",
                  f"并联块 {pid} 变更", o[pid].branches, n[pid].branches)


def _suppress(d: _Diff) -> None:
    o = {(s.code, s.at) for s in d.old.suppress}
    for s in d.new.suppress:
        if (s.code, s.at) not in o:
            d.add("suppression-added", _L, ("suppress",),
                  f"rule {s.code} suppressed{' at ' + s.at if s.at else ''}: {s.reason}",
                  f"新增规则豁免 {s.code}{'（' + s.at + '）' if s.at else ''}：{s.reason}",
                  new=s.code)
    n = {(s.code, s.at) for s in d.new.suppress}
    for code, at in sorted(o - n, key=str):
        d.add("suppression-removed", _T, ("suppress",),
              f"suppression of {code}{' at ' + at if at else ''} removed",
              f"取消规则豁免 {code}{'（' + at + '）' if at else ''}", old=code, side="old")


def compare(old: m.Flow, new: m.Flow) -> list[Change]:
    """Every semantic change from `old` to `new`, loosening ones first."""
    d = _Diff(old, new)
    for part in (_power, _actors, _steps, _parallel, _transitions, _risks, _separation,
                 _suppress):
        part(d)
    order = {Effect.LOOSENING: 0, Effect.TIGHTENING: 1, Effect.NEUTRAL: 2}
    return sorted(d.out, key=lambda c: order[c.effect])
