"""服务协议: lifecycle through the API (allowed, refused, wrong role, other tenant), renewal
and its override, expiry job and CLI, 重大信息变更备案, audit trail, pages."""

import re
from datetime import date

import pytest
from enforcement_helpers import lift, rescind_by_measure, suspend_by_measure

from conftest import acting, csrf_from
from saas.domain.calendar import WorkdayCalendar
from saas.timeutil import today_local


def numbers(api) -> dict:
    items = api.get("/agreements?page_size=200").get_json()["items"]
    return {a["number"]: a["id"] for a in items}


def ids(api_as) -> dict:
    return numbers(api_as("a_bureau_admin")) | numbers(api_as("b_bureau_admin"))


def institution_id(api, code: str) -> int:
    items = api.get("/institutions?page_size=200").get_json()["items"]
    return next(i["id"] for i in items if i["code"] == code)


def template_id(api, code: str) -> int:
    items = api.get(f"/templates?code={code}&latest=true").get_json()["items"]
    return items[0]["id"]


def audit_actions(app, agreement_id: int) -> list[str]:
    from sqlalchemy import select

    from saas.extensions import db
    from saas.models import AuditEntry

    with app.app_context():
        return list(db.session.execute(
            select(AuditEntry.action).where(AuditEntry.object_type == "Agreement",
                                            AuditEntry.object_id == str(agreement_id))
            .order_by(AuditEntry.id)).scalars())


def create_draft(api, number="A-2025-009", start="2025-01-01", end="2025-12-31", code="AH1",
                 template="HOSP-2026"):
    return api.post("/agreements", json={
        "institution_id": institution_id(api, code), "template_id": template_id(api, template),
        "number": number, "start": start, "end": end})


def add_annual_grade(app, agreement_id: int, grade: str, year: int = 2026) -> None:
    from saas.extensions import db
    from saas.models import Agreement, Assessment

    with acting(app, "a_bureau_admin"):
        agreement = db.session.get(Agreement, agreement_id)
        db.session.add(Assessment(
            agreement_id=agreement_id, institution_id=agreement.institution_id,
            region_id=agreement.region_id, kind="annual", period=str(year),
            period_start=date(year, 1, 1), period_end=date(year, 12, 31),
            status="finalized", grade=grade, total=50.0 if grade == "fail" else 80.0))
        db.session.commit()


# ------------------------------------------------------------------------------ reading


def test_each_user_sees_their_own_agreements(api_as):
    assert set(numbers(api_as("a_bureau_admin"))) == {"A-2026-001", "A-2026-002", "A-2026-003"}
    assert set(numbers(api_as("ah1_admin"))) == {"A-2026-001"}
    assert set(numbers(api_as("b_bureau_admin"))) == {"B-2026-001"}


def test_list_filters_by_status_and_institution(api_as):
    api = api_as("a_bureau_admin")
    ah2 = institution_id(api, "AH2")
    body = api.get(f"/agreements?institution_id={ah2}").get_json()
    assert [a["number"] for a in body["items"]] == ["A-2026-002"]
    assert api.get("/agreements?status=draft").get_json()["total"] == 0
    assert api.get("/agreements?status=active").get_json()["total"] == 3
    bad = api.get("/agreements?status=bogus")
    assert bad.status_code == 422
    assert "status" in bad.get_json()["errors"]


def test_detail_has_contract_fields(api_as):
    api = api_as("ah1_admin")
    agreement_id = numbers(api)["A-2026-001"]
    body = api.get(f"/agreements/{agreement_id}").get_json()
    for field in ("id", "number", "institution_id", "template_id", "start", "end", "status"):
        assert field in body
    assert body["status"] == "active" and body["template_code"] == "HOSP-2026"


OTHER_TENANT_CALLS = [
    ("get", ""), ("post", "/sign"), ("post", "/renew"),
    ("get", "/changes"), ("post", "/changes"), ("get", "/points"),
]
BODIES = {
          "/changes": {"field": "name", "new_value": "x", "changed_on": "2026-01-05"}}


