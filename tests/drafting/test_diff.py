"""diff: each kind of change is found and classified; exit codes; git revisions; HTML page."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from powerflow import model as m
from powerflow.drafting import Effect, compare, overlays, review
from powerflow.drafting.diffsource import GitError, load_git_side, load_side
from powerflow.drafting.review_report import render_html, render_json, render_text
from powerflow.loader import load_flow_text

FLOWS = Path(__file__).resolve().parents[2] / "flows"

BASE = """
power:
  code: T-DIFF-1
  name: 科技奖励评审
  category: 行政奖励
  legal_basis:
    - {rank: 规范性文件, instrument: 《××市科学技术奖励办法》, article: 第十条}
  limits: {statutory: 60, promised: 40}
  supervision: {hotline: 0000-1234}
actors:
  applicant: {name: 申报单位, kind: external}
  office: {name: 计划科, kind: office}
  panel: {name: 专家组, kind: panel, min_size: 5}
  meeting: {name: 局务会, kind: collective, min_size: 5}
  director: {name: 局长, kind: leader}
  discipline: {name: 纪检监察, kind: supervisor}
steps:
  apply: {name: 申报, actor: applicant, kind: start}
  formal: {name: 形式审查, actor: office, kind: review, limit: 7}
  expert: {name: 专家评审, actor: panel, kind: review, limit: 10, expert: true}
  decide: {name: 审定, actor: meeting, kind: decision, limit: 5}
  granted: {name: 授奖, actor: office, kind: end, outcome: granted}
  refused: {name: 不予奖励, actor: office, kind: end, outcome: refused, written_reasons: true, appeal_notice: true}
transitions:
  - {from: apply, to: formal, event: submit}
  - {from: formal, to: expert, event: pass}
  - {from: formal, to: refused, event: fail}
  - {from: expert, to: decide, event: opinions}
  - {from: decide, to: granted, event: approve}
  - {from: decide, to: refused, event: decline}
risks:
  R1:
    at: expert
    level: 高
    description: 专家与申报单位有利害关系
    responsible: office
    controls:
      - {name: 专家随机抽取, evidence: random_draw, owner: discipline}
      - {name: 回避声明, evidence: recusal, owner: panel}
  R2:
    at: decide
    level: 中
    description: 个人意见代替集体决策
    responsible: meeting
    controls:
      - {name: 专家评审把关, step: expert, owner: panel}
      - {name: 会议纪要, evidence: minutes, owner: meeting}
separation:
  - {steps: [formal, expert], reason: 审查人员不得担任评审专家}
