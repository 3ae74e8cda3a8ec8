"""The power-list model: typed, immutable, free of IO.

Takes plain data (dicts, lists, strings, numbers) through pydantic validation; gives frozen
records for a department catalogue (`Catalog`) and one power's flow (`FlowFile`, assembled into
`Flow` with the catalogue's shared actors). Accepts Chinese and English names for enumerations
(行政许可 / licensing, 高 / high …) and normalises them to the English value.

Must not: read files, print, import other powerflow modules, or execute anything from the data.
Guard conditions are declarative comparisons evaluated by `Condition.evaluate`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

__all__ = [
    "Actor",
    "ActorKind",
    "CalendarSpec",
    "CalendarYear",
    "Catalog",
    "Category",
    "Clock",
    "Condition",
    "Control",
    "Defaults",
    "Department",
    "Duration",
    "EdgeKind",
    "Flow",
    "FlowFile",
    "LegalBasis",
    "LegalRank",
    "Limit",
    "Limits",
    "Outcome",
    "PowerInfo",
    "Risk",
    "RiskLevel",
    "Separation",
    "Step",
    "StepKind",
    "Supervision",
    "SupervisionLink",
    "Suppression",
    "Transition",
    "calendar_spec",
    "limit_days",
]

ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_\-]*$"
"""Ids of steps, actors, risks and events: ASCII, so they are safe as node names and URLs."""

Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=64)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=2000)]


class _Frozen(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, coerce_numbers_to_str=True
    )


class _AliasedEnum(enum.StrEnum):
    """A str enum whose members also accept Chinese (and other) names on input."""

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {}

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            key = value.strip()
            target = cls.aliases().get(key) or cls.aliases().get(key.lower())
            if target is not None:
                return cls(target)
            for member in cls:
                if member.value == key.lower().replace("-", "_").replace(" ", "_"):
                    return member
        return None

    @classmethod
    def accepted(cls) -> list[str]:
        """Every spelling accepted on input, for messages and the JSON Schema."""
        return [m.value for m in cls] + list(cls.aliases())


class Category(_AliasedEnum):
    """Power categories: the standard ten plus the provincial extras."""

    LICENSING = "licensing"
    PENALTY = "penalty"
    COERCION = "coercion"
    LEVY = "levy"
    PAYMENT = "payment"
    INSPECTION = "inspection"
    CONFIRMATION = "confirmation"
    AWARD = "award"
    ADJUDICATION = "adjudication"
    OTHER = "other"
    NON_LICENSING_APPROVAL = "non_licensing_approval"
    REQUISITION = "requisition"

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {
            "行政许可": "licensing",
            "行政处罚": "penalty",
            "行政强制": "coercion",
            "行政征收": "levy",
            "行政给付": "payment",
            "行政检查": "inspection",
            "行政确认": "confirmation",
            "行政奖励": "award",
            "行政裁决": "adjudication",
            "其他行政权力": "other",
            "其他": "other",
            "非行政许可审批": "non_licensing_approval",
            "行政征用": "requisition",
        }

    @property
    def zh(self) -> str:
        return {v: k for k, v in self.aliases().items() if k != "其他"}[self.value]


class LegalRank(_AliasedEnum):
    """Rank of a legal instrument, as tagged in published lists (【法律】…)."""

    LAW = "law"
    ADMINISTRATIVE_REGULATION = "administrative_regulation"
    LOCAL_REGULATION = "local_regulation"
    DEPARTMENTAL_RULE = "departmental_rule"
    LOCAL_RULE = "local_rule"
    NORMATIVE_DOCUMENT = "normative_document"

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {
            "法律": "law",
            "行政法规": "administrative_regulation",
            "地方性法规": "local_regulation",
            "部门规章": "departmental_rule",
            "地方政府规章": "local_rule",
            "规范性文件": "normative_document",
        }


class ActorKind(_AliasedEnum):
    EXTERNAL = "external"
    POST = "post"
    OFFICE = "office"
    LEADER = "leader"
    COLLECTIVE = "collective"
    PANEL = "panel"
    SUPERVISOR = "supervisor"

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {
            "外部": "external",
            "岗位": "post",
            "科室": "office",
            "领导": "leader",
            "集体": "collective",
            "专家组": "panel",
            "监督": "supervisor",
        }


class StepKind(_AliasedEnum):
    START = "start"
    TASK = "task"
    REVIEW = "review"
    DECISION = "decision"
    NOTICE = "notice"
    SUPERVISION = "supervision"
    END = "end"

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {
            "开始": "start",
            "办理": "task",
            "审查": "review",
            "决定": "decision",
            "公示": "notice",
            "监督": "supervision",
            "办结": "end",
        }


class Clock(_AliasedEnum):
    """Whether a step's time counts against the case's limit."""

    COUNTS = "counts"
    PAUSED = "paused"
    EXCLUDED = "excluded"

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {"计时": "counts", "暂停": "paused", "不计入": "excluded", "不计时": "excluded"}


class Outcome(_AliasedEnum):
    """How a case ends. `favourable` outcomes are the ones a control must guard."""

    GRANTED = "granted"
    REFUSED = "refused"
    NOT_ACCEPTED = "not_accepted"
    WITHDRAWN = "withdrawn"
    TRANSFERRED = "transferred"
    PENALISED = "penalised"
    NO_PENALTY = "no_penalty"
    CLOSED = "closed"

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {
            "准予": "granted",
            "通过": "granted",
            "不予": "refused",
            "不予受理": "not_accepted",
            "撤回": "withdrawn",
            "移送": "transferred",
            "处罚": "penalised",
            "不予处罚": "no_penalty",
            "办结": "closed",
        }

    @property
    def zh(self) -> str:
        return {"granted": "准予", "refused": "不予", "not_accepted": "不予受理",
                "withdrawn": "撤回", "transferred": "移送", "penalised": "处罚",
                "no_penalty": "不予处罚", "closed": "办结"}[self.value]

    @classmethod
    def label(cls, value: str, lang: str) -> str:
        """The outcome's name in `lang` ("zh" or "en"); unknown values are returned as given."""
        try:
            outcome = cls(value)
        except ValueError:
            return value
        return outcome.zh if lang.startswith("zh") else outcome.value.replace("_", " ")

    @property
    def favourable(self) -> bool:
        """Outcomes that confer a benefit or impose a penalty: the ones a control must guard."""
        return self in (Outcome.GRANTED, Outcome.PENALISED, Outcome.CLOSED)

    @property
    def adverse(self) -> bool:
        """Outcomes that deny an applicant and so owe written reasons and appeal rights."""
        return self in (Outcome.REFUSED, Outcome.NOT_ACCEPTED)