@pytest.mark.parametrize(("who", "target"), [("b_bureau_admin", "A-2026-001"),
                                             ("ah2_admin", "A-2026-001"),
                                             ("a_bureau_admin", "B-2026-001")])
def test_other_tenants_agreement_answers_404_everywhere(api_as, who, target):
    agreement_id = ids(api_as)[target]
    api = api_as(who)
    for method, suffix in OTHER_TENANT_CALLS:
        kwargs = {"json": BODIES.get(suffix, {})} if method == "post" else {}
        response = getattr(api, method)(f"/agreements/{agreement_id}{suffix}", **kwargs)
        assert response.status_code == 404, (method, suffix, response.get_json())
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert target not in response.get_data(as_text=True)


def test_other_tenant_pages_answer_404(api_as, web_as):
    agreement_id = ids(api_as)["B-2026-001"]
    web = web_as("a_bureau_admin")
    assert web.get(f"/agreements/{agreement_id}").status_code == 404
    token = csrf_from(web.get("/agreements").get_data(as_text=True))
    for path, data in ((f"/agreements/{agreement_id}/actions", {"action": "sign"}),
                       (f"/agreements/{agreement_id}/changes",
                        {"field": "name", "new_value": "x", "changed_on": "2026-01-05"})):
        response = web.post(path, data={**data, "reason": "x", "csrf_token": token})
        assert response.status_code == 404


# ----------------------------------------------------------------------------- creating


def test_bureau_admin_creates_a_draft_then_signs_it(app, api_as):
    api = api_as("a_bureau_admin")
    created = create_draft(api)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["status"] == "draft" and body["signed_at"] is None
    signed = api.post(f"/agreements/{body['id']}/sign", json={})
    assert signed.status_code == 200
    assert signed.get_json()["status"] == "active" and signed.get_json()["signed_at"]
    again = api.post(f"/agreements/{body['id']}/sign", json={})
    assert again.status_code == 409
    assert "不能执行「签订」" in again.get_json()["detail"]
    assert audit_actions(app, body["id"]) == ["agreement.created", "agreement.signed"]


@pytest.mark.parametrize("who", ["a_bureau_inspector", "ah1_admin", "ah1_staff"])
def test_only_bureau_admin_creates(api_as, who):
    response = create_draft(api_as(who))
    assert response.status_code == 403


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"end": "2024-12-31"}, 422, "end"),
    ({"template": "PHARM-2026"}, 422, "template_id"),
    ({"number": "A-2026-002"}, 409, "number"),
    ({"start": "2026-06-01", "end": "2027-05-31"}, 409, None),  # overlaps A-2026-001
])
def test_create_refusals_write_nothing(app, api_as, change, status, field):
    api = api_as("a_bureau_admin")
    before = api.get("/agreements").get_json()["total"]
    response = create_draft(api, **change)
    assert response.status_code == status, response.get_json()
    if field:
        assert field in response.get_json()["errors"]
    assert api.get("/agreements").get_json()["total"] == before


def test_create_with_another_regions_institution_is_a_field_error(api_as):
    api = api_as("a_bureau_admin")
    foreign = institution_id(api_as("b_bureau_admin"), "BH1")
    response = api.post("/agreements", json={
        "institution_id": foreign, "template_id": template_id(api, "HOSP-2026"),
        "number": "X-1", "start": "2025-01-01", "end": "2025-12-31"})
    assert response.status_code == 422
    assert "institution_id" in response.get_json()["errors"]
    assert "乙区" not in response.get_data(as_text=True)


def test_create_rejects_unknown_fields(api_as):
    api = api_as("a_bureau_admin")
    response = api.post("/agreements", json={"status": "active"})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "status" in errors and "institution_id" in errors


# -------------------------------------------------------------------------- transitions


