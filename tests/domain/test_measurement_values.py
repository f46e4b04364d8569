"""saas.domain.measurements: which indicators a period asks for, reading typed values,
and all-or-nothing row validation."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saas.domain.measurements import (
    IndicatorSpec,
    due_in,
    map_headers,
    parse_flag,
    parse_value,
    unit_suffix,
    validate_rows,
)
from saas.domain.scoring import NOT_APPLICABLE

DUE = {"VIOL": IndicatorSpec("VIOL", "lower_better", "%"),
       "MOCK": IndicatorSpec("MOCK", "boolean", "yes/no"),
       "COUNT": IndicatorSpec("COUNT", "lower_better", "count")}


@pytest.mark.parametrize(("frequency", "month", "quarter", "year"), [
    ("monthly", True, True, True), ("quarterly", False, True, True),
    ("annual", False, False, True), ("weekly", False, False, False),
])
def test_due_in(frequency, month, quarter, year):
    assert [due_in(frequency, k) for k in ("month", "quarter", "year")] == [month, quarter, year]


@pytest.mark.parametrize(("raw", "value"), [
    ("0.45", 0.45), (" 0.45 ", 0.45), ("45%", 45.0), (3, 3.0),
    ("０．５", 0.5), ("", None), (None, None), ("   ", None),
    ("不适用", NOT_APPLICABLE), ("N/A", NOT_APPLICABLE),
])
def test_parse_numbers(raw, value):
    assert parse_value("lower_better", "%", raw) == value or (
        value is NOT_APPLICABLE and parse_value("lower_better", "%", raw) is NOT_APPLICABLE)


def test_thousands_separators():
    assert parse_value("lower_better", "元", "1,234.5") == 1234.5


@pytest.mark.parametrize("raw", ["abc", "1.2.3", True, "nan", "inf", 1e13, [1], "九十"])
def test_parse_refuses_what_is_not_a_number(raw):
    with pytest.raises(ValueError):
        parse_value("higher_better", "%", raw)


@pytest.mark.parametrize(("unit", "raw", "refusal"), [
    ("%", -0.1, "不能小于 0|应在 0 到 100 之间"), ("%", "100.5%", "应在 0 到 100 之间"),
    ("count", -1, "不能小于 0"), ("件", -1, "不能小于 0"), ("元", -0.01, "不能小于 0"),
    ("天", -3, "不能小于 0"), ("自定义单位", -1, "不能小于 0"),
])
def test_a_value_outside_its_unit_range_is_refused(unit, raw, refusal):
    with pytest.raises(ValueError, match=refusal):
        parse_value("lower_better", unit, raw)


def test_an_indicator_widens_its_range_with_its_own_bounds():
    """A growth rate (增幅) may fall, or more than double."""
    assert parse_value("lower_better", "%", -12.5, value_min=-100) == -12.5
    assert parse_value("lower_better", "%", 250, value_max=1000) == 250
    with pytest.raises(ValueError, match="应在 -100 到 100 之间"):
        parse_value("lower_better", "%", 101, value_min=-100)
    assert parse_value("lower_better", "%", 0) == 0.0 and parse_value("higher_better", "%", 100) == 100


def test_a_range_refusal_names_the_indicator():
    due = {"RATE": IndicatorSpec("RATE", "higher_better", "%", "培训覆盖率")}
    errors = validate_rows([("row 2", {"indicator_code": "RATE", "value": 120})], due).errors
    assert errors == {"row 2": ["培训覆盖率：应在 0 到 100 之间"]}


@pytest.mark.parametrize(("raw", "value"), [
    (True, True), (False, False), ("是", True), ("否", False), ("YES", True), ("no", False),
    (1, True), (0, False), ("达标", True), ("√", True), ("×", False),
])
def test_parse_booleans(raw, value):
    assert parse_value("boolean", "yes/no", raw) is value


@pytest.mark.parametrize("raw", ["maybe", 2, 0.5])
def test_parse_refuses_other_booleans(raw):
    with pytest.raises(ValueError, match="是"):
        parse_value("boolean", "yes/no", raw)


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_numbers_round_trip_through_text(x):
    assert math.isclose(parse_value("higher_better", "%", repr(x), -1e9, 1e9), x)


def test_flags():
    assert parse_flag(None) is False and parse_flag("") is False
    assert parse_flag("是") is True and parse_flag("否") is False and parse_flag(True) is True
    with pytest.raises(ValueError):
        parse_flag("也许")


def test_validate_collects_every_bad_row():
    result = validate_rows([
        ("row 2", {"indicator_code": "VIOL", "value": "0.3", "note": " 抽查 "}),
        ("row 3", {"indicator_code": "VIOL", "value": "0.4"}),
        ("row 4", {"indicator_code": "NOPE", "value": 1}),
        ("row 5", {"indicator_code": "", "value": 1}),
        ("row 6", {"indicator_code": "MOCK", "value": "maybe"}),
        ("row 7", {"indicator_code": "COUNT", "value": 2, "not_applicable": "是"}),
    ], DUE)
    assert list(result.errors) == ["row 3", "row 4", "row 5", "row 6"]
    assert "重复" in result.errors["row 3"][0] and "NOPE" in result.errors["row 4"][0]
    first, count = result.rows
    assert (first.label, first.value, first.note, first.evidence_ids) == ("row 2", 0.3, "抽查",
                                                                          None)
    assert (count.not_applicable, count.value) == (True, None)


def test_not_applicable_word_in_the_value_column():
    result = validate_rows([("r", {"indicator_code": "VIOL", "value": "不适用"})], DUE)
    assert not result.errors and result.rows[0].not_applicable and result.rows[0].value is None


def test_too_many_rows():
    rows = [(f"row {i}", {"indicator_code": "VIOL", "value": 1}) for i in range(1001)]
    assert list(validate_rows(rows, DUE).errors) == ["rows"]


def test_headers():
    assert map_headers(["指标编码", "名称", "数值", "备注"]) == {
        "indicator_code": 0, "value": 2, "note": 3}
    assert map_headers(["Indicator_Code", "VALUE", "not_applicable"]) == {
        "indicator_code": 0, "value": 1, "not_applicable": 2}
    with pytest.raises(ValueError, match="数值"):
        map_headers(["指标编码", "备注"])


def test_unit_suffix():
    assert [unit_suffix(u) for u in ("%", "CNY", "count", "yes/no")] == ["%", "元", "", ""]
