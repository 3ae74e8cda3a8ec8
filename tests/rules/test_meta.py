"""Meta-tests keeping the registry, the docs pages and their examples in step."""

from __future__ import annotations

import re

import pytest

from powerflow.deviations import Deviation
from powerflow.diagnostics import Severity
from powerflow.rules import FAMILIES, RULES
from powerflow.rules.docs import (
    documented,
    example,
    expected_lines,
    page,
    render_index,
    render_page,
)

from .helpers import ROOT, check_text

DOCS = ROOT / "docs" / "rules"
CODES = sorted(RULES)


def test_at_least_twenty_rules_in_every_family() -> None:
    assert len([c for c in CODES if c != "PF100"]) >= 20
    for prefix in ("PF1", "PF2", "PF3", "PF4"):
        assert sum(c.startswith(prefix) for c in CODES) >= 3, prefix


def test_codes_and_names_unique_and_well_formed() -> None:
    names = [r.name for r in RULES.values()]
    assert len(set(names)) == len(names)
    for code, r in RULES.items():
        assert r.code == code
        assert re.fullmatch(r"PF[1-4]\d\d", code)
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)+", r.name), r.name
        assert r.title.en and r.title.zh and r.hint.en and r.hint.zh
        assert code[:3] in FAMILIES or code in FAMILIES
    assert not set(CODES) & {d.code for d in Deviation}


def test_every_code_has_a_page_and_every_page_a_code() -> None:
    pages = sorted(p.stem for p in DOCS.glob("PF*.md"))
    assert pages == CODES
    assert documented() == CODES


@pytest.mark.parametrize("code", CODES)
def test_page_is_up_to_date(code: str) -> None:
    text = (DOCS / f"{code}.md").read_text(encoding="utf-8")
    assert text == render_page(code), "regenerate: python -m powerflow.rules.docs docs/rules"
    assert "## Why it matters" in text and "## 为什么重要" in text
    assert text.count("```yaml") >= 2  # bad, good (and the waiver snippet)


def test_index_lists_every_rule() -> None:
    text = (DOCS / "index.md").read_text(encoding="utf-8")
    assert text == render_index()
    for code in CODES:
        assert f"[{code}]({code}.md)" in text


@pytest.mark.parametrize("code", CODES)
def test_bad_example_triggers_exactly_its_code(code: str) -> None:
    bad = example(code, "bad")
    diags = [d for d in check_text(bad) if d.suppressed is None]
    assert code in {d.code for d in diags}
    assert sorted(d.location.line for d in diags if d.code == code) == expected_lines(bad)[code]
    errors = {d.code for d in diags if d.severity is Severity.ERROR}
    assert errors <= {code, *page(code).also}


@pytest.mark.parametrize("code", CODES)
def test_good_example_triggers_nothing(code: str) -> None:
    diags = [d for d in check_text(example(code, "good")) if d.suppressed is None]
    assert [f"{d.code} {d.message.en}" for d in diags] == []
