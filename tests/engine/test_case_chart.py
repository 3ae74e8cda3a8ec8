"""`simulate --format html` draws the case's path on the flowchart (real Graphviz)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from tests.conftest import require_graphviz

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "flows" / "kj-fx-0012-project-approval.yaml"
CASE = ROOT / "examples" / "cases" / "KJ-FX-0012" / "violating.case.yaml"


def test_case_page_embeds_the_path_chart(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    require_graphviz()
    out = tmp_path / "case.html"
    res = cli("simulate", str(FLOW), str(CASE), "--format", "html", "-o", str(out), "--lang", "zh")
    assert res.exit_code == 1  # the violating case has findings
    page = out.read_text(encoding="utf-8")
    found = re.search(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page)
    assert found, "no chart in the case page"
    svg = base64.b64decode(found.group(1)).decode("utf-8")
    assert svg.startswith("<svg") and "形式审查" in svg
    assert "缺少留痕" in svg  # the missing evidence at a risk point is noted on the chart
    assert "<script" not in svg.lower()


def test_outcomes_are_named_in_the_report_language(cli) -> None:  # type: ignore[no-untyped-def]
    clean = ROOT / "examples" / "cases" / "KJ-FX-0012" / "clean.case.yaml"
    assert "结果: 准予" in cli("simulate", str(FLOW), str(clean), "--lang", "zh").output
    assert "Outcome: granted" in cli("simulate", str(FLOW), str(clean), "--lang", "en").output
    out = cli("simulate", str(FLOW), "--random", "200", "--seed", "1", "--lang", "zh").output
    assert "准予:" in out and "granted" not in out
