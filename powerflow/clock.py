"""Working-day calendars, as objects passed to whoever counts days.

Takes dates and datetimes; gives working-day counts, deadlines and cumulative working-day arrays
on a `Calendar`. The Chinese mainland calendar (`default_calendar`) knows, for any year from
2000 to 2100, the statutory holidays of the national holiday rules (全国年节及纪念日放假办法, the
text in force that year, lunar festivals from the `lunar_python` package, 清明 from its solar
terms, and the make-up day off for a holiday on a weekend), and, for the years whose State
Council arrangement (调休) is known, that arrangement: the years shipped in the
`chinesecalendar` package and the years a catalogue or mapping declares. A year without an
arrangement is counted with its statutory holidays and reported as such
(`Calendar.is_statutory_only`), never refused. Other calendars count weekdays only, or
weekdays less declared holidays (plus declared working weekends). A date outside a calendar's
years raises `CalendarRangeError`, never a silent guess.

Must not: read the system clock (callers pass time in), read files, know about flows and cases,
or keep a calendar in a module global (callers hold the object they were given).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from .model import CalendarSpec

__all__ = [
    "CN_YEARS",
    "Calendar",
    "CalendarRangeError",
    "YearDays",
    "calendar_from_spec",
    "default_calendar",
    "parse_days",
    "shipped_arrangements",
    "status",
    "statutory_holidays",
]

CN_YEARS = (2000, 2100)
"""Years the Chinese mainland calendar counts: from the 1999 holiday rules on, up to the end of
the lunar tables commonly published (the lunar library computes further; the rules may not
last that long)."""

_ONE = dt.timedelta(days=1)


class CalendarRangeError(ValueError):
    """A date the working-day calendar cannot count."""

    def __init__(self, day: dt.date, first: int, last: int, name: str = "cn") -> None:
        self.day = day
        self.first = first
        self.last = last
        super().__init__(
            f"the {name} working-day calendar counts the years {first}-{last}; "
            f"{day.isoformat()} is outside them")


def parse_days(text: str) -> tuple[dt.date, dt.date]:
    """A declared day (``2027-02-05``) or inclusive range (``2027-02-05/2027-02-11``).

    Raises `ValueError` with a plain-English reason for anything else.
    """
    parts = text.strip().split("/")
    if len(parts) > 2 or not all(len(p) == 10 for p in parts):
        raise ValueError("write a date as YYYY-MM-DD, or a range as YYYY-MM-DD/YYYY-MM-DD")
    try:
        days = [dt.date.fromisoformat(p) for p in parts]
    except ValueError as exc:
        raise ValueError(f"not a calendar date ({exc})") from None
    first, last = days[0], days[-1]
    if last < first:
        raise ValueError("the range ends before it starts")
    if (last - first).days > 366:
        raise ValueError("a range longer than a year is not a holiday")
    return first, last


def _expand(texts: Iterable[str]) -> frozenset[dt.date]:
    out: set[dt.date] = set()
    for t in texts:
        a, b = parse_days(t)
        out.update(a + dt.timedelta(days=i) for i in range((b - a).days + 1))
    return frozenset(out)


@dataclass(frozen=True)
class YearDays:
    """One year's declared days: days off and working weekends (调休), and where they come from."""

    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str


# ----------------------------------------------------------------------------- national rules


@dataclass(frozen=True)
class _Festival:
    zh: str
    en: str
    anchor: str  # "solar" (month, day), "lunar" (lunar month, day), "term" (清明)
    month: int
    day: int
    days: int
    offset: int = 0  # first day off relative to the anchor (除夕 = -1)


_NEW_YEAR = _Festival("元旦", "New Year's Day", "solar", 1, 1, 1)
_QINGMING = _Festival("清明节", "Qingming", "term", 4, 0, 1)
_DUANWU = _Festival("端午节", "Dragon Boat Festival", "lunar", 5, 5, 1)
_ZHONGQIU = _Festival("中秋节", "Mid-Autumn Festival", "lunar", 8, 15, 1)
_NATIONAL = _Festival("国庆节", "National Day", "solar", 10, 1, 3)

_RULES: tuple[tuple[int, str, tuple[_Festival, ...]], ...] = (
    (2000, "国务院令第270号 / State Council Decree No. 270 (1999)", (
        _NEW_YEAR, _Festival("春节", "Spring Festival", "lunar", 1, 1, 3),
        _Festival("劳动节", "Labour Day", "solar", 5, 1, 3), _NATIONAL)),
    (2008, "国务院令第513号 / State Council Decree No. 513 (2007)", (
        _NEW_YEAR, _Festival("春节", "Spring Festival", "lunar", 1, 1, 3, -1), _QINGMING,
        _Festival("劳动节", "Labour Day", "solar", 5, 1, 1), _DUANWU, _ZHONGQIU, _NATIONAL)),
    (2014, "国务院令第644号 / State Council Decree No. 644 (2013)", (
        _NEW_YEAR, _Festival("春节", "Spring Festival", "lunar", 1, 1, 3), _QINGMING,
        _Festival("劳动节", "Labour Day", "solar", 5, 1, 1), _DUANWU, _ZHONGQIU, _NATIONAL)),
    (2025, "国务院令第795号 / State Council Decree No. 795 (2024)", (
        _NEW_YEAR, _Festival("春节", "Spring Festival", "lunar", 1, 1, 4, -1), _QINGMING,
        _Festival("劳动节", "Labour Day", "solar", 5, 1, 2), _DUANWU, _ZHONGQIU, _NATIONAL)),
)
"""全国年节及纪念日放假办法: the holidays for all citizens, by the first year each text applied."""


