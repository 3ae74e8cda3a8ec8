"""JSON Schema of the file formats, generated from the model.

Takes nothing; gives the JSON Schema (draft 2020-12) of a power file and of a catalogue file,
with every accepted spelling of enumerations (Chinese and English) listed so editors complete
and accept both. Must not be edited by hand: `docs/schema/*.json` are written from here and a
test keeps them in step.
"""

from __future__ import annotations

import enum
from typing import Any

from . import model as m

__all__ = ["SCHEMA_IDS", "catalog_schema", "flow_schema"]

SCHEMA_IDS = {
    "flow": "https://powerflow.invalid/schema/flow.schema.json",
    "catalog": "https://powerflow.invalid/schema/catalog.schema.json",
}


def _enums() -> dict[str, type[m._AliasedEnum]]:
    out = {}
    for name in dir(m):
        obj = getattr(m, name)
        if isinstance(obj, type) and issubclass(obj, m._AliasedEnum) and obj is not m._AliasedEnum:
            out[obj.__name__] = obj
    return out


def _widen(schema: dict[str, Any]) -> dict[str, Any]:
    defs = schema.get("$defs", {})
    for name, cls in _enums().items():
        if name in defs:
            defs[name] = {"type": "string", "enum": cls.accepted(),
                          "description": (cls.__doc__ or "").strip()}
    _limits(schema)
    return schema


def _limits(node: Any) -> None:
    """Limits also accept the words 当天/即办 and "N个工作日"."""
    if isinstance(node, dict):
        any_of = node.get("anyOf")
        if isinstance(any_of, list):
            for alt in any_of:
                if isinstance(alt, dict) and alt.get("enum") == ["same_day", "immediate"]:
                    alt["enum"] = ["same_day", "immediate", "当天", "当日", "即办", "即时"]
                    any_of.append({"type": "string", "pattern": r"^\d+\s*(个)?工作日$"})
                    break
        for v in node.values():
            _limits(v)
    elif isinstance(node, list):
        for v in node:
            _limits(v)


def flow_schema() -> dict[str, Any]:
    schema = m.FlowFile.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_IDS["flow"]
    schema["title"] = "powerflow power file"
    return _widen(schema)


def catalog_schema() -> dict[str, Any]:
    schema = m.Catalog.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_IDS["catalog"]
    schema["title"] = "powerflow catalogue file"
    return _widen(schema)


assert issubclass(m._AliasedEnum, enum.Enum)
