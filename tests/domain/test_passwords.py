"""Password complexity (等保 2.0): at least 12 characters, at least 3 of 4 classes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saas.domain.passwords import character_classes, password_ok, password_problems


@pytest.mark.parametrize("pw", ["Pact-demo-2026", "Abcdefghijk1", "abcdefghij1!", "ABCDEFGHIJ1!", "Ab!Ab!Ab!Ab!"])
def test_acceptable_passwords(pw):
    assert password_problems(pw) == []
    assert password_ok(pw)


def test_too_short():
    problems = password_problems("Ab1!")
    assert len(problems) == 1
    assert "至少 12 位" in problems[0] and "当前 4 位" in problems[0]


@pytest.mark.parametrize("pw", ["abcdefghijkl", "abcdefghijk1", "ABCDEFGHIJKL", "123456789012", "!!!!!!!!!!!!"])
def test_too_few_classes(pw):
    problems = password_problems(pw)
    assert len(problems) == 1
    assert "3 类" in problems[0]


def test_both_problems_reported():
    assert len(password_problems("abc")) == 2


def test_empty_and_non_text():
    assert len(password_problems("")) == 2
    assert password_problems(12345678) == ["密码必须是文本（在 YAML 中请加引号）"]
    assert password_problems(None)


def test_configurable_policy():
    assert password_problems("abcdefgh", min_length=8, min_classes=1) == []
    assert password_problems("Abcdefg1", min_length=12)
    assert password_problems("Abcdefg1", min_length=8) == []
    assert password_problems("Abcdefg1", min_classes=4)
    assert password_problems("Abcdef1!", min_length=8, min_classes=4) == []


def test_invalid_policy_is_a_programming_error():
    with pytest.raises(ValueError):
        password_problems("x", min_length=0)
    with pytest.raises(ValueError):
        password_problems("x", min_classes=5)


def test_character_classes():
    assert character_classes("aA1!") == {"lower", "upper", "digit", "symbol"}
    assert character_classes("医保abc") == {"lower", "symbol"}  # CJK counts as a symbol
    assert character_classes("   ") == set()


def test_password_never_echoed():
    secret = "zzzzzzz"
    assert all(secret not in p for p in password_problems(secret))


@given(st.text(min_size=0, max_size=30))
def test_problems_match_the_rule(pw):
    ok = len(pw) >= 12 and len(character_classes(pw)) >= 3
    assert (password_problems(pw) == []) == ok
