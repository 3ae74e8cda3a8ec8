"""The user guide: a page per command in both languages, and `mkdocs build` works offline."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from powerflow.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guide"
DOCUMENTED_ELSEWHERE = {"simulate", "case", "render", "publish", "risk-table", "audit",
                        "export-net", "check", "rule"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_command_has_a_page(lang: str) -> None:
    pages = {p.stem for p in (GUIDE / lang).glob("*.md")}
    assert set(COMMANDS) <= pages, set(COMMANDS) - pages
    assert pages >= DOCUMENTED_ELSEWHERE
    assert {p.stem for p in (GUIDE / "zh").glob("*.md")} == {p.stem for p in (GUIDE / "en").glob("*.md")}


def test_nav_lists_every_page() -> None:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r"(guide/(?:zh|en)/[\w-]+\.md)", text))
    on_disk = {p.relative_to(ROOT / "docs").as_posix() for p in GUIDE.rglob("*.md")}
    assert listed == on_disk
    assert yaml.safe_load(text)["theme"]["highlightjs"] is False


def test_site_builds_offline(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs", reason="the docs extra is not installed: pip install -e '.[docs]'")
    res = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--site-dir", str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    page = (tmp_path / "guide" / "zh" / "import-xlsx.html").read_text(encoding="utf-8")
    assert "职权编码" in page
    for html in tmp_path.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', text), html
