"""Reports of a dataset audit, written as the partitions come in.

Takes `PartAudit`s one by one and, at the end, the `Combined` audit; gives the same files as
`powerflow.replay.report.write_reports` (summary.json, cases.csv, deviations.csv, report.html,
and steps.csv when asked), with the same headers. Rows are appended per partition (grouped by
partition, not in log order), so the coordinator never holds them all.

Must not: decide findings or exit codes, or put anything from the log into the page unescaped
(the page is `html_from_summary`'s).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, TextIO

from ..cells import csv_rows
from ..replay.report import (
    CASE_HEADERS,
    DEVIATION_HEADERS,
    STEP_HEADERS,
    html_from_summary,
)
from .combine import Combined
from .partition import PartAudit

__all__ = ["ReportFiles", "rows_for"]


def rows_for(out: bool, stdout_csv: bool, step_times: bool) -> frozenset[str]:
    """The report rows the partitions must send back for these outputs."""
    rows = set()
    if out:
        rows |= {"cases", "deviations"}
    if stdout_csv:
        rows.add("deviations")
    if out and step_times:
        rows.add("steps")
    return frozenset(rows)


class ReportFiles:
    """The report files of one audit, open while partitions arrive."""

    def __init__(self, out: Path, step_times: bool) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.out = out
        self.paths = [out / "summary.json", out / "cases.csv", out / "deviations.csv",
                      out / "report.html"]
        self._files: list[TextIO] = []
        self._writers: dict[str, Any] = {}
        tables = [("cases", out / "cases.csv", CASE_HEADERS),
                  ("deviations", out / "deviations.csv", DEVIATION_HEADERS)]
        if step_times:
            self.paths.append(out / "steps.csv")
            tables.append(("steps", out / "steps.csv", STEP_HEADERS))
        for key, path, headers in tables:
            fh = path.open("w", newline="", encoding="utf-8")
            self._files.append(fh)
            self._writers[key] = csv.writer(fh)
            self._writers[key].writerow(headers)

    def write(self, part: PartAudit) -> None:
        for key, w in self._writers.items():
            w.writerows(csv_rows(getattr(part, key)))

    def finish(self, combined: Combined, chart_svg: str | None, lang: str) -> list[Path]:
        self.close()
        data = combined.summary()
        self.paths[0].write_text(json.dumps(data, ensure_ascii=False, indent=2),
                                 encoding="utf-8")
        self.paths[3].write_text(html_from_summary(combined.flow, data,
                                                   combined.overlay().risk_notes, chart_svg,
                                                   lang), encoding="utf-8")
        return self.paths

    def close(self) -> None:
        for fh in self._files:
            fh.close()
        self._files = []
