"""Strict YAML reading with a source map.

Takes the bytes of a file; gives plain data (dicts, lists, str, int, float, bool, None) and a
`SourceMap` from each key path to its line and column, or a list of diagnostics (PF001, PF002,
PF008-PF011, PF014) when the text cannot be read. Uses libyaml's C parser when present (it still
gives line and column) and resolves scalars with the YAML 1.2 core schema, so `on/off/yes/no`,
`1:20` and dates stay strings.

`dump_yaml` is the inverse for plain data: it quotes every string that `read_yaml` would not read
back as the same string (`on`, `0o17`, `1:20` …), so data → YAML → data is the identity.

Must not: construct arbitrary tags (only str/int/float/bool/null/map/seq are accepted), follow
alias expansions beyond a node budget, or read anything but the bytes it is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import yaml

from .diagnostics import Diagnostic, Location, Severity, Text
from .syntax import full_width_colons, full_width_indent, syntax_error

__all__ = ["Limits", "Mark", "ReadResult", "SourceMap", "decode", "dump_yaml", "read_yaml"]

try:  # pragma: no cover - depends on how PyYAML was built
    from yaml import CSafeLoader as _Base
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Base  # type: ignore[assignment]

Path_ = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_IMPLICIT = "tag:powerflow.invalid,2024:plain"
"""Tag given to untagged plain scalars; `_scalar` resolves them with the YAML 1.2 core schema."""


class _Loader(_Base):
    """libyaml's parser and composer without PyYAML's YAML 1.1 resolver.

    Composing calls `resolve` (a Python method) for every node; the 1.1 resolver tries a dozen
    regular expressions per scalar only for `_scalar` to resolve it again. Here plain scalars get
    a marker tag instead, quoted and block ones `str`, and explicit tags are kept as written."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _IMPLICIT if implicit[0] else _STR
        return _MAP if kind is yaml.MappingNode else _SEQ

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


class Mark(NamedTuple):
    """1-based line and column of a key (`key_*`) and of its value."""

    line: int
    column: int
    key_line: int
    key_column: int


_new_mark = tuple.__new__  # Mark(...) without the Python-level __new__: the builder makes many


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits for one file. Defaults suit hand-written power files with room to spare."""

    max_bytes: int = 2_000_000
    max_nodes: int = 50_000
    max_depth: int = 64


SourceMap = dict[Path_, Mark]


@dataclass(slots=True)
class ReadResult:
    data: Any
    source: SourceMap
    diagnostics: list[Diagnostic]
    text: str


_CORE_TAGS = {
    _IMPLICIT,
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:merge",
    "tag:yaml.org,2002:value",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BRACKETS = re.compile(r"[\[\]{}]")
_NULL = re.compile(r"^(?:~|null|Null|NULL)?$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_INT_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_INT_OCT = re.compile(r"^0o[0-7]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_FLOAT_SPECIAL = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf")}


def _diag(code: str, file: str, line: int, col: int, en: str, zh: str, hint: Text | None = None,
          name: str = "") -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, Location(file, line, col), Text(en, zh), hint, name)


def decode(raw: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK with a
    warning. Binary data is an error (PF010)."""
    diags: list[Diagnostic] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), diags
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw:
        nul = raw.index(b"\x00")
        return None, [_diag(
            "PF010", file, raw.count(b"\n", 0, nul) + 1, nul - (raw.rfind(b"\n", 0, nul) + 1) + 1,
            "the file is binary (it contains NUL bytes), not a YAML text file",
            "文件是二进制数据（含 NUL 字节），不是 YAML 文本文件",
            Text("Give a power file saved as UTF-8 text.", "请提供以 UTF-8 保存的权力事项 YAML 文本文件。"),
            "undecodable-file")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            line = raw.count(b"\n", 0, exc.start) + 1
            head = raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start]
            col = len(head.decode("utf-8", "replace")) + 1
            return None, [_diag(
                "PF010", file, line, col,
                f"the file is neither UTF-8 nor GBK/GB18030 text (bad byte at offset {exc.start})",
                f"文件既不是 UTF-8 也不是 GBK/GB18030 文本（第 {exc.start} 字节无法解码）",
                Text("Save the file as UTF-8.", "请将文件另存为 UTF-8 编码。"), "undecodable-file")]
        diags.append(Diagnostic(
            "PF010", Severity.WARNING, Location(file, 1, 1),
            Text("the file is saved in GBK/GB18030; it was read, but save it as UTF-8",
                 "文件以 GBK/GB18030 编码保存，已按该编码读取；请另存为 UTF-8"),
            Text("In Notepad: File → Save As → Encoding: UTF-8.", "记事本：文件 → 另存为 → 编码选 UTF-8。"),
            "undecodable-file"))
    bad = [m.start() for m in _CONTROL.finditer(text, 0, 4096)]
    if len(bad) > 4:
        line = text.count("\n", 0, bad[0]) + 1
        col = bad[0] - (text.rfind("\n", 0, bad[0]) + 1) + 1
        return None, [_diag(
            "PF010", file, line, col, "the file holds control characters: it looks like binary data",
            "文件含有控制字符，看起来是二进制数据",
            Text("Give a power file saved as UTF-8 text.", "请提供以 UTF-8 保存的 YAML 文本文件。"),
            "undecodable-file")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), diags


