"""协议处理 measures: every allowed and refused transition, four eyes, the appeal window
across a public holiday, and threshold crossings once per line."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saas.domain import measures as m
from saas.domain.calendar import WorkdayCalendar
from saas.domain.lifecycle import TransitionError
from saas.domain.templates import DEFAULT_TEMPLATE_SETTINGS

THRESHOLDS = DEFAULT_TEMPLATE_SETTINGS["thresholds"]


def test_the_contract_s_names():
    assert set(m.MEASURES) == {
        "warning", "interview", "rectification_order", "public_notice", "payment_suspension",
        "payment_refusal", "clawback", "deposit_deduction", "contractual_penalty",
        "suspension", "rescission"}
    assert {"proposed", "notified", "appealed", "decided", "effective", "lifted",
            "revoked"} <= set(m.STATUSES)
    assert set(m.MEASURE_LABELS_ZH) == set(m.MEASURES)


HAPPY = [("proposed", "notify", None, "notified"), ("notified", "appeal", None, "appealed"),
         ("notified", "decide", "uphold", "decided"), ("appealed", "decide", "uphold", "decided"),
         ("appealed", "decide", "overturn", "revoked"), ("notified", "decide", "overturn", "revoked"),
         ("decided", "take_effect", None, "effective"), ("effective", "lift", None, "lifted"),
         ("effective", "end", None, "ended")]


@pytest.mark.parametrize(("status", "action", "decision", "after"), HAPPY)
def test_allowed_transitions(status, action, decision, after):
    assert m.next_status(status, action, decision) == after


@pytest.mark.parametrize("status", ["proposed", "notified", "appealed", "decided", "effective"])
def test_any_open_measure_can_be_revoked(status):
    assert m.next_status(status, "revoke") == "revoked"


ALLOWED = {(s, a) for s, a, _d, _t in HAPPY} | {
    (s, "revoke") for s in ("proposed", "notified", "appealed", "decided", "effective")}


@pytest.mark.parametrize("status", m.STATUSES)
@pytest.mark.parametrize("action", m.ACTIONS)
def test_every_other_transition_is_refused(status, action):
    if (status, action) in ALLOWED:
        return
    with pytest.raises(TransitionError):
        m.next_status(status, action, "uphold")


def test_final_states_allow_nothing():
    for status in m.FINAL:
        for action in m.ACTIONS:
            with pytest.raises(TransitionError):
                m.next_status(status, action, "uphold")


@pytest.mark.parametrize("decision", [None, "", "maybe"])
def test_deciding_needs_a_decision(decision):
    with pytest.raises(TransitionError):
        m.next_status("appealed", "decide", decision)


@pytest.mark.parametrize("measure", sorted(m.SECOND_DECIDER))
def test_four_eyes_for_the_heaviest_measures(measure):
    with pytest.raises(TransitionError):
        m.check_decider(measure, proposed_by=7, decided_by=7)
    m.check_decider(measure, proposed_by=7, decided_by=8)
    m.check_decider(measure, proposed_by=None, decided_by=7)  # proposed by the points


@pytest.mark.parametrize("measure", sorted(set(m.MEASURES) - m.SECOND_DECIDER))
def test_lighter_measures_may_be_decided_by_their_proposer(measure):
    m.check_decider(measure, proposed_by=7, decided_by=7)


def test_four_eyes_measures_are_the_issue_s():
    assert {"suspension", "rescission", "payment_suspension"} == m.SECOND_DECIDER


def test_the_appeal_window_skips_the_national_day_holiday():
    calendar = WorkdayCalendar(overrides={  # 2026 国庆: 1-7 Oct off, Sat 10 Oct worked
        **{date(2026, 10, d): False for d in range(1, 8)}, date(2026, 10, 10): True})
    notified = date(2026, 9, 30)  # a Wednesday, the last working day before the holiday
    deadline = m.appeal_deadline(notified, calendar)
    assert deadline == date(2026, 10, 20)  # 8, 9, 10 (Sat, worked), 12-16, 19, 20
    m.check_appeal(notified, deadline, calendar)  # the last day still counts
    with pytest.raises(TransitionError):
        m.check_appeal(notified, date(2026, 10, 21), calendar)


def test_the_appeal_window_is_configurable():
    calendar = WorkdayCalendar(overrides={})
    monday = date(2026, 3, 2)
    assert m.appeal_deadline(monday, calendar, workdays=5) == date(2026, 3, 9)


def test_crossing_a_line_proposes_its_measure_once():
    assert [t["measure"] for t in m.crossed_thresholds(THRESHOLDS, 0, 5, [])] == ["interview"]
    assert [t["measure"] for t in m.crossed_thresholds(THRESHOLDS, 2, 12, [])] == [
        "interview", "rectification_order", "public_notice", "suspension"]
    assert m.crossed_thresholds(THRESHOLDS, 5, 5, []) == []
    assert m.crossed_thresholds(THRESHOLDS, 3, 5, []) == []  # 3 was crossed before


def test_falling_back_and_crossing_again_proposes_nothing_new():
    # a dismissed finding took points back (6 → 1); a new one brings them to 7
    assert m.crossed_thresholds(THRESHOLDS, 1, 7, already_proposed=[3, 6]) == []


def test_the_suspension_line_carries_its_months():
    (suspension,) = m.crossed_thresholds(THRESHOLDS, 11, 12.5, [])
    assert suspension == {"points": 12, "measure": "suspension", "months": 3}


@given(st.floats(0, 40, allow_nan=False), st.floats(0, 40, allow_nan=False),
       st.sets(st.sampled_from([3, 6, 9, 12])))
def test_crossings_are_exactly_the_lines_between(before, after, done):
    crossed = m.crossed_thresholds(THRESHOLDS, before, after, done)
    assert [t["points"] for t in crossed] == sorted(
        t["points"] for t in THRESHOLDS if before < t["points"] <= after and t["points"] not in done)


# ------------------------------------------------------------------ who takes which step
@pytest.mark.parametrize("measure", m.MEASURES)
def test_steps_by_role(measure):
    heavy = measure in m.SECOND_DECIDER
    assert m.may("bureau_admin", "decide", measure)
    assert m.may("bureau_inspector", "decide", measure) is (not heavy)
    for role in ("institution_admin", "institution_staff", "mock_inspector", None):
        assert not m.may(role, "decide", measure)
        assert not m.may(role, "propose", measure)
        assert not m.may(role, "notify", measure)
    assert m.may("institution_admin", "appeal", measure)
    assert not m.may("institution_staff", "appeal", measure)
    assert not m.may("bureau_admin", "appeal", measure)
    assert not m.may("bureau_inspector", "revoke", measure)
    assert not m.may("bureau_inspector", "lift", measure)
    assert not m.may("bureau_admin", "unknown", measure)


def test_a_notified_measure_waits_for_its_appeal_window():
    until = date(2026, 10, 15)
    with pytest.raises(TransitionError):
        m.check_decidable("notified", until, date(2026, 10, 15))  # the last day still counts
    m.check_decidable("notified", until, date(2026, 10, 16))
    m.check_decidable("appealed", until, date(2026, 10, 1))     # the institution answered


def test_proposal_keys():
    assert m.proposal_key("points", 2026, 12) == "points:2026:12"
    assert m.proposal_key("fraud", 41) == "fraud:41"
    assert m.proposal_key("points", 2026, 12) != m.proposal_key("points", 2027, 12)
