"""Run the selected rules on one loaded flow and apply its inline suppressions.

Takes a `LoadedFlow` and a `Config`; gives the file's diagnostics: the loader's (PF0xx) and the
rules' findings, each at its `file:line:column`, with inline suppressions applied (a suppressed
finding keeps its written reason and no longer counts) and PF100 for every suppression that
matches nothing.

Must not: print, read files, or change the exit code (the caller counts unsuppressed findings).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic, Severity, Text, sort_key
from ..loader import LoadedFlow
from .base import RULES, Context, Finding, rule
from .config import Config

__all__ = ["check_loaded"]


@rule("PF100", "unused-suppression", Severity.WARNING,
      Text("a suppression that matches no finding", "未匹配任何问题的豁免"),
      Text("Delete the suppression (the problem it waived is gone), or correct its code or "
           "`at:` id.", "删除该豁免（它豁免的问题已不存在），或更正其规则编码或 `at:` 标识。"))
def _unused_suppression(ctx: Context) -> Iterator[Finding]:
    """Reported by `check_loaded` itself, which knows which suppressions were used."""
    return iter(())


def check_loaded(loaded: LoadedFlow, config: Config) -> list[Diagnostic]:
    """Every diagnostic of one file: load problems, rule findings, suppressions applied."""
    diags = [d for d in loaded.diagnostics if d.is_error or not config.ignored(d.code)]
    if loaded.flow is None:
        return diags
    ctx = Context(loaded)
    found: list[tuple[Diagnostic, str | None]] = []
    for r in config.rules():
        for f in r.check(ctx):
            found.append((Diagnostic(r.code, config.severity_of(r), f.location, f.message,
                                     f.hint or r.hint, r.name, data=f.data), f.at))
    found += [(d, None) for d in diags]
    sups = ctx.flow.suppress
    used = [False] * len(sups)
    out: list[Diagnostic] = []
    for d, at in found:
        for i, s in enumerate(sups):
            if s.code == d.code and (s.at is None or s.at == at):
                used[i] = True
                d = d.with_suppression(s.reason)
                break
        out.append(d)
    unused = RULES["PF100"]
    if config.enabled(unused.code):
        for i, s in enumerate(sups):
            if used[i] or (s.code in RULES and not config.enabled(s.code)):
                continue
            target = f" at {s.at!r}" if s.at else ""
            target_zh = f"（{s.at}）" if s.at else ""
            if s.code[:3] in ("PF1", "PF2", "PF3", "PF4") and s.code not in RULES:
                en = f"the suppression of {s.code}{target} names no existing rule"
                zh = f"豁免 {s.code}{target_zh} 指向不存在的规则"
            else:
                en = f"the suppression of {s.code}{target} matches no finding"
                zh = f"豁免 {s.code}{target_zh} 未匹配任何问题"
                ats = sorted({a or "" for d, a in found if d.code == s.code})
                if ats:
                    where = ", ".join(repr(a) if a else "the whole file (no `at:`)" for a in ats)
                    where_zh = "、".join(a if a else "整个文件（不写 `at:`）" for a in ats)
                    en += f"; {s.code} is reported at {where}"
                    zh += f"；{s.code} 报告于 {where_zh}"
            out.append(Diagnostic(unused.code, config.severity_of(unused),
                                  loaded.locate("suppress", i), Text(en, zh), unused.hint,
                                  unused.name))
    out.sort(key=sort_key)
    return out
