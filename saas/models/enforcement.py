"""协议处理: the points ledger (记分台账), the measures taken under an agreement, the
notifications their steps send, and the rectification ledger (整改台账)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from saas.extensions import db
from saas.models.status_guard import StatusGuard
from saas.timeutil import utcnow
from tenants.isolation import (
    InstitutionOwned,
    InstitutionPrivate,
    RegionOwned,
    ShownOnceNotified,
)

MEASURE_STATUS = StatusGuard("saas.services.measures")
PROPOSAL_KEY_SQL = text("proposal_key IS NOT NULL")


class PointsEntry(InstitutionOwned, db.Model):
    """One line of an agreement's points ledger. Lines are only ever added: a dismissed
    finding or a revoked measure adds a reversal line, in the original line's year."""

    __tablename__ = "points_entries"
    # A finding counts once and is taken back at most once, whatever asks for it.
    __table_args__ = (UniqueConstraint("finding_id", "kind"),
                      Index("ix_points_entries_agreement_year", "agreement_id", "year"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    year: Mapped[int] = mapped_column(Integer)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"))
    kind: Mapped[str] = mapped_column(String(16))  # confirmation | reversal | reopening
    reason: Mapped[str] = mapped_column(String(32))  # saas.domain.points.LEDGER_REASONS
    severity: Mapped[str] = mapped_column(String(16))
    factor: Mapped[float] = mapped_column(Float)
    points: Mapped[float] = mapped_column(Float)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    finding = relationship("Finding")


class Measure(ShownOnceNotified, db.Model):
    """One measure of agreement handling (约谈, 限期整改, 中止协议, 解除协议 …) and where it
    stands in its due process. The institution sees it once notified."""

    __tablename__ = "measures"
    # An automatic proposal carries the key of what caused it (a threshold in a year, a
    # fraud finding, a second suspension): the database refuses a second proposal for the
    # same cause, even from two confirmations at the same moment.
    __table_args__ = (
        Index("uq_measures_proposal_key", "agreement_id", "proposal_key", unique=True,
              postgresql_where=PROPOSAL_KEY_SQL, sqlite_where=PROPOSAL_KEY_SQL),
        Index("ix_measures_region_status", "region_id", "status", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    measure: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    months: Mapped[int | None] = mapped_column(Integer)
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    # the basis: free text, and its parts (clause, regulation article, finding, ground)
    basis: Mapped[str] = mapped_column(Text)
    clause_number: Mapped[str | None] = mapped_column(String(32))
    article: Mapped[str | None] = mapped_column(String(100))
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"))
    ground: Mapped[str | None] = mapped_column(String(40))  # a rescission's ground
    proposal_key: Mapped[str | None] = mapped_column(String(60))
    year: Mapped[int | None] = mapped_column(Integer)
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: system
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    appeal_until: Mapped[date | None] = mapped_column(Date)
    effective_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    agreement = relationship("Agreement")
    institution = relationship("Institution")
    finding = relationship("Finding")
    events: Mapped[list[MeasureEvent]] = relationship(
        back_populates="measure", order_by="MeasureEvent.id")

    @validates("status")
    def _guard_status(self, key, value):
        return MEASURE_STATUS.check(self, value)


class MeasureEvent(ShownOnceNotified, db.Model):
    """One step of a measure's due process: who, when, why; never changed afterwards."""

    __tablename__ = "measure_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # propose, or saas.domain.measures.ACTIONS
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    measure: Mapped[Measure] = relationship(back_populates="events")
    user = relationship("User")
    evidence = relationship("Evidence", foreign_keys="Evidence.measure_event_id")


class Notification(RegionOwned, db.Model):
    """A message to one user about a step that concerns them (in-app, and by e-mail when
    configured). The subject is kept as its msgid and parameters, so it reads in the
    language of whoever opens it. Services show a user their own notifications only."""

    __tablename__ = "notifications"
    # the list's order (unread first, then newest) read from an index; a keyed message
    # (a reminder's item and day) reaches each user once, whatever sends it how often
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read", "id"),
                      UniqueConstraint("user_id", "key", name="uq_notifications_user_id_key"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    subject_msgid: Mapped[str] = mapped_column(String(300))
    subject_params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(300))
    read: Mapped[bool] = mapped_column(Boolean, default=False)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime)
    key: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user = relationship("User")


class ReEntryBar(db.Model):
    """限制申请: after an effective rescission, the institution (by 统一社会信用代码) and its
    legal representative and main officer (by ID number) may not enter a new agreement
    until ``until``, in any region of the deployment. Platform table: the check crosses
    regions, and the public list of rescissions reads it without sign-in (never the ID
    numbers)."""

    __tablename__ = "re_entry_bars"
    __table_args__ = (Index("ix_re_entry_bars_key_until", "key", "until"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(16))  # institution | person
    key: Mapped[str] = mapped_column(String(32))  # credit code, or ID number
    name: Mapped[str] = mapped_column(String(200))  # who is barred, as shown
    role: Mapped[str | None] = mapped_column(String(32))  # a person's: legal_representative …
    institution_name: Mapped[str] = mapped_column(String(200))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))  # where it was decided
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id"))
    ground: Mapped[str | None] = mapped_column(String(40))
    basis: Mapped[str] = mapped_column(Text)
    rescinded_on: Mapped[date] = mapped_column(Date)
    until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    region = relationship("Region")


class AgreementRequest(InstitutionOwned, db.Model):
    """The institution's own request (申请) to suspend, end or not renew its agreement,
    at least 3 months ahead; a bureau admin accepts or refuses it. An accepted suspension
    or rescission becomes a decided measure that takes effect on the day asked."""

    __tablename__ = "agreement_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # saas.domain.lifecycle.REQUEST_KINDS
    effective_on: Mapped[date] = mapped_column(Date)
    months: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    agreement = relationship("Agreement")


class RectificationItem(InstitutionPrivate, db.Model):
    """整改台账 item: one problem to fix, who fixes it by when, what was done and who
    verified it (saas.domain.rectification). A mock inspection's item is private to its
    institution. Overdue is derived from ``due_date``, never stored."""

    __tablename__ = "rectification_items"
    # the number is unique within the institution: two items opened at once cannot share it
    __table_args__ = (UniqueConstraint("institution_id", "number"),
                      Index("ix_rectification_items_region_status", "region_id", "status",
                            "due_date"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), index=True)
    # the assessment it came from: the finding's, or a self-inspection named by hand
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", name="fk_rectification_items_assessment_id"), index=True)
    source: Mapped[str] = mapped_column(String(20))  # saas.domain.rectification.SOURCES
    # a bureau finding's item is verified by the bureau, the institution's own by its admin
    bureau_verifies: Mapped[bool] = mapped_column(Boolean, default=False,
                                                  server_default=text("false"))
    category: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    measures_to_take: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(String(100))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    statement: Mapped[str | None] = mapped_column(Text)  # 完成情况
    submitted_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_rectification_items_submitted_by"))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_rectification_items_closed_by"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)  # 销号日期
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    finding = relationship("Finding")
    institution = relationship("Institution")
    assessment = relationship("Assessment")
    owner = relationship("User", foreign_keys=[owner_id])
    events: Mapped[list[RectificationEvent]] = relationship(
        back_populates="item", order_by="RectificationEvent.id")
    evidence = relationship("Evidence", foreign_keys="Evidence.rectification_item_id",
                            order_by="Evidence.id")


class RectificationEvent(InstitutionPrivate, db.Model):
    """One step of a ledger item (start, submit, verify, return, reopen, assign, extend):
    who, when, why and what changed; never changed afterwards. Private with its item."""

    __tablename__ = "rectification_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("rectification_items.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict | None] = mapped_column(JSON)  # field → [before, after]
    by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    item: Mapped[RectificationItem] = relationship(back_populates="events")
    user = relationship("User")


class ExportFile(RegionOwned, db.Model):
    """A large export built by a job (导出任务): its progress while it runs, then the
    file in storage. Services show each user their own exports only."""

    __tablename__ = "export_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # rectifications
    fmt: Mapped[str] = mapped_column(String(8))  # xlsx | pdf
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # running, done, failed
    done_rows: Mapped[int] = mapped_column(Integer, default=0)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str | None] = mapped_column(String(200))
    storage_key: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

