"""Find, load and compile the flow a case runs through, with its catalogue.

Takes a path to a power file (or a power code and a folder to search); gives the
`CompiledFlow` or the loader's diagnostics. Compiled flows are cached per process by path, size
and modification time, so a store firing many events compiles each flow once.

Must not: print, or guess a flow when a code matches none or several files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, Location, Severity, Text
from ..loader import discover, load_flow_with_catalog
from ..model import Flow
from ..source import read_yaml
from .compile import CompiledFlow, compile_flow

__all__ = ["FlowLoad", "find_flow", "load_compiled", "not_runnable"]


def not_runnable(flow: Flow, path: str) -> Diagnostic | None:
    """PF016 when `flow` has parallel blocks: the case audit, the case store, random simulation,
    the log audit and the net export do not run them yet (they would misread the branches as
    alternatives), so they refuse the flow rather than report on it wrongly."""
    if not flow.parallel:
        return None
    blocks = ", ".join(flow.parallel)
    return Diagnostic(
        "PF016", Severity.ERROR, Location(path, 1, 1),
        Text(f"power {flow.code} has parallel blocks ({blocks}): case audits, the case store, "
             "random simulation, log audits and net export do not run parallel blocks yet",
             f"事项 {flow.code} 含并联块（{blocks}）：办件审计、办件库、随机模拟、日志审计和网络导出"
             "暂不支持并联块"),
        Text("Check, render, diff and publish this power; audit its cases once parallel blocks "
             "are supported by the audit.",
             "可对该事项进行检查、绘图、比较和发布；待审计支持并联块后再审计其办件。"),
        "parallel-not-runnable")


@dataclass(frozen=True)
class FlowLoad:
    path: str
    compiled: CompiledFlow | None
    diagnostics: tuple[Diagnostic, ...]


_CACHE: dict[tuple[str, int, int], FlowLoad] = {}


def load_compiled(path: str | os.PathLike[str]) -> FlowLoad:
    """Load a power file (with the nearest catalog.yaml) and compile it."""
    p = Path(path)
    try:
        st = p.stat()
        key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    except OSError:
        key = (str(p), -1, -1)
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    lf, cat_diags = load_flow_with_catalog(p)
    diags: list[Diagnostic] = [*cat_diags, *lf.diagnostics]
    refused = not_runnable(lf.flow, str(p)) if lf.flow is not None else None
    if refused is not None:
        return FlowLoad(str(p), None, (*diags, refused))
    compiled = compile_flow(lf.flow) if lf.flow is not None else None
    result = FlowLoad(str(p), compiled, tuple(diags))
    if compiled is not None:
        _CACHE[key] = result
    return result


def find_flow(code: str, folder: str | os.PathLike[str]) -> list[Path]:
    """Power files under `folder` whose power code is `code` (read cheaply, not validated)."""
    out = []
    for f, _cat in discover([folder]):
        try:
            data = read_yaml(f.read_bytes(), str(f)).data
        except OSError:
            continue
        power = data.get("power") if isinstance(data, dict) else None
        if isinstance(power, dict) and str(power.get("code")) == code:
            out.append(f)
    return out
