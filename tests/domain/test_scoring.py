"""Tests for saas.domain.scoring (三色预警, 平衡计分卡, 年度考核, 排名, 晴雨表)."""

from __future__ import annotations

import copy
import math
import pickle
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from saas.domain.scoring import (
    DEFAULT_WEIGHTS,
    NOT_APPLICABLE,
    PERSPECTIVES,
    GradeBands,
    IndicatorRule,
    IndicatorScore,
    Scorecard,
    annual_total,
    bottom_n,
    consecutive_flag,
    grade_for,
    hundredths,
    peer_key,
    rank,
    rank_in_groups,
    score_indicator,
    score_scorecard,
)

# 违规费用占比 ≤ 0.5 %, 预警线 0.4 %, zero line 1.0 % (seed 001 / contract example)
VIOL = IndicatorRule("VIOL-RATIO", "financial", "lower_better", 0.5, 0.4, 1.0, 10)
# 电子凭证覆盖率 ≥ 98 %, warning 99 %, zero 90 %
ECERT = IndicatorRule("ECERT", "patient", "higher_better", 98, 99, 90, 8)
# 培训覆盖率: yes/no
TRAIN = IndicatorRule("TRAIN", "learning", "boolean", None, None, None, 5)


def rule(code="X", perspective="financial", direction="lower_better", target=0.5,
         warning=None, zero=None, max_points=10):
    return IndicatorRule(code, perspective, direction, target, warning, zero, max_points)


# --------------------------------------------------------------------------- sentinel


def test_not_applicable_is_a_singleton_with_repr():
    assert repr(NOT_APPLICABLE) == "NOT_APPLICABLE"
    assert copy.copy(NOT_APPLICABLE) is NOT_APPLICABLE
    assert copy.deepcopy(NOT_APPLICABLE) is NOT_APPLICABLE
    assert pickle.loads(pickle.dumps(NOT_APPLICABLE)) is NOT_APPLICABLE
    assert type(NOT_APPLICABLE)() is NOT_APPLICABLE
    assert NOT_APPLICABLE is not None


# --------------------------------------------------------------------------- lower_better


@pytest.mark.parametrize(
    ("value", "score", "color"),
    [
        (0.0, 10, "green"),
        (0.3, 10, "green"),
        (0.4, 10, "green"),        # exactly at the warning line: not past it
        (0.4000001, 10, "yellow"),  # just past the warning line
        (0.45, 10, "yellow"),
        (0.5, 10, "yellow"),       # exactly at target: meets it
        (0.6, 8, "red"),           # 10 * (1.0 - 0.6) / 0.5
        (0.75, 5, "red"),
        (0.9, 2, "red"),
        (1.0, 0, "red"),           # exactly at the zero line
        (1.2, 0, "red"),           # beyond it
        (-3.0, 10, "green"),
    ],
)
def test_lower_better_worked_cases(value, score, color):
    s = score_indicator(VIOL, value)
    assert s.score == pytest.approx(score)
    assert s.color == color
    assert s.status == "scored"
    assert s.max_points == 10
    assert s.code == "VIOL-RATIO"
    assert s.value == value


def test_lower_better_just_outside_target_and_just_inside_zero():
    # a missed target is red even where the points still round to full (9.99999…)
    just_out = score_indicator(VIOL, 0.5000001)
    assert (just_out.color, just_out.score) == ("red", 10.0)
    assert score_indicator(VIOL, 0.501).score == 9.98          # 9.98 exactly
    near_zero = score_indicator(VIOL, 0.9995)                  # 0.01 points
    assert (near_zero.color, near_zero.score) == ("red", 0.01)
    assert score_indicator(VIOL, 0.9996).score == 0.01         # 0.008 -> 0.01
    assert score_indicator(VIOL, 0.9998).score == 0.0          # 0.004 -> 0.00


