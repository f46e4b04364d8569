"""Enforcement: the points ledger a finding's decision writes, the measures its thresholds
propose (once), their due process with four eyes and the appeal window, and the effects
on the agreement (suspension, its end, termination, revocation)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

import saas.services.agreements
import saas.services.bars
import saas.services.measures
from assessment_helpers import AH1, AH2, agreement_id, create
from conftest import acting
from saas.extensions import db
from saas.models import Agreement, Measure, MeasureEvent, PointsEntry
from saas.timeutil import today_local

TODAY = today_local()  # the bureau's day (Asia/Shanghai), as the services count it


def _finding(api, assessment_id, severity="general", category="split_admission", **extra):
    body = {"assessment_id": assessment_id, "category": category, "severity": severity,
            "description": "同一患者 7 日内两次入院", **extra}
    response = api.post("/findings", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _confirmed(api_as, app, severity="general", period="2026-05", kind="routine", **extra):
    inspection = create(api_as("a_bureau_inspector"), app, kind=kind, period=period)
    finding = _finding(api_as("a_bureau_inspector"), inspection["id"], severity, **extra)
    _ok(api_as("a_bureau_admin").post(f"/findings/{finding}/confirm", json={}))
    return finding


def _ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _points(api, agreement, year=None):
    query = f"?year={year}" if year else ""
    return _ok(api.get(f"/agreements/{agreement}/points{query}"))


def _measures(api, agreement):
    page = _ok(api.get(f"/measures?agreement_id={agreement}&page_size=100"))
    return {m["measure"]: m for m in page["items"]}


def _step(api, measure_id, step, status=200, **body):
    return _ok(api.post(f"/measures/{measure_id}/{step}", json=body), status)


@pytest.fixture
def clock(monkeypatch):
    """clock(day): the measures and agreements services take ``day`` as today."""
    def set_to(day):
        for module in (saas.services.measures, saas.services.agreements, saas.services.bars):
            monkeypatch.setattr(module, "today_local", lambda: day)
    return set_to


@pytest.fixture
def after_window(clock):
    """Today moved past any appeal window opened today."""
    return lambda: clock(TODAY + timedelta(days=30))


# --------------------------------------------------------------------- the points ledger
def test_a_confirmed_finding_adds_its_points_in_the_year_of_the_decision(app, api_as):
    ah1 = agreement_id(app, AH1)
    finding = _confirmed(api_as, app, "general")
    ledger = _points(api_as("ah1_admin"), ah1)
    assert ledger["year"] == TODAY.year and ledger["total"] == 5
    (line,) = ledger["events"]
    assert (line["finding_id"], line["points"], line["factor"], line["reason"]) == (
        finding, 5, 1.0, "finding_confirmed")
    assert _points(api_as("a_bureau_admin"), ah1, TODAY.year - 1)["total"] == 0
    assert _points(api_as("a_bureau_admin"), agreement_id(app, AH2))["total"] == 0
    # another institution, another region: not found
    assert api_as("ah2_admin").get(f"/agreements/{ah1}/points").status_code == 404
    assert api_as("b_bureau_admin").get(f"/agreements/{ah1}/points").status_code == 404


def test_self_reported_is_lenient_and_what_the_self_inspection_missed_is_strict(app, api_as):
    ah1 = agreement_id(app, AH1)
    own = create(api_as("ah1_admin"), app, kind="self", period="2026-06")
    reported = _finding(api_as("ah1_admin"), own["id"], "general", category="other")
    _ok(api_as("ah1_admin").post(f"/assessments/{own['id']}/submit", json={}))
    _ok(api_as("a_bureau_admin").post(f"/findings/{reported}/confirm", json={}))
    missed = _confirmed(api_as, app, "general", period="2026-06", category="split_admission")
    seen = _confirmed(api_as, app, "general", period="2026-06", category="other")
    lines = {e["finding_id"]: e for e in _points(api_as("a_bureau_admin"), ah1)["events"]}
    assert (lines[reported]["points"], lines[reported]["factor"]) == (2.5, 0.5)
    assert (lines[missed]["points"], lines[missed]["factor"]) == (7.5, 1.5)
    assert (lines[seen]["points"], lines[seen]["factor"]) == (5, 1.0)


def test_a_mock_inspection_never_adds_points_or_measures(app, api_as):
    ah1 = agreement_id(app, AH1)
    rehearsal = create(api_as("ah1_mock"), app, kind="mock", period="2026-05")
    finding = _finding(api_as("ah1_mock"), rehearsal["id"], "fraud")
    _ok(api_as("ah1_admin").post(f"/findings/{finding}/confirm", json={}))
    assert _points(api_as("ah1_admin"), ah1)["total"] == 0
    with acting(app, "a_bureau_admin"):
        assert db.session.scalar(select(func.count()).select_from(Measure)) == 0


def test_dismissal_on_review_takes_the_points_back_with_a_new_line(app, api_as):
    ah1 = agreement_id(app, AH1)
    finding = _confirmed(api_as, app, "serious")
    _ok(api_as("a_bureau_admin").post(f"/findings/{finding}/dismiss",
                                      json={"reason": "复核不成立"}))
    ledger = _points(api_as("a_bureau_admin"), ah1)
    assert ledger["total"] == 0
    assert [(e["points"], e["reason"]) for e in ledger["events"]] == [
        (8, "finding_confirmed"), (-8, "finding_dismissed")]


# ------------------------------------------------------------------ thresholds propose
def test_thresholds_propose_each_measure_once(app, api_as):
    ah1 = agreement_id(app, AH1)
    first = _confirmed(api_as, app, "general")                 # 5: crosses 3
    assert set(_measures(api_as("a_bureau_admin"), ah1)) == {"interview"}
    _confirmed(api_as, app, "general")                         # 10: crosses 6 and 9
    proposed = _measures(api_as("a_bureau_admin"), ah1)
    assert set(proposed) == {"interview", "rectification_order", "public_notice"}
    assert all(m["status"] == "proposed" and m["automatic"] for m in proposed.values())
    assert proposed["interview"]["year"] == TODAY.year
    # back under 6 and 9, then over them again: nothing new
    _ok(api_as("a_bureau_admin").post(f"/findings/{first}/dismiss", json={"reason": "复核"}))
    _confirmed(api_as, app, "general")                         # 5 → 10 again
    assert len(_ok(api_as("a_bureau_admin").get(f"/measures?agreement_id={ah1}"))["items"]) == 3
    _confirmed(api_as, app, "minor")                           # 12: suspension, 3 months
    suspension = _measures(api_as("a_bureau_admin"), ah1)["suspension"]
    assert suspension["months"] == 3 and suspension["basis"]


def test_a_confirmed_fraud_finding_proposes_rescission(app, api_as):
    ah1 = agreement_id(app, AH1)
    finding = _confirmed(api_as, app, "fraud")
    proposed = _measures(api_as("a_bureau_admin"), ah1)
    assert set(proposed) == {"interview", "rectification_order", "public_notice",
                             "suspension", "rescission"}
    assert (proposed["rescission"]["ground"], proposed["rescission"]["finding_id"]) == (
        "fraud", finding)
    assert "第四十三条" in proposed["rescission"]["article"]


def test_the_database_refuses_a_second_proposal_for_the_same_cause(app, api_as):
    _confirmed(api_as, app, "general")
    with acting(app, "a_bureau_admin"):
        first = db.session.execute(select(Measure)).scalar_one()
        copy = Measure(institution_id=first.institution_id, agreement_id=first.agreement_id,
                       measure="interview", status="proposed", basis="again",
                       proposal_key=first.proposal_key)
        db.session.add(copy)
        with pytest.raises(Exception, match="(?i)unique"):
            db.session.flush()
        db.session.rollback()


# ------------------------------------------------------------------------ due process
def test_the_institution_sees_a_measure_once_notified(app, api_as):
    _confirmed(api_as, app, "general")
    bureau, institution = api_as("a_bureau_inspector"), api_as("ah1_admin")
    (measure,) = _ok(bureau.get("/measures"))["items"]
    assert _ok(institution.get("/measures"))["items"] == []
    assert institution.get(f"/measures/{measure['id']}").status_code == 404
    notified = _step(bureau, measure["id"], "notify")
    assert notified["status"] == "notified" and notified["appeal_until"] > TODAY.isoformat()
    seen = _ok(institution.get(f"/measures/{measure['id']}"))
    assert [e["action"] for e in seen["events"]] == ["propose", "notify"]
    assert api_as("ah2_admin").get(f"/measures/{measure['id']}").status_code == 404
    assert api_as("b_bureau_admin").get(f"/measures/{measure['id']}").status_code == 404


def test_appeal_then_decision_then_effect(app, api_as):
    _confirmed(api_as, app, "general")
    bureau, institution = api_as("a_bureau_inspector"), api_as("ah1_admin")
    measure = _ok(bureau.get("/measures"))["items"][0]["id"]
    _step(bureau, measure, "notify")
    _step(api_as("ah1_staff"), measure, "appeal", 403, statement="不服")
    _step(institution, measure, "appeal", 422, statement="")
    appealed = _step(institution, measure, "appeal", statement="该患者两次入院病情不同")
    assert appealed["status"] == "appealed"
    _step(institution, measure, "decide", 403, decision="uphold", reason="x")
    decided = _step(bureau, measure, "decide", decision="uphold", reason="申诉理由不成立")
    assert decided["status"] == "effective" and decided["effective_on"] == TODAY.isoformat()
    assert [e["action"] for e in decided["events"]] == [
        "propose", "notify", "appeal", "decide", "take_effect"]
    appeal_step = decided["events"][2]
    assert appeal_step["reason"] == "该患者两次入院病情不同"
    assert appeal_step["by"] is not None and decided["events"][0]["by"] is None


def test_no_decision_inside_the_appeal_window_without_an_appeal(app, api_as, after_window):
    _confirmed(api_as, app, "general")
    bureau = api_as("a_bureau_inspector")
    measure = _ok(bureau.get("/measures"))["items"][0]["id"]
    _step(bureau, measure, "notify")
    _step(bureau, measure, "decide", 409, decision="uphold", reason="x")
    after_window()
    _step(api_as("ah1_admin"), measure, "appeal", 409, statement="太晚了")
    assert _step(bureau, measure, "decide", decision="uphold", reason="期满未申诉")[
        "status"] == "effective"


def test_suspension_four_eyes_effect_and_end(app, api_as, clock):
    ah1 = agreement_id(app, AH1)
    finding = _confirmed(api_as, app, "fraud")
    admin, second = api_as("a_bureau_admin"), api_as("a_bureau_admin2")
    suspension = _measures(admin, ah1)["suspension"]["id"]
    clock(date(2026, 6, 1))
    _step(admin, suspension, "notify")
    clock(date(2026, 7, 1))  # the window closed; the 3 months end before the term does
    _step(admin, suspension, "decide", 409, decision="uphold", reason="x")   # the notifier
    _step(api_as("a_bureau_inspector"), suspension, "decide", 403, decision="uphold",
          reason="x")
    effective = _step(second, suspension, "decide", decision="uphold", reason="记分达12分")
    assert effective["status"] == "effective" and effective["ends_on"]
    assert _ok(admin.get(f"/agreements/{ah1}"))["status"] == "suspended"
    with acting(app, "a_bureau_admin"):
        ends_on = date.fromisoformat(effective["ends_on"])
        assert saas.services.measures.end_due(ends_on - timedelta(days=1)) == {
            "started": [], "ended": [], "terminated": []}
        result = saas.services.measures.end_due(ends_on)
    assert result == {"started": [], "ended": [suspension], "terminated": []}
    assert _ok(admin.get(f"/agreements/{ah1}"))["status"] == "active"
    assert _ok(admin.get(f"/measures/{suspension}"))["status"] == "ended"
    assert _ok(admin.get(f"/measures/{suspension}"))["finding_id"] == finding


def test_revoking_an_effective_suspension_restores_points_and_the_agreement(
        app, api_as, after_window):
    ah1 = agreement_id(app, AH1)
    admin, second = api_as("a_bureau_admin"), api_as("a_bureau_admin2")
    proposed = _ok(admin.post("/measures", json={
        "agreement_id": ah1, "measure": "suspension", "months": 2, "basis": "协议第6.2条",
        "finding_id": _confirmed(api_as, app, "serious")}), 201)
    _step(admin, proposed["id"], "notify")
    after_window()
    _step(second, proposed["id"], "decide", decision="uphold", reason="情节严重")
    assert _points(admin, ah1)["total"] == 8
    _step(api_as("a_bureau_inspector"), proposed["id"], "revoke", 403, reason="x")
    revoked = _step(admin, proposed["id"], "revoke", reason="复议撤销")
    assert revoked["status"] == "revoked"
    assert _ok(admin.get(f"/agreements/{ah1}"))["status"] == "active"
    ledger = _points(admin, ah1)
    assert ledger["total"] == 0 and ledger["events"][-1]["reason"] == "measure_revoked"
    _step(admin, proposed["id"], "revoke", 409, reason="again")


def test_overturn_revokes_and_takes_the_points_back(app, api_as):
    ah1 = agreement_id(app, AH1)
    bureau = api_as("a_bureau_inspector")
    finding = _confirmed(api_as, app, "general")
    measure = _ok(bureau.get("/measures"))["items"][0]
    assert measure["finding_id"] == finding
    _step(bureau, measure["id"], "notify")
    _step(api_as("ah1_admin"), measure["id"], "appeal", statement="问题不成立")
    overturned = _step(bureau, measure["id"], "decide", decision="overturn", reason="申诉成立")
    assert overturned["status"] == "revoked"
    assert _points(bureau, ah1)["total"] == 0


def test_a_suspension_past_the_terms_end_terminates_the_agreement(app, api_as, after_window):
    ah1 = agreement_id(app, AH1)
    admin, second = api_as("a_bureau_admin"), api_as("a_bureau_admin2")
    measure = _ok(admin.post("/measures", json={
        "agreement_id": ah1, "measure": "suspension", "months": 3, "basis": "协议第6.2条"}),
        201)["id"]
    _step(admin, measure, "notify")
    after_window()
    _step(second, measure, "decide", decision="uphold", reason="x")
    with acting(app, "a_bureau_admin"):
        # the fixture's term ends on 31 December 2026: the day after, it terminates
        result = saas.services.measures.end_due(date(2027, 1, 1))
    assert result["terminated"] == [ah1]
    assert _ok(admin.get(f"/agreements/{ah1}"))["status"] == "terminated"
    assert _ok(admin.get(f"/measures/{measure}"))["status"] == "ended"


# ------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(("body", "field"), [
    ({"measure": "clawback", "basis": "x"}, "amount_fen"),
    ({"measure": "interview", "basis": "x", "months": 2}, "months"),
    ({"measure": "suspension", "basis": "x"}, "months"),
    ({"measure": "suspension", "basis": "x", "months": 7}, "months"),
    ({"measure": "interview", "basis": ""}, "basis"),
    ({"measure": "fine", "basis": "x"}, "measure"),
    ({"measure": "interview", "basis": "x", "finding_id": 999999}, "finding_id"),
])
def test_a_wrong_proposal_is_refused_with_its_field_and_nothing_written(app, api_as, body,
                                                                        field):
    ah1 = agreement_id(app, AH1)
    response = api_as("a_bureau_inspector").post("/measures", json={"agreement_id": ah1,
                                                                    **body})
    assert response.status_code == 422, response.get_json()
    problem = response.get_json()
    assert response.content_type.startswith("application/problem+json")
    assert field in str(problem.get("errors")), problem
    with acting(app, "a_bureau_admin"):
        assert db.session.scalar(select(func.count()).select_from(Measure)) == 0
        assert db.session.scalar(select(func.count()).select_from(MeasureEvent)) == 0


def test_who_may_propose(app, api_as):
    ah1 = agreement_id(app, AH1)
    body = {"agreement_id": ah1, "measure": "warning", "basis": "协议第3条"}
    assert api_as("ah1_admin").post("/measures", json=body).status_code == 403
    assert api_as("b_bureau_admin").post("/measures", json=body).status_code == 404
    made = _ok(api_as("a_bureau_inspector").post("/measures", json=body), 201)
    assert made["proposed_by"] is not None and not made["automatic"]
    with acting(app, "a_bureau_admin"):
        assert db.session.scalar(select(func.count()).select_from(PointsEntry)) == 0


# ------------------------------------------------------- concurrent confirmations (PostgreSQL)
def _confirm_two_at_once(app, api_as, monkeypatch, lock: bool) -> list[str]:
    from enforcement_helpers import confirm_at_once

    from saas.services import enforcement
    from saas.services.base import find

    if app.config["BACKEND"] != "postgresql":
        pytest.skip("concurrent transactions are PostgreSQL's")
    if not lock:  # the constraint alone must still hold
        monkeypatch.setattr(enforcement, "find", lambda model, i, for_update=False: find(model, i))
    inspection = create(api_as("a_bureau_inspector"), app, kind="routine", period="2026-05")
    ids = [_finding(api_as("a_bureau_inspector"), inspection["id"]) for _ in range(2)]
    assert confirm_at_once(app, ids) == []
    with acting(app, "a_bureau_admin"):
        return sorted(db.session.execute(select(Measure.measure)).scalars())


def test_two_confirmations_at_once_cross_each_line_once(app, api_as, monkeypatch):
    assert _confirm_two_at_once(app, api_as, monkeypatch, lock=True) == [
        "interview", "public_notice", "rectification_order"]


def test_without_the_agreement_lock_the_constraint_still_proposes_once(app, api_as,
                                                                       monkeypatch):
    made = _confirm_two_at_once(app, api_as, monkeypatch, lock=False)
    assert made.count("interview") == 1


def test_rls_alone_hides_a_measure_until_it_is_notified(app, api_as):
    """Layer 2 off, on PostgreSQL: the database itself keeps a proposed measure and its
    history from the institution until notice."""
    import sqlalchemy as sa

    from tenants.isolation import orm_filter_disabled

    if app.config["BACKEND"] != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    _confirmed(api_as, app, "general")

    def seen_by_institution():
        with acting(app, "ah1_admin"), orm_filter_disabled():
            return [db.session.execute(sa.text(f"select count(*) from {t}")).scalar()
                    for t in ("measures", "measure_events")]

    assert seen_by_institution() == [0, 0]
    measure = _ok(api_as("a_bureau_admin").get("/measures"))["items"][0]["id"]
    _step(api_as("a_bureau_admin"), measure, "notify")
    assert seen_by_institution() == [1, 2]


# ------------------------------------------------- rescission: bars, public list, carry-over
def _rescind_by_measure(api_as, app, clock, ground="fraud"):
    ah1 = agreement_id(app, AH1)
    admin, second = api_as("a_bureau_admin"), api_as("a_bureau_admin2")
    made = _ok(admin.post("/measures", json={
        "agreement_id": ah1, "measure": "rescission", "ground": ground,
        "basis": "虚构医疗服务骗取医保基金"}), 201)
    assert made["article"] == "令第2号第四十三条"
    _step(admin, made["id"], "notify")
    clock(TODAY + timedelta(days=30))
    _step(second, made["id"], "decide", decision="uphold", reason="欺诈属实")
    return ah1


def test_an_effective_rescission_bars_the_institution_and_its_leaders(app, api_as, clock,
                                                                     client):
    from saas.models import ReEntryBar

    ah1 = _rescind_by_measure(api_as, app, clock)
    assert _ok(api_as("a_bureau_admin").get(f"/agreements/{ah1}"))["status"] == "rescinded"
    with acting(app, "a_bureau_admin"):
        bars = {(b.subject, b.role): b for b in db.session.execute(select(ReEntryBar)).scalars()}
    today = TODAY + timedelta(days=30)
    assert bars[("institution", None)].until == today.replace(year=today.year + 3)
    assert bars[("person", "legal_representative")].until == today.replace(year=today.year + 5)
    assert bars[("person", "main_officer")].key == "33010619750202002X"
    # a new agreement is refused, with the date the bar ends
    with acting(app, "a_bureau_admin"):
        template, institution = db.session.execute(select(
            Agreement.template_id, Agreement.institution_id).where(Agreement.id == ah1)).one()
    refused = api_as("a_bureau_admin").post("/agreements", json={
        "institution_id": institution, "template_id": template, "number": "A-2027-009",
        "start": "2027-03-01", "end": "2027-12-31"})
    assert refused.status_code == 409  # the longest bar answers: a leader's, 5 years
    assert str(today.replace(year=today.year + 5)) in refused.get_json()["detail"]
    # the public list, without sign-in: the institution and the ground, no ID number
    page = client.get("/public/rescissions").get_data(as_text=True)
    assert "甲区第一医院" in page and "经查实存在欺诈骗保行为" in page
    assert "33010619750202002X" not in page and "李明" not in page


def test_a_rescission_carries_over_to_the_other_regions(app, api_as, clock):
    from saas.models import Institution

    with acting(app, "b_bureau_admin"):  # the same hospital, designated in region B too
        bh1 = db.session.execute(select(Institution).where(Institution.code == "BH1")).scalar_one()
        bh1.credit_code = "12330106470000001A"
        db.session.commit()
    _rescind_by_measure(api_as, app, clock)
    (in_b,) = _ok(api_as("b_bureau_admin").get("/agreements"))["items"]
    assert in_b["status"] == "rescinded"
    assert _ok(api_as("a_bureau_admin").get(f"/agreements/{agreement_id(app, AH2)}"))[
        "status"] == "active"


def test_a_rescission_at_the_institutions_request_bars_no_one(app, api_as, clock):
    from saas.models import ReEntryBar

    _rescind_by_measure(api_as, app, clock, ground="own_request")
    with acting(app, "a_bureau_admin"):
        assert db.session.scalar(select(func.count()).select_from(ReEntryBar)) == 0


def test_a_rescission_needs_a_ground_of_article_43(app, api_as):
    response = api_as("a_bureau_admin").post("/measures", json={
        "agreement_id": agreement_id(app, AH1), "measure": "rescission", "basis": "x"})
    assert response.status_code == 422 and "ground" in response.get_json()["errors"]


# ------------------------------------------------------------------------ money, in fen
def test_money_is_summed_per_institution_and_year_and_traced_to_its_measure(app, api_as,
                                                                             after_window):
    ah1 = agreement_id(app, AH1)
    admin, second = api_as("a_bureau_admin"), api_as("a_bureau_admin2")
    made = []
    for measure, amount in (("clawback", 123456), ("clawback", 100), ("contractual_penalty", 5000),
                            ("deposit_deduction", 777)):
        made.append(_ok(admin.post("/measures", json={
            "agreement_id": ah1, "measure": measure, "amount_fen": amount,
            "basis": "违规费用"}), 201)["id"])
    for measure_id in made:
        _step(admin, measure_id, "notify")
    after_window()
    for measure_id in made[:3]:  # the deposit deduction is not decided yet
        _step(second, measure_id, "decide", decision="uphold", reason="属实")
    institution = _ok(admin.get(f"/agreements/{ah1}"))["institution_id"]
    year = (TODAY + timedelta(days=30)).year
    money = _ok(api_as("ah1_admin").get(f"/institutions/{institution}/money?year={year}"))
    assert money["by_measure"] == {"clawback": 123556, "contractual_penalty": 5000,
                                   "deposit_deduction": 0, "payment_refusal": 0}
    assert money["total_fen"] == 128556
    assert sorted(m["measure_id"] for m in money["measures"]) == sorted(made[:3])
    assert _ok(admin.get(f"/institutions/{institution}/money?year={year - 1}"))[
        "total_fen"] == 0
    assert api_as("ah2_admin").get(f"/institutions/{institution}/money").status_code == 404


def test_a_reversal_next_year_lands_in_the_year_it_takes_back(app, api_as, monkeypatch):
    from datetime import datetime

    import saas.services.findings

    ah1 = agreement_id(app, AH1)
    monkeypatch.setattr(saas.services.findings, "utcnow",
                        lambda: datetime(2026, 12, 31, 15, 0))   # 23:00 on 31 Dec, local
    finding = _confirmed(api_as, app, "general")
    monkeypatch.setattr(saas.services.findings, "utcnow",
                        lambda: datetime(2027, 1, 5, 2, 0))
    _ok(api_as("a_bureau_admin").post(f"/findings/{finding}/dismiss",
                                      json={"reason": "复核不成立"}))
    assert _points(api_as("a_bureau_admin"), ah1, 2026)["total"] == 0
    assert [e["reason"] for e in _points(api_as("a_bureau_admin"), ah1, 2026)["events"]] == [
        "finding_confirmed", "finding_dismissed"]
    assert _points(api_as("a_bureau_admin"), ah1, 2027) == {
        "agreement_id": ah1, "year": 2027, "total": 0, "events": []}
