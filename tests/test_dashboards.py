"""The dashboards' figures (saas.services.dashboards): scoped by the tenant, mock
inspections out, the grid one page at a time in SQL, the drill-down, the filters, and the
cache retired when the data changes."""

import pytest
from test_analytics import scored  # noqa: F401 (fixture)
from test_rectification_steps import _bureau_item

from assessment_helpers import AH1, create
from conftest import _make_app, acting
from saas.services import dashboards
from saas.timeutil import today_local

VIEW = dashboards.View("2026-05")
NOW = dashboards.View(today_local().strftime("%Y-%m"))  # the findings of this year so far


def _ids(app, who="a_bureau_admin"):
    from sqlalchemy import select

    from saas.extensions import db
    from saas.models import Institution

    with acting(app, who):
        return {i.code: i.id for i in db.session.execute(select(Institution)).scalars()}


def test_the_overview_counts_the_region_and_an_institution_itself(app, scored):  # noqa: F811
    with acting(app, "a_bureau_admin"):
        region = dashboards.overview(VIEW)
    assert region["institutions"] == 3
    assert region["grades"] == {"excellent": 1, "pass": 1, None: 1}  # the mock never counts
    with acting(app, "ah1_admin"):
        own = dashboards.overview(VIEW)
    assert own["institutions"] == 1 and own["grades"] == {"excellent": 1, None: 0}
    with acting(app, "b_bureau_admin"):
        assert dashboards.overview(VIEW)["institutions"] == 1


def test_the_view_filters_by_kind_and_falls_back_on_nonsense(app, scored):  # noqa: F811
    with acting(app, "a_bureau_admin"):
        assert dashboards.overview(dashboards.View("2026-05", kind="pharmacy"))[
            "institutions"] == 1
        assert dashboards.overview(dashboards.View("2026-05", district="无此街道"))[
            "institutions"] == 0
        view = dashboards.View.of({"period": "2026-13", "kind": "bank", "level": "x" * 99})
    assert view.kind is None and len(view.level) == 16 and len(view.period) == 7


def test_the_grid_sorts_in_sql_and_pages(app, scored):  # noqa: F811
    with acting(app, "a_bureau_admin"):
        page = dashboards.grid_page(VIEW, "score", True, 0, 2)
        rest = dashboards.grid_page(VIEW, "score", True, 2, 4)
        by_name = dashboards.grid_page(VIEW, "name", False, 0, 10)
    assert page["total"] == 3 and [r["score"] for r in page["rows"]] == [100, 80]
    assert [r["score"] for r in rest["rows"]] == [None]  # never scored: last
    assert page["rows"][0]["colour"] == "green" and page["rows"][0]["grade"] == "excellent"
    assert page["rows"][1]["colour"] == "red"  # 0.6 > the 0.5 target
    names = [r["name"] for r in by_name["rows"]]
    assert names == sorted(names)


def test_the_grid_shows_points_items_and_the_latest_measure(app, api_as):
    item = _bureau_item(app, api_as)
    with acting(app, "a_bureau_admin"):
        rows = {r["id"]: r for r in dashboards.grid_page(VIEW, "open_items", True)["rows"]}
    row = rows[item["institution_id"]]
    assert row["open_items"] == 1 and row["overdue_items"] == 0 and row["points"] == 5
    assert row["measure"] == {"measure": "interview", "status": "proposed"}
    assert row["agreement_status"] == "active"


def test_cached_figures_are_retired_when_the_data_changes(app, api_as):
    with acting(app, "a_bureau_admin"):
        before = dashboards.overview(VIEW)["open_items"]
    _bureau_item(app, api_as)
    with acting(app, "a_bureau_admin"):
        assert dashboards.overview(VIEW)["open_items"] == before + 1


