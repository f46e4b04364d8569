"""Assessments (自查/模拟/检查/年度考核), measurements, evidence and findings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
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

from saas.domain.permissions import ONE_PER_PERIOD
from saas.domain.scoring import PERSPECTIVES, UNIT, hundredths
from saas.extensions import db
from saas.models.status_guard import StatusGuard
from saas.timeutil import utcnow
from tenants.isolation import InstitutionPrivate

ASSESSMENT_STATUS = StatusGuard("saas.services.assessments")
RANKED_SQL = text("ranked_as IS NOT NULL")
SCORED_SQL = text("total IS NOT NULL")
ONE_PER_PERIOD_SQL = text("kind IN (" + ", ".join(f"'{k}'" for k in ONE_PER_PERIOD) + ")")


class Assessment(InstitutionPrivate, db.Model):
    __tablename__ = "assessments"
    # Half-full pages: rewriting results (unindexed columns) then stays on the same page
    # as a HOT update, with no index writes (saas.services.bulk_scoring).
    # A scorecard's rank counts the period's totals of its rank group in this index
    # alone (saas.services.scoring._rank_counts). Its total makes rewriting a total an
    # index write, not a HOT update; a region's full recompute rewrites only the changed.
    # The list's order (newest period first, saas.services.assessments.list_statement)
    # read from an index: a page is a short range scan, never a sort of the region.
    # The rank read model (saas.services.rank_model): a scorecard's rank counts the
    # entries of a partial index, one per institution, period and rank group; it
    # carries what the counts and row-level security read, so they never visit the table.
    __table_args__ = (
        Index("ix_assessments_rank", "region_id", "kind", "period",
              postgresql_include=["institution_id", "id", "status", "total"]),
        Index("ix_assessments_ranked", "region_id", "ranked_as", "period", "total",
              postgresql_include=["institution_id", "private", "peer_group"],
              postgresql_where=RANKED_SQL, sqlite_where=RANKED_SQL),
        Index("ix_assessments_list", "region_id", "period_start", "id"),
        Index("uq_assessments_one_per_period", "agreement_id", "kind", "period", unique=True,
              postgresql_where=ONE_PER_PERIOD_SQL, sqlite_where=ONE_PER_PERIOD_SQL),
        {"postgresql_with": {"fillfactor": 50}},
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    finalized_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Cached result of the scoring engine; recomputed whenever a measurement changes.
    # Ranks are not stored: they follow from the period's totals (saas.services.ranks.region_ranks).
    total: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[str | None] = mapped_column(String(16))
    # 三色预警 counts of its latest scoring: how many indicators are red, how many yellow
    # (a read model for the dashboards and the workbench; saas.services.scoring keeps it)
    # the rank group when this assessment speaks for its institution in the period's
    # ranks, and then its institution's peer group (saas.services.rank_model)
    ranked_as: Mapped[str | None] = mapped_column(String(16))
    peer_group: Mapped[str | None] = mapped_column(String(40))
    red_count: Mapped[int | None] = mapped_column(Integer)
    yellow_count: Mapped[int | None] = mapped_column(Integer)
    # the four perspective scores in hundredths (None: no data), read as `perspectives`
    financial_hundredths: Mapped[int | None] = mapped_column(Integer)
    patient_hundredths: Mapped[int | None] = mapped_column(Integer)
    process_hundredths: Mapped[int | None] = mapped_column(Integer)
    learning_hundredths: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @validates("status")
    def _guard_status(self, key, value):
        return ASSESSMENT_STATUS.check(self, value)

    @property
    def perspectives(self) -> dict[str, float | None]:
        """{financial: 87.05, patient: None, …}: the perspective scores as shown."""
        return {p: None if (h := getattr(self, f"{p}_hundredths")) is None else h / UNIT
                for p in PERSPECTIVES}

    @perspectives.setter
    def perspectives(self, scores: dict[str, float | None] | None) -> None:
        for p in PERSPECTIVES:
            score = (scores or {}).get(p)
            setattr(self, f"{p}_hundredths", None if score is None else hundredths(score))

    agreement = relationship("Agreement")
    institution = relationship("Institution")


# each institution's latest score (analytics.latest_scores, the dashboards) read in
# index order, not sorted out of the region's scored assessments
Index("ix_assessments_latest", Assessment.region_id, Assessment.institution_id,
      Assessment.period_end.desc(), Assessment.id.desc(),
      postgresql_include=["total", "grade", "kind", "private"],
      postgresql_where=SCORED_SQL, sqlite_where=SCORED_SQL)


class Evidence(InstitutionPrivate, db.Model):
    """A file kept by the storage adapter (local folder or S3), with its SHA-256."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    storage_version: Mapped[str | None] = mapped_column(String(200))  # S3 VersionId
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What it proves: attached after upload (the API takes evidence_ids).
    measurement_id: Mapped[int | None] = mapped_column(ForeignKey("measurements.id"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), index=True)
    # an appeal's evidence (申诉材料), attached to the appeal step of a measure
    measure_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("measure_events.id", name="fk_evidence_measure_event_id"), index=True)
    # proof of a rectification (整改证明材料), kept whatever the item goes through
    rectification_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("rectification_items.id", name="fk_evidence_rectification_item_id"),
        index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Measurement(InstitutionPrivate, db.Model):
    """One indicator's value in one assessment. Its score and colour are not stored: they
    are a pure function of the value and the agreement's (immutable) template version, and
    the scorecard computes them when it is read (saas.services.scoring)."""

    __tablename__ = "measurements"
    # The unique index also serves lookups by assessment (no second index to write).
    __table_args__ = (UniqueConstraint("assessment_id", "indicator_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    value: Mapped[float | None] = mapped_column(Float)
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    indicator = relationship("Indicator")
    evidence: Mapped[list[Evidence]] = relationship(foreign_keys="Evidence.measurement_id")


class Finding(InstitutionPrivate, db.Model):
    """检查发现的问题."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    clause_id: Mapped[int | None] = mapped_column(ForeignKey("clauses.id"))
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"))
    category: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(16))
    self_reported: Mapped[bool] = mapped_column(Boolean, default=False)
    amount_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    found_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    dismiss_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    assessment = relationship("Assessment")
    clause = relationship("Clause")
    indicator = relationship("Indicator")
    evidence: Mapped[list[Evidence]] = relationship(foreign_keys="Evidence.finding_id")
