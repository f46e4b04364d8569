"""Sign-in is checked once per blueprint: every route in the URL map, asked without a
signed-in user, either is on saas.auth.PUBLIC or turns the caller away (a page to the
sign-in form, the API and dashboard callbacks with a 401)."""

import re

from conftest import csrf_from
from saas.auth import PUBLIC, is_public

SAMPLE = {"int": "1", "path": "x", "default": "en"}


def _url(rule) -> str:
    def sample(match):
        converter = match.group(1) or "default"
        return SAMPLE.get(converter, "x")

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", sample, rule.rule)


def _anonymous_calls(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, _url(rule)


def test_every_route_needs_sign_in_unless_public(app, client):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    seen_public = set()
    for rule, method, url in _anonymous_calls(app):
        response = client.open(url, method=method, data={"csrf_token": token},
                               headers={"X-CSRFToken": token})
        location = response.headers.get("Location", "")
        turned_away = response.status_code == 401 or (
            response.status_code == 302 and "/login" in location and rule.endpoint != "web.login")
        where = f"{method} {rule.rule} ({rule.endpoint})"
        if is_public(rule.endpoint, method):
            seen_public.add(rule.endpoint if rule.endpoint in PUBLIC else f"{rule.endpoint}:{method}")
            assert not turned_away, f"{where} is public but asked for sign-in"
        else:
            assert turned_away, f"{where} answered {response.status_code} without sign-in"
            assert response.status_code < 500
    assert seen_public == PUBLIC, "PUBLIC names a route that does not exist"


def test_api_refusal_is_problem_json(client):
    response = client.get("/api/v1/institutions")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 401


def test_page_refusal_comes_back_after_sign_in(client):
    response = client.get("/agreements?status=active")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
    assert "agreements" in response.headers["Location"]


def test_revoking_a_token_needs_the_token(client):
    assert client.delete("/api/v1/auth/tokens").status_code == 401


def test_a_static_file_never_sends_the_session_cookie_back(web_as):
    """A late favicon must not overwrite the cookie a newer request set."""
    client = web_as("ah1_admin")
    assert "Set-Cookie" not in client.get("/static/favicon.svg").headers
    assert "Set-Cookie" in client.get("/lang/en").headers


def test_security_headers(client):
    plain = client.get("/login")
    assert "microphone=()" in plain.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in plain.headers  # the embedded default's plain HTTP
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