@pytest.mark.parametrize(("value", "score"), [
    (0.6, 6.67),     # 10 * 0.2 / 0.3 = 6.666… -> 6.67
    (0.65, 5.0),     # 10 * 0.15 / 0.3 = 5
    (0.7, 3.33),     # 3.333… -> 3.33
    (0.799, 0.03),   # 0.0333… -> 0.03
])
def test_points_are_kept_to_hundredths_half_up(value, score):
    s = score_indicator(rule(target=0.5, zero=0.8, max_points=10), value)
    assert s.score == score


def test_hundredths_round_half_up_as_float_operations():
    assert [hundredths(x) for x in (0.125, 2.675, 0.005, 1.0, 0.0)] == [13, 268, 1, 100, 0]
    assert hundredths(8.3349999) == 833


# --------------------------------------------------------------------------- higher_better


@pytest.mark.parametrize(
    ("value", "score", "color"),
    [
        (100, 8, "green"),
        (99.5, 8, "green"),
        (99, 8, "green"),        # exactly at the warning line
        (98.9999, 8, "yellow"),  # just past it
        (98.5, 8, "yellow"),
        (98, 8, "yellow"),       # exactly at target
        (97, 7, "red"),          # 8 * (97 - 90) / 8
        (94, 4, "red"),
        (91, 1, "red"),
        (90, 0, "red"),          # exactly at the zero line
        (85, 0, "red"),
        (-1, 0, "red"),
    ],
)
def test_higher_better_worked_cases(value, score, color):
    s = score_indicator(ECERT, value)
    assert s.score == pytest.approx(score)
    assert s.color == color
    assert s.status == "scored"


def test_higher_better_just_outside_target_and_just_inside_zero():
    just_out = score_indicator(ECERT, 97.9999)
    assert (just_out.color, just_out.score) == ("red", 8.0)    # 7.9999 -> 8.00
    assert score_indicator(ECERT, 97.99).score == 7.99
    assert score_indicator(ECERT, 90.01).score == 0.01
    assert score_indicator(ECERT, 90.0001).score == 0.0


def test_int_values_are_scored_as_floats():
    s = score_indicator(ECERT, 94)
    assert isinstance(s.value, float)
    assert isinstance(s.score, float)


# --------------------------------------------------------------------------- optional lines


@pytest.mark.parametrize("direction", ["lower_better", "higher_better"])
def test_no_warning_line_is_never_yellow(direction):
    r = rule(direction=direction, target=50, warning=None, zero=None)
    assert score_indicator(r, 50).color == "green"
    better = 10 if direction == "lower_better" else 90
    assert score_indicator(r, better).color == "green"


def test_no_zero_line_is_a_step():
    r = rule(target=0.5, warning=0.4, zero=None, max_points=6)
    assert score_indicator(r, 0.5).score == 6
    s = score_indicator(r, 0.5000001)
    assert (s.score, s.color) == (0.0, "red")
    h = rule(direction="higher_better", target=100, zero=None, max_points=6)
    assert score_indicator(h, 100).score == 6
    assert score_indicator(h, 99.99).score == 0.0


@pytest.mark.parametrize(("direction", "zero"), [("lower_better", 0.5), ("lower_better", 0.3),
                                                 ("higher_better", 0.5),
                                                 ("higher_better", 0.7)])
def test_zero_line_not_beyond_target_is_a_step(direction, zero):
    r = rule(direction=direction, target=0.5, zero=zero)
    assert score_indicator(r, 0.5).score == 10
    worse = 0.6 if direction == "lower_better" else 0.4
    assert score_indicator(r, worse).score == 0.0


def test_warning_line_on_the_wrong_side_never_turns_yellow():
    r = rule(target=0.5, warning=0.6, zero=1.0)
    assert score_indicator(r, 0.5).color == "green"
    assert score_indicator(r, 0.55).color == "red"


def test_zero_max_points():
    r = rule(target=0.5, zero=1.0, max_points=0)
    assert score_indicator(r, 0.7).score == 0.0
    assert score_indicator(r, 0.1).score == 0.0


# --------------------------------------------------------------------------- boolean


