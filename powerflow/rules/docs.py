"""Rule documentation pages, generated from the registry and `pages.yaml`.

Takes the registered rules and the package data file `pages.yaml` (why each rule matters, in
English and Chinese, and its bad/good examples as exact text replacements on one small base
flow, or on another base an entry names with `base:`); gives Markdown pages (`render_page`, `render_index`) and the examples themselves
(`example`), which the tests load and check. `python -m powerflow.rules.docs docs/rules` writes
`docs/rules/PFnnn.md` and `docs/rules/index.md`.

Must not: execute anything from the data (it is read with the strict reader
`powerflow.source.read_yaml`, like every YAML file the project reads).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .base import FAMILIES, RULES, Rule

__all__ = ["EXPECT", "Page", "example", "expected_lines", "page", "render_index",
           "render_page", "write_docs"]

EXPECT = re.compile(r"#\s*expect:\s*(PF\d{3})")
"""Marker at the end of the line where a bad example reports its rule."""


@dataclass(frozen=True)
class Page:
    code: str
    why_en: str
    why_zh: str
    bad: str
    good: str
    also: tuple[str, ...]


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    from ..source import Limits, read_yaml

    raw = resources.files(__package__).joinpath("pages.yaml").read_bytes()
    res = read_yaml(raw, "pages.yaml", Limits(max_bytes=max(len(raw), Limits().max_bytes)))
    data = res.data
    assert isinstance(data, dict), [str(d.message.en) for d in res.diagnostics]
    return data


def _patch(base: str, edits: list[list[str]], where: str) -> str:
    text = base
    for old, new in edits:
        count = text.count(old)
        if count != 1:
            raise ValueError(f"{where}: {old!r} occurs {count} times in the example")
        text = text.replace(old, new)
    return text


def page(code: str) -> Page:
    """The documentation data of rule `code` (KeyError when it has none)."""
    data = _data()
    entry = data[code]
    base = data[entry.get("base", "_base")]
    return Page(code, " ".join(entry["why"]["en"].split()), entry["why"]["zh"].strip(),
                _patch(base, entry.get("bad", []), f"{code} bad"),
                _patch(base, entry.get("good", []), f"{code} good"),
                tuple(entry.get("also", ())))


def documented() -> list[str]:
    return sorted(k for k in _data() if not k.startswith("_"))


def example(code: str, kind: str) -> str:
    """The bad or good example flow of rule `code`, as YAML text."""
    p = page(code)
    return p.bad if kind == "bad" else p.good


def expected_lines(text: str) -> dict[str, list[int]]:
    """Lines marked `# expect: PFnnn` in an example, by code."""
    out: dict[str, list[int]] = {}
    for n, line in enumerate(text.splitlines(), 1):
        for m in EXPECT.finditer(line):
            out.setdefault(m.group(1), []).append(n)
    return out


def reported(code: str) -> list[str]:
    """What `powerflow check` (strict profile) says about the bad example of `code`."""
    from ..loader import load_flow_text
    from .config import Config
    from .engine import check_loaded

    loaded = load_flow_text(page(code).bad.encode(), f"{code}.yaml")
    return [f"`{code}.yaml:{d.location.line}:{d.location.column}` {d.message.en}<br>{d.message.zh}"
            for d in check_loaded(loaded, Config(profile="strict")) if d.code == code]


def _waiver(code: str) -> str:
    if code == "PF100":
        return ("An unused suppression cannot itself be suppressed: delete it, or ignore PF100 in "
                "the configuration.\n未使用的豁免本身不能再被豁免：请删除它，或在配置中忽略 PF100。\n")
    return f"""To waive it for one step, risk, event or actor, with a reason shown in every report
（豁免须写明理由，理由会出现在每份报告中）:

```yaml
suppress:
  - {{code: {code}, at: <id>, reason: <why this is acceptable here>}}
```
"""


def _profiles(r: Rule) -> str:
    return "recommended, strict" if r.recommended else "strict"


def render_page(code: str) -> str:
    """The Markdown page of one rule."""
    r = RULES[code]
    p = page(code)
    also = ""
    if p.also:
        also = (f"\n\nThis example also reports {', '.join(p.also)} at the root cause. "
                f"本例同时在根源处报告 {'、'.join(p.also)}。")
    return f"""# {r.code} `{r.name}`

{r.title.en[:1].upper() + r.title.en[1:]} — {r.title.zh}

| | |
|---|---|
| Family 类别 | {r.family.en} {r.family.zh} |
| Default severity 默认级别 | {r.severity.value} |
| Profiles 配置 | {_profiles(r)} |

## Why it matters

{p.why_en}

## 为什么重要

{p.why_zh}

## How to fix 如何修正

- {r.hint.en}
- {r.hint.zh}

## Bad example 反例

The line marked `# expect: {r.code}` is where `powerflow check` reports it.
标有 `# expect: {r.code}` 的行就是 `powerflow check` 报告的位置。{also}

```yaml
{p.bad.rstrip()}
```

`powerflow check` reports:

{chr(10).join("- " + line for line in reported(code))}

## Good example 正例

```yaml
{p.good.rstrip()}
```

{_waiver(r.code)}"""


def render_index() -> str:
    """The Markdown index of every rule, by family."""
    lines = ["# Rules 规则", "",
             "`powerflow check` runs these rules; `powerflow rule PFnnn` prints a page.",
             "Codes are permanent. PF0xx are file-format problems reported by the loader and PF5xx",
             "case-audit deviations. Profiles: `recommended` (default, lenient) and `strict`.", ""]
    families: dict[str, list[Rule]] = {}
    for code, r in sorted(RULES.items()):
        families.setdefault(code if code in FAMILIES else code[:3], []).append(r)
    for key, rules in families.items():
        fam = FAMILIES[key]
        lines += [f"## {key}xx {fam.en} {fam.zh}" if len(key) == 3 else f"## {key} {fam.en} {fam.zh}",
                  "", "| code | name | severity | profiles | problem | 问题 |",
                  "|---|---|---|---|---|---|"]
        for r in rules:
            lines.append(f"| [{r.code}]({r.code}.md) | `{r.name}` | {r.severity.value} | "
                         f"{_profiles(r)} | {r.title.en} | {r.title.zh} |")
        lines.append("")
    return "\n".join(lines)


def write_docs(folder: str | Path) -> list[Path]:
    """Write every rule page and the index into `folder`; return the files written."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for code in sorted(RULES):
        path = out / f"{code}.md"
        path.write_text(render_page(code), encoding="utf-8")
        written.append(path)
    index = out / "index.md"
    index.write_text(render_index(), encoding="utf-8")
    return [*written, index]


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    for f in write_docs(sys.argv[1] if len(sys.argv) > 1 else "docs/rules"):
        print(f)
