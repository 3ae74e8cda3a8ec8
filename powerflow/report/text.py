"""Plain-text renderings of diagnostics: one line each (concise) or with a code frame (full)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from ..diagnostics import Diagnostic, Severity, sort_key

__all__ = ["code_frame", "render_concise", "render_full", "summary_line"]

_SEV_ZH = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}


def _sev(d: Diagnostic, lang: str) -> str:
    if d.suppressed is not None:
        return "已豁免" if lang == "zh" else "suppressed"
    return _SEV_ZH[d.severity] if lang == "zh" else d.severity.value


@lru_cache(maxsize=64)
def _lines(file: str) -> tuple[str, ...]:
    try:
        raw = Path(file).read_bytes()
    except OSError:
        return ()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return tuple(raw.decode(enc).replace("\r\n", "\n").split("\n"))
        except UnicodeDecodeError:
            continue
    return ()


def code_frame(file: str, line: int, column: int, context: int = 1) -> str:
    """The lines around `line` with a caret under `column`; empty when the file is unreadable."""
    lines = _lines(file)
    if not line or line > len(lines):
        return ""
    lo, hi = max(1, line - context), min(len(lines), line + context)
    width = len(str(hi))
    out = []
    for n in range(lo, hi + 1):
        marker = ">" if n == line else " "
        out.append(f" {marker} {n:>{width}} | {lines[n - 1]}")
        if n == line:
            prefix = lines[n - 1][: max(0, column - 1)]
            pad = sum(2 if ord(c) > 0x2E7F else 1 for c in prefix)
            out.append(f"   {' ' * width} | {' ' * pad}^")
    return "\n".join(out)


def render_concise(diags: Sequence[Diagnostic], lang: str = "en") -> str:
    """`file:line:col: CODE severity message [name]`, one per line."""
    out = []
    for d in sorted(diags, key=sort_key):
        line = f"{d.location}: {d.code} {_sev(d, lang)}: {d.message.get(lang)}"
        if d.suppressed is not None:
            line += f" ({'豁免理由' if lang == 'zh' else 'reason'}: {d.suppressed})"
        out.append(line)
    return "\n".join(out)


def render_full(diags: Sequence[Diagnostic], lang: str = "en") -> str:
    """Each diagnostic with its rule name, a code frame and the fix hint."""
    blocks = []
    for d in sorted(diags, key=sort_key):
        head = f"{d.code} [{d.name}] {_sev(d, lang)}: {d.message.get(lang)}" if d.name else (
            f"{d.code} {_sev(d, lang)}: {d.message.get(lang)}")
        parts = [head, f"  --> {d.location}"]
        frame = code_frame(d.location.file, d.location.line, d.location.column)
        if frame:
            parts.append(frame)
        for rel in d.related:
            parts.append(f"  {'另见' if lang == 'zh' else 'see also'}: {rel}")
        if d.hint is not None:
            parts.append(f"  = {'建议' if lang == 'zh' else 'help'}: {d.hint.get(lang)}")
        if d.suppressed is not None:
            parts.append(f"  = {'豁免理由' if lang == 'zh' else 'suppressed because'}: {d.suppressed}")
        blocks.append("\n".join(parts))
    return "\n\n".join(blocks)


def summary_line(diags: Sequence[Diagnostic], files: int, lang: str = "en") -> str:
    errors = sum(1 for d in diags if d.suppressed is None and d.severity is Severity.ERROR)
    warnings = sum(1 for d in diags if d.suppressed is None and d.severity is Severity.WARNING)
    infos = sum(1 for d in diags if d.suppressed is None and d.severity is Severity.INFO)
    suppressed = sum(1 for d in diags if d.suppressed is not None)
    if lang == "zh":
        return (f"检查了 {files} 个文件：{errors} 个错误，{warnings} 个警告，{infos} 个提示，"
                f"{suppressed} 个已豁免")
    return (f"{files} file{'s' if files != 1 else ''} checked: {errors} error(s), "
            f"{warnings} warning(s), {infos} note(s), {suppressed} suppressed")
