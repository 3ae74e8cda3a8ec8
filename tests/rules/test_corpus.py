"""The flawed-flow corpus: one deliberately broken variant per rule, each reported with the
right code at the line marked `# expect: PFnnn`, and nothing else of error level."""

from __future__ import annotations

from pathlib import Path

import pytest

from powerflow.diagnostics import Severity
from powerflow.rules import RULES
from powerflow.rules.docs import example, expected_lines, page

from .helpers import CORPUS, check_file

FILES = sorted(CORPUS.glob("PF*.yaml"))


def test_one_corpus_file_per_rule() -> None:
    assert sorted(f.stem for f in FILES) == sorted(RULES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_flaw_reported_with_code_and_line(path: Path) -> None:
    code = path.stem
    text = path.read_text(encoding="utf-8")
    want = expected_lines(text)
    assert set(want) == {code}, "the file marks exactly its own rule"
    diags = [d for d in check_file(path) if d.suppressed is None]
    got = sorted(d.location.line for d in diags if d.code == code)
    assert got == want[code]
    assert all(d.location.file == str(path) and d.location.column >= 1
               for d in diags if d.code == code)
    allowed = {code, *page(code).also}
    others = {d.code for d in diags if d.severity is Severity.ERROR} - allowed
    assert not others, f"{code}'s flaw also triggers {others}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_corpus_is_the_documented_bad_example(path: Path) -> None:
    assert path.read_text(encoding="utf-8") == example(path.stem, "bad")
