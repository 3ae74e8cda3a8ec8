"""Every render/publish module says what it takes, gives and must not do, and lists its API."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import powerflow.publish
import powerflow.render

MODULES = [
    *sorted(f"{pkg.__name__}.{m.name}" for pkg in (powerflow.render, powerflow.publish)
            for m in pkgutil.iter_modules(pkg.__path__)),
    "powerflow.render",
    "powerflow.publish",
]


@pytest.mark.parametrize("name", MODULES)
def test_module_contract(name: str) -> None:
    module = importlib.import_module(name)
    doc = module.__doc__ or ""
    assert "Must not" in doc or "must not" in doc, name
    exported = module.__all__
    assert exported
    for item in exported:
        assert hasattr(module, item), (name, item)
