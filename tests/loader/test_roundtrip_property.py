"""Property: any valid flow, built as plain dicts, dumps to YAML, loads with no diagnostics, and
round-trips (model → dict → YAML → model is the identity)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from powerflow import model as m
from powerflow.loader import load_flow_text
from powerflow.source import dump_yaml, read_yaml

IDS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_\-]{0,11}", fullmatch=True)
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),  # CJK ideographs
        st.sampled_from(list("abcXYZ019 :#-'\"{}[],&*!|>%@`《》（）：、；")),
    ),
    min_size=1, max_size=24,
)
SCALARS = st.one_of(st.integers(-10**9, 10**9), TEXT, st.booleans(), st.sampled_from(
    ["on", "off", "yes", "no", "0o17", "1:20", "null", "~", "2024-01-01"]))


def _spelling(enum: type[m._AliasedEnum]) -> st.SearchStrategy[str]:
    return st.sampled_from(enum.accepted())


@st.composite
def conditions(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    form = draw(st.sampled_from(["cmp", "cmp", "all", "any", "not"] if depth < 2 else ["cmp"]))
    if form == "cmp":
        op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "not_in", "exists"]))
        out: dict[str, Any] = {"fact": draw(IDS), "op": op}
        if op in ("in", "not_in"):
            out["value"] = draw(st.lists(SCALARS, max_size=3))
        elif op != "exists":
            out["value"] = draw(SCALARS)
        return out
    if form == "not":
        return {"not": draw(conditions(depth + 1))}
    return {form: draw(st.lists(conditions(depth + 1), min_size=1, max_size=3))}


@st.composite
def flows(draw: st.DrawFn) -> dict[str, Any]:
    actor_ids = draw(st.lists(IDS, min_size=1, max_size=5, unique=True))
    actors = {a: {"name": draw(TEXT), "kind": draw(_spelling(m.ActorKind))} for a in actor_ids}
    for a in actors.values():
        if draw(st.booleans()):
            a["min_size"] = draw(st.integers(1, 15))
    step_ids = draw(st.lists(IDS, min_size=2, max_size=8, unique=True))
    steps: dict[str, Any] = {}
    for i, sid in enumerate(step_ids):
        kind = "start" if i == 0 else "end" if i == len(step_ids) - 1 else draw(st.sampled_from(
            ["task", "review", "decision", "notice", "审查", "决定", "公示", "end"]))
        step: dict[str, Any] = {"name": draw(TEXT), "actor": draw(st.sampled_from(actor_ids)),
                                "kind": kind}
        if kind == "end":
            step["outcome"] = draw(_spelling(m.Outcome))
            step["written_reasons"] = draw(st.booleans())
        else:
            step["limit"] = draw(st.one_of(st.integers(0, 60), st.sampled_from(
                ["same_day", "immediate", "当天", "即办", "5个工作日", "20工作日"])))
            step["clock"] = draw(_spelling(m.Clock))
        if kind in ("notice", "公示"):
            step["notice_days"] = draw(st.integers(1, 40))
        if draw(st.booleans()):
            step["documents"] = draw(st.lists(TEXT, max_size=3))
        if draw(st.booleans()):
            lo, mode, hi = sorted(draw(st.lists(st.floats(0, 100), min_size=3, max_size=3)))
            step["duration"] = {"min": lo, "mode": mode, "max": hi}
        steps[sid] = step
    transitions = []
    for _ in range(draw(st.integers(1, 12))):
        t: dict[str, Any] = {"from": draw(st.sampled_from(step_ids)),
                             "to": draw(st.sampled_from(step_ids)), "event": draw(IDS)}
        if draw(st.booleans()):
            t["label"] = draw(TEXT)
        if draw(st.booleans()):
            t["condition"] = draw(conditions())
        if draw(st.booleans()):
            t["kind"] = draw(_spelling(m.EdgeKind))
        transitions.append(t)
    risks = {}
    for rid in draw(st.lists(IDS, max_size=4, unique=True)):
        controls = []
        for _ in range(draw(st.integers(0, 3))):
            c = {"name": draw(TEXT), "owner": draw(st.sampled_from(actor_ids))}
            if draw(st.booleans()):
                c["step"] = draw(st.sampled_from(step_ids))
            else:
                c["evidence"] = draw(IDS)
            controls.append(c)
        risks[rid] = {"at": draw(st.sampled_from(step_ids)), "level": draw(_spelling(m.RiskLevel)),
                      "description": draw(TEXT), "responsible": draw(st.sampled_from(actor_ids)),
                      "controls": controls}
    power = {
        "code": draw(st.from_regex(r"[A-Z]{2}-[A-Z]{2}-[0-9]{4}", fullmatch=True)),
        "name": draw(TEXT),
        "category": draw(_spelling(m.Category)),
        "legal_basis": [{"rank": draw(_spelling(m.LegalRank)), "instrument": draw(TEXT),
                         "article": draw(TEXT)} for _ in range(draw(st.integers(0, 3)))],
        "limits": {"statutory": draw(st.integers(0, 90)), "promised": draw(st.integers(0, 90))},
        "supervision": {"hotline": draw(TEXT)},
        "requires_publicity": draw(st.booleans()),
    }
    out = {"power": power, "actors": actors, "steps": steps, "transitions": transitions,
           "risks": risks}
    if len(step_ids) >= 2 and draw(st.booleans()):
        out["separation"] = [{"steps": step_ids[:2], "reason": draw(TEXT)}]
    if draw(st.booleans()):
        out["facts"] = {draw(IDS): draw(TEXT)}
    return out


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows())
def test_generated_flows_load_cleanly_and_round_trip(data: dict[str, Any]) -> None:
    text = dump_yaml(data)
    assert read_yaml(text.encode("utf-8"), "gen.yaml").data == data
    loaded = load_flow_text(text.encode("utf-8"), "gen.yaml")
    assert [d.message.en for d in loaded.diagnostics] == []
    assert loaded.flow is not None
    model = m.FlowFile.model_validate(read_yaml(text.encode("utf-8"), "gen.yaml").data)
    dumped = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    again = m.FlowFile.model_validate(read_yaml(dump_yaml(dumped).encode("utf-8"), "x").data)
    assert again == model
    assert loaded.flow.steps == model.steps and loaded.flow.risks == model.risks


@given(st.recursive(SCALARS | st.floats(allow_nan=False) | st.none(),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(TEXT, inner, max_size=4), max_leaves=20))
@settings(max_examples=60, deadline=None)
def test_dump_yaml_round_trips_plain_data(data: Any) -> None:
    text = dump_yaml({"x": data})
    assert read_yaml(text.encode("utf-8"), "x.yaml").data == {"x": data}
