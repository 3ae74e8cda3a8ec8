"""Helpers for the engine tests: the fixture flow, the sample flow, a case builder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from powerflow.engine.compile import CompiledFlow, compile_flow
from powerflow.engine.flows import load_compiled

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
PROC = HERE / "flows" / "procure.yaml"
SAMPLE = ROOT / "flows" / "kj-fx-0012-project-approval.yaml"


def compiled_at(path: Path) -> CompiledFlow:
    fl = load_compiled(path)
    assert fl.compiled is not None, [str(d.location) + " " + d.message.en for d in fl.diagnostics]
    return fl.compiled


@pytest.fixture(scope="session")
def proc() -> CompiledFlow:
    return compiled_at(PROC)


@pytest.fixture(scope="session")
def sample() -> CompiledFlow:
    if not SAMPLE.is_file():
        pytest.skip("flows/kj-fx-0012-project-approval.yaml is not in this checkout")
    return compiled_at(SAMPLE)


def case_yaml(case_id: str, events: list[dict[str, Any]], facts: dict[str, Any] | None = None,
              as_of: str | None = None) -> bytes:
    """A case file's bytes (JSON is valid YAML for our loader)."""
    import json

    info: dict[str, Any] = {"id": case_id}
    if as_of:
        info["as_of"] = as_of
    return json.dumps({"case": info, "facts": facts or {}, "events": events},
                      ensure_ascii=False, indent=1).encode()


__all__ = ["PROC", "SAMPLE", "case_yaml", "compile_flow", "compiled_at"]
