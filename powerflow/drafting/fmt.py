"""`fmt`: put power and catalogue files in canonical key order and layout, keeping comments.

Takes the text of a file that loads cleanly; gives the formatted text. Keys are ordered as in
`layout` (power, actors, lanes, steps, transitions, risks, separation, suppress, facts at the top;
the model's field order inside each step, risk, control …); ids and list items keep the author's
order. Indentation is 2 for mappings and 4/2 for sequences; quoting and one-line records are kept.
Comments are lifted off the text before parsing (ruamel.yaml attaches a comment to the key
*before* it, inconsistently across maps and lists) and put back by document position: full-line
comments and blank lines above the key or item they stand above, end-of-line comments after the
innermost key of their line, comments before the first key stay at the top. The result is checked before it is given: it must load to the same
model and hold the same comments, otherwise `FormatError` is raised and nothing is written.

Must not: change a value, drop a comment, or write anything.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .. import model as m
from ..loader import load_flow_text
from .layout import child_kind, dump, key_order, yaml_rt

__all__ = ["FormatError", "comment_lines", "format_text"]


class FormatError(Exception):
    """The file could not be formatted without changing its meaning or losing a comment."""


_BLOCK_SCALAR = re.compile(r"(?:^|[:\-]\s)\s*[|>][+\-]?[0-9]?\s*$")


@dataclass
class _Comments:
    """Comments lifted off a text: full lines (and blank lines) standing above a content line,
    comments at the end of a content line, and what is left after the last line. Line numbers
    are those of the comment-free text."""

    header: list[str] = field(default_factory=list)
    above: dict[int, list[str]] = field(default_factory=dict)
    end: dict[int, str] = field(default_factory=dict)
    trailing: list[str] = field(default_factory=list)


def _lift(text: str) -> tuple[str, _Comments]:
    c = _Comments()
    clean: list[str] = []
    pending: list[str] = []
    block_indent: int | None = None
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                clean.append(line)
                continue
            block_indent = None
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            pending.append(stripped)
            continue
        idx = _comment_start(line)
        if idx >= 0:
            c.end[len(clean)] = line[idx:].rstrip()
            line = line[:idx].rstrip()
        if pending:
            if clean:
                c.above[len(clean)] = pending
            else:
                c.header = pending
            pending = []
        if _BLOCK_SCALAR.search(line):
            block_indent = indent
        clean.append(line)
    while pending and not pending[-1]:
        pending.pop()
    c.trailing = pending
    while c.header and not c.header[-1]:
        c.header.pop()
    return "\n".join(clean) + "\n", c


Path_ = tuple[Any, ...]


def _positions(doc: Any) -> dict[Path_, int]:
    """0-based line of every key and list item, by its path from the document root."""
    out: dict[Path_, int] = {}

    def walk(node: Any, path: Path_) -> None:
        if isinstance(node, CommentedMap):
            for k in node:
                with contextlib.suppress(KeyError, TypeError, AttributeError):
                    out[(*path, k)] = node.lc.key(k)[0]
                walk(node[k], (*path, k))
        elif isinstance(node, CommentedSeq):
            for i, v in enumerate(node):
                with contextlib.suppress(KeyError, TypeError, AttributeError):
                    out[(*path, i)] = node.lc.item(i)[0]
                walk(v, (*path, i))

    walk(doc, ())
    return out


def _anchors(pos: dict[Path_, int]) -> tuple[dict[int, Path_], dict[int, Path_]]:
    """Per line, the outermost and the innermost key or item starting on it."""
    outer: dict[int, Path_] = {}
    inner: dict[int, Path_] = {}
    for path, line in pos.items():
        if line not in outer or len(path) < len(outer[line]):
            outer[line] = path
        if line not in inner or len(path) > len(inner[line]):
            inner[line] = path
    return outer, inner


def _reattach(out: str, c: _Comments, before: dict[Path_, int]) -> str:
    outer, inner = _anchors(before)
    after = _positions(yaml_rt().load(out))
    lines = out.rstrip("\n").split("\n")
    above: dict[int, list[list[str]]] = {}
    end: dict[int, list[str]] = {}
    orphans: list[str] = []
    for line, block in sorted(c.above.items()):
        path = outer.get(line)
        if path is None or path not in after:
            orphans.extend(block)
            continue
        above.setdefault(after[path], []).append(block)
    for line, comment in sorted(c.end.items()):
        path = inner.get(line)
        if path is None:
            prior = [ln for ln in inner if ln < line]
            path = inner[max(prior)] if prior else None
        if path is None or path not in after:
            orphans.append(comment)
            continue
        end.setdefault(after[path], []).append(comment)
    result: list[str] = list(c.header)
    for i, text in enumerate(lines):
        indent = " " * (len(text) - len(text.lstrip(" ")))
        for block in above.get(i, []):
            result.extend(indent + x if x else "" for x in block)
        if i in end:
            text = text + "  " + " ".join(end[i])
        result.append(text)
    result.extend(orphans)
    result.extend(c.trailing)
    return "\n".join(result) + "\n"


def _reorder(node: Any, kind: str | None) -> None:
    if isinstance(node, CommentedMap):
        if kind is not None and kind.endswith("{}"):
            for v in node.values():
                _reorder(v, kind[:-2])
            return
        order = key_order(kind)
        if order:
            rank = {k: i for i, k in enumerate(order)}
            current = list(node.keys())
            wanted = sorted(current, key=lambda k: (rank.get(str(k), len(rank)), current.index(k)))
            if wanted != current:
                for k in wanted:
                    node.move_to_end(k)
        for k, v in node.items():
            _reorder(v, child_kind(kind, str(k)))
    elif isinstance(node, CommentedSeq):
        item = kind[:-1] if kind and kind.endswith("*") else None
        for v in node:
            _reorder(v, item)


def comment_lines(text: str) -> Counter[str]:
    """The comments of a YAML text as a multiset of stripped strings (to check none is lost).
    A `#` inside a quoted scalar is not a comment; this errs on the side of counting it."""
    out: Counter[str] = Counter()
    for line in text.splitlines():
        idx = _comment_start(line)
        if idx >= 0:
            out[line[idx:].strip()] += 1
    return out


def _comment_start(line: str) -> int:
    quote: str | None = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"" and (i == 0 or line[i - 1] in " :[{,-"):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return i
    return -1


def _model(text: str, catalog: m.Catalog | None, is_catalog: bool) -> Any:
    if is_catalog:
        from ..source import read_yaml
        res = read_yaml(text.encode("utf-8"), "<fmt>")
        return m.Catalog.model_validate(res.data) if res.data is not None else None
    loaded = load_flow_text(text.encode("utf-8"), "<fmt>", catalog)
    return loaded.flow


def format_text(text: str, catalog: m.Catalog | None = None, is_catalog: bool = False,
                expected: Any = None) -> str:
    """Format the text of a file that is known to load cleanly. Raises `FormatError`.
    `expected` is the file's model when the caller has loaded it already (saves a load)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    clean, comments = _lift(text)
    y = yaml_rt()
    try:
        doc = y.load(clean)
    except Exception as exc:  # ruamel raises many error types; any of them means "refuse"
        raise FormatError(f"ruamel.yaml cannot read the file: {exc}") from exc
    if not isinstance(doc, CommentedMap):
        raise FormatError("the file is not a mapping")
    before = _positions(doc)
    _reorder(doc, "catalog" if is_catalog else "top")
    out = _reattach(dump(doc), comments, before)
    if out == text:
        return out
    if comment_lines(out) != comment_lines(text):
        lost = comment_lines(text) - comment_lines(out)
        raise FormatError(f"formatting would change comments: {sorted(lost)[:3]}")
    if expected is None:
        expected = _model(text, catalog, is_catalog)
    if _model(out, catalog, is_catalog) != expected:
        raise FormatError("formatting would change the meaning of the file")
    return out
