"""The working-day calendar: national rules for any year, shipped and declared arrangements,
other calendars, and the vectorised count against the scalar one."""

from __future__ import annotations

import datetime as dt

import chinese_calendar as cc
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lunar_python.util import HolidayUtil

from powerflow import clock
from powerflow.clock import Calendar, CalendarRangeError, YearDays, default_calendar

D = dt.date


@pytest.fixture(scope="module")
def cn() -> Calendar:
    return default_calendar()


def _days(a: dt.date, b: dt.date) -> list[dt.date]:
    return [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]


@pytest.mark.parametrize(("year", "new_year"), [
    (2024, D(2024, 2, 10)), (2025, D(2025, 1, 29)), (2026, D(2026, 2, 17)),
    (2027, D(2027, 2, 6)), (2028, D(2028, 1, 26)), (2029, D(2029, 2, 13)),
])
def test_spring_festival_from_the_lunar_rule(year: int, new_year: dt.date) -> None:
    spring = dict(clock.festival_days(year))["春节"]
    first = spring[1] if year >= 2025 else spring[0]  # from 2025 the Eve (除夕) is off too
    assert first == new_year


def test_other_lunar_festivals_and_qingming_of_2027() -> None:
    f = dict(clock.festival_days(2027))
    assert f["清明节"] == (D(2027, 4, 5),)
    assert f["端午节"] == (D(2027, 6, 9),)
    assert f["中秋节"] == (D(2027, 9, 15),)
    assert f["春节"] == (D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8))


@pytest.mark.parametrize("year", range(2004, 2027))
def test_statutory_festivals_are_days_off_in_every_shipped_arrangement(cn: Calendar,
                                                                       year: int) -> None:
    """The rules of the text in force each year, computed from the lunar calendar and the solar
    terms, fall on days the State Council arrangement gave off, festival by festival."""
    names = {"春节": "Spring Festival", "清明节": "Tomb-sweeping Day", "端午节": "Dragon Boat Festival",
             "中秋节": "Mid-autumn Festival"}
    for zh, days in clock.festival_days(year):
        for d in days:
            assert not cn.is_workday(d), (zh, d)
            _on, name = cc.get_holiday_detail(d)
            if zh in names and d.weekday() < 5 and name is not None:
                assert name in (names[zh], "National Day") or zh == "中秋节", (zh, d, name)


def test_make_up_days_off_for_festivals_on_a_weekend() -> None:
    # 2027: Spring Festival Fri 5 to Mon 8 February; Saturday and Sunday owed on 9 and 10
    assert {D(2027, 2, 9), D(2027, 2, 10)} <= clock.statutory_holidays(2027)
    assert D(2027, 2, 11) not in clock.statutory_holidays(2027)
    # 2026: Qingming on Sunday 5 April → Monday 6 April, as the arrangement gave
    assert D(2026, 4, 6) in clock.statutory_holidays(2026)


def test_two_packages_agree_on_the_2026_arrangement(cn: Calendar) -> None:
    """chinesecalendar (shipped) against lunar_python's own holiday table, day by day."""
    for d in _days(D(2026, 1, 1), D(2026, 12, 31)):
        h = HolidayUtil.getHoliday(d.year, d.month, d.day)
        expected = h.isWork() if h is not None else d.weekday() < 5
        assert cn.is_workday(d) == expected, d
    assert HolidayUtil.getHolidays(2027) == []  # no 2027 arrangement shipped anywhere


def test_2027_is_counted_on_statutory_holidays_and_said(cn: Calendar) -> None:
    assert max(clock.shipped_arrangements()) == 2026
    assert cn.is_statutory_only(2027) and not cn.is_statutory_only(2026)
    assert cn.statutory_only_years(D(2026, 12, 1), D(2028, 1, 5)) == (2027, 2028)
    # 4 February (Thu) to 11 February: only the 11th works (5-10 off)
    assert cn.working_days_between(D(2027, 2, 4), D(2027, 2, 11)) == 1
    assert cn.add_working_days(D(2027, 2, 4), 1) == D(2027, 2, 11)
    assert "statutory" in cn.source(2027) and "795" in cn.source(2027)


def test_a_declared_arrangement_is_counted_exactly() -> None:
    # Test data shaped like an arrangement (not the State Council's, which is not published).
    decl = YearDays(frozenset(_days(D(2027, 2, 5), D(2027, 2, 13))), frozenset({D(2027, 2, 14)}),
                    "test")
    cal = Calendar("cn", {**clock.shipped_arrangements(), 2027: decl})
    assert not cal.is_statutory_only(2027)
    assert cal.working_days_between(D(2027, 2, 4), D(2027, 2, 15)) == 2  # Sun 14 and Mon 15
    assert cal.is_workday(D(2027, 2, 14)) and not cal.is_workday(D(2027, 2, 10))


def test_weekday_and_holiday_list_calendars() -> None:
    wk = Calendar("weekdays")
    assert wk.working_days_between(D(2011, 12, 23), D(2011, 12, 27)) == 2  # Mon 26, Tue 27
    assert not wk.is_statutory_only(2011) and wk.statutory_only_years(D(2000, 1, 1),
                                                                       D(2030, 1, 1)) == ()
    listed = Calendar("weekdays", {2011: YearDays(frozenset({D(2011, 12, 26)}), frozenset(),
                                                  "test")})
    assert listed.working_days_between(D(2011, 12, 23), D(2011, 12, 27)) == 1
    assert listed.is_statutory_only(2012) and not listed.is_statutory_only(2011)


def test_outside_the_years_is_refused_not_guessed(cn: Calendar) -> None:
    with pytest.raises(CalendarRangeError, match="2000-2100"):
        cn.is_workday(D(2101, 1, 3))
    with pytest.raises(CalendarRangeError):
        cn.working_days_between(D(1999, 12, 30), D(2000, 1, 5))
    with pytest.raises(CalendarRangeError):
        cn.workday_cumsum(D(2100, 12, 1), D(2101, 1, 1))


@pytest.mark.parametrize("text", ["2027-2-5", "2027-02-30", "2027-02-05/2027-02-01", "x",
                                  "2027-02-05/2027-02-06/2027-02-07", "2026-01-01/2027-12-31"])
def test_parse_days_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        clock.parse_days(text)


_DAY = st.dates(min_value=D(2003, 1, 1), max_value=D(2031, 12, 31))


@settings(max_examples=150, deadline=None)
@given(first=_DAY, a=st.integers(0, 800), b=st.integers(0, 800),
       kind=st.sampled_from(["cn", "weekdays", "list"]))
def test_cumsum_equals_the_scalar_count(first: dt.date, a: int, b: int, kind: str) -> None:
    cal = {"cn": default_calendar(), "weekdays": Calendar("weekdays"),
           "list": Calendar("weekdays", {first.year: YearDays(
               frozenset({first + dt.timedelta(days=3)}), frozenset(), "t")})}[kind]
    last = first + dt.timedelta(days=max(a, b))
    cum = cal.workday_cumsum(first, last)
    assert cum.dtype == np.int64 and cum.shape == ((last - first).days + 1,)
    i, j = sorted((a, b))
    di, dj = first + dt.timedelta(days=i), first + dt.timedelta(days=j)
    assert int(cum[j] - cum[i]) == cal.working_days_between(di, dj)
    assert int(cum[0]) == int(cal.is_workday(first))
    n = cal.working_days_between(di, dj)
    if n:
        assert cal.add_working_days(di, n) <= dj
        assert cal.working_days_between(di, cal.add_working_days(di, n)) == n
