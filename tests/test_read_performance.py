"""Read-side performance guarantees that a test can hold: fresh planner statistics after
a bulk load."""

import pytest
from sqlalchemy import select, text


def _analyzed_at(app) -> dict:
    from saas.extensions import db

    with app.app_context():
        rows = db.session.execute(text(
            "SELECT relname, last_analyze FROM pg_stat_user_tables"
            " WHERE relname IN ('institutions', 'assessments', 'measurements', 'indicators',"
            " 'clauses', 'templates')")).all()
        db.session.remove()
    return dict(rows)


def test_seed_scale_leaves_fresh_statistics(app):
    """Right after a bulk load the planner knows the new rows: seed-scale runs ANALYZE as
    the owner (the app role may not), before and after scoring."""
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    before = _analyzed_at(app)
    result = app.test_cli_runner().invoke(
        args=["seed-scale", "--institutions", "3", "--months", "1", "--region-code", "339904",
              "--indicators", "20"])
    assert result.exit_code == 0, result.output
    after = _analyzed_at(app)
    # the template's tables too: a scorecard joins them, and a plan made without their
    # statistics under row-level security took twice as long
    assert set(after) == {"institutions", "assessments", "measurements", "indicators",
                          "clauses", "templates"}
    for table, at in after.items():
        assert at is not None and (before.get(table) is None or at > before[table]), table


# --------------------------------------------------------------------------- lists


def _walk(api, path: str, size: int, between=None) -> list[int]:
    """Every id of an API list, page by page through `next`; `between(n)` runs after
    page n (to insert rows while paging)."""
    ids, after, n = [], None, 0
    while True:
        url = f"{path}?page_size={size}" + (f"&after={after}" if after else "")
        body = api.get(url).get_json()
        ids += [item["id"] for item in body["items"]]
        after, n = body["next"], n + 1
        if between:
            between(n)
        if after is None:
            return ids


def test_keyset_pages_neither_repeat_nor_skip_under_inserts(app, api_as):
    from assessment_helpers import create

    api = api_as("ah1_admin")
    made = [create(api, app, period=f"2026-{m:02d}")["id"] for m in range(3, 10)]
    assert sorted(_walk(api, "/assessments", 2)) == sorted(made)
    added = []

    def insert(n):  # one row before the position reached and one after it
        if n == 2:
            added.extend([create(api, app, period="2026-12")["id"],
                          create(api, app, period="2026-01")["id"]])

    seen = _walk(api, "/assessments", 2, insert)
    assert len(seen) == len(set(seen)), "a row was repeated"
    assert set(made) <= set(seen), "a row was skipped"
    assert added[1] in seen and added[0] not in seen  # only the one after the position


def test_count_is_kept_and_labelled(app, api_as):
    api = api_as("a_bureau_admin")
    first = api.get("/institutions?page_size=1").get_json()
    assert first["total"] == 3 and first["total_counted_at"]
    second = api.get(f"/institutions?page_size=1&after={first['next']}").get_json()
    assert second["total_counted_at"] == first["total_counted_at"]  # not counted again
    assert [first["items"][0]["id"]] != [i["id"] for i in second["items"]]


def test_a_bad_page_position_is_a_clear_422(app, api_as, web_as):
    response = api_as("a_bureau_admin").get("/institutions?after=bm9wZQ")
    assert response.status_code == 422
    assert "after" in response.get_json()["errors"]
    page = web_as("a_bureau_admin").get("/assessments?after=%%%")
    assert page.status_code == 422


def test_choice_lists_search_on_the_server(app, web_as):
    web = web_as("a_bureau_admin")
    options = web.get("/agreements/institution-choices?q=AH2").get_data(as_text=True)
    assert "甲区第二医院" in options and "甲区第一医院" not in options
    options = web.get("/assessments/agreement-choices?q=大药房").get_data(as_text=True)
    assert "A-2026-003" in options and "A-2026-001" not in options
    none = web.get("/assessments/agreement-choices?q=nothing-like-it").get_data(as_text=True)
    assert "value=\"\" disabled" in none
    form = web.get("/assessments").get_data(as_text=True)
    assert 'hx-get="/assessments/agreement-choices"' in form
    assert "A-2026-001 · 甲区第一医院" in form and "B-2026-001" not in form  # the region's own
    assert "B-2026-001" not in web.get("/assessments/agreement-choices?q=B-").get_data(
        as_text=True)