_NOT_PLAIN_TEXT = frozenset("0123456789+-.~nNtTfF")
"""First characters of plain scalars that may be something other than a string."""


def _scalar(node: yaml.ScalarNode) -> Any:
    value: str = node.value
    if node.style or node.tag == _STR:  # quoted, block or !!str: always a string
        return value
    if value and value[0] not in _NOT_PLAIN_TEXT:
        return value
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value)
    if _INT_HEX.match(value):
        return int(value, 16)
    if _INT_OCT.match(value):
        return int(value[2:], 8)
    if _FLOAT.match(value):
        return float(value)
    low = value.lower()
    if low in _FLOAT_SPECIAL:
        return _FLOAT_SPECIAL[low]
    if low == ".nan":
        return float("nan")
    return value


_PLAIN_TAGS = frozenset((_IMPLICIT, _STR))
_MERGE = "tag:yaml.org,2002:merge"
_ScalarNode = yaml.ScalarNode


class _Builder:
    """Walks a composed node tree into plain data, recording problems (marks come later, from
    `_LazySourceMap`, only when a location is asked for)."""

    def __init__(self, file: str, limits: Limits) -> None:
        self.file = file
        self.limits = limits
        self.diags: list[Diagnostic] = []
        self.budget = limits.max_nodes

    def _problem(self, code: str, node: yaml.Node, en: str, zh: str,
                 hint: Text | None = None, name: str = "") -> None:
        m = node.start_mark
        self.diags.append(_diag(code, self.file, m.line + 1, m.column + 1, en, zh, hint, name))

    def build(self, node: yaml.Node, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _TooBig(node)
        if depth > self.limits.max_depth:
            raise _TooDeep(node)
        tag = node.tag
        if tag not in _CORE_TAGS:
            shown = "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith(
                "tag:yaml.org,2002:") else tag
            self._problem(
                "PF014", node, f"the tag {shown!r} is not allowed in a power file",
                f"权力事项文件中不允许使用标签 {shown!r}",
                Text("Remove the tag: only plain strings, numbers, lists and mappings are read.",
                     "删除该标签：只读取字符串、数字、列表和映射。"), "unsupported-tag")
            return None
        cls = node.__class__
        if cls is yaml.ScalarNode:
            assert isinstance(node, yaml.ScalarNode)
            return _scalar(node)
        if cls is yaml.SequenceNode:
            items = []
            for child in node.value:
                if child.__class__ is _ScalarNode and child.tag in _PLAIN_TAGS:
                    self.budget -= 1  # the fast path for scalars: same budget, no recursion
                    if self.budget < 0:
                        raise _TooBig(child)
                    v = child.value
                    items.append(v if child.style or (v and v[0] not in _NOT_PLAIN_TEXT)
                                 else _scalar(child))
                else:
                    items.append(self.build(child, depth + 1))
            return items
        assert cls is yaml.MappingNode
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if (key_node.value == "<<" and key_node.tag == _IMPLICIT) or (
                    key_node.tag == "tag:yaml.org,2002:merge"):
                self._problem(
                    "PF014", key_node, "merge keys (<<) are not supported",
                    "不支持合并键（<<）",
                    Text("Write the keys out in full; anchors may still be used for whole values.",
                         "请把键完整写出；锚点仍可用于整个值。"), "unsupported-tag")
                continue
            if key_node.__class__ is not _ScalarNode:
                self._problem("PF004", key_node, "a mapping key must be a plain string",
                              "映射的键必须是普通字符串", name="wrong-type")
                continue
            key = key_node.value
            if key in out:
                first = next(k.start_mark.line + 1 for k, _ in node.value if k.value == key)
                where = f" (first at line {first})"
                where_zh = f"（首次出现在第 {first} 行）"
                self._problem(
                    "PF002", key_node, f"duplicate key {key!r}{where}",
                    f"重复的键 {key!r}{where_zh}",
                    Text("Keep one of them: YAML would silently keep only the last.",
                         "只保留其中一个：YAML 会悄悄只保留最后一个。"), "duplicate-key")
                continue
            if value_node.__class__ is _ScalarNode and value_node.tag in _PLAIN_TAGS:
                self.budget -= 1
                if self.budget < 0:
                    raise _TooBig(value_node)
                v = value_node.value
                out[key] = (v if value_node.style or (v and v[0] not in _NOT_PLAIN_TEXT)
                            else _scalar(value_node))
            else:
                out[key] = self.build(value_node, depth + 1)
        return out


