"""The scoring service against the pure domain: same results on the same data, the query
budget of recompute, ranks in the region and the peer group, history, the consecutive-
period flags and the annual assessment."""

from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from assessment_helpers import AH1, AH2, AP1, act, agreement_id, by_code, create, put
from conftest import acting
from saas.domain.scoring import NOT_APPLICABLE, GradeBands, IndicatorRule, score_scorecard

HOSPITAL_SPEC = Path(__file__).parent.parent / "tenants/specs/templates/hospital-2026.yaml"


def _month_rules():
    """HOSP-2026's monthly indicators, read from the spec file (not from the database)."""
    spec = yaml.safe_load(HOSPITAL_SPEC.read_text())
    rules = []
    for clause in spec["clauses"]:
        for ind in clause.get("indicators") or []:
            if ind.get("frequency", "monthly") == "monthly":
                rules.append(IndicatorRule(ind["code"], ind["perspective"], ind["direction"],
                                           ind.get("target"), ind.get("warning"),
                                           ind.get("zero"), ind["max_points"]))
    return rules, spec["perspective_weights"], GradeBands.from_mapping(spec["grade_bands"])


MONTH_RULES, WEIGHTS, BANDS = _month_rules()
VALUE = st.one_of(st.none(), st.just("na"),
                  st.floats(min_value=0, max_value=100, allow_nan=False).map(
                      lambda x: round(x, 3)))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({r.code: VALUE for r in MONTH_RULES}))
def test_service_equals_domain(app, api_as, values):
    api = api_as("ah1_admin")
    listed = api.get("/assessments?period=2026-06&kind=self").get_json()["items"]
    draft = listed[0] if listed else create(api, app, period="2026-06")
    rows = [{"indicator_code": c, "value": None if v == "na" else v,
             "not_applicable": v == "na"} for c, v in values.items()]
    card = put(api, draft["id"], rows)
    domain = score_scorecard(MONTH_RULES, {c: NOT_APPLICABLE if v == "na" else v
                                           for c, v in values.items()}, WEIGHTS, BANDS)
    assert card["total"] == domain.total and card["grade"] == domain.grade
    assert card["perspectives"] == domain.perspectives
    assert card["completeness"] == pytest.approx(domain.completeness)
    for result in domain.indicators:
        row = by_code(card)[result.code]
        assert row["color"] == result.color and row["status"] == result.status
        assert row["score"] == (None if result.score is None else round(result.score, 2))


