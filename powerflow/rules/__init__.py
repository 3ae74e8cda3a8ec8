"""Static analysis of power flows: coded rules over the flow's networkx graph.

Takes loaded flows; gives diagnostics. The families (codes are forever):
PF1xx structure (`structure`), PF2xx controls (`controls`), PF3xx separation of duties
(`duties`), PF4xx openness and time (`openness`); PF100 (unused suppression) is the engine's own.
PF0xx belong to the loader and PF5xx to the case audit (`powerflow.deviations`).

Importing this package registers every rule in `RULES`.
"""

from __future__ import annotations

from . import controls, duties, openness, structure  # noqa: F401  (register the rules)
from .base import FAMILIES, RULES, Context, Finding, Rule, rule
from .config import PROFILES, Config, ConfigError, find_config, load_config
from .engine import check_loaded

__all__ = [
    "FAMILIES",
    "PROFILES",
    "RULES",
    "Config",
    "ConfigError",
    "Context",
    "Finding",
    "Rule",
    "check_loaded",
    "find_config",
    "load_config",
    "rule",
]