def rules_for(year: int) -> tuple[str, tuple[_Festival, ...]]:
    """The text of the national holiday rules in force in `year` and its festivals."""
    text, festivals = _RULES[0][1], _RULES[0][2]
    for first, t, f in _RULES:
        if year >= first:
            text, festivals = t, f
    return text, festivals


def _anchor(f: _Festival, year: int) -> dt.date:
    from lunar_python import Lunar, Solar

    if f.anchor == "solar":
        return dt.date(year, f.month, f.day)
    if f.anchor == "lunar":
        s = Lunar.fromYmd(year, f.month, f.day).getSolar()
    else:
        s = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"]
    return dt.date(s.getYear(), s.getMonth(), s.getDay())


@lru_cache(maxsize=256)
def festival_days(year: int) -> tuple[tuple[str, tuple[dt.date, ...]], ...]:
    """Each statutory festival of `year` (Chinese name) with its days off, before make-up days."""
    out = []
    for f in rules_for(year)[1]:
        start = _anchor(f, year) + dt.timedelta(days=f.offset)
        out.append((f.zh, tuple(start + dt.timedelta(days=i) for i in range(f.days))))
    return tuple(out)


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> frozenset[dt.date]:
    """The days off of `year` by the national rules alone: each festival's days, and for each of
    them that falls on a Saturday or Sunday a make-up day off (补假) on the next weekday after the
    festival that is not already off. What the rules say, not a State Council arrangement (which
    also moves days and adds working weekends)."""
    off: set[dt.date] = set()
    for _name, days in sorted(festival_days(year), key=lambda f: f[1][0]):
        off.update(days)
        owed = sum(d.weekday() >= 5 for d in days)
        day = days[-1]
        while owed:
            day += _ONE
            if day.weekday() < 5 and day not in off:
                off.add(day)
                owed -= 1
    return frozenset(d for d in off if d.year == year)


@lru_cache(maxsize=1)
def shipped_arrangements() -> Mapping[int, YearDays]:
    """The State Council arrangements shipped in the `chinesecalendar` package, by year."""
    from importlib.metadata import version

    import chinese_calendar as cc

    source = f"chinesecalendar {version('chinesecalendar')}"
    years = sorted({d.year for d in cc.holidays} | {d.year for d in cc.workdays})
    return {y: YearDays(frozenset(d for d in cc.holidays if d.year == y),
                        frozenset(d for d in cc.workdays if d.year == y), source)
            for y in years}


# ----------------------------------------------------------------------------- the calendar