def test_html_lists_show_one_page(app, web_as):
    from datetime import date

    from saas.services.provisioning import provision

    with app.app_context():
        provision({"region": {"code": "330106", "name": "测试甲区"},
                   "institutions": [{"code": f"X{n:03d}", "name": f"甲区诊所{n:03d}",
                                     "kind": "pharmacy",
                                     "agreement": {"template": "PHARM-2026",
                                                   "number": f"X-{n:03d}",
                                                   "start": date(2026, 1, 1),
                                                   "end": date(2026, 12, 31)}}
                                    for n in range(55)]})
    web = web_as("a_bureau_admin")
    first = web.get("/institutions").get_data(as_text=True)
    assert first.count("/institutions/") - first.count("/institutions/institution") >= 50
    assert "甲区诊所046" in first and "甲区诊所047" not in first  # after AH1, AH2, AP1
    assert 'rel="next"' in first
    cursor = first.split('rel="next" href="/institutions?after=')[1].split('"')[0]
    second = web.get(f"/institutions?after={cursor}").get_data(as_text=True)
    assert "甲区诊所047" in second and "甲区诊所046" not in second
    agreements = web.get("/agreements").get_data(as_text=True)
    assert 'rel="next"' in agreements and "(58)" in agreements


# --------------------------------------------------------------------------- one request


def _statements(app):
    """The statements the app sends to the database while the block runs."""
    from sqlalchemy import event

    from saas.extensions import db

    class Sent(list):
        in_autocommit: list

    sent = Sent()
    with app.app_context():
        engine = db.engine

    def listen(conn, cursor, statement, *args):
        sent.append(statement)
        if getattr(conn.connection.dbapi_connection, "autocommit", False):
            in_autocommit.append(statement)

    in_autocommit = sent.in_autocommit = []

    event.listen(engine, "before_cursor_execute", listen)
    return sent, lambda: event.remove(engine, "before_cursor_execute", listen)


@pytest.mark.parametrize("who", ["ah1_admin", "a_bureau_admin"])
def test_a_bearer_request_costs_two_round_trips_before_its_own(app, api_as, who):
    """The tenant settings in one statement (PostgreSQL), the token and its user (with
    the region) in one query; /me's own: the institution, for an institution user."""
    api = api_as(who)
    api.get("/me")  # warm: token issued, catalogues compiled
    sent, stop = _statements(app)
    try:
        assert api.get("/me").status_code == 200
    finally:
        stop()
    token = [s for s in sent if "api_tokens" in s]
    assert len(token) == 1 and "users" in token[0], sent  # token and user in one query
    assert len([s for s in sent if "set_config" in s]) <= 1, sent
    own = 1 if who == "ah1_admin" else 0  # the institution
    assert len(sent) - own <= 2, sent
    if app.config["BACKEND"] == "postgresql":
        # the token's user read in autocommit: no BEGIN / ROLLBACK round trips, and a
        # bureau user's /me reads nothing else, so it opens no transaction at all
        assert sent.in_autocommit == token, sent
        assert len([s for s in sent if "set_config" not in s]) == 1 + own, sent
        assert own or len(sent) == 1, sent


# --------------------------------------------------------------------------- query counts

PAGES = ["/institutions", "/assessments", "/agreements", "/api/v1/institutions",
         "/api/v1/assessments", "/api/v1/agreements", "/api/v1/me",
         "/api/v1/assessments/{id}/scorecard", "/assessments/{id}/scorecard",
         "/rectifications", "/api/v1/rectifications", "/measures", "/api/v1/measures"]


