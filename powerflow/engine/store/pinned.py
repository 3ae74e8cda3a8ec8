"""Flow versions pinned to cases: a power file and its catalogue, by content.

Takes a flow path and the store's folder (to pin a version), or the pinned bytes (to compile
it), or a case's record (to look for drift); gives `FlowVersion` (the bytes of the power file,
its catalogue and the calendar file the catalogue names, their sha256, and the paths relative
to the catalogue folder, itself relative to the store's folder),
`compile_version` (a `CompiledFlow` from the pinned bytes, cached per process by hash) and
`drift` (a PF823/PF824 warning when the file on disk no longer is the pinned version).

Must not: write anything, or run a case under any flow but the pinned bytes. A store keeps the
bytes (content-addressed) so a case keeps its rules when the file is edited or the folder moves.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ...diagnostics import Diagnostic, Text
from ...loader import find_catalog, load_catalog_text, load_flow_text
from ...source import read_yaml
from ..compile import CompiledFlow, compile_flow
from .base import CaseRecord, StoreError, store_diagnostic

__all__ = ["FlowVersion", "VersionKey", "calendar_name", "compile_version", "drift", "load",
           "on_disk", "read_version"]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


VersionKey = tuple[str, str | None, str | None]
"""A flow version by content: the sha256 of the power file, its catalogue, its calendar file."""


@dataclass(frozen=True)
class FlowVersion:
    flow_bytes: bytes
    catalog_bytes: bytes | None
    calendar_bytes: bytes | None
    root: str
    """The catalogue's folder (the flow's when it has none), relative to the store's folder."""
    flow: str
    """The power file, relative to `root`."""
    catalog: str | None
    calendar: str | None
    """The calendar file the catalogue names (`defaults.calendar`), as written there."""

    @property
    def key(self) -> VersionKey:
        return (sha256(self.flow_bytes), _sha(self.catalog_bytes), _sha(self.calendar_bytes))

    def blobs(self) -> list[tuple[str, bytes]]:
        """(sha256, bytes) of every file of the version."""
        return [(sha256(b), b) for b in (self.flow_bytes, self.catalog_bytes,
                                         self.calendar_bytes) if b is not None]

    def detail(self) -> dict[str, str | None]:
        """The fields a trail row keeps to pin this version."""
        flow, cat, cal = self.key
        return {"root": self.root, "flow": self.flow, "catalog": self.catalog,
                "calendar": self.calendar, "flow_sha256": flow, "catalog_sha256": cat,
                "calendar_sha256": cal}


def _sha(data: bytes | None) -> str | None:
    return None if data is None else sha256(data)


def _rel(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path, start)).as_posix()


def calendar_name(catalog_bytes: bytes, file: str) -> str | None:
    """The calendar file a catalogue names in `defaults.calendar`, if it names one."""
    data = read_yaml(catalog_bytes, file).data
    defaults = data.get("defaults") if isinstance(data, dict) else None
    value = defaults.get("calendar") if isinstance(defaults, dict) else None
    if isinstance(value, dict):
        value = value.get("file")
    if isinstance(value, str) and value not in ("cn", "weekdays"):
        return value
    return None


def _files(p: Path) -> tuple[Path | None, Path | None, str | None]:
    """The catalogue of a power file, the calendar file it names, and that name."""
    cat = find_catalog(p) if p.is_file() else None
    name = calendar_name(cat.read_bytes(), str(cat)) if cat is not None else None
    return cat, (cat.parent / name if cat is not None and name else None), name


def read_version(flow_path: str | os.PathLike[str], store_dir: Path) -> FlowVersion:
    """Read a power file, its catalogue and the catalogue's calendar file as they are now
    (`StoreError` PF810 if unreadable)."""
    p = Path(flow_path).resolve()
    try:
        cat, cal, cal_name = _files(p)
        blobs = [f.read_bytes() if f is not None else None for f in (p, cat, cal)]
    except OSError as exc:
        raise StoreError(store_diagnostic(
            "PF810", str(flow_path), f"the flow cannot be read: {exc.strerror or exc}",
            f"无法读取流程文件：{exc.strerror or exc}")) from None
    root = cat.parent if cat is not None else p.parent
    return FlowVersion(blobs[0] or b"", blobs[1], blobs[2], _rel(root, store_dir.resolve()),
                       _rel(p, root), _rel(cat, root) if cat is not None else None, cal_name)


