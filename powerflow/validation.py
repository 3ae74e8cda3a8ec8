"""Turn pydantic's validation errors into PF003-PF006 diagnostics a person can act on.

Takes a `ValidationError` from validating plain data against a model class, the data itself and
its source map; gives diagnostics at the offending key or value's `file:line:column`, in English
and Chinese, with "did you mean" for typos and the allowed values for enumerations. Also holds
the small wording helpers the loader shares (`did_you_mean`, `describe`).

Must not: read files, print, or validate anything itself (the model does that).
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from . import model as m
from .diagnostics import Diagnostic, Location, Severity, Text
from .source import SourceMap, locate

__all__ = ["describe", "did_you_mean", "pydantic_diagnostics", "translate"]


def _err(code: str, name: str, loc: Location, en: str, zh: str,
         hint: Text | None = None, severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(code, severity, loc, Text(en, zh), hint, name)


def did_you_mean(word: str, choices: Iterable[str]) -> tuple[str, str]:
    """A "did you mean" suffix (English, Chinese) for `word`, or the list of choices when short."""
    choices = sorted(set(choices))
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?", f"；是否想写 {close[0]!r}？"
    if 0 < len(choices) <= 12:
        listing = ", ".join(choices)
        return f"; expected one of: {listing}", f"；可选：{listing}"
    return "", ""


def describe(value: Any) -> Text:
    """What a value is, for "should be X, not Y" messages, in both languages."""
    if value is None:
        return Text("nothing (null)", "空值（null）")
    if isinstance(value, bool):
        return Text(f"a boolean ({value})", f"布尔值（{str(value).lower()}）")
    if isinstance(value, dict):
        return Text("a mapping", "映射")
    if isinstance(value, list):
        return Text("a list", "列表")
    if isinstance(value, int | float):
        return Text(f"a number ({value})", f"数字（{value}）")
    text = str(value)
    short = text[:40] + ("…" if len(text) > 40 else "")
    return Text(f"the text {short!r}", f"文本 {short!r}")


# Messages raised by model validators (English only there), with their Chinese wording.
_MODEL_MESSAGES = {
    "a time limit cannot be negative": "时限不能为负数",
    "duration needs min <= mode <= max": "duration 需满足 min <= mode <= max",
    "only an end step (kind: end) has an outcome":
        "只有办结环节（kind: end）才有 outcome",
    "an end step needs an outcome (granted, refused, withdrawn …)":
        "办结环节需要写明 outcome（granted 准予、refused 不予、withdrawn 撤回 …）",
    "only a supervision step (kind: supervision) supervises steps":
        "只有监督环节（kind: supervision）才能写 supervises",
    "a condition is exactly one of: fact/op/value, all, any, not":
        "条件只能是以下之一：fact/op/value、all、any、not",
    "a comparison needs an op (==, !=, <, <=, >, >=, in, not_in, exists)":
        "比较条件需要 op（==、!=、<、<=、>、>=、in、not_in、exists）",
    "a control names exactly one of `step` (a control step of the flow) or `evidence` "
    "(a record kept at the risk step)":
        "防控措施必须且只能写 `step`（流程中的控制环节）或 `evidence`（在风险环节留存的记录）之一",
}
_OP_LIST = re.compile(r"^op (\S+) needs a list value$")

_ID_HELP = Text("ids use ASCII letters, digits, _ and -, and start with a letter",
                "标识只能用英文字母、数字、_ 和 -，并以字母开头")
_CODE_HELP = Text("a power code uses ASCII letters, digits, -, _ and . (no spaces), "
                  "e.g. KJ-XK-0001",
                  "职权编码只能用英文字母、数字、-、_ 和 .（不含空格），例如 KJ-XK-0001")


def translate(err: Any) -> Text:
    """One pydantic error as a bilingual sentence (without location or input)."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    msg = str(err["msg"]).removeprefix("Value error, ")
    if msg in _MODEL_MESSAGES:
        return Text(msg, _MODEL_MESSAGES[msg])
    if (op := _OP_LIST.match(msg)) is not None:
        return Text(msg, f"op {op.group(1)} 需要列表值")
    if kind == "string_pattern_mismatch":
        return _CODE_HELP if ctx.get("pattern") == r"^[A-Za-z0-9_\-\.]+$" else (
            _ID_HELP if ctx.get("pattern") == m.ID_PATTERN else
            Text(f"the text must match {ctx.get('pattern')}", f"文本需符合格式 {ctx.get('pattern')}"))
    if kind == "string_too_short":
        return Text("the text must not be empty", "文本不能为空")
    if kind == "string_too_long":
        n = ctx.get("max_length")
        return Text(f"the text is longer than {n} characters", f"文本超过 {n} 个字符")
    if kind == "too_short":
        n = ctx.get("min_length")
        return Text(f"the list needs at least {n} items", f"列表至少需要 {n} 项")
    if kind == "too_long":
        n = ctx.get("max_length")
        return Text(f"the list may hold at most {n} items", f"列表最多 {n} 项")
    for key, en, zh in (("ge", "at least", "不小于"), ("gt", "greater than", "大于"),
                        ("le", "at most", "不大于"), ("lt", "less than", "小于")):
        if key in ctx and kind.startswith(("greater", "less")):
            return Text(f"the number must be {en} {ctx[key]}", f"数值必须{zh} {ctx[key]}")
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        return Text(f"expected {expected}", f"应为 {expected}")
    return Text(msg, msg)


