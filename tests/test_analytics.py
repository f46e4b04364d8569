"""The read models (saas.services.analytics): figures counted in SQL, scoped by the tenant
context (the ORM filter, and on PostgreSQL row-level security alone), with the latest-
score rule of the institution list (a mock inspection never counts)."""

from datetime import date

import pytest

from assessment_helpers import AH1, AH2, create, put
from conftest import acting
from saas.services import analytics
from tenants.isolation import orm_filter_disabled


def _scored(app, api, number, kind, period, viol):
    assessment = create(api, app, number=number, kind=kind, period=period)
    put(api, assessment["id"], [{"indicator_code": "VIOL-RATIO", "value": viol}])
    return assessment


@pytest.fixture
def scored(app, api_as):
    """AH1: self 2026-03 excellent (100), then a mock 2026-04 that fails (0) and must not
    count; AH2: a routine 2026-02 inspection graded pass (80). AP1: nothing scored."""
    _scored(app, api_as("ah1_admin"), AH1, "self", "2026-03", 0.3)
    _scored(app, api_as("ah1_mock"), AH1, "mock", "2026-04", 1.0)
    _scored(app, api_as("a_bureau_inspector"), AH2, "routine", "2026-02", 0.6)


def test_bureau_counts_its_region(app, scored):
    with acting(app, "a_bureau_admin"):
        assert analytics.institutions_by_kind() == {"hospital": 2, "pharmacy": 1}
        assert analytics.agreements_by_status() == {"active": 3}
        assert analytics.grades() == {"excellent": 1, "pass": 1, None: 1}
    with acting(app, "b_bureau_admin"):
        assert analytics.grades() == {None: 1}


def test_institution_counts_itself_only(app, scored):
    with acting(app, "ah1_admin"):
        assert analytics.institutions_by_kind() == {"hospital": 1}
        assert analytics.agreements_by_status() == {"active": 1}
        assert analytics.grades() == {"excellent": 1}


def test_row_level_security_alone_scopes_the_figures(app, scored):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    with acting(app, "ah1_admin"), orm_filter_disabled():
        assert analytics.institutions_by_kind() == {"hospital": 1}
        assert analytics.grades() == {"excellent": 1}
    with acting(app, "b_bureau_admin"), orm_filter_disabled():
        assert analytics.grades() == {None: 1}


def test_latest_score_is_the_latest_counting_period(app, api_as, scored):
    _scored(app, api_as("ah1_admin"), AH1, "self", "2026-01", 1.0)  # earlier period: fail
    with acting(app, "a_bureau_admin"):
        from saas.extensions import db

        latest = analytics.latest_scores()
        rows = db.session.execute(latest.select().order_by(latest.c.institution_id)).all()
        assert [(r.total, r.grade) for r in rows] == [(100.0, "excellent"), (80.0, "pass")]


def test_current_agreement_is_the_one_in_force(app):
    with acting(app, "a_bureau_admin"):
        from saas.extensions import db

        before = analytics.current_agreements(date(2025, 6, 1))  # all start later
        during = analytics.current_agreements(date(2026, 6, 1))
        assert len(db.session.execute(before.select()).all()) == 3
        assert len(db.session.execute(during.select()).all()) == 3
        assert analytics.agreements_by_status(date(2025, 6, 1)) == {"active": 3}
