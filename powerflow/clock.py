"""Working days on the Chinese mainland calendar.

Takes dates and datetimes; gives working-day counts and deadlines, skipping public holidays and
counting adjusted working weekends (调休), from the maintained `chinesecalendar` package. A date
outside the package's coverage raises `CalendarRangeError`, never a silent guess.

Must not: read the system clock (callers pass time in), or know about flows and cases.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import numpy.typing as npt

__all__ = [
    "Calendar",
    "CalendarRangeError",
    "add_working_days",
    "coverage",
    "default_calendar",
    "is_workday",
    "status",
    "working_days_between",
    "working_days_used",
]


class CalendarRangeError(ValueError):
    """A date the working-day calendar has no data for."""

    def __init__(self, day: dt.date, first: int, last: int) -> None:
        self.day = day
        self.first = first
        self.last = last
        super().__init__(
            f"the working-day calendar covers {first}-{last}; {day.isoformat()} is outside it. "
            "Upgrade the calendar package (pip install -U chinesecalendar) once the State "
            "Council has published that year's holiday arrangement."
        )


@lru_cache(maxsize=1)
def coverage() -> tuple[int, int]:
    """First and last year the installed calendar covers."""
    import chinese_calendar as cc

    years = sorted({d.year for d in cc.holidays} | {d.year for d in cc.workdays})
    return years[0], years[-1]


@lru_cache(maxsize=16384)
def is_workday(day: dt.date) -> bool:
    """True on Monday-Friday that are not public holidays, and on adjusted working weekends."""
    first, last = coverage()
    if not first <= day.year <= last:
        raise CalendarRangeError(day, first, last)
    import chinese_calendar as cc

    return bool(cc.is_workday(day))


def _date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def working_days_between(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start).

    This is how limits are counted: a step received on Friday and done on Monday used one
    working day; done the same day, zero.
    """
    a, b = _date(start), _date(end)
    if b <= a:
        return 0
    return _count(a, b)


@lru_cache(maxsize=65536)
def _count(a: dt.date, b: dt.date) -> int:
    n = 0
    day = a + dt.timedelta(days=1)
    while day <= b:
        if is_workday(day):
            n += 1
        day += dt.timedelta(days=1)
    return n


def working_days_used(start: dt.datetime, end: dt.datetime) -> float:
    """Working days used from `start` to `end`, counting a started working day as used."""
    return float(working_days_between(start, end))


def add_working_days(start: dt.date | dt.datetime, days: int) -> dt.date:
    """The date on which `days` working days after `start` have passed (the deadline)."""
    day = _date(start)
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


def status(used: float, limit: float, yellow_at: float = 0.9) -> str:
    """`green`, `yellow` (used >= yellow_at of the limit) or `red` (over the limit)."""
    if limit <= 0:
        return "red" if used > 0 else "green"
    if used > limit:
        return "red"
    if used >= yellow_at * limit:
        return "yellow"
    return "green"


class Calendar:
    """A working-day calendar passed to the audits (never a module global): the Chinese
    mainland calendar of this module."""

    def is_workday(self, day: dt.date) -> bool:
        return is_workday(day)

    def working_days_between(self, start: dt.date | dt.datetime,
                             end: dt.date | dt.datetime) -> int:
        """Working days after `start` up to and including `end`."""
        return working_days_between(start, end)

    def add_working_days(self, start: dt.date | dt.datetime, days: int) -> dt.date:
        return add_working_days(start, days)

    def workday_cumsum(self, first: dt.date, last: dt.date) -> npt.NDArray[np.int64]:
        """Cumulative working-day count per day from `first` to `last` (index 0 = `first`)."""
        n = (last - first).days + 1
        flags = np.fromiter((is_workday(first + dt.timedelta(days=d)) for d in range(max(n, 0))),
                            dtype=np.int64, count=max(n, 0))
        return np.cumsum(flags)


@lru_cache(maxsize=1)
def default_calendar() -> Calendar:
    """The Chinese mainland calendar."""
    return Calendar()
