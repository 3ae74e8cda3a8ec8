"""new: a power file from flags (and prompts), from the same templates as the importer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from powerflow import model as m
from powerflow.drafting import ScaffoldError, build_flow, power_info, scaffold
from powerflow.drafting.templates import TEMPLATES
from powerflow.loader import load_catalog, load_flow, load_flow_text

FLOWS = Path(__file__).resolve().parents[2] / "flows"


def test_new_from_flags(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    d = tmp_path / "flows"
    d.mkdir()
    shutil.copy(FLOWS / "catalog.yaml", d / "catalog.yaml")
    res = cli("new", "--code", "KJ-XK-0099", "--name", "测试许可", "--category", "行政许可",
              "--office", "计划科", "--promised", "15个工作日", "--statutory", "20",
              "--legal-basis", "【法律】《中华人民共和国行政许可法》第二十九条",
              "--hotline", "0000-1", "-o", str(d), "--lang", "en")
    assert res.exit_code == 0, res.output
    path = d / "kj-xk-0099.yaml"
    assert f"created {path}" in res.output
    flow = load_flow(path, load_catalog(d / "catalog.yaml").catalog).flow
    assert flow is not None
    assert flow.info.limits.promised == 15 and flow.info.legal_basis[0].rank is m.LegalRank.LAW
    assert flow.steps["review"].actor == "plan_office"
    assert cli("validate", str(d)).exit_code == 0
    # exists: refused without --force
    again = cli("new", "--code", "KJ-XK-0099", "--name", "x", "--category", "licensing",
                "-o", str(d))
    assert again.exit_code == 2 and "exists" in again.output + (again.stderr or "")


def test_new_missing_flags_without_terminal(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    res = cli("new", "--code", "A-1", "-o", str(tmp_path), "--lang", "en")
    assert res.exit_code == 2 and "--name" in res.output and "--category" in res.output
    bad = cli("new", "--code", "A-1", "--name", "x", "--category", "行政许可", "--promised", "很快",
              "-o", str(tmp_path))
    assert bad.exit_code == 2


def test_new_prompts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli) -> None:  # type: ignore[no-untyped-def]
    import powerflow.cli.new as new_cmd

    monkeypatch.setattr(new_cmd, "stdin_is_tty", lambda: True)
    res = cli("new", "-o", str(tmp_path), "--lang", "zh",
              input="KJ-JL-0001\n科技进步奖\n行政奖励\n计划科\n30\n")
    assert res.exit_code == 0, res.output
    flow = load_flow(tmp_path / "kj-jl-0001.yaml").flow
    assert flow is not None and flow.info.category is m.Category.AWARD
    assert flow.info.office == "计划科" and flow.info.limits.promised == 30
    assert "expert_review" in flow.steps


@pytest.mark.parametrize("template", sorted(TEMPLATES))
@pytest.mark.parametrize("with_catalog", [True, False])
def test_every_template_loads(template: str, with_catalog: bool) -> None:
    catalog = load_catalog(FLOWS / "catalog.yaml").catalog if with_catalog else None
    info = power_info("T-1", "测试", "其他行政权力", office="计划科", promised="3")
    import yaml
    data = build_flow(info, catalog, template)
    loaded = load_flow_text(yaml.safe_dump(data, allow_unicode=True).encode(), "t.yaml", catalog)
    assert loaded.ok, [d.message.en for d in loaded.diagnostics]
    assert loaded.flow is not None
    steps = loaded.flow.steps.values()
    assert sum(m.limit_days(s.limit) for s in steps) <= 3 or all(s.limit is None for s in steps)
    assert any(s.kind is m.StepKind.END and s.outcome and s.outcome.adverse and s.written_reasons
               for s in steps) or template == "penalty"


def test_scaffold_errors(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError):
        power_info("中文编码", "x", "行政许可")
    info = power_info("A-2", "x", "行政处罚")
    path = scaffold(info, tmp_path / "sub" / "custom.yaml")
    assert path.name == "custom.yaml" and load_flow(path).ok


@pytest.mark.parametrize("category", ["licensing", "penalty", "award", "other"])
def test_scaffold_with_a_legal_basis_passes_check(cli, tmp_path: Path, category: str) -> None:  # type: ignore[no-untyped-def]
    """A skeleton from a category template does not break the project's own rules: once the
    drafter has given the legal basis, `check` finds nothing."""
    shutil.copy(FLOWS / "catalog.yaml", tmp_path / "catalog.yaml")
    res = cli("new", "--code", f"KJ-T-{category}", "--name", "测试事项", "--category", category,
              "--office", "计划科", "--statutory", "20", "--promised", "15",
              "--legal-basis", "【法律】《中华人民共和国行政许可法》第二十九条", "-o", str(tmp_path))
    assert res.exit_code == 0, res.output
    res = cli("check", str(tmp_path), "--no-cache", "--lang", "en")
    assert res.exit_code == 0, res.output