def test_suspension_by_measure_then_rescission_cycle(app, api_as):
    """中止, 恢复 and 解除 come from measures, each with its due process."""
    api = api_as("a_bureau_admin")
    agreement_id = numbers(api)["A-2026-001"]
    path = f"/agreements/{agreement_id}"
    for gone in ("suspend", "resume", "rescind"):  # never a direct action
        assert api.post(f"{path}/{gone}", json={"reason": "x"}).status_code in (404, 405)

    measure = suspend_by_measure(api_as, agreement_id, "ah1_admin")
    body = api.get(path).get_json()
    assert body["status"] == "suspended" and body["suspensions"] == 1
    assert body["status_reason"] == "记分达到 12 分" and body["suspended_at"]
    assert api.post(f"{path}/renew", json={}).status_code == 409

    lift(api_as, measure)
    resumed = api.get(path).get_json()
    assert resumed["status"] == "active" and resumed["suspended_at"] is None

    rescind_by_measure(api_as, agreement_id, "ah1_admin")
    rescinded = api.get(path).get_json()
    assert rescinded["status"] == "rescinded" and rescinded["status_reason"] == "欺诈骗保"
    for action in ("sign", "renew"):
        refused = api.post(f"{path}/{action}", json={})
        assert refused.status_code == 409, action
        assert "已解除" in refused.get_json()["detail"]

    assert audit_actions(app, agreement_id) == [
        "agreement.created", "agreement.signed", "agreement.suspended", "agreement.resumed",
        "agreement.rescinded", "agreement.bars"]


def test_second_suspension_in_a_term_proposes_rescission(app, api_as):
    from sqlalchemy import select

    from saas.extensions import db
    from saas.models import AuditEntry, Measure

    api = api_as("a_bureau_admin")
    agreement_id = numbers(api)["A-2026-002"]
    for _ in range(2):
        lift(api_as, suspend_by_measure(api_as, agreement_id, "ah2_admin"))
    with acting(app, "a_bureau_admin"):
        entries = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == "agreement.suspended").order_by(AuditEntry.id)).scalars().all()
        assert "rescission_proposed" not in entries[0].after
        assert entries[1].after["rescission_proposed"] == ["同一协议期内第二次中止协议"]
        proposed = db.session.execute(select(Measure).where(
            Measure.measure == "rescission")).scalar_one()
        assert (proposed.ground, proposed.status) == ("repeat_suspension", "proposed")


def test_draft_refusals(api_as):
    api = api_as("a_bureau_admin")
    draft = create_draft(api).get_json()["id"]
    response = api.post(f"/agreements/{draft}/renew", json={})
    assert response.status_code == 409 and "草拟" in response.get_json()["detail"]
    proposed = api.post("/measures", json={"agreement_id": draft, "measure": "suspension",
                                           "months": 1, "basis": "x"})
    assert proposed.status_code == 422 and "agreement_id" in proposed.get_json()["errors"]


@pytest.mark.parametrize("action", ["sign", "renew"])
@pytest.mark.parametrize("who", ["a_bureau_inspector", "ah1_admin", "ah1_staff", "ah1_mock"])
def test_wrong_role_is_403(api_as, who, action):
    agreement_id = numbers(api_as("a_bureau_admin"))["A-2026-001"]
    response = api_as(who).post(f"/agreements/{agreement_id}/{action}", json={})
    assert response.status_code == 403


def test_actions_reject_unknown_body_fields(api_as):
    api = api_as("a_bureau_admin")
    agreement_id = numbers(api)["A-2026-001"]
    response = api.post(f"/agreements/{agreement_id}/sign", json={"force": True})
    assert response.status_code == 422
    assert "force" in response.get_json()["errors"]


def test_status_cannot_be_changed_outside_the_service(app):
    from saas.extensions import db
    from saas.models import Agreement
    from saas.models.status_guard import StatusGuardError

    with acting(app, "a_bureau_admin"):
        agreement = db.session.execute(db.select(Agreement).limit(1)).scalar_one()
        with pytest.raises(StatusGuardError):
            agreement.status = "rescinded"



