"""Build the static public site of a power list, incrementally and in parallel.

Takes paths of power files (with their catalogues) and an output folder; gives a `SiteResult`
(pages written, powers re-rendered or kept, diagnostics). Layout of the site:
``index.html`` (zh) and ``en/index.html``, ``p/<slug>/index.html`` / ``en.html`` with
``chart.svg|pdf|png``, ``assets/`` (CSS, JS), ``.powerflow-site.json`` (the manifest: per file a
content hash of the power's inputs, its catalogue, the renderer version and the options, and the
index row). A power whose hash is unchanged and whose files exist is neither loaded nor
re-rendered. Charts are drawn in worker processes (`powerflow.pipeline.run`).
Only valid powers are published; invalid ones come back as diagnostics and their pages go.
The manifest is also the marker that `publish` owns the folder: a folder holding other files
and no manifest is refused (`SiteRefused`), and no site file is written through a link.
The rules run on every changed power first (`SiteOptions.config`); a power with rule errors
is left out and named (PF704 power-withheld) unless `with_errors` is set.
Must not: print (progress goes through the callback), take any link from YAML, or write over
a file it did not create.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Location, Severity, Text
from ..loader import LoadedFlow, discover
from ..pipeline import FileResult, duplicate_codes, run
from ..render import RENDERER_VERSION, extract
from ..render.batch import lane_diagnostic
from ..render.dot import to_dot
from ..render.escape import file_stem
from ..render.graphviz_run import check_environment, render_dot
from ..render.layout_check import LaneOrderResult
from ..rules import Config, check_loaded
from .pages import index_page, index_row, power_page

__all__ = ["MANIFEST", "SITE_VERSION", "SiteOptions", "SiteRefused", "SiteResult", "build_site",
           "guard", "slug_for"]

MANIFEST = ".powerflow-site.json"
SITE_VERSION = "2"
STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True)
class SiteOptions:
    formats: tuple[str, ...] = ("svg", "pdf", "png")
    dpi: int = 150
    jobs: int | None = None
    config: Config = field(default_factory=Config)
    """The rules run on every power before it is published."""
    with_errors: bool = False
    """Publish powers with rule errors too (they are still reported)."""
    published: str = ""
    """Publication date printed on pages written in this run (not part of `key`: a date alone
    does not make a page change)."""

    def key(self) -> str:
        return json.dumps({"formats": list(self.formats), "dpi": self.dpi,
                           "renderer": RENDERER_VERSION, "site": SITE_VERSION,
                           "with_errors": self.with_errors,
                           "config": self.config.fingerprint()})


@dataclass
class SiteResult:
    out: Path
    withheld: list[tuple[str, str]] = field(default_factory=list)
    """(code, file) of each power left out because the rules found errors in it."""
    published: int = 0
    rendered: int = 0
    kept: int = 0
    removed: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)


def slug_for(code: str) -> str:
    """A folder name for a power code that no other code shares (`render.escape.file_stem`)."""
    return file_stem(code)


def _hash(path: Path, catalog: Path | None, key: str, cache: dict[Path, bytes]) -> str:
    h = hashlib.sha256(key.encode())
    h.update(path.read_bytes() if path.is_file() else b"<missing>")
    if catalog is not None:
        if catalog not in cache:
            cache[catalog] = hashlib.sha256(catalog.read_bytes()).digest()
        h.update(cache[catalog])
    return h.hexdigest()


# Worker state: set in the parent before the pool forks (see powerflow.pipeline).
_OUT = Path(".")
_OPTIONS = SiteOptions()


def withheld_diagnostic(path: str, code: str, errors: int) -> Diagnostic:
    """PF704: a power left off the public site because the rules found errors in it."""
    return Diagnostic(
        "PF704", Severity.WARNING, Location(path, 1, 1),
        Text(f"{code} was not published: the rules found {errors} error(s) in it",
             f"{code} 未发布：规则检查发现 {errors} 个错误"),
        Text("Correct the file and publish again, or publish it as it is with "
             "--publish-with-errors.", "修改文件后重新发布，或用 --publish-with-errors 照常发布。"),
        "power-withheld")


def _publish_one(lf: LoadedFlow) -> dict[str, Any] | None:
    """Run the rules on one valid power; unless they found errors (and errors are not
    allowed), render its chart and both pages. Gives the rule findings and either its index
    row and lane check, or `withheld` (None for a file that did not load)."""
    flow = lf.flow
    if flow is None:
        return None
    findings = [d for d in check_loaded(lf, _OPTIONS.config) if d not in lf.diagnostics]
    errors = [d for d in findings if d.is_error and d.suppressed is None]
    if errors and not _OPTIONS.with_errors:
        return {"findings": findings, "withheld": flow.code}
    slug = slug_for(flow.code)
    folder = _OUT / "p" / slug
    diagram = extract(flow, None, "zh")
    result = render_dot(to_dot(diagram), folder / "chart", _OPTIONS.formats, _OPTIONS.dpi,
                        diagram.lane_ids())
    for lang, name in (("zh", "index.html"), ("en", "en.html")):
        _write(folder / name, power_page(flow, lang, _OPTIONS.formats, _OPTIONS.published))
    lanes = None
    if result.lanes is not None and not result.lanes.ok:
        lanes = {"expected": list(result.lanes.expected), "drawn": list(result.lanes.drawn),
                 "titles": {lane.id: lane.title for lane in diagram.lanes}}
    dept = flow.department
    return {"findings": findings, "row": index_row(flow, slug), "lanes": lanes,
            "department": {"zh": dept.name if dept else (flow.info.body or ""),
                           "en": (dept.name_en or dept.name) if dept else (flow.info.body or "")}}


def _load_manifest(out: Path) -> dict[str, Any]:
    try:
        data = json.loads((out / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {"powers": {}}
    if not isinstance(data, dict) or not isinstance(data.get("powers"), dict):
        return {"powers": {}}
    return data


def _complete(out: Path, entry: dict[str, Any], formats: Sequence[str]) -> bool:
    folder = os.path.join(out, "p", str(entry.get("row", {}).get("slug", "")))
    names = ["index.html", "en.html", *(f"chart.{f}" for f in formats)]
    return all(os.path.isfile(os.path.join(folder, n)) for n in names)


class SiteRefused(Exception):
    """`out` is not a folder `publish` made: it holds files and no manifest, or a file the
    site would write is a link. `en`/`zh` say which."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