class RiskLevel(_AliasedEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {
            "高": "high",
            "中": "medium",
            "低": "low",
            "★★★": "high",
            "★★": "medium",
            "★": "low",
            "h": "high",
            "m": "medium",
            "l": "low",
        }

    @property
    def zh(self) -> str:
        return {"high": "高", "medium": "中", "low": "低"}[self.value]

    @property
    def rank(self) -> int:
        return {"high": 3, "medium": 2, "low": 1}[self.value]


class EdgeKind(_AliasedEnum):
    FLOW = "flow"
    SEND_BACK = "send_back"

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {"流转": "flow", "退回": "send_back", "补正": "send_back"}


LimitWord = Literal["same_day", "immediate"]
Limit = int | LimitWord
"""A time limit: whole working days, or `same_day` (当天) / `immediate` (即办)."""

_LIMIT_WORDS = {"当天": "same_day", "当日": "same_day", "即办": "immediate", "即时": "immediate"}


def _parse_limit(value: Any) -> Any:
    if isinstance(value, str):
        v = value.strip()
        if v in _LIMIT_WORDS:
            return _LIMIT_WORDS[v]
        m = re.fullmatch(r"(\d+)\s*(个)?工作日", v)
        if m:
            return int(m.group(1))
        return v.lower().replace("-", "_").replace(" ", "_")
    return value


def limit_days(limit: Limit | None) -> int:
    """Working days a limit allows: `same_day` and `immediate` count as 0, no limit as 0."""
    if limit is None or isinstance(limit, str):
        return 0
    return limit


LimitField = Annotated[Limit, Field(json_schema_extra={"examples": [5, "same_day", "20个工作日"]})]


class LegalBasis(_Frozen):
    rank: LegalRank
    instrument: ShortText
    article: str | None = None


class Limits(_Frozen):
    """Statutory (法定) and promised (承诺) limits of the whole case, in working days."""

    statutory: LimitField | None = None
    promised: LimitField | None = None
    note: str | None = None

    _v = field_validator("statutory", "promised", mode="before")(_parse_limit)

    @field_validator("statutory", "promised")
    @classmethod
    def _non_negative(cls, v: Limit | None) -> Limit | None:
        if isinstance(v, int) and v < 0:
            raise ValueError("a time limit cannot be negative")
        return v


class Supervision(_Frozen):
    """Public supervision channels (监督电话, e-mail, address) and the service window's phone."""

    hotline: str | None = None
    email: str | None = None
    address: str | None = None
    window_phone: str | None = None


class PowerInfo(_Frozen):
    """A power-list row: what the power is, who holds it, on what basis, within what time."""

    code: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-\.]+$")]
    name: ShortText
    name_en: str | None = None
    sub_item: str | None = None
    category: Category
    body: str | None = None
    office: str | None = None
    leader: str | None = None
    legal_basis: tuple[LegalBasis, ...] = ()
    limits: Limits = Limits()
    supervision: Supervision = Supervision()
    fees: str | None = None
    target: str | None = None
    conditions: str | None = None
    requires_publicity: bool | None = None
    version: str | None = None


