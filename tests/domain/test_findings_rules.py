"""saas.domain.findings: categories with pinyin-initial codes, the state machine, amounts."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saas.domain.findings import (
    CATEGORIES,
    CATEGORY_CODES,
    indicator_description,
    is_self_reported,
    next_state,
    short_code,
    yuan_to_fen,
)
from saas.domain.lifecycle import TransitionError


def test_every_category_of_the_domain_brief():
    names = {c.label_zh for c in CATEGORIES.values()}
    assert names == {"分解住院", "挂床住院", "重复收费", "超标准收费", "串换项目", "超量开药",
                     "目录外未告知", "冒名就医", "虚构服务", "其他"}
    assert len(CATEGORY_CODES) == 10


def test_short_codes_are_unique_lowercase_pinyin_initials():
    shorts = [c.short for c in CATEGORIES.values()]
    assert len(set(shorts)) == len(shorts)
    assert all(s.isascii() and s.isalpha() and s.islower() for s in shorts)
    assert short_code("split_admission") == "fjzy"
    assert short_code("duplicate_charge") == "cfsf"
    assert all(len(c.short) == len(c.label_zh) for c in CATEGORIES.values())
    with pytest.raises(ValueError):
        short_code("theft")


def test_state_machine():
    assert next_state("draft", "confirm") == "confirmed"
    assert next_state("draft", "dismiss") == "dismissed"
    assert next_state("confirmed", "dismiss") == "dismissed"  # 复核不成立
    for state, action in (("confirmed", "confirm"), ("dismissed", "confirm"),
                          ("dismissed", "dismiss")):
        with pytest.raises(TransitionError, match="不能"):
            next_state(state, action)


def test_self_reported_only_for_self_inspections():
    assert is_self_reported("self")
    assert not any(is_self_reported(k) for k in ("mock", "routine", "flight", "annual"))


def test_indicator_description():
    text = indicator_description("违规费用占比", 0.8, 0.5, "%", "lower_better")
    assert text == "指标「违规费用占比」未达标：实际值 0.8%，协议目标 ≤ 0.5%"
    assert "≥ 90分" in indicator_description("满意度", 80.0, 90.0, "score", "higher_better")
    assert "未完成" in indicator_description("模拟检查", False, None, "yes/no", "boolean")


@pytest.mark.parametrize(("text", "fen"), [
    ("", 0), (None, 0), ("0", 0), ("12", 1200), ("12.3", 1230), ("12.34", 1234),
    ("1,234.50", 123450), ("88元", 8800), (" 5 ", 500),
])
def test_yuan_to_fen(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["abc", "-1", "1.234", "1e400", "NaN", "1000000000000.01"])
def test_yuan_to_fen_refuses(text):
    with pytest.raises(ValueError):
        yuan_to_fen(text)


@given(st.integers(min_value=0, max_value=10**14))
def test_fen_round_trip(fen):
    assert yuan_to_fen(f"{fen // 100}.{fen % 100:02d}") == fen
