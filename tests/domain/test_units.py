"""saas.domain.units: the unit a bureau writes, its kind, and the range it allows."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saas.domain.units import KIND_RANGES, KINDS, UNIT_KINDS, kind_of, value_range, within


@pytest.mark.parametrize(("unit", "kind"), [
    ("%", "ratio"), ("％", "ratio"), ("件", "count"), ("次", "count"), ("人次", "count"),
    ("人", "count"), ("元", "money"), ("万元", "money"), ("CNY", "money"), ("天", "duration"),
    ("小时", "duration"), ("hours", "duration"), ("分", "score"), ("是/否", "boolean"),
    ("yes/no", "boolean"), (" 件 ", "count"), ("床日", "count"), ("", "count"), (None, "count"),
])
def test_kind_of_a_unit(unit, kind):
    assert kind_of(unit) == kind


def test_every_kind_has_a_range_and_every_unit_a_kind():
    assert set(KIND_RANGES) == set(KINDS) and set(UNIT_KINDS.values()) <= set(KINDS)


def test_ranges():
    assert value_range("%") == (0, 100)
    assert value_range("件") == (0, None)
    assert value_range("是/否") == (None, None)
    assert value_range("%", value_min=-100) == (-100, 100)
    assert value_range("%", value_max=500) == (0, 500)
    assert value_range("元", -50, 50) == (-50, 50)


@given(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(sorted(UNIT_KINDS)))
def test_within_agrees_with_the_bounds(value, unit):
    low, high = value_range(unit)
    assert within(value, (low, high)) == ((low is None or value >= low) and
                                           (high is None or value <= high))
