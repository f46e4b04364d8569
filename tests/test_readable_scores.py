"""Scores people can read: weights and contributions, ranks in words, no data drawn as
无数据, the submit refusal naming its indicators, the quarterly indicators of a quarter's
last month."""

import re

from assessment_helpers import act, create, put
from conftest import csrf_from


def test_the_scorecard_shows_weights_contributions_and_a_rank_in_words(app, api_as, web_as):
    api = api_as("ah1_admin")
    draft = create(api, app, period="2026-05")
    put(api, draft["id"], [{"indicator_code": "VIOL-RATIO", "value": 0.3},
                           {"indicator_code": "DATA-UPLOAD", "value": 100}])
    client = web_as("ah1_admin")
    url = f"/assessments/{draft['id']}/scorecard"
    html = client.get(url).get_data(as_text=True)
    assert html.count('id="rank-region">' + '<span class="text-muted">提交后显示') == 1
    assert "权重" in html and "对总分的贡献" in html
    card = api.get(url.replace("/assessments", "/api/v1/assessments")).get_json()
    parts = [c["contribution"] for c in card["contributions"].values()
             if c["contribution"] is not None]
    assert abs(sum(parts) - card["total"]) <= 0.01 * len(parts)
    assert 'class="no-data"' in html and "无数据" in html  # perspectives without data
    act(api, draft["id"], "submit")
    html = client.get(url).get_data(as_text=True)
    assert re.search(r'id="rank-region">第 1 / 共 1 家已提交', html)


def test_submit_names_the_indicators_missing_evidence_and_marks_their_rows(
        app, api_as, web_as):
    api = api_as("ah1_admin")
    draft = create(api, app, period="2026-06")
    put(api, draft["id"], [{"indicator_code": "RX-REVIEW", "value": 100}])
    client = web_as("ah1_admin")
    page = client.get(f"/assessments/{draft['id']}").get_data(as_text=True)
    response = client.post(f"/assessments/{draft['id']}/submit",
                            data={"csrf_token": csrf_from(page)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "处方点评率：该指标要求上传证据材料" in html
    assert re.search(r'<tr data-indicator="RX-REVIEW"[^>]*class="table-danger"', html)
    body = api.post(f"/assessments/{draft['id']}/submit", json={}).get_json()
    assert body["errors"] == {"RX-REVIEW": ["处方点评率：该指标要求上传证据材料"]}


def test_a_quarters_last_month_points_to_the_quarter_assessment(app, api_as, web_as):
    api = api_as("ah1_admin")
    march = create(api, app, period="2026-03")
    client = web_as("ah1_admin")
    html = client.get(f"/assessments/{march['id']}").get_data(as_text=True)
    assert 'id="quarter-note"' in html and "2026-Q1" in html
    assert "kind=self&amp;period=2026-Q1" in html
    quarter = create(api, app, period="2026-Q1")
    html = client.get(f"/assessments/{march['id']}").get_data(as_text=True)
    assert f'/assessments/{quarter["id"]}"' in html
    april = create(api, app, period="2026-04")
    assert 'id="quarter-note"' not in client.get(
        f"/assessments/{april['id']}").get_data(as_text=True)
