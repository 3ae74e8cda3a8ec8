"""A change review between two sides: per-power changes, chart overlays and new rule findings.

Takes two `Side`s; gives a `Review`: for each power code on either side its `Change`s (powers
added or removed whole are changes too), an `Overlay` per side for the chart renderer (removed
steps and edges coloured ``removed`` on the old chart, added ones ``added`` on the new, changed
steps noted), and — when `powerflow.rules` is installed — the rule findings present in NEW but
not in OLD. `loosening` is true when any change loosens control or the new side has a rule
error the old one had not (a new bypass, a new separation breach …): the review's exit status.

Must not: read files (sides are loaded already) or render; a missing or failing rules module is
skipped, never fatal.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Text
from ..loader import LoadedFlow
from ..overlay import Overlay
from .diff import Change, Effect, compare
from .diffsource import Side

__all__ = ["PowerReview", "Review", "overlays", "review"]


@dataclass
class PowerReview:
    code: str
    name: str
    old: LoadedFlow | None
    new: LoadedFlow | None
    changes: list[Change]
    new_findings: list[Diagnostic] = field(default_factory=list)

    @property
    def new_errors(self) -> list[Diagnostic]:
        """New rule findings of error severity: a new bypass, a new separation breach …"""
        return [d for d in self.new_findings if d.is_error]

    @property
    def loosening(self) -> bool:
        """A change loosens control, or the new version has a rule error the old one had not."""
        return any(c.effect is Effect.LOOSENING for c in self.changes) or bool(self.new_errors)


@dataclass
class Review:
    old_label: str
    new_label: str
    powers: list[PowerReview]
    rules: str = "absent"
    """``used``, ``absent`` (no powerflow.rules) or ``failed: …``."""

    @property
    def changes(self) -> list[Change]:
        return [c for p in self.powers for c in p.changes]

    @property
    def loosening(self) -> bool:
        return any(p.loosening for p in self.powers)

    def counts(self) -> dict[str, int]:
        out = {e.value: 0 for e in Effect}
        for c in self.changes:
            out[c.effect.value] += 1
        return out


def _whole(code: str, lf: LoadedFlow, added: bool) -> Change:
    assert lf.flow is not None
    name = lf.flow.name
    if added:
        return Change("power-added", Effect.NEUTRAL, ("power",),
                      Text(f"power added: {code} {name}", f"新增权力事项：{code} {name}"), new=code)
    return Change("power-removed", Effect.NEUTRAL, ("power",),
                  Text(f"power removed: {code} {name}", f"删除权力事项：{code} {name}"), old=code,
                  side="old")


def _rule_checker() -> tuple[Callable[[LoadedFlow], list[Diagnostic]] | None, str]:
    """Find the rule engine's per-file check, if that module exists in this installation.
    `check_loaded(loaded, config)` is called with the project's configuration (found from the
    working folder as `powerflow check` finds it); older or simpler engines with a one-argument
    check function are accepted too."""
    try:
        rules = importlib.import_module("powerflow.rules")
    except ImportError:
        return None, "absent"
    check_loaded = getattr(rules, "check_loaded", None)
    load_config = getattr(rules, "load_config", None)
    if callable(check_loaded) and callable(load_config):
        find_config = getattr(rules, "find_config", None)
        try:
            config = load_config(find_config(Path.cwd()) if callable(find_config) else None)
        except Exception as exc:  # a broken powerflow.toml: say so, do not stop the review
            return None, f"failed: {type(exc).__name__}: {exc}"

        def with_config(lf: LoadedFlow) -> list[Diagnostic]:
            return [d for d in check_loaded(lf, config) if isinstance(d, Diagnostic)]
        return with_config, "used"
    for name in ("check_loaded", "check_flow", "run_rules", "check"):
        fn = getattr(rules, name, None)
        if callable(fn):
            def call(lf: LoadedFlow, fn: Any = fn) -> list[Diagnostic]:
                return [d for d in fn(lf) if isinstance(d, Diagnostic)]
            return call, "used"
    return None, "failed: powerflow.rules has no check function this version knows"


def _finding_key(d: Diagnostic) -> tuple[str, str]:
    return d.code, d.message.en


def _new_findings(check: Callable[[LoadedFlow], list[Diagnostic]], old: LoadedFlow | None,
                  new: LoadedFlow) -> list[Diagnostic]:
    before = {_finding_key(d) for d in check(old)} if old is not None and old.ok else set()
    return [d for d in check(new) if _finding_key(d) not in before and d.suppressed is None]


def review(old: Side, new: Side) -> Review:
    """Compare two loaded sides. Two single files are compared even if their codes differ."""
    pairs: list[tuple[str, LoadedFlow | None, LoadedFlow | None]] = []
    if old.single and new.single and len(old.flows) == 1 and len(new.flows) == 1:
        only_new = next(iter(new.flows.items()))
        pairs.append((only_new[0], next(iter(old.flows.values())), only_new[1]))
    else:
        for code in sorted(old.flows.keys() | new.flows.keys()):
            pairs.append((code, old.flows.get(code), new.flows.get(code)))
    check, status = _rule_checker()
    out = Review(old.label, new.label, [], status)
    for code, lo, ln in pairs:
        if lo is not None and ln is not None:
            assert lo.flow is not None and ln.flow is not None
            changes = compare(lo.flow, ln.flow)
            name = ln.flow.name
        elif ln is not None:
            assert ln.flow is not None
            changes, name = [_whole(code, ln, True)], ln.flow.name
        else:
            assert lo is not None and lo.flow is not None
            changes, name = [_whole(code, lo, False)], lo.flow.name
        pr = PowerReview(code, name, lo, ln, changes)
        if check is not None and ln is not None and (changes or lo is None):
            try:
                pr.new_findings = _new_findings(check, lo, ln)
            except Exception as exc:  # another helper's module: report, never crash the review
                out.rules = f"failed: {type(exc).__name__}: {exc}"
                check = None
        out.powers.append(pr)
    return out


_EFFECT_COLOR = {Effect.LOOSENING: "bad", Effect.TIGHTENING: "ok", Effect.NEUTRAL: "warn"}


def overlays(pr: PowerReview, lang: str = "zh") -> tuple[Overlay, Overlay]:
    """Overlays for the OLD and the NEW chart of one power: removed steps/edges in ``removed``
    on the old one, added in ``added`` on the new one, other changed steps coloured by effect
    with the change as a note; risk changes as risk notes."""
    old_steps: dict[str, str] = {}
    new_steps: dict[str, str] = {}
    old_edges: dict[tuple[str, str, str], str] = {}
    new_edges: dict[tuple[str, str, str], str] = {}
    notes: dict[str, list[str]] = {}
    risk_notes: dict[str, list[str]] = {}
    for c in pr.changes:
        text = c.message.get(lang)
        if c.kind == "step-removed" and c.step:
            old_steps[c.step] = "removed"
        elif c.kind == "step-added" and c.step:
            new_steps[c.step] = "added"
        elif c.kind == "transition-removed" and c.edge:
            old_edges[c.edge] = "removed"
        elif c.kind == "transition-added" and c.edge:
            new_edges[c.edge] = "added"
        elif c.step and c.risk is None:
            new_steps.setdefault(c.step, _EFFECT_COLOR[c.effect])
            notes.setdefault(c.step, []).append(text)
        if c.risk:
            risk_notes.setdefault(c.risk, []).append(text)
    caption_o = f"{pr.code} — OLD" if lang == "en" else f"{pr.code} — 修改前"
    caption_n = f"{pr.code} — NEW" if lang == "en" else f"{pr.code} — 修改后"
    rn = {k: "；".join(v) for k, v in risk_notes.items()}
    return (Overlay(edge_colors=old_edges, step_colors=old_steps, risk_notes=rn, caption=caption_o),
            Overlay(edge_colors=new_edges, step_colors=new_steps,
                    step_notes={k: "；".join(v) for k, v in notes.items()}, risk_notes=rn,
                    caption=caption_n))
