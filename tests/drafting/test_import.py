"""import-xlsx and export-xlsx: a realistic list imports, validates, exports and re-imports."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from powerflow import model as m
from powerflow.drafting import import_list
from powerflow.drafting.exporter import write_xlsx
from powerflow.drafting.headers import HeaderMapping, load_mapping
from powerflow.drafting.normalise import clean_text, parse_basis, parse_limit
from powerflow.loader import load_catalog, load_flow
from tests.drafting.fixtures import GOOD_CODES, make_gbk_csv, make_xlsx

FLOWS = Path(__file__).resolve().parents[2] / "flows"


def _infos(folder: Path) -> dict[str, m.PowerInfo]:
    cat = load_catalog(folder / "catalog.yaml").catalog if (folder / "catalog.yaml").exists() else None
    out = {}
    for f in sorted(folder.glob("*.yaml")):
        if f.name == "catalog.yaml":
            continue
        loaded = load_flow(f, cat)
        assert loaded.ok, [str(d.location) + " " + d.message.en for d in loaded.diagnostics]
        assert loaded.flow is not None
        # as published: the power's own channels, else its department's
        out[loaded.flow.code] = loaded.flow.info.model_copy(
            update={"supervision": loaded.flow.supervision})
    return out


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    d = tmp_path / "flows"
    d.mkdir()
    shutil.copy(FLOWS / "catalog.yaml", d / "catalog.yaml")
    return d


def test_import_realistic_sheet(tmp_path: Path, out_dir: Path) -> None:
    src = make_xlsx(tmp_path / "清单.xlsx")
    result = import_list(src, out_dir)
    assert result.header_row == 2
    infos = _infos(out_dir)
    assert set(infos) == GOOD_CODES
    lic = infos["KJ-XK-0001"]  # full-width code, digits and dash folded
    assert lic.category is m.Category.LICENSING
    assert (lic.limits.statutory, lic.limits.promised) == (20, 15)
    assert lic.supervision.hotline == "0000-12345678"
    assert [(b.rank, b.instrument, b.article) for b in lic.legal_basis] == [
        (m.LegalRank.LAW, "《中华人民共和国行政许可法》", "第二十九条"),
        (m.LegalRank.DEPARTMENTAL_RULE, "《科技企业孵化器管理办法》", "第三条")]
    pen = infos["KJ-CF-0002"]
    assert (pen.limits.statutory, pen.limits.promised) == (90, 60)
    assert [b.rank for b in pen.legal_basis] == [m.LegalRank.LOCAL_REGULATION,
                                                  m.LegalRank.NORMATIVE_DOCUMENT]
    award = infos["KJ-JL-0003"]
    assert award.limits.statutory == 60 and award.limits.note == "不含公示时间"
    assert award.legal_basis[0].rank is m.LegalRank.LOCAL_RULE  # guessed: a city's 办法
    conf = infos["KJ-QR-0004"]
    assert (conf.limits.statutory, conf.limits.promised) == ("immediate", "immediate")
    assert conf.sub_item == "技术开发合同"
    acc = infos["KJ-QT-0005"].limits  # 三十日 / 二十日: calendar days, never working days
    assert (acc.statutory, acc.promised) == (None, None)
    assert acc.note == "法定时限30日（日历日）；承诺时限20日（日历日）"
    calendar = {(d.code, d.location.line, d.location.column) for d in result.diagnostics
                if d.code == "PF630"}
    assert calendar == {("PF630", 9, 9), ("PF630", 9, 10)}
    assert infos["KJ-XK-0008"].limits.statutory is None  # unreadable: left empty, row kept


def test_report_names_rows_and_columns(tmp_path: Path, out_dir: Path) -> None:
    result = import_list(make_xlsx(tmp_path / "l.xlsx"), out_dir)
    by_code = {(d.code, d.location.line, d.location.column) for d in result.diagnostics}
    # rows: title 1, header 2-3, data from 4; blank rows 5, 10, 11
    assert ("PF603", 12, 2) in by_code  # no code: column B
    assert ("PF604", 13, 5) in by_code  # unknown category: column E
    assert ("PF605", 13, 10) in by_code  # 一周 in column J (promised)
    assert ("PF605", 14, 9) in by_code  # 很快 in column I (statutory)
    assert result.skipped_rows == [12, 13]
    msg = next(d for d in result.diagnostics if d.code == "PF604").message
    assert "column E (职权类别)" in msg.en and "第 13 行 E 列" in msg.zh
    data = result.to_json()
    assert data["skipped_rows"] == [12, 13] and data["rows_read"] == 6


def test_templates_by_category_use_catalogue_actors(tmp_path: Path, out_dir: Path) -> None:
    import_list(make_xlsx(tmp_path / "l.xlsx"), out_dir)
    cat = load_catalog(out_dir / "catalog.yaml").catalog
    lic = load_flow(out_dir / "kj-xk-0001.yaml", cat).flow
    assert lic is not None
    assert list(lic.steps)[:4] == ["apply", "accept", "supplement", "not_accepted"]
    assert lic.steps["review"].actor == "plan_office"  # 计划科 from the catalogue
    assert lic.steps["refused"].written_reasons and lic.steps["refused"].appeal_notice
    assert sum(m.limit_days(s.limit) for s in lic.steps.values()) <= 15
    pen = load_flow(out_dir / "kj-cf-0002.yaml", cat).flow
    assert pen is not None
    assert {"file", "investigate", "review", "notify", "decide", "deliver", "enforce",
            "closed"} <= set(pen.steps)
    assert pen.actors[pen.steps["collective"].actor].kind is m.ActorKind.COLLECTIVE
    award = load_flow(out_dir / "kj-jl-0003.yaml", cat).flow
    assert award is not None
    assert award.steps["expert_review"].expert and award.steps["publicity"].notice_days == 7
    other = load_flow(out_dir / "kj-qr-0004.yaml", cat).flow
    assert other is not None and "handle" in other.steps
    local = load_flow(out_dir / "kj-qr-0004.yaml", cat)
    assert local.flow is not None and local.flow.steps["handle"].actor == "office"  # 成果转化科


def test_local_actors_without_catalogue(tmp_path: Path) -> None:
    out = tmp_path / "bare"
    import_list(make_xlsx(tmp_path / "l.xlsx"), out)
    flow = load_flow(out / "kj-xk-0001.yaml").flow
    assert flow is not None
    assert flow.actors["office"].name == "计划科"
    assert flow.actors["supervisor"].kind is m.ActorKind.SUPERVISOR


def test_validate_clean_and_round_trip(tmp_path: Path, out_dir: Path, cli) -> None:  # type: ignore[no-untyped-def]
    import_list(make_xlsx(tmp_path / "l.xlsx"), out_dir)
    assert cli("validate", str(out_dir)).exit_code == 0
    generated = [str(f) for f in out_dir.glob("kj-*.yaml")]
    assert cli("fmt", "--check", *generated).exit_code == 0  # written in canonical layout
    first = _infos(out_dir)
    exported = tmp_path / "export.xlsx"
    res = cli("export-xlsx", str(out_dir), "-o", str(exported))
    assert res.exit_code == 0, res.output
    again = tmp_path / "again"
    again.mkdir()
    shutil.copy(out_dir / "catalog.yaml", again / "catalog.yaml")
    res = cli("import-xlsx", str(exported), "-o", str(again))
    assert res.exit_code == 0, res.output
    assert _infos(again) == first
    ws = openpyxl.load_workbook(exported).active
    assert ws.cell(2, 1).value == "职权编码" and ws.max_row == 2 + len(first)


def test_round_trip_csv_and_sample_catalogue(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    sample = _infos(FLOWS)
    out = tmp_path / "list.csv"
    assert cli("export-xlsx", str(FLOWS), "-o", str(out)).exit_code == 0
    again = tmp_path / "again"
    again.mkdir()
    shutil.copy(FLOWS / "catalog.yaml", again / "catalog.yaml")
    assert cli("import-xlsx", str(out), "-o", str(again)).exit_code == 0
    assert _infos(again) == sample
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines(keepends=True)))
    hotline = rows[0].index("监督电话")
    assert len(rows) == len(sample) + 1 and all(r[hotline] == "0000-12345678（局纪检监察组）" for r in rows[1:])
    assert any(b.note for i in sample.values() for b in i.legal_basis)  # source notes kept


def test_gbk_csv(tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = import_list(make_gbk_csv(tmp_path / "list.csv"), out)
    assert result.encoding == "gbk"
    infos = _infos(out)
    assert set(infos) == {"KJ-XK-0101", "KJ-JL-0102"}
    assert infos["KJ-JL-0102"].name == "科技成果奖推荐"  # ideographic space trimmed
    assert infos["KJ-XK-0101"].office == "高新技术科"
    assert infos["KJ-XK-0101"].limits.promised == 10


def test_mapping_file(tmp_path: Path) -> None:
    src = tmp_path / "odd.csv"
    src.write_text("项目编号,项目名称,权力种类,主办科室\nA-1,某项审批,审批,办公室\n", encoding="utf-8")
    mp = tmp_path / "map.yaml"
    mp.write_text("columns:\n  code: 项目编号\n  name: 项目名称\n  category: 权力种类\n"
                  "  office: [主办科室]\ncategories: {审批: non_licensing_approval}\n",
                  encoding="utf-8")
    assert import_list(src, tmp_path / "o").written == []
    result = import_list(src, tmp_path / "o", load_mapping(mp))
    assert len(result.written) == 1
    info = _infos(tmp_path / "o")["A-1"]
    assert info.category is m.Category.NON_LICENSING_APPROVAL and info.office == "办公室"
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns: {nonsense: x}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="nonsense"):
        load_mapping(bad)


def test_existing_files_kept_unless_forced(tmp_path: Path, out_dir: Path) -> None:
    src = make_xlsx(tmp_path / "l.xlsx")
    import_list(src, out_dir)
    target = out_dir / "kj-xk-0001.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    again = import_list(src, out_dir)
    assert "PF610" in {d.code for d in again.diagnostics}
    assert target.read_text(encoding="utf-8").endswith("# mine\n")
    import_list(src, out_dir, force=True)
    assert not target.read_text(encoding="utf-8").endswith("# mine\n")


def test_cli_exit_codes(tmp_path: Path, out_dir: Path, cli) -> None:  # type: ignore[no-untyped-def]
    src = make_xlsx(tmp_path / "l.xlsx")
    res = cli("import-xlsx", str(src), "-o", str(out_dir), "--format", "json")
    assert res.exit_code == 1  # bad rows are findings
    assert json.loads(res.output)["skipped_rows"] == [12, 13]
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    assert cli("import-xlsx", str(junk), "-o", str(out_dir)).exit_code == 2
    headerless = tmp_path / "h.csv"
    headerless.write_text("a,b\n1,2\n", encoding="utf-8")
    res = cli("import-xlsx", str(headerless), "-o", str(out_dir), "--lang", "en")
    assert res.exit_code == 2 and "PF602" in res.output


def test_export_writes_title_and_reads_back_header(tmp_path: Path) -> None:
    info = m.PowerInfo(code="A-1", name="测试", category=m.Category.AWARD,
                       limits=m.Limits(statutory="same_day"), requires_publicity=True)
    path = tmp_path / "x.xlsx"
    write_xlsx([info], path, "标题")
    result = import_list(path, tmp_path / "o", HeaderMapping())
    assert result.header_row == 2
    assert _infos(tmp_path / "o")["A-1"] == info


@pytest.mark.parametrize(("cell", "value", "note"), [
    ("20个工作日", 20, None), ("２０ 个工作日", 20, None), (15, 15, None), (15.0, 15, None),
    ("二十个工作日", 20, None), ("即办", "immediate", None), ("当场", "immediate", None),
    ("当天", "same_day", None), ("30个工作日（不含专家评审）", 30, "不含专家评审"),
    (None, None, None), ("无", None, None)])
def test_parse_limit(cell: object, value: object, note: str | None) -> None:
    parsed = parse_limit(cell)
    assert (parsed.value, parsed.note, parsed.problem) == (value, note, None)


@pytest.mark.parametrize(("cell", "days", "note"), [
    ("30日", 30, None), ("二十日", 20, None), ("30天（不含专家评审）", 30, "不含专家评审")])
def test_days_without_working_are_calendar_days(cell: str, days: int, note: str | None) -> None:
    parsed = parse_limit(cell)
    assert (parsed.value, parsed.calendar, parsed.note, parsed.problem) == (None, days, note, None)


@pytest.mark.parametrize("cell", ["很快", "一周", -3, 2.5, "20小时"])
def test_parse_limit_problems(cell: object) -> None:
    parsed = parse_limit(cell)
    assert parsed.value is None and parsed.problem and parsed.problem_zh


def test_parse_basis_and_text() -> None:
    entries, problems = parse_basis(
        "《××省科学技术进步条例》第五十条；【法律】《中华人民共和国行政许可法》第二十九条；"
        "【部门规章】《科技部令》第三条;【国务院文件】《关于某事的通知》")
    assert [(e.rank, e.article) for e in entries] == [
        ("local_regulation", "第五十条"), ("law", "第二十九条"), ("departmental_rule", "第三条"),
        ("normative_document", None)]
    assert entries[0].guessed and not entries[1].guessed
    assert len(problems) == 1 and "国务院文件" in problems[0][0]
    assert clean_text("ＡＢＣ１２３\u3000测试，保留；") == "ABC123 测试，保留；"


def test_same_as_above_and_several_offices_keep_their_meaning(tmp_path: Path) -> None:
    """同上 repeats the row above (never an instrument called 同上); 计划科、财务科 are two
    offices (two actors, never one); both are noted in the import report."""
    src = tmp_path / "list.csv"
    rows = [["职权编码", "职权名称", "职权类别", "实施依据", "承办机构", "承诺时限"],
            ["A-1", "甲事项", "行政确认", "【法律】《中华人民共和国民法典》第八百四十三条", "计划科", "5个工作日"],
            ["A-2", "乙事项", "行政确认", "同上", "计划科、财务科", "同上"]]
    with src.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    out = tmp_path / "o"
    result = import_list(src, out, HeaderMapping())
    infos = _infos(out)
    second = infos["A-2"]
    assert [(b.instrument, b.article) for b in second.legal_basis] == [
        ("《中华人民共和国民法典》", "第八百四十三条")]
    assert second.limits.promised == 5
    same = [d for d in result.diagnostics if d.code == "PF631"]
    assert {(d.location.line, d.location.column) for d in same} == {(3, 4), (3, 6)}
    assert all("row 2" in d.message.en for d in same)
    [offices] = [d for d in result.diagnostics if d.code == "PF632"]
    assert "计划科, 财务科" in offices.message.en
    flow = load_flow(out / "a-2.yaml")
    assert flow.flow is not None
    names = sorted(a.name for a in flow.flow.actors.values() if a.kind is m.ActorKind.OFFICE)
    assert "计划科" in names and "财务科" in names and "计划科、财务科" not in names


def test_not_published_cells_are_marked_and_round_trip(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "list.csv"
    rows = [["职权编码", "职权名称", "职权类别", "监督电话", "法定时限", "承诺时限"],
            ["B-1", "丙事项", "行政确认", "未公布", "未公布", "5个工作日"]]
    with src.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    out = tmp_path / "o"
    result = import_list(src, out, HeaderMapping())
    info = _infos(out)["B-1"]
    assert [u.value for u in info.unpublished] == ["hotline", "statutory"]
    assert info.supervision.hotline is None and info.limits.statutory is None
    assert not [d for d in result.diagnostics if d.code == "PF605"]  # not an unreadable limit
    again = tmp_path / "again.csv"
    assert cli("export-xlsx", str(out), "-o", str(again)).exit_code == 0
    exported = list(csv.reader(again.read_text(encoding="utf-8-sig").splitlines()))
    row = dict(zip(exported[0], exported[1], strict=True))
    assert row["监督电话"] == "未公布" and row["法定时限"] == "未公布"
