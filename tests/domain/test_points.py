"""协议管理记分制: severity points × factor (自查自纠从宽、检查发现从严)."""

import pytest

from saas.domain.points import DEFAULT_SEVERITY_POINTS, PointsRules


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
