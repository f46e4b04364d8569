"""The API's kept reads (saas.api.kept_reads): an answer is kept per user, path, language
and day while its region is unchanged, and every write of the region retires it."""

import pytest
from sqlalchemy import update

from assessment_helpers import create, put
from conftest import USERS, ApiClient, _make_app, acting, user_by_email
from saas.api.kept_reads import HIT_HEADER
from saas.extensions import cache, db


@pytest.fixture
def kept_app(app):
    """The test's database served with Redis, as production is: kept reads on."""
    from test_jobs import REDIS_URL, _redis

    _redis()
    shared = _make_app(app.config["SQLALCHEMY_DATABASE_URI"], app.config["DATABASE_OWNER_URL"],
                       REDIS_URL=REDIS_URL)
    assert shared.config["API_KEPT_READS"]
    with shared.app_context():
        cache.clear()
    yield shared
    with shared.app_context():
        cache.clear()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def kept_api(kept_app):
    from saas.services.auth import issue_token

    client = kept_app.test_client()

    def make(who: str) -> ApiClient:
        with kept_app.app_context():
            token = issue_token(user_by_email(USERS[who]).id)
            db.session.remove()
        return ApiClient(client, token)

    return make


def _kept(response) -> bool:
    assert response.status_code == 200, response.get_json()
    return response.headers.get(HIT_HEADER) == "1"


def test_a_scorecard_is_kept_until_a_save_changes_it(kept_app, kept_api):
    api = kept_api("ah1_admin")
    draft = create(api, kept_app, period="2026-04")["id"]
    code = api.get(f"/assessments/{draft}/scorecard").get_json()["indicators"][0]["code"]
    put(api, draft, [{"indicator_code": code, "value": 0.2}])

    first = api.get(f"/assessments/{draft}/scorecard")
    second = api.get(f"/assessments/{draft}/scorecard")
    assert not _kept(first) and _kept(second)
    assert second.get_json() == first.get_json()

    saved = put(api, draft, [{"indicator_code": code, "value": 0.9}])
    after = api.get(f"/assessments/{draft}/scorecard")
    assert not _kept(after)
    assert after.get_json() == saved  # the save answers (read in its transaction) as a read
    row = next(r for r in after.get_json()["indicators"] if r["code"] == code)
    assert row["value"] == 0.9


def test_kept_answers_are_the_users_own(kept_app, kept_api):
    own, bureau, other = kept_api("ah1_admin"), kept_api("a_bureau_admin"), kept_api("ah2_admin")
    draft = create(own, kept_app, period="2026-05")["id"]
    for _ in range(2):
        own_list = own.get("/institutions")
    assert _kept(own_list)
    bureau_list = bureau.get("/institutions")
    assert not _kept(bureau_list)
    assert bureau_list.get_json()["total"] > own_list.get_json()["total"]

    assert not _kept(own.get(f"/assessments/{draft}/scorecard"))
    assert _kept(own.get(f"/assessments/{draft}/scorecard"))
    assert other.get(f"/assessments/{draft}/scorecard").status_code == 404
    assert other.get(f"/assessments/{draft}/scorecard").status_code == 404


def test_language_query_and_no_cache_each_get_their_own_answer(kept_api):
    api = kept_api("a_bureau_admin")
    assert not _kept(api.get("/institutions"))
    assert _kept(api.get("/institutions"))
    assert not _kept(api.get("/institutions?page_size=2"))
    assert not _kept(api.get("/institutions", headers={"Accept-Language": "en"}))
    assert _kept(api.get("/institutions", headers={"Accept-Language": "en"}))
    assert not _kept(api.get("/institutions", headers={"Cache-Control": "no-cache"}))


def test_a_bulk_update_through_the_session_retires_the_region_only(kept_app, kept_api):
    from saas.models import Institution

    region_a, region_b = kept_api("a_bureau_admin"), kept_api("b_bureau_admin")
    for api in (region_a, region_b):
        api.get("/institutions")
        assert _kept(api.get("/institutions"))
    with acting(kept_app, "a_bureau_admin"):
        db.session.execute(update(Institution).values(name=Institution.name + "（新）"))
        db.session.commit()
    renamed = region_a.get("/institutions")
    assert not _kept(renamed)
    assert all(i["name"].endswith("（新）") for i in renamed.get_json()["items"])
    assert _kept(region_b.get("/institutions"))


def test_an_unreachable_cache_costs_the_keeping_not_the_read(app, api_as):
    app.config.update(API_KEPT_READS=True)
    from flask_caching.backends.rediscache import RedisCache

    with app.app_context():
        unreachable = RedisCache(host="127.0.0.1", port=1, key_prefix="pact:")
        app.extensions["cache"][cache] = unreachable
    response = api_as("a_bureau_admin").get("/institutions")
    assert response.status_code == 200 and response.get_json()["total"] > 1


def test_without_a_shared_cache_nothing_is_kept(app, api_as):
    assert not app.config["API_KEPT_READS"]  # no REDIS_URL: each worker would keep its own
    api = api_as("a_bureau_admin")
    assert not any(_kept(api.get("/assessments")) for _ in range(2))


KEPT_ROUTES = ["/institutions", "/agreements", "/assessments", "/assessments?page_size=1",
               "/assessments/{draft}/scorecard", "/assessments/{mock}/scorecard"]


def test_no_kept_answer_crosses_users_scopes_or_roles(kept_app, kept_api):
    """Every kept route read by one user, then by each other user of both regions, its
    institutions and roles (a mock inspection is private to its institution): each gets
    the answer it gets fresh, never another's kept one."""
    owner, mock = kept_api("ah1_admin"), kept_api("ah1_mock")
    ids = {"draft": create(owner, kept_app, period="2026-06")["id"],
           "mock": create(mock, kept_app, kind="mock", period="2026-06")["id"]}
    routes = [r.format(**ids) for r in KEPT_ROUTES]
    users = ["ah1_admin", "ah1_mock", "ah1_staff", "ah2_admin", "a_bureau_admin",
             "a_bureau_inspector", "b_bureau_admin", "bh1_admin"]
    clients = {who: kept_api(who) for who in users}
    for route in routes:
        for who in users:  # each reads twice: the second may be kept
            api = clients[who]
            first, second = api.get(route), api.get(route)
            fresh = api.get(route, headers={"Cache-Control": "no-cache"})
            assert (second.status_code, second.get_json()) == \
                (fresh.status_code, fresh.get_json()) == \
                (first.status_code, first.get_json()), (route, who)
    assert clients["ah2_admin"].get(routes[4]).status_code == 404
    assert clients["a_bureau_admin"].get(routes[5]).status_code == 404  # 模拟检查 private
