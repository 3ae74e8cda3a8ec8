"""Hostile text in a power file never becomes markup, a link, a script or a stylesheet:
not in the DOT, not in the SVG Graphviz writes, not in the published pages."""

from __future__ import annotations

import re
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest

from powerflow.model import Flow
from powerflow.render import flow_to_dot, render_flow
from powerflow.render.escape import clean_text, html_label_text, safe_link
from tests.conftest import require_graphviz

from .conftest import HOSTILE

BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


@pytest.mark.parametrize("text", HOSTILE)
def test_label_text_is_inert(text: str) -> None:
    out = html_label_text(text)
    assert "<" not in out.replace("<BR/>", "") and ">" not in out.replace("<BR/>", "")
    assert '"' not in out and not BIDI.search(out) and not CONTROL.search(out)
    assert re.search(r"(?<!\\)\\(?!\\)", out) is None  # every backslash doubled


def test_clean_text_keeps_ordinary_text() -> None:
    assert clean_text("申报:材料\n第二行\t") == "申报:材料\n第二行 "
    assert clean_text("a\u202eb\x07c") == "abc"


@pytest.mark.parametrize(("url", "ok"), [
    ("https://www.example.gov.cn/a", True), ("docs/a.pdf", True), ("a.html#x", True),
    ("javascript:alert(1)", False), ("JaVaScRiPt:alert(1)", False), ("http://x.cn", False),
    ("//evil.example/x", False), ("data:text/html,x", False), ("java\tscript:x", False),
    ("/etc/passwd", False), (" https://x.cn", False), ("https:///x", False), ("", False)])
def test_safe_link(url: str, ok: bool) -> None:
    assert (safe_link(url) is not None) == ok


def _markup_leaks(text: str) -> list[str]:
    bad = []
    for pattern in (r"<TD[^>]*HREF", r"(?i)<script", r"(?i)<a\s", r"(?i)<link", r"(?i)<img",
                    r"(?i)\bhref\s*=\s*\"?javascript", r"(?i)stylesheet=", r"(?i)\bURL="):
        if re.search(pattern, text):
            bad.append(pattern)
    return bad


def test_dot_of_hostile_flow_has_no_markup_from_yaml(hostile_flow: Flow) -> None:
    for lang in ("zh", "en"):
        text = flow_to_dot(hostile_flow, lang=lang)
        assert _markup_leaks(text) == []
        assert not BIDI.search(text) and not CONTROL.search(text)
        assert "申报:材料" not in re.findall(r"^\s*(\S+) \[", text, re.M)
        assert "\\\\N \\\\G \\\\L" in text  # Graphviz escapes arrive doubled


@pytest.mark.graphviz
def test_svg_of_hostile_flow_is_inert(hostile_flow: Flow, tmp_path: Path) -> None:
    require_graphviz()
    render_flow(hostile_flow, tmp_path / "evil", ["svg"], lang="en")
    raw = (tmp_path / "evil.svg").read_text("utf-8")
    assert "<script" not in raw and "<a " not in raw and "<?xml-stylesheet" not in raw
    tree = ET.fromstring(raw.encode("utf-8"))
    for el in tree.iter():
        tag = el.tag.split("}")[-1]
        assert tag not in ("script", "a", "foreignObject", "style", "image", "link"), tag
        for name, value in el.attrib.items():
            assert not name.split("}")[-1].lower().startswith(("href", "on")), (name, value)
            assert "javascript" not in value.lower(), (name, value)
    texts = "".join(el.text or "" for el in tree.iter())
    assert "<script>alert(1)</script>" in texts  # shown as text
    assert "\\N \\G \\L" in texts  # not expanded to the node or graph name
    assert "申报:材料" in texts


def test_xlsx_and_csv_keep_formulas_as_text(hostile_flow: Flow, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from powerflow.publish.risk_table import write_table

    write_table([hostile_flow], tmp_path / "r.xlsx")
    ws = load_workbook(tmp_path / "r.xlsx").active
    cells = [c for row in ws.iter_rows(min_row=2) for c in row]
    assert all(c.data_type == "s" for c in cells if c.value is not None)
    write_table([hostile_flow], tmp_path / "r.csv")
    text = (tmp_path / "r.csv").read_text("utf-8-sig")
    assert ",=HYPERLINK" not in text and "'=HYPERLINK" in text


def test_clean_text_drops_exactly_control_and_format_characters() -> None:
    import unicodedata

    for cp in range(0x30000):
        ch = chr(cp)
        cat = unicodedata.category(ch)
        if cat == "Cn" or ch in "\t\r\n":
            continue
        drop = cat in ("Cc", "Cs", "Co") or (cat == "Cf" and cp != 0x200D)
        assert (clean_text(ch) == "") == drop, hex(cp)