@pytest.mark.parametrize(("value", "score", "color"), [
    (True, 5, "green"), (1, 5, "green"), (1.0, 5, "green"),
    (False, 0, "red"), (0, 0, "red"), (0.0, 0, "red"),
])
def test_boolean(value, score, color):
    s = score_indicator(TRAIN, value)
    assert (s.score, s.color, s.status) == (score, color, "scored")
    assert s.value == value


# --------------------------------------------------------------------------- missing / n.a.


@pytest.mark.parametrize("r", [VIOL, ECERT, TRAIN])
def test_missing(r):
    s = score_indicator(r, None)
    assert s == IndicatorScore(r.code, None, None, r.max_points, "no_data", "missing")


def test_nan_is_missing():
    assert score_indicator(VIOL, float("nan")).status == "missing"


@pytest.mark.parametrize("r", [VIOL, ECERT, TRAIN])
def test_not_applicable(r):
    s = score_indicator(r, NOT_APPLICABLE)
    assert s.value is NOT_APPLICABLE
    assert (s.score, s.color, s.status) == (None, "no_data", "not_applicable")


# --------------------------------------------------------------------------- rule validation


@pytest.mark.parametrize("kwargs", [
    {"perspective": "customer"},
    {"direction": "equal"},
    {"target": None},
    {"direction": "higher_better", "target": None},
    {"max_points": -1},
])
def test_invalid_rules(kwargs):
    with pytest.raises(ValueError):
        rule(**kwargs)


def test_rules_are_frozen():
    with pytest.raises(AttributeError):
        VIOL.target = 1  # type: ignore[misc]


# --------------------------------------------------------------------------- grades


@pytest.mark.parametrize(("total", "grade"), [
    (0, "fail"), (59.99, "fail"), (60, "basic"), (74.99, "basic"), (75, "pass"),
    (89.99, "pass"), (90, "excellent"), (100, "excellent"), (None, None),
])
def test_default_grade_boundaries(total, grade):
    assert grade_for(total, GradeBands()) == grade
    assert grade_for(total) == grade


def test_custom_grade_bands_and_from_mapping():
    bands = GradeBands.from_mapping({"excellent": 95, "pass": 80, "basic": 70})
    assert bands == GradeBands(excellent=95, pass_=80, basic=70)
    assert [grade_for(t, bands) for t in (69.99, 70, 79.99, 80, 94.99, 95)] == [
        "fail", "basic", "basic", "pass", "pass", "excellent"]
    assert GradeBands.from_mapping(None) == GradeBands()
    assert GradeBands.from_mapping({"basic": 50}) == GradeBands(90, 75, 50)


def test_grade_bands_must_be_ordered():
    with pytest.raises(ValueError):
        GradeBands(excellent=70, pass_=75, basic=60)
    with pytest.raises(ValueError):
        GradeBands(excellent=90, pass_=50, basic=60)


def test_defaults():
    assert DEFAULT_WEIGHTS == {"financial": 25, "patient": 25, "process": 25, "learning": 25}
    assert GradeBands() == GradeBands(excellent=90, pass_=75, basic=60)
    assert PERSPECTIVES == ("financial", "patient", "process", "learning")


# --------------------------------------------------------------------------- scorecard

VIOL2 = IndicatorRule("VIOL2", "financial", "higher_better", 98, 99, 90, 10)
MISSING = IndicatorRule("PROC", "process", "lower_better", 24, 20, 48, 10)
NA = IndicatorRule("LEARN", "learning", "higher_better", 100, None, 80, 10)
CARD_RULES = [VIOL, VIOL2, TRAIN, MISSING, NA]
CARD_VALUES = {"VIOL-RATIO": 0.75, "VIOL2": 100, "TRAIN": True, "LEARN": NOT_APPLICABLE}
# TRAIN is a learning indicator, so learning = 100, patient has no rule at all


