"""Kinds of case deviation (PF5xx), shared by the single-case audit and the log replay.

Takes nothing; gives `Deviation` (the permanent code, kebab-case name, default severity and
bilingual title of each kind). Codes are forever: never reuse or renumber one.
Must not: detect anything itself; detection lives in the engine and replay modules.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .diagnostics import Severity, Text

__all__ = ["UNIT_ZH", "Deviation", "Unchecked", "unit_text"]


class Deviation(enum.Enum):
    """(code, name, severity, English title, Chinese title)."""

    EVENT_NOT_ALLOWED = ("PF501", "event-not-allowed", Severity.ERROR,
                         "event not allowed in the current step", "当前环节不允许该事件")
    CONTROL_EVIDENCE_MISSING = ("PF502", "control-evidence-missing", Severity.ERROR,
                                "control evidence missing at a risk point", "风险点防控留痕缺失")
    SEPARATION_BREACH = ("PF503", "separated-steps-same-person", Severity.ERROR,
                         "separated steps done by one person", "应分离的环节由同一人办理")
    STEP_OVERDUE = ("PF504", "step-overdue", Severity.ERROR,
                    "step over its working-day limit (red)", "环节超过时限（红灯）")
    STEP_NEAR_LIMIT = ("PF505", "step-near-limit", Severity.WARNING,
                       "step near its working-day limit (yellow)", "环节临近时限（黄灯）")
    CASE_OVERDUE = ("PF506", "case-overdue", Severity.ERROR,
                    "case over its promised limit (red)", "办件超过承诺时限（红灯）")
    CASE_NEAR_LIMIT = ("PF507", "case-near-limit", Severity.WARNING,
                       "case near its promised limit (yellow)", "办件临近承诺时限（黄灯）")
    UNKNOWN_ACTIVITY = ("PF508", "unknown-activity", Severity.WARNING,
                        "activity unknown to the flow", "流程中没有的活动")
    CASE_UNFINISHED = ("PF509", "case-unfinished", Severity.WARNING,
                       "case did not reach an end step", "办件未办结")
    CONTROL_STEP_SKIPPED = ("PF510", "control-step-skipped", Severity.ERROR,
                            "control step skipped on the way to the outcome", "绕过了防控环节")
    TIME_OUTSIDE_CALENDAR = ("PF511", "time-outside-calendar", Severity.ERROR,
                             "working days cannot be counted: date outside the calendar",
                             "日期超出工作日历范围，无法计算工作日")
    PERIOD_ENDED_EARLY = ("PF512", "period-ended-early", Severity.ERROR,
                          "a minimum period (notice, publicity) ended too early",
                          "公示（公告）等最短期限未满即结束")
    YEAR_NOT_DECLARED = ("PF531", "year-arrangement-not-declared", Severity.WARNING,
                         "working days counted on statutory holidays only: the year's "
                         "arrangement (调休) is not declared",
                         "该年调休安排未声明，仅按法定节假日计算工作日")

    @property
    def code(self) -> str:
        return self.value[0]

    @property
    def rule_name(self) -> str:
        return self.value[1]

    @property
    def severity(self) -> Severity:
        return self.value[2]

    @property
    def title(self) -> Text:
        return Text(self.value[3], self.value[4])

    @classmethod
    def by_code(cls, code: str) -> Deviation:
        for d in cls:
            if d.code == code:
                return d
        raise KeyError(code)


def unit_text(unit: str, lang: str) -> str:
    """The unit of a not-checked count in the report language."""
    return UNIT_ZH.get(unit, unit) if lang.startswith("zh") else unit


UNIT_ZH = {"events": "个事件", "cases": "件", "mapping keys": "个映射键", "records": "条记录",
           "risks": "个风险点", "risk passes": "次风险点经过", "branches": "个分支", "steps": "个环节",
           "transitions": "个流转"}
"""The Chinese words of the units an `Unchecked` entry counts in."""


@dataclass(frozen=True, slots=True)
class Unchecked:
    """A check that could not run, or ran on partial data: what, why, and how much it affects.

    `key` names the kind (e.g. ``person-missing``); `count` is how many events, cases or
    passes are affected (`unit` says which); every report format shows it."""

    key: str
    count: int
    unit: str
    en: str
    zh: str

    def to_dict(self) -> dict[str, object]:
        return {"key": self.key, "count": self.count, "unit": self.unit,
                "en": self.en, "zh": self.zh}
