"""What every service shares: the transaction, the acting user, finding a row."""

from __future__ import annotations

import contextlib

from sqlalchemy import func, select

from saas.domain.messages import N_
from saas.errors import Forbidden, NotFound
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


def find(model, object_id: int):
    """The row if the tenant filter lets the caller see it, else NotFound: another
    tenant's row is simply not found. A select, never session.get, whose identity map
    would skip the filter."""
    obj = db.session.execute(select(model).where(model.id == object_id)).scalar_one_or_none()
    if obj is None:
        raise NotFound(N_("未找到该记录（%(table)s #%(id)s），或您无权查看",
                          table=model.__tablename__, id=object_id))
    return obj


def page_of(statement, page: int, size: int) -> dict:
    """One page of a select (already tenant-filtered by the ORM): {items, total, page,
    page_size}."""
    total = db.session.execute(
        select(func.count()).select_from(statement.order_by(None).subquery())
    ).scalar_one()
    items = db.session.execute(statement.limit(size).offset((page - 1) * size)).scalars().all()
    return {"items": items, "total": total, "page": page, "page_size": size}


def require_role(*roles: str):
    ctx = require()
    if ctx.role not in roles:
        raise Forbidden(N_("当前角色无权执行此操作"))
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
