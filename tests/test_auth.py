"""Sign-in, lockout, sessions, CSRF, API tokens."""

from conftest import PASSWORD, USERS, csrf_from, login


def test_login_page_is_chinese_and_has_csrf(client):
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "登录医保协议管理平台" in html
    assert csrf_from(html)


def test_login_page_switches_to_english(client):
    html = client.get("/login?lang=en").get_data(as_text=True)
    assert "Sign in" in html


def test_login_then_logout(client):
    assert login(client, "ah1_admin").status_code == 302
    assert client.get("/institutions").status_code == 200
    page = client.get("/institutions").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert client.get("/institutions").status_code == 302  # back to login


def test_form_post_without_csrf_is_refused(client):
    response = client.post("/login", data={"email": USERS["ah1_admin"], "password": PASSWORD})
    assert response.status_code == 400


def test_wrong_password_is_refused_in_chinese(client):
    response = login(client, "ah1_admin", password="wrong")
    assert response.status_code == 401
    assert "邮箱或密码错误" in response.get_data(as_text=True)


def test_repeated_failures_lock_the_account(client):
    for _ in range(5):
        login(client, "ah1_staff", password="wrong")
    response = login(client, "ah1_staff")  # right password, but locked
    assert response.status_code == 401
    assert "锁定" in response.get_data(as_text=True)


def test_session_cookie_flags(client):
    response = login(client, "ah1_admin")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_api_token_round_trip(client):
    response = client.post("/api/v1/auth/tokens",
                           json={"email": USERS["ah1_admin"], "password": PASSWORD})
    assert response.status_code == 201
    token = response.get_json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    body = me.get_json()
    assert body["role"] == "institution_admin"
    assert body["institution"]["name"] == "甲区第一医院"
    revoked = client.delete("/api/v1/auth/tokens", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 204
    again = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 401
    assert again.headers["Content-Type"].startswith("application/problem+json")


def test_token_is_stored_hashed(app, api_as):
    from sqlalchemy import select

    from saas.extensions import db
    from saas.models import ApiToken

    token = api_as("ah1_admin").headers["Authorization"].split()[1]
    with app.app_context():
        stored = db.session.execute(select(ApiToken.token_hash)).scalars().all()
    assert token not in stored
    assert all(len(h) == 64 for h in stored)


def test_bad_credentials_problem_json(client):
    response = client.post("/api/v1/auth/tokens", json={"email": "nobody@x.example",
                                                          "password": "x"})
    assert response.status_code == 401
    assert response.get_json()["title"]


def test_change_password_page(web_as):
    client = web_as("ah1_admin")
    page = client.get("/account/password")
    assert page.status_code == 200
    from conftest import csrf_from

    weak = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "short",
        "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert weak.status_code == 200
    assert "invalid-feedback" in weak.get_data(as_text=True)
    ok = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "Better-pass-2027",
        "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert ok.status_code == 302


# ------------------------------------------------------------------ sessions that end


def _signed_in_copy(app, client):
    """A second client carrying the same session cookie (a copied cookie)."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


def test_logout_ends_a_copied_cookie_and_the_users_tokens(app, client, api_as):
    assert login(client, "ah1_admin").status_code == 302
    thief = _signed_in_copy(app, client)
    assert thief.get("/institutions").status_code == 200
    api = api_as("ah1_admin")
    assert api.get("/me").status_code == 200
    page = client.get("/institutions").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_from(page)}).status_code == 302
    assert thief.get("/institutions").status_code == 302  # to the sign-in page
    assert api.get("/me").status_code == 401


def test_a_password_change_ends_other_sessions_keeps_this_one_and_swaps_passwords(
        app, client):
    from conftest import ApiClient, user_by_email
    from saas.services.auth import issue_token

    assert login(client, "ah1_admin").status_code == 302
    other = app.test_client()
    assert login(other, "ah1_admin").status_code == 302
    with app.app_context():
        api = ApiClient(app.test_client(), issue_token(user_by_email(USERS["ah1_admin"]).id))
    assert api.get("/me").status_code == 200
    page = client.get("/account/password").get_data(as_text=True)
    changed = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "Better-pass-2027",
        "csrf_token": csrf_from(page)})
    assert changed.status_code == 302
    assert client.get("/institutions").status_code == 200  # this session goes on
    assert other.get("/institutions").status_code == 302
    assert api.get("/me").status_code == 401
    assert login(app.test_client(), "ah1_admin", password=PASSWORD).status_code == 401
    assert login(app.test_client(), "ah1_admin", password="Better-pass-2027").status_code == 302


def test_a_session_ends_after_its_absolute_lifetime(app, client):
    import time

    assert login(client, "ah1_admin").status_code == 302
    assert client.get("/institutions").status_code == 200
    with client.session_transaction() as session:
        session["signed_in_at"] = time.time() - app.config["SESSION_MAX_HOURS"] * 3600 - 1
    assert client.get("/institutions").status_code == 302


def test_an_api_write_with_the_session_cookie_needs_the_csrf_token(app, web_as):
    """A page's cookie would ride along on a forged cross-site request: with the session
    cookie, an API write needs the CSRF token (a bearer call does not)."""
    from assessment_helpers import create

    browser = web_as("a_bureau_inspector")
    token = csrf_from(browser.get("/institutions").get_data(as_text=True))

    class CookieApi:  # assessment_helpers.create() calls .post("/assessments", json=…)
        def post(self, path, **kwargs):
            return browser.post(f"/api/v1{path}", headers={"X-CSRFToken": token}, **kwargs)

    routine = create(CookieApi(), app, kind="routine", period="2026-05")
    body = {"assessment_id": routine["id"], "category": "other", "severity": "general",
            "description": "会话写入"}
    before = browser.get(f"/api/v1/findings?assessment_id={routine['id']}")
    forged = browser.post("/api/v1/findings", json=body)
    assert forged.status_code == 400
    assert forged.headers["Content-Type"] == "application/problem+json"
    after = browser.get(f"/api/v1/findings?assessment_id={routine['id']}")
    assert before.get_json()["total"] == after.get_json()["total"] == 0
    allowed = browser.post("/api/v1/findings", json=body, headers={"X-CSRFToken": token})
    assert allowed.status_code == 201, allowed.get_json()
