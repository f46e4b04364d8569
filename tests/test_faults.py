"""Faults told plainly (issue 13, item 8): Redis unreachable on the command line, and
/readyz that tells its details only to a probe with the token."""

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from conftest import USERS, _make_app, user_by_email
from saas.cli import main


def test_a_command_finds_redis_unreachable_in_one_line(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    result = CliRunner().invoke(main, ["worker"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Redis unreachable" in lines[0], result.output
    assert "Traceback" not in result.output


def test_readyz_anonymously_answers_with_the_status_alone(app, client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_data() == b""


def test_readyz_details_need_the_probe_token(app, client):
    app.config["READYZ_TOKEN"] = "probe-secret-2026"
    assert client.get("/readyz", headers={"X-Probe-Token": "wrong"}).get_data() == b""
    shown = client.get("/readyz", headers={"X-Probe-Token": "probe-secret-2026"})
    assert shown.status_code == 200
    body = shown.get_json()
    assert body["status"] == "ok" and set(body["checks"]) == {"database", "redis", "storage"}


def test_readyz_says_503_when_a_part_is_down(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    app.config["READYZ_TOKEN"] = "probe-secret-2026"
    assert client.get("/readyz").status_code == 503
    down = client.get("/readyz", headers={"X-Probe-Token": "probe-secret-2026"}).get_json()
    assert down["status"] == "unavailable" and not down["checks"]["redis"]["ok"]


def _end_the_apps_connections(owner_url: str) -> int:
    """What a database restart does to the pool: every connection of the app role closed."""
    engine = sa.create_engine(owner_url)
    with engine.begin() as conn:
        ended = conn.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE usename = 'pact_app' AND datname = current_database()")).scalar()
    engine.dispose()
    return ended


def test_a_pooled_connection_closed_while_idle_is_replaced_unseen(database):
    """extensions.ping_when_idle: a connection idle longer than DB_PING_IDLE_SECONDS is
    pinged at checkout, and a dead one replaced before the request uses it."""
    if database["backend"] != "postgresql":
        pytest.skip("closing server-side connections needs PostgreSQL")
    from saas.extensions import db
    from saas.services.auth import issue_token

    app = _make_app(database["url"], database["owner_url"], DB_PING_IDLE_SECONDS=0)
    client = app.test_client()
    with app.app_context():
        token = issue_token(user_by_email(USERS["a_bureau_admin"]).id)
        db.session.remove()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert _end_the_apps_connections(database["owner_url"]) >= 1
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_bearer_requests_set_no_session_cookie(api_as):
    response = api_as("a_bureau_admin").get("/api/v1/me")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
