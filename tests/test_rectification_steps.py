"""The rectification ledger's steps through the API: assign, start, submit with evidence,
return, verify by the right role and never the submitter, reopen doubling the points,
deadlines moved with a reason, bulk actions all or none, items opened by hand, and the
daily reminders once per item, user and day (inline, and through Redis and an rq worker)."""

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from test_jobs import REDIS_URL, _redis

from assessment_helpers import create
from conftest import USERS, acting, user_by_email
from saas.extensions import db
from saas.models import Notification, RectificationItem
from saas.timeutil import today_local

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


def _user_id(app, who):
    with app.app_context():
        return user_by_email(USERS[who]).id


def _bureau_item(app, api_as, severity="general", period="2026-05"):
    inspection = create(api_as("a_bureau_inspector"), app, kind="routine", period=period)
    finding = api_as("a_bureau_inspector").post("/findings", json={
        "assessment_id": inspection["id"], "category": "split_admission",
        "severity": severity, "description": "分解住院"}).get_json()["id"]
    assert api_as("a_bureau_admin").post(f"/findings/{finding}/confirm",
                                         json={}).status_code == 200
    (item,) = [i for i in api_as("ah1_admin").get("/rectifications").get_json()["items"]
               if i["finding_id"] == finding]
    return item


def _upload(api, data=PDF, name="整改报告.pdf"):
    response = api.post("/evidence", data={"file": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _points(api, agreement_id):
    return api.get(f"/agreements/{agreement_id}/points").get_json()["total"]


def test_a_bureau_findings_item_from_assignment_to_close_out(app, api_as):
    item = _bureau_item(app, api_as)
    assert item["verified_by"] == "bureau"
    admin, staff, inspector = api_as("ah1_admin"), api_as("ah1_staff"), api_as("a_bureau_inspector")
    staff_id = _user_id(app, "ah1_staff")
    assigned = admin.patch(f"/rectifications/{item['id']}", json={
        "owner_id": staff_id, "department": "医保办", "measures_to_take": "完善入院审核"})
    assert assigned.status_code == 200, assigned.get_json()
    assert (assigned.get_json()["owner"], assigned.get_json()["department"]) == (staff_id, "医保办")
    mine = staff.get("/rectifications?mine=true").get_json()["items"]
    assert [i["id"] for i in mine] == [item["id"]]
    assert staff.post(f"/rectifications/{item['id']}/start", json={}).get_json()["status"] == \
        "in_progress"
    # no proof yet: refused with the field, nothing changed
    refused = staff.post(f"/rectifications/{item['id']}/submit", json={"statement": "已整改"})
    assert refused.status_code == 422 and "evidence" in refused.get_json()["errors"]
    assert staff.get(f"/rectifications/{item['id']}").get_json()["status"] == "in_progress"
    proof = _upload(staff)
    submitted = staff.post(f"/rectifications/{item['id']}/submit",
                           json={"statement": "已完善入院审核流程", "evidence_ids": [proof]})
    assert submitted.status_code == 200, submitted.get_json()
    body = submitted.get_json()
    assert (body["status"], body["evidence_ids"], body["submitted_by"]) == (
        "submitted", [proof], staff_id)
    # the verifier is the bureau's inspector: the institution admin and bureau admin may not
    assert admin.post(f"/rectifications/{item['id']}/verify", json={}).status_code == 403
    assert api_as("a_bureau_admin").post(f"/rectifications/{item['id']}/verify",
                                         json={}).status_code == 403
    assert inspector.get("/notifications").get_json()["items"][0]["subject"].startswith(
        f"整改事项 {item['number']} 已提交复核")
    returned = inspector.post(f"/rectifications/{item['id']}/return", json={"reason": "证明不足"})
    assert returned.get_json()["status"] == "in_progress"
    assert returned.get_json()["evidence_ids"] == [proof]  # proof stays when returned
    assert staff.post(f"/rectifications/{item['id']}/submit", json={
        "statement": "补充了培训记录", "evidence_ids": [_upload(staff, PDF + b"%2")]}
    ).status_code == 200
    closed = inspector.post(f"/rectifications/{item['id']}/verify", json={"comment": "整改到位"})
    assert closed.status_code == 200
    body = closed.get_json()
    assert body["status"] == "closed" and body["closed_at"] and len(body["evidence_ids"]) == 2
    assert [e["action"] for e in body["events"]] == [
        "open", "assign", "start", "submit", "return", "submit", "verify"]
    assert body["events"][4]["reason"] == "证明不足"
    assert admin.patch(f"/rectifications/{item['id']}", json={"department": "x"}).status_code == 409


def test_reopening_on_recheck_doubles_the_findings_points(app, api_as):
    item = _bureau_item(app, api_as, severity="minor")
    staff, inspector = api_as("ah1_staff"), api_as("a_bureau_inspector")
    agreement = api_as("a_bureau_admin").get(
        f"/findings/{item['finding_id']}").get_json()
    agreement_id = api_as("a_bureau_admin").get(
        f"/assessments/{agreement['assessment_id']}").get_json()["agreement_id"]
    before = _points(api_as("a_bureau_admin"), agreement_id)
    staff.post(f"/rectifications/{item['id']}/submit",
               json={"statement": "已整改", "evidence_ids": [_upload(staff)]})
    inspector.post(f"/rectifications/{item['id']}/verify", json={})
    assert inspector.post(f"/rectifications/{item['id']}/reopen", json={}).status_code == 422
    reopened = inspector.post(f"/rectifications/{item['id']}/reopen",
                              json={"reason": "复查发现仍存在分解住院"})
    assert reopened.status_code == 200
    body = reopened.get_json()
    assert body["status"] == "in_progress" and body["closed_at"] is None
    assert body["overdue"] is False and len(body["evidence_ids"]) == 1
    assert _points(api_as("a_bureau_admin"), agreement_id) == pytest.approx(before * 2)
    # reopened again later: the points double once
    staff.post(f"/rectifications/{item['id']}/submit", json={"statement": "再次整改"})
    inspector.post(f"/rectifications/{item['id']}/verify", json={})
    inspector.post(f"/rectifications/{item['id']}/reopen", json={"reason": "仍未整改"})
    assert _points(api_as("a_bureau_admin"), agreement_id) == pytest.approx(before * 2)


def test_an_institutions_own_item_is_verified_by_its_admin_never_the_submitter(app, api_as):
    admin, staff = api_as("ah1_admin"), api_as("ah1_staff")
    opened = admin.post("/rectifications", json={
        "source": "internal_audit", "category": "duplicate_charge", "severity": "minor",
        "description": "内审发现重复收取护理费", "department": "护理部",
        "evidence_ids": [_upload(admin)]})
    assert opened.status_code == 201, opened.get_json()
    item = opened.get_json()
    assert item["number"] == f"{today_local().year}-cfsf-001"
    assert item["verified_by"] == "institution" and item["source"] == "internal_audit"
    admin.post(f"/rectifications/{item['id']}/submit", json={"statement": "已退费"})
    refused = admin.post(f"/rectifications/{item['id']}/verify", json={})
    assert refused.status_code == 409
    assert "提交人不能复核" in refused.get_json()["detail"]
    assert staff.post(f"/rectifications/{item['id']}/verify", json={}).status_code == 403
    assert api_as("a_bureau_inspector").post(f"/rectifications/{item['id']}/verify",
                                             json={}).status_code == 403
    admin.post(f"/rectifications/{item['id']}/return", json={"reason": "附上退费凭证"})
    staff.post(f"/rectifications/{item['id']}/submit", json={"statement": "附退费凭证"})
    assert admin.post(f"/rectifications/{item['id']}/verify", json={}).get_json()["status"] == \
        "closed"


@pytest.mark.parametrize(("body", "field"), [
    ({"source": "finding", "category": "duplicate_charge", "description": "x"}, "source"),
    ({"source": "internal_audit", "category": "nope", "description": "x"}, "category"),
    ({"source": "internal_audit", "category": "duplicate_charge", "description": ""},
     "description"),
    ({"source": "internal_audit", "category": "duplicate_charge", "description": "x",
      "owner_id": 999999}, "owner_id"),
    ({"source": "internal_audit", "category": "duplicate_charge", "description": "x",
      "department": "部" * 101}, "department"),
    ({"source": "internal_audit", "category": "duplicate_charge", "description": "x",
      "evidence_ids": [999999]}, "evidence_ids"),
])
def test_opening_by_hand_refuses_bad_input_and_writes_nothing(app, api_as, body, field):
    response = api_as("ah1_admin").post("/rectifications", json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    with acting(app, "ah1_admin"):
        assert db.session.execute(select(RectificationItem)).scalars().all() == []


def test_the_bureau_cannot_open_items_by_hand(app, api_as):
    response = api_as("a_bureau_admin").post("/rectifications", json={
        "source": "internal_audit", "category": "duplicate_charge", "description": "x"})
    assert response.status_code == 403


def test_assigning_someone_of_another_institution_is_refused(app, api_as):
    item = _bureau_item(app, api_as)
    response = api_as("ah1_admin").patch(f"/rectifications/{item['id']}",
                                         json={"owner_id": _user_id(app, "bh1_staff")})
    assert response.status_code == 422 and "owner_id" in response.get_json()["errors"]
    assert api_as("ah1_admin").patch(
        f"/rectifications/{item['id']}",
        json={"owner_id": _user_id(app, "ah2_admin")}).status_code == 422


def test_the_deadline_moves_with_a_reason_by_the_verifier(app, api_as):
    item = _bureau_item(app, api_as)
    inspector = api_as("a_bureau_inspector")
    later = (date.fromisoformat(item["due_date"]) + timedelta(days=14)).isoformat()
    past = (today_local() - timedelta(days=1)).isoformat()
    for body, field in (({"due_date": later}, "reason"),
                        ({"due_date": later, "reason": "  "}, "reason"),
                        ({"due_date": past, "reason": "x"}, "due_date"),
                        ({"due_date": item["due_date"], "reason": "x"}, "due_date")):
        response = inspector.post(f"/rectifications/{item['id']}/extend", json=body)
        assert response.status_code == 422 and field in response.get_json()["errors"], body
    assert api_as("ah1_admin").post(f"/rectifications/{item['id']}/extend", json={
        "due_date": later, "reason": "x"}).status_code == 403
    moved = inspector.post(f"/rectifications/{item['id']}/extend",
                           json={"due_date": later, "reason": "需采购新系统"})
    assert moved.status_code == 200 and moved.get_json()["due_date"] == later
    event = moved.get_json()["events"][-1]
    assert event["action"] == "extend" and event["changes"]["due_date"] == [
        item["due_date"], later]


def test_bulk_actions_are_all_or_none(app, api_as):
    first = _bureau_item(app, api_as)
    second = _bureau_item(app, api_as, period="2026-06")
    admin = api_as("ah1_admin")
    staff_id = _user_id(app, "ah1_staff")
    done = admin.post("/rectifications/bulk", json={
        "item_ids": [first["id"], second["id"]], "action": "assign",
        "assign": {"owner_id": staff_id, "department": "医务科"}})
    assert done.status_code == 200, done.get_json()
    assert {i["owner"] for i in done.get_json()} == {staff_id}
    # another institution's item in the batch: refused, nothing moved
    other = api_as("ah2_admin").post("/rectifications", json={
        "source": "internal_audit", "category": "duplicate_charge", "description": "x"}
    ).get_json()
    refused = admin.post("/rectifications/bulk", json={
        "item_ids": [first["id"], other["id"]], "action": "assign",
        "assign": {"department": "财务科"}})
    assert refused.status_code == 422 and "item_ids" in refused.get_json()["errors"]
    assert admin.get(f"/rectifications/{first['id']}").get_json()["department"] == "医务科"
    later = (today_local() + timedelta(days=60)).isoformat()
    extended = api_as("a_bureau_inspector").post("/rectifications/bulk", json={
        "item_ids": [first["id"], second["id"]], "action": "extend", "due_date": later,
        "reason": "统一延期"})
    assert extended.status_code == 200
    assert {i["due_date"] for i in extended.get_json()} == {later}


def test_list_filters(app, api_as):
    first = _bureau_item(app, api_as, severity="serious")
    _bureau_item(app, api_as, severity="minor", period="2026-06")
    admin = api_as("ah1_admin")
    admin.patch(f"/rectifications/{first['id']}", json={"department": "医务科"})

    def ids(query):
        return [i["id"] for i in admin.get(f"/rectifications?{query}").get_json()["items"]]

    assert ids("severity=serious") == [first["id"]]
    assert ids("department=医务科") == [first["id"]]
    assert ids("overdue=true") == []
    assert len(ids("overdue=false")) == 2
    assert ids(f"assessment_id={first['assessment_id']}") == [first["id"]]
    assert admin.get("/rectifications?status=late").status_code == 422


def _remind(app, day):
    from saas.jobs.rectifications import remind_everywhere

    with app.app_context():
        return remind_everywhere(day.isoformat())


def _reminders(app, who):
    with acting(app, who):
        return db.session.execute(select(Notification.key).where(
            Notification.kind.in_(["rectification_due", "rectification_overdue"]),
            Notification.user_id == user_by_email(USERS[who]).id)).scalars().all()


def test_reminders_go_once_per_item_and_day(app, api_as):
    item = _bureau_item(app, api_as)
    api_as("ah1_admin").patch(f"/rectifications/{item['id']}",
                              json={"owner_id": _user_id(app, "ah1_staff")})
    due = date.fromisoformat(item["due_date"])
    assert sum(_remind(app, due - timedelta(days=30)).values()) == 0
    assert _remind(app, due)[1] == 1 and _remind(app, due)[1] == 1
    assert _reminders(app, "ah1_staff") == [f"rectification:{item['id']}:{due.isoformat()}"]
    assert len(_reminders(app, "ah1_admin")) == 1
    _remind(app, due + timedelta(days=1))  # overdue: a new day, a new reminder
    assert len(_reminders(app, "ah1_staff")) == 2
    with acting(app, "ah1_staff"):
        kinds = db.session.execute(select(Notification.kind).where(
            Notification.key.is_not(None),
            Notification.user_id == user_by_email(USERS["ah1_staff"]).id)).scalars().all()
    assert sorted(kinds) == ["rectification_due", "rectification_overdue"]


def test_a_mock_inspections_item_is_reminded_to_its_institution(app, api_as):
    rehearsal = create(api_as("ah1_mock"), app, kind="mock", period="2026-05")
    finding = api_as("ah1_mock").post("/findings", json={
        "assessment_id": rehearsal["id"], "category": "split_admission",
        "severity": "minor", "description": "模拟检查发现"}).get_json()["id"]
    api_as("ah1_admin").post(f"/findings/{finding}/confirm", json={})
    (item,) = api_as("ah1_admin").get("/rectifications").get_json()["items"]
    _remind(app, date.fromisoformat(item["due_date"]))
    assert _reminders(app, "ah1_admin") == [f"rectification:{item['id']}:{item['due_date']}"]


def test_reminders_through_redis_and_an_rq_worker_are_idempotent(app, api_as):
    from rq import Queue, SimpleWorker

    item = _bureau_item(app, api_as)
    conn = _redis()
    queue = Queue("default", connection=conn)
    queue.empty()
    app.config["REDIS_URL"] = REDIS_URL
    due = date.fromisoformat(item["due_date"])
    for _ in range(2):  # the scheduler fired twice in a day
        _remind(app, due)
    assert queue.count == 4  # two regions, twice
    assert _reminders(app, "ah1_admin") == []
    with app.app_context():
        SimpleWorker([queue], connection=conn).work(burst=True)
    assert _reminders(app, "ah1_admin") == [f"rectification:{item['id']}:{due.isoformat()}"]


def test_the_scheduler_registers_the_daily_jobs(app):
    conn = _redis()
    from saas.jobs.schedule import cron_scheduler

    names = {job.func.__name__ for job in cron_scheduler(conn).get_jobs()}
    assert names == {"expire_due_everywhere_today", "remind_everywhere"}


@pytest.mark.parametrize("closed_first", [False, True])
def test_a_suspension_ending_with_items_open_proposes_rescission(app, api_as, closed_first,
                                                                monkeypatch):
    from enforcement_helpers import suspend_by_measure

    import saas.services.agreements
    import saas.services.measures
    from assessment_helpers import AH1, agreement_id

    item = _bureau_item(app, api_as)
    if closed_first:
        staff = api_as("ah1_staff")
        staff.post(f"/rectifications/{item['id']}/submit",
                   json={"statement": "已整改", "evidence_ids": [_upload(staff)]})
        api_as("a_bureau_inspector").post(f"/rectifications/{item['id']}/verify", json={})
    ah1 = agreement_id(app, AH1)
    for module in (saas.services.measures, saas.services.agreements):  # mid-term
        monkeypatch.setattr(module, "today_local", lambda: date(2026, 6, 1))
    suspension = suspend_by_measure(api_as, ah1, "ah1_admin", months=1)
    ends_on = date.fromisoformat(api_as("a_bureau_admin").get(
        f"/measures/{suspension}").get_json()["ends_on"])
    with acting(app, "a_bureau_admin"):
        saas.services.measures.end_due(ends_on)
    rescissions = [m for m in api_as("a_bureau_admin").get(
        f"/measures?agreement_id={ah1}&measure=rescission").get_json()["items"]]
    if closed_first:
        assert rescissions == []
    else:
        (proposed,) = rescissions
        assert proposed["ground"] == "rectification_incomplete"
        assert proposed["status"] == "proposed" and item["number"] in proposed["basis"]
