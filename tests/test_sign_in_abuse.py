"""Sign-in abuse (issue 13, item 6): per-address throttle, no account enumeration, unlock
by an admin, password history, the minimum length; Secure cookies off the embedded
default (item 5)."""

import re

import pytest

from conftest import PASSWORD, USERS, acting, csrf_from, login, user_by_email
from saas.domain.passwords import DEFAULT_MIN_LENGTH, password_problems


def _refusal(response) -> str:
    return re.search(r'id="login-error">([^<]*)<', response.get_data(as_text=True)).group(1)


def test_unknown_email_wrong_password_and_locked_account_answer_alike(app, client):
    unknown = login(client, "nobody@nowhere.example", password="Wrong-pass-2026")
    wrong = login(client, "ah1_admin", password="Wrong-pass-2026")
    for _ in range(5):
        login(client, "ah1_staff", password="Wrong-pass-2026")
    locked = login(client, "ah1_staff")  # the right password, but locked
    assert unknown.status_code == wrong.status_code == locked.status_code == 401
    texts = {_refusal(r) for r in (unknown, wrong, locked)}
    assert len(texts) == 1 and "邮箱或密码错误，或账号已被暂时锁定" in texts.pop()
    api = [client.post("/api/v1/auth/tokens", json={"email": e, "password": "Wrong-pass-2026"})
           for e in ("nobody@nowhere.example", USERS["ah1_staff"])]
    assert {r.status_code for r in api} == {401}
    assert api[0].get_json()["detail"] == api[1].get_json()["detail"]