def _marks(node: yaml.Node, path: Path_, out: dict[Path_, Mark]) -> None:
    """Record the mark of every key and item below `node`, on the paths `_Builder` gives them
    (the same keys skipped: bad tags, merge keys, non-string keys, later duplicates)."""
    if node.tag not in _CORE_TAGS:
        return
    cls = node.__class__
    if cls is yaml.SequenceNode:
        for i, child in enumerate(node.value):
            cm = child.start_mark
            line, col = cm.line + 1, cm.column + 1
            out[(*path, i)] = _new_mark(Mark, (line, col, line, col))
            if child.__class__ is not _ScalarNode:
                _marks(child, (*path, i), out)
    elif cls is yaml.MappingNode:
        for key_node, value_node in node.value:
            if key_node.__class__ is not _ScalarNode or key_node.tag == _MERGE or (
                    key_node.value == "<<" and key_node.tag == _IMPLICIT):
                continue
            p = (*path, key_node.value)
            if p in out:
                continue
            km, vm = key_node.start_mark, value_node.start_mark
            out[p] = _new_mark(Mark, (vm.line + 1, vm.column + 1, km.line + 1, km.column + 1))
            if value_node.__class__ is not _ScalarNode:
                _marks(value_node, p, out)


class _LazySourceMap(dict[Path_, Mark]):
    """The source map of a file that loaded, filled on first use.

    Most files load without a single diagnostic, and nothing then asks where a key is; so
    `read_yaml` keeps only the text, and the first lookup composes it again (libyaml, about a
    millisecond) and records every mark. Behaves as the plain dict it fills."""

    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text: str | None = text

    def _fill(self) -> None:
        text, self._text = self._text, None
        if text is not None:
            loader = _Loader(text)
            try:
                node = loader.get_single_node()
            finally:
                loader.dispose()
            if node is not None:
                _marks(node, (), self)

    def get(self, key: Path_, default: Any = None) -> Any:
        self._fill()
        return dict.get(self, key, default)

    def __getitem__(self, key: Path_) -> Mark:
        self._fill()
        return dict.__getitem__(self, key)

    def __contains__(self, key: object) -> bool:
        self._fill()
        return dict.__contains__(self, key)

    def __iter__(self) -> Iterator[Path_]:
        self._fill()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._fill()
        return dict.__len__(self)

    def __eq__(self, other: object) -> bool:
        self._fill()
        return dict.__eq__(self, other)

    __hash__ = None

    def __repr__(self) -> str:
        self._fill()
        return dict.__repr__(self)

    def keys(self) -> Any:
        self._fill()
        return dict.keys(self)

    def values(self) -> Any:
        self._fill()
        return dict.values(self)

    def items(self) -> Any:
        self._fill()
        return dict.items(self)

    def copy(self) -> dict[Path_, Mark]:
        self._fill()
        return dict(dict.items(self))

    def __reduce__(self) -> Any:
        return (dict, (self.copy(),))


