"""整改台账 rules: every transition allowed and refused, numbering, deadlines across a
public holiday, overdue, the verifier's role and four eyes, reminders once a day."""

import itertools
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saas.domain import rectification as r
from saas.domain.calendar import WorkdayCalendar
from saas.domain.lifecycle import TransitionError

CALENDAR = WorkdayCalendar()

EXPECTED = {
    ("open", "start"): "in_progress", ("open", "submit"): "submitted",
    ("in_progress", "submit"): "submitted", ("submitted", "verify"): "closed",
    ("submitted", "return"): "in_progress", ("closed", "reopen"): "in_progress",
}


@pytest.mark.parametrize(("state", "action"), list(itertools.product(r.STATES, r.ACTIONS)))
def test_every_state_and_action(state, action):
    if (state, action) in EXPECTED:
        assert r.next_state(state, action) == EXPECTED[(state, action)]
    else:
        with pytest.raises(TransitionError, match="不能"):
            r.next_state(state, action)


def test_labels_cover_every_state():
    assert set(r.STATE_LABELS_ZH) == set(r.STATES)
    assert r.STATE_LABELS_ZH["closed"] == "已销号"


def test_numbers_follow_the_seed():
    assert r.item_number(2024, "ybzh", 1) == "2024-ybzh-001"
    assert r.item_number(2026, "cfsf", 42) == "2026-cfsf-042"
    assert r.item_number(2026, "cfsf", 1000) == "2026-cfsf-1000"
    with pytest.raises(ValueError):
        r.item_number(2026, "cfsf", 0)


def test_next_serial_per_year_and_category_and_never_reused():
    taken = ["2026-cfsf-001", "2026-cfsf-003", "2026-fjzy-009", "2025-cfsf-020", "junk"]
    assert r.next_serial(2026, "cfsf", taken) == 4
    assert r.next_serial(2026, "fjzy", taken) == 10
    assert r.next_serial(2025, "cfsf", taken) == 21
    assert r.next_serial(2026, "qt", taken) == 1


@given(st.sets(st.integers(1, 2000), max_size=30))
def test_next_serial_is_free_and_above_every_taken(serials):
    taken = [r.item_number(2026, "qt", s) for s in serials]
    nxt = r.next_serial(2026, "qt", taken)
    assert r.item_number(2026, "qt", nxt) not in taken and nxt > max(serials, default=0)


def test_deadlines_by_severity_in_working_days_across_a_holiday():
    # 2026-09-28 (Monday): 国庆 1–7 October are holidays, 2026-10-10 (Saturday) a workday
    opened = date(2026, 9, 28)
    assert r.deadline(opened, "minor", CALENDAR) == CALENDAR.add_workdays(opened, 10)
    assert CALENDAR.workdays_between(opened, r.deadline(opened, "minor", CALENDAR)) == 10
    assert r.deadline(opened, "minor", CALENDAR) > date(2026, 10, 12)  # not 14 calendar days
    assert r.deadline(opened, "general", CALENDAR) == CALENDAR.add_workdays(opened, 20)
    assert r.deadline(opened, "serious", CALENDAR) == CALENDAR.add_workdays(opened, 30)
    assert r.deadline(opened, None, CALENDAR) == CALENDAR.add_workdays(opened, 20)
    with pytest.raises(ValueError):
        r.deadline(opened, "trivial", CALENDAR)


def test_rules_from_template_settings():
    rules = r.RectificationRules.from_settings(
        {"rectification": {"deadline_workdays": {"minor": 5}, "remind_workdays_before": 2}})
    assert rules.deadline_workdays["minor"] == 5 and rules.deadline_workdays["serious"] == 30
    assert rules.remind_workdays_before == 2
    assert r.RectificationRules.from_settings(None) == r.RectificationRules()


def test_overdue_is_derived():
    due = date(2026, 5, 20)
    assert not r.is_overdue("in_progress", due, due)          # the deadline day counts
    assert r.is_overdue("in_progress", due, date(2026, 5, 21))
    assert r.is_overdue("submitted", due, date(2026, 5, 21))
    assert not r.is_overdue("closed", due, date(2027, 1, 1))


def test_submission_needs_evidence_and_a_statement():
    assert r.check_submission(1, "已退回多收费用并培训收费员") == {}
    assert set(r.check_submission(0, " ")) == {"evidence", "statement"}
    assert set(r.check_submission(0, "done")) == {"evidence"}