def test_one_address_is_throttled_across_accounts(app, client):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 4
    for n in range(4):  # different accounts, so no account locks
        assert login(client, f"guess{n}@nowhere.example", password="x").status_code == 401
    throttled = login(client, "ah1_admin")  # even the right password waits
    assert throttled.status_code == 429
    assert "登录失败次数过多" in throttled.get_data(as_text=True)
    api = client.post("/api/v1/auth/tokens", json={"email": USERS["ah1_admin"],
                                                   "password": PASSWORD})
    assert api.status_code == 429
    assert api.headers["Content-Type"] == "application/problem+json"
    other = app.test_client()  # another address signs in
    response = other.post("/login", data={"email": USERS["ah1_admin"], "password": PASSWORD,
                                          "csrf_token": csrf_from(other.get("/login").get_data(
                                              as_text=True))},
                          environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 302


def test_a_bureau_admin_unlocks_a_locked_account(app, client, web_as):
    for _ in range(5):
        login(client, "ah1_staff", password="Wrong-pass-2026")
    assert login(client, "ah1_staff").status_code == 401
    admin = web_as("a_bureau_admin")
    page = admin.get("/users?locked=1").get_data(as_text=True)
    assert USERS["ah1_staff"] in page and USERS["ah1_admin"] not in page
    with app.app_context():
        staff_id = user_by_email(USERS["ah1_staff"]).id
    unlocked = admin.post(f"/users/{staff_id}/unlock", data={"csrf_token": csrf_from(page)})
    assert unlocked.status_code == 302
    assert "已解除" in admin.get("/users").get_data(as_text=True)
    assert login(app.test_client(), "ah1_staff").status_code == 302
    with app.app_context():
        from sqlalchemy import select

        from saas.extensions import db
        from saas.models import AuditEntry

        actions = db.session.execute(select(AuditEntry.action)).scalars().all()
    assert "user.unlocked" in actions


def test_accounts_are_scoped_and_only_admins_manage_them(app, api_as):
    region_a = api_as("a_bureau_admin").get("/api/v1/users?page_size=200").get_json()
    emails = {u["email"] for u in region_a["items"]}
    assert USERS["ah1_staff"] in emails and USERS["b_bureau_admin"] not in emails
    institution = api_as("ah1_admin").get("/api/v1/users?page_size=200").get_json()
    assert {u["email"] for u in institution["items"]} <= {
        e for e in emails if e.endswith("@ah1.example")}
    with app.app_context():
        b_staff = user_by_email(USERS["bh1_staff"]).id
        ah2 = user_by_email(USERS["ah2_admin"]).id
    assert api_as("a_bureau_admin").post(f"/api/v1/users/{b_staff}/unlock").status_code == 404
    assert api_as("ah1_admin").post(f"/api/v1/users/{ah2}/unlock").status_code == 404
    for who in ("a_bureau_inspector", "ah1_staff", "ah1_mock"):
        assert api_as(who).get("/api/v1/users").status_code == 403
        assert api_as(who).post(f"/api/v1/users/{ah2}/unlock").status_code == 403


def test_the_cli_unlocks_an_account(app, client):
    for _ in range(5):
        login(client, "ah1_staff", password="Wrong-pass-2026")
    result = app.test_cli_runner().invoke(args=["users", "unlock", USERS["ah1_staff"]])
    assert result.exit_code == 0, result.output
    assert login(app.test_client(), "ah1_staff").status_code == 302
    missing = app.test_cli_runner().invoke(args=["users", "unlock", "no@one.example"])
    assert missing.exit_code == 2


def _change(client, current: str, new: str):
    page = client.get("/account/password").get_data(as_text=True)
    return client.post("/account/password", data={
        "current_password": current, "new_password": new, "confirm": new,
        "new_password2": new, "csrf_token": csrf_from(page)})


def test_the_last_five_passwords_are_refused(app, web_as):
    client = web_as("ah1_admin")
    passwords = [PASSWORD] + [f"Newer-pass-{n}-2027" for n in range(5)]
    for before, after in zip(passwords, passwords[1:], strict=False):
        assert _change(client, before, after).status_code == 302
    current = passwords[-1]
    for old in passwords[-5:]:  # the current one and the four before it
        refused = _change(client, current, old)
        assert refused.status_code == 200
        assert "不能与最近 5 次使用过的密码相同" in refused.get_data(as_text=True)
    assert _change(client, current, passwords[0]).status_code == 302  # six back: allowed


def test_twelve_characters_by_default_and_configurable(app, web_as):
    assert DEFAULT_MIN_LENGTH == 12
    assert password_problems("Abcdefgh-12") and not password_problems("Abcdefgh-123")
    client = web_as("ah1_admin")
    short = _change(client, PASSWORD, "Abcdefgh-12")
    assert "至少 12 位" in short.get_data(as_text=True)
    app.config["PASSWORD_MIN_LENGTH"] = 16
    assert "至少 16 位" in _change(client, PASSWORD, "Abcdefgh-1234").get_data(as_text=True)
    assert "至少 16 位" in client.get("/account/password").get_data(as_text=True)


@pytest.mark.parametrize(("env", "secure"), [
    ({}, False), ({"DATABASE_URL": "postgresql+psycopg://x@h/db"}, True),
    ({"DATABASE_URL": "postgresql+psycopg://x@h/db", "SESSION_COOKIE_SECURE": "0"}, False),
    ({"SESSION_COOKIE_SECURE": "1"}, True)])
def test_cookies_are_secure_off_the_embedded_default(monkeypatch, env, secure):
    from saas.config import from_environment

    for var in ("DATABASE_URL", "SESSION_COOKIE_SECURE"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    config = from_environment()
    assert config["SESSION_COOKIE_SECURE"] is secure
    assert config["REMEMBER_COOKIE_SECURE"] is secure


def test_a_secure_session_cookie_says_so(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    cookie = login(client, "ah1_admin").headers.get("Set-Cookie", "")
    assert "Secure" in cookie


def test_the_users_service_pages_the_scope(app):
    with acting(app, "a_bureau_admin"):
        from saas.services import users

        assert users.page(False, 1, 5)["total"] >= 5


@pytest.mark.parametrize(("hops", "address"), [(1, "203.0.113.7"), (0, "127.0.0.1")])
def test_the_client_s_address_comes_from_the_proxy_only_when_configured(hops, address):
    """Behind a load balancer (PROXY_HOPS) the throttle counts each client, not the
    proxy; without one, a client cannot pick its address with the header."""
    from flask import request

    from saas import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "PROXY_HOPS": hops})
    app.add_url_rule("/_address", "address", lambda: request.remote_addr)
    response = app.test_client().get("/_address", headers={"X-Forwarded-For": "203.0.113.7"})
    assert response.get_data(as_text=True) == address
