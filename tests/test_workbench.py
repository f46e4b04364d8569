"""工作台: each role lands on the figures it has to act on, and every figure links to a
list that shows exactly that many rows."""

import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment_helpers import act, create, put
from conftest import acting
from saas.domain.scoring import NOT_APPLICABLE, IndicatorRule, score_indicator

TODAY = date(2026, 12, 3)  # 本期 = 2026-11; the fixture agreements end 2026-12-31
PERIOD = "2026-11"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    import saas.services.analytics
    import saas.services.workbench

    for module in (saas.services.analytics, saas.services.workbench):
        monkeypatch.setattr(module, "today_local", lambda: TODAY)


def _cards(client) -> dict[str, tuple[int, str]]:
    html = client.get("/").get_data(as_text=True)
    found = re.findall(r'<a class="card[^"]*" href="([^"]+)" data-key="(\w+)">\s*'
                       r'<div class="card-body">\s*<div[^>]*data-count>(\d+)</div>', html)
    return {key: (int(count), href.replace("&amp;", "&")) for href, key, count in found}


def _listed(client, href: str) -> int:
    html = client.get(href).get_data(as_text=True)
    return int(re.search(r'<h1[^>]*>[^<]*<small class="text-muted">\((\d+)\)</small>',
                         html).group(1))


def _submitted_red_self_inspection(app, api_as) -> int:
    api = api_as("ah1_admin")
    draft = create(api, app, period=PERIOD)
    put(api, draft["id"], [{"indicator_code": "VIOL-RATIO", "value": 0.9},  # ≤ 0.5: red
                           {"indicator_code": "DATA-UPLOAD", "value": 100}])
    act(api, draft["id"], "submit")
    return draft["id"]


def test_the_bureau_lands_on_its_workbench_and_each_figure_is_its_list(app, api_as, web_as):
    _submitted_red_self_inspection(app, api_as)
    client = web_as("a_bureau_admin")
    cards = _cards(client)
    assert set(cards) == {"findings_draft", "institutions_red", "institutions_fail",
                          "institutions_self_missing", "agreements_expiring",
                          "rectifications_submitted", "rectifications_overdue"}
    assert cards["institutions_red"][0] == 1
    assert cards["agreements_expiring"][0] >= 1
    for key, (count, href) in cards.items():
        assert _listed(client, href) == count, key
    red = client.get(cards["institutions_red"][1]).get_data(as_text=True)
    assert 'id="attention-filter"' in red
    assert "甲区第一医院" in red and "甲区第二医院" not in red  # AH1 only


def test_self_missing_counts_institutions_with_an_active_agreement_and_nothing_submitted(
        app, api_as, web_as):
    client = web_as("a_bureau_admin")
    before = _cards(client)["institutions_self_missing"][0]
    assert before >= 2
    _submitted_red_self_inspection(app, api_as)
    assert _cards(client)["institutions_self_missing"][0] == before - 1


def test_the_institution_admin_sees_this_periods_self_inspection_and_its_red_rows(
        app, api_as, web_as):
    client = web_as("ah1_admin")
    html = client.get("/").get_data(as_text=True)
    assert "尚未新建" in html and f"period={PERIOD}" in html
    assessment_id = _submitted_red_self_inspection(app, api_as)
    html = client.get("/").get_data(as_text=True)
    assert "已提交" in html and f"/assessments/{assessment_id}\"" in html
    cards = _cards(client)
    assert cards["red_indicators"] == (1, f"/assessments/{assessment_id}/scorecard")
    assert set(cards) == {"findings_confirmed", "red_indicators", "self_drafts",
                          "rectifications_overdue", "rectifications_submitted"}


@pytest.mark.parametrize(("who", "key", "kind"), [("ah1_staff", "self_drafts", "self"),
                                                   ("ah1_mock", "mock_drafts", "mock")])
def test_staff_and_mock_inspectors_see_their_drafts(app, api_as, web_as, who, key, kind):
    creator = "ah1_admin" if kind == "self" else "ah1_mock"
    create(api_as(creator), app, kind=kind, period="2026-10")
    client = web_as(who)
    cards = _cards(client)
    assert cards[key][0] == 1 and _listed(client, cards[key][1]) == 1
    expected = {"ah1_staff": {key, "rectifications_mine", "rectifications_mine_overdue"}}
    assert set(cards) == expected.get(who, {key})


def test_the_ledgers_figures_are_its_lists(app, api_as, web_as, monkeypatch):
    from datetime import date, timedelta

    from test_rectification_steps import _bureau_item, _upload, _user_id

    import saas.services.rectifications

    first, second = _bureau_item(app, api_as), _bureau_item(app, api_as, period="2026-06")
    for item in (first, second):
        api_as("ah1_admin").patch(f"/rectifications/{item['id']}",
                                  json={"owner_id": _user_id(app, "ah1_staff")})
    staff = api_as("ah1_staff")
    staff.post(f"/rectifications/{first['id']}/submit",
               json={"statement": "已整改", "evidence_ids": [_upload(staff)]})
    later = (date.fromisoformat(first["due_date"]) + timedelta(days=30)).isoformat()
    api_as("a_bureau_inspector").post(f"/rectifications/{first['id']}/extend",
                                      json={"due_date": later, "reason": "等待复核"})
    late = date.fromisoformat(second["due_date"]) + timedelta(days=1)
    monkeypatch.setattr(saas.services.rectifications, "today_local", lambda: late)
    for who, wanted in (("ah1_staff", {"rectifications_mine": 2,
                                       "rectifications_mine_overdue": 1}),
                        ("ah1_admin", {"rectifications_overdue": 1,
                                       "rectifications_submitted": 1}),
                        ("a_bureau_inspector", {"rectifications_overdue": 1,
                                                "rectifications_submitted": 1})):
        client = web_as(who)
        cards = _cards(client)
        for key, count in wanted.items():
            assert cards[key][0] == count, (who, key)
            assert _listed(client, cards[key][1]) == count, (who, key)


def test_workbench_in_english(app, web_as):
    client = web_as("a_bureau_admin")
    client.get("/lang/en")
    html = client.get("/").get_data(as_text=True)
    main = html[html.index("<main"):html.index("</main>")]
    assert "Workbench" in main and not re.search(r"[\u4e00-\u9fff]", main)


# ---------------------------------------------------------------- the red rule in SQL

DIRECTIONS = ("lower_better", "higher_better", "boolean")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(direction=st.sampled_from(DIRECTIONS),
       value=st.one_of(st.none(), st.just(NOT_APPLICABLE), st.sampled_from([0.0, 1.0]),
                       st.floats(-1e6, 1e6, allow_nan=False)),
       target=st.floats(-1e6, 1e6, allow_nan=False))
def test_is_red_in_sql_is_the_domain_colour(app, direction, value, target):
    from sqlalchemy import Boolean, Float, String, cast, literal, select

    from saas.extensions import db
    from saas.services.analytics import is_red

    if direction == "boolean":
        target, value = 1.0, (value if value in (None, NOT_APPLICABLE) else float(bool(value)))
    rule = IndicatorRule("X", "financial", direction, target, None, None, 10)
    expected = score_indicator(rule, value).color == "red"
    stored = None if value is NOT_APPLICABLE else value
    with acting(app, "a_bureau_admin"):
        red = db.session.execute(select(is_red(
            cast(literal(stored), Float), cast(literal(value is NOT_APPLICABLE), Boolean),
            cast(literal(direction), String), cast(literal(target), Float)))).scalar()
    assert bool(red) == expected
