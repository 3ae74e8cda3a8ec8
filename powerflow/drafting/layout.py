"""The canonical layout of power and catalogue files: key order, indentation, flow style.

Takes plain data or a ruamel.yaml round-trip document; gives the canonical key order of each
part of the format (derived from the model's field order, so it follows the model), a YAML
emitter set up the one way powerflow writes files, and `document()` that turns plain data into
a round-trip document with short records on one line (``{from: a, to: b, event: e}``), as in the
hand-written samples.

Must not: read or write files, or change any value.
"""

from __future__ import annotations

import io
from typing import Any

from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .. import model as m

__all__ = ["KEY_ORDER", "TOP_ORDER", "document", "dump", "key_order", "yaml_rt"]


def _fields(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(f.alias or name for name, f in model.model_fields.items())


TOP_ORDER = ("power", "actors", "lanes", "phases", "steps", "parallel", "transitions", "risks",
             "separation", "suppress", "facts")
CATALOG_ORDER = ("department", "defaults", "lanes", "actors")
"""A catalogue reads best with who the department is first and the long actor list last."""

KEY_ORDER: dict[str, tuple[str, ...]] = {
    "power": _fields(m.PowerInfo),
    "legal_basis": _fields(m.LegalBasis),
    "limits": _fields(m.Limits),
    "supervision": _fields(m.Supervision),
    "actor": _fields(m.Actor),
    "phase": _fields(m.Phase),
    "parallel": _fields(m.ParallelBlock),
    "step": _fields(m.Step),
    "duration": _fields(m.Duration),
    "supervises": _fields(m.SupervisionLink),
    "transition": _fields(m.Transition),
    "condition": _fields(m.Condition),
    "risk": _fields(m.Risk),
    "control": _fields(m.Control),
    "separation": _fields(m.Separation),
    "suppress": _fields(m.Suppression),
    "department": _fields(m.Department),
    "defaults": _fields(m.Defaults),
}
"""Key order inside each kind of record, by the record's kind."""

_CHILD_KINDS: dict[str | None, dict[str, str]] = {
    "power": {"legal_basis": "legal_basis*", "limits": "limits", "supervision": "supervision"},
    "step": {"duration": "duration", "supervises": "supervises*"},
    "transition": {"condition": "condition"},
    "condition": {"all": "condition*", "any": "condition*", "not": "condition"},
    "risk": {"controls": "control*"},
    "department": {"supervision": "supervision"},
}
_TOP_KINDS = {"power": "power", "actors": "actor{}", "phases": "phase{}", "steps": "step{}",
              "parallel": "parallel{}",
              "transitions": "transition*", "risks": "risk{}", "separation": "separation*",
              "suppress": "suppress*", "department": "department", "defaults": "defaults"}


def key_order(kind: str | None) -> tuple[str, ...]:
    """Canonical key order for a record kind (``top``: a power file, ``catalog``: a catalogue;
    None: a plain mapping whose order is kept)."""
    if kind is None:
        return ()
    if kind == "top":
        return TOP_ORDER
    if kind == "catalog":
        return CATALOG_ORDER
    return KEY_ORDER.get(kind, ())


def child_kind(kind: str | None, key: str) -> str | None:
    """The kind of the value under `key` of a `kind` record: ``step{}`` is an id → step map,
    ``control*`` a list of controls, a bare name one record, None for plain values."""
    if kind in ("top", "catalog"):
        return _TOP_KINDS.get(key)
    return _CHILD_KINDS.get(kind, {}).get(key)


def yaml_rt() -> YAML:
    """A ruamel.yaml round-trip reader/writer with powerflow's layout."""
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    y.allow_unicode = True
    return y


def dump(doc: Any) -> str:
    buf = io.StringIO()
    yaml_rt().dump(doc, buf)
    text = buf.getvalue()
    lines = [ln.rstrip() for ln in text.split("\n")]
    return "\n".join(lines).rstrip("\n") + "\n"


def _is_leaf(v: Any) -> bool:
    return v is None or isinstance(v, str | int | float | bool)


def _short(d: dict[str, Any]) -> bool:
    """A record fit for one line: scalars or short lists of scalars, not too long, no newlines."""
    total = 0
    for k, v in d.items():
        if isinstance(v, list):
            if not all(_is_leaf(x) for x in v):
                return False
            total += sum(len(str(x)) + 2 for x in v)
        elif not _is_leaf(v) or (isinstance(v, str) and "\n" in v):
            return False
        else:
            total += len(str(v))
        total += len(k) + 4
    return total <= 90


def _ordered(data: dict[str, Any], order: tuple[str, ...]) -> list[str]:
    rank = {k: i for i, k in enumerate(order)}
    return sorted(data, key=lambda k: (rank.get(k, len(rank)), list(data).index(k)))


def document(data: Any, kind: str | None = "top") -> Any:
    """Plain data → a round-trip document in canonical order and layout (`kind`: ``top`` for a
    power file, ``catalog`` for a catalogue)."""
    if isinstance(data, dict):
        if kind is not None and kind.endswith("{}"):
            out = CommentedMap()
            for k, v in data.items():
                out[k] = document(v, kind[:-2])
            return out
        out = CommentedMap()
        for k in _ordered(data, key_order(kind)):
            out[k] = document(data[k], child_kind(kind, k))
        if kind not in (None, "top", "catalog", "power") and _short(data):
            out.fa.set_flow_style()
        return out
    if isinstance(data, list):
        seq = CommentedSeq()
        item_kind = kind[:-1] if kind and kind.endswith("*") else None
        for x in data:
            seq.append(document(x, item_kind))
        if all(_is_leaf(x) for x in data) and sum(len(str(x)) + 2 for x in data) <= 80:
            seq.fa.set_flow_style()
        return seq
    return data
