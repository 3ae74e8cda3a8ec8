"""Time zones for working-day arithmetic, vectorised.

Takes instants (int64 nanoseconds since the epoch, UTC) and an IANA zone name; gives local
calendar dates (int days since 1970-01-01) in that zone, honouring daylight-saving changes. The
zone's UTC offset is sampled weekly over the log's span and each change is found by bisection
(offsets change on whole hours, at most once a week, in every zone the tz database has had since
1970), so a million events cost a few hundred `zoneinfo` look-ups.

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


_STRIDE = 24 * 7


def _hour_offsets(hours: npt.NDArray[np.int64], zone: zoneinfo.ZoneInfo
                  ) -> npt.NDArray[np.int64]:
    """The zone's UTC offset (ns) at each hour. The offset is sampled once a week over the
    log's span, and where two samples differ the change is found by bisection, so a log over
    several years costs a few hundred look-ups. Assumes at most one offset change within any
    seven days, which holds for every zone in the tz database."""
    h0 = int(hours.min())
    span = int(hours.max()) - h0 + 1
    marks = [*range(0, span, _STRIDE), span - 1]
    offs = [_offset(zone, h0 + m) for m in marks]
    changes: list[tuple[int, int]] = []  # (first hour with the new offset, new offset)
    for k in range(1, len(marks)):
        if offs[k] != offs[k - 1]:
            lo, hi = marks[k - 1], marks[k]  # offset(lo) == offs[k-1], offset(hi) == offs[k]
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _offset(zone, h0 + mid) == offs[k - 1]:
                    lo = mid
                else:
                    hi = mid
            changes.append((hi, offs[k]))
    rel = hours - h0
    result = np.full(hours.shape[0], offs[0], dtype=np.int64)
    for first, off in changes:
        result[rel >= first] = off
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
