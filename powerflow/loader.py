"""Load power files and the department catalogue into the model, gathering every problem.

Takes paths (files or folders); gives `LoadedFlow` / `LoadedCatalog` records: the model object
(or None), its source map and all diagnostics of the file at once (PF0xx), each with
`file:line:column`, the offending key or id, allowed values or a "did you mean". Finds the
catalogue for a flow file by looking for `catalog.yaml` beside it and in its parent folders.

Must not: execute anything from a file, print, or stop at the first problem.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import model as m
from .calendars import resolve_calendar
from .diagnostics import Diagnostic, Location, Severity, Text, sort_key
from .source import Limits, SourceMap, locate, read_yaml
from .validation import did_you_mean as _did_you_mean
from .validation import pydantic_diagnostics

__all__ = [
    "CATALOG_NAME",
    "LoadedCatalog",
    "LoadedFlow",
    "discover",
    "explicit_catalogs",
    "find_catalog",
    "is_flow_file",
    "load_catalog",
    "load_catalog_text",
    "load_flow",
    "load_flow_text",
    "load_flow_with_catalog",
    "pydantic_diagnostics",
]

CATALOG_NAME = "catalog.yaml"
NOT_FLOW_SUFFIXES = (".case.yaml", ".case.yml", ".mapping.yaml", ".mapping.yml")
"""Files in a flows folder that are not power files: cases and log mappings kept beside them."""


@dataclass(frozen=True)
class LoadedCatalog:
    path: str
    catalog: m.Catalog | None
    source: SourceMap
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class LoadedFlow:
    """A power file after loading: `flow` is None when the file has errors."""

    path: str
    flow: m.Flow | None
    source: SourceMap = field(repr=False)
    diagnostics: tuple[Diagnostic, ...]
    catalog_path: str | None = None

    @property
    def ok(self) -> bool:
        return self.flow is not None

    def locate(self, *path: str | int, key: bool = False) -> Location:
        """Location of a key path in the file, e.g. ``locate("steps", "accept")``."""
        return locate(self.source, path, self.path, key=key)

    def locate_step(self, step: str) -> Location:
        return self.locate("steps", step, key=True)

    def locate_risk(self, risk: str) -> Location:
        return self.locate("risks", risk, key=True)

    def locate_transition(self, index: int) -> Location:
        return self.locate("transitions", index)


# ----------------------------------------------------------------------------- messages


def _err(code: str, name: str, loc: Location, en: str, zh: str,
         hint: Text | None = None, severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(code, severity, loc, Text(en, zh), hint, name)


# ----------------------------------------------------------------------------- references


class _RefChecker:
    def __init__(self, file: str, source: SourceMap) -> None:
        self.file = file
        self.source = source
        self.diags: list[Diagnostic] = []

    def check(self, value: str | None, known: Iterable[str], what_en: str, what_zh: str,
              *path: str | int) -> None:
        if value is None:
            return
        known = list(known)
        if value in known:
            return
        en_dym, zh_dym = _did_you_mean(value, known)
        self.diags.append(_err(
            "PF007", "unknown-reference", locate(self.source, path, self.file),
            f"{'.'.join(map(str, path))} refers to {what_en} {value!r}, which is not defined{en_dym}",
            f"{'.'.join(map(str, path))} 引用的{what_zh} {value!r} 未定义{zh_dym}",
            Text(f"Define {what_en} {value!r}, or correct the id.",
                 f"请定义{what_zh} {value!r}，或更正标识。")))


def _ids(data: Any, key: str) -> dict[str, Any]:
    v = data.get(key) if isinstance(data, dict) else None
    return {str(k): x for k, x in v.items()} if isinstance(v, dict) else {}


def _items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    v = data.get(key) if isinstance(data, dict) else None
    return [(i, x) for i, x in enumerate(v) if isinstance(x, dict)] if isinstance(v, list) else []


def _str(d: Any, key: str) -> str | None:
    v = d.get(key) if isinstance(d, dict) else None
    return v if isinstance(v, str) else None


def check_references(data: Any, catalog: m.Catalog | None, file: str,
                     source: SourceMap) -> list[Diagnostic]:
    """PF007 for every id that points nowhere; PF015 for local actors that shadow shared ones.

    Works on the raw data, so references are checked even when other parts of the file are
    wrong, and all problems come out in one run."""
    shared = set(catalog.actors) if catalog else set()
    local = _ids(data, "actors")
    actors = shared | set(local)
    steps_d = _ids(data, "steps")
    steps = set(steps_d)
    transitions = _items(data, "transitions")
    events = {e for _, t in transitions if (e := _str(t, "event"))}
    risks = _ids(data, "risks")
    rc = _RefChecker(file, source)
    out: list[Diagnostic] = []
    for aid in local:
        if aid in shared:
            out.append(_err("PF015", "shadowed-actor", locate(source, ("actors", aid), file, True),
                            f"actor {aid!r} is also defined in the catalogue; this file's one wins",
                            f"参与者 {aid!r} 在目录文件中也有定义，本文件的定义优先",
                            Text("Rename it, or delete it to use the catalogue's.",
                                 "请改名，或删除以使用目录中的定义。"), Severity.WARNING))
    lanes = data.get("lanes") if isinstance(data, dict) else None
    for i, lane in enumerate(lanes if isinstance(lanes, list) else []):
        if isinstance(lane, str):
            rc.check(lane, actors, "actor", "参与者", "lanes", i)
    for sid, s in steps_d.items():
        rc.check(_str(s, "actor"), actors, "actor", "参与者", "steps", sid, "actor")
        for j, link in _items(s, "supervises"):
            rc.check(_str(link, "step"), steps, "step", "环节", "steps", sid, "supervises", j, "step")
    for i, t in transitions:
        rc.check(_str(t, "from"), steps, "step", "环节", "transitions", i, "from")
        rc.check(_str(t, "to"), steps, "step", "环节", "transitions", i, "to")
        rc.check(_str(t, "actor"), actors, "actor", "参与者", "transitions", i, "actor")
    for rid, r in risks.items():
        rc.check(_str(r, "at"), steps | events, "step or event", "环节或事件", "risks", rid, "at")
        rc.check(_str(r, "responsible"), actors, "actor", "参与者", "risks", rid, "responsible")
        for j, c in _items(r, "controls"):
            rc.check(_str(c, "step"), steps, "step", "环节", "risks", rid, "controls", j, "step")
            rc.check(_str(c, "owner"), actors, "actor", "参与者", "risks", rid, "controls", j,
                     "owner")
    for i, sep in _items(data, "separation"):
        sl = sep.get("steps")
        for j, sid in enumerate(sl if isinstance(sl, list) else []):
            if isinstance(sid, str):
                rc.check(sid, steps, "step", "环节", "separation", i, "steps", j)
    targets = steps | events | set(risks) | actors
    for i, sup in _items(data, "suppress"):
        rc.check(_str(sup, "at"), targets, "step, event, risk or actor",
                 "环节、事件、风险点或参与者", "suppress", i, "at")
    return out + rc.diags


# ----------------------------------------------------------------------------- loading


def _read(path: Path, limits: Limits) -> tuple[bytes | None, list[Diagnostic]]:
    file = str(path)
    if path.is_dir():
        return None, [_err("PF012", "not-a-file", Location(file), "this is a folder, not a file",
                           "这是一个文件夹，不是文件",
                           Text("Give a .yaml file, or pass the folder to validate all of it.",
                                "请给出 .yaml 文件；若要检查整个文件夹，直接传入文件夹即可。"))]
    try:
        with path.open("rb") as fh:
            raw = fh.read(limits.max_bytes + 1)
    except FileNotFoundError:
        return None, [_err("PF012", "not-a-file", Location(file), "no such file", "文件不存在")]
    except OSError as exc:
        return None, [_err("PF012", "not-a-file", Location(file),
                           f"cannot read the file: {exc.strerror or exc}",
                           f"无法读取文件：{exc.strerror or exc}")]
    return raw, []


def load_catalog(path: str | os.PathLike[str], limits: Limits = Limits()) -> LoadedCatalog:
    """Load a department catalogue file."""
    p = Path(path)
    raw, diags = _read(p, limits)
    if raw is None:
        return LoadedCatalog(str(p), None, {}, tuple(diags))
    return load_catalog_text(raw, str(p), limits)


def load_catalog_text(raw: bytes, file: str, limits: Limits = Limits()) -> LoadedCatalog:
    """Load a department catalogue from bytes (the file name is used for locations only)."""
    p = Path(file)
    res = read_yaml(raw, str(p), limits)
    diags = res.diagnostics
    if res.data is None or any(d.is_error for d in diags):
        return LoadedCatalog(str(p), None, res.source, tuple(diags))
    if not isinstance(res.data, dict):
        return LoadedCatalog(str(p), None, res.source, (*diags, _top_not_mapping(str(p))))
    try:
        cat = m.Catalog.model_validate(res.data)
    except ValidationError as exc:
        return LoadedCatalog(str(p), None, res.source, (
            *diags, *pydantic_diagnostics(exc, res.data, res.source, str(p), m.Catalog)))
    rc = _RefChecker(str(p), res.source)
    for i, lane in enumerate(cat.lanes):
        rc.check(lane, cat.actors, "actor", "参与者", "lanes", i)
    spec, cal_diags = resolve_calendar(cat.defaults.calendar, res.data, res.source, str(p),
                                       ("defaults", "calendar"), limits)
    diags = [*diags, *cal_diags]
    if rc.diags or any(d.is_error for d in cal_diags):
        return LoadedCatalog(str(p), None, res.source, (*diags, *rc.diags))
    cat = cat.model_copy(update={"defaults": cat.defaults.model_copy(update={"calendar": spec})})
    return LoadedCatalog(str(p), cat, res.source, tuple(diags))


def _top_not_mapping(file: str) -> Diagnostic:
    return _err("PF004", "wrong-type", Location(file, 1, 1),
                "the file should be a mapping with keys such as power:, steps:, transitions:",
                "文件顶层应为映射，包含 power:、steps:、transitions: 等键",
                Text("Start from a file in flows/ or `powerflow new`.",
                     "可参照 flows/ 中的文件或使用 `powerflow new`。"))


def assemble(ff: m.FlowFile, catalog: m.Catalog | None) -> m.Flow:
    """Merge a checked flow file with its catalogue into a `Flow`."""
    actors = {**(catalog.actors if catalog else {}), **ff.actors}
    return m.Flow(
        info=ff.power,
        department=catalog.department if catalog else None,
        defaults=catalog.defaults if catalog else m.Defaults(),
        actors=actors,
        lanes=(*ff.lanes, *(catalog.lanes if catalog else ())),
        steps=ff.steps,
        transitions=ff.transitions,
        risks=ff.risks,
        separation=ff.separation,
        suppress=ff.suppress,
        facts=ff.facts,
    )


def load_flow_text(raw: bytes, file: str, catalog: m.Catalog | None = None,
                   limits: Limits = Limits(), catalog_path: str | None = None) -> LoadedFlow:
    """Load a power file from bytes (the file name is used for locations only)."""
    res = read_yaml(raw, file, limits)
    diags = list(res.diagnostics)
    if res.data is None or any(d.is_error for d in diags):
        return LoadedFlow(file, None, res.source, tuple(diags), catalog_path)
    if not isinstance(res.data, dict):
        return LoadedFlow(file, None, res.source, (*diags, _top_not_mapping(file)), catalog_path)
    ff: m.FlowFile | None = None
    try:
        ff = m.FlowFile.model_validate(res.data)
    except ValidationError as exc:
        diags += pydantic_diagnostics(exc, res.data, res.source, file, m.FlowFile)
    diags += check_references(res.data, catalog, file, res.source)
    diags.sort(key=sort_key)
    if ff is None or any(d.is_error for d in diags):
        return LoadedFlow(file, None, res.source, tuple(diags), catalog_path)
    return LoadedFlow(file, assemble(ff, catalog), res.source, tuple(diags), catalog_path)


def load_flow(path: str | os.PathLike[str], catalog: m.Catalog | None = None,
              limits: Limits = Limits(), catalog_path: str | None = None) -> LoadedFlow:
    """Load one power file, merged with `catalog` when given."""
    p = Path(path)
    raw, diags = _read(p, limits)
    if raw is None:
        return LoadedFlow(str(p), None, {}, tuple(diags), catalog_path)
    return load_flow_text(raw, str(p), catalog, limits, catalog_path)


def load_flow_with_catalog(path: str | os.PathLike[str], limits: Limits = Limits()
                           ) -> tuple[LoadedFlow, tuple[Diagnostic, ...]]:
    """Load one power file with the catalogue found for it (`find_catalog`): the loaded file,
    and the catalogue's own diagnostics (empty when there is no catalogue)."""
    p = Path(path)
    cat_path = find_catalog(p) if p.exists() else None
    if cat_path is None:
        return load_flow(p, None, limits), ()
    lc = load_catalog(cat_path, limits)
    return load_flow(p, lc.catalog, limits, str(cat_path)), lc.diagnostics


