"""The institution's own requests: suspend or end (not a public institution), or not
renew, at least 3 months ahead; a bureau admin accepts (a measure that takes effect on
the day asked) or refuses."""

from datetime import date

import pytest

import saas.services.agreement_requests
import saas.services.agreements
import saas.services.measures
from assessment_helpers import AH1, AH2, agreement_id
from conftest import acting

TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    def set_to(day):
        for module in (saas.services.agreement_requests, saas.services.measures,
                       saas.services.agreements):
            monkeypatch.setattr(module, "today_local", lambda: day)
    set_to(TODAY)
    return set_to


def _ask(api, agreement, status=201, **body):
    response = api.post(f"/agreements/{agreement}/requests", json=body)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_a_suspension_asked_and_accepted_takes_effect_on_the_day(app, api_as, clock):
    ah1 = agreement_id(app, AH1)
    institution = api_as("ah1_admin")
    too_soon = _ask(institution, ah1, 422, kind="suspension", months=2,
                    effective_on="2026-05-01", reason="院区改造")
    assert "2026-06-02" in str(too_soon["errors"]["effective_on"])
    asked = _ask(institution, ah1, kind="suspension", months=2, effective_on="2026-07-01",
                 reason="院区改造")
    assert asked["status"] == "pending"
    _ask(institution, ah1, 409, kind="rescission", effective_on="2026-08-01", reason="x")
    assert api_as("a_bureau_inspector").post(
        f"/agreement-requests/{asked['id']}/decide",
        json={"decision": "accept", "reason": "同意"}).status_code == 403
    accepted = api_as("a_bureau_admin").post(f"/agreement-requests/{asked['id']}/decide",
                                             json={"decision": "accept", "reason": "同意"})
    assert accepted.status_code == 200 and accepted.get_json()["measure_id"]
    measure = api_as("a_bureau_admin").get(
        f"/measures/{accepted.get_json()['measure_id']}").get_json()
    assert (measure["measure"], measure["status"], measure["effective_on"]) == (
        "suspension", "decided", "2026-07-01")
    assert api_as("a_bureau_admin").get(f"/agreements/{ah1}").get_json()["status"] == "active"
    with acting(app, "a_bureau_admin"):
        assert saas.services.measures.end_due(date(2026, 6, 30))["started"] == []
        assert saas.services.measures.end_due(date(2026, 7, 1))["started"] == [measure["id"]]
    after = api_as("a_bureau_admin").get(f"/measures/{measure['id']}").get_json()
    assert (after["status"], after["ends_on"]) == ("effective", "2026-09-01")
    assert api_as("a_bureau_admin").get(f"/agreements/{ah1}").get_json()["status"] == "suspended"


def test_a_public_institution_may_only_ask_not_to_renew(app, api_as):
    ah2 = agreement_id(app, AH2)  # the fixture's AH2 is 公立
    institution = api_as("ah2_admin")
    refused = _ask(institution, ah2, 422, kind="rescission", effective_on="2026-08-01",
                   reason="x")
    assert "公立" in str(refused["errors"]["kind"])
    asked = _ask(institution, ah2, kind="non_renewal", reason="转型为专科医院")
    assert asked["effective_on"] == "2026-12-31"
    api_as("a_bureau_admin").post(f"/agreement-requests/{asked['id']}/decide",
                                  json={"decision": "accept", "reason": "同意"})
    renewal = api_as("a_bureau_admin").post(f"/agreements/{ah2}/renew", json={})
    assert renewal.status_code == 409 and "不再续签" in renewal.get_json()["detail"]


def test_own_request_rescission_bars_no_one_and_refusal_changes_nothing(app, api_as, clock):
    ah1 = agreement_id(app, AH1)
    institution, admin = api_as("ah1_admin"), api_as("a_bureau_admin")
    first = _ask(institution, ah1, kind="rescission", effective_on="2026-06-15", reason="x")
    refused = admin.post(f"/agreement-requests/{first['id']}/decide",
                         json={"decision": "refuse", "reason": "材料不全"}).get_json()
    assert refused["status"] == "refused" and refused["measure_id"] is None
    assert admin.post(f"/agreement-requests/{first['id']}/decide",
                      json={"decision": "accept", "reason": "x"}).status_code == 409
    second = _ask(institution, ah1, kind="rescission", effective_on="2026-06-15",
                  reason="停止营业")
    admin.post(f"/agreement-requests/{second['id']}/decide",
               json={"decision": "accept", "reason": "同意"})
    clock(date(2026, 6, 15))
    with acting(app, "a_bureau_admin"):
        saas.services.measures.end_due(date(2026, 6, 15))
    assert admin.get(f"/agreements/{ah1}").get_json()["status"] == "rescinded"
    from sqlalchemy import func, select

    from saas.extensions import db
    from saas.models import ReEntryBar
    with acting(app, "a_bureau_admin"):
        assert db.session.scalar(select(func.count()).select_from(ReEntryBar)) == 0
    listed = institution.get(f"/agreements/{ah1}/requests").get_json()["items"]
    assert [r["status"] for r in listed] == ["accepted", "refused"]


def test_who_may_ask_and_bad_input(app, api_as):
    ah1 = agreement_id(app, AH1)
    body = {"kind": "suspension", "months": 1, "effective_on": "2026-08-01", "reason": "x"}
    for who, status in (("ah1_staff", 403), ("a_bureau_admin", 403), ("ah2_admin", 404),
                        ("bh1_admin", 404)):
        assert api_as(who).post(f"/agreements/{ah1}/requests", json=body).status_code == status
    missing_months = _ask(api_as("ah1_admin"), ah1, 422, kind="suspension",
                          effective_on="2026-08-01", reason="x")
    assert "months" in missing_months["errors"]
    assert api_as("ah1_admin").get(f"/agreements/{ah1}/requests").get_json()["items"] == []


def test_ask_and_decide_on_the_agreement_page(app, web_as):
    from conftest import csrf_from

    ah1 = agreement_id(app, AH1)
    institution = web_as("ah1_admin")
    page = institution.get(f"/agreements/{ah1}").get_data(as_text=True)
    assert 'id="request-form"' in page
    refused = institution.post(f"/agreements/{ah1}/requests", data={
        "csrf_token": csrf_from(page), "kind": "suspension", "effective_on": "2026-04-01",
        "months": "2", "reason": "院区改造"}, follow_redirects=True).get_data(as_text=True)
    assert "应至少提前 3 个月" in refused
    institution.post(f"/agreements/{ah1}/requests", data={
        "csrf_token": csrf_from(page), "kind": "suspension", "effective_on": "2026-07-01",
        "months": "2", "reason": "院区改造"})
    page = institution.get(f"/agreements/{ah1}").get_data(as_text=True)
    assert "待审核" in page and 'id="request-form"' not in page
    bureau = web_as("a_bureau_admin")
    page = bureau.get(f"/agreements/{ah1}").get_data(as_text=True)
    request_id = int(page.split('data-request="')[1].split('"')[0])
    done = bureau.post(f"/agreement-requests/{request_id}/decide", data={
        "csrf_token": csrf_from(page), "decision": "accept", "reason": "同意，7 月 1 日起中止"},
        follow_redirects=True).get_data(as_text=True)
    assert "已同意申请" in done and "查看处理" in done
