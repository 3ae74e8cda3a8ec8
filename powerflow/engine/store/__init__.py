"""Live cases in an embedded store: `base` (the `CaseStore` interface, records and the trail's
hash definition) and `sqlite` (the SQLite implementation). A server database would be one more
module implementing `CaseStore`."""

from __future__ import annotations

__all__: list[str] = []
