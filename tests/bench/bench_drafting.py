"""Drafting tools: export and import a 300-row list, fmt and diff 300 generated powers.

Each row of the table has a baseline measured in the same run: the bare library work the command
cannot avoid (openpyxl reading the cells, the strict loader reading the files, ruamel.yaml
round-tripping the text), so the ratio says what powerflow adds on top.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import openpyxl

from powerflow import model as m
from powerflow.drafting import import_list, review
from powerflow.drafting.diffsource import load_side
from powerflow.drafting.exporter import write_xlsx
from powerflow.drafting.fmt_files import format_paths
from powerflow.drafting.layout import dump, yaml_rt
from tests.bench.generate import generate
from tests.bench.util import median_time, table

ROWS = 300
POWERS = 300
CATS = ["行政许可", "行政处罚", "行政奖励", "行政确认", "其他行政权力"]


def _infos(n: int) -> list[m.PowerInfo]:
    return [m.PowerInfo(
        code=f"XY22KJ-{i:05d}", name=f"第{i}号权力事项", category=m.Category(CATS[i % 5]),
        office="计划科", legal_basis=(m.LegalBasis(rank=m.LegalRank.LAW,
                                                  instrument="《中华人民共和国行政许可法》",
                                                  article="第二十九条"),),
        limits=m.Limits(statutory=20, promised=15),
        supervision=m.Supervision(hotline="0000-12345678")) for i in range(n)]


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-drafting-"))
    try:
        rows = []
        sheet = tmp / "list.xlsx"
        infos = _infos(ROWS)
        t_export = median_time(lambda: write_xlsx(infos, sheet), repeat=3)
        t_openpyxl_write = median_time(lambda: _bare_write(infos, tmp / "bare.xlsx"), repeat=3)
        rows.append([f"export-xlsx {ROWS} rows", t_export, "openpyxl write, same cells",
                     t_openpyxl_write, t_export / t_openpyxl_write])

        def imp() -> None:
            out = tmp / "imported"
            shutil.rmtree(out, ignore_errors=True)
            import_list(sheet, out)
        t_import = median_time(imp, repeat=1, warmup=0)
        t_read = median_time(lambda: list(openpyxl.load_workbook(sheet).active.iter_rows(
            values_only=True)), repeat=3)
        rows.append([f"import-xlsx {ROWS} rows (+validate each file)", t_import,
                     "openpyxl load + read cells", t_read, t_import / t_read])

        files = generate(tmp / "gen", POWERS)
        texts = [f.read_text(encoding="utf-8") for f in files]
        gen = [str(tmp / "gen")]
        t_rt = median_time(lambda: [dump(yaml_rt().load(t)) for t in texts], repeat=1, warmup=0)
        t_check1 = median_time(lambda: format_paths(gen, write=False, jobs=1), repeat=1, warmup=0)
        rows.append([f"fmt --check {POWERS} powers, 1 process", t_check1,
                     "ruamel.yaml load + dump", t_rt, t_check1 / t_rt])
        t_check2 = median_time(lambda: format_paths(gen, write=False, jobs=2), repeat=1, warmup=0)
        rows.append([f"fmt --check {POWERS} powers, 2 processes", t_check2,
                     "ruamel.yaml load + dump", t_rt, t_check2 / t_rt])

        t_load = median_time(lambda: load_side(tmp / "gen"), repeat=1, warmup=0)
        t_diff = median_time(lambda: review(load_side(tmp / "gen"), load_side(tmp / "gen")),
                             repeat=1, warmup=0)
        rows.append([f"diff {POWERS} vs {POWERS} powers", t_diff, "loading both sides", 2 * t_load,
                     t_diff / (2 * t_load)])
        print(table(["task", "time (s)", "baseline", "baseline (s)", "ratio"], rows))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _bare_write(infos: list[m.PowerInfo], path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in infos:
        ws.append([i.code, i.name, i.category.zh, i.office, "【法律】《中华人民共和国行政许可法》第二十九条",
                   "20个工作日", "15个工作日", "0000-12345678"])
    wb.save(path)


if __name__ == "__main__":
    main()
