"""What every service shares: the transaction and the acting user."""

from __future__ import annotations

import contextlib

from saas.errors import Forbidden
from saas.extensions import db
from tenants.context import require


@contextlib.contextmanager
def transaction():
    """One unit of work: commit on success, roll back everything on any error."""
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def require_role(*roles: str):
    ctx = require()
    if ctx.role not in roles:
        raise Forbidden("当前角色无权执行此操作")
    return ctx


def column_snapshot(obj) -> dict:
    """The row's column values, JSON-safe, for the audit trail's before/after."""
    out = {}
    for column in obj.__table__.columns:
        value = getattr(obj, column.key)
        if value is not None and not isinstance(value, (int, float, str, bool, list, dict)):
            value = str(value)
        out[column.key] = value
    return out