# ------------------------------------------------------------------------------ renewal


def test_renewal_creates_a_draft_successor_on_the_next_term(app, api_as):
    api = api_as("a_bureau_admin")
    agreement_id = numbers(api)["A-2026-001"]
    response = api.post(f"/agreements/{agreement_id}/renew", json={})
    assert response.status_code == 201, response.get_json()
    successor = response.get_json()
    assert successor["number"] == "A-2026-001-R1"
    assert successor["status"] == "draft" and successor["predecessor_id"] == agreement_id
    assert (successor["start"], successor["end"]) == ("2027-01-01", "2027-12-31")
    assert successor["template_code"] == "HOSP-2026"
    assert api.get(f"/agreements/{agreement_id}").get_json()["status"] == "active"

    again = api.post(f"/agreements/{agreement_id}/renew", json={})
    assert again.status_code == 409 and "已续签" in again.get_json()["detail"]
    signed = api.post(f"/agreements/{successor['id']}/sign", json={})
    assert signed.status_code == 200 and signed.get_json()["status"] == "active"
    assert "agreement.renewed" in audit_actions(app, agreement_id)
    assert audit_actions(app, successor["id"]) == ["agreement.created", "agreement.signed"]


def test_renewal_takes_a_given_number(api_as):
    api = api_as("a_bureau_admin")
    agreement_id = numbers(api)["A-2026-003"]
    response = api.post(f"/agreements/{agreement_id}/renew", json={"number": "A-2027-003"})
    assert response.status_code == 201 and response.get_json()["number"] == "A-2027-003"


def test_renewal_refused_after_a_failed_annual_grade(app, api_as):
    api = api_as("a_bureau_admin")
    agreement_id = numbers(api)["A-2026-002"]
    add_annual_grade(app, agreement_id, "fail")
    refused = api.post(f"/agreements/{agreement_id}/renew", json={})
    assert refused.status_code == 409
    assert "不合格" in refused.get_json()["detail"]
    blank = api.post(f"/agreements/{agreement_id}/renew", json={"override_reason": "  "})
    assert blank.status_code == 409 and "理由" in blank.get_json()["detail"]
    assert api.get("/agreements?status=draft").get_json()["total"] == 0

    override = api.post(f"/agreements/{agreement_id}/renew",
                        json={"override_reason": "整改已完成，经局务会研究同意续签"})
    assert override.status_code == 201

    from sqlalchemy import select

    from saas.extensions import db
    from saas.models import AuditEntry

    with app.app_context():
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == "agreement.renewed")).scalar_one()
        assert entry.after["last_annual_grade"] == "fail"
        assert entry.after["override_reason"] == "整改已完成，经局务会研究同意续签"
        assert entry.actor == "admin@a.example"


def test_a_passed_latest_annual_grade_allows_renewal(app, api_as):
    api = api_as("a_bureau_admin")
    agreement_id = numbers(api)["A-2026-002"]
    add_annual_grade(app, agreement_id, "fail", year=2025)
    add_annual_grade(app, agreement_id, "pass", year=2026)
    assert api.post(f"/agreements/{agreement_id}/renew", json={}).status_code == 201


def test_renewal_uses_the_latest_template_version(app, api_as):
    from test_templates import hospital_spec, import_yaml

    api = api_as("a_bureau_admin")
    spec = hospital_spec()
    spec["clauses"][0]["title"] = "医保政策执行与培训（修订）"
    v2 = import_yaml(api, spec)
    assert v2.status_code == 201 and v2.get_json()["version"] == 2
    agreement_id = numbers(api)["A-2026-001"]
    successor = api.post(f"/agreements/{agreement_id}/renew", json={}).get_json()
    assert successor["template_id"] == v2.get_json()["id"]
    assert api.get(f"/agreements/{agreement_id}").get_json()["template_version"] == 1


# ------------------------------------------------------------------------------- expiry


