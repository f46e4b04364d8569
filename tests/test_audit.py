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


def _owner_edits(database, *statements: str) -> None:
    """What the owner can do: lift the append-only triggers and change the table."""
    engine = sa.create_engine(database["owner_url"])
    with engine.begin() as conn:
        if database["backend"] == "postgresql":
            conn.execute(sa.text("alter table audit_entries disable trigger audit_append_only"))
        else:
            conn.execute(sa.text("drop trigger audit_no_update"))
            conn.execute(sa.text("drop trigger audit_no_delete"))
        for statement in statements:
            conn.execute(sa.text(statement))
    engine.dispose()


def test_tampering_is_detected(app, database):
    """Even the owner (who can drop the trigger) cannot edit an entry unnoticed."""
    _owner_edits(database, "update audit_entries set actor = 'mallory' where id = 3")
    with app.app_context():
        ok, _, message = audit.verify()
    assert not ok
    assert "entry 3" in message


# --------------------------------------------------------------------------- one chain per region


def _record(app, who: str, action: str) -> tuple[int, int, str, str]:
    """An entry written and committed as ``who``: (id, region, prev_hash, hash)."""
    with acting(app, who):
        entry = audit.record(action, object_type="-")
        db.session.commit()
        return entry.id, entry.region_id, entry.prev_hash, entry.hash


def test_each_region_chains_on_its_own(app):
    a1 = _record(app, "a_bureau_admin", "probe.a1")
    b1 = _record(app, "b_bureau_admin", "probe.b1")
    a2 = _record(app, "a_bureau_admin", "probe.a2")
    assert a1[1] != b1[1]
    assert a2[2] == a1[3] and b1[2] != a1[3]  # a2 follows a1, past b1
    with app.app_context():
        ok, _, message = audit.verify()
    assert ok, message


def test_an_entry_deleted_from_a_regions_chain_is_detected(app, database):
    first = _record(app, "a_bureau_admin", "probe.1")
    second = _record(app, "a_bureau_admin", "probe.2")
    _record(app, "b_bureau_admin", "probe.other")
    third = _record(app, "a_bureau_admin", "probe.3")
    _owner_edits(database, f"delete from audit_entries where id = {second[0]}")
    with app.app_context():
        ok, _, message = audit.verify()
    assert not ok and first[0] < second[0]
    assert message.startswith(f"entry {third[0]}: previous-hash link broken"), message


def test_entries_written_before_the_split_keep_their_chain(app, database):
    """A database migrated with entries of the one chain of old: they verify as written,
    and each region's first new entry follows its region's last old one."""
    from datetime import datetime

    _owner_edits(database, "delete from audit_entries")
    old, prev = [], audit.GENESIS
    for n, region in enumerate((1, 2, 1)):
        entry = AuditEntry(at=datetime(2026, 11, 1, 9, n), actor="system", region_id=region,
                           action="old.entry", object_type="-", object_id=str(n),
                           prev_hash=prev, chain="global")
        entry.hash = prev = audit._digest(prev, entry)
        old.append(entry)
    engine = sa.create_engine(database["owner_url"])
    with engine.begin() as conn:
        for n, e in enumerate(old, start=1):
            conn.execute(sa.insert(AuditEntry.__table__).values(
                id=n, at=e.at, actor=e.actor, region_id=e.region_id, action=e.action,
                object_type=e.object_type, object_id=e.object_id, prev_hash=e.prev_hash,
                hash=e.hash, chain="global"))
    engine.dispose()
    new = _record(app, "a_bureau_admin", "new.entry")
    assert new[1] == 1 and new[2] == old[2].hash
    assert _record(app, "b_bureau_admin", "new.entry")[2] == old[1].hash
    with app.app_context():
        ok, count, message = audit.verify()
    assert ok and count == 5, message


def test_a_region_writes_while_another_holds_its_chain(app, database):
    """Regions no longer wait for each other's audit entries (PostgreSQL's locks)."""
    if database["backend"] != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    import threading

    holding, release, done = threading.Event(), threading.Event(), threading.Event()

    def hold_region_a():
        with acting(app, "a_bureau_admin"):
            audit.record("probe.holding", object_type="-")
            holding.set()
            release.wait(10)
            db.session.commit()

    def write_region_b():
        _record(app, "b_bureau_admin", "probe.beside")
        done.set()

    holder = threading.Thread(target=hold_region_a)
    holder.start()
    assert holding.wait(10)
    writer = threading.Thread(target=write_region_b)
    writer.start()
    try:
        assert done.wait(5), "region B waited for region A's chain"
    finally:
        release.set()
        holder.join(10)
        writer.join(10)
    with app.app_context():
        ok, _, message = audit.verify()
    assert ok, message
