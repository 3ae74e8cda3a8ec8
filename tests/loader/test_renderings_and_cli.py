"""The renderings of load diagnostics (full code frame, JSON), resource limits on hostile input,
and the exit codes and languages of `powerflow validate`."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

from powerflow.loader import LoadedFlow, load_catalog, load_flow
from powerflow.report import render_full, render_json
from powerflow.source import Limits, read_yaml

HERE = Path(__file__).parent / "malformed"
FLOWS = Path(__file__).resolve().parents[2] / "flows"


def _load(name: str) -> LoadedFlow:
    return load_flow(HERE / name, load_catalog(HERE / "catalog.yaml").catalog)


def test_alias_bomb_is_refused_on_the_node_budget_with_bounded_memory() -> None:
    raw = (HERE / "alias-bomb.yaml").read_bytes()
    tracemalloc.start()
    try:
        res = read_yaml(raw, "bomb.yaml", Limits(max_nodes=5_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert res.data is None
    (d,) = res.diagnostics
    assert d.code == "PF009" and "5,000" in d.message.en
    # 9**9 values would need gigabytes; stopping at the budget keeps the peak tiny.
    assert peak < 20_000_000


def test_node_budget_counts_expanded_aliases_not_text_size() -> None:
    text = b"a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    assert read_yaml(text, "x.yaml", Limits(max_nodes=200)).data is not None
    refused = read_yaml(text, "x.yaml", Limits(max_nodes=100))
    assert refused.data is None and refused.diagnostics[0].code == "PF009"


def test_full_rendering_has_code_frame_and_hint() -> None:
    loaded = _load("unknown-key.yaml")
    text = render_full(loaded.diagnostics, "en")
    first = text.split("\n\n")[0].splitlines()
    assert first[0] == ("PF003 [unknown-key] error: unknown key 'catagory' in power; "
                        "did you mean 'category'?")
    assert first[1].endswith("unknown-key.yaml:4:3")
    assert first[3] == " > 4 |   catagory: 行政许可"
    assert first[4] == "     |   ^"
    assert first[-1] == "  = help: Remove it or correct its spelling."
    zh = render_full(loaded.diagnostics, "zh")
    assert "= 建议: 删除该键或更正拼写。" in zh


def test_full_rendering_caret_counts_wide_characters() -> None:
    loaded = _load("wrong-type.yaml")
    text = render_full(loaded.diagnostics, "en")
    block = next(b for b in text.split("\n\n") if "notice_days" in b).splitlines()
    line = next(x for x in block if x.startswith(" > "))
    caret = block[block.index(line) + 1]
    # the value 七天 starts after 公示 (two wide characters, four columns) in the line
    prefix = line.split("| ", 1)[1].split("七天")[0]
    wide = sum(2 if ord(c) > 0x2E7F else 1 for c in prefix)
    assert caret.split("| ", 1)[1] == " " * wide + "^"


def test_json_rendering_is_complete() -> None:
    loaded = _load("unknown-refs.yaml")
    body = json.loads(render_json(loaded.diagnostics, 1, "zh"))
    assert body["version"] == 1 and body["files"] == 1
    first = body["diagnostics"][0]
    assert first["code"] == "PF007" and first["name"] == "unknown-reference"
    assert (first["line"], first["column"]) == (6, 28)
    assert first["message"] == first["message_zh"]
    assert "aplicant" in first["message_en"] and "未定义" in first["message_zh"]
    assert first["hint"].startswith("请定义")


def test_cli_exit_zero_on_the_sample_catalogue(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate", str(FLOWS), "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert "0 个错误" in result.output


def test_cli_exit_one_on_findings_in_both_languages(cli) -> None:  # type: ignore[no-untyped-def]
    en = cli("validate", str(HERE / "unknown-key.yaml"), "--lang", "en")
    assert en.exit_code == 1
    assert "did you mean 'category'?" in en.output
    zh = cli("validate", str(HERE / "unknown-key.yaml"), "--lang", "zh")
    assert zh.exit_code == 1
    assert "是否想写 'category'？" in zh.output and "错误" in zh.output
    env_zh = cli("validate", str(HERE / "unknown-key.yaml"), env={"POWERFLOW_LANG": "zh_CN"})
    assert "是否想写" in env_zh.output


def test_cli_json_output_parses(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate", str(HERE / "duplicate-key.yaml"), "--format", "json")
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert [d["code"] for d in body["diagnostics"]] == ["PF002"]


def test_cli_exit_two_on_usage_errors(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("validate", str(tmp_path / "nope.yaml")).exit_code == 2
    assert cli("validate").exit_code == 2
    assert cli("validate", str(FLOWS), "--format", "xml").exit_code == 2
    (tmp_path / "notes.txt").write_text("not a power file", encoding="utf-8")
    result = cli("validate", str(tmp_path))
    assert result.exit_code == 2 and "no power files" in result.output


def test_cli_process_never_shows_a_traceback(cli_process, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    junk = tmp_path / "junk.yaml"
    junk.write_bytes(bytes(range(256)) * 8)
    proc = cli_process("validate", str(junk), str(HERE / "alias-bomb.yaml"), "--lang", "en")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "PF010" in proc.stdout and "PF009" in proc.stdout


def test_full_width_colon_inside_braces_gets_its_own_hint(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from powerflow.loader import load_flow

    f = tmp_path / "p.yaml"
    f.write_text("power: {code: X-1, name: 测试, category: 行政许可}\n"
                 "actors: {a: {name: 申请人, kind: external}}\n"
                 "steps:\n  s: {name：申请, actor: a, kind: start}\n", encoding="utf-8")
    (d,) = [d for d in load_flow(f).diagnostics if d.code == "PF003"]
    assert (d.location.line, d.location.column) == (4, 7)
    assert "'name'" in d.message.en and d.hint is not None and "全角冒号" in d.hint.zh


def test_a_catalogue_named_on_the_command_line_is_checked_as_a_catalogue(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    flows = Path(__file__).resolve().parents[2] / "flows"
    res = cli("validate", str(flows / "catalog.yaml"), "--lang", "en")
    assert res.exit_code == 0 and "1 file checked: 0 error(s)" in res.output
    res = cli("check", str(flows / "catalog.yaml"), str(flows), "--no-cache", "--lang", "en")
    assert res.exit_code == 0 and "PF006" not in res.output
    broken = tmp_path / "catalog.yaml"
    broken.write_text((flows / "catalog.yaml").read_text(encoding="utf-8").replace(
        "kind: external", "kind: extrnal", 1), encoding="utf-8")
    res = cli("validate", str(broken), "--lang", "en")
    assert res.exit_code == 1 and "did you mean 'external'" in res.output and "'power'" not in res.output