def test_scorecard_worked_example():
    card = score_scorecard(CARD_RULES, CARD_VALUES)
    # financial: (5 + 10) / (10 + 10) = 75; learning: 5/5 (LEARN n.a.) = 100
    assert card.perspectives == {"financial": 75.0, "patient": None, "process": None,
                                 "learning": 100.0}
    assert card.total == 87.5          # (75*25 + 100*25) / 50
    assert card.grade == "pass"
    # applicable: VIOL, VIOL2, TRAIN, PROC (missing) -> 3/4
    assert card.completeness == 0.75
    assert [s.code for s in card.indicators] == [r.code for r in CARD_RULES]
    assert [s.status for s in card.indicators] == [
        "scored", "scored", "scored", "missing", "not_applicable"]
    assert [s.color for s in card.indicators] == ["red", "green", "green", "no_data",
                                                  "no_data"]


def test_scorecard_weights_renormalised_over_perspectives_with_data():
    weights = {"financial": 30, "patient": 10, "process": 50, "learning": 10}
    card = score_scorecard(CARD_RULES, CARD_VALUES, weights=weights)
    assert card.total == pytest.approx((75 * 30 + 100 * 10) / 40)   # 81.25
    assert card.grade == "pass"
    heavy = score_scorecard(CARD_RULES, CARD_VALUES,
                            weights={"financial": 1, "learning": 3})
    assert heavy.total == pytest.approx((75 + 300) / 4)             # 93.75
    assert heavy.grade == "excellent"


def test_scorecard_all_four_perspectives():
    rules = [rule("F", "financial", target=1, zero=2), rule("P", "patient", target=1, zero=2),
             rule("I", "process", target=1, zero=2), rule("L", "learning", target=1, zero=2)]
    values = {"F": 1, "P": 1.5, "I": 2, "L": 1.25}
    card = score_scorecard(rules, values, weights={"financial": 40, "patient": 20,
                                                   "process": 20, "learning": 20})
    assert card.perspectives == {"financial": 100.0, "patient": 50.0, "process": 0.0,
                                 "learning": 75.0}
    assert card.total == pytest.approx(40 + 10 + 0 + 15)
    assert card.grade == "basic"
    assert card.completeness == 1.0


def test_scorecard_weight_of_zero_and_missing_weight_key():
    rules = [rule("F", "financial", target=1, zero=2), rule("L", "learning", target=1, zero=2)]
    values = {"F": 1, "L": 2}
    assert score_scorecard(rules, values, weights={"financial": 0, "learning": 1}).total == 0
    assert score_scorecard(rules, values, weights={"financial": 1}).total == 100
    only_zero = score_scorecard(rules, {"F": 1}, weights={"financial": 0, "learning": 1})
    assert only_zero.total is None
    assert only_zero.grade is None
    assert only_zero.perspectives["financial"] == 100


def test_scorecard_rounds_totals_to_two_decimals():
    rules = [rule("A", max_points=1, zero=None), rule("B", max_points=1, zero=None),
             rule("C", max_points=1, zero=None)]
    card = score_scorecard(rules, {"A": 0, "B": 1, "C": 1})
    assert card.perspectives["financial"] == 33.33
    assert card.total == 33.33
    assert card.grade == "fail"


def test_grade_uses_the_rounded_total():
    rules = [rule("A", target=0, zero=1, max_points=100000)]
    card = score_scorecard(rules, {"A": 0.100001})   # 89.9999 % -> shown as 90.0
    assert card.total == 90.0
    assert card.grade == "excellent"


def test_scorecard_nothing_scored():
    card = score_scorecard(CARD_RULES, {})
    assert card.total is None and card.grade is None
    assert card.perspectives == dict.fromkeys(PERSPECTIVES)
    assert card.completeness == 0.0
    empty = score_scorecard([], {})
    assert (empty.total, empty.grade, empty.completeness) == (None, None, 1.0)
    assert empty.perspectives == dict.fromkeys(PERSPECTIVES)
    all_na = score_scorecard([VIOL, TRAIN], {"VIOL-RATIO": NOT_APPLICABLE,
                                             "TRAIN": NOT_APPLICABLE})
    assert (all_na.total, all_na.completeness) == (None, 1.0)