class Actor(_Frozen):
    """A post, office, leader, collective body, panel, supervisor or external party."""

    name: ShortText
    name_en: str | None = None
    kind: ActorKind
    min_size: Annotated[int, Field(ge=1, le=1000)] | None = None
    description: str | None = None


class Duration(_Frozen):
    """A step's working-day duration for random simulation: triangular(min, mode, max)."""

    min: Annotated[float, Field(ge=0)]
    mode: Annotated[float, Field(ge=0)]
    max: Annotated[float, Field(ge=0)]

    @model_validator(mode="after")
    def _ordered(self) -> Duration:
        if not self.min <= self.mode <= self.max:
            raise ValueError("duration needs min <= mode <= max")
        return self


class SupervisionLink(_Frozen):
    step: Id
    label: str | None = None


class Step(_Frozen):
    """One step (环节) of a flow, done by one actor."""

    name: ShortText
    name_en: str | None = None
    actor: Id
    kind: StepKind = StepKind.TASK
    limit: LimitField | None = None
    clock: Clock = Clock.COUNTS
    outcome: Outcome | None = None
    notice_days: Annotated[int, Field(ge=1, le=365)] | None = None
    documents: tuple[str, ...] = ()
    expert: bool = False
    written_reasons: bool = False
    appeal_notice: bool = False
    duration: Duration | None = None
    supervises: tuple[SupervisionLink, ...] = ()
    description: str | None = None

    _v = field_validator("limit", mode="before")(_parse_limit)

    @field_validator("limit")
    @classmethod
    def _non_negative(cls, v: Limit | None) -> Limit | None:
        if isinstance(v, int) and v < 0:
            raise ValueError("a time limit cannot be negative")
        return v

    @model_validator(mode="after")
    def _kind_fields(self) -> Step:
        if self.outcome is not None and self.kind is not StepKind.END:
            raise ValueError("only an end step (kind: end) has an outcome")
        if self.kind is StepKind.END and self.outcome is None:
            raise ValueError("an end step needs an outcome (granted, refused, withdrawn …)")
        if self.supervises and self.kind is not StepKind.SUPERVISION:
            raise ValueError("only a supervision step (kind: supervision) supervises steps")
        return self


CompareOp = Literal["==", "!=", "<", "<=", ">", ">=", "in", "not_in", "exists"]
Scalar = str | int | float | bool | None


