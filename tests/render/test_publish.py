"""The static site without a browser: incremental rebuilds, invalid powers left out, the
content-security policy, nothing from YAML turning into markup or links; the risk table."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from powerflow.publish import SiteOptions, build_site
from powerflow.publish.pages import CSP
from powerflow.publish.risk_table import HEADERS
from powerflow.publish.site import MANIFEST, slug_for
from tests.conftest import FLOWS, require_graphviz

from .conftest import FIXTURES

SVG_ONLY = SiteOptions(("svg",), 96)


@pytest.mark.graphviz
def test_incremental_rebuild(fixture_flows: Path, tmp_path: Path) -> None:
    require_graphviz()
    site = tmp_path / "site"
    first = build_site([str(fixture_flows)], site, SVG_ONLY)
    assert (first.published, first.rendered, first.kept) == (1, 1, 0)
    chart = site / "p" / "T-XK-0001" / "chart.svg"
    stamp = chart.stat().st_mtime_ns
    again = build_site([str(fixture_flows)], site, SVG_ONLY)
    assert (again.published, again.rendered, again.kept) == (1, 0, 1)
    assert chart.stat().st_mtime_ns == stamp
    # a second power appears, the first one is kept
    mini = fixture_flows / "t-xk-0001-mini.yaml"
    other = mini.read_text("utf-8").replace("T-XK-0001", "T-XK-0002").replace("测试许可", "另一许可")
    (fixture_flows / "t-xk-0002.yaml").write_text(other, "utf-8")
    grown = build_site([str(fixture_flows)], site, SVG_ONLY)
    assert (grown.published, grown.rendered, grown.kept) == (2, 1, 1)
    # editing a file re-renders only that power
    mini.write_text(mini.read_text("utf-8").replace("违规受理", "违规受理或拖延"), "utf-8")
    edited = build_site([str(fixture_flows)], site, SVG_ONLY)
    assert (edited.rendered, edited.kept) == (1, 1)
    assert "违规受理或拖延" in (site / "p" / "T-XK-0001" / "index.html").read_text("utf-8")
    # a changed catalogue re-renders everything that uses it
    cat = fixture_flows / "catalog.yaml"
    cat.write_text(cat.read_text("utf-8").replace("测试局", "测试二局"), "utf-8")
    assert build_site([str(fixture_flows)], site, SVG_ONLY).rendered == 2
    # other options re-render, a removed power's page goes
    (fixture_flows / "t-xk-0002.yaml").unlink()
    shrunk = build_site([str(fixture_flows)], site, SiteOptions(("svg", "png"), 96))
    assert (shrunk.published, shrunk.rendered, shrunk.removed) == (1, 1, 1)
    assert not (site / "p" / "T-XK-0002").exists()
    manifest = json.loads((site / MANIFEST).read_text("utf-8"))
    assert list(manifest["powers"]) == [str(mini)]


@pytest.mark.graphviz
def test_invalid_powers_are_reported_not_published(cli: Callable[..., Result],
                                                   fixture_flows: Path, tmp_path: Path) -> None:
    require_graphviz()
    (fixture_flows / "broken.yaml").write_text("power: {code: BROKEN-1}\nsteps: {}\n", "utf-8")
    res = cli("publish", str(fixture_flows), "-o", str(tmp_path / "site"), "--downloads", "svg",
              "-q")
    assert res.exit_code == 1
    assert "broken.yaml" in res.output
    index = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert "T-XK-0001" in index and "BROKEN-1" not in index
    assert not (tmp_path / "site" / "p" / "BROKEN-1").exists()


@pytest.mark.graphviz
def test_a_power_with_rule_errors_is_withheld_and_named(cli: Callable[..., Result],
                                                        tmp_path: Path) -> None:
    """The sample catalogue with one power whose promised limit exceeds the statutory one
    (PF406, an error): the others are published, that one is not, and it is named; with
    --publish-with-errors it is published too."""
    require_graphviz()
    flows = tmp_path / "flows"
    flows.mkdir()
    for f in FLOWS.glob("*.yaml"):
        text = f.read_text("utf-8")
        if f.name.startswith("kj-xk-0001"):
            text = text.replace("    statutory: 20\n", "    statutory: 5\n", 1)
            assert "statutory: 5" in text
        (flows / f.name).write_text(text, "utf-8")
    res = cli("publish", str(flows), "-o", str(tmp_path / "site"), "--downloads", "svg", "-q")
    assert res.exit_code == 1
    assert "PF406" in res.output and "PF704" in res.output
    assert "not published (1, rule errors):" in res.output and "KJ-XK-0001" in res.output
    index = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert "KJ-FX-0012" in index and "KJ-XK-0001" not in index
    powers = len([f for f in FLOWS.glob("*.yaml") if f.name != "catalog.yaml"])
    assert len(list((tmp_path / "site" / "p").glob("*/index.html"))) == powers - 1
    res = cli("publish", str(flows), "-o", str(tmp_path / "site"), "--downloads", "svg", "-q",
              "--publish-with-errors")
    assert res.exit_code == 1 and "PF704" not in res.output
    assert (tmp_path / "site" / "p" / "KJ-XK-0001" / "index.html").is_file()


@pytest.mark.graphviz
def test_sample_catalogue_publishes(cli: Callable[..., Result], tmp_path: Path) -> None:
    require_graphviz()
    res = cli("publish", str(FLOWS), "-o", str(tmp_path / "site"), "--downloads", "svg,pdf",
              "-q")
    assert res.exit_code == 0, res.output
    pages = list((tmp_path / "site" / "p").glob("*/index.html"))
    assert len(pages) == len([p for p in FLOWS.glob("*.yaml") if p.name != "catalog.yaml"])
    for page in pages:
        assert (page.parent / "chart.svg").is_file() and (page.parent / "chart.pdf").is_file()


def _check_page(text: str) -> None:
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'.replace(
        "'", "&#39;") in text or f'content="{CSP}"' in text
    scripts = re.findall(r"<script\b[^>]*>", text)
    for s in scripts:
        assert s == '<script type="application/json" id="power-index">' or re.fullmatch(
            r'<script src="(\.\./)*assets/site\.js">', s), s
    for tag in re.findall(r"<(?:a|link|img)\b[^>]*>", text):
        for url in re.findall(r'(?:href|src)="([^"]*)"', tag):
            assert not re.match(r"(?i)[a-z][a-z0-9+.-]*:|//", url), url  # relative only
    assert "javascript:" not in re.sub(r"&[a-z#0-9]+;", "", "".join(
        re.findall(r'(?:href|src|action)="([^"]*)"', text)))
    assert not re.search(r"<(?:style|iframe|object|embed|base|form)\b", text)
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", text)


@pytest.mark.graphviz
def test_hostile_power_site_is_inert(hostile_dir: Path, tmp_path: Path) -> None:
    require_graphviz()
    site = tmp_path / "site"
    res = build_site([str(hostile_dir)], site, SiteOptions(("svg",), 96, with_errors=True))
    assert res.published == 1, res.diagnostics
    pages = [site / "index.html", site / "en" / "index.html",
             *sorted((site / "p").glob("*/*.html"))]
    assert len(pages) == 4
    for page in pages:
        text = page.read_text("utf-8")
        _check_page(text)
        assert "<script>alert" not in text and "&lt;" in text
        assert "onerror=" not in text.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
    index_json = re.search(r'id="power-index">(.*?)</script>', (site / "index.html")
                           .read_text("utf-8"), re.S)
    assert index_json and "</" not in index_json.group(1)
    assert json.loads(index_json.group(1))[0]["name"] == "<script>alert(1)</script>"


def test_slugs_are_safe_and_distinct() -> None:
    assert slug_for("KJ-FX-0012") == "KJ-FX-0012"
    assert slug_for("A.B") != slug_for("A_B")
    assert slug_for("..") not in ("..", ".", "") and "/" not in slug_for("../x")


def test_risk_table_xlsx_and_csv(cli: Callable[..., Result], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from powerflow.pipeline import load_all

    flows = [lf.flow for lf in load_all([FIXTURES, FLOWS])[0] if lf.flow is not None]
    expected = {(f.code, rid) for f in flows for rid in f.risks}
    res = cli("risk-table", str(FIXTURES), str(FLOWS), "-o", str(tmp_path / "r.xlsx"),
              "--form", "flat")
    assert res.exit_code == 0, res.output
    ws = load_workbook(tmp_path / "r.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    assert tuple(rows[0]) == HEADERS
    assert {(r[0], r[2]) for r in rows[1:]} == expected and len(rows) - 1 == len(expected)
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    assert ws.column_dimensions["F"].width >= 40
    r2 = next(r for r in rows if r[0] == "T-XK-0001" and r[2] == "R2")
    assert r2[3:] == ("高", "集体决定", "个人意见代替集体决策", "会议纪要；纪检列席", "局务会")
    res = cli("risk-table", str(FIXTURES), "-o", str(tmp_path / "r.csv"))
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as fh:
        data = list(csv.reader(fh))
    assert data[0] == list(HEADERS) and len(data) == 3
    assert cli("risk-table", str(FIXTURES), "-o", str(tmp_path / "r.txt")).exit_code == 2


def test_filing_form_xlsx(cli: Callable[..., Result], tmp_path: Path) -> None:
    """The 廉政风险防控表 as filed: title and unit/date rows, the header repeated on printed
    pages, 序号 and 职权名称 merged per power, each control on its own line with its owner,
    A4 landscape, row heights set, every cell text."""
    from openpyxl import load_workbook

    from powerflow.publish.filing import FILING_HEADERS

    res = cli("risk-table", str(FLOWS), "-o", str(tmp_path / "f.xlsx"), "--date", "2026-12-01")
    assert res.exit_code == 0, res.output
    ws = load_workbook(tmp_path / "f.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "××市科学技术局廉政风险防控表"
    assert "填报日期：2026-12-01" in rows[1][0] and "××市科学技术局" in rows[1][0]
    assert tuple(rows[2]) == FILING_HEADERS
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    merged = {str(m) for m in ws.merged_cells.ranges}
    powers = [r for r in rows[3:] if r[0] is not None]
    n = len([f for f in FLOWS.glob("*.yaml") if f.name != "catalog.yaml"])
    assert len(powers) == n and [r[0] for r in powers] == [str(i) for i in range(1, n + 1)]
    assert any(m.startswith("B4:B") for m in merged) and any(m.startswith("A4:A") for m in merged)
    first = rows[3]
    assert first[2].startswith("R1 ") and first[4] in ("高", "中", "低")
    assert "\n2. " in first[5] and "（" in first[5]  # one control per line, with its owner
    assert all(ws.row_dimensions[i].height for i in range(4, ws.max_row + 1))
    assert all(c.data_type == "s" for row in ws.iter_rows(min_row=4) for c in row
               if c.value is not None)
