"""`fmt`: put power and catalogue files in canonical key order and layout, keeping comments.

Takes the text of a file that loads cleanly; gives the formatted text. Keys are ordered as in
`layout` (power, actors, lanes, steps, transitions, risks, separation, suppress, facts at the top;
the model's field order inside each step, risk, control …); ids and list items keep the author's
order. Indentation is 2 for mappings and 4/2 for sequences; quoting and one-line records are kept.
Comments move with the key they stand above (ruamel.yaml attaches a comment line to the key
*before* it, so comments are lifted off and re-attached by document position), end-of-line
comments stay on their line. The result is checked before it is given: it must load to the same
model and hold the same comments, otherwise `FormatError` is raised and nothing is written.

Must not: change a value, drop a comment, or write anything.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from .. import model as m
from ..loader import load_flow_text
from .layout import child_kind, dump, key_order, yaml_rt

__all__ = ["FormatError", "comment_lines", "format_text"]


class FormatError(Exception):
    """The file could not be formatted without changing its meaning or losing a comment."""


@dataclass
class _Slot:
    """One key or list item in document order, with the comment on its line (`eol`) and the
    full comment lines standing above it (`pre`)."""

    node: Any
    key: Any
    eol: str = ""
    column: int = 0
    pre: str = ""


def _token_index(node: Any) -> int:
    return 2 if isinstance(node, CommentedMap) else 0


def _get_token(node: Any, key: Any) -> CommentToken | None:
    entry = node.ca.items.get(key)
    if not entry:
        return None
    tok = entry[_token_index(node)]
    return tok if isinstance(tok, CommentToken) else None


def _is_block(node: Any) -> bool:
    return isinstance(node, CommentedMap | CommentedSeq) and not node.fa.flow_style()


def _walk(node: Any, out: list[_Slot]) -> None:
    """Pre-order walk of block collections (flow collections are leaves)."""
    keys = list(node.keys()) if isinstance(node, CommentedMap) else list(range(len(node)))
    for k in keys:
        out.append(_Slot(node, k))
        child = node[k]
        if _is_block(child):
            _walk(child, out)


def _lift(doc: CommentedMap) -> tuple[list[_Slot], str]:
    """Take every comment off the document; give the slots and the document's header."""
    slots: list[_Slot] = []
    _walk(doc, slots)
    header = ""
    if doc.ca.comment and doc.ca.comment[1]:
        header = "".join(t.value for t in doc.ca.comment[1] if isinstance(t, CommentToken))
        doc.ca.comment[1] = None
    pending = ""
    for s in slots:
        s.pre, pending = pending, ""
        tok = _get_token(s.node, s.key)
        if tok is None:
            continue
        value: str = tok.value
        if value.startswith("#"):
            line, _, rest = value.partition("\n")
            s.eol, s.column = line, tok.column
        else:
            rest = value[1:] if value.startswith("\n") else value
        pending = rest
        entry = s.node.ca.items[s.key]
        entry[_token_index(s.node)] = None
        if not any(entry):
            del s.node.ca.items[s.key]
    trailing = pending
    if slots:
        slots[0].pre = ""
    return slots, header + "\x00" + trailing


def _set_token(node: Any, key: Any, value: str, column: int) -> None:
    tok = CommentToken(value, CommentMark(column), None)
    entry = node.ca.items.setdefault(key, [None, None, None, None])
    entry[_token_index(node)] = tok


def _reattach(doc: CommentedMap, old: list[_Slot], header_trailing: str) -> None:
    header, trailing = header_trailing.split("\x00", 1)
    by_id = {(id(s.node), s.key): s for s in old}
    slots: list[_Slot] = []
    _walk(doc, slots)
    ordered = [by_id.get((id(s.node), s.key), s) for s in slots]
    if ordered and ordered[0].pre:
        header += ordered[0].pre
    if header:
        doc.ca.comment = [None, [CommentToken(header, CommentMark(0), None)]]
    for i, s in enumerate(ordered):
        after = ordered[i + 1].pre if i + 1 < len(ordered) else trailing
        if s.eol or after:
            _set_token(s.node, s.key, (s.eol or "") + "\n" + after if s.eol else "\n" + after,
                       s.column)


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


def format_text(text: str, catalog: m.Catalog | None = None, is_catalog: bool = False) -> str:
    """Format the text of a file that is known to load cleanly. Raises `FormatError`."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").expandtabs(2)
    y = yaml_rt()
    try:
        doc = y.load(text)
    except Exception as exc:  # ruamel raises many error types; any of them means "refuse"
        raise FormatError(f"ruamel.yaml cannot read the file: {exc}") from exc
    if not isinstance(doc, CommentedMap):
        raise FormatError("the file is not a mapping")
    slots, header_trailing = _lift(doc)
    _reorder(doc, "catalog" if is_catalog else "top")
    _reattach(doc, slots, header_trailing)
    out = dump(doc)
    if comment_lines(out) != comment_lines(text):
        lost = comment_lines(text) - comment_lines(out)
        raise FormatError(f"formatting would change comments: {sorted(lost)[:3]}")
    if _model(out, catalog, is_catalog) != _model(text, catalog, is_catalog):
        raise FormatError("formatting would change the meaning of the file")
    return out
