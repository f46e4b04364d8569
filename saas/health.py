"""Readiness: can we reach the database, Redis and storage right now?"""

from __future__ import annotations

import hmac

from flask import current_app
from sqlalchemy import text

from saas.extensions import db


def _check(fn) -> dict:
    try:
        detail = fn()
        return {"ok": True, "detail": detail}
    except Exception as exc:  # a readiness probe reports, it does not raise
        return {"ok": False, "detail": f"{type(exc).__name__}: {exc}"[:200]}


def may_see_details(token: str | None) -> bool:
    """The probe token matches the configured READYZ_TOKEN (none configured: nobody)."""
    expected = current_app.config.get("READYZ_TOKEN") or ""
    return bool(expected and token) and hmac.compare_digest(token.encode(), expected.encode())


def readiness() -> dict:
    from saas.jobs import redis_connection
    from saas.storage import get_storage

    def database():
        db.session.execute(text("select 1"))
        db.session.rollback()
        return db.engine.dialect.name

    def redis():
        conn = redis_connection()
        if conn is None:
            return "inline jobs (no REDIS_URL)"
        conn.ping()
        return "ok"

    return {
        "database": _check(database),
        "redis": _check(redis),
        "storage": _check(lambda: get_storage(current_app.config).check()),
    }