def test_scorecard_perspective_with_only_zero_point_indicators_is_none():
    card = score_scorecard([rule("Z", max_points=0, zero=1)], {"Z": 0.1})
    assert card.perspectives["financial"] is None
    assert card.total is None


def test_scorecard_custom_bands():
    card = score_scorecard(CARD_RULES, CARD_VALUES, bands=GradeBands(95, 85, 70))
    assert (card.total, card.grade) == (87.5, "pass")
    card = score_scorecard(CARD_RULES, CARD_VALUES, bands=GradeBands(95, 90, 70))
    assert card.grade == "basic"


def test_scorecard_rejects_duplicate_codes_and_negative_weights():
    with pytest.raises(ValueError):
        score_scorecard([VIOL, VIOL], {})
    with pytest.raises(ValueError):
        score_scorecard([VIOL], {}, weights={"financial": -1})


def test_scorecard_accepts_any_iterable_of_rules():
    card = score_scorecard(iter(CARD_RULES), CARD_VALUES)
    assert card.total == 87.5


def test_scorecard_to_dict_contract_shape():
    d = score_scorecard(CARD_RULES, CARD_VALUES).to_dict()
    assert set(d) >= {"total", "grade", "perspectives", "indicators"}
    assert set(d["perspectives"]) == set(PERSPECTIVES)
    first = d["indicators"][0]
    assert set(first) >= {"code", "value", "score", "max_points", "color"}
    assert first == {"code": "VIOL-RATIO", "value": 0.75, "score": pytest.approx(5),
                     "max_points": 10, "color": "red", "status": "scored"}
    assert d["indicators"][-1]["value"] is None
    assert isinstance(score_scorecard([], {}), Scorecard)


# --------------------------------------------------------------------------- annual total


def test_annual_total():
    assert annual_total([80, 90, None], 3) == 82
    assert annual_total([80, 90], 3, points_per_deduction=2) == 79
    assert annual_total([80, 90], 0) == 85
    assert annual_total([5.0], 10) == 0.0
    assert annual_total([None, None], 3) is None
    assert annual_total([], 0) is None
    assert annual_total([70, 80, 81], 0) == 77.0
    assert annual_total([70, 70, 71], 0) == 70.33


# --------------------------------------------------------------------------- ranking


def test_rank_competition_with_ties_and_none():
    totals = {"a": 90, "b": 80, "c": 80, "d": 70, "e": None, "f": 95.5}
    assert rank(totals) == {"f": 1, "a": 2, "b": 3, "c": 3, "d": 5, "e": None}
    assert rank({"a": 1, "b": 1, "c": 1}) == {"a": 1, "b": 1, "c": 1}
    assert rank({"x": None}) == {"x": None}
    assert rank({}) == {}


def test_peer_key():
    assert peer_key("hospital", "二级") == ("hospital", "二级")
    assert peer_key("pharmacy", None) == ("pharmacy", None)
    assert peer_key("clinic", "") == peer_key("clinic", None)
    assert peer_key("hospital", "二级") != peer_key("hospital", "三级")


def test_rank_in_groups():
    totals = {"h1": 90, "h2": 80, "h3": 80, "t1": 95, "p1": 60, "p2": None, "x": 50}
    group_of = {"h1": peer_key("hospital", "二级"), "h2": peer_key("hospital", "二级"),
                "h3": peer_key("hospital", "二级"), "t1": peer_key("hospital", "三级"),
                "p1": peer_key("pharmacy", None), "p2": peer_key("pharmacy", None)}
    assert rank_in_groups(totals, group_of) == {
        "h1": 1, "h2": 2, "h3": 2, "t1": 1, "p1": 1, "p2": None, "x": 1}
    assert list(rank_in_groups(totals, group_of)) == list(totals)


