"""Faults told plainly (issue 13, item 8): Redis unreachable on the command line, and
/readyz that tells its details only to a probe with the token."""

from click.testing import CliRunner

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