class Condition(_Frozen):
    """A guard on a transition, as data: one comparison on a case fact, or all/any/not of them.

    Examples: ``{fact: amount, op: ">=", value: 2000000}``;
    ``{all: [{fact: bidders, op: ">=", value: 3}, {fact: amount, op: "<", value: 2000000}]}``.
    """

    fact: Id | None = None
    op: CompareOp | None = None
    value: Scalar | tuple[Scalar, ...] = None
    all: tuple[Condition, ...] | None = None
    any: tuple[Condition, ...] | None = None
    not_: Condition | None = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        forms = [self.fact is not None, self.all is not None, self.any is not None]
        forms.append(self.not_ is not None)
        if sum(forms) != 1:
            raise ValueError("a condition is exactly one of: fact/op/value, all, any, not")
        if self.fact is not None and self.op is None:
            raise ValueError("a comparison needs an op (==, !=, <, <=, >, >=, in, not_in, exists)")
        if self.op in ("in", "not_in") and not isinstance(self.value, tuple):
            raise ValueError(f"op {self.op} needs a list value")
        return self

    def facts(self) -> set[str]:
        """Names of every case fact the condition reads."""
        if self.fact is not None:
            return {self.fact}
        out: set[str] = set()
        for sub in (self.all or ()) + (self.any or ()) + ((self.not_,) if self.not_ else ()):
            out |= sub.facts()
        return out

    def evaluate(self, facts: Mapping[str, Any]) -> bool:
        """True when the case's facts satisfy the condition. A missing fact is never satisfied
        (except by ``exists`` being false under ``not``); comparisons between incompatible types
        are false rather than errors."""
        if self.all is not None:
            return all(c.evaluate(facts) for c in self.all)
        if self.any is not None:
            return any(c.evaluate(facts) for c in self.any)
        if self.not_ is not None:
            return not self.not_.evaluate(facts)
        assert self.fact is not None
        if self.op == "exists":
            return self.fact in facts and facts[self.fact] is not None
        if self.fact not in facts:
            return False
        left = facts[self.fact]
        right = self.value
        try:
            if self.op == "==":
                return bool(left == right)
            if self.op == "!=":
                return bool(left != right)
            if self.op in ("in", "not_in"):
                members = right if isinstance(right, tuple) else ()
                return (left in members) == (self.op == "in")
            if left is None or right is None or isinstance(right, tuple):
                return False
            if isinstance(left, bool) or isinstance(right, bool):
                return False
            if self.op == "<":
                return bool(left < right)
            if self.op == "<=":
                return bool(left <= right)
            if self.op == ">":
                return bool(left > right)
            if self.op == ">=":
                return bool(left >= right)
        except TypeError:
            return False
        return False

    def describe(self) -> str:
        """A short human reading of the condition, e.g. ``amount >= 2000000``."""
        if self.all is not None:
            return " 且 ".join(c.describe() for c in self.all)
        if self.any is not None:
            return " 或 ".join(c.describe() for c in self.any)
        if self.not_ is not None:
            return f"非({self.not_.describe()})"
        if self.op == "exists":
            return f"{self.fact} exists"
        return f"{self.fact} {self.op} {self.value}"


class Transition(_Frozen):
    """A move from one step to another on an event, optionally by one actor and guarded."""

    from_: Id = Field(alias="from")
    to: Id
    event: Id
    actor: Id | None = None
    label: str | None = None
    condition: Condition | None = None
    kind: EdgeKind = EdgeKind.FLOW
    probability: Annotated[float, Field(ge=0, le=1)] | None = None


class Control(_Frozen):
    """A prevention/control measure (防控措施) on a risk.

    Either a step of the flow (`step:`, e.g. collective decision, publicity, second review) that
    must lie on every path to the favourable outcome, or evidence (`evidence:`, e.g. a recusal
    declaration or random-draw record) that must be recorded when the risk step is done.
    """

    name: ShortText
    name_en: str | None = None
    step: Id | None = None
    evidence: Id | None = None
    owner: Id
    description: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Control:
        if (self.step is None) == (self.evidence is None):
            raise ValueError("a control names exactly one of `step` (a control step of the flow) "
                             "or `evidence` (a record kept at the risk step)")
        return self

    @property
    def kind(self) -> Literal["step", "evidence"]:
        return "step" if self.step is not None else "evidence"


class Risk(_Frozen):
    """An integrity-risk point (廉政风险点) on a step, graded, with its controls."""

    at: Id
    level: RiskLevel
    description: LongText
    responsible: Id
    controls: tuple[Control, ...] = ()
    category: str | None = None


class Separation(_Frozen):
    """Steps that must be done by different people (separation of duties, 四眼原则)."""

    steps: Annotated[tuple[Id, ...], Field(min_length=2)]
    reason: str | None = None


class Suppression(_Frozen):
    """An inline waiver of one rule on one target; the reason is shown in every report."""

    code: Annotated[str, Field(pattern=r"^PF\d{3}$")]
    at: Id | None = None
    reason: Annotated[str, Field(min_length=8, max_length=500)]


class FlowFile(_Frozen):
    """One power file as written: the power row, local actors, steps, transitions, risks."""

    power: PowerInfo
    actors: dict[Id, Actor] = {}
    lanes: tuple[Id, ...] = ()
    steps: dict[Id, Step]
    transitions: tuple[Transition, ...] = ()
    risks: dict[Id, Risk] = {}
    separation: tuple[Separation, ...] = ()
    suppress: tuple[Suppression, ...] = ()
    facts: dict[Id, str] = {}


class Department(_Frozen):
    name: ShortText
    name_en: str | None = None
    code: str | None = None
    region: str | None = None
    supervision: Supervision = Supervision()


