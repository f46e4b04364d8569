"""协议处理 pages: the bureau's pipeline, a measure's page and its step forms, the appeal
with evidence, the propose form with its errors, and a real browser through the whole
due process with two bureau users."""

import io

import pytest
from sqlalchemy import func, select

from assessment_helpers import AH1, agreement_id, create
from conftest import acting, csrf_from
from saas.extensions import db
from saas.models import Evidence, Measure

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _confirmed_finding(api_as, app, severity="general"):
    inspection = create(api_as("a_bureau_inspector"), app, kind="routine", period="2026-05")
    response = api_as("a_bureau_inspector").post("/findings", json={
        "assessment_id": inspection["id"], "category": "split_admission",
        "severity": severity, "description": "分解住院 3 例"})
    finding = response.get_json()["id"]
    assert api_as("a_bureau_admin").post(f"/findings/{finding}/confirm",
                                         json={}).status_code == 200
    return finding


def _only_measure(app, kind=None):
    with acting(app, "a_bureau_admin"):
        statement = select(Measure.id)
        if kind:
            statement = statement.where(Measure.measure == kind)
        return db.session.execute(statement).scalar_one()


def test_the_pipeline_shows_what_waits_for_whom(app, api_as, web_as):
    _confirmed_finding(api_as, app)
    bureau = web_as("a_bureau_inspector")
    page = bureau.get("/measures").get_data(as_text=True)
    assert 'data-waiting="notify"' in page and "约谈" in page and "系统提出" in page
    waiting = bureau.get("/measures?waiting=notify").get_data(as_text=True)
    assert waiting.count('class="card text-decoration-none text-body measure"') == 1
    institution = web_as("ah1_admin").get("/measures").get_data(as_text=True)
    assert 'class="card text-decoration-none text-body measure"' not in institution


