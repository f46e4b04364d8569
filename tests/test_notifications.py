"""Notifications: each step tells those it concerns (the institution only once notified),
in-app with an unread count, and by e-mail through a real SMTP server (aiosmtpd) or into
the outbox; a step that was rolled back tells no one."""

import socket
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assessment_helpers import create
from conftest import acting, csrf_from
from saas.extensions import db
from saas.models import Notification


def _propose_interview(api_as, app):
    inspection = create(api_as("a_bureau_inspector"), app, kind="routine", period="2026-05")
    finding = api_as("a_bureau_inspector").post("/findings", json={
        "assessment_id": inspection["id"], "category": "duplicate_charge",
        "severity": "general", "description": "重复收费"}).get_json()["id"]
    assert api_as("a_bureau_admin").post(f"/findings/{finding}/confirm",
                                         json={}).status_code == 200
    return api_as("a_bureau_admin").get("/measures").get_json()["items"][0]["id"]


def _subjects(api):
    return [n["subject"] for n in api.get("/notifications").get_json()["items"]]


def test_each_step_tells_those_it_concerns(app, api_as):
    measure = _propose_interview(api_as, app)
    # the system proposed it: every bureau user hears, the institution does not yet
    assert _subjects(api_as("a_bureau_inspector")) == [
        "拟对 甲区第一医院 作出「约谈」处理，待告知"]
    assert _subjects(api_as("a_bureau_admin2")) and not _subjects(api_as("ah1_admin"))
    api_as("a_bureau_inspector").post(f"/measures/{measure}/notify", json={})
    (told,) = api_as("ah1_admin").get("/notifications").get_json()["items"]
    assert told["subject"].startswith("「约谈」处理告知：申诉截止 ")
    assert told["link"] == f"/measures/{measure}" and told["read_at"] is None
    assert not _subjects(api_as("ah1_staff")) and not _subjects(api_as("ah2_admin"))
    api_as("ah1_admin").post(f"/measures/{measure}/appeal", json={"statement": "不服"})
    assert "甲区第一医院 对「约谈」提出申诉" in _subjects(api_as("a_bureau_admin"))
    assert not any("提出申诉" in s for s in _subjects(api_as("ah1_admin")))  # not to oneself


def test_read_mine_only_and_the_unread_count(app, api_as, web_as):
    measure = _propose_interview(api_as, app)
    api_as("a_bureau_inspector").post(f"/measures/{measure}/notify", json={})
    mine = api_as("ah1_admin").get("/notifications").get_json()["items"][0]["id"]
    assert api_as("ah2_admin").post(f"/notifications/{mine}/read", json={}).status_code == 404
    assert api_as("a_bureau_admin").post(f"/notifications/{mine}/read",
                                         json={}).status_code == 404
    web = web_as("ah1_admin")
    page = web.get("/notifications").get_data(as_text=True)
    assert 'id="unread-count">1<' in page and "处理告知" in page
    opened = web.post(f"/notifications/{mine}/read", data={"csrf_token": csrf_from(page)})
    assert opened.headers["Location"].endswith(f"/measures/{measure}")
    assert 'id="unread-count"' not in web.get("/notifications").get_data(as_text=True)
    english = web_as("ah1_admin")
    english.get("/login?lang=en")
    assert "Interview" in english.get("/notifications").get_data(as_text=True)


def test_e_mail_through_a_real_smtp_server(app, api_as):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}"
        measure = _propose_interview(api_as, app)
        api_as("a_bureau_inspector").post(f"/measures/{measure}/notify", json={})
    finally:
        controller.stop()
        app.config["SMTP_URL"] = ""
    to_institution = [m for m in received if m["To"] == "admin@ah1.example"]
    assert len(to_institution) == 1
    message = to_institution[0]
    subject = str(make_header(decode_header(message["Subject"])))
    assert "约谈" in subject and f"/measures/{measure}" in message.get_payload(
        decode=True).decode()
    with acting(app, "a_bureau_admin"):
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.emailed_at.is_(None))) == 0


def test_without_smtp_the_mail_goes_to_the_outbox(app, api_as):
    outbox = Path(app.config["INSTANCE_DIR"]) / "outbox"
    before = len(list(outbox.glob("*.eml"))) if outbox.exists() else 0
    _propose_interview(api_as, app)
    assert len(list(outbox.glob("*.eml"))) == before + 2  # inspector and the second admin


def test_a_rolled_back_step_tells_no_one(app, api_as):
    measure = _propose_interview(api_as, app)
    api_as("a_bureau_inspector").post(f"/measures/{measure}/notify", json={})
    refused = api_as("ah1_admin").post(f"/measures/{measure}/appeal", json={
        "statement": "不服", "evidence_ids": [999999]})
    assert refused.status_code == 422
    assert not any("提出申诉" in s for s in _subjects(api_as("a_bureau_admin")))


@pytest.fixture(autouse=True)
def _no_smtp(app):
    app.config["SMTP_URL"] = ""
