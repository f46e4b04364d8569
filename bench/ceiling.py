"""The two ceilings bench.load measures Pact against, served by the same gunicorn settings:

* ``/bare``: a bare Flask JSON endpoint (the cost of Flask and gunicorn alone);
* ``/lookup``: a Flask endpoint that makes one indexed PostgreSQL lookup through a
  SQLAlchemy connection pool, as the app role. This is the floor of any authenticated
  read: Pact cannot answer a signed-in request with less than one query.

    CEILING_DATABASE_URL=postgresql+psycopg://pact_app@127.0.0.1/pact_pages \\
    gunicorn bench.ceiling:app
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask, jsonify

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
