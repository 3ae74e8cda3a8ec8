"""SARIF 2.1.0 rendering of diagnostics, for code-review platforms that show findings inline.

Takes diagnostics and the metadata of the rules that ran (`RuleDescriptor`, plain data so that
this module does not import the rule engine); gives one SARIF log (a JSON string) with the
tool's rules (id, name, descriptions, help text and URI to the rule's docs page, default level),
results with `physicalLocation` regions, related locations and `inSource` suppressions with their
written justification.

Must not: decide what is a finding or the exit code.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Location, Severity, Text, sort_key

__all__ = ["SARIF_SCHEMA", "RuleDescriptor", "render_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


@dataclass(frozen=True)
class RuleDescriptor:
    """What SARIF says about one rule."""

    code: str
    name: str
    title: Text
    hint: Text | None
    severity: Severity
    help_uri: str | None = None
    family: str | None = None


def _uri(file: str, base: Path) -> tuple[str, str | None]:
    """A URI for `file`: relative to `base` (with uriBaseId SRCROOT) when inside it."""
    p = Path(file)
    try:
        rel = p.resolve().relative_to(base.resolve())
    except (ValueError, OSError):
        return (p.resolve().as_uri() if p.is_absolute() or p.exists() else p.as_posix()), None
    return rel.as_posix(), "SRCROOT"


def _location(loc: Location, base: Path) -> dict[str, Any]:
    uri, base_id = _uri(loc.file, base)
    artifact: dict[str, Any] = {"uri": uri}
    if base_id:
        artifact["uriBaseId"] = base_id
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if loc.line > 0:
        region: dict[str, Any] = {"startLine": loc.line}
        if loc.column > 0:
            region["startColumn"] = loc.column
        if loc.end_line >= loc.line > 0 and loc.end_line:
            region["endLine"] = loc.end_line
            if loc.end_column > 0:
                region["endColumn"] = loc.end_column
        physical["region"] = region
    return {"physicalLocation": physical}


def _rule(r: RuleDescriptor, lang: str) -> dict[str, Any]:
    other = "zh" if lang == "en" else "en"
    out: dict[str, Any] = {
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.title.get(lang)},
        "fullDescription": {"text": f"{r.title.get(lang)} / {r.title.get(other)}"},
        "defaultConfiguration": {"level": _LEVEL[r.severity]},
    }
    if r.hint is not None:
        text = f"{r.hint.get(lang)}\n{r.hint.get(other)}"
        if r.help_uri:
            text += f"\nSee {r.help_uri}"
        out["help"] = {"text": text}
    if r.help_uri:
        out["helpUri"] = r.help_uri
    if r.family:
        out["properties"] = {"tags": [r.family]}
    return out


def render_sarif(diags: Sequence[Diagnostic], rules: Sequence[RuleDescriptor], lang: str = "en",
                 version: str = "0", base: str | Path = ".") -> str:
    """A SARIF 2.1.0 log of `diags`. Codes not in `rules` (the loader's PF0xx) get a
    descriptor made from their first diagnostic."""
    root = Path(base)
    descriptors = {r.code: r for r in rules}
    for d in diags:
        if d.code not in descriptors:
            descriptors[d.code] = RuleDescriptor(d.code, d.name or d.code.lower(),
                                                 Text(d.name or d.code, d.name or d.code), d.hint,
                                                 d.severity)
    order = sorted(descriptors)
    index = {code: i for i, code in enumerate(order)}
    results = []
    for d in sorted(diags, key=sort_key):
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _LEVEL[d.severity],
            "message": {"text": d.message.get(lang)},
            "locations": [_location(d.location, root)],
        }
        if d.related:
            result["relatedLocations"] = [
                {**_location(r, root), "id": i} for i, r in enumerate(d.related)]
        if d.suppressed is not None:
            result["suppressions"] = [{"kind": "inSource", "status": "accepted",
                                       "justification": d.suppressed}]
        if d.hint is not None:
            result["properties"] = {"hint": d.hint.get(lang)}
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "powerflow",
                "version": version,
                "semanticVersion": version,
                "language": "zh-CN" if lang == "zh" else "en-US",
                "rules": [_rule(descriptors[c], lang) for c in order],
            }},
            "originalUriBaseIds": {"SRCROOT": {"uri": root.resolve().as_uri() + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, ensure_ascii=False, indent=2)