def _scale_region(app, n: int, code: str):
    """A seeded region of `n` institutions (one month), its bureau user signed in on the
    web and holding a token, and one of its assessments."""
    from werkzeug.security import generate_password_hash

    from conftest import login
    from saas.extensions import db
    from saas.models import Assessment, User
    from saas.services.auth import issue_token
    from saas.tools.seed_scale import seed_scale
    from tenants.context import acting_as, for_user

    email = f"bureau@r{code}.scale.example"
    with app.app_context():
        seed_scale(n, 1, code, seed=n, indicators=20, echo=lambda _m: None)
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        user.password_hash = generate_password_hash("Scale-pass-2026")
        db.session.commit()
        token = issue_token(user.id)
        with acting_as(for_user(user)):
            assessment = db.session.execute(select(Assessment.id)).scalars().first()
        db.session.remove()
    web = app.test_client()
    assert login(web, email, "Scale-pass-2026").status_code == 302
    return web, {"Authorization": f"Bearer {token}"}, assessment


def _counts(app, n: int, code: str) -> dict:
    web, bearer, assessment = _scale_region(app, n, code)
    counts = {}
    for page in PAGES:
        url = page.format(id=assessment)
        headers = bearer if url.startswith("/api/") else {}
        assert web.get(url, headers=headers).status_code == 200, url  # warm
        sent, stop = _statements(app)
        try:
            assert web.get(url, headers=headers).status_code == 200, url
        finally:
            stop()
        counts[page] = len([s for s in sent if "set_config" not in s])
    return counts


def test_query_counts_do_not_grow_with_the_region(app):
    """Every page and API call sends as many statements at 200 institutions as at 7:
    no lazy load per row shown, nothing per institution of the region."""
    small, large = _counts(app, 7, "339906"), _counts(app, 200, "339907")
    assert small == large, {p: (small[p], large[p]) for p in PAGES if small[p] != large[p]}
    assert max(small.values()) <= 16, small


def test_bulk_provisioning_leaves_fresh_statistics(app):
    """A spec that creates ANALYZE_AFTER_ROWS rows or more is a bulk load: the planner's
    statistics are fresh afterwards; a small one leaves them alone."""
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    from saas.services.provisioning import provision

    def spec(code: str, n: int) -> dict:
        return {"region": {"code": code, "name": "统计区"},
                "institutions": [{"code": f"S{k}", "name": f"机构{k}", "kind": "clinic"}
                                 for k in range(n)]}

    app.config["ANALYZE_AFTER_ROWS"] = 20
    with app.app_context():
        before = _analyzed_at(app)
        provision(spec("339801", 5))
        assert _analyzed_at(app).get("institutions") == before.get("institutions")
        provision(spec("339802", 20))
        after = _analyzed_at(app)["institutions"]
        assert after is not None and (before.get("institutions") is None
                                      or after > before["institutions"])


def test_kept_counts_are_kept_per_filter(app, api_as):
    """The kept count's key is the statement's structure and its parameters' values
    (SQLAlchemy's cache key, no compiling): another filter value is another count."""
    from sqlalchemy import select

    from saas.models import Institution
    from saas.services.paging import _statement_key

    hospitals = select(Institution).where(Institution.kind == "hospital")
    assert _statement_key(hospitals) == _statement_key(
        select(Institution).where(Institution.kind == "hospital"))
    assert _statement_key(hospitals) != _statement_key(
        select(Institution).where(Institution.kind == "pharmacy"))
    api = api_as("a_bureau_admin")
    every = api.get("/institutions").get_json()["total"]
    by_kind = {k: api.get(f"/institutions?kind={k}").get_json()["total"]
               for k in ("hospital", "clinic", "pharmacy")}
    assert sum(by_kind.values()) == every and by_kind["hospital"] != every


def test_labels_are_translated_once_per_request(app, monkeypatch):
    from saas import labels

    calls = []
    monkeypatch.setattr(labels, "_", lambda text: calls.append(text) or text)
    with app.test_request_context("/"):
        shown = [labels.label("kind", "hospital") for _ in range(50)]
        labels.label("kind", "clinic")
    assert len(set(shown)) == 1 and len(calls) == 2
    with app.test_request_context("/"):  # a new request translates afresh
        labels.label("kind", "hospital")
    assert len(calls) == 3
