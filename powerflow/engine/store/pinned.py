"""Flow versions pinned to cases: a power file and its catalogue, by content.

Takes a flow path and the store's folder (to pin a version), or the pinned bytes (to compile
it), or a case's record (to look for drift); gives `FlowVersion` (the bytes, their sha256 and
the paths relative to the catalogue folder, itself relative to the store's folder),
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
from ..compile import CompiledFlow, compile_flow
from .base import CaseRecord, StoreError, store_diagnostic

__all__ = ["FlowVersion", "compile_version", "drift", "load", "on_disk", "read_version"]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class FlowVersion:
    flow_bytes: bytes
    catalog_bytes: bytes | None
    root: str
    """The catalogue's folder (the flow's when it has none), relative to the store's folder."""
    flow: str
    """The power file, relative to `root`."""
    catalog: str | None

    @property
    def flow_sha256(self) -> str:
        return sha256(self.flow_bytes)

    @property
    def catalog_sha256(self) -> str | None:
        return None if self.catalog_bytes is None else sha256(self.catalog_bytes)

    @property
    def key(self) -> tuple[str, str | None]:
        return self.flow_sha256, self.catalog_sha256

    def detail(self) -> dict[str, str | None]:
        """The fields a trail row keeps to pin this version."""
        return {"root": self.root, "flow": self.flow, "catalog": self.catalog,
                "flow_sha256": self.flow_sha256, "catalog_sha256": self.catalog_sha256}


def _rel(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path, start)).as_posix()


def read_version(flow_path: str | os.PathLike[str], store_dir: Path) -> FlowVersion:
    """Read a power file and its catalogue as they are now (`StoreError` PF810 if unreadable)."""
    p = Path(flow_path).resolve()
    cat = find_catalog(p) if p.is_file() else None
    root = cat.parent if cat is not None else p.parent
    try:
        flow_bytes = p.read_bytes()
        cat_bytes = cat.read_bytes() if cat is not None else None
    except OSError as exc:
        raise StoreError(store_diagnostic(
            "PF810", str(flow_path), f"the flow cannot be read: {exc.strerror or exc}",
            f"无法读取流程文件：{exc.strerror or exc}")) from None
    return FlowVersion(flow_bytes, cat_bytes, _rel(root, store_dir.resolve()), _rel(p, root),
                       _rel(cat, root) if cat is not None else None)


def load(flow_path: str | os.PathLike[str], store_dir: Path
         ) -> tuple[FlowVersion, CompiledFlow]:
    """A power file's current version and its compiled machine (`StoreError` PF810)."""
    v = read_version(flow_path, store_dir)
    cat = None if v.catalog is None else str(Path(store_dir, v.root, v.catalog))
    return v, compile_version(v.flow_bytes, v.catalog_bytes, str(flow_path), cat)


_COMPILED: dict[tuple[str, str | None], CompiledFlow] = {}


def compile_version(flow_bytes: bytes, catalog_bytes: bytes | None, flow_name: str,
                    catalog_name: str | None) -> CompiledFlow:
    """The compiled machine of pinned bytes; `StoreError` PF810 when they do not load."""
    key = (sha256(flow_bytes), None if catalog_bytes is None else sha256(catalog_bytes))
    hit = _COMPILED.get(key)
    if hit is not None:
        return hit
    diags: list[Diagnostic] = []
    catalog = None
    if catalog_bytes is not None:
        lc = load_catalog_text(catalog_bytes, catalog_name or "catalog.yaml")
        diags += lc.diagnostics
        catalog = lc.catalog
    lf = load_flow_text(flow_bytes, flow_name, catalog, catalog_path=catalog_name)
    diags += lf.diagnostics
    first = next((d for d in diags if d.is_error), None)
    if lf.flow is None or first is not None or (catalog_bytes is not None and catalog is None):
        why = f"{first.location}: {first.message.en}" if first else "it does not load"
        why_zh = f"{first.location}：{first.message.zh}" if first else "无法载入"
        raise StoreError(store_diagnostic(
            "PF810", flow_name, f"the flow cannot be used: {why}", f"流程无法使用：{why_zh}",
            Text("Fix the file (`powerflow check`) and try again.",
                 "修正该文件（`powerflow check`）后重试。")))
    compiled = compile_flow(lf.flow)
    _COMPILED[key] = compiled
    return compiled


_ON_DISK: dict[Path, tuple[tuple[int, int], Path | None, tuple[int, int], tuple[str, str | None]]]
_ON_DISK = {}


def _stat(path: Path | None) -> tuple[int, int]:
    if path is None:
        return (0, 0)
    st = path.stat()
    return (st.st_mtime_ns, st.st_size)


def on_disk(path: Path) -> tuple[str, str | None]:
    """The (flow, catalogue) sha256 of a power file as it is now, cached per process while the
    two files keep their size and modification time. Raises `OSError`."""
    hit = _ON_DISK.get(path)
    if hit is not None and hit[0] == _stat(path) and hit[2] == _stat(hit[1]):
        return hit[3]
    cat = find_catalog(path)
    shas = (sha256(path.read_bytes()), sha256(cat.read_bytes()) if cat is not None else None)
    _ON_DISK[path] = (_stat(path), cat, _stat(cat), shas)
    return shas


def drift(rec: CaseRecord, store_dir: Path, where: str) -> Diagnostic | None:
    """A warning when the case's flow file (or catalogue) on disk is not its pinned version."""
    path = store_dir / rec.root / rec.flow_path
    try:
        now, now_cat = on_disk(path)
    except OSError:
        return store_diagnostic(
            "PF824", where, f"case {rec.case_id}: its flow file {rec.flow_path} is not found "
            f"under {rec.root}; the case keeps running under its pinned version "
            f"{rec.flow_sha256[:12]}", f"办件 {rec.case_id}：在 {rec.root} 下找不到流程文件 "
            f"{rec.flow_path}；办件继续按锁定的版本 {rec.flow_sha256[:12]} 运行",
            Text("Nothing is lost. To move the case to a new file: `powerflow case migrate`.",
                 "不影响办件。如需改用新文件：`powerflow case migrate`。"))
    if (now, now_cat) == (rec.flow_sha256, rec.catalog_sha256):
        return None
    return store_diagnostic(
        "PF823", where, f"case {rec.case_id}: {rec.flow_path} (or its catalogue) changed since "
        f"the case was pinned to version {rec.flow_sha256[:12]}; the case keeps running under "
        "that version", f"办件 {rec.case_id}：{rec.flow_path}（或其清单）在办件锁定版本 "
        f"{rec.flow_sha256[:12]} 之后被修改；办件仍按锁定版本运行",
        Text(f"To judge it by the new file: `powerflow case migrate {rec.case_id} FLOW "
             "--reason ...` (recorded in the trail).",
             f"如需按新文件办理：`powerflow case migrate {rec.case_id} 流程文件 --reason ...`"
             "（记入留痕）。"))
