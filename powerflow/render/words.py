"""Conditions in words for charts: fact names and values instead of ids and operators.

Takes a `Condition`, the flow's `facts` (id → description) and a language; gives a short
reading such as ``当事人在告知后5日内要求听证`` or ``否：情节复杂或者重大违法行为`` (``amount ≥ 2000000``
becomes ``拟采购金额不少于2000000``). A fact is named by its description up to the first
bracket or comma; without a description (and in English, where facts have no English name)
by its id with underscores as spaces. Booleans read as the fact itself, 是/否 or yes/no.
Must not: evaluate conditions, escape text, or read files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..model import Condition, Scalar

__all__ = ["condition_text", "fact_name"]

_OPS = {
    "zh": {"==": "为{}", "!=": "不为{}", "<": "小于{}", "<=": "不超过{}", ">": "大于{}",
           ">=": "不少于{}", "in": "为{}之一", "not_in": "不为{}", "exists": "已填写"},
    "en": {"==": " is {}", "!=": " is not {}", "<": " under {}", "<=": " at most {}",
           ">": " over {}", ">=": " at least {}", "in": " one of {}", "not_in": " none of {}",
           "exists": " given"},
}
_WORDS = {"zh": {"and": "且", "or": "或", "not": "否：{}", "true": "是", "false": "否",
                 "sep": "、"},
          "en": {"and": " and ", "or": " or ", "not": "not: {}", "true": "yes", "false": "no",
                 "sep": ", "}}
_NAME_END = re.compile(r"[（(，,；;：:]")


def fact_name(fact: str, facts: Mapping[str, str], lang: str = "zh") -> str:
    """The readable name of a fact: its description's head in Chinese, else its id in words."""
    desc = facts.get(fact, "") if lang != "en" else ""
    head = _NAME_END.split(desc, maxsplit=1)[0].strip()
    return head or fact.replace("_", " ")


def _value(v: Scalar | tuple[Scalar, ...], w: dict[str, str]) -> str:
    if isinstance(v, tuple):
        return w["sep"].join(_value(x, w) for x in v)
    if isinstance(v, bool):
        return w["true"] if v else w["false"]
    return str(v)


def condition_text(cond: Condition, facts: Mapping[str, str], lang: str = "zh") -> str:
    """`cond` in words (see the module docstring)."""
    key = "en" if lang == "en" else "zh"
    w = _WORDS[key]
    if cond.all is not None:
        return w["and"].join(condition_text(c, facts, lang) for c in cond.all)
    if cond.any is not None:
        return w["or"].join(condition_text(c, facts, lang) for c in cond.any)
    if cond.not_ is not None:
        return w["not"].format(condition_text(cond.not_, facts, lang))
    name = fact_name(cond.fact or "", facts, lang)
    if cond.op == "==" and cond.value is True:
        return name
    if cond.op == "==" and cond.value is False:
        return w["not"].format(name)
    return name + _OPS[key][str(cond.op)].format(_value(cond.value, w))
