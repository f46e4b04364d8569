"""Sign-in, lockout after repeated failures, password policy and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from saas.domain.messages import N_
from saas.domain.passwords import password_problems
from saas.errors import DomainError, Invalid
from saas.extensions import db
from saas.models import ApiToken, User
from saas.services import audit
from saas.services.base import transaction
from saas.timeutil import utcnow

# A hash to check against when the e-mail is unknown, so timing does not reveal accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class LoginRefused(DomainError):
    """Wrong e-mail or password, or the account is locked (401)."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_new_password(password: str) -> None:
    problems = password_problems(password)
    if problems:
        raise Invalid(N_("密码不符合安全要求"), {"password": problems})


def authenticate(email: str, password: str) -> User:
    """The user for these credentials, or LoginRefused. Counts failures and locks."""
    email = (email or "").strip().lower()
    user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    now = utcnow()
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        raise LoginRefused(N_("邮箱或密码错误"))
    if user.locked_until and user.locked_until > now:
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1
        raise LoginRefused(N_("连续登录失败次数过多，账号已锁定，请 %(minutes)s 分钟后再试",
                              minutes=minutes))
    if not user.active or not check_password_hash(user.password_hash, password or ""):
        _count_failure(user, now)
        raise LoginRefused(N_("邮箱或密码错误"))
    with transaction():
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
    return user


def _count_failure(user: User, now) -> None:
    config = current_app.config
    with transaction():
        user.failed_logins += 1
        if user.failed_logins >= config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
            user.failed_logins = 0
            audit.record("user.locked", user, object_type="User", actor=user.email,
                         after={"locked_until": str(user.locked_until)})


def password_expired(user: User) -> bool:
    max_age = timedelta(days=current_app.config["PASSWORD_MAX_AGE_DAYS"])
    return utcnow() - user.password_changed_at > max_age


def _user(user_id: int) -> User:
    """A platform user (not tenant-filtered: the caller acts as, or just signed in as, it)."""
    return db.session.execute(select(User).where(User.id == user_id)).scalar_one()


def end_sessions(user_id: int, why: str = "logout") -> User:
    """Every session and API token of the user ends at once (logout, password change)."""
    user = _user(user_id)
    with transaction():
        user.session_version = (user.session_version or 0) + 1
        tokens = db.session.execute(select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).scalars().all()
        for token in tokens:
            token.revoked_at = utcnow()
        audit.record("user.sessions_ended", user, object_type="User",
                     after={"why": why, "tokens_revoked": len(tokens)})
    return user


def change_password(user_id: int, current_password: str, new_password: str) -> User:
    """A new password; every session and token signed in with the old one ends."""
    user = _user(user_id)
    if not check_password_hash(user.password_hash, current_password or ""):
        raise Invalid(N_("当前密码不正确"), {"current_password": [N_("当前密码不正确")]})
    if check_password_hash(user.password_hash, new_password or ""):
        raise Invalid(N_("新密码不能与当前密码相同"),
                      {"new_password": [N_("新密码不能与当前密码相同")]})
    problems = password_problems(new_password or "")
    if problems:
        raise Invalid(N_("密码不符合安全要求"), {"new_password": problems})
    with transaction():
        user.password_hash = hash_password(new_password)
        user.password_changed_at = utcnow()
        audit.record("user.password_changed", user, object_type="User")
    return end_sessions(user_id, "password_changed")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user_id: int, name: str = "api") -> str:
    """A new bearer token; only its hash is kept, so it is shown once."""
    user = _user(user_id)
    token = "pact_" + secrets.token_urlsafe(32)
    days = current_app.config["API_TOKEN_DAYS"]
    with transaction():
        record = ApiToken(user_id=user.id, token_hash=_token_hash(token), name=name,
                          expires_at=utcnow() + timedelta(days=days))
        db.session.add(record)
        db.session.flush()
        audit.record("token.issued", record, object_type="ApiToken", actor=user.email,
                     after={"user_id": user.id, "name": name, "expires_at": str(record.expires_at)})
    return token


def user_for_token(token: str) -> User | None:
    """The token's user, token and user (and the user's region, which every request
    reads) in one query."""
    record = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _token_hash(token))
        .options(joinedload(ApiToken.user).joinedload(User.region))
    ).scalar_one_or_none()
    now = utcnow()
    if record is None or record.revoked_at or record.expires_at < now:
        return None
    if not record.user.active:
        return None
    return record.user


def revoke_token(token: str) -> bool:
    record = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _token_hash(token))
    ).scalar_one_or_none()
    if record is None or record.revoked_at:
        return False
    with transaction():
        record.revoked_at = utcnow()
        audit.record("token.revoked", record, object_type="ApiToken")
    return True
