import itertools
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saas.domain import lifecycle as lc
from saas.domain.lifecycle import (
    ACTIONS,
    STATES,
    TransitionError,
    allowed_actions,
    bar_until,
    next_state,
    renewal_decision,
    renewal_window_opens,
    rescission_due,
    successor_term,
    suspension_termination_date,
)

END = date(2026, 12, 31)
AFTER_END = date(2027, 1, 1)

# The full expected table: (state, action) -> new state, or None when refused.
EXPECTED = {
    ("draft", "sign"): "active",
    ("draft", "suspend"): None,
    ("draft", "resume"): None,
    ("draft", "rescind"): None,
    ("draft", "expire"): None,
    ("draft", "renew"): None,
    ("active", "sign"): None,
    ("active", "suspend"): "suspended",
    ("active", "resume"): None,
    ("active", "rescind"): "rescinded",
    ("active", "expire"): "expired",
    ("active", "renew"): "active",
    ("suspended", "sign"): None,
    ("suspended", "suspend"): None,
    ("suspended", "resume"): "active",
    ("suspended", "rescind"): "rescinded",
    ("suspended", "expire"): None,
    ("suspended", "renew"): None,
    ("rescinded", "sign"): None,
    ("rescinded", "suspend"): None,
    ("rescinded", "resume"): None,
    ("rescinded", "rescind"): None,
    ("rescinded", "expire"): None,
    ("rescinded", "renew"): None,
    ("expired", "sign"): None,
    ("expired", "suspend"): None,
    ("expired", "resume"): None,
    ("expired", "rescind"): None,
    ("expired", "expire"): None,
    ("expired", "renew"): "expired",
    **{("terminated", action): None
       for action in ("sign", "suspend", "resume", "rescind", "expire", "renew", "terminate")},
    **{(state, "terminate"): None for state in ("draft", "active", "rescinded", "expired")},
    ("suspended", "terminate"): "terminated",
}


def _has_chinese(msg: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in msg)


def test_expected_table_is_complete():
    assert set(EXPECTED) == set(itertools.product(STATES, ACTIONS))
    assert set(STATES) == {"draft", "active", "suspended", "rescinded", "expired",
                           "terminated"}
    assert set(ACTIONS) == {"sign", "suspend", "resume", "rescind", "expire", "renew",
                            "terminate"}


@pytest.mark.parametrize(("state", "action"), sorted(EXPECTED))
def test_every_state_action_pair(state, action):
    expected = EXPECTED[(state, action)]
    if expected is None:
        with pytest.raises(TransitionError) as exc:
            next_state(state, action, today=AFTER_END, end=END)
        assert _has_chinese(str(exc.value))
        assert lc.STATE_LABELS_ZH[state] in str(exc.value)
        assert lc.ACTION_LABELS_ZH[action] in str(exc.value)
    else:
        assert next_state(state, action, today=AFTER_END, end=END) == expected


def test_transition_error_is_value_error():
    assert issubclass(TransitionError, ValueError)


@pytest.mark.parametrize(
    ("state", "action", "match"),
    [("void", "sign", "未知的协议状态"), ("draft", "delete", "未知的协议操作"), ("", "", "未知")],
)
def test_unknown_state_or_action(state, action, match):
    with pytest.raises(TransitionError, match=match):
        next_state(state, action)


def test_expire_needs_today_after_end():
    assert next_state("active", "expire", today=END + timedelta(days=1), end=END) == "expired"
    with pytest.raises(TransitionError, match="尚未届满"):
        next_state("active", "expire", today=END, end=END)
    with pytest.raises(TransitionError, match="尚未届满"):
        next_state("active", "expire", today=date(2026, 6, 1), end=END)
    with pytest.raises(TransitionError, match="需要提供"):
        next_state("active", "expire")
    with pytest.raises(TransitionError, match="需要提供"):
        next_state("active", "expire", today=AFTER_END)
    with pytest.raises(TransitionError, match="需要提供"):
        next_state("active", "expire", end=END)
    # datetimes are reduced to their date
    assert next_state("active", "expire", today=datetime(2027, 1, 1, 0, 1), end=END) == "expired"
    with pytest.raises(TransitionError):
        next_state("active", "expire", today=datetime(2026, 12, 31, 23, 59), end=END)