def test_expire_due_expires_only_ended_terms(app, api_as, monkeypatch):
    import saas.api.agreements

    monkeypatch.setattr(saas.api.agreements, "today_local", lambda: date(2026, 11, 23))
    api = api_as("a_bureau_admin")
    old = create_draft(api, number="A-2025-001").get_json()["id"]
    api.post(f"/agreements/{old}/sign", json={})
    draft = create_draft(api, number="A-2024-001", start="2024-01-01", end="2024-12-31")
    response = api.post("/agreements/expire-due", json={})
    assert response.status_code == 200
    assert response.get_json()["expired"] == [old]
    assert api.get(f"/agreements/{old}").get_json()["status"] == "expired"
    assert api.get(f"/agreements/{draft.get_json()['id']}").get_json()["status"] == "draft"
    assert api.get("/agreements?status=active").get_json()["total"] == 3
    assert audit_actions(app, old)[-1] == "agreement.expired"
    assert api.post("/agreements/expire-due", json={}).get_json()["expired"] == []


@pytest.mark.parametrize("who", ["a_bureau_inspector", "ah1_admin"])
def test_expire_due_needs_bureau_admin(api_as, who):
    assert api_as(who).post("/agreements/expire-due", json={}).status_code == 403


def test_expiry_job_acts_in_one_region(app, api_as):
    from saas.jobs.agreements import expire_due_agreements

    region_of = {}
    with acting(app, "a_bureau_admin") as user:
        region_of["a"] = user.region_id
    with app.app_context():
        expired = expire_due_agreements(region_of["a"], "2027-01-01")
    assert sorted(expired) == sorted(numbers(api_as("a_bureau_admin")).values())
    assert api_as("b_bureau_admin").get("/agreements?status=active").get_json()["total"] == 1

    from sqlalchemy import select

    from saas.extensions import db
    from saas.models import AuditEntry

    with app.app_context():
        actors = set(db.session.execute(select(AuditEntry.actor).where(
            AuditEntry.action == "agreement.expired")).scalars())
    assert actors == {"system"}


def test_expiry_job_creates_its_own_app_context(app, monkeypatch):
    """The rq worker has no app context: the job builds one from the environment."""
    import saas
    from saas.jobs import agreements as job

    monkeypatch.setattr(saas, "create_app", lambda: app)
    with acting(app, "b_bureau_admin") as user:
        region_id = user.region_id
    assert len(job.expire_due_agreements(region_id, "2027-01-01")) == 1


def test_cli_expires_every_region(app, api_as):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["agreements", "expire", "--today", "2027-01-01"])
    assert result.exit_code == 0, result.output
    assert "3 expired" in result.output and "1 expired" in result.output
    assert api_as("b_bureau_admin").get("/agreements?status=expired").get_json()["total"] == 1
    one = runner.invoke(args=["agreements", "expire", "--region", "999999"])
    assert one.exit_code == 2


# ---------------------------------------------------------------- 重大信息变更备案