"""


def flow(edit: Callable[[dict[str, Any]], None] | None = None) -> m.Flow:
    data = yaml.safe_load(BASE)
    if edit is not None:
        edit(data)
    loaded = load_flow_text(yaml.safe_dump(data, allow_unicode=True).encode(), "t.yaml")
    assert loaded.flow is not None, [d.message.en for d in loaded.diagnostics]
    return loaded.flow


def kinds(edit: Callable[[dict[str, Any]], None]) -> dict[str, Effect]:
    return {c.kind: c.effect for c in compare(flow(), flow(edit))}


def test_no_changes_for_same_or_reordered() -> None:
    assert compare(flow(), flow()) == []
    def reorder(d: dict[str, Any]) -> None:
        d["steps"] = dict(reversed(list(d["steps"].items())))
    assert compare(flow(), flow(reorder)) == []


def test_removed_control_loosens() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["risks"]["R1"]["controls"].pop(1)
    changes = compare(flow(), flow(edit))
    assert [(c.kind, c.effect, c.risk) for c in changes] == [
        ("control-removed", Effect.LOOSENING, "R1")]
    assert "回避声明" in changes[0].message.zh and "R1" in changes[0].message.en


def test_lowered_and_raised_risk_level() -> None:
    def lower(d: dict[str, Any]) -> None:
        d["risks"]["R1"]["level"] = "低"
    assert kinds(lower) == {"risk-level-lowered": Effect.LOOSENING}
    def raise_(d: dict[str, Any]) -> None:
        d["risks"]["R2"]["level"] = "high"
    assert kinds(raise_) == {"risk-level-raised": Effect.TIGHTENING}


def test_time_limits() -> None:
    def longer(d: dict[str, Any]) -> None:
        d["steps"]["formal"]["limit"] = 15
    changes = compare(flow(), flow(longer))
    assert [(c.kind, c.effect, c.step, c.old, c.new) for c in changes] == [
        ("limit-raised", Effect.LOOSENING, "formal", 7, 15)]
    def promise(d: dict[str, Any]) -> None:
        d["power"]["limits"]["promised"] = 30
        d["steps"]["decide"]["limit"] = "即办"
    assert kinds(promise) == {"limit-lowered": Effect.TIGHTENING}
    def no_limit(d: dict[str, Any]) -> None:
        del d["steps"]["expert"]["limit"]
    assert kinds(no_limit) == {"limit-raised": Effect.LOOSENING}


def test_collective_decision_replaced_by_one_leader() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["steps"]["decide"]["actor"] = "director"
        d["risks"]["R2"]["responsible"] = "director"
    changes = compare(flow(), flow(edit))
    dropped = [c for c in changes if c.kind == "collective-decision-dropped"]
    assert len(dropped) == 1 and dropped[0].effect is Effect.LOOSENING
    assert dropped[0].step == "decide" and "局长" in dropped[0].message.zh
    # also when the collective step is replaced by a differently named leader step
    def renamed(d: dict[str, Any]) -> None:
        step = d["steps"].pop("decide")
        d["steps"]["leader_decides"] = {**step, "actor": "director"}
        for t in d["transitions"]:
            for end in ("from", "to"):
                if t[end] == "decide":
                    t[end] = "leader_decides"
        d["risks"]["R2"]["at"] = "leader_decides"
        d["risks"]["R2"]["responsible"] = "director"
    got = kinds(renamed)
    assert got["collective-decision-dropped"] is Effect.LOOSENING
    assert got["step-removed"] is Effect.LOOSENING  # a decision step went away


def test_weakened_controls_and_other_loosening() -> None:
    def to_evidence(d: dict[str, Any]) -> None:
        d["risks"]["R2"]["controls"][0] = {"name": "专家评审把关", "evidence": "expert_note",
                                           "owner": "panel"}
    assert kinds(to_evidence) == {"control-weakened": Effect.LOOSENING}
    def own_owner(d: dict[str, Any]) -> None:
        d["risks"]["R1"]["controls"][0]["owner"] = "panel"  # the risk step's own actor
    assert kinds(own_owner) == {"control-owner-changed": Effect.LOOSENING}
    def drop_sep(d: dict[str, Any]) -> None:
        d["separation"] = []
    assert kinds(drop_sep) == {"separation-dropped": Effect.LOOSENING}
    def suppress(d: dict[str, Any]) -> None:
        d["suppress"] = [{"code": "PF201", "at": "R1", "reason": "由上级部门统一抽取专家"}]
    assert kinds(suppress) == {"suppression-added": Effect.LOOSENING}
    def no_reasons(d: dict[str, Any]) -> None:
        d["steps"]["refused"]["appeal_notice"] = False
    assert kinds(no_reasons) == {"appeal-notice-dropped": Effect.LOOSENING}
    def smaller_panel(d: dict[str, Any]) -> None:
        d["actors"]["panel"]["min_size"] = 3
    assert kinds(smaller_panel) == {"actor-size-changed": Effect.LOOSENING}
    def drop_risk(d: dict[str, Any]) -> None:
        del d["risks"]["R2"]
    assert kinds(drop_risk) == {"risk-removed": Effect.LOOSENING}


def test_neutral_and_tightening_changes() -> None:
    def basis(d: dict[str, Any]) -> None:
        d["power"]["legal_basis"].append({"rank": "法律", "instrument": "《中华人民共和国科学技术进步法》"})
    assert kinds(basis) == {"legal-basis-added": Effect.NEUTRAL}
    def new_step(d: dict[str, Any]) -> None:
        d["steps"]["publicity"] = {"name": "公示", "actor": "office", "kind": "notice",
                                   "notice_days": 7}
        d["transitions"][3]["to"] = "publicity"
        d["transitions"].append({"from": "publicity", "to": "decide", "event": "no_objection"})
        d["risks"]["R2"]["controls"].append({"name": "公示", "step": "publicity", "owner": "office"})
    got = kinds(new_step)
    assert got["step-added"] is Effect.TIGHTENING and got["control-added"] is Effect.TIGHTENING
    assert got["transition-added"] is Effect.NEUTRAL and got["transition-removed"] is Effect.NEUTRAL


def test_review_overlays_and_reports() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["steps"]["decide"]["actor"] = "director"
        d["risks"]["R1"]["controls"].pop(1)
        d["risks"]["R1"]["description"] = "<script>alert(1)</script>"
        d["transitions"].append({"from": "formal", "to": "decide", "event": "fast_track"})
    old_f, new_f = flow(), flow(edit)
    from powerflow.drafting.review import PowerReview
    pr = PowerReview("T-DIFF-1", new_f.name, None, None, compare(old_f, new_f))
    o, n = overlays(pr)
    assert n.step_colors["decide"] == "bad" and "decide" in n.step_notes
    assert n.edge_colors[("formal", "decide", "fast_track")] == "added"
    assert "R1" in n.risk_notes and o.caption and "修改前" in o.caption


def _write(folder: Path, name: str, data: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


def test_cli_files_folders_and_exit_codes(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    base = yaml.safe_load(BASE)
    old = _write(tmp_path / "old", "a.yaml", base)
    same = _write(tmp_path / "same", "a.yaml", copy.deepcopy(base))
    assert cli("diff", str(old), str(same)).exit_code == 0
    tight = copy.deepcopy(base)
    tight["risks"]["R2"]["level"] = "高"
    assert cli("diff", str(old), str(_write(tmp_path / "t", "a.yaml", tight))).exit_code == 0
    loose = copy.deepcopy(base)
    loose["steps"]["formal"]["limit"] = 20
    new = _write(tmp_path / "new", "a.yaml", loose)
    extra = copy.deepcopy(base)
    extra["power"]["code"] = "T-DIFF-2"
    _write(tmp_path / "new", "b.yaml", extra)
    res = cli("diff", str(tmp_path / "old"), str(tmp_path / "new"), "--lang", "en")
    assert res.exit_code == 1
    assert "[loosening] time limit of 形式审查（formal） raised" in res.output
    assert "power added: T-DIFF-2" in res.output
    res = cli("diff", str(old), str(new), "--format", "json")
    data = __import__("json").loads(res.output)
    assert data["loosening"] and data["counts"]["loosening"] == 1
    html = tmp_path / "r.html"
    res = cli("diff", str(old), str(new), "--format", "html", "-o", str(html))
    page = html.read_text(encoding="utf-8")
    assert res.exit_code == 1 and 'class="charts"' in page and "Content-Security-Policy" in page
    assert cli("diff", str(old)).exit_code == 2
    broken = tmp_path / "broken.yaml"
    broken.write_text("power: {code: X, name: y, category: nope}\nsteps: {}\n", encoding="utf-8")
    assert cli("diff", str(old), str(broken)).exit_code == 1


def test_html_escapes_user_text() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["risks"]["R9"] = {"at": "formal", "level": "低", "description": "<img src=x onerror=alert(1)>",
                            "responsible": "office",
                            "controls": [{"name": "<b>x</b>", "evidence": "e", "owner": "office"}]}
    from powerflow.drafting.diffsource import Side
    from powerflow.loader import LoadedFlow
    o = Side("old", {"T": LoadedFlow("o", flow(), {}, ())})
    n = Side("new", {"T": LoadedFlow("n", flow(edit), {}, ())})
    r = review(o, n)
    page = render_html(r, "zh")
    assert "<img src=x" not in page and "&lt;img src=x" in page and "<b>x</b>" not in page
    # the only images are our charts, embedded as data URIs (nothing in an <img> can run)
    for tag in re.findall(r"<img\b[^>]*>", page):
        assert re.search(r'\ssrc="data:image/(svg\+xml|png);base64,', tag), tag
    assert "新增风险点" in render_text(r, "zh") and '"risk-added"' in render_json(r)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
                        "HOME": str(repo), "PATH": "/usr/bin:/bin"})


def test_git_revisions(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    flows = repo / "flows"
    flows.mkdir(parents=True)
    shutil.copy(FLOWS / "catalog.yaml", flows / "catalog.yaml")
    sample = sorted(f for f in FLOWS.glob("*.yaml") if f.name != "catalog.yaml")[0]
    shutil.copy(sample, flows / sample.name)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "one")
    data = yaml.safe_load(sample.read_text(encoding="utf-8"))
    rid, risk = next(iter(data["risks"].items()))
    risk["controls"] = risk["controls"][:-1]
    (flows / sample.name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    _git(repo, "commit", "-qam", "two")
    old, new = load_git_side("HEAD~1", flows, flows), load_git_side("HEAD", flows, flows)
    assert old.ok and new.ok and set(old.flows) == set(new.flows)
    r = review(old, new)
    assert [c.kind for c in r.changes] == ["control-removed"] and r.changes[0].risk == rid
    monkeypatch.chdir(repo)
    res = cli("diff", "--git", "HEAD~1", "HEAD", "flows", "--lang", "en")
    assert res.exit_code == 1 and f"control removed from risk {rid}" in res.output
    assert cli("diff", "--git", "HEAD~1", "HEAD", "flows/" + sample.name).exit_code == 1
    assert cli("diff", "--git", "nope", "HEAD", "flows").exit_code == 2
    with pytest.raises(GitError):
        load_git_side("--upload-pack=x", flows, flows)


def test_sample_catalogue_against_itself() -> None:
    side = load_side(FLOWS)
    assert side.ok and side.flows
    r = review(side, load_side(FLOWS))
    assert r.changes == [] and not r.loosening


def test_new_rule_findings_when_rules_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    from powerflow.diagnostics import Diagnostic, Location, Severity, Text
    from powerflow.drafting.diffsource import Side
    from powerflow.loader import LoadedFlow

    def check_flow(lf: LoadedFlow) -> list[Diagnostic]:
        assert lf.flow is not None
        found = [Diagnostic("PF399", Severity.WARNING, Location(lf.path, 1, 1),
                            Text("old finding", "旧发现"))]
        if not lf.flow.separation:
            found.append(Diagnostic("PF301", Severity.WARNING, Location(lf.path, 3, 1),
                                    Text("no separation of duties", "没有岗位分离")))
        return found

    fake = types.ModuleType("powerflow.rules")
    fake.check_flow = check_flow  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "powerflow.rules", fake)
    def drop(d: dict[str, Any]) -> None:
        d["separation"] = []
    r = review(Side("old", {"T": LoadedFlow("o", flow(), {}, ())}),
               Side("new", {"T": LoadedFlow("n", flow(drop), {}, ())}))
    assert r.rules == "used"
    assert [d.code for d in r.powers[0].new_findings] == ["PF301"]
    assert "PF301" in render_text(r) and "PF301" in render_html(r, "en")

    def broken(lf: LoadedFlow) -> list[Diagnostic]:
        raise RuntimeError("boom")
    fake.check_flow = broken  # type: ignore[attr-defined]
    r = review(Side("old", {"T": LoadedFlow("o", flow(), {}, ())}),
               Side("new", {"T": LoadedFlow("n", flow(drop), {}, ())}))
    assert r.rules.startswith("failed") and "could not run" in render_text(r)


def test_rules_engine_with_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule engine's `check_loaded(loaded, config)` is called with the project's config."""
    import types

    from powerflow.diagnostics import Diagnostic, Location, Severity, Text
    from powerflow.drafting.diffsource import Side
    from powerflow.loader import LoadedFlow

    seen: list[object] = []

    def check_loaded(lf: LoadedFlow, config: object) -> list[Diagnostic]:
        seen.append(config)
        assert lf.flow is not None
        return [] if lf.flow.separation else [Diagnostic(
            "PF301", Severity.WARNING, Location(lf.path, 3, 1), Text("no separation", "无分离"))]

    fake = types.ModuleType("powerflow.rules")
    fake.check_loaded = check_loaded  # type: ignore[attr-defined]
    fake.load_config = lambda path: ("config", path)  # type: ignore[attr-defined]
    fake.find_config = lambda start: None  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "powerflow.rules", fake)
    def drop(d: dict[str, Any]) -> None:
        d["separation"] = []
    r = review(Side("old", {"T": LoadedFlow("o", flow(), {}, ())}),
               Side("new", {"T": LoadedFlow("n", flow(drop), {}, ())}))
    assert r.rules == "used" and seen == [("config", None)] * 2
    assert [d.code for d in r.powers[0].new_findings] == ["PF301"]


