"""The JSON Schema: committed files equal the generated ones, every sample file validates against
it, and its properties are exactly the keys the loader accepts, at every level of nesting."""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from powerflow import model as m
from powerflow.loader import discover
from powerflow.schema import catalog_schema, flow_schema
from powerflow.source import read_yaml
from powerflow.validation import _unwrap

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = ROOT / "docs" / "schema"
FLOW_FILES = [p for p, _ in discover([ROOT / "flows"])]
CATALOGS = sorted({c for _, c in discover([ROOT / "flows"]) if c is not None})


def _data(path: Path) -> Any:
    res = read_yaml(path.read_bytes(), str(path))
    assert res.data is not None, res.diagnostics
    return res.data


@pytest.mark.parametrize(("name", "make"), [("flow", flow_schema), ("catalog", catalog_schema)])
def test_committed_schema_is_current(name: str, make: Any) -> None:
    committed = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert committed == make(), f"run `make schema` to regenerate docs/schema/{name}.schema.json"


@pytest.mark.parametrize("make", [flow_schema, catalog_schema])
def test_schema_is_valid_draft_2020_12(make: Any) -> None:
    Draft202012Validator.check_schema(make())


@pytest.mark.parametrize("path", FLOW_FILES, ids=lambda p: p.name)
def test_every_sample_flow_validates_against_the_schema(path: Path) -> None:
    errors = list(Draft202012Validator(flow_schema()).iter_errors(_data(path)))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parent.name)
def test_every_catalogue_validates_against_the_schema(path: Path) -> None:
    errors = list(Draft202012Validator(catalog_schema()).iter_errors(_data(path)))
    assert [e.message for e in errors] == []


def test_schema_rejects_what_the_loader_rejects() -> None:
    bad = _data(Path(__file__).parent / "malformed" / "unknown-key.yaml")
    assert not Draft202012Validator(flow_schema()).is_valid(bad)
    bad_enum = _data(Path(__file__).parent / "malformed" / "invalid-enum.yaml")
    assert not Draft202012Validator(flow_schema()).is_valid(bad_enum)


def test_schema_accepts_chinese_and_english_enum_spellings() -> None:
    defs = flow_schema()["$defs"]
    assert {"行政许可", "licensing", "非行政许可审批"} <= set(defs["Category"]["enum"])
    assert {"高", "high", "★★★"} <= set(defs["RiskLevel"]["enum"])


def _models(root: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every model class reachable from `root` through its fields (lists, dicts, optionals)."""
    seen: dict[str, type[BaseModel]] = {}
    todo: list[Any] = [root]
    while todo:
        tp = todo.pop()
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp.__name__ in seen:
                continue
            seen[tp.__name__] = tp
            for f in tp.model_fields.values():
                todo.extend(_unwrap(f.annotation))
        else:
            for arg in typing.get_args(tp):
                todo.extend(_unwrap(arg))
    return seen


def _accepted_keys(cls: type[BaseModel]) -> set[str]:
    return {f.alias or name for name, f in cls.model_fields.items()}


@pytest.mark.parametrize(("root", "make"), [(m.FlowFile, flow_schema), (m.Catalog, catalog_schema)])
def test_schema_properties_equal_loader_keys(root: type[BaseModel], make: Any) -> None:
    schema = make()
    models = _models(root)
    assert len(models) >= (10 if root is m.FlowFile else 4)
    for name, cls in models.items():
        node = schema if cls is root else schema["$defs"][name]
        assert set(node["properties"]) == _accepted_keys(cls), name
        assert node.get("additionalProperties") is False, name
        required = {f.alias or n for n, f in cls.model_fields.items() if f.is_required()}
        assert set(node.get("required", [])) == required, name
    nested = {"Step", "Transition", "Risk", "Control", "Condition", "LegalBasis", "Limits"}
    if root is m.FlowFile:
        assert nested <= set(models)