def test_information_change_due_in_30_working_days(api_as):
    api = api_as("ah1_admin")
    agreement_id = numbers(api)["A-2026-001"]
    response = api.post(f"/agreements/{agreement_id}/changes", json={
        "field": "legal_representative", "old_value": "张三", "new_value": "李四",
        "changed_on": "2026-09-25"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    # 国庆节: 10-01..07 off (five weekdays), 10-10 (Saturday) a 调休 working day.
    expected = WorkdayCalendar().add_workdays(date(2026, 9, 25), 30)
    assert body["due_on"] == expected.isoformat() == "2026-11-12"
    assert body["filed_on"] and body["field_label"] == "法定代表人"
    assert body["late"] is True  # filed today, after the deadline
    listed = api.get(f"/agreements/{agreement_id}/changes").get_json()
    assert listed["total"] == 1 and listed["items"][0]["new_value"] == "李四"


def test_information_change_uses_admin_calendar_overrides(app, api_as):
    from saas.extensions import db
    from saas.models import CalendarDay

    with app.app_context():
        db.session.add(CalendarDay(day=date(2026, 11, 2), is_workday=False, note="测试停工"))
        db.session.commit()
    api = api_as("a_bureau_admin")
    agreement_id = numbers(api)["A-2026-001"]
    body = api.post(f"/agreements/{agreement_id}/changes", json={
        "field": "address", "new_value": "新地址", "changed_on": "2026-09-25"}).get_json()
    assert body["due_on"] == "2026-11-13"  # one day later than without the override


def test_information_change_on_time_is_not_late(api_as):
    api = api_as("ah1_admin")
    agreement_id = numbers(api)["A-2026-001"]
    body = api.post(f"/agreements/{agreement_id}/changes", json={
        "field": "name", "new_value": "甲区第一人民医院",
        "changed_on": today_local().isoformat()}).get_json()
    assert body["late"] is False


@pytest.mark.parametrize(("body", "field"), [
    ({"field": "colour", "new_value": "x", "changed_on": "2026-01-05"}, "field"),
    ({"field": "name", "new_value": "", "changed_on": "2026-01-05"}, "new_value"),
    ({"field": "name", "new_value": "x", "changed_on": "2099-01-05"}, "changed_on"),
    ({"field": "name", "new_value": "x"}, "changed_on"),
])
def test_information_change_validation(api_as, body, field):
    api = api_as("ah1_admin")
    agreement_id = numbers(api)["A-2026-001"]
    response = api.post(f"/agreements/{agreement_id}/changes", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert api.get(f"/agreements/{agreement_id}/changes").get_json()["total"] == 0


@pytest.mark.parametrize("who", ["ah1_staff", "ah1_mock", "a_bureau_inspector"])
def test_information_change_roles(api_as, who):
    agreement_id = numbers(api_as("a_bureau_admin"))["A-2026-001"]
    response = api_as(who).post(f"/agreements/{agreement_id}/changes", json={
        "field": "name", "new_value": "x", "changed_on": "2026-01-05"})
    assert response.status_code == 403


# -------------------------------------------------------------------------------- pages


def test_agreement_pages_for_the_bureau(api_as, web_as):
    web = web_as("a_bureau_admin")
    html = web.get("/agreements").get_data(as_text=True)
    for number in ("A-2026-001", "A-2026-002", "A-2026-003"):
        assert number in html
    assert "履行中" in html and "B-2026-001" not in html
    assert "A-2026-003" not in web.get("/agreements?status=draft").get_data(as_text=True)

    agreement_id = numbers(api_as("a_bureau_admin"))["A-2026-001"]
    page = web.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    assert "甲区第一医院" in page and "HOSP-2026 v1" in page
    assert "TRAIN-COVERAGE" in page and "医保政策培训覆盖率" in page
    assert "协议履历" in page and "签订" in page
    assert 'value="renew"' in page
    for gone in ("suspend", "resume", "rescind"):  # measures, with their due process
        assert f'value="{gone}"' not in page
    assert 'id="propose-measure"' in page  # a suspension is proposed as a measure


def test_institution_sees_its_agreement_without_action_buttons(api_as, web_as):
    web = web_as("ah1_admin")
    html = web.get("/agreements").get_data(as_text=True)
    assert "A-2026-001" in html and "A-2026-002" not in html
    agreement_id = numbers(api_as("ah1_admin"))["A-2026-001"]
    page = web.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    assert 'id="agreement-actions"' not in page
    assert 'id="change-form"' in page
    token = csrf_from(page)
    response = web.post(f"/agreements/{agreement_id}/actions",
                        data={"action": "renew", "reason": "x", "csrf_token": token})
    assert response.status_code == 403


def test_page_actions_flash_chinese_messages(api_as, web_as):
    web = web_as("a_bureau_admin")
    agreement_id = numbers(api_as("a_bureau_admin"))["A-2026-001"]
    path = f"/agreements/{agreement_id}"
    token = csrf_from(web.get(path).get_data(as_text=True))

    def act(action, reason=""):
        response = web.post(f"{path}/actions", data={"action": action, "reason": reason,
                                                     "csrf_token": token})
        assert response.status_code == 302
        return web.get(response.headers["Location"]).get_data(as_text=True)

    assert "不能执行「签订」" in act("sign")
    for unknown in ("delete", "suspend", "rescind"):
        assert "未知操作" in act(unknown)
    renewed = act("renew")
    assert "已生成续签协议" in renewed and "A-2026-001-R1" in renewed


def test_page_creates_a_draft_agreement(app, api_as, web_as):
    api = api_as("a_bureau_admin")
    web = web_as("a_bureau_admin")
    page = web.get("/agreements").get_data(as_text=True)
    assert 'id="new-agreement"' in page and "甲区第一医院" in page and "HOSP-2026 v1" in page
    form = {"institution_id": institution_id(api, "AH1"),
            "template_id": template_id(api, "HOSP-2026"), "number": "A-2025-010",
            "start": "2025-01-01", "end": "2025-12-31", "csrf_token": csrf_from(page)}
    response = web.post("/agreements", data=form)
    assert response.status_code == 302
    detail = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "已新建协议" in detail and "A-2025-010" in detail and "草拟" in detail
    assert 'value="sign"' in detail
    assert audit_actions(app, numbers(api)["A-2025-010"]) == ["agreement.created"]


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"institution_id": ""}, "institution_id", "请选择定点机构"),
    ({"start": "2025-13-01"}, "start", "请填写日期"),
    ({"end": "2024-12-31"}, "end", "终止日期应晚于起始日期"),
    ({"number": "A-2026-002"}, "number", "已被使用"),
    ({"number": "N" * 41}, "number", "最多 40 个字符"),
    ({"template": "PHARM-2026"}, "template_id", "不适用于该机构类型"),
    ({"start": "2026-06-01", "end": "2027-05-31"}, None, "同一期限内只能有一份协议"),
])
def test_page_create_refusals_keep_the_form_and_write_nothing(api_as, web_as, change, field,
                                                              message):
    api = api_as("a_bureau_admin")
    web = web_as("a_bureau_admin")
    before = api.get("/agreements").get_json()["total"]
    fields = {k: v for k, v in change.items() if k != "template"}  # the parameter is shared
    form = {"institution_id": str(institution_id(api, "AH1")),
            "template_id": str(template_id(api, change.get("template", "HOSP-2026"))),
            "number": "A-2025-011", "start": "2025-01-01", "end": "2025-12-31",
            "csrf_token": csrf_from(web.get("/agreements").get_data(as_text=True)), **fields}
    response = web.post("/agreements", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    if field:
        assert re.search(f'id="{field}"[^>]*is-invalid', html), field
    assert f'value="{form["number"]}"' in html  # what was typed is still there
    assert api.get("/agreements").get_json()["total"] == before


def test_page_create_with_another_regions_institution_is_refused(api_as, web_as):
    api = api_as("a_bureau_admin")
    web = web_as("a_bureau_admin")
    foreign = institution_id(api_as("b_bureau_admin"), "BH1")
    response = web.post("/agreements", data={
        "institution_id": str(foreign), "template_id": str(template_id(api, "HOSP-2026")),
        "number": "X-1", "start": "2025-01-01", "end": "2025-12-31",
        "csrf_token": csrf_from(web.get("/agreements").get_data(as_text=True))})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "不存在" in html and "乙区" not in html
    assert "X-1" not in numbers(api_as("b_bureau_admin")) | numbers(api)


@pytest.mark.parametrize("who", ["a_bureau_inspector", "ah1_admin"])
def test_page_offers_no_new_agreement_form_without_the_right(web_as, who):
    web = web_as(who)
    page = web.get("/agreements").get_data(as_text=True)
    assert 'id="new-agreement"' not in page
    response = web.post("/agreements", data={
        "institution_id": "1", "template_id": "1", "number": "X", "start": "2025-01-01",
        "end": "2025-12-31", "csrf_token": csrf_from(page)})
    assert response.status_code == 403


def test_api_refuses_a_number_longer_than_the_column(api_as):
    response = create_draft(api_as("a_bureau_admin"), number="N" * 41)
    assert response.status_code == 422 and "number" in response.get_json()["errors"]


def test_page_files_an_information_change(api_as, web_as):
    web = web_as("ah1_admin")
    agreement_id = numbers(api_as("ah1_admin"))["A-2026-001"]
    path = f"/agreements/{agreement_id}"
    token = csrf_from(web.get(path).get_data(as_text=True))
    ok = web.post(f"{path}/changes", data={"field": "level", "new_value": "三级甲等",
                                           "changed_on": "2026-09-25", "csrf_token": token})
    page = web.get(ok.headers["Location"]).get_data(as_text=True)
    assert "变更已备案" in page and "2026-11-12" in page and "逾期备案" in page
    bad = web.post(f"{path}/changes", data={"field": "level", "new_value": "x",
                                            "changed_on": "not a date", "csrf_token": token})
    assert "请填写正确的变更日期" in web.get(bad.headers["Location"]).get_data(as_text=True)
    foreign = ids(api_as)["B-2026-001"]
    assert web.post(f"/agreements/{foreign}/changes", data={"csrf_token": token}).status_code == 404
    assert web.post(f"/agreements/{foreign}/actions", data={"csrf_token": token}).status_code == 404


def test_a_provisioned_agreement_was_signed_on_its_first_day(api_as, web_as):
    agreement_id = numbers(api_as("a_bureau_admin"))["A-2026-001"]
    page = web_as("a_bureau_admin").get(f"/agreements/{agreement_id}").get_data(as_text=True)
    assert 'id="signed-on">2026-01-01<' in page
    assert 'rel="icon"' in page  # and every page has the favicon


def _renewed_and_signed(app, api, agreement_id):
    successor = api.post(f"/agreements/{agreement_id}/renew",
                         json={"override_reason": "经局务会研究同意续签"})
    assert successor.status_code == 201, successor.get_json()
    successor_id = successor.get_json()["id"]
    assert api.post(f"/agreements/{successor_id}/sign", json={}).status_code == 200
    return successor_id


def test_renewal_reads_the_previous_terms_grade(app, api_as):
    """This term has no annual grade yet when its renewal is decided: the chain's last
    one (the previous term's 不合格) refuses it."""
    api = api_as("a_bureau_admin")
    first = numbers(api)["A-2026-002"]
    add_annual_grade(app, first, "fail")
    second = _renewed_and_signed(app, api, first)
    refused = api.post(f"/agreements/{second}/renew", json={})
    assert refused.status_code == 409 and "不合格" in refused.get_json()["detail"]


def test_two_annual_fails_in_a_row_across_terms_propose_rescission(app, api_as):
    from sqlalchemy import select

    from saas.extensions import db
    from saas.models import Assessment, Measure
    from saas.services import enforcement

    api = api_as("a_bureau_admin")
    first = numbers(api)["A-2026-002"]
    add_annual_grade(app, first, "fail")
    second = _renewed_and_signed(app, api, first)
    with acting(app, "a_bureau_admin"):
        enforcement.annual_finalized(db.session.execute(select(Assessment).where(
            Assessment.agreement_id == first)).scalar_one())
        assert db.session.execute(select(Measure)).first() is None  # one fail only
    add_annual_grade(app, second, "fail", year=2027)
    with acting(app, "a_bureau_admin"):
        latest = db.session.execute(select(Assessment).where(
            Assessment.agreement_id == second)).scalar_one()
        enforcement.annual_finalized(latest)
        enforcement.annual_finalized(latest)  # once per cause
        db.session.commit()
        (measure,) = db.session.execute(select(Measure)).scalars().all()
        assert (measure.agreement_id, measure.measure, measure.ground) == (
            second, "rescission", "consecutive_fail")
