"""The published site in a real headless browser (Debian's chromium over DevTools): pages load
without console errors or CSP violations, nothing is fetched from elsewhere, search finds a
power by code and by Chinese name, columns sort, every chart image loads; screenshots are kept
in the test's tmp folder (or POWERFLOW_SCREENSHOTS) for a person to look at."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from powerflow.publish import SiteOptions, build_site
from tests.conftest import FLOWS, chromium_path, require_graphviz

from .cdp import Browser, serve
from .conftest import FIXTURES

pytestmark = [pytest.mark.browser, pytest.mark.graphviz]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Browser, str, Path, Any]]:
    require_graphviz()
    chromium = chromium_path()
    out = tmp_path_factory.mktemp("site")
    result = build_site([str(FIXTURES), str(FLOWS)], out, SiteOptions(("svg", "pdf", "png"), 96))
    assert result.published >= 2 and not [d for d in result.diagnostics if d.is_error]
    server, base = serve(out)
    browser = Browser(chromium)
    shots = Path(os.environ.get("POWERFLOW_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    shots.mkdir(parents=True, exist_ok=True)
    try:
        yield browser, base, shots, result
    finally:
        browser.close()
        server.shutdown()
        server.server_close()


def _pages(out: Path) -> list[str]:
    pages = ["index.html", "en/index.html"]
    for folder in sorted((out / "p").iterdir()):
        pages += [f"p/{folder.name}/index.html", f"p/{folder.name}/en.html"]
    return pages


def test_every_page_loads_cleanly(site: tuple[Browser, str, Path, Any]) -> None:
    browser, base, shots, result = site
    for page in _pages(result.out):
        browser.goto(base + page)
        assert browser.errors() == [], page
        assert all(u.startswith(base) for u in browser.requests()), browser.requests()
        images = browser.eval("Array.from(document.images).map(i => [i.src, i.complete, "
                              "i.naturalWidth])")
        assert all(ok and width > 0 for _src, ok, width in images), (page, images)
        if "/p/" in page:
            assert len(images) == 1
        browser.screenshot(shots / (page.replace("/", "_") + ".png"))


def _visible(browser: Browser) -> list[str]:
    return list(browser.eval("Array.from(document.querySelectorAll('#powers tbody tr'))"
                             ".filter(r => !r.hidden).map(r => r.dataset.code)"))


def _search(browser: Browser, text: str) -> list[str]:
    browser.eval(f"(() => {{ const i = document.getElementById('search'); i.value = {text!r}; "
                 "i.dispatchEvent(new Event('input')); })()")
    return _visible(browser)


def test_search_by_code_and_chinese_name(site: tuple[Browser, str, Path, Any]) -> None:
    browser, base, shots, _ = site
    browser.goto(base + "index.html")
    everything = _visible(browser)
    assert "T-XK-0001" in everything and len(everything) >= 2
    assert _search(browser, "t-xk-0001") == ["T-XK-0001"]
    assert _search(browser, "测试许可") == ["T-XK-0001"]
    assert _search(browser, "立项审批") == ["KJ-FX-0012"]
    assert _search(browser, "没有这个职权") == []
    assert browser.eval("document.getElementById('no-match').hidden") is False
    browser.screenshot(shots / "search-empty.png")
    assert _search(browser, "") == everything
    assert browser.errors() == []


def test_columns_sort(site: tuple[Browser, str, Path, Any]) -> None:
    browser, base, _, _ = site
    browser.goto(base + "en/index.html")
    click = "document.querySelector('th[data-key=\"{}\"] button').click()"
    browser.eval(click.format("code"))
    up = _visible(browser)
    assert up == sorted(up)
    browser.eval(click.format("code"))
    assert _visible(browser) == sorted(up, reverse=True)
    browser.eval(click.format("high"))
    highs = browser.eval("Array.from(document.querySelectorAll('#powers tbody tr'))"
                         ".map(r => Number(r.cells[6].dataset.sort))")
    assert highs == sorted(highs)


def test_language_toggle(site: tuple[Browser, str, Path, Any]) -> None:
    browser, base, _, _ = site
    browser.goto(base + "index.html")
    assert browser.eval("document.documentElement.lang") == "zh-CN"
    browser.goto(browser.eval("document.getElementById('lang-toggle').href"))
    assert browser.eval("document.documentElement.lang") == "en"
    assert browser.eval("location.pathname").endswith("/en/index.html")


def test_print_stylesheet(site: tuple[Browser, str, Path, Any]) -> None:
    import base64

    browser, base, shots, _ = site
    browser.goto(base + "p/T-XK-0001/index.html")
    browser.call("Emulation.setEmulatedMedia", media="print")
    try:
        hidden = browser.eval("['.site-header', '.downloads', '.crumb'].map(s => "
                              "getComputedStyle(document.querySelector(s)).display)")
        assert hidden == ["none", "none", "none"]
        assert browser.eval("getComputedStyle(document.getElementById('chart')).display") != "none"
    finally:
        browser.call("Emulation.setEmulatedMedia", media="")
    pdf = base64.b64decode(browser.call("Page.printToPDF", paperWidth=8.27,
                                        paperHeight=11.69)["data"])
    assert pdf.startswith(b"%PDF")
    (shots / "print-T-XK-0001.pdf").write_bytes(pdf)
    assert browser.errors() == []


_CJK = re.compile(r"[\u3400-\u9fff]")


def test_phone_width_links_and_english(site: tuple[Browser, str, Path, Any]) -> None:
    """At 390 px no page scrolls sideways; every link and image resolves to a file of the site
    (or is a generated tel:/mailto: link); an English page shows no Chinese in the title or a
    step that has an English name."""
    browser, base, shots, result = site
    out: Path = result.out
    zh_with_en = {s.name for f in FLOWS.glob("*.yaml") for s in _steps(f) if s.name_en}
    for page in _pages(out):
        browser.goto(base + page)
        browser.call("Emulation.setDeviceMetricsOverride", width=390, height=800,
                     deviceScaleFactor=1, mobile=True)
        browser.eval("new Promise(r => setTimeout(r, 100))")
        width = browser.eval("document.documentElement.scrollWidth")
        assert width <= 390, (page, width)
        links = browser.eval("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
        for href in links:
            if href.startswith(("tel:", "mailto:")):
                assert re.fullmatch(r"tel:\+?\d+|mailto:[\w.%+-]+@[\w.-]+", href), href
                continue
            assert href.startswith(base), href
            target = out / href[len(base):].split("#")[0].split("?")[0]
            assert target.is_file() or (target / "index.html").is_file(), (page, href)
        if page.endswith("en.html") or page.startswith("en/"):
            h1 = browser.eval("document.querySelector('h1').textContent")
            steps = browser.eval("Array.from(document.querySelectorAll('ol.steps strong'))"
                                 ".map(e => e.textContent)")
            if "/p/" in page:
                assert not _CJK.search(h1 or "") or page.startswith("p/T-"), (page, h1)
                assert not [s for s in steps if s in zh_with_en], (page, steps)
            chrome = browser.eval("Array.from(document.querySelectorAll('h2, th, dt, "
                                  ".site-footer')).map(e => e.textContent).join(' ')")
            assert not _CJK.search(chrome.replace("中文", "")), (page, chrome[:200])
    browser.screenshot(shots / "phone-power.png", width=390, height=800)


def _steps(path: Path) -> list[Any]:
    from powerflow.loader import load_flow_with_catalog

    if path.name == "catalog.yaml":
        return []
    lf, _ = load_flow_with_catalog(path)
    return list(lf.flow.steps.values()) if lf.flow else []


def test_search_by_office_and_category(site: tuple[Browser, str, Path, Any]) -> None:
    browser, base, _shots, _result = site
    browser.goto(base + "index.html")
    assert "KJ-FX-0012" in _search(browser, "计划科")
    assert "KJ-CF-0001" in _search(browser, "行政处罚")
    assert "KJ-CF-0001" in _search(browser, "penalty")
