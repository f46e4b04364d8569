"""saas.domain.barometer: rank groups, bottom-n with its small-field rule, consecutive
flags, the monthly barometer and the annual combination of periods."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saas.domain.barometer import (
    AnnualRules,
    BarometerRules,
    annual_result,
    flags,
    in_bottom,
    in_bottom_by_counts,
    month_totals,
    monthly_barometer,
    rank_kinds,
)
from saas.domain.periods import parse_period
from saas.domain.scoring import bottom_n


def test_rank_groups():
    assert rank_kinds("self") == ("self",)
    assert rank_kinds("flight") == ("routine", "special", "flight", "random")
    assert rank_kinds("annual") == ("annual",)
    assert rank_kinds("mock") == ()


def test_rules_from_settings():
    assert BarometerRules.from_settings(None) == BarometerRules()
    rules = BarometerRules.from_settings({"barometer": {"bottom_n": 5, "unknown": 1}})
    assert rules.bottom_n == 5 and rules.bottom_run == 3
    assert AnnualRules.from_settings({"annual": {"points_per_deduction": 2}}) \
        .points_per_deduction == 2.0


def test_in_bottom():
    totals = {"a": 50, "b": 60, "c": 70, "d": 80, "e": None}
    assert [in_bottom(totals, k, 3) for k in "abcde"] == [True, True, True, False, False]
    three = {"a": 50, "b": 60, "c": 70}
    assert not any(in_bottom(three, k, 3) for k in three)  # everyone is not a bottom


@given(st.dictionaries(st.integers(0, 20), st.one_of(st.none(), st.integers(0, 100))),
       st.integers(1, 5))
def test_in_bottom_agrees_with_bottom_n_on_big_fields(totals, n):
    known = sum(t is not None for t in totals.values())
    for key in totals:
        expected = known > n and key in bottom_n(totals, n)
        assert in_bottom(totals, key, n) == expected


@given(st.dictionaries(st.integers(0, 20), st.one_of(st.none(), st.integers(0, 100))),
       st.integers(0, 5))
def test_in_bottom_by_counts_is_in_bottom(totals, n):
    """The counts the scorecard reads in SQL give the rule's answer."""
    for key, own in totals.items():
        others = [t for k, t in totals.items() if k != key and t is not None]
        below = sum(own is not None and t < own for t in others)
        assert in_bottom_by_counts(own, len(others), below, n) == in_bottom(totals, key, n)


def test_flags():
    rules = BarometerRules()
    assert flags(bottom_history=[True, True], fail_history=[], barometer="normal",
                 rules=rules) == []
    codes = [f["code"] for f in flags(bottom_history=[False, True, True, True],
                                      fail_history=[True, True],
                                      barometer="special_rectification", rules=rules)]
    assert codes == ["assistance", "interview", "special_rectification"]
    assert flags(bottom_history=[True, False, True], fail_history=[True, False],
                 barometer="excellent", rules=rules) == []


@pytest.mark.parametrize(("total", "state"), [
    (None, None), (80, "excellent"), (79.99, "normal"), (60, "normal"),
    (59.99, "special_rectification"),
])
def test_monthly_barometer(total, state):
    assert monthly_barometer(total, BarometerRules()) == state


def test_month_totals_quarters_cover_three_months_months_win():
    totals = {parse_period("2026-Q1"): 60, parse_period("2026-02"): 90,
              parse_period("2026-Q3"): None, parse_period("2025-12"): 10,
              parse_period("2026"): 50}
    assert month_totals(2026, totals) == {1: 60, 2: 90, 3: 60}


def test_annual_result():
    totals = {parse_period("2026-01"): 100, parse_period("2026-02"): 80,
              parse_period("2026-Q2"): 60}
    assert annual_result(2026, totals, 10.5) == 61.5
    assert annual_result(2026, totals, 10.5, AnnualRules(points_per_deduction=2)) == 51.0
    assert annual_result(2026, {}, 3) is None
    assert annual_result(2026, totals, 500) == 0.0