def test_notify_appeal_with_a_photo_and_decide_through_the_pages(app, api_as, web_as):
    _confirmed_finding(api_as, app)
    measure = _only_measure(app)
    bureau = web_as("a_bureau_inspector")
    page = bureau.get(f"/measures/{measure}").get_data(as_text=True)
    assert 'id="notify"' in page and 'id="decide-form"' not in page
    response = bureau.post(f"/measures/{measure}/notify", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302

    institution = web_as("ah1_admin")
    page = institution.get(f"/measures/{measure}").get_data(as_text=True)
    assert 'id="appeal-form"' in page and 'id="appeal-until"' in page
    refused = institution.post(f"/measures/{measure}/appeal", data={
        "csrf_token": csrf_from(page), "statement": " "}, follow_redirects=True)
    assert "请填写申诉理由" in refused.get_data(as_text=True)
    institution.post(f"/measures/{measure}/appeal", data={
        "csrf_token": csrf_from(page), "statement": "两次入院病种不同",
        "files": (io.BytesIO(PNG), "病历.png")}, content_type="multipart/form-data")
    page = institution.get(f"/measures/{measure}").get_data(as_text=True)
    assert "两次入院病种不同" in page and "病历.png" in page and 'id="appeal-form"' not in page
    with acting(app, "ah1_admin"):
        assert db.session.scalar(select(func.count()).select_from(Evidence).where(
            Evidence.measure_event_id.is_not(None))) == 1

    page = bureau.get(f"/measures/{measure}").get_data(as_text=True)
    bureau.post(f"/measures/{measure}/decide", data={
        "csrf_token": csrf_from(page), "decision": "uphold", "reason": "申诉理由不成立"})
    page = bureau.get(f"/measures/{measure}").get_data(as_text=True)
    assert "执行中" in page and "申诉理由不成立" in page


def test_the_propose_form_says_what_is_wrong_and_keeps_what_was_typed(app, web_as):
    ah1 = agreement_id(app, AH1)
    bureau = web_as("a_bureau_inspector")
    page = bureau.get(f"/agreements/{ah1}/measures/new").get_data(as_text=True)
    response = bureau.post(f"/agreements/{ah1}/measures/new", data={
        "csrf_token": csrf_from(page), "measure": "clawback", "basis": "违规收费追回",
        "amount_yuan": "12.345"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "金额最多两位小数" in body and "违规收费追回" in body
    with acting(app, "a_bureau_admin"):
        assert db.session.scalar(select(func.count()).select_from(Measure)) == 0
    response = bureau.post(f"/agreements/{ah1}/measures/new", data={
        "csrf_token": csrf_from(page), "measure": "clawback", "basis": "违规收费追回",
        "amount_yuan": "1234.50", "article": "条例第三十八条"})
    assert response.status_code == 302
    page = bureau.get(response.headers["Location"]).get_data(as_text=True)
    assert "1234.50" in page and "条例第三十八条" in page and "追回医保基金" in page
    assert web_as("ah1_admin").get(f"/agreements/{ah1}/measures/new").status_code in (
        200, 302, 403)


def test_the_agreement_page_shows_the_years_points(app, api_as, web_as):
    _confirmed_finding(api_as, app, "serious")
    page = web_as("ah1_admin").get(f"/agreements/{agreement_id(app, AH1)}").get_data(
        as_text=True)
    assert 'id="points-this-year">8' in page and "问题确认" in page
    assert 'id="propose-measure"' not in page


@pytest.mark.browser
def test_a_browser_through_the_due_process_with_two_bureau_users(app, backend, page_as):
    """A bureau user confirms a fraud finding, sees the proposed suspension and notifies
    it; the institution appeals on a phone; the proposer cannot decide; a second bureau
    admin does, and the agreement is suspended."""
    if backend != "sqlite":
        pytest.skip("one backend is enough for the browser path")
    from conftest import USERS
    from saas.services.auth import issue_token

    inspector = _api_for(app, USERS["a_bureau_inspector"], issue_token)
    inspection = create(inspector, app, kind="routine", period="2026-05")
    inspector.post("/findings", json={
        "assessment_id": inspection["id"], "category": "fictitious_service",
        "severity": "fraud", "description": "虚构诊疗服务 12 人次"})

    admin = page_as("a_bureau_admin")
    admin.goto(admin.base + "/findings")
    admin.click(".confirm-finding")
    admin.locator("#confirm-dialog .confirm-ok").click()
    admin.wait_for_selector(".alert-success")
    admin.goto(admin.base + "/measures?waiting=notify")
    assert admin.locator("#measures .measure").count() == 5  # 约谈 … 中止, and 解除
    admin.click("#measures .measure:has-text('中止协议')")
    admin.wait_for_selector("#notify")
    admin.click("#notify")
    admin.locator("#confirm-dialog .confirm-ok").click()
    admin.wait_for_selector("#appeal-until")
    url = admin.url

    phone = page_as("ah1_admin", width=375)
    phone.goto(url)
    phone.fill("#statement", "该问题系系统误报，已提交病历")
    phone.click("#appeal")
    phone.wait_for_selector("#history:has-text('该问题系系统误报')")

    admin.reload()
    assert admin.locator("#decide-form").count() == 0  # the notifier may not decide
    second = page_as("a_bureau_admin2")
    second.goto(url)
    second.check("#uphold")
    second.fill("#decide-reason", "经核查欺诈属实")
    second.click("#decide")
    second.wait_for_selector("#measure-status:has-text('执行中')")
    second.goto(second.base + f"/agreements/{agreement_id(app, AH1)}")
    assert "已中止" in second.locator("h1").inner_text()


def _api_for(app, email, issue_token):
    from conftest import ApiClient, user_by_email

    with app.app_context():
        token = issue_token(user_by_email(email).id)
    return ApiClient(app.test_client(), token)


def test_the_institution_page_shows_ownership_and_the_years_money(app, api_as, web_as):
    from saas.models import Institution

    with acting(app, "a_bureau_admin"):
        ah1 = db.session.execute(select(Institution.id).where(
            Institution.code == "AH1")).scalar_one()
    page = web_as("a_bureau_admin").get(f"/institutions/{ah1}").get_data(as_text=True)
    assert "非公立" in page and "张建国" in page and 'id="money">0.00' in page
    assert "330106197001010011" not in page  # ID numbers are never shown


def test_the_pipeline_counts_what_is_overdue(app, api_as, web_as, monkeypatch):
    from datetime import timedelta

    import saas.services.measures
    from saas.timeutil import today_local

    _confirmed_finding(api_as, app)
    measure = _only_measure(app)
    api_as("a_bureau_inspector").post(f"/measures/{measure}/notify", json={})
    bureau = web_as("a_bureau_admin")
    assert 'data-waiting="overdue"' in bureau.get("/measures").get_data(as_text=True)
    monkeypatch.setattr(saas.services.measures, "today_local",
                        lambda: today_local() + timedelta(days=30))
    overdue = bureau.get("/measures?waiting=overdue").get_data(as_text=True)
    assert overdue.count('class="card text-decoration-none text-body measure"') == 1
    assert 'waiting-count text-danger">1<' in overdue


def test_a_confirmed_finding_is_dismissed_on_review_from_the_findings_page(app, api_as,
                                                                            web_as):
    finding = _confirmed_finding(api_as, app, "serious")
    bureau = web_as("a_bureau_admin")
    page = bureau.get("/findings").get_data(as_text=True)
    assert "review-finding" in page
    assert "review-finding" not in web_as("ah1_admin").get("/findings").get_data(as_text=True)
    bureau.post(f"/findings/{finding}/dismiss", data={"csrf_token": csrf_from(page),
                                                       "reason": "复核不成立"})
    ledger = api_as("ah1_admin").get(
        f"/agreements/{agreement_id(app, AH1)}/points").get_json()
    assert ledger["total"] == 0 and len(ledger["events"]) == 2


def test_the_pipeline_counts_only_the_callers_scope(app, api_as):
    from saas.services import measures

    _confirmed_finding(api_as, app)
    for who, expected in (("a_bureau_admin", 1), ("b_bureau_admin", 0), ("ah2_admin", 0),
                          ("ah1_admin", 0)):  # ah1: proposed, not notified yet
        with acting(app, who):
            assert measures.page()["waiting"]["notify"] == expected, who
