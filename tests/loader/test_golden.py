"""Golden files: the exact diagnostics (English and Chinese) of malformed and hostile files.

Each `malformed/NAME.yaml` (and each generated case below, written into a temp folder so no
large or binary blob is committed) is loaded with `malformed/catalog.yaml`; its concise
rendering in both languages must equal `malformed/NAME.expected.txt`. Run with
`PF_UPDATE_GOLDEN=1` to rewrite the expected files after an intended change, then review the diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from powerflow.loader import LoadedFlow, load_catalog, load_flow
from powerflow.model import Catalog
from powerflow.report import render_concise

HERE = Path(__file__).parent / "malformed"
UPDATE = bool(os.environ.get("PF_UPDATE_GOLDEN"))

VALID = """\
# 实验动物生产许可证核发（最小的合法文件，供生成的测试用例使用）
power:
  code: KJ-XK-0199
  name: 实验动物生产许可证核发
  category: 行政许可
  legal_basis:
    - {rank: 法律, instrument: 《中华人民共和国行政许可法》, article: 第三十八条}
  limits: {statutory: 20, promised: 10}
steps:
  apply: {name: 申请, actor: applicant, kind: start}
  review: {name: 审查, actor: plan_office, kind: review, limit: 10}
  granted: {name: 准予许可, actor: window, kind: end, outcome: 准予}
transitions:
  - {from: apply, to: review, event: submit, label: 提交申请}
  - {from: review, to: granted, event: grant}
"""


def _bom_crlf(_: Path) -> bytes:
    return b"\xef\xbb\xbf" + VALID.replace("\n", "\r\n").encode("utf-8")


def _bom_crlf_error(_: Path) -> bytes:
    text = VALID.replace("kind: review, limit: 10", "kind: review, limt: 10")
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")


GENERATED: dict[str, Callable[[Path], bytes | None]] = {
    "binary-junk": lambda _: bytes(range(256)) * 64,
    "huge-file": lambda _: ((VALID + "# " + "填充" * 50 + "\n") * 8000).encode("utf-8"),
    "gbk-encoded": lambda _: VALID.encode("gbk"),
    "utf16-bom": lambda _: VALID.encode("utf-16"),
    "bom-crlf": _bom_crlf,
    "bom-crlf-unknown-key": _bom_crlf_error,
    "neither-utf8-nor-gbk": lambda _: VALID.encode("utf-8") + b"  note: \xff\x80\x80\n",
    "control-characters": lambda _: b"power:\x01\x02\x03\x04\x05\x06 name\n" * 10,
    "directory-as-file": lambda _: None,
}
COMMITTED = sorted(p.stem for p in HERE.glob("*.yaml") if p.name != "catalog.yaml")
CASES = sorted([*COMMITTED, *GENERATED])


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    loaded = load_catalog(HERE / "catalog.yaml")
    assert loaded.catalog is not None, loaded.diagnostics
    return loaded.catalog


def load_case(name: str, folder: Path, catalog: Catalog) -> LoadedFlow:
    """Load a case by its bare file name from `folder` (so locations read `NAME.yaml:l:c`)."""
    if name in GENERATED:
        target = folder / f"{name}.yaml"
        data = GENERATED[name](folder)
        if data is None:
            target.mkdir()
        else:
            target.write_bytes(data)
    old = Path.cwd()
    os.chdir(folder)
    try:
        return load_flow(f"{name}.yaml", catalog)
    finally:
        os.chdir(old)


def rendering(loaded: LoadedFlow) -> str:
    d = loaded.diagnostics
    return f"# en\n{render_concise(d, 'en')}\n# zh\n{render_concise(d, 'zh')}\n"


def test_there_are_at_least_fifteen_cases() -> None:
    assert len(CASES) >= 15
    missing = [c for c in CASES if not (HERE / f"{c}.expected.txt").is_file() and not UPDATE]
    assert missing == []


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str, catalog: Catalog, tmp_path: Path) -> None:
    folder = HERE if name in COMMITTED else tmp_path
    got = rendering(load_case(name, folder, catalog))
    expected_file = HERE / f"{name}.expected.txt"
    if UPDATE:
        expected_file.write_text(got, encoding="utf-8")
    assert got == expected_file.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- what each case means


def _codes(loaded: LoadedFlow) -> list[str]:
    return [d.code for d in loaded.diagnostics]


@pytest.mark.parametrize("name", ["bom-crlf", "utf16-bom", "on-off-yes-no"])
def test_windows_files_and_yaml11_words_load_cleanly(name: str, catalog: Catalog,
                                                     tmp_path: Path) -> None:
    folder = HERE if name in COMMITTED else tmp_path
    loaded = load_case(name, folder, catalog)
    assert loaded.diagnostics == ()
    assert loaded.flow is not None


def test_yaml11_booleans_stay_strings(catalog: Catalog) -> None:
    flow = load_case("on-off-yes-no", HERE, catalog).flow
    assert flow is not None
    assert list(flow.steps) == ["on", "review", "off", "no_"]
    assert [t.event for t in flow.transitions] == ["yes", "y", "no"]
    assert flow.transitions[0].from_ == "on"
    assert flow.facts == {"amount": "金额 on"}


def test_gbk_file_loads_with_a_warning(catalog: Catalog, tmp_path: Path) -> None:
    loaded = load_case("gbk-encoded", tmp_path, catalog)
    assert _codes(loaded) == ["PF010"]
    assert not loaded.diagnostics[0].is_error
    assert loaded.flow is not None and loaded.flow.name == "实验动物生产许可证核发"


def test_crlf_locations_are_right(catalog: Catalog, tmp_path: Path) -> None:
    loaded = load_case("bom-crlf-unknown-key", tmp_path, catalog)
    (d,) = loaded.diagnostics
    assert (d.code, d.location.line, d.location.column) == ("PF003", 11, 56)


def test_hostile_inputs_never_build_a_flow(catalog: Catalog, tmp_path: Path) -> None:
    for name in ("binary-junk", "huge-file", "directory-as-file", "neither-utf8-nor-gbk"):
        loaded = load_case(name, tmp_path, catalog)
        assert loaded.flow is None
        assert loaded.diagnostics and all(d.is_error for d in loaded.diagnostics)


def test_glued_colon_gets_a_hint(catalog: Catalog) -> None:
    (d,) = load_case("glued-colon", HERE, catalog).diagnostics
    assert d.hint is not None and "name: 受理" in d.hint.en and "全角" in d.hint.zh


def test_full_width_space_inside_block_text_is_fine(catalog: Catalog) -> None:
    diags = load_case("full-width-indent", HERE, catalog).diagnostics
    assert [d.location.line for d in diags] == [3]
