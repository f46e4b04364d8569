import itertools
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saas.domain.periods import (
    Period,
    PeriodError,
    add_months,
    parse_period,
    period_contains,
    period_of,
    previous_periods,
)

GOOD = [
    ("2026-10", "month", 2026, 10, date(2026, 10, 1), date(2026, 10, 31)),
    ("2026-01", "month", 2026, 1, date(2026, 1, 1), date(2026, 1, 31)),
    ("2026-02", "month", 2026, 2, date(2026, 2, 1), date(2026, 2, 28)),
    ("2024-02", "month", 2024, 2, date(2024, 2, 1), date(2024, 2, 29)),
    ("2026-04", "month", 2026, 4, date(2026, 4, 1), date(2026, 4, 30)),
    ("2026-12", "month", 2026, 12, date(2026, 12, 1), date(2026, 12, 31)),
    ("2026-Q1", "quarter", 2026, 1, date(2026, 1, 1), date(2026, 3, 31)),
    ("2026-Q2", "quarter", 2026, 2, date(2026, 4, 1), date(2026, 6, 30)),
    ("2026-Q3", "quarter", 2026, 3, date(2026, 7, 1), date(2026, 9, 30)),
    ("2026-Q4", "quarter", 2026, 4, date(2026, 10, 1), date(2026, 12, 31)),
    ("2026", "year", 2026, 1, date(2026, 1, 1), date(2026, 12, 31)),
    ("2024", "year", 2024, 1, date(2024, 1, 1), date(2024, 12, 31)),
]


@pytest.mark.parametrize(("text", "kind", "year", "index", "start", "end"), GOOD)
def test_parse_good(text, kind, year, index, start, end):
    p = parse_period(text)
    assert (p.kind, p.year, p.index, p.start, p.end) == (kind, year, index, start, end)
    assert str(p) == text
    assert parse_period(str(p)) == p


@pytest.mark.parametrize(
    ("text", "canonical"),
    [(" 2026-10 ", "2026-10"), ("2026-q3", "2026-Q3"), ("\t2026\n", "2026")],
)
def test_parse_lenient_spelling(text, canonical):
    assert str(parse_period(text)) == canonical


def test_parse_accepts_period():
    p = Period.month(2026, 10)
    assert parse_period(p) is p


BAD = [
    "",
    "   ",
    "2026-13",
    "2026-00",
    "2026-Q0",
    "2026-Q5",
    "2026-Q",
    "2026-H1",
    "26-10",
    "2026-1",
    "2026-100",
    "2026/10",
    "202610",
    "2026-10-01",
    "10-2026",
    "0000",
    "Q3-2026",
    "二〇二六",
    "２０２６",  # full-width digits
    "abcd",
]


@pytest.mark.parametrize("text", BAD)
def test_parse_bad_has_chinese_message(text):
    with pytest.raises(PeriodError) as exc:
        parse_period(text)
    msg = str(exc.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in msg), msg
    assert isinstance(exc.value, ValueError)


@pytest.mark.parametrize("value", [None, 2026, 2026.0, date(2026, 1, 1), b"2026"])
def test_parse_non_string(value):
    with pytest.raises(PeriodError, match="期间必须是字符串"):
        parse_period(value)


def test_bad_month_message():
    with pytest.raises(PeriodError, match="月份无效"):
        parse_period("2026-13")
    with pytest.raises(PeriodError, match="季度无效"):
        parse_period("2026-Q5")
    with pytest.raises(PeriodError, match="期间格式无效"):
        parse_period("2026/10")
    with pytest.raises(PeriodError, match="期间不能为空"):
        parse_period("")
    with pytest.raises(PeriodError, match="年份无效"):
        parse_period("0000")


def test_labels_zh():
    assert parse_period("2026-10").label_zh == "2026年10月"
    assert parse_period("2026-Q3").label_zh == "2026年第3季度"
    assert parse_period("2026").label_zh == "2026年度"


@pytest.mark.parametrize(
    ("text", "k", "expected"),
    [
        ("2026-01", -1, "2025-12"),
        ("2026-12", 1, "2027-01"),
        ("2026-10", -12, "2025-10"),
        ("2026-10", 0, "2026-10"),
        ("2026-Q1", -1, "2025-Q4"),
        ("2026-Q4", 1, "2027-Q1"),
        ("2026-Q3", -5, "2025-Q2"),
        ("2026", -3, "2023"),
        ("2026", 1, "2027"),
    ],
)
def test_shift(text, k, expected):
    assert str(parse_period(text).shift(k)) == expected


