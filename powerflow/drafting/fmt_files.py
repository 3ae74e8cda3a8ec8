"""`fmt` over files: find power files and catalogues, refuse those that do not load, format the
rest and write them back atomically.

Takes paths (files or folders); gives a `FileFormat` per file: whether it changed, the new text
and, for refused files, the diagnostics that explain why (the loader's, or a PF609 when
formatting would have changed the meaning or a comment).

Must not: write a file that did not load cleanly or whose formatted text fails the check.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import model as m
from ..diagnostics import Diagnostic, Location, Severity, Text
from ..loader import CATALOG_NAME, discover, load_catalog, load_flow
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


def format_paths(paths: Iterable[str], write: bool = True) -> list[FileFormat]:
    results = []
    cats: dict[Path, m.Catalog | None] = {}
    for path, cat_path, is_catalog in _targets(paths):
        r = FileFormat(str(path))
        results.append(r)
        catalog: m.Catalog | None = None
        if is_catalog:
            loaded_c = load_catalog(path)
            if loaded_c.catalog is None:
                r.diagnostics = [d for d in loaded_c.diagnostics if d.is_error]
                continue
        else:
            if cat_path is not None:
                if cat_path not in cats:
                    cats[cat_path] = load_catalog(cat_path).catalog
                catalog = cats[cat_path]
            loaded = load_flow(path, catalog)
            if not loaded.ok:
                r.diagnostics = [d for d in loaded.diagnostics if d.is_error]
                continue
        raw = path.read_bytes()
        try:
            r.before = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            r.before = raw.decode("gb18030")
        try:
            r.after = format_text(r.before, catalog, is_catalog)
        except FormatError as exc:
            r.diagnostics = [Diagnostic(
                "PF609", Severity.ERROR, Location(str(path), 1, 1),
                Text(f"cannot format this file safely: {exc}", f"无法安全地格式化该文件：{exc}"),
                Text("Leave it as it is and report the file to the powerflow maintainers.",
                     "请保持原样，并将该文件反馈给 powerflow 维护者。"), "unformattable-file")]
            continue
        if write and r.before != r.after:
            _write(path, r.after)
    return results
