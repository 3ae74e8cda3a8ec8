"""Diagnostic codes are unique across the project: one code, one meaning, one name."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_NAME = re.compile(r'"(PF\d{3})",\s*(?:Severity\.\w+,\s*)?(?:[^"]*?)?"([a-z][a-z0-9]+(?:-[a-z0-9]+)+)"')


def test_every_code_family_is_documented() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    codes = set()
    for path in (ROOT / "powerflow").rglob("*.py"):
        codes |= set(re.findall(r'"(PF\d{3})"', path.read_text(encoding="utf-8")))
    assert codes, "no codes found: the scan is broken"
    families = re.findall(r"\| (PF\d{3})(?:-(PF\d{3}))? \|", text)
    ranges = [(int(a[2:]), int((b or a)[2:])) for a, b in families]
    undocumented = sorted(c for c in codes if not any(lo <= int(c[2:]) <= hi for lo, hi in ranges))
    assert undocumented == []


def test_a_code_has_one_name() -> None:
    """The same code must not be given two different kebab-case names in two places."""
    names: dict[str, set[str]] = defaultdict(set)
    for path in (ROOT / "powerflow").rglob("*.py"):
        for code, name in CODE_NAME.findall(path.read_text(encoding="utf-8")):
            names[code].add(name)
    assert names, "no (code, name) pairs found: the scan is broken"
    clashes = {c: sorted(n) for c, n in names.items() if len(n) > 1}
    assert clashes == {}


def test_store_codes_are_one_family_in_their_range() -> None:
    """PF8xx belong to the case store: each one used is declared in `STORE_CODES`, whose names
    are the ones written where the codes arise, all within PF801-PF829."""
    from powerflow.engine.store.base import STORE_CODES

    used = set()
    for path in (ROOT / "powerflow").rglob("*.py"):
        used |= set(re.findall(r'"(PF8\d\d)"', path.read_text(encoding="utf-8")))
    assert used and used <= set(STORE_CODES)
    assert all(801 <= int(c[2:]) <= 829 for c in STORE_CODES)
    assert len({name for name, _sev in STORE_CODES.values()}) == len(STORE_CODES)


def test_pf9xx_codes_belong_to_the_dataset_audit() -> None:
    """PF901-PF909 are reported only by `powerflow.distributed`, and each one in use has a row
    in its documentation page."""
    doc = (ROOT / "docs" / "distributed.md").read_text(encoding="utf-8")
    used: set[str] = set()
    for path in (ROOT / "powerflow").rglob("*.py"):
        found = set(re.findall(r'"(PF9\d\d)"', path.read_text(encoding="utf-8")))
        if found:
            assert path.parent.name == "distributed", (path, found)
        used |= found
    assert used, "no PF9xx code found: the scan is broken"
    assert all(901 <= int(c[2:]) <= 909 for c in used), used
    assert {c for c in used if f"| {c} |" not in doc} == set()
