"""Time zones for working-day arithmetic, vectorised.

Takes instants (int64 nanoseconds since the epoch, UTC) and an IANA zone name; gives local
calendar dates (int days since 1970-01-01) in that zone, honouring daylight-saving changes. The
zone's UTC offset is looked up at both ends of each 24-hour block the log touches, and hour by
hour only in blocks with a change (offsets change on whole hours in every zone the tz database
has had since 1970), so a million events cost a few thousand `zoneinfo` look-ups.

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


def _offset(zone: zoneinfo.ZoneInfo, hour: int) -> int:
    off = (_EPOCH + dt.timedelta(hours=hour)).astimezone(zone).utcoffset() or dt.timedelta(0)
    return int(off.total_seconds()) * 1_000_000_000


def _hour_offsets(hours: npt.NDArray[np.int64], zone: zoneinfo.ZoneInfo
                  ) -> npt.NDArray[np.int64]:
    """The zone's UTC offset (ns) at each hour. One look-up per 24-hour block at each end;
    blocks whose two ends differ (a daylight-saving change) are looked up hour by hour."""
    h0 = int(hours.min())
    span = int(hours.max()) - h0 + 1
    present = np.zeros(span, dtype=np.bool_)
    present[hours - h0] = True
    table = np.zeros(span, dtype=np.int64)
    blocks = np.flatnonzero(np.add.reduceat(present, np.arange(0, span, 24)))
    for b in blocks.tolist():
        lo, hi = b * 24, min(span, b * 24 + 24)
        a, z = _offset(zone, h0 + lo), _offset(zone, h0 + hi - 1)
        if a == z:
            table[lo:hi] = a
        else:
            for h in range(lo, hi):
                table[h] = _offset(zone, h0 + h)
    result: npt.NDArray[np.int64] = table[hours - h0]
    return result


def local_days(utc_ns: npt.NDArray[np.int64], zone: str) -> npt.NDArray[np.int64]:
    """Local calendar date of each instant in `zone`, as days since 1970-01-01."""
    if utc_ns.size == 0:
        return np.zeros(0, dtype=np.int64)
    z = zoneinfo.ZoneInfo(zone)
    hours = np.floor_divide(utc_ns, _HOUR)
    local = utc_ns + _hour_offsets(hours, z)
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