def load(flow_path: str | os.PathLike[str], store_dir: Path
         ) -> tuple[FlowVersion, CompiledFlow]:
    """A power file's current version and its compiled machine (`StoreError` PF810)."""
    v = read_version(flow_path, store_dir)
    cat = None if v.catalog is None else str(Path(store_dir, v.root, v.catalog))
    return v, compile_version(v, str(flow_path), cat)


_COMPILED: dict[VersionKey, CompiledFlow] = {}


def compile_version(v: FlowVersion, flow_name: str, catalog_name: str | None) -> CompiledFlow:
    """The compiled machine of a version's bytes; `StoreError` PF810 when they do not load."""
    hit = _COMPILED.get(v.key)
    if hit is not None:
        return hit
    diags: list[Diagnostic] = []
    catalog = None
    if v.catalog_bytes is not None:
        # the calendar file comes from the version (empty if not pinned), never from the disk
        name = v.calendar or calendar_name(v.catalog_bytes, catalog_name or "catalog.yaml")
        files = {name: v.calendar_bytes or b""} if name else {}
        lc = load_catalog_text(v.catalog_bytes, catalog_name or "catalog.yaml", files=files)
        diags += lc.diagnostics
        catalog = lc.catalog
    lf = load_flow_text(v.flow_bytes, flow_name, catalog, catalog_path=catalog_name)
    diags += lf.diagnostics
    first = next((d for d in diags if d.is_error), None)
    if lf.flow is None or first is not None or (v.catalog_bytes is not None and catalog is None):
        why = f"{first.location}: {first.message.en}" if first else "it does not load"
        why_zh = f"{first.location}：{first.message.zh}" if first else "无法载入"
        raise StoreError(store_diagnostic(
            "PF810", flow_name, f"the flow cannot be used: {why}", f"流程无法使用：{why_zh}",
            Text("Fix the file (`powerflow check`) and try again.",
                 "修正该文件（`powerflow check`）后重试。")))
    compiled = compile_flow(lf.flow)
    _COMPILED[v.key] = compiled
    return compiled


_ON_DISK: dict[Path, tuple[list[tuple[int, int]], list[Path | None], VersionKey]] = {}


def _stat(path: Path | None) -> tuple[int, int]:
    if path is None:
        return (0, 0)
    st = path.stat()
    return (st.st_mtime_ns, st.st_size)


def on_disk(path: Path) -> VersionKey:
    """The version key of a power file as it is now, cached per process while its files keep
    their size and modification time. Raises `OSError`."""
    hit = _ON_DISK.get(path)
    if hit is not None and hit[0] == [_stat(f) for f in hit[1]]:
        return hit[2]
    cat, cal, _name = _files(path)
    key = (sha256(path.read_bytes()), _sha(cat.read_bytes() if cat else None),
           _sha(cal.read_bytes() if cal else None))
    _ON_DISK[path] = ([_stat(f) for f in (path, cat, cal)], [path, cat, cal], key)
    return key


def drift(rec: CaseRecord, store_dir: Path, where: str) -> Diagnostic | None:
    """A warning when the case's flow file (or catalogue) on disk is not its pinned version."""
    path = store_dir / rec.root / rec.flow_path
    try:
        now = on_disk(path)
    except OSError:
        return store_diagnostic(
            "PF824", where, f"case {rec.case_id}: its flow file {rec.flow_path} is not found "
            f"under {rec.root}; the case keeps running under its pinned version "
            f"{rec.flow_sha256[:12]}", f"办件 {rec.case_id}：在 {rec.root} 下找不到流程文件 "
            f"{rec.flow_path}；办件继续按锁定的版本 {rec.flow_sha256[:12]} 运行",
            Text("Nothing is lost. To move the case to a new file: `powerflow case migrate`.",
                 "不影响办件。如需改用新文件：`powerflow case migrate`。"))
    if now == (rec.flow_sha256, rec.catalog_sha256, rec.calendar_sha256):
        return None
    return store_diagnostic(
        "PF823", where, f"case {rec.case_id}: {rec.flow_path} (or its catalogue or calendar "
        "file) changed since "
        f"the case was pinned to version {rec.flow_sha256[:12]}; the case keeps running under "
        "that version", f"办件 {rec.case_id}：{rec.flow_path}（或其清单、日历文件）在办件锁定版本 "
        f"{rec.flow_sha256[:12]} 之后被修改；办件仍按锁定版本运行",
        Text(f"To judge it by the new file: `powerflow case migrate {rec.case_id} FLOW "
             "--reason ...` (recorded in the trail).",
             f"如需按新文件办理：`powerflow case migrate {rec.case_id} 流程文件 --reason ...`"
             "（记入留痕）。"))
