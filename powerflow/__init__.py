"""powerflow: a department's power list (权力清单) as code.

Each power is a YAML file of steps, actors, transitions and risk points with their controls.
powerflow loads it strictly, checks it, compiles it into a state machine, renders its
flowchart and audits real cases against it. The public API is re-exported here lazily so that
importing powerflow stays cheap.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = [
    "Diagnostic",
    "Flow",
    "LoadedFlow",
    "Severity",
    "__version__",
    "load_catalog",
    "load_flow",
]

_LAZY = {
    "Diagnostic": "powerflow.diagnostics",
    "Severity": "powerflow.diagnostics",
    "Flow": "powerflow.model",
    "LoadedFlow": "powerflow.loader",
    "load_catalog": "powerflow.loader",
    "load_flow": "powerflow.loader",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'powerflow' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
