"""模拟检查 is the institution's own rehearsal: its assessment, measurements, findings and
evidence are visible to the institution only, by the ORM filter and by RLS alone."""

import io

import pytest
import sqlalchemy as sa

from assessment_helpers import create, put
from conftest import acting
from saas.extensions import db
from tenants.context import TenantContext, acting_as
from tenants.isolation import orm_filter_disabled

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TABLES = ("assessments", "measurements", "findings", "evidence")


def _rehearsal(app, api_as) -> dict:
    """A mock inspection with a measurement, a finding and its photo (evidence)."""
    mock = api_as("ah1_mock")
    assessment = create(mock, app, kind="mock", period="2026-05")
    put(mock, assessment["id"], [{"indicator_code": "VIOL-RATIO", "value": 0.9}])
    photo = mock.post("/evidence", data={"file": (io.BytesIO(PNG), "现场.png")},
                      content_type="multipart/form-data").get_json()
    finding = mock.post("/findings", json={
        "assessment_id": assessment["id"], "category": "other", "severity": "minor",
        "description": "演练发现", "evidence_ids": [photo["id"]]}).get_json()
    return {"assessment": assessment["id"], "finding": finding["id"], "evidence": photo["id"]}


def test_the_institution_sees_its_rehearsal_and_the_bureau_does_not(app, api_as):
    ids = _rehearsal(app, api_as)
    own, bureau = api_as("ah1_admin"), api_as("a_bureau_admin")
    for path in (f"/assessments/{ids['assessment']}", f"/assessments/{ids['assessment']}/scorecard",
                 f"/findings/{ids['finding']}", f"/evidence/{ids['evidence']}"):
        assert own.get(path).status_code == 200, path
        assert bureau.get(path).status_code == 404, path
    assert ids["assessment"] not in {a["id"] for a in bureau.get(
        "/assessments?kind=mock").get_json()["items"]}
    assert bureau.get("/findings").get_json()["total"] == 0
    assert own.get("/findings").get_json()["total"] == 1


def test_the_bureaus_pages_and_figures_never_count_it(app, api_as, web_as):
    ids = _rehearsal(app, api_as)
    client = web_as("a_bureau_admin")
    assert client.get(f"/assessments/{ids['assessment']}").status_code == 404
    assert "演练发现" not in client.get("/findings").get_data(as_text=True)
    with acting(app, "a_bureau_admin"):
        from saas.models import Assessment, Finding

        assert db.session.execute(sa.select(sa.func.count(Finding.id))).scalar() == 0
        assert db.session.execute(sa.select(sa.func.count(Assessment.id)).where(
            Assessment.kind == "mock")).scalar() == 0


def test_every_row_of_a_rehearsal_is_flagged_private(app, api_as):
    _rehearsal(app, api_as)
    with acting(app, "ah1_admin"):
        for table in TABLES:
            flags = db.session.execute(sa.text(f"SELECT private FROM {table}")).scalars().all()
            assert flags and all(flags), table


@pytest.fixture
def postgres_only(app):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")


def test_rls_alone_hides_the_rehearsal_from_the_region(app, api_as, postgres_only):
    _rehearsal(app, api_as)
    with acting(app, "ah1_admin") as user:
        region_id, institution_id = user.region_id, user.institution_id
    with app.app_context(), orm_filter_disabled():
        with acting_as(TenantContext(region_id=region_id, role="bureau_admin")):
            seen = {t: db.session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                    for t in TABLES}
        db.session.rollback()
        with acting_as(TenantContext(region_id=region_id, institution_id=institution_id,
                                     role="institution_admin")):
            own = {t: db.session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                   for t in TABLES}
        db.session.rollback()
    assert seen == dict.fromkeys(TABLES, 0)
    assert all(own[t] >= 1 for t in TABLES), own