def test_bottom_n():
    totals = {"a": 90, "b": 80, "c": 70, "d": 70, "e": 60, "f": None}
    assert bottom_n(totals, 3) == {"e", "c", "d"}
    assert bottom_n(totals, 2) == {"e", "c", "d"}       # tie at the boundary
    assert bottom_n(totals, 1) == {"e"}
    assert bottom_n(totals, 4) == {"e", "c", "d", "b"}
    assert bottom_n(totals, 10) == {"a", "b", "c", "d", "e"}
    assert bottom_n(totals, 0) == set()
    assert bottom_n({"f": None}, 3) == set()
    assert bottom_n({}, 3) == set()


def test_consecutive_flag():
    assert consecutive_flag([True, True, True], 3)
    assert consecutive_flag([False, True, True, True], 3)
    assert not consecutive_flag([True, True, False], 3)
    assert not consecutive_flag([True, False, True], 3)
    assert not consecutive_flag([True, True], 3)
    assert not consecutive_flag([], 1)
    assert consecutive_flag([False, True, True], 2)      # 连续两次检查不达标 → 约谈
    assert consecutive_flag([True], 1)
    with pytest.raises(ValueError):
        consecutive_flag([True], 0)


def test_bottom_three_for_three_months_workflow():
    months = [{"a": 90, "b": 50, "c": 60, "d": 70, "e": 80},
              {"a": 90, "b": 55, "c": 85, "d": 65, "e": 75},
              {"a": 91, "b": 40, "c": 88, "d": 66, "e": 77}]
    history = {k: [k in bottom_n(m, 3) for m in months] for k in months[0]}
    flagged = {k for k, h in history.items() if consecutive_flag(h, 3)}
    assert flagged == {"b", "d"}


# --------------------------------------------------------------------------- properties

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
offset = st.floats(min_value=1e-3, max_value=1e4, allow_nan=False, allow_infinity=False)
# max points and weights are kept to hundredths (templates refuse more decimals)
points = st.integers(min_value=0, max_value=100000).map(lambda n: n / 100)


@st.composite
def numeric_rules(draw, direction=None, perspective=None, code="X"):
    direction = direction or draw(st.sampled_from(["lower_better", "higher_better"]))
    sign = 1 if direction == "lower_better" else -1
    target = draw(finite)
    w = draw(st.none() | offset)
    z = draw(st.none() | offset)
    return IndicatorRule(
        code, perspective or draw(st.sampled_from(PERSPECTIVES)), direction, target,
        None if w is None else target - sign * w,
        None if z is None else target + sign * z,
        draw(points))


@st.composite
def any_rules(draw, perspective=None, code="X"):
    if draw(st.booleans()):
        return IndicatorRule(code, perspective or draw(st.sampled_from(PERSPECTIVES)),
                             "boolean", None, None, None, draw(points))
    return draw(numeric_rules(perspective=perspective, code=code))


def value_for(r):
    if r.direction == "boolean":
        return st.booleans()
    return finite


@st.composite
def cards(draw, min_size=1):
    n = draw(st.integers(min_value=min_size, max_value=8))
    rules = [draw(any_rules(code=f"I{i}")) for i in range(n)]
    values = {}
    for r in rules:
        kind = draw(st.sampled_from(["value", "value", "value", "none", "na", "absent"]))
        if kind == "value":
            values[r.code] = draw(value_for(r))
        elif kind == "none":
            values[r.code] = None
        elif kind == "na":
            values[r.code] = NOT_APPLICABLE
    return rules, values


weights_st = st.fixed_dictionaries(
    {p: st.integers(min_value=0, max_value=10000).map(lambda n: n / 100) for p in PERSPECTIVES})


@given(numeric_rules(direction="lower_better"), finite, finite)
def test_lower_better_is_non_increasing(r, v1, v2):
    lo, hi = sorted((v1, v2))
    assert score_indicator(r, lo).score >= score_indicator(r, hi).score


