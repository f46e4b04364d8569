"""The two ceilings bench.load measures Pact against, served by the same gunicorn settings:

* ``/bare``: a bare Flask JSON endpoint (the cost of Flask and gunicorn alone);
* ``/lookup``: a Flask endpoint that makes one indexed PostgreSQL lookup through a
  SQLAlchemy connection pool, as the app role. This is the floor of any authenticated
  read: Pact cannot answer a signed-in request with less than one query.
* ``/replay/<name>``: not a ceiling but a read's own floor: the very statements Pact sent
  for that read (bench.load captures them from one request and names the file in
  ``CEILING_REPLAY``), sent again in one transaction with no Python around them, the last
  one's rows answered as JSON. Pact's read cannot be cheaper than this.
* ``/save-floor``: not a ceiling but a save's own floor: the statements a measurement
  save sends (the user, the tenant settings, the draft and its measurements, the two
  writes, the region's audit-chain lock, its last hash and the new entry, the commit),
  written plainly, with no ORM and no answer. Pact's save cannot be cheaper than this.

    CEILING_DATABASE_URL=postgresql+psycopg://pact_app@127.0.0.1/pact_pages \\
    gunicorn bench.ceiling:app
"""

from __future__ import annotations

import json
import os

import sqlalchemy as sa
from flask import Flask, jsonify, request

app = Flask(__name__)
_engine = sa.create_engine(os.environ.get("CEILING_DATABASE_URL", "sqlite://"))
# users.email is unique (indexed) and a platform table: no row-level security to set up
_LOOKUP = sa.text("SELECT id, email, role FROM users WHERE email = :e")
_EMAIL = os.environ.get("CEILING_EMAIL", "")


@app.get("/bare")
def bare():
    return jsonify(ok=True)


@app.get("/lookup")
def lookup():
    with _engine.connect() as conn:
        row = conn.execute(_LOOKUP, {"e": _EMAIL}).first()
    return jsonify(id=row.id, email=row.email, role=row.role)


_USER = sa.text("SELECT id, email, role, region_id FROM users WHERE email = :e")
_SAVE = [sa.text(sql) for sql in (
    "SELECT * FROM assessments WHERE id = :a",
    "SELECT * FROM measurements WHERE assessment_id = :a ORDER BY indicator_id",
    "UPDATE measurements SET value = :v, updated_at = now() WHERE id = :m",
    "UPDATE assessments SET total = :v WHERE id = :a",
    "SELECT hash FROM audit_entries WHERE region_id = CAST(:r AS integer)"
    " ORDER BY id DESC LIMIT 1",
)]
_INSERT_ENTRY = sa.text(
    "INSERT INTO audit_entries (at, actor, region_id, action, object_type, object_id, after,"
    " prev_hash, hash, chain) VALUES (:at, 'bench', :region, 'bench.save_floor',"
    " 'Assessment', :object_id, CAST(:after AS json), :prev, :hash, 'region')")


@app.put("/save-floor/<int:assessment_id>")
def save_floor(assessment_id: int):
    """A save's statements, plainly (:func:`send_save`)."""
    value = request.get_json()[0]["value"]
    with _engine.begin() as conn:
        region = str(conn.execute(_USER, {"e": _EMAIL}).one().region_id)
        send_save(conn, region, assessment_id, value)
    return "", 204


def send_save(conn, region: str, assessment_id: int, value) -> None:
    """A save's statements after its user, uncommitted: the tenant settings, the draft and
    its measurements, the two writes, the region's audit-chain lock, its last hash and
    the new entry. The entry is chained as Pact chains it, so the bench database's trail
    still verifies (bench.pages sends these too)."""
    from saas.models import AuditEntry
    from saas.services.audit import _CHAIN_LOCK, _CHAIN_LOCK_STATEMENT, GENESIS, _digest
    from saas.timeutil import utcnow
    from tenants.isolation import SET_TENANT

    draft, measurements, update, total, last = _SAVE
    conn.execute(SET_TENANT, {"region": region, "institution": "", "scope": "region"})
    conn.execute(draft, {"a": assessment_id}).one()
    first = conn.execute(measurements, {"a": assessment_id}).all()[0]
    conn.execute(update, {"v": value, "m": first.id})
    conn.execute(total, {"v": value, "a": assessment_id})
    conn.execute(_CHAIN_LOCK_STATEMENT, {"k": _CHAIN_LOCK, "r": region})
    prev = conn.execute(last, {"r": region}).scalar() or GENESIS
    entry = AuditEntry(at=utcnow().replace(microsecond=0), actor="bench",
                       region_id=int(region), action="bench.save_floor",
                       object_type="Assessment", object_id=str(assessment_id),
                       after={"value": value}, chain="region")
    conn.execute(_INSERT_ENTRY, {"at": entry.at, "region": entry.region_id,
                                 "object_id": entry.object_id,
                                 "after": json.dumps(entry.after), "prev": prev,
                                 "hash": _digest(prev, entry)})


def _replays() -> dict:
    path = os.environ.get("CEILING_REPLAY")
    if not path:
        return {}
    with open(path) as f:
        return json.load(f)


_REPLAYS = _replays()


@app.get("/replay/<name>")
def replay(name: str):
    with _engine.begin() as conn:
        for statement, parameters in _REPLAYS[name]:
            result = conn.exec_driver_sql(statement, parameters)
        rows = [dict(row) for row in result.mappings()] if result.returns_rows else []
    return app.response_class(json.dumps(rows, default=str), mimetype="application/json")
