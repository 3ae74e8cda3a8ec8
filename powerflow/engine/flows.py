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

from ..diagnostics import Diagnostic
from ..loader import discover, load_flow_with_catalog
from ..source import read_yaml
from .compile import CompiledFlow, compile_flow

__all__ = ["FlowLoad", "find_flow", "load_compiled"]


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
