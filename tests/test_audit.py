"""The audit trail: who, when, what, before and after; append-only; tamper-evident."""

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from conftest import acting
from saas.extensions import db
from saas.models import AuditEntry
from saas.services import audit


def test_provisioning_left_a_verified_chain(app):
    with app.app_context():
        ok, count, message = audit.verify()
    assert ok, message
    assert count > 10


def test_entries_record_actor_and_before_after(app, client):
    from saas.services.auth import change_password

    with acting(app, "ah1_admin") as user:
        change_password(user.id, "Test-pass-2026", "New-pass-2027")
        entry = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "user.password_changed")
            .order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
        assert entry.actor == "admin@ah1.example"
        assert entry.institution_id == user.institution_id


def test_update_and_delete_are_refused_by_the_database(app):
    with app.app_context():
        for statement in ("update audit_entries set actor = 'x'", "delete from audit_entries"):
            with pytest.raises(sa.exc.DatabaseError):
                db.session.execute(sa.text(statement))
            db.session.rollback()


def test_tampering_is_detected(app, database):
    """Even the owner (who can drop the trigger) cannot edit an entry unnoticed."""
    engine = sa.create_engine(database["owner_url"])
    with engine.begin() as conn:
        if database["backend"] == "postgresql":
            conn.execute(sa.text("alter table audit_entries disable trigger audit_append_only"))
        else:
            conn.execute(sa.text("drop trigger audit_no_update"))
        conn.execute(sa.text("update audit_entries set actor = 'mallory' where id = 3"))
    engine.dispose()
    with app.app_context():
        ok, _, message = audit.verify()
    assert not ok
    assert "entry 3" in message
