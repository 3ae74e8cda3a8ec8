"""Export a flow as a Petri net (PNML) or a BPMN 2.0 process, for process-mining tools.

Takes a `Flow`; gives XML text. PNML: one place per step (a token in the start step), one
labelled transition per flow transition (label = event id, so a log whose activities are mapped
to events replays on it), and an invisible transition from each end step to a single `sink`
place, which is the final marking. BPMN: a start event, one user task per non-end step, an end
event per end step, an exclusive gateway after every step with more than one way out, sequence
flows named by their events, and one lane per actor.

Must not: read or write files (the CLI does), or put unescaped text into the XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..model import Flow, StepKind
from ..render.escape import clean_text

__all__ = ["to_bpmn", "to_pnml"]

_PNML = "http://www.pnml.org/version-2009/grammar/pnmlcoremodel"
_BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def _text(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(ET.SubElement(parent, tag), "text").text = value


def to_pnml(flow: Flow) -> str:
    """The flow as a PNML place/transition net (see the module docstring)."""
    root = ET.Element("pnml")
    net = ET.SubElement(root, "net", id=flow.code, type=_PNML)
    _text(net, "name", flow.name)
    page = ET.SubElement(net, "page", id="page1")
    for sid, step in flow.steps.items():
        place = ET.SubElement(page, "place", id=f"p_{sid}")
        _text(place, "name", step.name)
        if sid == flow.start:
            _text(place, "initialMarking", "1")
    sink = ET.SubElement(page, "place", id="p__sink")
    _text(sink, "name", "sink")
    arcs: list[tuple[str, str]] = []
    for i, t in enumerate(flow.transitions):
        tr = ET.SubElement(page, "transition", id=f"t{i}")
        _text(tr, "name", t.event)
        arcs += [(f"p_{t.from_}", f"t{i}"), (f"t{i}", f"p_{t.to}")]
    for sid in flow.ends:
        tid = f"tau_{sid}"
        tr = ET.SubElement(page, "transition", id=tid)
        _text(tr, "name", tid)
        ET.SubElement(tr, "toolspecific", tool="ProM", version="6.4", activity="$invisible$",
                      localNodeID=tid)
        arcs += [(f"p_{sid}", tid), (tid, "p__sink")]
    for k, (a, b) in enumerate(arcs):
        ET.SubElement(page, "arc", id=f"a{k}", source=a, target=b)
    finals = ET.SubElement(net, "finalmarkings")
    place = ET.SubElement(ET.SubElement(finals, "marking"), "place", idref="p__sink")
    ET.SubElement(place, "text").text = "1"
    return _serialise(root)


def to_bpmn(flow: Flow) -> str:
    """The flow as a BPMN 2.0 process (see the module docstring)."""
    ET.register_namespace("bpmn", _BPMN)
    q = f"{{{_BPMN}}}"
    defs = ET.Element(f"{q}definitions", id=f"defs_{flow.code}",
                      targetNamespace="https://powerflow.invalid/bpmn")
    proc = ET.SubElement(defs, f"{q}process", id=f"proc_{flow.code}", name=flow.name,
                         isExecutable="false")
    lanes = ET.SubElement(proc, f"{q}laneSet", id="lanes")
    nodes: dict[str, str] = {}
    for sid, step in flow.steps.items():
        if step.kind is StepKind.END:
            ET.SubElement(proc, f"{q}endEvent", id=f"end_{sid}", name=step.name)
            nodes[sid] = f"end_{sid}"
        else:
            ET.SubElement(proc, f"{q}userTask", id=f"task_{sid}", name=step.name)
            nodes[sid] = f"task_{sid}"
    for actor in flow.lane_order():
        lane = ET.SubElement(lanes, f"{q}lane", id=f"lane_{actor}", name=flow.actors[actor].name)
        for sid, step in flow.steps.items():
            if step.actor == actor:
                ET.SubElement(lane, f"{q}flowNodeRef").text = nodes[sid]
    flows: list[tuple[str, str, str | None]] = []
    ET.SubElement(proc, f"{q}startEvent", id="start", name="开始")
    if flow.start:
        flows.append(("start", nodes[flow.start], None))
    for sid in flow.steps:
        out = flow.outgoing(sid)
        src = nodes[sid]
        if len(out) > 1:
            gw = f"gw_{sid}"
            ET.SubElement(proc, f"{q}exclusiveGateway", id=gw)
            flows.append((src, gw, None))
            src = gw
        for t in out:
            flows.append((src, nodes[t.to], t.label or t.event))
    for k, (a, b, name) in enumerate(flows):
        attrs = {"id": f"f{k}", "sourceRef": a, "targetRef": b}
        if name:
            attrs["name"] = name
        ET.SubElement(proc, f"{q}sequenceFlow", attrs)
    return _serialise(defs)


def _serialise(root: ET.Element) -> str:
    """XML text with every text and attribute cleaned (`render.escape.clean_text`): a control
    character in a name would make the document invalid XML."""
    for el in root.iter():
        if el.text:
            el.text = clean_text(el.text)
        for k, v in el.attrib.items():
            el.attrib[k] = clean_text(v)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