@given(numeric_rules(direction="higher_better"), finite, finite)
def test_higher_better_is_non_decreasing(r, v1, v2):
    lo, hi = sorted((v1, v2))
    assert score_indicator(r, lo).score <= score_indicator(r, hi).score


@given(st.data())
def test_score_bounded_and_colour_consistent(data):
    r = data.draw(any_rules())
    s = score_indicator(r, data.draw(value_for(r)))
    assert s.status == "scored"
    assert 0 <= s.score <= r.max_points
    assert s.color in {"green", "yellow", "red"}
    if s.color in {"green", "yellow"}:
        assert s.score == r.max_points
    if r.warning is None and r.direction != "boolean":
        assert s.color != "yellow"


@given(numeric_rules(direction="lower_better"), finite)
def test_higher_better_mirrors_lower_better(r, v):
    def neg(x):
        return None if x is None else -x

    mirror = IndicatorRule(r.code, r.perspective, "higher_better", -r.target,
                           neg(r.warning), neg(r.zero), r.max_points)
    a, b = score_indicator(r, v), score_indicator(mirror, -v)
    assert (a.score, a.color) == (b.score, b.color)


@given(numeric_rules(), finite)
def test_meeting_the_target_means_full_points(r, v):
    s = score_indicator(r, v)
    meets = v <= r.target if r.direction == "lower_better" else v >= r.target
    assert (s.color != "red") == meets
    if meets:
        assert s.score == r.max_points


@given(cards(), weights_st, st.randoms(use_true_random=False))
def test_scorecard_does_not_depend_on_the_order_of_the_indicators(card, weights, rnd):
    rules, values = card
    shuffled = list(rules)
    rnd.shuffle(shuffled)
    a, b = score_scorecard(rules, values, weights), score_scorecard(shuffled, values, weights)
    assert (a.total, a.perspectives) == (b.total, b.perspectives)


@given(cards(), weights_st)
def test_perspectives_and_total_are_the_exact_fractions_rounded_half_up(card, weights):
    rules, values = card
    sc = score_scorecard(rules, values, weights)

    def half_up(x: Fraction) -> float:
        return math.floor(x * 100 + Fraction(1, 2)) / 100

    def decimal(x: float) -> Fraction:  # the two-decimal number shown
        return Fraction(round(x * 100), 100)

    exact = {}
    for p in PERSPECTIVES:
        pairs = [(decimal(s.score), decimal(r.max_points)) for r, s in zip(
            rules, sc.indicators, strict=True) if r.perspective == p and s.status == "scored"]
        possible = sum(m for _, m in pairs)
        exact[p] = half_up(sum(e for e, _ in pairs) / possible * 100) if possible else None
    assert sc.perspectives == exact
    shown = [(decimal(weights[p]), decimal(v)) for p, v in sc.perspectives.items()
             if v is not None]
    weight_sum = sum(w for w, _ in shown)
    expected = half_up(sum(w * v for w, v in shown) / weight_sum) if weight_sum else None
    assert sc.total == expected


@given(cards(), weights_st)
def test_total_bounded(card, weights):
    rules, values = card
    sc = score_scorecard(rules, values, weights=weights)
    assert 0 <= sc.completeness <= 1
    assert set(sc.perspectives) == set(PERSPECTIVES)
    for p in sc.perspectives.values():
        assert p is None or 0 <= p <= 100
    if sc.total is not None:
        assert 0 <= sc.total <= 100
        assert sc.grade in {"excellent", "pass", "basic", "fail"}
        assert sc.grade == grade_for(sc.total)
    else:
        assert sc.grade is None


@given(cards(), weights_st, st.sampled_from(PERSPECTIVES),
       st.floats(min_value=0.01, max_value=1000, allow_nan=False))
