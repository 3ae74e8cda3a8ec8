"""Terminal safety: control characters from data never reach a terminal as control characters.

Takes text on its way to stdout or stderr; gives the same text with every control character
(C0 and C1 controls, DEL, bidirectional overrides and isolates, line and paragraph separators)
written as a visible escape such as `\\x1b` or `\\u202e`. Two uses, one rule:

- `install()` wraps `sys.stdout` and `sys.stderr` for the whole command line (`powerflow.cli`),
  keeping only newline, tab and carriage return (progress bars redraw their line with it): an
  ESC sequence in a log, a case file or a
  store cannot recolour, move the cursor, retitle the window or hide text, whatever prints it;
- `field()` escapes one data value for a line-oriented listing, newlines included, so a value
  cannot forge a line (a person named ``"ann\\n  #9 …"`` in `case show`).

Binary writes (`.buffer`) are passed through untouched.
Must not: change text that holds no control character, or decide what is printed.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable
from typing import Any, TextIO

__all__ = ["field", "install", "screen"]

_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_SCREEN = re.compile(f"[{_CONTROLS}]")
_FIELD = re.compile(f"[{_CONTROLS}\n\t\r]")


def _visible(m: re.Match[str]) -> str:
    ch = m.group(0)
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def screen(text: str) -> str:
    """`text` with control characters made visible; newline, tab and CR kept."""
    return _SCREEN.sub(_visible, text)


def field(value: Any) -> str:
    """One value for a line of output: every control character made visible, newline and CR
    too."""
    return _FIELD.sub(_visible, "" if value is None else str(value))


class _Screened(io.TextIOBase):
    """A text stream that writes `screen(text)` to the stream it wraps."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner

    def write(self, s: str) -> int:
        self.inner.write(screen(s))
        return len(s)

    def flush(self) -> None:
        self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.inner.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self.inner.errors

    @property
    def buffer(self) -> Any:
        return self.inner.buffer


def install() -> Callable[[], None]:
    """Screen `sys.stdout` and `sys.stderr` (wrapping twice changes nothing); gives the
    function that puts the original streams back."""
    saved = (sys.stdout, sys.stderr)
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, _Screened):
            setattr(sys, name, _Screened(stream))

    def restore() -> None:
        for stream in (sys.stdout, sys.stderr):
            if isinstance(stream, _Screened):
                stream.flush()
        sys.stdout, sys.stderr = saved

    return restore
