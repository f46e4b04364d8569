import functools
from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import missing_part
from saas.domain import calendar as wcal
from saas.domain.calendar import WorkdayCalendar, official_is_workday, official_knows_year


def needs_2026(test):
    """The official 2026 schedule: skipped without it here, a failure in CI."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        if not official_knows_year(2026):
            missing_part("installed chinesecalendar has no 2026 schedule")
        return test(*args, **kwargs)

    return run

# Checked against chinese_calendar 1.11 (国务院办公厅关于2026年部分节假日安排的通知):
# adjusted working days (调休上班) on weekends and holidays on weekdays.
WEEKEND_WORKDAYS_2026 = [
    date(2026, 1, 4),  # Sun, 元旦
    date(2026, 2, 14),  # Sat, 春节
    date(2026, 2, 28),  # Sat, 春节
    date(2026, 9, 20),  # Sun, 国庆节
    date(2026, 10, 10),  # Sat, 国庆节
]
WEEKDAY_HOLIDAYS_2026 = [
    date(2026, 1, 1),
    date(2026, 1, 2),
    date(2026, 2, 16),
    date(2026, 2, 17),
    date(2026, 2, 18),
    date(2026, 2, 19),
    date(2026, 2, 20),
    date(2026, 2, 23),
    date(2026, 9, 25),  # 中秋节
    date(2026, 10, 1),
    date(2026, 10, 2),
    date(2026, 10, 5),
    date(2026, 10, 6),
    date(2026, 10, 7),
]


def _library_count(a: date, b: date) -> int:
    """Working days in (a, b] straight from chinese_calendar."""
    return sum(
        1 for k in range(1, (b - a).days + 1) if chinese_calendar.is_workday(a + timedelta(days=k))
    )


# --------------------------------------------------------------- library facts
def test_library_years():
    assert official_knows_year(2025)
    assert not official_knows_year(2200)
    assert official_is_workday(date(2200, 1, 1)) is None
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2200, 1, 1))


@needs_2026
@pytest.mark.parametrize("d", WEEKEND_WORKDAYS_2026)
def test_2026_adjusted_weekend_workdays(d):
    assert d.weekday() >= 5
    assert chinese_calendar.is_workday(d)  # the fact comes from the library itself
    assert WorkdayCalendar().is_workday(d)
    assert WorkdayCalendar().source(d) == "official"


@needs_2026
@pytest.mark.parametrize("d", WEEKDAY_HOLIDAYS_2026)
def test_2026_weekday_holidays(d):
    assert d.weekday() < 5
    assert chinese_calendar.is_holiday(d)
    assert not WorkdayCalendar().is_workday(d)
    assert WorkdayCalendar().is_holiday(d)


@needs_2026
def test_2026_matches_library_every_day():
    cal = WorkdayCalendar()
    d = date(2026, 1, 1)
    while d.year == 2026:
        assert cal.is_workday(d) == chinese_calendar.is_workday(d), d
        d += timedelta(days=1)


# ------------------------------------------------------------------ arithmetic
@needs_2026
@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 2, 13), 0, date(2026, 2, 13)),
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Fri → 调休 Saturday
        (date(2026, 2, 14), 1, date(2026, 2, 24)),  # across 春节 (16-20, 23 off)
        (date(2026, 2, 13), 2, date(2026, 2, 24)),
        (date(2026, 2, 15), 1, date(2026, 2, 24)),  # start on a holiday
        (date(2026, 2, 27), 1, date(2026, 2, 28)),  # Sat 2-28 is a workday
        (date(2026, 2, 28), 1, date(2026, 3, 2)),
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # across 国庆
        (date(2026, 9, 30), 3, date(2026, 10, 10)),  # Sat 10-10 is a workday
        (date(2026, 9, 18), 1, date(2026, 9, 20)),  # Sun 9-20 is a workday
        (date(2026, 9, 24), 1, date(2026, 9, 28)),  # 9-25 中秋 Fri
        (date(2026, 10, 8), -1, date(2026, 9, 30)),  # backwards
        (date(2026, 2, 24), -2, date(2026, 2, 13)),
    ],
)
def test_add_workdays_2026(start, n, expected):
    assert WorkdayCalendar().add_workdays(start, n) == expected


@needs_2026
def test_workdays_between_2026():
    cal = WorkdayCalendar()
    assert cal.workdays_between(date(2026, 2, 14), date(2026, 2, 24)) == 1
    assert cal.workdays_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert cal.workdays_between(date(2026, 2, 24), date(2026, 2, 13)) == -2
    assert cal.workdays_between(date(2026, 10, 1), date(2026, 10, 1)) == 0
    assert cal.workdays_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert cal.workdays_between(date(2025, 12, 31), date(2026, 12, 31)) == _library_count(
        date(2025, 12, 31), date(2026, 12, 31)
    )


@needs_2026
def test_filing_deadline_30_workdays_2026():
    cal = WorkdayCalendar()
    # changed on 2026-09-15: the 国庆 holidays and the two 调休 weekends inside
    due = cal.filing_deadline(date(2026, 9, 15))
    assert chinese_calendar.is_workday(due)
    assert _library_count(date(2026, 9, 15), due) == 30
    assert _library_count(date(2026, 9, 15), due - timedelta(days=1)) == 29
    assert due == date(2026, 11, 2)  # counted by hand: Sep 16-18, 20, 21-24, 28-30, Oct 8-10, …
    # over 春节
    due = cal.filing_deadline(date(2026, 2, 1))
    assert _library_count(date(2026, 2, 1), due) == 30
    assert due == date(2026, 3, 19)
    assert cal.filing_deadline(date(2026, 2, 1), workdays=1) == date(2026, 2, 2)


@needs_2026
def test_appeal_deadline_10_workdays():
    cal = WorkdayCalendar()
    due = cal.appeal_deadline(date(2026, 9, 28))
    assert _library_count(date(2026, 9, 28), due) == 10
    assert due == date(2026, 10, 16)


def test_defaults():
    assert wcal.DEFAULT_FILING_WORKDAYS == 30
    assert wcal.DEFAULT_APPEAL_WORKDAYS == 10


# -------------------------------------------------------------------- overrides
@needs_2026
def test_override_wins_over_library():
    cal = WorkdayCalendar(
        overrides={date(2026, 10, 1): True, date(2026, 10, 9): False, date(2026, 10, 10): False}
    )
    assert cal.is_workday(date(2026, 10, 1))
    assert not cal.is_workday(date(2026, 10, 9))
    assert not cal.is_workday(date(2026, 10, 10))
    assert cal.source(date(2026, 10, 1)) == "override"
    assert cal.source(date(2026, 10, 2)) == "official"
    assert not cal.is_workday(date(2026, 10, 2))  # untouched days still from the library
    assert cal.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 1)


def test_fallback_year_is_monday_to_friday():
    cal = WorkdayCalendar()
    # 2200: no data anywhere
    d = date(2200, 1, 1)
    assert cal.source(d) == "weekday"
    for k in range(14):
        day = d + timedelta(days=k)
        assert cal.is_workday(day) == (day.weekday() < 5)


def test_fallback_year_with_admin_entries():
    # an admin entered the schedule of a year the library does not know
    y = 2200
    holidays = {date(y, 1, 1): False, date(y, 1, 2): False, date(y, 1, 4): True}
    cal = WorkdayCalendar(overrides=holidays, known_years=[y])
    assert date(y, 1, 1).weekday() == 2  # Wednesday
    assert not cal.is_workday(date(y, 1, 1))
    assert not cal.is_workday(date(y, 1, 2))
    assert date(y, 1, 4).weekday() == 5 and cal.is_workday(date(y, 1, 4))
    assert cal.is_workday(date(y, 1, 3))  # Friday, Mon–Fri rule
    assert not cal.is_workday(date(y, 1, 5))  # Sunday
    assert cal.add_workdays(date(y, 1, 1), 1) == date(y, 1, 3)
    assert cal.add_workdays(date(y, 1, 1), 2) == date(y, 1, 4)
    assert cal.add_workdays(date(y, 1, 1), 3) == date(y, 1, 6)
    assert cal.years_without_data(date(y, 1, 1), date(y, 12, 31)) == set()


@needs_2026
def test_years_without_data_and_warning():
    cal = WorkdayCalendar()
    assert cal.years_without_data(date(2026, 1, 1), date(2026, 12, 31)) == set()
    if not official_knows_year(2027):
        assert cal.years_without_data(date(2026, 12, 1), date(2027, 2, 1)) == {2027}
        assert cal.years_without_data(date(2028, 2, 1), date(2026, 12, 1)) == {2027, 2028}
        warning = cal.fallback_warning_zh(date(2026, 12, 1), date(2028, 2, 1))
        assert warning is not None
        assert "2027年、2028年" in warning and "周一至周五" in warning
        entered = WorkdayCalendar(known_years={2027})
        assert entered.years_without_data(date(2026, 12, 1), date(2027, 2, 1)) == set()
        assert entered.fallback_warning_zh(date(2026, 12, 1), date(2027, 2, 1)) is None
    assert cal.fallback_warning_zh(date(2026, 1, 1), date(2026, 3, 1)) is None
    assert cal.years_without_data(date(2199, 6, 1), date(2201, 1, 1)) == {2199, 2200, 2201}


@needs_2026
def test_deadline_across_into_unknown_year_never_crashes():
    cal = WorkdayCalendar()
    due = cal.filing_deadline(date(2026, 12, 20))
    assert due.year == 2027
    assert cal.is_workday(due)
    assert cal.workdays_between(date(2026, 12, 20), due) == 30
    if not official_knows_year(2027):
        assert 2027 in cal.years_without_data(date(2026, 12, 20), due)


def test_library_raising_value_error_falls_back(monkeypatch):
    class Broken:
        @staticmethod
        def is_workday(d):
            raise ValueError("no data")

    official_knows_year.cache_clear()
    monkeypatch.setattr(wcal, "_cc", Broken)
    try:
        cal = WorkdayCalendar()
        assert not official_knows_year(2026)
        assert cal.is_workday(date(2026, 10, 1))  # Thursday, Mon–Fri fallback
        assert not cal.is_workday(date(2026, 10, 10))  # Saturday
        assert cal.years_without_data(date(2026, 1, 1), date(2026, 1, 2)) == {2026}
    finally:
        monkeypatch.undo()
        official_knows_year.cache_clear()


def test_library_raising_not_implemented_falls_back(monkeypatch):
    class Old:
        @staticmethod
        def is_workday(d):
            raise NotImplementedError("no available data")

    official_knows_year.cache_clear()
    monkeypatch.setattr(wcal, "_cc", Old)
    try:
        assert official_is_workday(date(2026, 1, 1)) is None
        assert WorkdayCalendar().is_workday(date(2026, 1, 1))  # Thursday
    finally:
        monkeypatch.undo()
        official_knows_year.cache_clear()


def test_datetimes_and_bad_input():
    cal = WorkdayCalendar(overrides={datetime(2200, 1, 1, 8): False})
    assert not cal.is_workday(date(2200, 1, 1))
    assert not cal.is_workday(datetime(2200, 1, 1, 23, 59))
    assert cal.add_workdays(datetime(2200, 1, 1, 12), 0) == date(2200, 1, 1)
    with pytest.raises(TypeError):
        cal.is_workday("2026-01-01")
    with pytest.raises(TypeError):
        cal.add_workdays(date(2200, 1, 1), 1.5)
    with pytest.raises(TypeError):
        cal.add_workdays(date(2200, 1, 1), True)


def test_calendar_is_a_snapshot():
    overrides = {date(2200, 1, 1): True}
    cal = WorkdayCalendar(overrides=overrides, known_years=[2200])
    overrides[date(2200, 1, 2)] = False
    assert date(2200, 1, 2) not in cal.overrides
    assert cal.known_years == frozenset({2200})
    assert "WorkdayCalendar" in repr(cal)


# ------------------------------------------------------------------ properties
dates = st.dates(date(2020, 1, 1), date(2035, 12, 31))
override_maps = st.dictionaries(dates, st.booleans(), max_size=40)


@settings(max_examples=150, deadline=None)
@given(dates, st.integers(0, 80), override_maps)
def test_add_workdays_properties(start, n, overrides):
    cal = WorkdayCalendar(overrides=overrides)
    result = cal.add_workdays(start, n)
    if n == 0:
        assert result == start
    else:
        assert result > start
        assert cal.is_workday(result)
        # monotone: one more working day lands strictly later
        assert cal.add_workdays(start, n - 1) < result
    assert cal.add_workdays(start, n + 1) > result
    assert cal.workdays_between(start, result) == n
    # no working day is skipped: exactly n of them in (start, result]
    assert (
        sum(cal.is_workday(start + timedelta(days=k)) for k in range(1, (result - start).days + 1))
        == n
    )


@settings(max_examples=100, deadline=None)
@given(dates, st.integers(0, 40), st.integers(0, 40), override_maps)
def test_add_workdays_is_additive_and_monotone(start, m, n, overrides):
    cal = WorkdayCalendar(overrides=overrides)
    assert cal.add_workdays(cal.add_workdays(start, m), n) == cal.add_workdays(start, m + n)
    if m < n:
        assert cal.add_workdays(start, m) < cal.add_workdays(start, n)


@settings(max_examples=100, deadline=None)
@given(dates, st.integers(1, 40))
def test_backwards_mirror(start, n):
    cal = WorkdayCalendar()
    back = cal.add_workdays(start, -n)
    assert back < start
    assert cal.is_workday(back)
    forward = cal.add_workdays(back, n)
    assert forward >= start
    assert (forward == start) == cal.is_workday(start)


@settings(max_examples=100, deadline=None)
@given(dates, dates)
def test_workdays_between_antisymmetric(a, b):
    cal = WorkdayCalendar()
    assert cal.workdays_between(a, b) == -cal.workdays_between(b, a)