def guard(out: Path) -> None:
    """Publish only into an empty or missing folder, or one holding our manifest (the marker
    that `publish` made it); never through a symbolic link."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise SiteRefused(f"{out} is not a folder publish can own (a file or a link)",
                          f"{out} 不是 publish 可使用的文件夹（是文件或链接）")
    if not out.is_dir() or (out / MANIFEST).is_file():
        return
    if any(out.iterdir()):
        raise SiteRefused(
            f"{out} holds files and no {MANIFEST}: publish writes only into an empty folder or "
            "a site it made, and never over files it did not create",
            f"{out} 中已有文件且没有 {MANIFEST}：publish 只写入空文件夹或由它生成的站点，"
            "不会覆盖不是它生成的文件")


def _write(path: Path, text: str) -> None:
    """Write one site file; a link in its place (planted in the site) is refused."""
    if path.is_symlink():
        raise SiteRefused(f"{path} is a link: not written", f"{path} 是链接，未写入")
    path.write_text(text, "utf-8")


def build_site(paths: Iterable[str], out: Path, options: SiteOptions = SiteOptions(),
               progress: Callable[[int, int], None] | None = None,
               on_start: Callable[[int], None] | None = None) -> SiteResult:
    """Publish every valid power under `paths` into `out` (see the module docstring)."""
    global _OUT, _OPTIONS
    check_environment()
    guard(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST).touch()
    result = SiteResult(out)
    manifest = _load_manifest(out)
    old: dict[str, Any] = manifest["powers"]
    key = options.key()
    cat_cache: dict[Path, bytes] = {}
    current: dict[str, str] = {}
    todo: list[str] = []
    for path, catalog in discover(paths):
        digest = _hash(path, catalog, key, cat_cache)
        current[str(path)] = digest
        entry = old.get(str(path))
        if entry and entry.get("hash") == digest and _complete(out, entry, options.formats):
            continue
        todo.append(str(path))
    if on_start:
        on_start(len(todo))
    _OUT, _OPTIONS = out, options
    ran = run(todo, _publish_one, jobs=options.jobs, progress=progress) if todo else None
    powers: dict[str, Any] = {p: old[p] for p in current if p not in todo and p in old}
    result.kept = len(powers)
    if ran is not None:
        result.diagnostics.extend(d for c in ran.catalogs.values() for d in c.diagnostics)
        for fr in ran.files:
            result.diagnostics.extend(fr.diagnostics)
            if fr.value is None:
                continue
            value = fr.value
            result.diagnostics.extend(value["findings"])
            if "withheld" in value:
                errors = sum(1 for d in value["findings"] if d.is_error and d.suppressed is None)
                result.withheld.append((value["withheld"], fr.path))
                result.diagnostics.append(withheld_diagnostic(fr.path, value["withheld"], errors))
                continue
            powers[fr.path] = {"hash": current[fr.path], "row": value["row"],
                               "department": value["department"]}
            result.rendered += 1
            lanes = value["lanes"]
            if lanes:
                result.diagnostics.append(lane_diagnostic(
                    fr.path, value["row"]["code"],
                    LaneOrderResult(tuple(lanes["expected"]), tuple(lanes["drawn"])),
                    lanes["titles"]))
    dup_input: list[FileResult[None]] = [FileResult(p, e["row"]["code"], (), None) for p, e in sorted(powers.items())]
    dups = duplicate_codes(dup_input)
    result.diagnostics.extend(dups)
    for d in dups:
        powers.pop(d.location.file, None)
    _remove_stale(out, old, powers, result)
    _write_index(out, powers, options.published)
    manifest = {"version": SITE_VERSION, "renderer": RENDERER_VERSION, "options": key,
                "powers": dict(sorted(powers.items()))}
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, separators=(",", ":")),
                                "utf-8")
    result.published = len(powers)
    return result


def _remove_stale(out: Path, old: dict[str, Any], powers: dict[str, Any],
                  result: SiteResult) -> None:
    live = {e["row"]["slug"] for e in powers.values()}
    for entry in old.values():
        slug = entry.get("row", {}).get("slug")
        if isinstance(slug, str) and slug and slug not in live and slug == slug_for(
                entry["row"].get("code", "")):
            folder = out / "p" / slug
            if folder.is_dir():
                shutil.rmtree(folder)
                result.removed += 1


def _write_index(out: Path, powers: dict[str, Any], published: str = "") -> None:
    rows = sorted((e["row"] for e in powers.values()), key=lambda r: r["code"])
    depts = [e.get("department", {}) for e in powers.values()]
    assets = out / "assets"
    assets.mkdir(exist_ok=True)
    for f in STATIC.iterdir():
        if f.suffix in (".css", ".js", ".svg"):
            shutil.copyfile(f, assets / f.name)
    for lang, target in (("zh", out / "index.html"), ("en", out / "en" / "index.html")):
        names = sorted({d.get(lang, "") for d in depts if d.get(lang)})
        department = names[0] if len(names) == 1 else ("、" if lang == "zh" else ", ").join(names)
        target.parent.mkdir(exist_ok=True)
        _write(target, index_page(rows, lang, department, published))