@pytest.mark.parametrize(("from_bureau", "role", "ok"), [
    (True, "bureau_inspector", True), (True, "bureau_admin", False),
    (True, "institution_admin", False), (False, "institution_admin", True),
    (False, "institution_staff", False), (False, "bureau_inspector", False),
    (True, None, False)])
def test_the_verifier_has_the_right_role(from_bureau, role, ok):
    if ok:
        r.check_verifier(from_bureau, role, verifier_id=2, submitter_id=1)
    else:
        with pytest.raises(TransitionError):
            r.check_verifier(from_bureau, role, verifier_id=2, submitter_id=1)


def test_the_submitter_never_verifies():
    with pytest.raises(TransitionError, match="提交人"):
        r.check_verifier(False, "institution_admin", verifier_id=7, submitter_id=7)


def test_reminders_three_working_days_ahead_and_while_overdue():
    due = date(2026, 10, 12)  # Monday after 国庆 (10 October, a Saturday, is a workday)
    assert r.reminder("in_progress", due, date(2026, 9, 28), CALENDAR) is None
    three_before = CALENDAR.add_workdays(due, -3)
    assert r.reminder("in_progress", due, three_before, CALENDAR) == "due_soon"
    assert r.reminder("open", due, CALENDAR.add_workdays(due, -4), CALENDAR) is None
    assert r.reminder("submitted", due, due, CALENDAR) == "due_soon"
    assert r.reminder("in_progress", due, date(2026, 10, 13), CALENDAR) == "overdue"
    assert r.reminder("closed", due, date(2026, 10, 13), CALENDAR) is None
    assert r.reminder_key(5, date(2026, 10, 13)) == "rectification:5:2026-10-13"
    assert r.reminder_key(5, date(2026, 10, 13)) != r.reminder_key(5, date(2026, 10, 14))


def test_reopening_doubles_the_points():
    assert r.REOPEN_POINTS_FACTOR == 2
    assert set(r.SOURCES) >= {"finding", "mock_inspection", "self_inspection",
                              "internal_audit"}


@pytest.mark.parametrize("action", ["start", "submit", "assign"])
@pytest.mark.parametrize("bureau_verifies", [True, False])
def test_the_institution_works_on_every_item(action, bureau_verifies):
    for role in ("institution_admin", "institution_staff"):
        assert r.may(action, role, bureau_verifies)
    for role in ("bureau_admin", "bureau_inspector", "mock_inspector", None):
        assert not r.may(action, role, bureau_verifies)


@pytest.mark.parametrize("action", ["verify", "return", "reopen", "extend"])
def test_the_verifier_checks_and_sets_the_deadline(action):
    assert r.may(action, "bureau_inspector", True)
    assert not r.may(action, "institution_admin", True)
    assert not r.may(action, "bureau_admin", True)
    assert r.may(action, "institution_admin", False)
    assert not r.may(action, "institution_staff", False)
    assert not r.may(action, "bureau_inspector", False)
    assert not r.may("unknown", "institution_admin", False)


def test_a_deadline_moves_forward_to_a_new_day_with_a_reason():
    due, today = date(2026, 12, 10), date(2026, 12, 4)
    assert r.check_extension(due, date(2026, 12, 20), "需采购设备", today) == {}
    assert r.check_extension(due, date(2026, 12, 4), "当天", today) == {}
    assert set(r.check_extension(due, None, "x", today)) == {"due_date"}
    assert set(r.check_extension(due, due, "x", today)) == {"due_date"}
    assert set(r.check_extension(due, date(2026, 12, 3), "x", today)) == {"due_date"}
    assert set(r.check_extension(due, date(2026, 12, 20), " ", today)) == {"reason"}
    assert set(r.check_extension(due, None, None, today)) == {"due_date", "reason"}


def test_texts_are_required_where_asked_and_never_too_long():
    assert r.check_text("reason", "x", required=True) == {}
    assert r.check_text("reason", None) == {}
    assert set(r.check_text("reason", "  ", required=True)) == {"reason"}
    assert r.check_text("department", "部" * r.MAX_DEPARTMENT, limit=r.MAX_DEPARTMENT) == {}
    assert set(r.check_text("department", "部" * (r.MAX_DEPARTMENT + 1),
                            limit=r.MAX_DEPARTMENT)) == {"department"}
    assert set(r.check_submission(1, "x" * (r.MAX_TEXT + 1))) == {"statement"}
