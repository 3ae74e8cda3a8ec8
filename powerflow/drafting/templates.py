"""Standard step skeletons by category: the one place `import-xlsx` and `new` take them from.

Takes a `PowerInfo` (what the power is) and the department `Catalog` (or None); gives the plain
data of a power file: the power row, the actors it needs (the catalogue's where it has a fitting
one, local ones otherwise), steps, transitions, standard risk points with controls, separation of
duties. Step limits share out the promised limit (or the statutory one) so that they never add up
to more than it.

Templates: `licensing` (申请→受理(不予受理/补正)→审查→决定(准予/不予, written reasons and appeal
notice)→送达), `penalty` (立案→调查取证→审核→告知→决定(重大案件集体讨论)→送达→执行→结案),
`award` (申报→形式审查→专家评审→公示→审定→颁奖) and `other`.

Must not: read files or decide anything about a specific department beyond the catalogue given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import model as m
from .normalise import split_offices
from .templates_data import ROLES, TEMPLATES, RiskSpec, Role, StepSpec, Template

__all__ = ["TEMPLATES", "TEMPLATE_FOR", "build_flow", "resolve_roles", "template_for"]

TEMPLATE_FOR: dict[m.Category, str] = {
    m.Category.LICENSING: "licensing",
    m.Category.NON_LICENSING_APPROVAL: "licensing",
    m.Category.PENALTY: "penalty",
    m.Category.AWARD: "award",
}
"""Category → template name; every other category takes `other`."""


def template_for(category: m.Category) -> str:
    return TEMPLATE_FOR.get(category, "other")


@dataclass
class Roles:
    """Role → actor id, and the local actors that had to be defined."""

    ids: dict[str, str] = field(default_factory=dict)
    local: dict[str, m.Actor] = field(default_factory=dict)


def _pick(catalog: m.Catalog, role: Role, office: str | None) -> str | None:
    candidates = [(aid, a) for aid, a in catalog.actors.items() if a.kind.value in role.kinds]
    if role.key == "office" and office:
        for aid, a in candidates:
            if a.name == office:
                return aid
        return None
    for word in role.prefer:
        for aid, a in candidates:
            if word in a.name:
                return aid
    if role.require_word:
        return None
    return candidates[0][0] if candidates else None


def resolve_roles(needed: list[str], catalog: m.Catalog | None, office: str | None,
                  names: dict[str, str] | None = None) -> Roles:
    """Map each template role to an actor: the catalogue's when one fits (the handling office by
    name, the window by 窗口, a legal office by 法规/法制 …), a local actor otherwise."""
    out = Roles()
    taken = set(catalog.actors) if catalog else set()
    for key in needed:
        role = ROLES[key]
        aid = _pick(catalog, role, office) if catalog else None
        if aid is not None:
            out.ids[key] = aid
            continue
        local_id = key if key not in taken else f"{key}_local"
        name = (names or {}).get(key) or role.name
        if key == "office" and office:
            name = office
        out.ids[key] = local_id
        out.local[local_id] = m.Actor(name=name, name_en=role.name_en, kind=m.ActorKind(role.kind),
                                      min_size=role.min_size)
        taken.add(local_id)
    return out


def _more_offices(names: list[str], catalog: m.Catalog | None, roles: Roles) -> None:
    """Offices after the first in a handling-office cell become actors of their own (the
    catalogue's of that name, else local ones), never merged into one actor."""
    known = catalog.actors if catalog else {}
    for n, name in enumerate(names, 2):
        if any(a.name == name for a in known.values()):
            continue  # the catalogue has it: the author can use it as is
        local_id = f"office_{n}"
        roles.local[local_id] = m.Actor(name=name, kind=m.ActorKind.OFFICE)


def _share_limits(steps: list[StepSpec], info: m.PowerInfo) -> dict[str, int]:
    """Working days per counting step: the promised (else statutory) limit shared by weight,
    rounded down, so the sum never exceeds it; nothing when it is too small to share."""
    total = info.limits.promised if info.limits.promised is not None else info.limits.statutory
    if not isinstance(total, int):
        return {}
    weighted = [s for s in steps if s.weight]
    if not weighted or total < len(weighted):
        return {}
    wsum = sum(s.weight for s in weighted)
    return {s.id: max(1, total * s.weight // wsum) for s in weighted}


def _power_data(info: m.PowerInfo) -> dict[str, Any]:
    data: dict[str, Any] = info.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data["category"] = info.category.zh
    if info.legal_basis:
        data["legal_basis"] = [
            {"rank": _RANK_ZH[b.rank.value],
             "instrument": b.instrument, **({"article": b.article} if b.article else {}),
             **({"note": b.note} if b.note else {})}
            for b in info.legal_basis]
    return data


_RANK_ZH = {v: k for k, v in m.LegalRank.aliases().items()}


def _risk_data(spec: RiskSpec, roles: Roles, steps: dict[str, Any]) -> dict[str, Any]:
    controls = []
    for c in spec.controls:
        entry: dict[str, Any] = {"name": c.name}
        entry["step" if c.step else "evidence"] = c.step or c.evidence
        entry["owner"] = roles.ids[c.owner]
        controls.append(entry)
    return {"at": spec.at, "level": m.RiskLevel(spec.level).zh, "description": spec.description,
            "responsible": steps[spec.at]["actor"], "controls": controls}


def build_flow(info: m.PowerInfo, catalog: m.Catalog | None = None,
               template: str | None = None) -> dict[str, Any]:
    """The plain data of a new power file for `info` from its category's template."""
    tpl: Template = TEMPLATES[template or template_for(info.category)]
    needed = list(dict.fromkeys(s.role for s in tpl.steps))
    for r in tpl.risks:
        needed.extend(c.owner for c in r.controls if c.owner not in needed)
    offices = split_offices(info.office)
    roles = resolve_roles(needed, catalog, offices[0] if offices else None, tpl.role_names)
    _more_offices(offices[1:], catalog, roles)
    limits = _share_limits(tpl.steps, info)
    steps: dict[str, Any] = {}
    for s in tpl.steps:
        step: dict[str, Any] = {"name": s.name, "actor": roles.ids[s.role], "kind": s.kind}
        if s.id in limits:
            step["limit"] = limits[s.id]
        step.update(s.extra)
        steps[s.id] = step
    transitions = []
    for t in tpl.transitions:
        tr: dict[str, Any] = {"from": t.src, "to": t.dst, "event": t.event}
        if t.label:
            tr["label"] = t.label
        if t.condition:
            tr["condition"] = t.condition
        if t.send_back:
            tr["kind"] = "send_back"
        transitions.append(tr)
    data: dict[str, Any] = {"power": _power_data(info)}
    if roles.local:
        data["actors"] = {aid: a.model_dump(mode="json", exclude_defaults=True)
                          for aid, a in roles.local.items()}
    data["steps"] = steps
    data["transitions"] = transitions
    if tpl.risks:
        data["risks"] = {r.id: _risk_data(r, roles, steps) for r in tpl.risks}
    if tpl.separation:
        data["separation"] = [{"steps": list(g), "reason": why} for g, why in tpl.separation]
    if tpl.facts:
        data["facts"] = dict(tpl.facts)
    return data
