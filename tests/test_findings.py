"""Findings: recording (API and the phone form with photos), self-reported marking,
confirm / dismiss by the right roles, the one-click finding from a red indicator, and
tenant isolation."""

import io
import re

import pytest
from sqlalchemy import func, select

from assessment_helpers import AP1, act, create, put
from conftest import acting, csrf_from

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _finding(api, assessment_id, expect=201, **fields):
    body = {"assessment_id": assessment_id, "category": "split_admission",
            "severity": "general", "description": "同一患者 7 日内两次入院，疑似分解住院",
            "amount_fen": 356000, **fields}
    response = api.post("/findings", json=body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def _decide(api, finding_id, action, expect=200, **body):
    response = api.post(f"/findings/{finding_id}/{action}", json=body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def test_inspector_records_a_finding_against_clause_and_indicator(app, api_as):
    inspector = api_as("a_bureau_inspector")
    routine = create(inspector, app, kind="routine", period="2026-05")
    body = _finding(inspector, routine["id"], indicator_code="VIOL-RATIO",
                    location="住院部三病区")
    assert body["status"] == "draft" and body["self_reported"] is False
    assert (body["indicator_code"], body["clause_number"]) == ("VIOL-RATIO", "2.1.1")
    assert body["amount_fen"] == 356000 and body["location"] == "住院部三病区"
    by_clause = _finding(inspector, routine["id"], clause_number="4.1.1", category="other")
    assert (by_clause["clause_number"], by_clause["indicator_code"]) == ("4.1.1", None)
    fetched = api_as("ah1_admin").get(f"/findings/{body['id']}").get_json()
    assert fetched["description"] == body["description"]


def test_self_inspection_findings_are_self_reported(app, api_as):
    api = api_as("ah1_staff")
    self_check = create(api_as("ah1_admin"), app, period="2026-05")
    assert _finding(api, self_check["id"])["self_reported"] is True
    # self_reported is derived, never taken from the client
    _finding(api, self_check["id"], expect=422, self_reported=False)


@pytest.mark.parametrize(("kind", "allowed", "refused"), [
    ("self", ["ah1_admin", "ah1_staff"], ["ah1_mock", "a_bureau_inspector"]),
    ("mock", ["ah1_admin", "ah1_mock"], ["ah1_staff"]),
    ("routine", ["a_bureau_inspector", "a_bureau_admin"], ["ah1_admin", "ah1_mock"]),
])
def test_who_may_record(app, api_as, kind, allowed, refused):
    from assessment_helpers import CREATOR

    assessment = create(api_as(CREATOR[kind]), app, kind=kind, period="2026-05")
    for who in allowed:
        _finding(api_as(who), assessment["id"])
    for who in refused:
        _finding(api_as(who), assessment["id"], expect=403)


def test_confirm_and_dismiss_follow_the_roles(app, api_as):
    self_check = create(api_as("ah1_admin"), app, period="2026-05")
    mock = create(api_as("ah1_mock"), app, kind="mock", period="2026-05")
    own = _finding(api_as("ah1_admin"), self_check["id"])
    rehearsal = _finding(api_as("ah1_mock"), mock["id"])
    # A self-reported finding is confirmed by the bureau, never by the institution itself.
    _decide(api_as("ah1_admin"), own["id"], "confirm", expect=403)
    confirmed = _decide(api_as("a_bureau_inspector"), own["id"], "confirm")
    assert confirmed["status"] == "confirmed" and confirmed["decided_at"]
    _decide(api_as("a_bureau_admin"), own["id"], "confirm", expect=409)
    _decide(api_as("ah1_admin"), own["id"], "dismiss", expect=403, reason="x")
    # The mock rehearsal is the institution's own: its admin decides, the bureau does not.
    _decide(api_as("a_bureau_admin"), rehearsal["id"], "confirm", expect=404)
    _decide(api_as("ah1_admin"), rehearsal["id"], "dismiss", expect=422)
    dismissed = _decide(api_as("ah1_admin"), rehearsal["id"], "dismiss", reason="演练口径不一致")
    assert dismissed["status"] == "dismissed"
    assert dismissed["dismiss_reason"] == "演练口径不一致"


def test_decisions_are_audited(app, api_as):
    from saas.extensions import db
    from saas.models import AuditEntry

    routine = create(api_as("a_bureau_inspector"), app, kind="routine", period="2026-05")
    finding = _finding(api_as("a_bureau_inspector"), routine["id"])
    _decide(api_as("a_bureau_admin"), finding["id"], "dismiss", reason="证据不足")
    with app.app_context():
        actions = db.session.execute(select(AuditEntry.action).where(
            AuditEntry.object_type == "Finding",
            AuditEntry.object_id == str(finding["id"])).order_by(AuditEntry.id)).scalars()
        assert list(actions) == ["finding.created", "finding.dismissed"]


@pytest.mark.parametrize(("fields", "field"), [
    ({"category": "theft"}, "category"),
    ({"severity": "huge"}, "severity"),
    ({"description": ""}, "description"),
    ({"amount_fen": -1}, "amount_fen"),
    ({"amount_fen": 1.5}, "amount_fen"),
    ({"amount_fen": 10**14 + 1}, "amount_fen"),  # above the ceiling
    ({"clause_number": "99.9"}, "clause_number"),
    ({"indicator_code": "SUPPLY-DAYS-COMPLIANT"}, "indicator_code"),  # a pharmacy indicator
    ({"clause_number": "4.1.1", "indicator_code": "VIOL-RATIO"}, "indicator_code"),
    ({"evidence_ids": [999999]}, "evidence_ids"),
])
def test_bad_input_is_refused(app, api_as, fields, field):
    inspector = api_as("a_bureau_inspector")
    routine = create(inspector, app, kind="routine", period="2026-05")
    body = _finding(inspector, routine["id"], expect=422, **fields)
    assert field in body["errors"]


def test_evidence_must_be_the_institutions_and_unused(app, api_as):
    inspector = api_as("a_bureau_inspector")
    routine = create(inspector, app, kind="routine", period="2026-05")

    def upload(api, **form):
        response = api.post("/evidence", data={"file": (io.BytesIO(PNG), "p.png"), **form},
                            content_type="multipart/form-data")
        assert response.status_code == 201
        return response.get_json()["id"]

    with acting(app, "ah1_admin") as user:
        ah1 = user.institution_id
    photo = upload(inspector, institution_id=str(ah1))
    body = _finding(inspector, routine["id"], evidence_ids=[photo])
    assert body["evidence_ids"] == [photo]
    assert "evidence_ids" in _finding(inspector, routine["id"], expect=422,
                                      evidence_ids=[photo])["errors"]
    other = upload(api_as("ah2_admin"))
    assert "evidence_ids" in _finding(inspector, routine["id"], expect=422,
                                      evidence_ids=[other])["errors"]


def test_no_findings_once_submitted(app, api_as):
    api = api_as("ah1_admin")
    self_check = create(api, app, period="2026-05")
    act(api, self_check["id"], "submit")
    _finding(api, self_check["id"], expect=409)


def test_isolation_and_list_filters(app, api_as):
    inspector = api_as("a_bureau_inspector")
    routine = create(inspector, app, kind="routine", period="2026-05")
    first = _finding(inspector, routine["id"], severity="serious")
    _finding(inspector, routine["id"], severity="minor")
    pharmacy = create(inspector, app, number=AP1, kind="routine", period="2026-05")
    _finding(inspector, pharmacy["id"], category="excess_prescription")
    bureau = api_as("a_bureau_admin")
    assert bureau.get("/findings").get_json()["total"] == 3
    assert bureau.get("/findings?severity=serious").get_json()["total"] == 1
    assert bureau.get(f"/findings?assessment_id={routine['id']}").get_json()["total"] == 2
    assert bureau.get("/findings?category=excess_prescription").get_json()["total"] == 1
    assert bureau.get("/findings?status=confirmed").get_json()["total"] == 0
    assert api_as("ah1_admin").get("/findings").get_json()["total"] == 2
    assert api_as("ap1_admin").get("/findings").get_json()["total"] == 1
    for who in ("b_bureau_admin", "bh1_admin", "ah2_admin"):
        api = api_as(who)
        assert api.get("/findings").get_json()["total"] == 0
        assert api.get(f"/findings/{first['id']}").status_code == 404
        assert api.post(f"/findings/{first['id']}/confirm", json={}).status_code == 404
    _finding(api_as("b_bureau_inspector"), routine["id"], expect=404)


# --------------------------------------------------------------------------- pages


def test_phone_form_records_a_finding_with_photos(app, api_as, web_as):
    routine = create(api_as("a_bureau_inspector"), app, kind="routine", period="2026-05")
    client = web_as("a_bureau_inspector")
    page = client.get(f"/assessments/{routine['id']}/findings/new?indicator_code=VIOL-RATIO")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'accept="image/*" capture="environment" multiple' in html
    assert 'form-control-lg' in html and "分解住院" in html
    assert 'value="VIOL-RATIO" selected' in html
    response = client.post(f"/assessments/{routine['id']}/findings/new", data={
        "csrf_token": csrf_from(html), "category": "bed_hanging", "severity": "serious",
        "indicator_code": "VIOL-RATIO", "amount_yuan": "1,234.50",
        "description": "查见 3 名患者挂床住院", "location": "二病区",
        "photos": [(io.BytesIO(PNG), "1.png"), (io.BytesIO(PNG + b"1"), "2.png")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    found = api_as("a_bureau_admin").get(f"/findings?assessment_id={routine['id']}").get_json()
    (finding,) = found["items"]
    assert (finding["category"], finding["severity"], finding["amount_fen"]) == (
        "bed_hanging", "serious", 123450)
    assert len(finding["evidence_ids"]) == 2 and finding["clause_number"] == "2.1.1"


@pytest.mark.parametrize(("form", "message"), [
    ({"category": "", "description": "x"}, "请选择问题类别"),
    ({"description": ""}, "请填写问题描述"),
    ({"amount_yuan": "12.345"}, "金额最多两位小数"),
    ({"amount_yuan": "abc"}, "金额应为数字"),
    ({"photos": (b"MZ not a photo", "virus.jpg")}, "只接受"),
])
def test_phone_form_bad_input_saves_nothing(app, api_as, web_as, form, message):
    from saas.extensions import db
    from saas.models import Evidence, Finding

    routine = create(api_as("a_bureau_inspector"), app, kind="routine", period="2026-05")
    client = web_as("a_bureau_inspector")
    html = client.get(f"/assessments/{routine['id']}/findings/new").get_data(as_text=True)
    data = {"csrf_token": csrf_from(html), "category": "other", "severity": "minor",
            "description": "描述", **form}
    content, name = data.pop("photos", (PNG, "ok.png"))
    data["photos"] = (io.BytesIO(content), name)
    response = client.post(f"/assessments/{routine['id']}/findings/new", data=data,
                           content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and message in text
    good_photo = "photos" not in form  # kept for the next try, linked to nothing yet
    assert ('id="kept-photos"' in text) == good_photo
    with acting(app, "a_bureau_admin"):
        assert db.session.execute(select(func.count()).select_from(Finding)).scalar_one() == 0
        assert db.session.execute(select(func.count()).select_from(Evidence).where(
            Evidence.finding_id.is_not(None))).scalar_one() == 0
        assert db.session.execute(select(func.count()).select_from(Evidence)).scalar_one() == \
            int(good_photo)


def test_phone_form_is_refused_to_roles_that_cannot_record(app, api_as, web_as):
    routine = create(api_as("a_bureau_inspector"), app, kind="routine", period="2026-05")
    assert web_as("ah1_admin").get(
        f"/assessments/{routine['id']}/findings/new").status_code == 403
    assert web_as("bh1_admin").get(
        f"/assessments/{routine['id']}/findings/new").status_code == 404


def test_a_red_indicator_opens_the_finding_form_prefilled(app, api_as, web_as):
    inspector = api_as("a_bureau_inspector")
    routine = create(inspector, app, kind="routine", period="2026-05")
    put(inspector, routine["id"], [{"indicator_code": "VIOL-RATIO", "value": 0.8},
                                   {"indicator_code": "DATA-UPLOAD", "value": 100}])
    client = web_as("a_bureau_inspector")
    html = client.get(f"/assessments/{routine['id']}/scorecard").get_data(as_text=True)
    assert html.count('raise-finding" href="') == 1
    form = client.get(f"/assessments/{routine['id']}/findings/new?indicator_code=VIOL-RATIO")
    page = form.get_data(as_text=True)
    assert form.status_code == 200
    assert '<option value="VIOL-RATIO" selected>' in page
    assert '<option value="2.1.1" selected>' in page
    assert "违规费用占比" in page and "0.8%" in page
    # nothing is saved by opening it, and it is not saved ungraded
    assert inspector.get(f"/findings?assessment_id={routine['id']}").get_json()["items"] == []
    refused = client.post(f"/assessments/{routine['id']}/findings/new", data={
        "csrf_token": csrf_from(page), "indicator_code": "VIOL-RATIO", "clause_number": "2.1.1",
        "description": "违规费用占比 0.8%"})
    assert refused.status_code == 422
    assert inspector.get(f"/findings?assessment_id={routine['id']}").get_json()["items"] == []
    saved = client.post(f"/assessments/{routine['id']}/findings/new", data={
        "csrf_token": csrf_from(page), "indicator_code": "VIOL-RATIO", "clause_number": "2.1.1",
        "category": "other", "severity": "serious", "description": "违规费用占比 0.8%"})
    assert saved.status_code == 302
    (finding,) = inspector.get(f"/findings?assessment_id={routine['id']}").get_json()["items"]
    assert (finding["indicator_code"], finding["clause_number"], finding["severity"]) == (
        "VIOL-RATIO", "2.1.1", "serious")
    html = client.get(f"/assessments/{routine['id']}/scorecard").get_data(as_text=True)
    assert "raise-finding" not in html and "已登记问题" in html
    # a green indicator prefills nothing
    green = client.get(f"/assessments/{routine['id']}/findings/new?indicator_code=DATA-UPLOAD")
    assert "数据按规上传率" not in green.get_data(as_text=True).split('id="description"')[1][:200]


def test_a_draft_finding_can_be_edited_and_a_decided_one_cannot(app, api_as, web_as):
    inspector = api_as("a_bureau_inspector")
    routine = create(inspector, app, kind="routine", period="2026-05")
    finding = _finding(inspector, routine["id"])
    client = web_as("a_bureau_inspector")
    listing = client.get(f"/findings?assessment_id={routine['id']}").get_data(as_text=True)
    assert f"/findings/{finding['id']}/edit" in listing
    form = client.get(f"/findings/{finding['id']}/edit").get_data(as_text=True)
    assert finding["description"] in form
    saved = client.post(f"/findings/{finding['id']}/edit", data={
        "csrf_token": csrf_from(form), "category": "other", "severity": "minor",
        "description": "改正后的描述", "amount_yuan": "12.50"})
    assert saved.status_code == 302
    edited = inspector.get(f"/findings/{finding['id']}").get_json()
    assert (edited["description"], edited["severity"], edited["amount_fen"]) == (
        "改正后的描述", "minor", 1250)
    patched = inspector.patch(f"/findings/{finding['id']}", json={"severity": "general"})
    assert patched.status_code == 200 and patched.get_json()["severity"] == "general"
    assert patched.get_json()["description"] == "改正后的描述"
    blank = inspector.patch(f"/findings/{finding['id']}", json={"description": " "})
    assert blank.status_code == 422 and "description" in blank.get_json()["errors"]
    assert api_as("a_bureau_admin").post(f"/findings/{finding['id']}/confirm",
                                         json={}).status_code == 200
    assert inspector.patch(f"/findings/{finding['id']}",
                           json={"severity": "minor"}).status_code == 409
    again = client.get(f"/findings/{finding['id']}/edit")
    assert again.status_code == 302


def test_a_photo_chosen_before_a_refusal_is_kept(app, api_as, web_as):
    inspector = api_as("a_bureau_inspector")
    routine = create(inspector, app, kind="routine", period="2026-05")
    client = web_as("a_bureau_inspector")
    url = f"/assessments/{routine['id']}/findings/new"
    token = csrf_from(client.get(url).get_data(as_text=True))
    refused = client.post(url, content_type="multipart/form-data", data={
        "csrf_token": token, "category": "other", "description": "",
        "photos": [(io.BytesIO(PNG), "现场.png")]})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="kept-photos"' in page and "现场.png" in page
    kept = int(re.search(r'name="kept_photo" value="(\d+)"', page).group(1))
    saved = client.post(url, data={"csrf_token": token, "category": "other",
                                   "severity": "minor", "description": "有照片",
                                   "kept_photo": str(kept)})
    assert saved.status_code == 302
    (finding,) = inspector.get(f"/findings?assessment_id={routine['id']}").get_json()["items"]
    assert finding["evidence_ids"] == [kept]


def test_findings_page_confirm_dismiss_for_bureau_only(app, api_as, web_as):
    self_check = create(api_as("ah1_admin"), app, period="2026-05")
    first = _finding(api_as("ah1_admin"), self_check["id"])
    second = _finding(api_as("ah1_admin"), self_check["id"], category="duplicate_charge")
    html = web_as("ah1_admin").get("/findings").get_data(as_text=True)
    assert "confirm-finding" not in html and "自查发现" in html and "分解住院" in html
    client = web_as("a_bureau_admin")
    html = client.get("/findings").get_data(as_text=True)
    assert html.count("confirm-finding") == 2
    assert client.post(f"/findings/{first['id']}/confirm",
                       data={"csrf_token": csrf_from(html)}).status_code == 302
    response = client.post(f"/findings/{second['id']}/dismiss",
                           data={"csrf_token": csrf_from(html), "reason": ""})
    assert response.status_code == 302  # refused with a message, nothing changed
    assert "请填写驳回原因" in client.get("/findings").get_data(as_text=True)
    statuses = {f["id"]: f["status"] for f in api_as("a_bureau_admin").get(
        "/findings").get_json()["items"]}
    assert statuses == {first["id"]: "confirmed", second["id"]: "draft"}
