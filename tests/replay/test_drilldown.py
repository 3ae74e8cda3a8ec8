"""Audit drill-down: every case id in the report links to a page of that case with its events
(time, activity, person, step name, risk point) and each finding at its event."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

EX = Path(__file__).resolve().parents[2] / "examples" / "realdata"


def test_every_case_id_links_to_its_drill_down(shared_data: Path, cli: Callable[..., Result],
                                               tmp_path: Path) -> None:
    res = cli("audit", str(EX / "roadtraffic.yaml"), str(shared_data / "roadtraffic100traces.csv"),
              "--mapping", str(EX / "roadtraffic.mapping.yaml"), "-o", str(tmp_path),
              "--no-chart")
    assert res.exit_code == 1, res.output
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="(cases/[^"]+)">([^<]+)</a>', report)
    assert links
    deviations = (tmp_path / "deviations.csv").read_text(encoding="utf-8")
    for href, case in links:
        page = (tmp_path / href).read_text(encoding="utf-8")
        assert f"<h1>{case}：" in page and "../report.html" in page
        assert case in deviations
    page = (tmp_path / links[0][0]).read_text(encoding="utf-8")
    rows = re.findall(r"<tr><td>(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)</td>", page)
    assert rows == sorted(rows) and rows
    n = int(re.search(r"：(\d+) 条发现", page).group(1))  # type: ignore[union-attr]
    assert n == len(re.findall(r"PF5\d\d ", page)) and n >= 1