def test_previous_next():
    p = parse_period("2026-01")
    assert str(p.previous()) == "2025-12"
    assert str(p.next()) == "2026-02"


def test_previous_periods_months():
    got = [str(p) for p in previous_periods("2026-02", 3)]
    assert got == ["2025-11", "2025-12", "2026-01"]


def test_previous_periods_include_self():
    got = [str(p) for p in previous_periods(parse_period("2026-Q1"), 2, include_self=True)]
    assert got == ["2025-Q3", "2025-Q4", "2026-Q1"]


def test_previous_periods_years_and_zero():
    assert [str(p) for p in previous_periods("2026", 2)] == ["2024", "2025"]
    assert previous_periods("2026", 0) == []
    assert [str(p) for p in previous_periods("2026", 0, include_self=True)] == ["2026"]


@pytest.mark.parametrize("n", [-1, 1.5, "2", True, None])
def test_previous_periods_bad_n(n):
    with pytest.raises(PeriodError, match="期数无效"):
        previous_periods("2026-10", n)


def test_previous_periods_bad_period():
    with pytest.raises(PeriodError):
        previous_periods("2026-13", 1)


@pytest.mark.parametrize(
    ("text", "d", "inside"),
    [
        ("2026-10", date(2026, 10, 1), True),
        ("2026-10", date(2026, 10, 31), True),
        ("2026-10", date(2026, 9, 30), False),
        ("2026-10", date(2026, 11, 1), False),
        ("2026-Q3", date(2026, 7, 1), True),
        ("2026-Q3", date(2026, 9, 30), True),
        ("2026-Q3", date(2026, 6, 30), False),
        ("2026-Q3", date(2026, 10, 1), False),
        ("2026", date(2026, 1, 1), True),
        ("2026", date(2026, 12, 31), True),
        ("2026", date(2025, 12, 31), False),
        ("2026", date(2027, 1, 1), False),
        ("2026-10", datetime(2026, 10, 31, 23, 59), True),
    ],
)
def test_period_contains(text, d, inside):
    assert period_contains(text, d) is inside
    assert period_contains(parse_period(text), d) is inside


def test_period_of():
    assert str(period_of("month", date(2026, 10, 5))) == "2026-10"
    assert str(period_of("quarter", date(2026, 10, 5))) == "2026-Q4"
    assert str(period_of("quarter", date(2026, 3, 31))) == "2026-Q1"
    assert str(period_of("year", datetime(2026, 10, 5, 8))) == "2026"
    with pytest.raises(PeriodError, match="期间类型无效"):
        period_of("week", date(2026, 1, 1))


def test_constructors_validate():
    with pytest.raises(PeriodError):
        Period.month(2026, 0)
    with pytest.raises(PeriodError):
        Period.quarter(2026, 5)
    with pytest.raises(PeriodError):
        Period.of_year(10000)


@pytest.mark.parametrize(
    ("d", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 12, 31), -3, date(2026, 9, 30)),
        (date(2026, 5, 31), -3, date(2026, 2, 28)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 3, 1), 0, date(2026, 3, 1)),
    ],
)
def test_add_months(d, months, expected):
    assert add_months(d, months) == expected


# ---------------------------------------------------------------- properties
periods = st.one_of(
    st.builds(Period.month, st.integers(1901, 2099), st.integers(1, 12)),
    st.builds(Period.quarter, st.integers(1901, 2099), st.integers(1, 4)),
    st.builds(Period.of_year, st.integers(1901, 2099)),
)


@given(periods)
def test_roundtrip_and_adjacency(p):
    assert parse_period(str(p)) == p
    assert p.start <= p.end
    assert p.previous().end.toordinal() + 1 == p.start.toordinal()
    assert p.next().start.toordinal() - 1 == p.end.toordinal()
    assert p.shift(5).shift(-5) == p


@given(
    st.sampled_from(["month", "quarter", "year"]), st.dates(date(1901, 1, 1), date(2099, 12, 31))
)
def test_period_of_contains(kind, d):
    p = period_of(kind, d)
    assert p.kind == kind
    assert period_contains(p, d)
    assert not period_contains(p.previous(), d)
    assert not period_contains(p.next(), d)


@given(periods, st.integers(0, 30))
def test_previous_periods_chain(p, n):
    got = previous_periods(p, n, include_self=True)
    assert len(got) == n + 1
    assert got[-1] == p
    for a, b in itertools.pairwise(got):
        assert a.next() == b
