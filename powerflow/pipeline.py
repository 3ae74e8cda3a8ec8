"""Run a per-file stage over many power files, in parallel processes when it pays.

Takes paths (files or folders) and a module-level function `stage(LoadedFlow) -> T`; gives one
`FileResult` per power file (its path, power code, load diagnostics and the stage's result),
plus catalogue diagnostics and cross-file ones (PF013 duplicate power code).

Must not: print, or hold results of one file hostage to another's errors. Catalogues are loaded
once in the parent; workers are forked so they inherit them without pickling.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from .diagnostics import Diagnostic, Location, Severity, Text
from .loader import (
    LoadedCatalog,
    LoadedFlow,
    discover,
    explicit_catalogs,
    load_catalog,
    load_flow,
)
from .source import Limits

__all__ = ["FileResult", "RunResult", "default_jobs", "load_all", "run"]

T = TypeVar("T")

PARALLEL_THRESHOLD = 48
"""Below this many files, a process pool costs more than it saves."""


@dataclass(frozen=True)
class FileResult(Generic[T]):
    path: str
    code: str | None
    diagnostics: tuple[Diagnostic, ...]
    value: T | None
    catalog: str | None = None
    """The catalogue the file was loaded with: a power code is unique within one catalogue."""


@dataclass
class RunResult(Generic[T]):
    files: list[FileResult[T]]
    catalogs: dict[str, LoadedCatalog] = field(default_factory=dict)
    extra: list[Diagnostic] = field(default_factory=list)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        out = [d for c in self.catalogs.values() for d in c.diagnostics]
        for f in self.files:
            out.extend(f.diagnostics)
        return out + self.extra


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


_CATALOGS: dict[str, LoadedCatalog] = {}
_STAGE: Callable[[LoadedFlow], Any] | None = None
_LIMITS = Limits()


def _one(item: tuple[str, str | None]) -> FileResult[Any]:
    path, cat_path = item
    cat = _CATALOGS.get(cat_path) if cat_path else None
    loaded = load_flow(path, cat.catalog if cat else None, _LIMITS, cat_path)
    value = _STAGE(loaded) if _STAGE is not None else None
    code = loaded.flow.code if loaded.flow else None
    return FileResult(path, code, loaded.diagnostics, value, cat_path)


def _chunk(items: list[tuple[str, str | None]]) -> list[FileResult[Any]]:
    return [_one(i) for i in items]


def run(paths: Iterable[str | os.PathLike[str]], stage: Callable[[LoadedFlow], T] | None = None,
        jobs: int | None = None, limits: Limits = Limits(),
        progress: Callable[[int, int], None] | None = None) -> RunResult[T]:
    """Load every power file under `paths` and apply `stage` to each loaded file.

    `stage` runs in worker processes and must be a module-level function; it receives the
    `LoadedFlow` even when loading failed (then `flow` is None). `progress(done, total)` is
    called in the parent as results arrive."""
    global _STAGE, _LIMITS
    paths = list(paths)
    found = list(discover(paths))
    catalogs = {c: load_catalog(c, limits) for c in explicit_catalogs(paths)}
    items: list[tuple[str, str | None]] = []
    for flow_path, cat_path in found:
        key = str(cat_path) if cat_path else None
        if key and key not in catalogs:
            catalogs[key] = load_catalog(key, limits)
        items.append((str(flow_path), key))
    _CATALOGS.clear()
    _CATALOGS.update(catalogs)
    _STAGE, _LIMITS = stage, limits
    jobs = jobs or default_jobs()
    results: list[FileResult[Any]] = []
    total = len(items)
    if jobs <= 1 or total < PARALLEL_THRESHOLD or "fork" not in mp.get_all_start_methods():
        for n, item in enumerate(items, 1):
            results.append(_one(item))
            if progress:
                progress(n, total)
    else:
        size = max(8, min(64, total // (jobs * 8) or 1))
        chunks = [items[i : i + size] for i in range(0, total, size)]
        with ProcessPoolExecutor(jobs, mp_context=mp.get_context("fork")) as pool:
            for chunk_result in pool.map(_chunk, chunks):
                results.extend(chunk_result)
                if progress:
                    progress(len(results), total)
    _STAGE = None
    return RunResult(results, catalogs, duplicate_codes(results))


def load_all(paths: Iterable[str | os.PathLike[str]],
             limits: Limits = Limits()) -> tuple[list[LoadedFlow], list[Diagnostic]]:
    """Load every power file under `paths` in this process: the loaded files and the catalogue
    and cross-file diagnostics. For commands that need the model objects themselves."""
    catalogs: dict[str, LoadedCatalog] = {}
    flows: list[LoadedFlow] = []
    for flow_path, cat_path in discover(paths):
        key = str(cat_path) if cat_path else None
        if key and key not in catalogs:
            catalogs[key] = load_catalog(key, limits)
        cat = catalogs.get(key) if key else None
        flows.append(load_flow(flow_path, cat.catalog if cat else None, limits, key))
    extra = [d for c in catalogs.values() for d in c.diagnostics]
    extra += duplicate_codes([FileResult(f.path, f.flow.code if f.flow else None, (), None,
                                         f.catalog_path) for f in flows])
    return flows, extra


def duplicate_codes(results: Sequence[FileResult[Any]]) -> list[Diagnostic]:
    """PF013 for every power code used by more than one file of the same catalogue (two
    departments' separate catalogues may each have a power coded the same)."""
    seen: dict[tuple[str | None, str], str] = {}
    out: list[Diagnostic] = []
    for r in results:
        if r.code is None:
            continue
        key = (r.catalog, r.code)
        if key in seen:
            out.append(Diagnostic(
                "PF013", Severity.ERROR, Location(r.path, 1, 1),
                Text(f"power code {r.code!r} is already used by {seen[key]}",
                     f"职权编码 {r.code!r} 已被 {seen[key]} 使用"),
                Text("Every power in a list needs its own code.", "权力清单中每个事项的编码必须唯一。"),
                "duplicate-power-code", related=(Location(seen[key]),)))
        else:
            seen[key] = r.path
    return out


def is_missing(paths: Sequence[str]) -> list[str]:
    return [p for p in paths if not Path(p).exists()]
