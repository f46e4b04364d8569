"""The accounts of the caller's scope (账号管理): listed, and unlocked after a lockout.

``users`` is a platform table (sign-in looks a user up before any tenant is known), so
this module scopes every query itself: a bureau admin sees the region's accounts, an
institution admin the institution's.
"""

from __future__ import annotations

from sqlalchemy import select

from saas.domain.permissions import ACCOUNT_MANAGERS
from saas.extensions import db
from saas.models import User
from saas.services import audit
from saas.services.base import not_found, page_of, require_role, transaction
from saas.timeutil import utcnow


def _scoped(statement):
    ctx = require_role(*ACCOUNT_MANAGERS)
    statement = statement.where(User.region_id == ctx.region_id)
    if ctx.institution_id is not None:
        statement = statement.where(User.institution_id == ctx.institution_id)
    return statement


def list_statement(locked: bool = False):
    """The scope's accounts by e-mail (which groups them by organisation); ``locked``:
    only those locked now."""
    statement = _scoped(select(User))
    if locked:
        statement = statement.where(User.locked_until > utcnow())
    return statement.order_by(User.email, User.id)


def page(locked: bool, number: int, size: int, after: str | None = None) -> dict:
    return page_of(list_statement(locked), number, size, after)


def get(user_id: int) -> User:
    user = db.session.execute(_scoped(select(User).where(User.id == user_id))).scalar()
    if user is None:
        raise not_found(User, user_id)
    return user


def unlock(user_id: int) -> User:
    """A locked account signs in again at once, its count of failures reset."""
    user = get(user_id)
    with transaction():
        before = {"locked_until": str(user.locked_until), "failed_logins": user.failed_logins}
        user.locked_until = None
        user.failed_logins = 0
        audit.record("user.unlocked", user, object_type="User", before=before,
                     after={"locked_until": None, "failed_logins": 0})
    return user