# ----------------------------------------------------------------------------- model lookup


def _unwrap(tp: Any) -> list[Any]:
    """The model classes and containers reachable from an annotation, Optional/Annotated peeled."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for a in typing.get_args(tp):
            out.extend(_unwrap(a))
        return out
    return [tp]


def _model_at(root: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class whose fields are valid at data path `loc` (for "did you mean")."""
    current: list[Any] = [root]
    for part in loc:
        nxt: list[Any] = []
        for tp in current:
            origin = typing.get_origin(tp)
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                for name, f in tp.model_fields.items():
                    if part in (name, f.alias):
                        nxt.extend(_unwrap(f.annotation))
            elif origin in (tuple, list):
                if isinstance(part, int):
                    nxt.extend(_unwrap(typing.get_args(tp)[0]))
            elif origin is dict and isinstance(part, str):
                nxt.extend(_unwrap(typing.get_args(tp)[1]))
        current = nxt
    for tp in current:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return tp
    return None


def _field_names(cls: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in cls.model_fields.items()]


def _clean_loc(data: Any, loc: Sequence[str | int]) -> tuple[tuple[str | int, ...], bool]:
    """Keep only the loc parts that are real keys/indexes of `data`; say if a dict key failed."""
    out: list[str | int] = []
    node = data
    key_error = False
    for part in loc:
        if part == "[key]":
            key_error = True
            continue
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif part == "from_" and isinstance(node, dict) and "from" in node:
            out.append("from")
            node = node["from"]
        elif part == "not_" and isinstance(node, dict) and "not" in node:
            out.append("not")
            node = node["not"]
    return tuple(out), key_error


_TYPE_WORDS = {
    "string_type": ("a string", "字符串"),
    "int_type": ("a whole number", "整数"),
    "int_parsing": ("a whole number", "整数"),
    "int_from_float": ("a whole number", "整数"),
    "float_type": ("a number", "数字"),
    "float_parsing": ("a number", "数字"),
    "bool_type": ("true or false", " true 或 false"),
    "bool_parsing": ("true or false", " true 或 false"),
    "dict_type": ("a mapping (key: value)", "映射（键: 值）"),
    "model_type": ("a mapping (key: value)", "映射（键: 值）"),
    "model_attributes_type": ("a mapping (key: value)", "映射（键: 值）"),
    "tuple_type": ("a list", "列表"),
    "list_type": ("a list", "列表"),
}


