"""mkdocs hook: add the generated rule pages (docs/rules/PFnnn.md) and the developer notes
(docs/*.md) to the navigation, whichever exist when the site is built."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def on_config(config: Any) -> Any:
    docs = Path(config["docs_dir"])
    nav = list(config["nav"] or [])
    rules = sorted((docs / "rules").glob("*.md")) if (docs / "rules").is_dir() else []
    if rules:
        index = [p for p in rules if p.stem.lower() in ("index", "readme")]
        pages = [p for p in rules if p not in index]
        nav.append({"规则 Rules": [{"概览 Overview": f"rules/{p.name}"} for p in index]
                    + [{p.stem: f"rules/{p.name}"} for p in pages]})
    notes = sorted(p for p in docs.glob("*.md") if p.name != "index.md")
    if notes:
        nav.append({"开发者 Developers": [{p.stem: p.name} for p in notes]})
    config["nav"] = nav
    return config
