"""What a running service is given: its data folder, catalogue, clock and case store.

Takes the options of `powerflow serve` (or a test's); gives `ServiceConfig`, which opens the
case store once per worker thread (an SQLite connection belongs to one thread; WAL lets them
read while one writes) and tells the time through the injected `now`. The store is chosen by
`store_factory`: today `SqliteStore` in `<data>/cases.db`; a server database is one more
factory returning a `CaseStore`, nothing else changes.

Must not: read the system clock itself (the CLI passes `now`), or reach a case any other way
than through `CaseStore`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.store.base import CaseStore
from ..engine.store.sqlite import SqliteStore

__all__ = ["ServiceConfig", "sqlite_factory"]

StoreFactory = Callable[[Path, bytes | None], CaseStore]


def sqlite_factory(data: Path, key: bytes | None) -> CaseStore:
    """The embedded store: `<data>/cases.db`, created on first use, in WAL mode."""
    path = data / "cases.db"
    return SqliteStore(path, key, create=not path.exists())


@dataclass
class ServiceConfig:
    """Everything the application needs; `now` is the clock (injected, so tests are exact)."""

    data: Path
    flows: Path
    now: Callable[[], dt.datetime]
    key: bytes | None = None
    yellow_at: float | None = None
    page_size: int = 50
    secure_cookies: bool = False
    store_factory: StoreFactory = sqlite_factory
    _local: threading.local = field(default_factory=threading.local, repr=False)

    def store(self) -> CaseStore:
        """This thread's store (opened on first use)."""
        st: CaseStore | None = getattr(self._local, "store", None)
        if st is None:
            st = self._local.store = self.store_factory(self.data, self.key)
        return st
