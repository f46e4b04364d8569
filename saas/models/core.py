"""Regions, institutions, users, API tokens, the audit trail and the working-day calendar."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.extensions import db
from saas.timeutil import utcnow
from tenants.isolation import InstitutionRoot

INSTITUTION_KINDS = ("hospital", "clinic", "pharmacy")


class Region(db.Model):
    """统筹区: a pooling region run by one bureau. Platform table (no tenant filter)."""

    __tablename__ = "regions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Institution(InstitutionRoot, db.Model):
    """定点医药机构: the tenant."""

    __tablename__ = "institutions"
    __table_args__ = (UniqueConstraint("region_id", "code"),
                      Index("ix_institutions_region_district", "region_id", "district"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[str | None] = mapped_column(String(16))
    credit_code: Mapped[str | None] = mapped_column(String(18))  # 统一社会信用代码
    address: Mapped[str | None] = mapped_column(String(300))
    district: Mapped[str | None] = mapped_column(String(50))  # 区县/街道: the dashboards' filter
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    # 公立 "public" or 非公立 "private": a public institution may not ask to suspend or end
    ownership: Mapped[str | None] = mapped_column(String(16))
    # the persons a rescission bars for 5 years, by 居民身份证号码 (shown masked)
    legal_representative_id: Mapped[str | None] = mapped_column(String(18))
    main_officer: Mapped[str | None] = mapped_column(String(100))
    main_officer_id: Mapped[str | None] = mapped_column(String(18))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    region: Mapped[Region] = relationship()


class User(UserMixin, db.Model):
    """A person who signs in. Platform table: looked up by e-mail before any tenant is known;
    lists of users go through services that scope them."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # raised by logout and a password change: every session signed in before ends
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # hashes of the passwords before the current one, newest first (PASSWORD_HISTORY)
    previous_password_hashes: Mapped[list] = mapped_column(JSON, default=list,
                                                           server_default="[]")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    region: Mapped[Region] = relationship()

    def get_id(self) -> str:
        """What the session keeps: the id and the session version it was signed in with."""
        return f"{self.id}:{self.session_version or 0}"

    @property
    def is_active(self) -> bool:
        return self.active

    def is_locked(self, now: datetime | None = None) -> bool:
        """Locked after repeated failed sign-ins, until ``locked_until``."""
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    @property
    def is_bureau(self) -> bool:
        return self.institution_id is None


class SignInFailure(db.Model):
    """A refused sign-in from an address, kept for the per-address throttle (platform
    table: nothing of a tenant is known before sign-in)."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_address_at", "address", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="api")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class AuditEntry(db.Model):
    """审计日志: append-only, each entry chained to the previous by SHA-256."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_region_chain", "region_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(254))
    region_id: Mapped[int | None] = mapped_column(Integer, index=True)
    institution_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # "region": chained to the previous entry of its region (saas.services.audit);
    # "global": written before the chains were split, chained to the previous entry of all
    chain: Mapped[str] = mapped_column(String(8), default="region", server_default="global")


class CalendarDay(db.Model):
    """An admin-entered day of the official calendar (放假 / 调休上班); these entries win."""

    __tablename__ = "calendar_days"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(100))