def test_non_expire_actions_ignore_dates():
    assert next_state("draft", "sign") == "active"
    assert next_state("active", "renew") == "active"
    assert next_state("expired", "renew") == "expired"


def test_allowed_actions():
    for state in STATES:
        assert allowed_actions(state) == [a for a in ACTIONS if EXPECTED[(state, a)] is not None]
    assert allowed_actions("rescinded") == []
    assert allowed_actions("active") == ["suspend", "rescind", "expire", "renew"]


def test_labels_cover_everything():
    assert set(lc.STATE_LABELS_ZH) == set(STATES)
    assert set(lc.ACTION_LABELS_ZH) == set(ACTIONS)
    assert lc.STATE_LABELS_ZH["suspended"] == "中止"
    assert lc.STATE_LABELS_ZH["rescinded"] == "已解除"
    assert {"rescinded", "expired", "terminated"} == lc.TERMINAL_STATES


# ------------------------------------------------------------------ renewal
@pytest.mark.parametrize("grade", [None, "excellent", "pass", "basic"])
@pytest.mark.parametrize("role", [None, "bureau_admin", "institution_admin"])
def test_renewal_allowed_unless_fail(grade, role):
    assert renewal_decision(grade, None, role) is None


@pytest.mark.parametrize(
    ("reason", "role", "ok"),
    [
        (None, None, False),
        ("", None, False),
        ("整改到位", None, False),
        (None, "bureau_admin", False),
        ("", "bureau_admin", False),
        ("   \n", "bureau_admin", False),
        ("整改到位，复核合格", "bureau_admin", True),
        ("整改到位", "bureau_inspector", False),
        ("整改到位", "institution_admin", False),
        ("整改到位", "institution_staff", False),
        ("整改到位", "mock_inspector", False),
    ],
)
def test_renewal_fail_grade_override(reason, role, ok):
    if ok:
        assert renewal_decision("fail", reason, role) is None
    else:
        with pytest.raises(TransitionError) as exc:
            renewal_decision("fail", reason, role)
        assert "不合格" in str(exc.value)


def test_renewal_fail_messages():
    with pytest.raises(TransitionError, match="必须填写理由"):
        renewal_decision("fail", " ", "bureau_admin")
    with pytest.raises(TransitionError, match="只有医保局管理员"):
        renewal_decision("fail", "理由", "bureau_inspector")
    with pytest.raises(TransitionError, match="不予续签"):
        renewal_decision("fail")


@pytest.mark.parametrize(
    ("end", "months", "expected"),
    [
        (date(2026, 12, 31), 3, date(2026, 9, 30)),
        (date(2026, 12, 31), 2, date(2026, 10, 31)),
        (date(2026, 5, 31), 3, date(2026, 2, 28)),
        (date(2027, 3, 31), 3, date(2026, 12, 31)),
        (date(2026, 6, 30), 0, date(2026, 6, 30)),
        (date(2028, 5, 29), 3, date(2028, 2, 29)),
    ],
)
def test_renewal_window_opens(end, months, expected):
    assert renewal_window_opens(end, months) == expected


def test_renewal_window_default_is_three_months():
    assert renewal_window_opens(date(2026, 12, 31)) == date(2026, 9, 30)
    with pytest.raises(ValueError):
        renewal_window_opens(END, -1)


def test_successor_term():
    assert successor_term(date(2026, 12, 31)) == (date(2027, 1, 1), date(2027, 12, 31))
    assert successor_term(date(2026, 6, 30), 24) == (date(2026, 7, 1), date(2028, 6, 30))
    assert successor_term(date(2027, 2, 28)) == (date(2027, 3, 1), date(2028, 2, 29))
    with pytest.raises(ValueError):
        successor_term(END, 0)


# --------------------------------------------------------------- suspension
def test_suspension_terminates_after_180_days():
    far = date(2030, 1, 1)
    assert suspension_termination_date(date(2026, 1, 1), far) == date(2026, 6, 30)
    assert suspension_termination_date(date(2026, 1, 1), far) - date(2026, 1, 1) == timedelta(
        days=180
    )
    assert suspension_termination_date(date(2026, 3, 1), far, 30) == date(2026, 3, 31)
    assert suspension_termination_date(datetime(2026, 3, 1, 9), far, 1) == date(2026, 3, 2)
    with pytest.raises(ValueError):
        suspension_termination_date(date(2026, 1, 1), far, 0)


