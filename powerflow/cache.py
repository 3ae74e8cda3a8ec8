"""A content-hash cache of per-file check results, stored as JSON under `.powerflow-cache/`.

Takes the bytes of a power file and of its catalogue plus a salt (powerflow's code and the
rule configuration's fingerprint); gives back the diagnostics and power code stored for exactly
that content, or None. One JSON index per salt holds every entry, so a warm run reads one file.
Entries are plain JSON (never pickle); an unreadable, corrupt or mismatching index or entry is
treated as a miss and overwritten, never trusted.

Must not: decide what is a finding, or store anything that depends on where the file lives
(locations in the file itself are stored without the path and get it back on reading).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, Location, Severity, Text

__all__ = ["DEFAULT_DIR", "CacheEntry", "ResultCache", "diagnostic_from_dict", "diagnostic_to_dict"]

DEFAULT_DIR = ".powerflow-cache"
FORMAT = 1
_SELF = "\x00self"
"""Stands for the checked file's own path inside a stored entry."""


@dataclass(frozen=True)
class CacheEntry:
    code: str | None
    diagnostics: tuple[Diagnostic, ...]


def _loc_to(loc: Location, own: str) -> list[Any]:
    return [_SELF if loc.file == own else loc.file, loc.line, loc.column, loc.end_line,
            loc.end_column]


def _loc_from(raw: Any, own: str) -> Location:
    file, line, column, end_line, end_column = raw
    if not isinstance(file, str) or not all(isinstance(x, int) for x in raw[1:]):
        raise ValueError("bad location")
    return Location(own if file == _SELF else file, line, column, end_line, end_column)


def _text(raw: Any) -> Text | None:
    if raw is None:
        return None
    en, zh = raw
    if not isinstance(en, str) or not isinstance(zh, str):
        raise ValueError("bad text")
    return Text(en, zh)


def diagnostic_to_dict(d: Diagnostic, own: str) -> dict[str, Any]:
    return {
        "code": d.code, "severity": d.severity.value, "location": _loc_to(d.location, own),
        "message": [d.message.en, d.message.zh],
        "hint": [d.hint.en, d.hint.zh] if d.hint else None, "name": d.name,
        "related": [_loc_to(r, own) for r in d.related], "suppressed": d.suppressed,
        "data": d.data,
    }


def diagnostic_from_dict(raw: dict[str, Any], own: str) -> Diagnostic:
    """Rebuild a diagnostic; raises ValueError/TypeError/KeyError on anything malformed."""
    message = _text(raw["message"])
    if message is None or not isinstance(raw["code"], str) or not isinstance(raw["name"], str):
        raise ValueError("bad diagnostic")
    suppressed = raw["suppressed"]
    if suppressed is not None and not isinstance(suppressed, str):
        raise ValueError("bad suppression")
    data = raw.get("data") or {}
    if not isinstance(data, dict):
        raise ValueError("bad data")
    return Diagnostic(raw["code"], Severity(raw["severity"]), _loc_from(raw["location"], own),
                      message, _text(raw["hint"]), raw["name"],
                      tuple(_loc_from(r, own) for r in raw["related"]), suppressed, data)


class ResultCache:
    """Entries for one salt in one JSON index file under `root` (loaded once, written once by
    `save`). Up to `KEEP` index files (other configurations or versions) are kept."""

    KEEP = 8
    MAX_ENTRIES = 200_000

    def __init__(self, root: str | os.PathLike[str], salt: str) -> None:
        self.root = Path(root)
        self.salt = salt
        digest = hashlib.blake2b(salt.encode(), digest_size=12).hexdigest()
        self.file = self.root / f"v{FORMAT}" / f"{digest}.json"
        self.hits = 0
        self.misses = 0
        self._old: dict[str, Any] | None = None
        self._new: dict[str, Any] = {}
        self._manifests: dict[str, Any] = {}
        self._dirty = False
        self._prefix: Any = None
        self._catalogs: dict[bytes, bytes] = {}

    def key(self, content: bytes, catalog: bytes | None) -> str:
        """The content hash of a file with its catalogue (and this cache's salt)."""
        if self._prefix is None:
            self._prefix = hashlib.blake2b(self.salt.encode(), digest_size=20)
        cat = self._catalogs.get(catalog or b"")
        if cat is None:
            cat = self._catalogs[catalog or b""] = hashlib.blake2b(catalog or b"").digest()
        h = self._prefix.copy()
        h.update(cat)
        h.update(content)
        digest: str = h.hexdigest()
        return digest

    def _entries(self) -> dict[str, Any]:
        if self._old is None:
            try:
                raw = json.loads(self.file.read_bytes())
                ok = isinstance(raw, dict) and raw.get("salt") == self.salt
                entries = raw.get("entries") if ok else None
                self._old = entries if isinstance(entries, dict) else {}
                manifests = raw.get("manifests") if ok else None
                self._manifests = manifests if isinstance(manifests, dict) else {}
            except (OSError, ValueError):
                self._old = {}
        return self._old

    def manifest(self, key: str) -> Any:
        """What discovery found for the paths `key` last time, as stored (check it!)."""
        self._entries()
        return self._manifests.get(key)

    def set_manifest(self, key: str, value: Any) -> None:
        self._entries()
        if self._manifests.get(key) != value:
            self._manifests[key] = value
            self._dirty = True

    def get(self, key: str, own: str) -> CacheEntry | None:
        """The entry for `key`, with locations in the file given path `own`; None on a miss
        (absent, or malformed in any way)."""
        raw = self._entries().get(key)
        try:
            if not isinstance(raw, dict):
                raise ValueError("no entry")
            code = raw["code"]
            if code is not None and not isinstance(code, str):
                raise ValueError("bad code")
            entry = CacheEntry(code, tuple(diagnostic_from_dict(d, own)
                                           for d in raw["diagnostics"]))
        except (ValueError, TypeError, KeyError):
            self.misses += 1
            return None
        self.hits += 1
        self._new[key] = raw
        return entry

    def put(self, key: str, own: str, code: str | None, diags: Sequence[Diagnostic]) -> None:
        self._new[key] = {"code": code, "diagnostics": [diagnostic_to_dict(d, own) for d in diags]}
        self._dirty = True

    def save(self) -> None:
        """Write the index atomically (entries of this run plus earlier ones); a cache that
        cannot be written is silently skipped. Nothing is written when every file was a hit."""
        if not self._dirty:
            return
        old = self._entries()
        entries = {**old, **self._new} if len(old) + len(self._new) <= self.MAX_ENTRIES \
            else dict(self._new)
        tmp = None
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.file.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"salt": self.salt, "entries": entries,
                           "manifests": dict(list(self._manifests.items())[-16:])}, fh,
                          ensure_ascii=False, default=str, separators=(",", ":"))
            os.replace(tmp, self.file)
            tmp = None
            others = sorted(self.file.parent.glob("*.json"), key=lambda f: f.stat().st_mtime,
                            reverse=True)
            for stale in others[self.KEEP:]:
                stale.unlink()
            gitignore = self.root / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n", encoding="utf-8")
        except OSError:
            pass
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
