"""Realistic power-list spreadsheets made with openpyxl, as departments hand them over."""

from __future__ import annotations

from pathlib import Path

import openpyxl

TITLE = "××市科学技术局权力清单（2024年版）"

# 序号, 编码, 名称, 子项, 类别, 实施依据, 实施主体, 承办机构, 法定时限, 承诺时限, 监督电话, 收费, 备注
ROWS: list[list[object]] = [
    [1, "ＫＪ－ＸＫ－０００１", "科技企业孵化器认定", None, "行政许可",
     "【法律】《中华人民共和国行政许可法》第二十九条；【部门规章】《科技企业孵化器管理办法》第三条",
     "××市科学技术局", "计划科", "20个工作日", "１５个工作日", "0000－12345678", "不收费", None],
    None,  # a blank row between blocks
    [2, "KJ-CF-0002", "对违反科技计划项目管理规定行为的处罚", None, "行政处罚",
     "【地方性法规】《××省科学技术进步条例》第五十条\n【规范性文件】《××市科技计划项目管理办法》第三十条",
     "××市科学技术局", "政策法规科", 90, 60, "0000-12345678", None, "重大案件集体讨论"],
    [3, "KJ-JL-0003", "科学技术进步奖评审", None, "行政奖励",
     "《××市科学技术奖励办法》第十条", "××市人民政府", "计划科", "６０个工作日（不含公示时间）",
     "45", None, "不收费", None],
    [4, "KJ-QR-0004", "技术合同认定登记", "技术开发合同", "行政确认",
     "【部门规章】《技术合同认定登记管理办法》第十条", "××市科学技术局", "成果转化科",
     "当场", "即办", "0000-12345678", None, None],
    [5, "KJ-QT-0005", "科技计划项目验收", None, "其他行政权力", None, "××市科学技术局",
     "计划科", "三十日", "二十日", "0000-12345678", None, None],
    None,
    None,
    [6, None, "缺少编码的一行", None, "行政检查", None, None, "计划科", "10", "5", None, None,
     None],
    [7, "KJ-XX-0007", "类别写错的一行", None, "行政神秘", None, None, "计划科", "10", "一周",
     None, None, None],
    [8, "KJ-XK-0008", "时限写错的一行", None, "行政许可", "【法律】《中华人民共和国行政许可法》",
     None, "计划科", "很快", "5", None, None, None],
]
GOOD_CODES = {"KJ-XK-0001", "KJ-CF-0002", "KJ-JL-0003", "KJ-QR-0004", "KJ-QT-0005", "KJ-XK-0008"}


def make_xlsx(path: Path) -> Path:
    """A title row merged across the sheet, a two-row header with merged cells (办理时限 over
    法定 | 承诺; the other headers merged vertically), blank rows, full-width characters,
    several categories and three bad rows (no code, unknown category, unreadable limit)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "权力清单"
    ws.append([TITLE])
    ws.merge_cells("A1:M1")
    ws.append(["序号", "职权编码", "职权名称", "子项", "职权类别", "实施依据", "实施主体",
               "承办机构", "办理时限", None, "监督电话", "收费依据", "备注"])
    ws.append([None, None, None, None, None, None, None, None, "法定", "承诺", None, None, None])
    for col in "ABCDEFGHKLM":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("I2:J2")
    for row in ROWS:
        ws.append(row if row is not None else [])
    wb.save(path)
    return path


def make_gbk_csv(path: Path) -> Path:
    """The same kind of list as a CSV saved by Excel on a Chinese Windows: GBK, header in row 1
    with full-width colons and spaces, columns named differently (事项编码, 事项名称, 事项类型)."""
    lines = [
        "事项编码：,事项名称,事项类型,设定依据,承办科室,法定办结时限,承诺办结时限,投诉电话",
        "ＫＪ－ＸＫ－０１０１,高新技术企业认定初审,行政许可,【法律】《中华人民共和国科学技术进步法》第四十条,"
        "高新技术科,20个工作日,10个工作日,0000-12345678",
        ",,,,,,,",
        "KJ-JL-0102,　科技成果奖推荐,行政奖励,【规范性文件】《××市科学技术奖励办法》第八条,计划科,30,20,",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path
