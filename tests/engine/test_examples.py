"""Every example case runs: clean ones exit 0, violating ones report what their `# expect:`
line names. Examples whose flow is not in flows/ (yet) are skipped with the reason."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from powerflow.engine.flows import find_flow

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "examples" / "cases").glob("*/*.case.yaml"))


def expected(path: Path) -> set[str]:
    m = re.search(r"(?m)^# expect:(.*)$", path.read_text(encoding="utf-8"))
    assert m, f"{path} needs a '# expect: clean' or '# expect: PF5xx …' line"
    words = set(m.group(1).split())
    return set() if words == {"clean"} else words


def test_there_are_examples() -> None:
    assert any(p.name == "clean.case.yaml" for p in CASES)
    assert any(p.name == "violating.case.yaml" for p in CASES)


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example(path: Path, cli: Callable[..., Result]) -> None:
    code = path.parent.name
    flows = find_flow(code, ROOT / "flows")
    if not flows:
        pytest.skip(f"no flow with power code {code} in flows/ yet")
    assert len(flows) == 1, f"several flows have code {code}: {flows}"
    want = expected(path)
    res = cli("simulate", str(flows[0]), str(path), "--format", "json", "--lang", "en")
    body = json.loads(res.output)
    got = {d["code"] for d in body["diagnostics"] if d["suppressed"] is None}
    if not want:
        assert res.exit_code == 0 and got == set(), body["diagnostics"]
        assert body["outcome"] is not None
    else:
        assert res.exit_code == 1
        assert want <= got, f"{path.name}: expected {sorted(want)}, got {sorted(got)}"
        assert got <= want | {"PF509"}, f"{path.name}: unexpected {sorted(got - want)}"
    for d in body["diagnostics"]:
        assert d["file"] == str(path) and d["line"] > 0