def test_html_charts_side_by_side(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a renderer present the OLD and NEW charts are embedded as images, drawn with the
    review's overlays; without one, the page says why."""
    import base64

    from powerflow.drafting.diffsource import Side
    from powerflow.loader import LoadedFlow

    def drop(d: dict[str, Any]) -> None:
        d["steps"]["decide"]["actor"] = "director"
        d["risks"]["R2"]["responsible"] = "director"
    sides = (Side("old", {"T": LoadedFlow("o", flow(), {}, ())}),
             Side("new", {"T": LoadedFlow("n", flow(drop), {}, ())}))
    import powerflow.render as render

    monkeypatch.setattr(render, "chart_svg",
                        lambda flow, overlay, lang: (None, "Graphviz is not installed"))
    page = render_html(review(*sides), "en")
    assert "side-by-side charts go here" in page and "not installed" in page
    drawn: list[dict[str, str]] = []

    def chart_svg(flow: m.Flow, overlay: Any, lang: str) -> tuple[str, str]:
        drawn.append(dict(overlay.step_colors))
        return (f"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script>{flow.code}"
                "</svg>", "")

    monkeypatch.setattr(render, "chart_svg", chart_svg)
    page = render_html(review(*sides), "zh")
    assert page.count("data:image/svg+xml;base64,") == 2 and "<script>" not in page
    assert drawn == [{}, {"decide": "bad"}]
    first = page.split("data:image/svg+xml;base64,")[1].split('"')[0]
    assert b"T-DIFF-1" in base64.b64decode(first)
    assert "修改前" in page and "修改后" in page


def test_new_rule_error_counts_as_loosening(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """A new publicity bypass is no semantic change of any one field, but it is a new PF407
    error: the review says control is loosened and exits 1."""
    from powerflow.rules.docs import example

    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    good = example("PF407", "good")
    old.write_text(good, encoding="utf-8")
    new.write_text(good.replace(
        "  - {from: decide, to: refused, event: decline}\n",
        "  - {from: decide, to: refused, event: decline}\n"
        "  - {from: decide, to: granted, event: approve_directly}\n"), encoding="utf-8")
    res = cli("diff", str(old), str(new), "--lang", "en")
    assert res.exit_code == 1, res.output
    assert "new rule error" in res.output and "Control is loosened." in res.output
    same = cli("diff", str(old), str(old), "--lang", "en")
    assert same.exit_code == 0