DayText = Annotated[str, Field(min_length=1, max_length=40)]
"""A declared day ``2027-02-05`` or inclusive range ``2027-02-05/2027-02-11`` (the loader
checks that it is one, in its year: PF080-PF082)."""


class CalendarYear(_Frozen):
    """One year's declared days: the State Council arrangement (调休) of a Chinese year, or the
    public holidays of a year elsewhere."""

    holidays: tuple[DayText, ...] = ()
    workdays: tuple[DayText, ...] = ()
    source: Annotated[str, Field(max_length=200)] | None = None


class CalendarSpec(_Frozen):
    """A working-day calendar: `base` `cn` (Chinese mainland: statutory holidays for any year,
    the shipped arrangements, and `years` declared here) or `weekdays` (Monday-Friday, less the
    holidays declared in `years`). `file` names a YAML file of the same shape (relative to the
    file that names it); the loader reads it in."""

    base: Literal["cn", "weekdays"] = "cn"
    name: Annotated[str, Field(max_length=200)] | None = None
    years: dict[Annotated[int, Field(ge=1900, le=2200)], CalendarYear] = {}
    file: Annotated[str, Field(min_length=1, max_length=500)] | None = None


def calendar_spec(value: CalendarSpec | str | None) -> CalendarSpec:
    """A `calendar:` value as a declaration: a base name or a declaration (a file path left to
    the loader, which replaces it with the file's declaration)."""
    if isinstance(value, CalendarSpec):
        return value
    if value is None or value == "cn":
        return CalendarSpec()
    if value == "weekdays":
        return CalendarSpec(base="weekdays")
    return CalendarSpec(file=value)


def _calendar_kind(value: Any) -> str:
    return "text" if isinstance(value, str) else "spec"


CalendarField = Annotated[
    Annotated[str, Tag("text"), Field(min_length=1, max_length=500)]
    | Annotated[CalendarSpec, Tag("spec")],
    Discriminator(_calendar_kind)]
"""`calendar:` in a catalogue's defaults or a log mapping: `cn`, `weekdays`, a path to a
calendar file (`*.yaml`), or a declaration."""


class Defaults(_Frozen):
    """Department-wide defaults applied to every power that does not say otherwise."""

    calendar: CalendarField = "cn"
    yellow_at: Annotated[float, Field(gt=0, lt=1)] = 0.9
    lang: Literal["zh", "en"] = "zh"


class Catalog(_Frozen):
    """The department's catalogue file: who it is, its shared actors, defaults, lane order."""

    department: Department
    actors: dict[Id, Actor] = {}
    defaults: Defaults = Defaults()
    lanes: tuple[Id, ...] = ()


class Flow(_Frozen):
    """A power ready for analysis: its file merged with the catalogue's department and actors.

    Built by the loader only after every reference has been checked, so every actor, step and
    risk id used inside it exists.
    """

    info: PowerInfo
    department: Department | None = None
    defaults: Defaults = Defaults()
    actors: dict[str, Actor]
    lanes: tuple[str, ...] = ()
    steps: dict[str, Step]
    transitions: tuple[Transition, ...] = ()
    risks: dict[str, Risk] = {}
    separation: tuple[Separation, ...] = ()
    suppress: tuple[Suppression, ...] = ()
    facts: dict[str, str] = {}

    @property
    def code(self) -> str:
        return self.info.code

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def start(self) -> str | None:
        """The first start step, if any."""
        return next((k for k, s in self.steps.items() if s.kind is StepKind.START), None)

    @property
    def ends(self) -> list[str]:
        return [k for k, s in self.steps.items() if s.kind is StepKind.END]

    @property
    def supervision(self) -> Supervision:
        """The power's own channels, falling back to the department's."""
        own = self.info.supervision
        if self.department is None:
            return own
        dept = self.department.supervision
        return Supervision(
            hotline=own.hotline or dept.hotline,
            email=own.email or dept.email,
            address=own.address or dept.address,
            window_phone=own.window_phone or dept.window_phone,
        )

    def lane_order(self) -> list[str]:
        """Actors in lane order: the flow's `lanes`, then the catalogue's, then first use."""
        used = [s.actor for s in self.steps.values()]
        order: list[str] = []
        for a in (*self.lanes, *used):
            if a in used and a not in order:
                order.append(a)
        return order

    def risks_at(self, step: str) -> list[tuple[str, Risk]]:
        return [(rid, r) for rid, r in self.risks.items() if r.at == step]

    def outgoing(self, step: str) -> list[Transition]:
        return [t for t in self.transitions if t.from_ == step]