class _TooBig(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node


class _TooDeep(_TooBig):
    pass


def read_yaml(raw: bytes, file: str, limits: Limits = Limits()) -> ReadResult:
    """Read one YAML document from bytes. On any error `data` is None and `diagnostics` says why;
    warnings (e.g. a GBK file) may accompany data."""
    if len(raw) > limits.max_bytes:
        return ReadResult(None, {}, [_diag(
            "PF008", file, 1, 1,
            f"the file is larger than the limit of {limits.max_bytes:,} bytes",
            f"文件大小超过上限 {limits.max_bytes:,} 字节",
            Text("Split the power into several files, or raise the limit with --max-bytes.",
                 "请拆分文件，或用 --max-bytes 提高上限。"), "file-too-large")], "")
    text, diags = decode(raw, file)
    if text is None:
        return ReadResult(None, {}, diags, "")
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        return ReadResult(None, {}, [*diags, _diag(
            "PF011", file, 1, 1, "the file is empty", "文件为空",
            Text("Start from `powerflow new` or a file in flows/.",
                 "可用 `powerflow new` 或参照 flows/ 中的文件开始编写。"), "empty-file")], text)
    traps = full_width_indent(text, file)
    if traps:
        return ReadResult(None, {}, [*diags, *traps], text)
    depth = _max_flow_depth(text)
    if depth > limits.max_depth:
        return ReadResult(None, {}, [*diags, _diag(
            "PF009", file, 1, 1,
            f"the file nests brackets {depth} levels deep; the limit is {limits.max_depth}",
            f"文件括号嵌套 {depth} 层，超过上限 {limits.max_depth} 层",
            Text("A power file needs only a few levels: check for a broken or generated file.",
                 "权力事项文件只需几层嵌套，请检查文件是否损坏。"), "too-many-nodes")], text)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        return ReadResult(None, {}, [*diags, *full_width_colons(text, file),
                                     syntax_error(exc, file)], text)
    except yaml.YAMLError as exc:
        return ReadResult(None, {}, [*diags, _diag(
            "PF001", file, 0, 0, f"YAML error: {exc}", f"YAML 错误：{exc}",
            name="yaml-syntax-error")], text)
    except RecursionError:
        return ReadResult(None, {}, [*diags, _diag(
            "PF009", file, 0, 0, "the file nests too deeply to read", "文件嵌套过深，无法读取",
            name="too-many-nodes")], text)
    if node is None:
        return ReadResult(None, {}, [*diags, _diag(
            "PF011", file, 1, 1, "the file is empty", "文件为空", name="empty-file")], text)
    builder = _Builder(file, limits)
    try:
        data = builder.build(node, 0)
    except _TooBig as exc:
        m = exc.node.start_mark
        kind_en = "nests too deeply" if isinstance(exc, _TooDeep) else (
            f"expands to more than {limits.max_nodes:,} values (an alias bomb?)")
        kind_zh = "嵌套过深" if isinstance(exc, _TooDeep) else (
            f"展开后超过 {limits.max_nodes:,} 个值（疑似别名炸弹）")
        return ReadResult(None, {}, [*diags, _diag(
            "PF009", file, m.line + 1, m.column + 1, f"the document {kind_en}",
            f"文档{kind_zh}",
            Text("Do not build large structures from repeated anchors (&) and aliases (*).",
                 "不要用锚点（&）和别名（*）反复展开构造大结构。"), "too-many-nodes")], text)
    diags.extend(builder.diags)
    return ReadResult(data, _LazySourceMap(text), diags, text)


def _max_flow_depth(text: str) -> int:
    """Cheap upper bound on flow-collection nesting, checked before the parser recurses."""
    if text.count("[") + text.count("{") < 64:
        return 0
    depth = best = 0
    for ch in _BRACKETS.findall(text):
        if ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
    return best


def locate(source: SourceMap, path: Path_, file: str, key: bool = False) -> Location:
    """The location of `path` in the source map, or of its nearest ancestor that has one."""
    p = tuple(path)
    while p:
        mark = source.get(p)
        if mark is not None:
            if key:
                return Location(file, mark.key_line, mark.key_column)
            return Location(file, mark.line, mark.column)
        p = p[:-1]
    return Location(file, 1, 1)


Locator = Callable[[Path_], Location]


class _Dumper(yaml.SafeDumper):
    """SafeDumper that quotes strings our YAML 1.2 reading would turn into something else."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    plain = _scalar(yaml.ScalarNode(_IMPLICIT, value)) if value else None
    quote = not value or type(plain) is not str or plain != value
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'" if quote else None)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """Plain data (dicts, lists, str, int, float, bool, None) as block-style UTF-8 YAML text that
    `read_yaml` reads back to equal data; key order is kept."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=100)
