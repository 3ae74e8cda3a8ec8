"""Time zones for working-day arithmetic, vectorised.

Takes instants (int64 nanoseconds since the epoch, UTC) and an IANA zone name; gives local
calendar dates (int days since 1970-01-01) in that zone, honouring daylight-saving changes. The
zone's UTC offset is looked up once per distinct hour of the log (offsets change only on whole
hours in every zone the tz database has had since 1970), so a million events cost a few
thousand `zoneinfo` look-ups.

Must not: read the system clock or the machine's local zone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["local_days", "local_to_utc"]

_HOUR = 3_600_000_000_000
_DAY = 24 * _HOUR
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _offset_ns(hours: npt.NDArray[np.int64], zone: zoneinfo.ZoneInfo) -> npt.NDArray[np.int64]:
    out = np.empty(hours.shape[0], dtype=np.int64)
    for i, h in enumerate(hours.tolist()):
        t = _EPOCH + dt.timedelta(hours=h)
        off = t.astimezone(zone).utcoffset() or dt.timedelta(0)
        out[i] = int(off.total_seconds()) * 1_000_000_000
    return out


def local_days(utc_ns: npt.NDArray[np.int64], zone: str) -> npt.NDArray[np.int64]:
    """Local calendar date of each instant in `zone`, as days since 1970-01-01."""
    if utc_ns.size == 0:
        return np.zeros(0, dtype=np.int64)
    z = zoneinfo.ZoneInfo(zone)
    hours = np.floor_divide(utc_ns, _HOUR)
    uniq, inv = np.unique(hours, return_inverse=True)
    local = utc_ns + _offset_ns(uniq, z)[inv]
    result: npt.NDArray[np.int64] = np.floor_divide(local, _DAY)
    return result


def local_to_utc(local_ns: npt.NDArray[Any], zone: str) -> npt.NDArray[np.int64]:
    """Naive local times in `zone` to UTC instants. In the hour skipped or repeated at a
    daylight-saving change, the offset before the change is used (`fold=0`)."""
    z = zoneinfo.ZoneInfo(zone)
    loc = local_ns.astype(np.int64)
    hours = np.floor_divide(loc, _HOUR)
    uniq, inv = np.unique(hours, return_inverse=True)
    offs = np.empty(uniq.shape[0], dtype=np.int64)
    for i, h in enumerate(uniq.tolist()):
        naive = dt.datetime(1970, 1, 1) + dt.timedelta(hours=h)
        off = naive.replace(tzinfo=z).utcoffset() or dt.timedelta(0)
        offs[i] = int(off.total_seconds()) * 1_000_000_000
    result: npt.NDArray[np.int64] = loc - offs[inv]
    return result
