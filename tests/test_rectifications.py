"""The rectification ledger's first slice: a confirmed finding opens its item, numbered
YYYY-category-NNN within the institution and year, due by severity in working days; a
mock inspection's item stays the institution's; the list and the item through the API."""

from datetime import date

import pytest
from enforcement_helpers import confirm_at_once
from sqlalchemy import func, select

from assessment_helpers import create
from conftest import acting
from saas.domain.calendar import WorkdayCalendar
from saas.extensions import db
from saas.models import RectificationItem
from saas.timeutil import today_local


def _finding(api, assessment_id, category="split_admission", severity="general"):
    response = api.post("/findings", json={"assessment_id": assessment_id, "category": category,
                                           "severity": severity, "description": "分解住院"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_a_confirmed_finding_opens_its_numbered_item(app, api_as):
    inspector, admin = api_as("a_bureau_inspector"), api_as("a_bureau_admin")
    inspection = create(inspector, app, kind="routine", period="2026-05")
    first = _finding(inspector, inspection["id"], severity="serious")
    second = _finding(inspector, inspection["id"])
    other = _finding(inspector, inspection["id"], category="duplicate_charge", severity="minor")
    for finding in (first, second, other):
        assert admin.post(f"/findings/{finding}/confirm", json={}).status_code == 200
    listed = api_as("ah1_admin").get("/rectifications").get_json()["items"]
    items = {i["finding_id"]: i for i in listed}
    year = today_local().year
    assert items[first]["number"] == f"{year}-fjzy-001"
    assert items[second]["number"] == f"{year}-fjzy-002"
    assert items[other]["number"] == f"{year}-cfsf-001"
    calendar, today = WorkdayCalendar(), today_local()
    assert calendar.workdays_between(today, date.fromisoformat(items[first]["due_date"])) == 30
    assert items[other]["status"] == "open" and items[other]["overdue"] is False
    assert api_as("ah2_admin").get(f"/rectifications/{items[first]['id']}").status_code == 404
    assert api_as("b_bureau_admin").get("/rectifications").get_json()["items"] == []


def test_a_mock_inspections_item_is_the_institutions_own(app, api_as):
    rehearsal = create(api_as("ah1_mock"), app, kind="mock", period="2026-05")
    finding = _finding(api_as("ah1_mock"), rehearsal["id"])
    api_as("ah1_admin").post(f"/findings/{finding}/confirm", json={})
    (item,) = api_as("ah1_admin").get("/rectifications").get_json()["items"]
    assert item["source"] == "mock_inspection"
    assert api_as("a_bureau_admin").get("/rectifications").get_json()["items"] == []
    assert api_as("a_bureau_admin").get(f"/rectifications/{item['id']}").status_code == 404
    # a bureau finding of the same category later does not collide with the hidden number
    inspection = create(api_as("a_bureau_inspector"), app, kind="routine", period="2026-06")
    bureau_finding = _finding(api_as("a_bureau_inspector"), inspection["id"])
    assert api_as("a_bureau_admin").post(f"/findings/{bureau_finding}/confirm",
                                         json={}).status_code == 200
    numbers = sorted(i["number"] for i in api_as("ah1_admin").get(
        "/rectifications").get_json()["items"])
    assert numbers[0].endswith("-fjzy-001") and numbers[1].endswith("-fjzy-002")


def test_concurrent_confirmations_never_share_a_number(app, api_as):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("concurrent transactions are PostgreSQL's")

    inspection = create(api_as("a_bureau_inspector"), app, kind="routine", period="2026-05")
    ids = [_finding(api_as("a_bureau_inspector"), inspection["id"]) for _ in range(3)]
    assert confirm_at_once(app, ids) == []
    with acting(app, "a_bureau_admin"):
        numbers = db.session.execute(select(RectificationItem.number)).scalars().all()
        assert len(numbers) == 3 == len(set(numbers))
        assert db.session.scalar(select(func.count()).select_from(RectificationItem)) == 3
