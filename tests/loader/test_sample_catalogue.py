"""Every file of the sample catalogue loads cleanly, and the CLI says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from powerflow.loader import discover, find_catalog, load_catalog, load_flow

FLOWS = Path(__file__).resolve().parents[2] / "flows"


def test_catalogue_loads() -> None:
    loaded = load_catalog(FLOWS / "catalog.yaml")
    assert loaded.diagnostics == ()
    assert loaded.catalog is not None
    assert loaded.catalog.department.name.endswith("科学技术局")


@pytest.mark.parametrize("path", [p for p, _ in discover([FLOWS])], ids=lambda p: p.name)
def test_every_flow_loads_without_diagnostics(path: Path) -> None:
    cat_path = find_catalog(path)
    assert cat_path is not None
    cat = load_catalog(cat_path).catalog
    loaded = load_flow(path, cat)
    assert [d.message.en for d in loaded.diagnostics] == []
    assert loaded.flow is not None
    assert loaded.flow.start is not None
    assert loaded.flow.ends


def test_validate_cli_exits_zero_on_sample(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate", str(FLOWS), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output
