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