# ----------------------------------------------------------------------------- discovery


def is_flow_file(path: Path) -> bool:
    name = path.name
    return (
        name.endswith((".yaml", ".yml"))
        and name != CATALOG_NAME
        and not name.startswith((".", "_"))
        and not name.endswith(NOT_FLOW_SUFFIXES)
    )


def find_catalog(flow_path: Path) -> Path | None:
    """The nearest `catalog.yaml` in the flow's folder or its parents (stopping at a repo root)."""
    folder = flow_path.resolve().parent if not flow_path.is_dir() else flow_path.resolve()
    for d in (folder, *folder.parents):
        candidate = d / CATALOG_NAME
        if candidate.is_file():
            return candidate
        if (d / ".git").exists():
            break
    return None


def discover(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[Path, Path | None]]:
    """Yield (flow file, its catalogue or None) for files and, recursively, folders.
    A path that is neither is yielded as is, so the loader reports it."""
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and is_flow_file(f)
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            cache: dict[Path, Path | None] = {}
            for f in files:
                if f in seen:
                    continue
                seen.add(f)
                if f.parent not in cache:
                    cache[f.parent] = find_catalog(f)
                yield f, cache[f.parent]
        elif p.name == CATALOG_NAME and p.is_file():
            continue  # a catalogue named on the command line: see `explicit_catalogs`
        elif p not in seen:
            seen.add(p)
            yield p, (find_catalog(p) if p.exists() else None)


def explicit_catalogs(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Catalogue files named directly among `paths` (as `find_catalog` names them), so that
    commands check them as catalogues rather than as power files."""
    out: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.name == CATALOG_NAME and p.is_file() and str(p.resolve()) not in out:
            out.append(str(p.resolve()))
    return out
