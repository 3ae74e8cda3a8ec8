"""The check stage: load (validate) and run the rules on many power files, with a cache.

Takes paths, a rule `Config`, a job count and a cache folder (or None); gives a `CheckResult`
with every diagnostic (catalogue, per file, cross-file PF013) and cache statistics. Files whose
bytes, catalogue bytes, configuration and powerflow code are unchanged since the last run are
answered from the cache without loading; the others go through `pipeline.run`, so the rules run
in the worker processes.

Must not: print or choose exit codes (that is the CLI's).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import __version__
from .cache import ResultCache
from .diagnostics import Diagnostic, sort_key
from .loader import LoadedFlow, discover, explicit_catalogs, load_catalog
from .pipeline import FileResult, duplicate_codes, run
from .rules import Config, check_loaded
from .source import Limits

__all__ = ["CheckResult", "check_paths", "check_stage"]

_CONFIG = Config()


def check_stage(loaded: LoadedFlow) -> list[Diagnostic]:
    """The per-file stage run in the workers: every diagnostic of one file."""
    return check_loaded(loaded, _CONFIG)


@dataclass
class CheckResult:
    files: int
    diagnostics: list[Diagnostic] = field(default_factory=list)
    cached: int = 0
    checked: int = 0

    @property
    def findings(self) -> list[Diagnostic]:
        """Diagnostics that count (not suppressed)."""
        return [d for d in self.diagnostics if d.suppressed is None]


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of powerflow's own source, so a changed rule never reuses old results."""
    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    pkg = Path(__file__).resolve().parent
    for f in sorted(pkg.rglob("*")):
        if f.suffix in (".py", ".yaml") and f.is_file():
            h.update(f.relative_to(pkg).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def _read(path: str) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _watched(paths: Iterable[str | os.PathLike[str]],
             found: list[tuple[str, str | None]]) -> dict[str, int]:
    """Folders whose modification time changes whenever `discover` could find something else:
    every folder under a folder argument (a file or folder added, removed or renamed in it),
    the folder of each file argument, and every folder the catalogue search looked in."""
    dirs: set[str] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for dirpath, subdirs, _ in os.walk(p):
                subdirs[:] = [s for s in subdirs if not s.startswith(".")]
                dirs.add(os.path.abspath(dirpath))
        else:
            dirs.add(os.path.abspath(p.parent))
    for folder, cat in {(Path(f).resolve().parent, c) for f, c in found}:
        stop = Path(cat).resolve().parent if cat else None
        for d in (folder, *folder.parents):
            dirs.add(str(d))
            if d == stop or (stop is None and (d / ".git").exists()):
                break
    return {d: os.stat(d).st_mtime_ns for d in sorted(dirs)}


def _discover(paths: list[str], cache: ResultCache | None) -> list[tuple[str, str | None]]:
    """`loader.discover`, or its stored result when no watched folder has changed since."""
    key = json.dumps([os.getcwd(), paths])
    if cache is not None:
        stored = cache.manifest(key)
        try:
            if all(os.stat(d).st_mtime_ns == m for d, m in stored["dirs"].items()):
                return [(str(f), str(c) if c is not None else None) for f, c in stored["found"]]
        except (OSError, TypeError, KeyError, AttributeError, ValueError):
            pass
    found = [(str(f), str(c) if c else None) for f, c in discover(paths)]
    if cache is not None:
        with contextlib.suppress(OSError):
            cache.set_manifest(key, {"dirs": _watched(paths, found), "found": found})
    return found


def check_paths(paths: Iterable[str | os.PathLike[str]], config: Config, jobs: int | None = None,
                cache_dir: str | os.PathLike[str] | None = None, limits: Limits = Limits(),
                progress: Callable[[int, int], None] | None = None) -> CheckResult:
    """Check every power file under `paths` (see the module docstring)."""
    global _CONFIG
    roots = [os.fspath(p) for p in paths]
    cache = None
    if cache_dir is not None:
        salt = f"{code_fingerprint()}|{config.fingerprint()}|{limits}"
        cache = ResultCache(cache_dir, salt)
    found = _discover(roots, cache)
    catalogs = {c: load_catalog(c, limits) for c in explicit_catalogs(roots)}
    catalog_bytes: dict[str, bytes | None] = {}
    for _, cat in found:
        if cat and cat not in catalogs:
            catalogs[cat] = load_catalog(cat, limits)
            catalog_bytes[cat] = _read(cat)
    done: dict[str, tuple[str | None, tuple[Diagnostic, ...]]] = {}
    keys: dict[str, str] = {}
    misses: list[str] = []
    for path, cat in found:
        raw = _read(path) if cache is not None else None
        if cache is None or raw is None:
            misses.append(path)
            continue
        key = cache.key(raw, catalog_bytes.get(cat) if cat else None)
        entry = cache.get(key, path)
        if entry is None:
            keys[path] = key
            misses.append(path)
        else:
            done[path] = (entry.code, entry.diagnostics)
    if misses:
        _CONFIG = config
        try:
            result = run(misses, check_stage, jobs=jobs, limits=limits, progress=progress)
        finally:
            _CONFIG = Config()
        for fr in result.files:
            diags = tuple(fr.value if fr.value is not None else fr.diagnostics)
            done[fr.path] = (fr.code, diags)
            if cache is not None and fr.path in keys:
                cache.put(keys[fr.path], fr.path, fr.code, diags)
    if cache is not None:
        cache.save()
    out: list[Diagnostic] = [d for c in catalogs.values() for d in c.diagnostics
                             if d.is_error or not config.ignored(d.code)]
    ordered: list[FileResult[None]] = [FileResult(p, done[p][0], (), None, cat)
                                       for p, cat in found if p in done]
    for p, _ in found:
        out.extend(done.get(p, (None, ()))[1])
    out.extend(duplicate_codes(ordered))
    out.sort(key=sort_key)
    return CheckResult(len(found) + len(catalogs), out, len(found) - len(misses), len(misses))
