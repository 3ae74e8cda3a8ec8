"""PNML and BPMN export: valid XML with the flow's structure, for every flow we have."""

from __future__ import annotations

from pathlib import Path

import defusedxml.ElementTree as DET
import pytest

from powerflow.loader import find_catalog, load_catalog, load_flow
from powerflow.replay.net import to_bpmn, to_pnml

ROOT = Path(__file__).resolve().parents[2]
FLOWS = sorted([*ROOT.glob("flows/*.yaml"), *ROOT.glob("examples/realdata/*.yaml"),
                *Path(__file__).parent.glob("fixtures/*.yaml")])
FLOWS = [p for p in FLOWS if not p.name.endswith(".mapping.yaml") and p.name != "catalog.yaml"]
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _flow(p: Path):  # type: ignore[no-untyped-def]
    cat = find_catalog(p)
    lf = load_flow(p, load_catalog(cat).catalog if cat else None)
    assert lf.flow is not None, lf.diagnostics
    return lf.flow


@pytest.mark.parametrize("path", FLOWS, ids=lambda p: p.name)
def test_pnml_is_the_flow_as_a_net(path: Path) -> None:
    flow = _flow(path)
    root = DET.fromstring(to_pnml(flow))
    places = {p.get("id") for p in root.iter("place") if p.get("id")}
    assert places == {f"p_{s}" for s in flow.steps} | {"p__sink"}
    labelled = [t for t in root.iter("transition") if t.find("toolspecific") is None]
    assert [t.findtext("name/text") for t in labelled] == [t.event for t in flow.transitions]
    arcs = {(a.get("source"), a.get("target")) for a in root.iter("arc")}
    for i, t in enumerate(flow.transitions):
        assert (f"p_{t.from_}", f"t{i}") in arcs and (f"t{i}", f"p_{t.to}") in arcs
    marked = [p.get("id") for p in root.iter("place") if p.find("initialMarking") is not None]
    assert marked == [f"p_{flow.start}"]


@pytest.mark.parametrize("path", FLOWS, ids=lambda p: p.name)
def test_bpmn_is_well_formed(path: Path) -> None:
    flow = _flow(path)
    root = DET.fromstring(to_bpmn(flow))
    proc = root.find(f"{BPMN}process")
    assert proc is not None
    ids = {e.get("id") for e in proc.iter() if e.get("id")}
    flows = proc.findall(f"{BPMN}sequenceFlow")
    assert all(f.get("sourceRef") in ids and f.get("targetRef") in ids for f in flows)
    assert len(proc.findall(f"{BPMN}endEvent")) == len(flow.ends)
    named = [f.get("name") for f in flows if f.get("name")]
    assert len(named) == len(flow.transitions)


def test_export_net_command(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.pnml"
    res = cli("export-net", str(ROOT / "examples" / "realdata" / "receipt.yaml"), "-o", str(out))
    assert res.exit_code == 0
    assert DET.fromstring(out.read_text(encoding="utf-8")).tag == "pnml"
    res = cli("export-net", str(ROOT / "examples" / "realdata" / "receipt.yaml"), "--format",
              "bpmn")
    assert res.exit_code == 0 and "bpmn:process" in res.stdout
