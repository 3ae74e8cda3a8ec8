"""Escaping of user text for Graphviz HTML-like labels, and link checking.

Takes strings from a power file (names, labels, risk texts …); gives text that is safe inside a
Graphviz HTML-like label (`<…>`), which then reaches an SVG and a public web page.
Must not: pass any user text through unescaped, or allow a link other than https or relative.
Rules (RENDERING.md, Escaping): drop control characters and bidi overrides, `html.escape` with
quotes, double every backslash (Graphviz expands `\\N \\G \\L …` even in HTML labels), newlines
become `<BR/>`.
"""

from __future__ import annotations

import hashlib
import html
import re
from urllib.parse import urlsplit

__all__ = ["clean_text", "file_stem", "html_label_text", "safe_link"]

_DROP = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # control characters (Cc) but tab and newline
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\ufff9-\ufffb"  # format characters (Cf): bidi marks, embeddings, overrides, isolates …
    "\ud800-\udfff\ue000-\uf8ff"  # surrogates (Cs) and private use (Co)
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "\U000f0000-\U0010ffff]"
)
"""What `clean_text` removes: control, format (but the emoji joiner U+200D), surrogate and
private-use characters. Bidi overrides and isolates can make a label read backwards."""


def clean_text(text: str) -> str:
    """`text` without control characters (tab becomes a space, newlines kept as `\\n`), bidi
    controls, other format characters (except ZWJ used by emoji), surrogates or private-use
    characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _DROP.sub("", text)


def file_stem(code: str) -> str:
    """A file or folder name for a power code that no other code shares: the code itself when
    it is plain ASCII letters, digits, `-` and `_`, else a cleaned form with a short hash of the
    code (so `.X`, `X` and `..X` give three names, and no name climbs out of its folder)."""
    clean = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in code)
    if clean == code and clean:
        return clean
    digest = hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{clean.strip('_') or 'power'}-{digest}"


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