def test_raising_a_weight_moves_the_total_toward_that_perspective(card, weights, p, extra):
    rules, values = card
    before = score_scorecard(rules, values, weights=weights)
    target = before.perspectives[p]
    assume(target is not None and before.total is not None)
    after = score_scorecard(rules, values, weights={**weights, p: weights[p] + extra})
    tol = 0.011   # total and perspective are each rounded to 2 decimals
    lo, hi = sorted((before.total, target))
    assert lo - tol <= after.total <= hi + tol
    assert abs(after.total - target) <= abs(before.total - target) + tol


@given(cards(), st.data())
def test_missing_and_not_applicable_never_change_the_others(card, data):
    rules, values = card
    before = score_scorecard(rules, values)
    extra = [data.draw(any_rules(code=f"E{i}")) for i in range(data.draw(st.integers(1, 4)))]
    for kind in ("none", "na", "absent"):
        more = dict(values)
        for r in extra:
            if kind == "none":
                more[r.code] = None
            elif kind == "na":
                more[r.code] = NOT_APPLICABLE
        after = score_scorecard(rules + extra, more)
        assert after.indicators[:len(rules)] == before.indicators
        assert after.perspectives == before.perspectives
        assert (after.total, after.grade) == (before.total, before.grade)
        if kind == "na":
            assert after.completeness == before.completeness
        else:
            assert after.completeness <= before.completeness


@given(cards())
def test_indicator_scores_do_not_depend_on_the_card(card):
    rules, values = card
    sc = score_scorecard(rules, values)
    assert sc.indicators == [score_indicator(r, values.get(r.code)) for r in rules]


totals_st = st.dictionaries(st.integers(0, 30),
                            st.none() | st.integers(0, 10).map(float), max_size=15)


@given(totals_st)
def test_rank_is_one_plus_number_strictly_higher(totals):
    ranks = rank(totals)
    assert set(ranks) == set(totals)
    for k, t in totals.items():
        if t is None:
            assert ranks[k] is None
        else:
            assert ranks[k] == 1 + sum(1 for o in totals.values() if o is not None and o > t)


@given(totals_st, st.integers(0, 20))
def test_bottom_n_properties(totals, n):
    chosen = bottom_n(totals, n)
    known = {k for k, t in totals.items() if t is not None}
    assert chosen <= known
    assert len(chosen) >= min(n, len(known))
    for k in chosen:
        for o in known - chosen:
            assert totals[k] < totals[o]


@given(st.lists(st.booleans(), max_size=10), st.integers(1, 5))
def test_consecutive_flag_matches_trailing_run(history, run):
    trailing = 0
    for h in reversed(history):
        if not h:
            break
        trailing += 1
    assert consecutive_flag(history, run) == (trailing >= run)


# ------------------------------------------------------------- perspective contributions


def test_contributions_renormalise_over_perspectives_with_data():
    from saas.domain.scoring import perspective_contributions

    found = perspective_contributions(
        {"financial": 80.0, "patient": 60.0, "process": None, "learning": 100.0},
        {"financial": 40, "patient": 30, "process": 20, "learning": 10})
    assert found["process"] == {"weight": 20.0, "share": 0.0, "contribution": None}
    assert found["financial"]["share"] == 50.0 and found["financial"]["contribution"] == 40.0
    assert found["patient"]["contribution"] == 22.5
    assert found["learning"]["contribution"] == 12.5


@given(st.fixed_dictionaries({p: st.one_of(st.none(), st.floats(0, 100).map(
    lambda x: round(x, 2))) for p in ("financial", "patient", "process", "learning")}),
    st.fixed_dictionaries({p: st.integers(0, 100) for p in ("financial", "patient",
                                                            "process", "learning")}))
def test_contributions_add_up_to_the_total(perspectives, weights):
    from saas.domain.scoring import _weighted_total, hundredths, perspective_contributions

    total = _weighted_total({p: None if s is None else hundredths(s)
                             for p, s in perspectives.items()}, weights)
    parts = [c["contribution"] for c in perspective_contributions(perspectives,
                                                                 weights).values()
             if c["contribution"] is not None]
    if total is None:
        assert parts == []
    else:
        assert abs(sum(parts) - total / 100) <= 0.01 * len(parts)
