"""协议范本 templates (versioned, immutable once published), clauses, indicators, agreements."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
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
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, validates

from saas.extensions import db
from saas.models.status_guard import StatusGuard
from saas.timeutil import utcnow
from tenants.isolation import InstitutionOwned, RegionOwned


class Template(RegionOwned, db.Model):
    """One version of a model agreement. Published versions never change; a change is a new
    version, so a signed agreement keeps exactly the clauses it was signed with."""

    __tablename__ = "templates"
    __table_args__ = (UniqueConstraint("region_id", "code", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    applies_to: Mapped[list] = mapped_column(JSON)
    # perspective_weights, grade_bands, points, thresholds (domain defaults filled in).
    settings: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="published")
    published_at: Mapped[datetime | None] = mapped_column(DateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    clauses: Mapped[list[Clause]] = relationship(
        back_populates="template", order_by="Clause.position", cascade="all, delete-orphan"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="template", order_by="Indicator.position", cascade="all, delete-orphan"
    )


class Clause(RegionOwned, db.Model):
    """条款: numbered chapter / article / item."""

    __tablename__ = "clauses"
    __table_args__ = (UniqueConstraint("template_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("templates.id"), index=True)
    number: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    template: Mapped[Template] = relationship(back_populates="clauses")
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="clause", order_by="Indicator.position"
    )

    @property
    def depth(self) -> int:
        return self.number.count(".")


class Indicator(RegionOwned, db.Model):
    """可量化检查指标: a measurable check of one clause (条款对应制)."""

    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("template_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("templates.id"), index=True)
    clause_id: Mapped[int] = mapped_column(ForeignKey("clauses.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    perspective: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(16))
    target: Mapped[float | None] = mapped_column(Float)
    warning: Mapped[float | None] = mapped_column(Float)
    zero: Mapped[float | None] = mapped_column(Float)
    # the indicator's own bounds where its unit's range does not fit (saas.domain.units)
    value_min: Mapped[float | None] = mapped_column(Float)
    value_max: Mapped[float | None] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float)
    frequency: Mapped[str] = mapped_column(String(16), default="monthly")
    data_source: Mapped[str] = mapped_column(String(16), default="self_report")
    evidence_required: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)

    template: Mapped[Template] = relationship(back_populates="indicators")
    clause: Mapped[Clause] = relationship(back_populates="indicators")


class PublishedVersionError(PermissionError):
    """A published template version (or one of its clauses / indicators) was changed."""


@event.listens_for(Session, "before_flush")
def _published_versions_never_change(session, flush_context, instances):
    """Signed agreements point at a version: editing it would change them behind their
    back. A change is a new version (saas.services.templates.publish)."""
    versioned = (Template, Clause, Indicator)
    changed = [o for o in session.dirty
               if isinstance(o, versioned) and session.is_modified(o, include_collections=False)]
    changed += [o for o in session.deleted if isinstance(o, versioned)]
    if changed:
        raise PublishedVersionError("已发布的协议范本版本不可修改或删除；请导入新版本")


AGREEMENT_STATUS = StatusGuard("saas.services.agreements")


class Agreement(InstitutionOwned, db.Model):
    """服务协议: one per institution per term, bound to one exact template version."""

    __tablename__ = "agreements"
    # The list's order (saas.services.agreements.list_statement) read from an index.
    __table_args__ = (UniqueConstraint("region_id", "number"),
                      Index("ix_agreements_list", "region_id", "start", "number", "id"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("templates.id"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    signed_at: Mapped[datetime | None] = mapped_column(DateTime)
    predecessor_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id"))
    suspensions: Mapped[int] = mapped_column(Integer, default=0)
    suspended_at: Mapped[date | None] = mapped_column(Date)
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    template: Mapped[Template] = relationship()
    institution = relationship("Institution")

    @validates("status")
    def _guard_status(self, key, value):
        return AGREEMENT_STATUS.check(self, value)


class InformationChange(InstitutionOwned, db.Model):
    """重大信息变更备案: a major change must be filed within N working days."""

    __tablename__ = "information_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(String(300))
    new_value: Mapped[str] = mapped_column(String(300))
    changed_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    filed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
