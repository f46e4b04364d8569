"""The written notice of a measure (告知书 / 决定书) as a PDF: WeasyPrint with Noto CJK;
the text extracted back names the institution, the basis, the deadlines and the route."""

import io
from datetime import timedelta

import pytest

import saas.services.measures
from assessment_helpers import create
from saas.timeutil import today_local


def _text(response) -> str:
    from pypdf import PdfReader

    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


@pytest.fixture
def notified(app, api_as):
    inspection = create(api_as("a_bureau_inspector"), app, kind="routine", period="2026-05")
    finding = api_as("a_bureau_inspector").post("/findings", json={
        "assessment_id": inspection["id"], "category": "duplicate_charge",
        "severity": "general", "description": "同一检查项目重复收费 11 次",
        "amount_fen": 88000, "clause_number": "2.1.1"}).get_json()["id"]
    api_as("a_bureau_admin").post(f"/findings/{finding}/confirm", json={})
    measure = api_as("a_bureau_admin").get("/measures").get_json()["items"][0]["id"]
    assert api_as("ah1_admin").get(f"/measures/{measure}/notice.pdf").status_code == 404
    api_as("a_bureau_inspector").post(f"/measures/{measure}/notify", json={})
    return measure


def test_the_notice_names_the_institution_the_basis_and_the_deadline(api_as, notified):
    notice = api_as("a_bureau_admin").get(f"/measures/{notified}").get_json()
    text = _text(api_as("ah1_admin").get(f"/measures/{notified}/notice.pdf"))
    compact = text.replace(" ", "").replace("\n", "")
    assert "协议处理告知书" in compact and "甲区第一医院" in compact
    assert "约谈" in compact and "同一检查项目重复收费11次" in compact
    assert "880.00元" in compact and notice["appeal_until"] in compact
    assert "A-2026-001" in compact
    assert api_as("ah2_admin").get(f"/measures/{notified}/notice.pdf").status_code == 404
    assert api_as("b_bureau_admin").get(f"/measures/{notified}/notice.pdf").status_code == 404


def test_after_the_decision_it_is_the_decision_with_the_review_route(api_as, notified,
                                                                      monkeypatch, web_as):
    monkeypatch.setattr(saas.services.measures, "today_local",
                        lambda: today_local() + timedelta(days=30))
    api_as("a_bureau_inspector").post(f"/measures/{notified}/decide", json={
        "decision": "uphold", "reason": "逾期未申诉，维持约谈"})
    compact = _text(web_as("ah1_admin").get(f"/measures/{notified}/notice.pdf")).replace(
        " ", "").replace("\n", "")
    assert "协议处理决定书" in compact and "逾期未申诉，维持约谈" in compact
    assert "行政复议" in compact and "行政诉讼" in compact