def test_a_mock_inspections_item_is_not_the_bureaus(app, api_as):
    rehearsal = create(api_as("ah1_mock"), app, kind="mock", period="2026-05")
    finding = api_as("ah1_mock").post("/findings", json={
        "assessment_id": rehearsal["id"], "category": "split_admission", "severity": "minor",
        "description": "模拟检查"}).get_json()["id"]
    api_as("ah1_admin").post(f"/findings/{finding}/confirm", json={})
    with acting(app, "a_bureau_admin"):
        assert dashboards.overview(VIEW)["open_items"] == 0
        assert dashboards.rectification(VIEW)["states"]["open"] == 0
        assert dashboards.findings(NOW)["rows"] == []
    with acting(app, "ah1_admin"):
        assert dashboards.overview(VIEW)["open_items"] == 1
        assert dashboards.findings(NOW)["rows"][0]["count"] == 1


def test_the_drill_down_and_its_scope(app, scored):  # noqa: F811
    ids = _ids(app)
    with acting(app, "a_bureau_admin"):
        card = dashboards.institution(ids["AH1"], VIEW)
    assert card["score"] == 100 and set(card["radar"]) == {"financial", "patient",
                                                           "process", "learning"}
    assert card["heatmap"]["periods"] == ["2026-03"]  # the mock of 2026-04 is not there
    codes = [code for code, _name in card["heatmap"]["indicators"]]
    assert card["heatmap"]["colours"][codes.index("VIOL-RATIO")] == ["green"]
    with acting(app, "ah2_admin"):
        assert dashboards.institution(ids["AH1"], VIEW) is None
    with acting(app, "b_bureau_admin"):
        assert dashboards.institution(ids["AH1"], VIEW) is None


def test_the_other_pages_figures(app, api_as, scored):  # noqa: F811
    from assessment_helpers import act

    _bureau_item(app, api_as, severity="serious")
    for who, kind, period in (("ah1_admin", "self", "2026-03"),
                              ("a_bureau_inspector", "routine", "2026-02")):
        api = api_as(who)
        (draft,) = [a for a in api.get(f"/assessments?period={period}&kind={kind}")
                    .get_json()["items"]]
        act(api, draft["id"], "submit")
    with acting(app, "a_bureau_admin"):
        trends = dashboards.trends(VIEW)
        found = dashboards.findings(NOW)
        flow = dashboards.pipeline(VIEW)
        progress = dashboards.rectification(VIEW)
        peers = dashboards.peers(dashboards.View("2026-03"))
    assert [t["period"] for t in trends] == ["2026-02", "2026-03"]
    assert trends[1]["mean"] == 100 and trends[1]["grades"] == {"excellent": 1}
    assert found["rows"] == [{"category": "split_admission", "severity": "serious",
                              "kind": "hospital", "count": 1}]
    assert {(r["measure"], r["status"]) for r in flow["rows"]} >= {("interview", "proposed")}
    assert flow["waiting"]["notify"] >= 1
    assert progress["states"]["open"] == 1 and sum(a["count"] for a in progress["ageing"]) == 0
    assert peers[0]["institutions"] == 1 and peers[0]["best"] == 100


@pytest.mark.parametrize("who", ["ah1_admin", "ah1_staff"])
def test_an_institution_sees_only_itself_in_every_figure(app, api_as, scored, who):  # noqa: F811
    _bureau_item(app, api_as)
    ids = _ids(app)
    with acting(app, who):
        rows = dashboards.grid_page(VIEW)["rows"]
        assert [r["id"] for r in rows] == [ids["AH1"]]
        assert dashboards.institution(ids["AH2"], VIEW) is None
        assert sum(dashboards.rectification(VIEW)["states"].values()) == 1
    assert AH1


