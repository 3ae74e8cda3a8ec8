"""The dashboard in headless Chromium against the real server: sign in through the form,
the live cases with their cards, a filter, the case page with the chart of the path; no console
error, no CSP violation, nothing fetched from another origin. Screenshots are kept in the
test's tmp folder (or POWERFLOW_SCREENSHOTS) for a person to look at."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import chromium_path, require_graphviz
from tests.render.cdp import Browser

from .conftest import PASSWORD, Server, fire, open_case

pytestmark = [pytest.mark.browser, pytest.mark.graphviz, pytest.mark.slow]


def test_dashboard_and_case_page(fresh: Server, tmp_path: Path) -> None:
    require_graphviz()
    chromium = chromium_path()
    fresh.start()
    with fresh.client("clerk_a") as c:
        for cid, day in (("KJ-2025-0101", "01"), ("KJ-2025-0108", "08"), ("KJ-2025-0109", "09")):
            open_case(c, cid, f"2025-04-{day}T09:00:00+08:00")
            assert fire(c, cid, "submit", f"2025-04-{day}T09:05:00+08:00").status_code == 201
        assert fire(c, "KJ-2025-0101", "approve", "2025-04-02T10:00:00+08:00").status_code == 409
    shots = Path(os.environ.get("POWERFLOW_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    b = Browser(chromium)
    try:
        b.goto(fresh.base + "/login")
        b.eval(f"document.querySelector('input[name=name]').value = 'sup';"
               f"document.querySelector('input[name=password]').value = {json.dumps(PASSWORD)};"
               "document.querySelector('form.login').submit()")
        b.wait_event("Page.loadEventFired")
        b.eval("new Promise(r => setTimeout(r, 200))")
        assert b.eval("location.pathname") == "/"
        rows = b.eval("[...document.querySelectorAll('table.cases tbody tr')]"
                      ".map(r => [r.className, r.cells[1].innerText])")
        assert rows[0] == ["red", "KJ-2025-0101"]
        assert ["yellow", "KJ-2025-0108"] in rows and ["green", "KJ-2025-0109"] in rows
        assert "红牌 1" in b.eval("document.querySelector('.counts').innerText")
        b.screenshot(shots / "service-dashboard.png", 1280, 700)
        b.goto(fresh.base + "/?color=yellow&lang=en")
        assert b.eval("[...document.querySelectorAll('table.cases tbody tr')]"
                      ".map(r => r.cells[1].innerText)") == ["KJ-2025-0108"]
        assert "Live cases" in b.eval("document.querySelector('h1').innerText")
        b.goto(fresh.base + "/cases/KJ-2025-0101")
        assert b.eval("document.querySelector('img.chart').naturalWidth") > 100
        assert b.eval("document.querySelectorAll('table.trail tr.refused').length") == 1
        assert "PF501" in b.eval("document.querySelector('table.trail').innerText")
        b.screenshot(shots / "service-case.png", 1280, 1600)
        assert b.errors() == []
        assert all(u.startswith(fresh.base) or u.startswith("data:") for u in b.requests())
    finally:
        b.close()