class Calendar:
    """A working-day calendar: Monday-Friday, less holidays, plus adjusted working weekends.

    `name` is ``cn`` (Chinese mainland: statutory rules for every year, arrangements where
    known) or ``weekdays`` (no holidays but those declared). `years` holds the declared days of
    each year; on ``cn`` a year without them is *statutory only*, on ``weekdays`` a year without
    them is *undeclared* when any year is declared (a list of holidays that stops), and counted
    as plain weekdays.
    """

    def __init__(self, name: str = "cn", years: Mapping[int, YearDays] | None = None,
                 label: str = "") -> None:
        if name not in ("cn", "weekdays"):
            raise ValueError(f"unknown calendar {name!r}")
        self.name = name
        self.years: Mapping[int, YearDays] = dict(years or {})
        self.label = label or name
        self.span = CN_YEARS if name == "cn" else (1, 9998)
        self._work: dict[int, npt.NDArray[np.bool_]] = {}
        self._cum: dict[int, npt.NDArray[np.int64]] = {}

    def __repr__(self) -> str:
        return f"Calendar({self.name!r}, {len(self.years)} declared years, label={self.label!r})"

    # -- what is known about a year
    def is_statutory_only(self, year: int) -> bool:
        """True when `year` is counted without a declared arrangement (a warning, not an error):
        on ``cn`` its statutory holidays only; on a holiday list that does not cover it, none."""
        if year in self.years:
            return False
        return self.name == "cn" or bool(self.years)

    def statutory_only_years(self, first: dt.date, last: dt.date) -> tuple[int, ...]:
        """The years from `first` to `last` that `is_statutory_only` (within the calendar)."""
        lo, hi = max(first.year, self.span[0]), min(last.year, self.span[1])
        return tuple(y for y in range(lo, hi + 1) if self.is_statutory_only(y))

    def covers(self, day: dt.date) -> bool:
        return self.span[0] <= day.year <= self.span[1]

    def holidays(self, year: int) -> frozenset[dt.date]:
        """The days off of `year` (weekends aside)."""
        if year in self.years:
            return self.years[year].holidays
        return statutory_holidays(year) if self.name == "cn" else frozenset()

    def source(self, year: int) -> str:
        """Where `year`'s days come from, in words."""
        if year in self.years:
            return self.years[year].source
        if self.name == "cn":
            return f"statutory holidays only ({rules_for(year)[0]}); 调休 not declared"
        return "weekdays only" + ("; holidays not declared" if self.years else "")

    def _year(self, year: int) -> npt.NDArray[np.bool_]:
        work = self._work.get(year)
        if work is None:
            if not self.span[0] <= year <= self.span[1]:
                raise CalendarRangeError(dt.date(year, 1, 1), *self.span, self.name)
            start = dt.date(year, 1, 1)
            n = (dt.date(year + 1, 1, 1) - start).days
            days = [start + dt.timedelta(days=i) for i in range(n)]
            off = self.holidays(year)
            extra = self.years[year].workdays if year in self.years else frozenset()
            work = np.fromiter(((d.weekday() < 5 and d not in off) or d in extra for d in days),
                               dtype=np.bool_, count=n)
            self._work[year] = work
            self._cum[year] = np.cumsum(work, dtype=np.int64)
        return work

    # -- counting
    def is_workday(self, day: dt.date) -> bool:
        """True on Monday-Friday that are not holidays, and on adjusted working weekends."""
        day = _date(day)
        if not self.covers(day):
            raise CalendarRangeError(day, *self.span, self.name)
        return bool(self._year(day.year)[day.timetuple().tm_yday - 1])

    def _through(self, day: dt.date) -> int:
        """Working days from 1 January of `day`'s year up to and including `day`."""
        self._year(day.year)
        return int(self._cum[day.year][day.timetuple().tm_yday - 1])

    def working_days_between(self, start: dt.date | dt.datetime,
                             end: dt.date | dt.datetime) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start).

        This is how limits are counted: a step received on Friday and done on Monday used one
        working day; done the same day, zero.
        """
        a, b = _date(start), _date(end)
        if b <= a:
            return 0
        for d in (a, b):
            if not self.covers(d):
                raise CalendarRangeError(d, *self.span, self.name)
        n = self._through(b) - self._through(a)
        for y in range(a.year, b.year):
            n += self._through(dt.date(y, 12, 31))
        return n

    def working_days_used(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working days used from `start` to `end`, as a float for averaging."""
        return float(self.working_days_between(start, end))

    def add_working_days(self, start: dt.date | dt.datetime, days: int) -> dt.date:
        """The date on which `days` working days after `start` have passed (the deadline)."""
        day = _date(start)
        left = days
        while left > 0:
            day += _ONE
            if self.is_workday(day):
                left -= 1
        return day

    def workday_cumsum(self, first: dt.date, last: dt.date) -> npt.NDArray[np.int64]:
        """Working days from `first` up to and including each date to `last`: index 0 is
        `first`, so ``c[j] - c[i]`` is `working_days_between` of the i-th and j-th dates."""
        if last < first:
            return np.zeros(0, dtype=np.int64)
        for d in (first, last):
            if not self.covers(d):
                raise CalendarRangeError(d, *self.span, self.name)
        parts = []
        for y in range(first.year, last.year + 1):
            w = self._year(y)
            lo = first.timetuple().tm_yday - 1 if y == first.year else 0
            hi = last.timetuple().tm_yday if y == last.year else w.shape[0]
            parts.append(w[lo:hi])
        return np.cumsum(np.concatenate(parts), dtype=np.int64)


def _date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def default_calendar() -> Calendar:
    """The Chinese mainland calendar with the arrangements shipped in `chinesecalendar`."""
    years = shipped_arrangements()
    return Calendar("cn", years, f"Chinese mainland (arrangements {min(years)}-{max(years)})")


def calendar_from_spec(spec: CalendarSpec | None) -> Calendar:
    """The calendar a checked declaration (`powerflow.model.CalendarSpec`) describes: its base,
    with its declared years over the shipped ones. Assumes the loader checked the days."""
    if spec is None or (spec.base == "cn" and not spec.years):
        return default_calendar()
    declared = {y: YearDays(_expand(d.holidays), _expand(d.workdays),
                            d.source or spec.file or "declared")
                for y, d in spec.years.items()}
    if spec.base == "cn":
        years = {**shipped_arrangements(), **declared}
        shipped = shipped_arrangements()
        extra = sorted(set(declared) - set(shipped))
        label = (f"Chinese mainland (arrangements {min(shipped)}-{max(shipped)}"
                 + (f", declared {', '.join(map(str, extra))}" if extra else "") + ")")
        return Calendar("cn", years, spec.name or label)
    label = "weekdays" + (f", holidays declared for {min(declared)}-{max(declared)}"
                          if declared else " only")
    return Calendar("weekdays", declared, spec.name or label)


def status(used: float, limit: float, yellow_at: float = 0.9) -> str:
    """`green`, `yellow` (used >= yellow_at of the limit) or `red` (over the limit)."""
    if limit <= 0:
        return "red" if used > 0 else "green"
    if used > limit:
        return "red"
    if used >= yellow_at * limit:
        return "yellow"
    return "green"
