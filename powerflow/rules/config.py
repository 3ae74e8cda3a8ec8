"""Rule selection: profiles, `select`/`ignore` by code prefix, severity overrides, config files.

Takes the `[tool.powerflow]` table of a `pyproject.toml` or the top level of a `powerflow.toml`
(found from the checked path upward, parsed with stdlib `tomllib`) and command-line options;
gives a `Config` that says which rules run and at what severity.

The most specific prefix wins (`select = ["PF2"]`, `ignore = ["PF20"]`, `select = ["PF203"]`
runs PF203 and PF21x). Without `select`, the profile decides: `recommended` (lenient: rules marked
recommended) or `strict` (every rule).

Must not: run rules, print, or read any file but the configuration.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..diagnostics import Severity
from .base import RULES, Rule

__all__ = ["PROFILES", "Config", "ConfigError", "find_config", "load_config"]

PROFILES = ("recommended", "strict")
_PREFIX = re.compile(r"^PF\d{0,3}$")
_KEYS = ("profile", "select", "extend-select", "ignore", "severity", "docs-url")


class ConfigError(ValueError):
    """A configuration problem: the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    profile: str = "recommended"
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    docs_url: str | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ConfigError(f"{self._where()}unknown profile {self.profile!r}; "
                              f"expected one of: {', '.join(PROFILES)}")
        for p in (*(self.select or ()), *self.extend_select, *self.ignore, *self.severity):
            _check_prefix(p, self._where())

    def _where(self) -> str:
        return f"{self.source}: " if self.source else ""

    def enabled(self, code: str) -> bool:
        """Whether rule `code` runs: the longest matching select/ignore prefix decides."""
        best: tuple[int, bool] | None = None
        for prefixes, on in ((self.select or (), True), (self.extend_select, True),
                             (self.ignore, False)):
            for p in prefixes:
                if code.startswith(p) and (best is None or len(p) >= best[0]):
                    best = (len(p), on)
        if best is not None:
            return best[1]
        if self.select is not None:
            return False
        rule = RULES.get(code)
        return rule is None or self.profile == "strict" or rule.recommended

    def ignored(self, code: str) -> bool:
        """Whether a code outside the registry (a loader warning) is ignored."""
        ig = max((len(p) for p in self.ignore if code.startswith(p)), default=-1)
        sel = max((len(p) for p in (*(self.select or ()), *self.extend_select)
                   if code.startswith(p)), default=-1)
        return ig >= 0 and ig >= sel

    def rules(self) -> list[Rule]:
        """The rules that run, in code order (computed once per configuration)."""
        cached: list[Rule] | None = self.__dict__.get("_rules")
        if cached is None or len(self.__dict__.get("_registry", ())) != len(RULES):
            cached = [r for code, r in sorted(RULES.items()) if self.enabled(code)]
            object.__setattr__(self, "_rules", cached)
            object.__setattr__(self, "_registry", tuple(RULES))
        return cached

    def severity_of(self, rule: Rule) -> Severity:
        return self.severity.get(rule.code, rule.severity)

    def fingerprint(self) -> str:
        """A digest of everything that changes the findings (for the cache key)."""
        body = {"rules": [r.code for r in self.rules()],
                "severity": {k: v.value for k, v in sorted(self.severity.items())},
                "ignore": sorted(self.ignore)}
        return hashlib.blake2b(json.dumps(body).encode(), digest_size=16).hexdigest()

    def with_cli(self, profile: str | None = None, select: Iterable[str] | None = None,
                 extend_select: Iterable[str] = (), ignore: Iterable[str] = ()) -> Config:
        """This configuration overridden by command-line options: `--select` replaces the
        file's selection, `--ignore` and `--extend-select` add to it."""
        sel = _split(select) if select else None
        return replace(self, source=None, profile=profile or self.profile,
                       select=sel if sel else self.select,
                       extend_select=(*self.extend_select, *_split(extend_select)),
                       ignore=(*self.ignore, *_split(ignore)))


def _split(values: Iterable[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for v in values or ():
        out.extend(p.strip().upper() for p in v.split(",") if p.strip())
    return tuple(out)


def _check_prefix(p: str, where: str) -> None:
    if not _PREFIX.match(p):
        raise ConfigError(f"{where}{p!r} is not a rule code or prefix (e.g. PF2, PF203)")
    if p == "PF" or p[:3] in ("PF0", "PF5"):  # all, or the loader's and the audit's codes
        return
    if not any(c.startswith(p) for c in RULES):
        close = difflib.get_close_matches(p, list(RULES), n=1)
        dym = f"; did you mean {close[0]}?" if close else ""
        raise ConfigError(f"{where}no rule has the code {p!r}{dym}")


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}{key} must be a list of rule codes or prefixes")
    return tuple(v.strip().upper() for v in value)


def config_from_table(table: Mapping[str, Any], source: str | None = None) -> Config:
    """A `Config` from a parsed `[tool.powerflow]` table."""
    where = f"{source}: " if source else ""
    for key in table:
        if key not in _KEYS:
            close = difflib.get_close_matches(key, _KEYS, n=1)
            dym = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(_KEYS)}"
            raise ConfigError(f"{where}unknown key {key!r} in the powerflow settings{dym}")
    profile = table.get("profile", "recommended")
    if not isinstance(profile, str):
        raise ConfigError(f"{where}profile must be a string")
    sev: dict[str, Severity] = {}
    raw_sev = table.get("severity", {})
    if not isinstance(raw_sev, dict):
        raise ConfigError(f"{where}severity must be a table such as {{PF305 = \"warning\"}}")
    for code, level in raw_sev.items():
        try:
            sev[code.upper()] = Severity(level)
        except ValueError:
            raise ConfigError(f"{where}severity of {code}: {level!r} is not error, warning or "
                              "info") from None
    docs_url = table.get("docs-url")
    return Config(
        profile=profile,
        select=_strings(table["select"], "select", where) if "select" in table else None,
        extend_select=_strings(table.get("extend-select", []), "extend-select", where),
        ignore=_strings(table.get("ignore", []), "ignore", where),
        severity=sev,
        docs_url=docs_url if isinstance(docs_url, str) else None,
        source=source,
    )


def find_config(start: str | Path) -> Path | None:
    """The nearest `powerflow.toml`, or `pyproject.toml` with a `[tool.powerflow]` table, in
    the folder of `start` or its parents."""
    p = Path(start).resolve()
    folder = p if p.is_dir() else p.parent
    for d in (folder, *folder.parents):
        own = d / "powerflow.toml"
        if own.is_file():
            return own
        py = d / "pyproject.toml"
        if py.is_file() and "powerflow" in _read_toml(py).get("tool", {}):
            return py
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


def load_config(path: str | Path | None) -> Config:
    """The configuration in `path` (a powerflow.toml or pyproject.toml); defaults when None."""
    if path is None:
        return Config()
    p = Path(path)
    data = _read_toml(p)
    table = data if p.name != "pyproject.toml" else data.get("tool", {}).get("powerflow", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{p}: [tool.powerflow] must be a table")
    return config_from_table(table, str(p))
