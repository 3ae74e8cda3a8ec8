"""`new`: one new power file from a few facts about the power and its category's template.

Takes the power's code, name, category and optional office, limits, legal basis and hotline;
gives the text of a power file (the same templates as `import-xlsx`, the catalogue's actors when
one is found) and writes it where asked, refusing to overwrite.

Must not: prompt (the CLI asks the questions) or write a file that does not load.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .. import model as m
from ..loader import find_catalog, load_catalog, load_flow_text
from .importer import file_name, render_power_file
from .normalise import parse_basis, parse_limit

__all__ = ["ScaffoldError", "power_info", "scaffold"]


class ScaffoldError(Exception):
    """The facts given do not make a valid power (`en` / `zh` say why)."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


def power_info(code: str, name: str, category: str, office: str | None = None,
               body: str | None = None, statutory: str | None = None,
               promised: str | None = None, legal_basis: str | None = None,
               hotline: str | None = None) -> m.PowerInfo:
    """Build and validate the power row from text as a user types it."""
    data: dict[str, Any] = {"code": code.strip(), "name": name.strip(), "category": category}
    if office:
        data["office"] = office
    if body:
        data["body"] = body
    limits: dict[str, Any] = {}
    for key, raw in (("statutory", statutory), ("promised", promised)):
        if raw:
            parsed = parse_limit(raw)
            if parsed.problem:
                raise ScaffoldError(f"--{key}: {parsed.problem}", f"--{key}：{parsed.problem_zh}")
            limits[key] = parsed.value
    data["limits"] = limits
    if legal_basis:
        entries, _ = parse_basis(legal_basis)
        data["legal_basis"] = [{"rank": e.rank, "instrument": e.instrument,
                                **({"article": e.article} if e.article else {})} for e in entries]
    if hotline:
        data["supervision"] = {"hotline": hotline}
    try:
        return m.PowerInfo.model_validate(data)
    except ValidationError as exc:
        msgs = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ScaffoldError(msgs, msgs) from exc


def scaffold(info: m.PowerInfo, out: str | Path, template: str | None = None,
             force: bool = False) -> Path:
    """Write the new power file: `out` is a folder (the file is named after the code) or a
    .yaml path. Returns the path written."""
    target = Path(out)
    if target.suffix not in (".yaml", ".yml"):
        target = target / file_name(info.code)
    if target.exists() and not force:
        raise ScaffoldError(f"{target} exists; use --force to overwrite it",
                            f"{target} 已存在；如需覆盖请加 --force")
    cat_path = find_catalog(target)  # the one `validate` will use for this file
    catalog = load_catalog(cat_path).catalog if cat_path else None
    text = render_power_file(info, catalog, template, "由 powerflow new 生成")
    loaded = load_flow_text(text.encode("utf-8"), str(target), catalog)
    if not loaded.ok:
        first = next(d for d in loaded.diagnostics if d.is_error)
        raise ScaffoldError(f"the new file does not load: {first.message.en}",
                            f"生成的文件无法通过校验：{first.message.zh}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target
