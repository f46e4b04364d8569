"""Sign-in, lockout after repeated failures, password policy and API tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets
import weakref
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from saas.domain.messages import N_
from saas.domain.passwords import password_problems
from saas.errors import DomainError, Invalid
from saas.extensions import db
from saas.models import ApiToken, SignInFailure, User
from saas.services import audit
from saas.services.base import transaction
from saas.timeutil import utcnow

# A hash to check against when the e-mail is unknown, so timing does not reveal accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class LoginRefused(DomainError):
    """Wrong e-mail or password, or the account is locked (401): one answer for all
    three, so that nobody learns which e-mails have an account."""


class SignInThrottled(DomainError):
    """Too many refused sign-ins from this address, whatever the accounts (429)."""


REFUSED = N_("邮箱或密码错误，或账号已被暂时锁定")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _new_password_problems(password: str) -> list:
    return password_problems(password, current_app.config["PASSWORD_MIN_LENGTH"])


def check_new_password(password: str) -> None:
    problems = _new_password_problems(password)
    if problems:
        raise Invalid(N_("密码不符合安全要求"), {"password": problems})


def authenticate(email: str, password: str, address: str | None = None) -> User:
    """The user for these credentials, or LoginRefused (the same answer for an unknown
    e-mail, a wrong password and a locked account). Counts failures per account, which
    locks it, and per address (``address``: the client's), which throttles it."""
    now = utcnow()
    _check_address(address, now)
    email = (email or "").strip().lower()
    user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    # a password is checked in every case, so the time taken tells nothing either
    matches = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    locked = user is not None and user.is_locked(now)
    if user is None or locked or not user.active or not matches:
        _count_failure(user if user and not locked else None, address, now)
        raise LoginRefused(REFUSED)
    with transaction():
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
    return user


def _window_start(now):
    return now - timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])


def _check_address(address: str | None, now) -> None:
    """SignInThrottled when the address has had too many refusals in the window."""
    if not address:
        return
    refused = db.session.execute(select(func.count()).select_from(SignInFailure).where(
        SignInFailure.address == address, SignInFailure.at > _window_start(now))).scalar()
    if refused >= current_app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]:
        raise SignInThrottled(N_("登录失败次数过多，请 %(minutes)s 分钟后再试",
                                 minutes=current_app.config["LOGIN_LOCK_MINUTES"]))


def _count_failure(user: User | None, address: str | None, now) -> None:
    config = current_app.config
    with transaction():
        if address:
            db.session.execute(delete(SignInFailure).where(  # older ones count no more
                SignInFailure.address == address, SignInFailure.at <= _window_start(now)))
            db.session.add(SignInFailure(address=address[:64], at=now))
        if user is None:
            return
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
    history = current_app.config["PASSWORD_HISTORY"]
    recent = [user.password_hash, *(user.previous_password_hashes or [])][:history]
    if any(check_password_hash(h, new_password or "") for h in recent):
        message = N_("新密码不能与最近 %(n)s 次使用过的密码相同", n=history)
        raise Invalid(message, {"new_password": [message]})
    problems = _new_password_problems(new_password or "")
    if problems:
        raise Invalid(N_("密码不符合安全要求"), {"new_password": problems})
    with transaction():
        user.previous_password_hashes = recent[:max(history - 1, 0)]
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


@functools.cache
def _token_user_statement():
    """The user of a live token (not revoked, not expired, the user active), with the
    user's region (/me shows it): one query, built once."""
    return (select(User).join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == bindparam("token_hash"),
                   ApiToken.revoked_at.is_(None), ApiToken.expires_at > bindparam("now"),
                   User.active.is_(True))
            .options(joinedload(User.region)))


def user_for_token(token: str) -> User | None:
    """The token's user, or None when the token is unknown, revoked or expired, or the
    user inactive.

    On PostgreSQL it is read on a connection of its own in autocommit (users and tokens
    are platform tables, outside row-level security) and joined to the request's session
    without a query: a request that reads nothing else (/me, a kept read) makes this one
    round trip, with no BEGIN and ROLLBACK around it."""
    params = {"token_hash": _token_hash(token), "now": utcnow()}
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return db.session.execute(_token_user_statement(), params).scalar_one_or_none()
    with Session(_autocommit(engine)) as lookup:
        user = lookup.execute(_token_user_statement(), params).scalar_one_or_none()
        return None if user is None else db.session.merge(user, load=False)


_AUTOCOMMIT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _autocommit(engine):
    """The engine's autocommit twin (same pool), made once per engine."""
    twin = _AUTOCOMMIT.get(engine)
    if twin is None:
        twin = _AUTOCOMMIT[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return twin


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
