"""Bad input gets a clear problem+json answer naming the field, and writes nothing."""

import pytest
from sqlalchemy import func, select

from conftest import PASSWORD, USERS
from saas.extensions import db
from saas.models import ApiToken

PROBLEM = "application/problem+json"


def _token_count(app):
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(ApiToken)).scalar()


def test_malformed_json(client, app):
    before = _token_count(app)
    response = client.post("/api/v1/auth/tokens", data="{not json",
                           content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.content_type.startswith(PROBLEM)
    assert _token_count(app) == before


@pytest.mark.parametrize("body, field", [
    ({"email": 42, "password": PASSWORD}, "email"),
    ({"email": "not-an-email", "password": PASSWORD}, "email"),
    ({"email": USERS["ah1_admin"]}, "password"),
    ({"email": USERS["ah1_admin"], "password": PASSWORD, "admin": True}, "admin"),
])
def test_wrong_types_missing_and_unknown_fields(client, app, body, field):
    before = _token_count(app)
    response = client.post("/api/v1/auth/tokens", json=body)
    assert response.status_code == 422
    problem = response.get_json()
    assert response.content_type.startswith(PROBLEM)
    assert field in problem["errors"], problem
    assert problem["title"] and problem["status"] == 422
    assert _token_count(app) == before


def test_oversized_body(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/api/v1/auth/tokens", data="x" * 5000,
                           content_type="application/json")
    assert response.status_code == 413
    assert response.content_type.startswith(PROBLEM)


def test_bad_query_parameters(api_as):
    response = api_as("a_bureau_admin").get("/institutions?page_size=5000&kind=castle")
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {"page_size", "kind"} <= set(errors)


def test_unknown_api_route_is_problem_json(api_as):
    response = api_as("a_bureau_admin").get("/no-such-thing")
    assert response.status_code == 404
    assert response.content_type.startswith(PROBLEM)


def test_login_form_errors_are_chinese(client):
    from conftest import csrf_from

    page = client.get("/login")
    response = client.post("/login", data={"email": "bad", "password": "",
                                           "csrf_token": csrf_from(page.get_data(as_text=True))})
    html = response.get_data(as_text=True)
    assert "邮箱格式不正确" in html
    assert "请输入密码" in html