def test_recompute_uses_two_queries_at_most_and_keeps_the_results(app, api_as):
    from saas.extensions import db
    from saas.models import Assessment
    from saas.services import scoring

    api = api_as("ah1_admin")
    draft = create(api, app)
    put(api, draft["id"], [{"indicator_code": "VIOL-RATIO", "value": 0.75},
                           {"indicator_code": "DATA-UPLOAD", "value": 100}])
    with acting(app, "ah1_admin"):
        assessment = db.session.get(Assessment, draft["id"])
        selects = []

        def count(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("SELECT") and "set_config" not in statement:
                selects.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            card = scoring.recompute(assessment)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        # the due indicators, unless kept from the save (PostgreSQL); the measurements
        assert len(selects) == (1 if app.config["BACKEND"] == "postgresql" else 2), selects
        assert assessment.total == card.total == 75.0  # financial 5/10, process 8/8
        assert assessment.perspectives["financial"] == 50.0
        assert {(s.code, s.score, s.color) for s in card.indicators if s.score is not None} \
            == {("VIOL-RATIO", 5.0, "red"), ("DATA-UPLOAD", 8.0, "green")}


def test_the_kept_due_indicators_are_those_read_fresh(app, api_as):
    """scoring.due_indicators keeps each agreement's list (PostgreSQL): the kept one is
    the one a fresh query reads, for two templates (a hospital's, a pharmacy's) and two
    period kinds, and agreements of one template version share it."""
    from saas.extensions import db
    from saas.models import Assessment
    from saas.services import scoring

    inspector = api_as("a_bureau_inspector")
    ids = [create(inspector, app, number=number, kind="routine", period=period)["id"]
           for number in (AH1, AP1, AH2) for period in ("2026-03", "2026-Q1")]
    with acting(app, "a_bureau_admin"):
        assessments = [db.session.get(Assessment, i) for i in ids]
        kept = [scoring.due_indicators(a) for a in assessments]  # AH1's first: kept first
        for assessment, due in zip(assessments, kept, strict=True):
            kind = "month" if assessment.period == "2026-03" else "quarter"
            assert due == scoring._read_due(assessment.agreement_id, kind)
            assert scoring.due_indicators(assessment) is due or \
                app.config["BACKEND"] == "sqlite"
    codes = [[i.code for i in due.indicators] for due in kept]
    hospital_month, hospital_quarter, pharmacy_month, pharmacy_quarter = codes[:4]
    assert hospital_month != pharmacy_month and hospital_quarter != pharmacy_quarter
    assert len(hospital_month) < len(hospital_quarter)
    if app.config["BACKEND"] != "sqlite":  # AH2 signed the same version as AH1
        assert kept[4] is kept[0] and kept[5] is kept[1]


# --------------------------------------------------------------------------- ranks

EXTRA = [("AH3", "三级"), ("AH4", "二级"), ("AH5", "二级")]


def _add_hospitals(app):
    """Three more hospitals in region A so that "the bottom three" is not everybody."""
    from saas.services.provisioning import provision

    with app.app_context():
        provision({"region": {"code": "330106", "name": "测试甲区"},
                   "institutions": [
                       {"code": code, "name": f"甲区{code}医院", "kind": "hospital",
                        "level": level, "agreement": {
                            "template": "HOSP-2026", "number": f"A-2026-{code}",
                            "start": date(2026, 1, 1), "end": date(2026, 12, 31)}}
                       for code, level in EXTRA]})


def _agreement(app, number):
    from saas.extensions import db
    from saas.models import Agreement

    with acting(app, "a_bureau_admin"):
        return db.session.execute(
            select(Agreement.id).where(Agreement.number == number)).scalar_one()


def _inspect(app, api, number, period, viol, submit=True):
    """A routine inspection whose only measurement is VIOL-RATIO: total = its score × 10."""
    response = api.post("/assessments", json={"agreement_id": _agreement(app, number),
                                              "kind": "routine", "period": period})
    assert response.status_code == 201, response.get_json()
    assessment = response.get_json()
    put(api, assessment["id"], [{"indicator_code": "VIOL-RATIO", "value": viol}])
    if submit:
        act(api, assessment["id"], "submit")
    return assessment


def test_rank_in_region_and_peer_group(app, api_as):
    _add_hospitals(app)
    bureau = api_as("a_bureau_inspector")
    # totals: AH1 三级 80, AH2 二级 90, AP1 pharmacy 70, AH3 三级 90, AH4 二级 60
    for number, viol in ((AH1, 0.6), (AH2, 0.55), (AP1, 0.65), ("A-2026-AH3", 0.55),
                         ("A-2026-AH4", 0.7)):
        assessment = _inspect(app, bureau, number, "2026-03", viol)
        if number == AH1:
            ah1 = assessment
    _inspect(app, bureau, "A-2026-AH5", "2026-03", 0.3, submit=False)  # a draft: not ranked
    create(api_as("ah1_admin"), app, period="2026-03")  # another group (self): not ranked
    card = bureau.get(f"/assessments/{ah1['id']}/scorecard").get_json()
    assert card["total"] == 80.0
    assert card["rank"] == {"region": 3, "region_of": 5, "peer": 2, "peer_of": 2}
    # The institution sees its own rank although RLS hides the others' rows from it.
    mine = api_as("ah1_admin").get(f"/assessments/{ah1['id']}/scorecard").get_json()
    assert mine["rank"] == card["rank"]
    ah4 = bureau.get("/assessments?kind=routine&period=2026-03").get_json()["items"]
    ranks = {a["institution_id"]: bureau.get(f"/assessments/{a['id']}/scorecard").get_json()[
        "rank"] for a in ah4 if a["status"] == "submitted"}
    assert sorted(r["region"] for r in ranks.values()) == [1, 1, 3, 4, 5]


def test_mock_is_never_ranked(app, api_as):
    api = api_as("ah1_mock")
    mock = create(api, app, kind="mock", period="2026-03")
    card = put(api, mock["id"], [{"indicator_code": "VIOL-RATIO", "value": 0.3}])
    assert card["total"] == 100.0
    assert card["rank"] == {"region": None, "region_of": 0, "peer": None, "peer_of": 0}
    assert card["barometer"] is None and card["flags"] == []


def test_history_of_the_last_periods(app, api_as):
    api = api_as("ah1_admin")
    ids = []
    for month, viol in ((1, 0.3), (2, 0.6), (3, 0.75)):
        draft = create(api, app, period=f"2026-{month:02d}")
        put(api, draft["id"], [{"indicator_code": "VIOL-RATIO", "value": viol}])
        ids.append(draft["id"])
    for assessment_id in ids[:2]:
        act(api, assessment_id, "submit")
        act(api, assessment_id, "finalize")
    create(api, app, period="2026-Q1")  # another period length: not in the monthly history
    card = api.get(f"/assessments/{ids[2]}/scorecard").get_json()
    assert card["history"] == [
        {"assessment_id": ids[0], "period": "2026-01", "total": 100.0, "grade": "excellent"},
        {"assessment_id": ids[1], "period": "2026-02", "total": 80.0, "grade": "pass"},
        {"assessment_id": ids[2], "period": "2026-03", "total": 50.0, "grade": "fail"},
    ]
    assert card["barometer"] == "special_rectification"
    assert [f["code"] for f in card["flags"]] == ["special_rectification"]


def test_bottom_three_for_three_months_flags_assistance(app, api_as):
    _add_hospitals(app)
    bureau = api_as("a_bureau_inspector")
    # totals: AH2 100, AP1 90, AH3 80, AH4 100, AH5 96, AH1 70 → bottom three AH1, AH3, AP1
    others = [(AH2, 0.3), (AP1, 0.55), ("A-2026-AH3", 0.6), ("A-2026-AH4", 0.5),
              ("A-2026-AH5", 0.52)]
    cards = {}
    for month in ("2026-01", "2026-02", "2026-03"):
        for number, viol in others:
            _inspect(app, bureau, number, month, viol)
        mine = _inspect(app, bureau, AH1, month, 0.65)
        cards[month] = bureau.get(f"/assessments/{mine['id']}/scorecard").get_json()
    assert cards["2026-03"]["rank"] == {"region": 6, "region_of": 6, "peer": 2, "peer_of": 2}
    assert [f["code"] for f in cards["2026-02"]["flags"]] == []
    assert [f["code"] for f in cards["2026-03"]["flags"]] == ["assistance"]
    assert "连续3个月排名后3位" in cards["2026-03"]["flags"][0]["label"]
    institution_view = api_as("ah1_admin").get(
        f"/assessments/{cards['2026-03']['assessment_id']}/scorecard").get_json()
    assert institution_view["flags"] == cards["2026-03"]["flags"]


def test_three_institutions_have_no_bottom_three(app, api_as):
    bureau = api_as("a_bureau_inspector")
    for month in ("2026-01", "2026-02", "2026-03"):
        for number, viol in ((AH2, 0.3), (AP1, 0.3)):
            _inspect(app, bureau, number, month, viol)
        mine = _inspect(app, bureau, AH1, month, 0.6)
    card = bureau.get(f"/assessments/{mine['id']}/scorecard").get_json()
    assert card["rank"]["region"] == 3 and card["flags"] == []


def test_two_failed_inspections_in_a_row_flag_an_interview(app, api_as):
    bureau = api_as("a_bureau_inspector")
    _inspect(app, bureau, AH1, "2026-01", 0.8)    # 40: fail
    second = _inspect(app, bureau, AH1, "2026-02", 0.9)  # 20: fail
    codes = [f["code"] for f in bureau.get(
        f"/assessments/{second['id']}/scorecard").get_json()["flags"]]
    assert codes == ["interview", "special_rectification"]


# --------------------------------------------------------------------------- annual


def _finalized(app, api, period, viol):
    draft = create(api, app, period=period)
    put(api, draft["id"], [{"indicator_code": "VIOL-RATIO", "value": viol}])
    act(api, draft["id"], "submit")
    return act(api, draft["id"], "finalize")


def _decided_at(monkeypatch, when: datetime):
    """Findings are confirmed at ``when`` (UTC): points belong to the decision's year."""
    import saas.services.findings

    monkeypatch.setattr(saas.services.findings, "utcnow", lambda: when)


def test_annual_combines_periods_minus_points(app, api_as, monkeypatch):
    _decided_at(monkeypatch, datetime(2026, 9, 1, 2, 0))
    institution = api_as("ah1_admin")
    _finalized(app, institution, "2026-01", 0.3)    # 100
    _finalized(app, institution, "2026-02", 0.6)    # 80
    _finalized(app, institution, "2026-Q2", 0.7)    # 60, covers April-June
    draft = create(institution, app, period="2026-03")  # not finalized: not counted
    put(institution, draft["id"], [{"indicator_code": "VIOL-RATIO", "value": 1}])
    # Points: a self-reported general finding (5 × 0.5) and a routine serious one (8);
    # a mock finding never counts, a dismissed one neither.
    self_q3 = create(institution, app, period="2026-Q3")
    mock = create(api_as("ah1_mock"), app, kind="mock", period="2026-07")
    routine = create(api_as("a_bureau_inspector"), app, kind="routine", period="2026-08")
    bureau, inspector = api_as("a_bureau_admin"), api_as("a_bureau_inspector")
    for api, assessment, severity, decide in (
            (institution, self_q3, "general", bureau),
            (api_as("ah1_mock"), mock, "fraud", institution),
            (inspector, routine, "serious", bureau),
            (inspector, routine, "minor", None)):
        finding = api.post("/findings", json={
            "assessment_id": assessment["id"], "category": "duplicate_charge",
            "severity": severity, "description": "重复收取床位费", "amount_fen": 12000})
        assert finding.status_code == 201, finding.get_json()
        if decide is not None:
            confirmed = decide.post(f"/findings/{finding.get_json()['id']}/confirm", json={})
            assert confirmed.status_code == 200, confirmed.get_json()
    body = bureau.get(f"/assessments/annual?agreement_id={agreement_id(app, AH1)}&year=2026")
    annual = body.get_json()
    assert annual["months_covered"] == 5
    assert [p["period"] for p in annual["periods"]] == ["2026-01", "2026-02", "2026-Q2"]
    assert annual["points"] == 10.5
    # months: 100, 80, 60, 60, 60 → mean 72, minus 10.5 points
    assert annual["total"] == 61.5 and annual["grade"] == "basic"
    yearly = create(bureau, app, kind="annual", period="2026")
    card = bureau.get(f"/assessments/{yearly['id']}/scorecard").get_json()
    assert (card["total"], card["grade"]) == (61.5, "basic")
    assert card["annual"]["points"] == 10.5
    assert bureau.get(f"/assessments/{yearly['id']}").get_json()["total"] == 61.5


def test_annual_without_finalized_periods_uses_its_own_measurements(app, api_as):
    bureau = api_as("a_bureau_admin")
    yearly = create(bureau, app, kind="annual", period="2026")
    card = put(bureau, yearly["id"], [{"indicator_code": "VIOL-RATIO", "value": 0.6}])
    assert (card["total"], card["grade"]) == (80.0, "pass")
    assert card["annual"]["months_covered"] == 0


def test_annual_of_another_region_is_not_found(app, api_as):
    response = api_as("b_bureau_admin").get(
        f"/assessments/annual?agreement_id={agreement_id(app, AH2)}&year=2026")
    assert response.status_code == 404


def _confirmed(app, api_as, assessment, severity, recorder="a_bureau_inspector"):
    finding = api_as(recorder).post("/findings", json={
        "assessment_id": assessment["id"], "category": "duplicate_charge",
        "severity": severity, "description": "重复收取床位费", "amount_fen": 100})
    assert finding.status_code == 201, finding.get_json()
    confirmed = api_as("a_bureau_admin").post(
        f"/findings/{finding.get_json()['id']}/confirm", json={})
    assert confirmed.status_code == 200, confirmed.get_json()


def test_points_belong_to_the_year_of_the_confirming_decision(app, api_as, monkeypatch):
    """domain.md: points belong to the calendar year (Asia/Shanghai) of the decision
    that confirmed the finding, not to the period the finding was about."""
    from saas.extensions import db
    from saas.models import Agreement
    from saas.services.scoring import points_for_year

    routine = create(api_as("a_bureau_inspector"), app, kind="routine", period="2026-11")
    _decided_at(monkeypatch, datetime(2026, 12, 31, 15, 59))  # 23:59 on 31 Dec, local
    _confirmed(app, api_as, routine, "general")              # 5 points, 2026
    _decided_at(monkeypatch, datetime(2026, 12, 31, 16, 1))   # 00:01 on 1 Jan 2027, local
    _confirmed(app, api_as, routine, "serious")              # 8 points, 2027
    with acting(app, "a_bureau_admin"):
        agreement = db.session.execute(
            select(Agreement).where(Agreement.id == agreement_id(app, AH1))).scalar_one()
        total_2026, events_2026 = points_for_year(agreement, 2026)
        total_2027, events_2027 = points_for_year(agreement, 2027)
    assert (total_2026, [e["points"] for e in events_2026]) == (5, [5])
    assert (total_2027, [e["points"] for e in events_2027]) == (8, [8])


def test_institution_list_points_are_the_agreements_points(app, api_as, monkeypatch):
    """The list's points_this_year (scoring.points_in_year, summed in SQL beside each row)
    is points_for_year of the current agreement: the same ledger lines, so the same rule
    (mock and dismissed findings never count, a self-reported one counts half)."""
    from saas.extensions import db
    from saas.models import Agreement, Institution
    from saas.services import institutions
    from saas.services.scoring import points_for_year

    _decided_at(monkeypatch, datetime(2026, 6, 1, 2, 0))
    routine = create(api_as("a_bureau_inspector"), app, kind="routine", period="2026-05")
    _confirmed(app, api_as, routine, "serious")
    self_check = create(api_as("ah1_admin"), app, kind="self", period="2026-05")
    _confirmed(app, api_as, self_check, "general", "ah1_admin")   # 自查从宽: 5 × 0.5
    with acting(app, "a_bureau_admin"):
        listed = institutions.overview(
            db.session.execute(select(Institution).order_by(Institution.code)).scalars().all(),
            today=date(2026, 6, 2))
        agreement = db.session.execute(
            select(Agreement).where(Agreement.id == agreement_id(app, AH1))).scalar_one()
        expected, _ = points_for_year(agreement, 2026)
    assert expected == 10.5
    assert {row["code"]: row["points_this_year"] for row in listed} == \
        {"AH1": 10.5, "AH2": 0, "AP1": 0}