def test_suspension_terminates_at_the_terms_end_when_that_comes_first():
    assert suspension_termination_date(date(2026, 10, 1), END) == AFTER_END
    assert suspension_termination_date(date(2026, 12, 31), END) == AFTER_END
    # 180 days from 1 June is 28 November, before the term's end
    assert suspension_termination_date(date(2026, 6, 1), END) == date(2026, 11, 28)


# --------------------------------------------------------------- rescission
R_SUSP = lc.RESCISSION_REASONS_ZH["repeat_suspension"]
R_FAIL = lc.RESCISSION_REASONS_ZH["consecutive_fail"]
R_FRAUD = lc.RESCISSION_REASONS_ZH["fraud"]
R_RECT = lc.RESCISSION_REASONS_ZH["rectification_incomplete"]
R_NONDES = lc.RESCISSION_REASONS_ZH["non_designated_settlement"]
R_CHANGE = lc.RESCISSION_REASONS_ZH["major_change_unreported"]


def test_rescission_nothing_due():
    assert rescission_due() == []
    assert rescission_due(0) == []
    assert rescission_due(1) == []
    assert rescission_due(1, ["fail"]) == []
    assert rescission_due(1, ["fail", "pass"]) == []
    assert rescission_due(0, ["fail", "basic", "fail"]) == []
    assert rescission_due(0, ["fail", None, "fail"]) == []


@pytest.mark.parametrize("n", [2, 3, 5])
def test_rescission_second_suspension(n):
    assert rescission_due(n) == [R_SUSP]


def test_rescission_consecutive_fail():
    assert rescission_due(0, ["pass", "fail", "fail"]) == [R_FAIL]
    assert rescission_due(0, ("fail", "fail")) == [R_FAIL]
    assert rescission_due(0, iter(["fail", "fail", "fail"])) == [R_FAIL]
    assert R_FAIL == "连续两个年度考核不合格"


def test_rescission_each_flag():
    assert rescission_due(fraud_verified=True) == [R_FRAUD]
    assert rescission_due(rectification_incomplete_during_suspension=True) == [R_RECT]
    assert rescission_due(settled_for_non_designated=True) == [R_NONDES]
    assert rescission_due(major_change_unreported=True) == [R_CHANGE]


def test_rescission_all_reasons_in_order():
    got = rescission_due(
        2,
        ["fail", "fail"],
        fraud_verified=True,
        rectification_incomplete_during_suspension=True,
        settled_for_non_designated=True,
        major_change_unreported=True,
    )
    assert got == [R_SUSP, R_FAIL, R_FRAUD, R_RECT, R_NONDES, R_CHANGE]
    assert all(_has_chinese(r) for r in got)


def test_rescission_parameters():
    assert rescission_due(2, max_suspensions=2) == []
    assert rescission_due(3, max_suspensions=2) == [R_SUSP]
    assert rescission_due(1, max_suspensions=0) == [R_SUSP]
    assert rescission_due(0, ["fail", "fail"], max_consecutive_fails=2) == []
    assert rescission_due(0, ["fail", "fail", "fail"], max_consecutive_fails=2) == [
        "连续3个年度考核不合格"
    ]
    assert rescission_due(0, ["fail"], max_consecutive_fails=0) == ["连续1个年度考核不合格"]
    with pytest.raises(ValueError):
        rescission_due(-1)


# --------------------------------------------------------------------- bar
@pytest.mark.parametrize(
    ("cause", "expected"),
    [
        ("breach", date(2027, 7, 15)),
        ("violation", date(2029, 7, 15)),
        ("fraud", date(2029, 7, 15)),
    ],
)
def test_bar_until_defaults(cause, expected):
    assert bar_until(date(2026, 7, 15), cause) == expected


