"""`fmt` over files: find power files and catalogues, refuse those that do not load, format the
rest and write them back atomically.

Takes paths (files or folders); gives a `FileFormat` per file: whether it changed, the new text
and, for refused files, the diagnostics that explain why (the loader's, or a PF609 when
formatting would have changed the meaning or a comment).

Must not: write a file that did not load cleanly or whose formatted text fails the check.
"""

from __future__ import annotations

import difflib
import multiprocessing as mp
import os
import tempfile
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from .. import model as m
from ..diagnostics import Diagnostic, Location, Severity, Text
from ..loader import CATALOG_NAME, discover, load_catalog, load_flow
from ..pipeline import default_jobs
from .fmt import FormatError, format_text

__all__ = ["FileFormat", "format_paths"]


@dataclass
class FileFormat:
    path: str
    before: str = ""
    after: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return not self.diagnostics and self.before != self.after

    def unified_diff(self) -> str:
        return "".join(difflib.unified_diff(self.before.splitlines(True),
                                            self.after.splitlines(True),
                                            f"a/{self.path}", f"b/{self.path}"))


def _targets(paths: Iterable[str]) -> list[tuple[Path, Path | None, bool]]:
    out: list[tuple[Path, Path | None, bool]] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for found in sorted(p.rglob(CATALOG_NAME)):
                if found not in seen:
                    seen.add(found)
                    out.append((found, None, True))
        elif p.name == CATALOG_NAME:
            seen.add(p)
            out.append((p, None, True))
            continue
        for f, cat in discover([p]):
            if f not in seen:
                seen.add(f)
                out.append((f, cat, False))
    return out


def _write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_CATALOGS: dict[Path, m.Catalog | None] = {}
PARALLEL_THRESHOLD = 32
"""Below this many files a process pool costs more than it saves."""


def _catalog(path: Path) -> m.Catalog | None:
    if path not in _CATALOGS:
        _CATALOGS[path] = load_catalog(path).catalog
    return _CATALOGS[path]


def _format_one(target: tuple[Path, Path | None, bool], write: bool) -> FileFormat:
    path, cat_path, is_catalog = target
    r = FileFormat(str(path))
    catalog: m.Catalog | None = None
    expected: object = None
    if is_catalog:
        loaded_c = load_catalog(path)
        if loaded_c.catalog is None:
            r.diagnostics = [d for d in loaded_c.diagnostics if d.is_error]
            return r
        expected = loaded_c.catalog
    else:
        catalog = _catalog(cat_path) if cat_path is not None else None
        loaded = load_flow(path, catalog)
        if not loaded.ok:
            r.diagnostics = [d for d in loaded.diagnostics if d.is_error]
            return r
        expected = loaded.flow
    raw = path.read_bytes()
    try:
        r.before = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        r.before = raw.decode("gb18030")
    try:
        r.after = format_text(r.before, catalog, is_catalog, expected)
    except FormatError as exc:
        r.diagnostics = [Diagnostic(
            "PF609", Severity.ERROR, Location(str(path), 1, 1),
            Text(f"cannot format this file safely: {exc}", f"无法安全地格式化该文件：{exc}"),
            Text("Leave it as it is and report the file to the powerflow maintainers.",
                 "请保持原样，并将该文件反馈给 powerflow 维护者。"), "unformattable-file")]
        return r
    if write and r.before != r.after:
        _write(path, r.after)
    return r


def format_paths(paths: Iterable[str], write: bool = True,
                 jobs: int | None = None) -> list[FileFormat]:
    """Format every power file and catalogue under `paths`, in parallel processes when there
    are many; results in the order of the files."""
    targets = _targets(paths)
    workers = min(jobs or default_jobs(), len(targets))
    if workers <= 1 or len(targets) < PARALLEL_THRESHOLD:
        return [_format_one(t, write) for t in targets]
    ctx = mp.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        return list(pool.map(partial(_format_one, write=write), targets, chunksize=8))
