"""Helpers for the rule tests: check a YAML text or file and look at the findings."""

from __future__ import annotations

from pathlib import Path

from powerflow.diagnostics import Diagnostic
from powerflow.loader import load_flow, load_flow_text
from powerflow.rules import Config, check_loaded

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
ROOT = HERE.parents[1]
STRICT = Config(profile="strict")


def check_text(text: str, config: Config = STRICT, name: str = "flow.yaml") -> list[Diagnostic]:
    loaded = load_flow_text(text.encode(), name)
    assert loaded.flow is not None, [d.message.en for d in loaded.diagnostics]
    return check_loaded(loaded, config)


def check_file(path: Path, config: Config = STRICT) -> list[Diagnostic]:
    loaded = load_flow(path)
    assert loaded.flow is not None, [d.message.en for d in loaded.diagnostics]
    return check_loaded(loaded, config)


def codes(diags: list[Diagnostic]) -> list[str]:
    return sorted(d.code for d in diags if d.suppressed is None)
