"""fmt: canonical order and layout, idempotent, never loses a comment or a value."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from powerflow.drafting.fmt import FormatError, comment_lines, format_text
from powerflow.drafting.layout import TOP_ORDER
from powerflow.loader import discover, load_catalog, load_flow, load_flow_text

FLOWS = Path(__file__).resolve().parents[2] / "flows"

ids = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
words = st.text(alphabet="申请受理审查决定公示专家评审科室局长abcXYZ", min_size=1, max_size=12)


@st.composite
def flows(draw: st.DrawFn) -> dict[str, Any]:
    """A valid power file as plain data, with keys in a random order at every level."""
    n = draw(st.integers(2, 6))
    step_ids = [f"s{i}" for i in range(n)]
    actor_ids = draw(st.lists(ids, min_size=1, max_size=3, unique=True))
    actors = {a: {"name": draw(words), "kind": draw(st.sampled_from(
        ["post", "office", "leader", "collective", "外部"]))} for a in actor_ids}
    steps: dict[str, Any] = {}
    for i, sid in enumerate(step_ids):
        s: dict[str, Any] = {"name": draw(words), "actor": draw(st.sampled_from(actor_ids))}
        if i == 0:
            s["kind"] = "start"
        elif i == n - 1:
            s["kind"], s["outcome"] = "end", draw(st.sampled_from(["granted", "准予", "closed"]))
        else:
            s["kind"] = draw(st.sampled_from(["task", "review", "decision", "审查"]))
            if draw(st.booleans()):
                s["limit"] = draw(st.one_of(st.integers(0, 30), st.sampled_from(["即办", "当天"])))
            if draw(st.booleans()):
                s["documents"] = draw(st.lists(words, min_size=1, max_size=3))
        steps[sid] = s
    transitions = [{"from": a, "to": b, "event": f"e{i}", **(
        {"label": draw(words)} if draw(st.booleans()) else {})}
        for i, (a, b) in enumerate(itertools.pairwise(step_ids))]
    risks = {}
    for j in range(draw(st.integers(0, 2))):
        risks[f"R{j}"] = {
            "at": draw(st.sampled_from(step_ids)), "level": draw(st.sampled_from(["高", "medium"])),
            "description": draw(words), "responsible": draw(st.sampled_from(actor_ids)),
            "controls": [{"name": draw(words), "evidence": draw(ids),
                          "owner": draw(st.sampled_from(actor_ids))}
                         for _ in range(draw(st.integers(1, 2)))]}
    data: dict[str, Any] = {
        "power": {"code": draw(st.from_regex(r"[A-Z]{2}-[0-9]{3}", fullmatch=True)),
                  "name": draw(words), "category": draw(st.sampled_from(["行政许可", "award"])),
                  "limits": {"statutory": 20, "promised": draw(st.integers(1, 20))}},
        "actors": actors, "steps": steps, "transitions": transitions,
    }
    if risks:
        data["risks"] = risks
    if n > 2 and draw(st.booleans()):
        data["separation"] = [{"reason": draw(words), "steps": step_ids[:2]}]
    return _shuffle(draw, data, top=True)


def _shuffle(draw: st.DrawFn, value: Any, top: bool = False) -> Any:
    if isinstance(value, dict):
        keys = draw(st.permutations(list(value)))
        return {k: _shuffle(draw, value[k]) for k in keys}
    if isinstance(value, list):
        return [_shuffle(draw, v) for v in value]
    return value


@st.composite
def commented_files(draw: st.DrawFn) -> str:
    data = draw(flows())
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000,
                          default_flow_style=draw(st.sampled_from([False, None])))
    lines = text.splitlines()
    out: list[str] = []
    for i, line in enumerate(lines):
        if draw(st.integers(0, 4)) == 0:
            indent = len(line) - len(line.lstrip())
            out.append(" " * indent + f"# above {i} 注释")
        if draw(st.integers(0, 4)) == 0:
            line += f"  # end {i}"
        out.append(line)
    if draw(st.booleans()):
        out.insert(0, "# 文件头注释")
    if draw(st.booleans()):
        out.append("# trailing")
    return "\n".join(out) + "\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.generate])
@given(commented_files())
def test_fmt_property(text: str) -> None:
    before = load_flow_text(text.encode(), "in.yaml")
    assert before.ok, [d.message.en for d in before.diagnostics]
    out = format_text(text)
    after = load_flow_text(out.encode(), "out.yaml")
    assert after.flow == before.flow
    assert comment_lines(out) == comment_lines(text)
    assert format_text(out) == out
    top = [ln.split(":")[0] for ln in out.splitlines() if ln and ln[0].isalpha()]
    assert top == [k for k in TOP_ORDER if k in top]


def test_comment_stays_above_its_key() -> None:
    text = ("steps:\n  a: {kind: start, actor: x, name: A}\n  # the end step\n"
            "  b: {kind: end, outcome: granted, actor: x, name: B}\n"
            "transitions:\n  - {event: go, to: b, from: a}  # the only move\n"
            "# who does it\nactors:\n  x: {kind: post, name: 岗位}\n"
            "# what it is\npower: {name: 测试, code: T-1, category: 行政许可}\n")
    out = format_text(text)
    lines = out.splitlines()
    assert lines[lines.index("# what it is") + 1] == "power: {code: T-1, name: 测试, category: 行政许可}"
    assert lines[lines.index("# who does it") + 1] == "actors:"
    assert lines[lines.index("  # the end step") + 1].startswith("  b: {name: B, actor: x")
    assert "  - {from: a, to: b, event: go}  # the only move" in lines


def test_sample_catalogue_formats_idempotently(tmp_path: Path) -> None:
    for flow, cat in discover([FLOWS]):
        catalog = load_catalog(cat).catalog if cat else None
        text = flow.read_text(encoding="utf-8")
        out = format_text(text, catalog)
        assert format_text(out, catalog) == out
        assert comment_lines(out) == comment_lines(text)
        assert load_flow_text(out.encode(), "x", catalog).flow == load_flow(flow, catalog).flow
    cat_text = (FLOWS / "catalog.yaml").read_text(encoding="utf-8")
    out = format_text(cat_text, is_catalog=True)
    assert format_text(out, is_catalog=True) == out


def test_cli_check_write_and_refuse(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    d = tmp_path / "flows"
    shutil.copytree(FLOWS, d)
    f = d / "messy.yaml"
    f.write_text("# keep me\nsteps:\n    a: {name: A, kind: start, actor: x}\n"
                 "    b: {outcome: granted, name: B, kind: end, actor: x}\n"
                 "transitions: [{from: a, to: b, event: go}]\n"
                 "actors: {x: {name: 岗位, kind: post}}\n"
                 "power: {code: T-9, name: 测试, category: 行政许可}\n", encoding="utf-8")
    res = cli("fmt", "--check", str(d), "--lang", "en")
    assert res.exit_code == 1 and f"would reformat {f}" in res.output
    assert cli("fmt", str(d)).exit_code == 0
    assert f.read_text(encoding="utf-8").startswith("# keep me\npower:")
    assert cli("fmt", "--check", str(d)).exit_code == 0
    broken = d / "broken.yaml"
    broken.write_text("power: {code: T-8, name: x, category: nope}\nsteps: {}\n", encoding="utf-8")
    before = broken.read_text(encoding="utf-8")
    res = cli("fmt", str(broken), "--lang", "en")
    assert res.exit_code == 1 and "PF005" in res.output and "not formatted" in res.output
    assert broken.read_text(encoding="utf-8") == before


def test_refuses_unsafe_input() -> None:
    with pytest.raises(FormatError):
        format_text("- just\n- a list\n")


def test_parallel_matches_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from powerflow.drafting import fmt_files

    d = tmp_path / "flows"
    shutil.copytree(FLOWS, d)
    for i in range(3):
        shutil.copy(next(f for f in sorted(d.glob("*.yaml")) if f.name != "catalog.yaml"),
                    d / f"copy{i}.yaml")
    serial = fmt_files.format_paths([str(d)], write=False, jobs=1)
    monkeypatch.setattr(fmt_files, "PARALLEL_THRESHOLD", 2)
    parallel = fmt_files.format_paths([str(d)], write=False, jobs=2)
    assert [(r.path, r.after, r.diagnostics) for r in parallel] == [
        (r.path, r.after, r.diagnostics) for r in serial]