# ------------------------------------------------------------------ the Dash endpoints
def _page(client, path, search=""):
    """The pages router's callback, as the browser calls it: the page's components."""
    client.get("/dashboards/")  # the first request registers the router
    response = client.post("/dashboards/_dash-update-component", json={
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"},
                    {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname"]})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]["_pages_content"]["children"]


def _grid(client, request, view=None):
    response = client.post("/dashboards/_dash-update-component", json={
        "output": "grid.getRowsResponse",
        "outputs": {"id": "grid", "property": "getRowsResponse"},
        "inputs": [{"id": "grid", "property": "getRowsRequest", "value": request}],
        "state": [{"id": "view", "property": "data", "value": view or {}}],
        "changedPropIds": ["grid.getRowsRequest"]})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]["grid"]["getRowsResponse"]


def _text(tree) -> str:
    import json

    return json.dumps(tree, ensure_ascii=False)


def test_every_page_renders_for_the_bureau(app, api_as, web_as, scored):  # noqa: F811
    _bureau_item(app, api_as)
    client = web_as("a_bureau_admin")
    for path in ("/dashboards/", "/dashboards/trends", "/dashboards/findings",
                 "/dashboards/pipeline", "/dashboards/rectification", "/dashboards/peers"):
        assert '"filters"' in _text(_page(client, path, "?period=2026-03")), path
    ids = _ids(app)
    card = _text(_page(client, f"/dashboards/institution/{ids['AH1']}", "?period=2026-05"))
    assert '"radar"' in card and '"heatmap"' in card and "甲区第一医院" in card


def test_the_grid_callback_pages_sorts_and_searches_in_the_users_scope(app, web_as, scored):  # noqa: F811
    bureau = _grid(web_as("a_bureau_admin"), {"startRow": 0, "endRow": 100, "sortModel": [
        {"colId": "score", "sort": "desc"}]}, {"period": "2026-05"})
    assert bureau["rowCount"] == 3 and [r["score"] for r in bureau["rowData"]] == [100, 80, None]
    assert bureau["rowData"][0]["name"].startswith("[甲区第一医院](/dashboards/institution/")
    found = _grid(web_as("a_bureau_admin"), {"startRow": 0, "endRow": 100, "filterModel": {
        "name": {"filter": "第二"}}})
    assert found["rowCount"] == 1
    own = _grid(web_as("ah1_admin"), {"startRow": 0, "endRow": 100})
    assert own["rowCount"] == 1 and "甲区第一医院" in own["rowData"][0]["name"]
    crafted = _grid(web_as("bh1_admin"), {"startRow": 0, "endRow": 5000, "sortModel": [
        {"colId": "region_id; drop table", "sort": "asc"}]}, {"kind": "hospital"})
    assert crafted["rowCount"] == 1 and "甲区" not in _text(crafted)


def test_crafted_inputs_reach_no_other_tenant(app, web_as, scored):  # noqa: F811
    ids = _ids(app)
    for who in ("ah2_admin", "b_bureau_admin", "bh1_admin"):
        client = web_as(who)
        page = _text(_page(client, f"/dashboards/institution/{ids['AH1']}"))
        assert "甲区第一医院" not in page and "empty-state" in page, who
    mock = _text(_page(web_as("a_bureau_admin"), "/dashboards/institution/abc"))
    assert "empty-state" in mock


def test_an_empty_region_says_what_to_do_next(app, web_as):
    client = web_as("b_bureau_admin")
    for path in ("/dashboards/trends", "/dashboards/findings", "/dashboards/pipeline",
                 "/dashboards/rectification", "/dashboards/peers"):
        assert "empty-state" in _text(_page(client, path)), path
    nobody = _text(_page(client, "/dashboards/", "?district=无此街道"))
    assert "empty-state" in nobody


def test_the_export_writes_what_the_page_shows(app, web_as, scored):  # noqa: F811
    import base64
    import io

    from openpyxl import load_workbook

    client = web_as("a_bureau_admin")
    client.get("/dashboards/")
    response = client.post("/dashboards/_dash-update-component", json={
        "output": "download.data", "outputs": {"id": "download", "property": "data"},
        "inputs": [{"id": "export", "property": "n_clicks", "value": 1}],
        "state": [{"id": "_pages_location", "property": "pathname", "value": "/dashboards/"},
                  {"id": "_pages_location", "property": "search", "value": "?period=2026-05"}],
        "changedPropIds": ["export.n_clicks"]})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    data = response.get_json()["response"]["download"]["data"]
    assert data["filename"] == "overview-2026-05.xlsx"
    book = load_workbook(io.BytesIO(base64.b64decode(data["content"])))
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert rows[0][0] == "机构" and len(rows) == 4 and rows[1][1] == 100


def test_a_crafted_callback_is_refused_with_a_400(app, web_as):
    """A callback request naming outputs no page has, or no JSON at all, is a clear 400,
    never a 500; a real one still answers as the first request of a fresh worker."""
    client = web_as("a_bureau_admin")
    for body in ({"output": "nope.children", "outputs": {"id": "nope", "property": "children"},
                  "inputs": []}, {"output": 7}, [], None):
        response = client.post("/dashboards/_dash-update-component", json=body)
        assert response.status_code == 400, (body, response.status_code)
        assert "看板请求无效" in response.get_data(as_text=True)
    # a fresh worker (another app on the same database) whose first request is a callback
    fresh = _make_app(app.config["SQLALCHEMY_DATABASE_URI"], app.config["DATABASE_OWNER_URL"])
    fresh_client = fresh.test_client()
    fresh_client.set_cookie("session", client.get_cookie("session").value)
    response = fresh_client.post("/dashboards/_dash-update-component", json={
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"},
                    {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/dashboards/"},
                   {"id": "_pages_location", "property": "search", "value": ""}],
        "changedPropIds": ["_pages_location.pathname"]})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


def test_no_dash_endpoint_answers_without_a_session(app, client):
    assert client.post("/dashboards/_dash-update-component", json={}).status_code == 401
    assert client.get("/dashboards/_dash-layout").status_code == 401
    assert client.get("/dashboards/trends").status_code == 302


def test_institutions_by_their_worst_colour_this_period(app, api_as, scored):  # noqa: F811
    from assessment_helpers import act

    for who, kind, period in (("ah1_admin", "self", "2026-03"),
                              ("a_bureau_inspector", "routine", "2026-02")):
        api = api_as(who)
        (draft,) = api.get(f"/assessments?period={period}&kind={kind}").get_json()["items"]
        act(api, draft["id"], "submit")
    with acting(app, "a_bureau_admin"):
        february = dashboards.overview(dashboards.View("2026-02"))
        march = dashboards.overview(dashboards.View("2026-03"))
    assert february["colours"] == {"red": 1, "yellow": 0, "green": 0, "no_data": 2}
    assert february["red"] == 1
    assert march["colours"] == {"red": 0, "yellow": 0, "green": 1, "no_data": 2}


def test_with_redis_the_figures_are_kept_in_redis_and_retired_together(app):
    """Configured with Redis, every worker shares the figures and their generations."""
    from flask_caching.backends.rediscache import RedisCache
    from test_jobs import REDIS_URL, _redis

    from saas import create_app
    from saas.extensions import cache
    from saas.services import region_cache
    from tenants.context import TenantContext, acting_as

    _redis()
    shared = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                         "DATABASE_OWNER_URL": app.config.get("DATABASE_OWNER_URL"),
                         "REDIS_URL": REDIS_URL})
    assert isinstance(shared.extensions["cache"][cache], RedisCache)
    calls = []
    with shared.app_context(), acting_as(TenantContext(region_id=1)):
        cache.clear()
        for _ in range(2):
            region_cache.cached("probe", VIEW, lambda: calls.append(1) or len(calls))
        assert calls == [1]  # the second came from Redis
        region_cache.changed(1)
        assert region_cache.cached("probe", VIEW, lambda: calls.append(1) or len(calls)) == 2
        cache.clear()


def test_without_redis_the_workers_share_the_figures_and_their_generations(app):
    """The embedded default serves with several workers: a write in one retires what the
    others keep (a file cache in the instance folder, not one per process)."""
    from conftest import _make_app
    from saas.services import region_cache
    from tenants.context import TenantContext, acting_as

    workers = [_make_app(app.config["SQLALCHEMY_DATABASE_URI"],
                         app.config["DATABASE_OWNER_URL"]) for _ in range(2)]
    calls = []
    with workers[0].app_context(), acting_as(TenantContext(region_id=1)):
        assert region_cache.cached("probe", VIEW, lambda: calls.append(1) or len(calls)) == 1
    with workers[1].app_context(), acting_as(TenantContext(region_id=1)):
        assert region_cache.cached("probe", VIEW, lambda: calls.append(1) or len(calls)) == 1
        region_cache.changed(1)  # a commit in the second worker
    with workers[0].app_context(), acting_as(TenantContext(region_id=1)):
        assert region_cache.cached("probe", VIEW, lambda: calls.append(1) or len(calls)) == 2