def _enum_choices(root: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    parent = _model_at(root, loc[:-1])
    if parent is None or not loc or not isinstance(loc[-1], str):
        return []
    for name, f in parent.model_fields.items():
        if loc[-1] in (name, f.alias):
            for tp in _unwrap(f.annotation):
                if isinstance(tp, type) and issubclass(tp, m._AliasedEnum):
                    return tp.accepted()
    return []


def _dotted(loc: Sequence[str | int]) -> str:
    return ".".join(str(p) for p in loc)


_GLUED = re.compile(r"^[A-Za-z_][\w\-]*(:|：)\S")


def _colon_hint(value: Any) -> Text | None:
    """A text where a mapping was expected often is `key:value` without the space after the
    colon, or with a full-width colon: say so."""
    if isinstance(value, str) and _GLUED.match(value):
        return Text("YAML needs a space after the colon (`name: 受理`, not `name:受理`), and a "
                    "half-width colon, not `：`.",
                    "YAML 的冒号后面必须有空格（写 `name: 受理`，不是 `name:受理`），且须用半角冒号，"
                    "不能用全角“：”。")
    return None


def pydantic_diagnostics(exc: ValidationError, data: Any, source: SourceMap, file: str,
                         root: type[BaseModel]) -> list[Diagnostic]:
    """Turn pydantic's errors into PF003-PF006 diagnostics at the right line and column.

    Errors of one union field at one place are merged into one diagnostic; a missing key whose
    misspelling is reported as an unknown key with "did you mean" is not reported twice."""
    grouped: dict[tuple[tuple[str | int, ...], bool, str], list[Any]] = {}
    for err in exc.errors(include_url=False):
        loc, key_error = _clean_loc(data, err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            bucket = "extra"
        elif kind == "missing":
            bucket = "missing:" + str(err["loc"][-1])
        else:
            bucket = "value"
        grouped.setdefault((loc, key_error, bucket), []).append(err)
    out: list[Diagnostic] = []
    suggested: set[tuple[tuple[str | int, ...], str]] = set()
    for (loc, _key_error, bucket) in grouped:
        if bucket == "extra" and loc:
            parent = _model_at(root, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), _field_names(parent) if parent else [],
                                              n=1, cutoff=0.6)
            if close:
                suggested.add((loc[:-1], close[0]))
    for (loc, key_error, bucket), errs in grouped.items():
        err = errs[0]
        where = _dotted(loc) or "(top level)"
        where_zh = _dotted(loc) or "文件顶层"
        if bucket == "extra":
            key = str(loc[-1]) if loc else "?"
            parent = _model_at(root, loc[:-1])
            head, colon, _ = key.partition("：")
            en_dym, zh_dym = did_you_mean(head if colon else key,
                                          _field_names(parent) if parent else [])
            hint = (Text(f"The key and its value are joined by a full-width colon (：): write "
                         f"`{head}: …` with an ASCII colon and a space.",
                         f"键和值之间用了全角冒号（：），请改为半角冒号加空格：`{head}: …`。")
                    if colon else Text("Remove it or correct its spelling.", "删除该键或更正拼写。"))
            out.append(_err("PF003", "unknown-key", locate(source, loc, file, key=True),
                            f"unknown key {key!r} in {_dotted(loc[:-1]) or 'the file'}{en_dym}",
                            f"{_dotted(loc[:-1]) or '文件顶层'} 中有未知的键 {key!r}{zh_dym}",
                            hint))
            continue
        if bucket.startswith("missing:"):
            missing = bucket.split(":", 1)[1]
            missing = {"from_": "from", "not_": "not"}.get(missing, missing)
            if (loc, missing) in suggested:
                continue
            out.append(_err("PF006", "missing-key", locate(source, loc, file, key=True),
                            f"{where} is missing the required key {missing!r}",
                            f"{where_zh} 缺少必需的键 {missing!r}",
                            Text(f"Add `{missing}:`.", f"请补充 `{missing}:`。")))
            continue
        value = err.get("input")
        kinds = {e["type"] for e in errs}
        if key_error:
            parent_loc = _dotted(loc[:-1])
            out.append(_err("PF005", "invalid-value", locate(source, loc, file, key=True),
                            f"the id {loc[-1]!r} in {parent_loc} is not valid: {_ID_HELP.en}",
                            f"{parent_loc} 中的标识 {loc[-1]!r} 不合法：{_ID_HELP.zh}",
                            Text("Put the Chinese name under `name:` and use a short ASCII id.",
                                 "中文名称写在 `name:` 下，标识用简短的英文。")))
            continue
        choices = _enum_choices(root, loc)
        if "enum" in kinds or (choices and kinds & {"string_type", "literal_error"}):
            en_dym, zh_dym = did_you_mean(str(value), choices)
            if not en_dym and choices:
                en_dym = "; expected one of: " + ", ".join(choices)
                zh_dym = "；可选：" + ", ".join(choices)
            out.append(_err("PF005", "invalid-value", locate(source, loc, file),
                            f"{where}: {value!r} is not allowed{en_dym}",
                            f"{where_zh}：不允许的值 {value!r}{zh_dym}"))
            continue
        got = describe(value)
        type_kinds = [k for k in kinds if k in _TYPE_WORDS]
        if type_kinds and len(type_kinds) == len(kinds) and len(kinds) == 1:
            en_t, zh_t = _TYPE_WORDS[type_kinds[0]]
            out.append(_err("PF004", "wrong-type", locate(source, loc, file),
                            f"{where} should be {en_t}, not {got.en}",
                            f"{where_zh} 应为{zh_t}，实际是{got.zh}", _colon_hint(value)))
            continue
        texts: list[Text] = []
        for e in errs:
            t = translate(e)
            if t not in texts:
                texts.append(t)
        text = Text("; ".join(t.en for t in texts), "；".join(t.zh for t in texts))
        if "literal_error" in kinds and ("int_type" in kinds or "int_parsing" in kinds):
            text = Text("expected a number of working days, `same_day` (当天) or `immediate` (即办)",
                        "应为工作日天数，或 `same_day`（当天）、`immediate`（即办）")
        if isinstance(value, dict):  # a rule about the whole mapping: the input says nothing
            en, zh = f"{where}: {text.en}", f"{where_zh}：{text.zh}"
        else:
            en, zh = f"{where}: {text.en} (got {got.en})", f"{where_zh}：{text.zh}（实际是{got.zh}）"
        out.append(_err("PF005", "invalid-value", locate(source, loc, file), en, zh))
    return out
