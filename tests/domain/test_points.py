"""协议管理记分制: severity points × factor (自查自纠从宽、检查发现从严)."""

import pytest

from saas.domain.points import (
    DEFAULT_SEVERITY_POINTS,
    LedgerEntry,
    PointsRules,
    confirmation_entry,
    reversal_entry,
    year_total,
)


@pytest.mark.parametrize(("self_reported", "missed", "factor"),
                         [(True, False, 0.5), (True, True, 0.5), (False, True, 1.5),
                          (False, False, 1.0)])
def test_factor(self_reported, missed, factor):
    assert PointsRules().factor(self_reported, missed) == factor


# ../shared/domain.md, "Points and measures": minor 2, general 5, serious 8, fraud 12;
# self-reported × 0.5, missed by the last self-inspection × 1.5. Written out by hand, so
# a change of the code's constant fails here.
DOMAIN_MD = [("minor", 2), ("general", 5), ("serious", 8), ("fraud", 12)]


def test_the_constant_is_domain_md_s():
    assert dict(DOMAIN_MD) == DEFAULT_SEVERITY_POINTS


@pytest.mark.parametrize(("severity", "points"), DOMAIN_MD)
def test_default_points_by_severity(severity, points):
    rules = PointsRules()
    assert rules.points(severity, False) == points
    assert rules.points(severity, True) == points * 0.5
    assert rules.points(severity, False, missed=True) == points * 1.5


def test_template_settings_override_defaults():
    rules = PointsRules.from_settings({"points": {"minor": 3}, "self_reported_factor": 0.0})
    assert rules.points("minor", False) == 3
    assert rules.points("general", False) == 5
    assert rules.points("fraud", True) == 0.0
    assert PointsRules.from_settings(None) == PointsRules()


def test_unknown_severity_is_refused():
    with pytest.raises(ValueError):
        PointsRules().points("catastrophic", False)


# ---------------------------------------------------------------------- the ledger

def test_a_confirmed_finding_counts_in_the_year_of_its_decision():
    entry = confirmation_entry(7, 2027, "serious", self_reported=False, missed=True,
                               mock=False, rules=PointsRules())
    assert entry == LedgerEntry(7, 2027, 12.0)  # 8 × 1.5, in the year it was confirmed


def test_a_mock_inspection_s_finding_adds_nothing():
    assert confirmation_entry(7, 2026, "fraud", False, False, mock=True,
                              rules=PointsRules()) is None


def test_a_dismissal_takes_the_points_back_in_the_original_year():
    confirmed = LedgerEntry(7, 2026, 5.0)
    back = reversal_entry(confirmed, "finding_dismissed")
    assert back == LedgerEntry(7, 2026, -5.0, "finding_dismissed")
    assert year_total([confirmed, back], 2026) == 0
    assert year_total([confirmed], 2026) == 5  # the original line stays in the history


@pytest.mark.parametrize("reason", ["finding_confirmed", "whim"])
def test_only_a_dismissal_or_a_revocation_takes_points_back(reason):
    with pytest.raises(ValueError):
        reversal_entry(LedgerEntry(7, 2026, 5.0), reason)


def test_a_new_year_starts_at_zero_and_last_year_stays_readable():
    entries = [LedgerEntry(1, 2026, 5.0), LedgerEntry(2, 2026, 8.0), LedgerEntry(3, 2027, 2.0)]
    assert year_total(entries, 2026) == 13
    assert year_total(entries, 2027) == 2
    assert year_total(entries, 2028) == 0


# ------------------------------------------------------------- 检查发现从严: missed
def test_missed_by_the_self_inspection():
    from saas.domain.points import missed_by_self_inspection as missed
    assert not missed("fraud", None, False, [])            # no self-inspection: nothing missed
    assert missed("overcharge", None, True, [])              # done, found nothing
    assert missed("overcharge", None, True, [("other", None)])
    assert not missed("overcharge", None, True, [("overcharge", None)])
    assert not missed("overcharge", 7, True, [("overcharge", None)])
    assert not missed("overcharge", None, True, [("overcharge", 7)])
    assert not missed("overcharge", 7, True, [("overcharge", 7)])
    assert missed("overcharge", 7, True, [("overcharge", 8)])  # another indicator's problem


def test_a_reopened_rectification_doubles_the_points_in_the_year_of_the_recheck():
    from saas.domain.points import reopening_entry

    original = LedgerEntry(7, 2026, 5.0)
    doubled = reopening_entry(original, 2027, 2)
    assert (doubled.finding_id, doubled.year, doubled.points, doubled.reason) == (
        7, 2027, 5.0, "rectification_reopened")
    assert reopening_entry(original, 2026, 1).points == 0
    with pytest.raises(ValueError):
        reopening_entry(original, 2026, 0.5)
