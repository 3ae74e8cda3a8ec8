"""The rule registry: what a rule is, and the context a rule sees.

Takes nothing; gives `Rule` (permanent code, kebab-case name naming the problem, family, default
severity, bilingual title and fix hint, the check function), `Finding` (what a check yields:
where, what, and the id a suppression can name), `Context` (the loaded flow, its `FlowGraph`
and location helpers) and `RULES`, filled by the `rule` decorator in the family modules.

Must not: print, read files, or decide selection and suppression (that is `engine`'s).
Codes are forever: never reuse or renumber one; retire a rule by leaving its code unused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..diagnostics import Location, Severity, Text

if TYPE_CHECKING:  # networkx and pydantic load only when a flow is analysed
    from ..graph import FlowGraph
    from ..loader import LoadedFlow
    from ..model import Flow

__all__ = ["FAMILIES", "RULES", "Check", "Context", "Finding", "Rule", "rule"]

FAMILIES: dict[str, Text] = {
    "PF100": Text("Suppressions (the rule engine's own)", "豁免（规则引擎自身）"),
    "PF1": Text("Structure", "结构"),
    "PF2": Text("Controls", "防控措施"),
    "PF3": Text("Separation of duties", "职责分离"),
    "PF4": Text("Openness and time", "公开与时限"),
}
"""Rule families by code prefix. PF0xx belong to the loader, PF5xx to the case audit."""

_CODE = re.compile(r"^PF[1-4]\d\d$")
_NAME = re.compile(r"^[a-z]+(-[a-z0-9]+)+$")


@dataclass(frozen=True)
class Finding:
    """One problem a check found. `at` is the step, risk, event or actor id an inline
    suppression names to waive it (None: only a file-wide suppression covers it)."""

    location: Location
    message: Text
    at: str | None = None
    hint: Text | None = None
    data: dict[str, Any] = field(default_factory=dict)


class Context:
    """What a rule sees: the loaded file (for locations), its flow and its graph."""

    def __init__(self, loaded: LoadedFlow) -> None:
        assert loaded.flow is not None
        self.loaded = loaded
        self.flow: Flow = loaded.flow

    @cached_property
    def graph(self) -> FlowGraph:
        from ..graph import FlowGraph

        return FlowGraph(self.flow)

    def step_loc(self, step: str) -> Location:
        return self.loaded.locate_step(step)

    def risk_loc(self, risk: str) -> Location:
        return self.loaded.locate_risk(risk)

    def transition_loc(self, index: int) -> Location:
        return self.loaded.locate_transition(index)

    def loc(self, *path: str | int, key: bool = True) -> Location:
        return self.loaded.locate(*path, key=key)

    def actor_kind(self, actor: str) -> Any:
        """The kind (`ActorKind`) of an actor, None for an unknown id."""
        a = self.flow.actors.get(actor)
        return a.kind if a else None

    def actor_name(self, actor: str) -> str:
        a = self.flow.actors.get(actor)
        return a.name if a else actor

    def risk_steps(self, risk_id: str) -> list[str]:
        """The step a risk sits on, or the source steps of the transitions of its event."""
        at = self.flow.risks[risk_id].at
        if at in self.flow.steps:
            return [at]
        return sorted({t.from_ for t in self.flow.transitions if t.event == at},
                      key=self.graph.order)


Check = Callable[[Context], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    title: Text
    hint: Text
    check: Check = field(repr=False)
    recommended: bool = True

    @property
    def family(self) -> Text:
        return FAMILIES.get(self.code) or FAMILIES[self.code[:3]]

    def __post_init__(self) -> None:
        if not _CODE.match(self.code):
            raise ValueError(f"rule code {self.code!r} is not PF1xx-PF4xx")
        if not _NAME.match(self.name):
            raise ValueError(f"rule name {self.name!r} is not kebab-case")


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, severity: Severity, title: Text, hint: Text,
         recommended: bool = True) -> Callable[[Check], Check]:
    """Register a check function as rule `code` (each code and name only once)."""

    def deco(fn: Check) -> Check:
        if code in RULES:
            raise ValueError(f"rule code {code} registered twice")
        if any(r.name == name for r in RULES.values()):
            raise ValueError(f"rule name {name} registered twice")
        RULES[code] = Rule(code, name, severity, title, hint, fn, recommended)
        return fn

    return deco
