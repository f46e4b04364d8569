"""What every service shares: the transaction, the acting user, finding a row."""

from __future__ import annotations

import contextlib

from sqlalchemy import select

from saas.domain.messages import N_
from saas.errors import Forbidden, NotFound
from saas.extensions import db
from tenants.context import TenantContext, current, require

AFTER_COMMIT = "after_commit"


@contextlib.contextmanager
def transaction():
    """One unit of work: commit on success, roll back everything on any error. What was
    registered with :func:`after_commit` runs once the commit succeeded, never after a
    rollback."""
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        db.session.info.pop(AFTER_COMMIT, None)
        raise
    for callback in db.session.info.pop(AFTER_COMMIT, []):
        callback()


def after_commit(callback) -> None:
    """Run ``callback()`` after the current transaction commits (an e-mail must not go
    out for a step that was rolled back)."""
    db.session.info.setdefault(AFTER_COMMIT, []).append(callback)


def find(model, object_id: int, *options, for_update: bool = False):
    """The row if the tenant filter lets the caller see it, else NotFound: another
    tenant's row is simply not found. A select, never session.get, whose identity map
    would skip the filter. ``options``: loader options (what to load with it).
    ``for_update``: locked until the transaction ends (PostgreSQL) and read afresh, for a
    state change that must not run twice at once."""
    statement = select(model).where(model.id == object_id).options(*options)
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    obj = db.session.execute(statement).scalar_one_or_none()
    if obj is None:
        raise not_found(model, object_id)
    return obj


def not_found(model, object_id: int) -> NotFound:
    """The one answer for a row that is not there or not the caller's."""
    return NotFound(N_("未找到该记录（%(table)s #%(id)s），或您无权查看",
                       table=model.__tablename__, id=object_id))


def page_of(statement, page: int, size: int, after: str | None = None) -> dict:
    """One page of a select (already tenant-filtered by the ORM): {items, total, page,
    page_size, next, total_counted_at}; keyset paging and a kept count
    (saas.services.paging)."""
    from saas.services import paging

    return paging.page_of(statement, page, size, after)


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


def require_region_bureau(region_id: int) -> TenantContext:
    """The context a region-wide operation (recompute, ranks) runs in: the current one
    when it is that region's bureau, else Forbidden; with no context (a job, a command)
    one acting for the region."""
    ctx = current()
    if ctx is not None and (ctx.region_id != region_id or not ctx.is_bureau):
        raise Forbidden(N_("只有本统筹区医保局可以重算全区评分与排名"))
    return ctx or TenantContext(region_id=region_id)
