"""JSON rendering of diagnostics: a stable, documented shape for tools and CI."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..diagnostics import Diagnostic, sort_key

__all__ = ["diagnostic_to_dict", "render_json"]


def diagnostic_to_dict(d: Diagnostic, lang: str = "en") -> dict[str, Any]:
    loc = d.location
    return {
        "code": d.code,
        "name": d.name,
        "severity": d.severity.value,
        "message": d.message.get(lang),
        "message_en": d.message.en,
        "message_zh": d.message.zh,
        "hint": d.hint.get(lang) if d.hint else None,
        "file": loc.file,
        "line": loc.line,
        "column": loc.column,
        "related": [str(r) for r in d.related],
        "suppressed": d.suppressed,
        "data": d.data,
    }


def render_json(diags: Sequence[Diagnostic], files: int, lang: str = "en") -> str:
    body = {
        "version": 1,
        "files": files,
        "diagnostics": [diagnostic_to_dict(d, lang) for d in sorted(diags, key=sort_key)],
    }
    return json.dumps(body, ensure_ascii=False, indent=2, default=str)
