"""Escaping of user text for Graphviz HTML-like labels, and link checking.

Takes strings from a power file (names, labels, risk texts …); gives text that is safe inside a
Graphviz HTML-like label (`<…>`), which then reaches an SVG and a public web page.
Must not: pass any user text through unescaped, or allow a link other than https or relative.
Rules (RENDERING.md, Escaping): drop control characters and bidi overrides, `html.escape` with
quotes, double every backslash (Graphviz expands `\\N \\G \\L …` even in HTML labels), newlines
become `<BR/>`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import urlsplit

__all__ = ["clean_text", "html_label_text", "safe_link"]

_BIDI = dict.fromkeys(
    [0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)
"""Bidi marks, embeddings, overrides and isolates: they can make a label read backwards."""


def clean_text(text: str) -> str:
    """`text` without control characters (tab becomes a space, newlines kept as `\\n`), bidi
    controls, or other format characters (except ZWJ used by emoji)."""
    out: list[str] = []
    for ch in text.replace("\r\n", "\n").replace("\r", "\n"):
        code = ord(ch)
        if ch == "\n":
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif code in _BIDI:
            continue
        else:
            cat = unicodedata.category(ch)
            if cat == "Cc" or (cat == "Cf" and code != 0x200D) or cat in ("Cs", "Co", "Cn"):
                continue
            out.append(ch)
    return "".join(out)


def html_label_text(text: str) -> str:
    """Text safe inside a Graphviz HTML-like label: cleaned, entity-escaped, backslashes
    doubled, newlines as `<BR/>`, a leading space kept as `&#160;`."""
    cleaned = clean_text(text)
    lines = []
    for line in cleaned.split("\n"):
        esc = html.escape(line, quote=True).replace("\\", "\\\\")
        esc = re.sub(r"^ ", "&#160;", esc)
        lines.append(esc)
    return "<BR/>".join(lines)


def safe_link(url: str | None) -> str | None:
    """`url` when it is an https link or a relative path without a scheme; otherwise None.

    Rejects `javascript:`, `data:`, `http:`, protocol-relative `//host` and anything with
    control characters or whitespace tricks."""
    if not url:
        return None
    if url != clean_text(url) or any(ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme == "https" and parts.netloc:
        return url
    if not parts.scheme and not parts.netloc and not url.startswith(("/", "\\")) \
            and ":" not in url.split("/")[0]:
        return url
    return None
