"""The two sides of a `diff`: power files from files, folders or git revisions.

Takes paths (a file, a folder) or a git revision and a path inside the repository; gives a
`Side`: its label and every power file loaded with its catalogue (keyed by power code), plus the
load diagnostics. Git blobs are read with `git ls-tree` / `git show` subprocesses (no shell);
the catalogue is the `catalog.yaml` of the same revision.

Must not: check out, modify the repository, or run anything but `git` with fixed arguments.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .. import model as m
from ..diagnostics import Diagnostic, Location, Severity, Text
from ..loader import (
    CATALOG_NAME,
    LoadedFlow,
    discover,
    is_flow_file,
    load_catalog,
    load_flow,
    load_flow_text,
)

__all__ = ["GitError", "Side", "load_git_side", "load_side"]


class GitError(Exception):
    """git could not give what was asked (not a repository, unknown revision …)."""


@dataclass
class Side:
    label: str
    flows: dict[str, LoadedFlow] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    single: bool = False

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def _add(side: Side, loaded: LoadedFlow) -> None:
    side.diagnostics.extend(loaded.diagnostics)
    if loaded.flow is None:
        return
    code = loaded.flow.code
    if code in side.flows:
        side.diagnostics.append(Diagnostic(
            "PF013", Severity.ERROR, loaded.locate("power", "code"),
            Text(f"power code {code} is also used by {side.flows[code].path}",
                 f"职权编码 {code} 与 {side.flows[code].path} 重复"), None, "duplicate-power-code"))
        return
    side.flows[code] = loaded


def load_side(path: str | Path) -> Side:
    """Load a power file or every power file under a folder."""
    p = Path(path)
    side = Side(str(p), single=p.is_file())
    cats: dict[Path, m.Catalog | None] = {}
    for flow_path, cat_path in discover([p]):
        catalog = None
        if cat_path is not None:
            if cat_path not in cats:
                lc = load_catalog(cat_path)
                side.diagnostics.extend(lc.diagnostics)
                cats[cat_path] = lc.catalog
            catalog = cats[cat_path]
        _add(side, load_flow(flow_path, catalog, catalog_path=str(cat_path) if cat_path else None))
    return side


def _git(repo: Path, *args: str) -> bytes:
    try:
        res = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False,
                             timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"cannot run git: {exc}") from exc
    if res.returncode != 0:
        raise GitError(res.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed")
    return res.stdout


def _catalog_at(repo: Path, rev: str, names: set[str], flow: str,
                cache: dict[str, m.Catalog | None], side: Side) -> m.Catalog | None:
    for folder in PurePosixPath(flow).parents:
        cand = str(folder / CATALOG_NAME) if str(folder) != "." else CATALOG_NAME
        if cand in names:
            if cand not in cache:
                raw = _git(repo, "show", f"{rev}:{cand}")
                with tempfile.TemporaryDirectory() as tmp:
                    f = Path(tmp) / CATALOG_NAME
                    f.write_bytes(raw)
                    lc = load_catalog(f)
                side.diagnostics.extend(
                    Diagnostic(d.code, d.severity, Location(f"{rev}:{cand}", d.location.line,
                                                            d.location.column), d.message, d.hint,
                               d.name) for d in lc.diagnostics)
                cache[cand] = lc.catalog
            return cache[cand]
    return None


def load_git_side(rev: str, path: str | Path = ".", repo: str | Path = ".") -> Side:
    """Load the power files under `path` as they were at git revision `rev`."""
    if rev.startswith("-"):
        raise GitError(f"not a revision: {rev}")
    top = Path(_git(Path(repo), "rev-parse", "--show-toplevel").decode().strip())
    target = Path(path).resolve()
    try:
        rel = target.relative_to(top.resolve()).as_posix()
    except ValueError as exc:
        raise GitError(f"{path} is not inside the repository {top}") from exc
    try:
        _git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except GitError as exc:
        raise GitError(f"{rev!r} is not a commit of the repository {top}") from exc
    listing = _git(top, "ls-tree", "-r", "--name-only", "-z", rev, "--", rel if rel != "." else ".")
    names = {n for n in listing.decode("utf-8").split("\0") if n}
    every = _git(top, "ls-tree", "-r", "--name-only", "-z", rev).decode("utf-8").split("\0")
    catalogs = {n for n in every if n.endswith(CATALOG_NAME)}
    side = Side(f"{rev}:{rel}")
    side.single = len(names) == 1 and rel in names
    cache: dict[str, m.Catalog | None] = {}
    for name in sorted(names):
        if not is_flow_file(Path(name)):
            continue
        catalog = _catalog_at(top, rev, catalogs, name, cache, side)
        raw = _git(top, "show", f"{rev}:{name}")
        _add(side, load_flow_text(raw, f"{rev}:{name}", catalog))
    return side