def test_bar_until_configurable_and_leap_day():
    years = {"breach": 2, "violation": 5, "fraud": 10}
    assert bar_until(date(2026, 7, 15), "breach", years) == date(2028, 7, 15)
    assert bar_until(date(2026, 7, 15), "fraud", years) == date(2036, 7, 15)
    assert bar_until(date(2024, 2, 29), "breach") == date(2025, 2, 28)
    assert bar_until(date(2024, 2, 29), "breach", {"breach": 4}) == date(2028, 2, 29)
    assert bar_until(date(2026, 7, 15), "breach", {"breach": 0}) == date(2026, 7, 15)
    assert lc.DEFAULT_BAR_YEARS == {"breach": 1, "violation": 3, "fraud": 3}


def test_bar_until_bad_cause():
    with pytest.raises(ValueError, match="未知的解除原因"):
        bar_until(date(2026, 7, 15), "misc")
    with pytest.raises(ValueError, match="未知的解除原因"):
        bar_until(date(2026, 7, 15), "fraud", {"breach": 1})
    with pytest.raises(ValueError):
        bar_until(date(2026, 7, 15), "breach", {"breach": -1})


# ---------------------------------------------------------------- property
@given(st.lists(st.sampled_from(ACTIONS), max_size=30))
def test_random_walks_stay_in_states(actions):
    state = "draft"
    signed = False
    for action in actions:
        try:
            new = next_state(state, action, today=AFTER_END, end=END)
        except TransitionError:
            assert EXPECTED[(state, action)] is None
            continue
        assert new in STATES
        if action == "sign":
            signed = True
        if state in lc.TERMINAL_STATES:
            assert new == state  # only renew is accepted, and it keeps the state
        state = new
    assert signed or state == "draft"


# ------------------------------------------------------- grounds of 第四十三条 and bars
def test_every_ground_has_a_label_and_a_known_bar_cause():
    assert len(lc.RESCISSION_GROUNDS) >= 13
    for label_zh, cause in lc.RESCISSION_GROUNDS.values():
        assert label_zh and (cause is None or cause in lc.BAR_CAUSES)
    assert lc.RESCISSION_GROUNDS["fraud"][1] == "fraud"
    assert lc.RESCISSION_GROUNDS["own_request"][1] is None
    # the grounds proposed automatically are among them
    assert {"fraud", "repeat_suspension", "consecutive_fail",
            "rectification_incomplete"} <= set(lc.RESCISSION_GROUNDS)


def test_person_bar_is_five_years_by_default():
    assert lc.person_bar_until(date(2026, 7, 15)) == date(2031, 7, 15)
    assert lc.person_bar_until(date(2028, 2, 29), 1) == date(2029, 2, 28)
    with pytest.raises(ValueError):
        lc.person_bar_until(date(2026, 1, 1), -1)


# ----------------------------------------------------------- the institution's requests
TODAY = date(2026, 3, 10)


@pytest.mark.parametrize("kind", ["suspension", "rescission"])
def test_a_public_institution_may_not_ask_to_suspend_or_end(kind):
    with pytest.raises(TransitionError, match="公立"):
        lc.check_request(kind, "public", TODAY, date(2026, 7, 1), END)
    lc.check_request(kind, "private", TODAY, date(2026, 7, 1), END)
    lc.check_request(kind, None, TODAY, date(2026, 7, 1), END)  # not recorded: not public
    lc.check_request("non_renewal", "public", TODAY, END, END)


def test_a_request_comes_three_months_ahead_and_within_the_term():
    lc.check_request("suspension", "private", TODAY, date(2026, 6, 10), END)  # exactly 3
    with pytest.raises(TransitionError, match="2026-06-10"):
        lc.check_request("suspension", "private", TODAY, date(2026, 6, 9), END)
    with pytest.raises(TransitionError, match="协议期限"):
        lc.check_request("rescission", "private", TODAY, AFTER_END, END)
    with pytest.raises(TransitionError, match="提前"):  # too late in the term to not renew
        lc.check_request("non_renewal", "private", date(2026, 10, 1), END, END)
    with pytest.raises(TransitionError):
        lc.check_request("pause", "private", TODAY, END, END)
    lc.check_request("suspension", "private", TODAY, date(2026, 9, 1), END, months_ahead=1)
