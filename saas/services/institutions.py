"""Institutions as the API and pages show them: with agreement status, score and points."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from saas.domain.points import PointsRules
from saas.extensions import db
from saas.models import Agreement, Assessment, Finding, Institution
from saas.services.base import find, page_of
from saas.timeutil import today_local


def institution_of(user):
    if user.institution_id is None:
        return None
    return db.session.execute(
        select(Institution).where(Institution.id == user.institution_id)
    ).scalar_one_or_none()


def list_statement(kind: str | None = None, q: str | None = None):
    """Institutions the context may see (the ORM filter scopes them), ordered by code."""
    statement = select(Institution).order_by(Institution.code)
    if kind:
        statement = statement.where(Institution.kind == kind)
    if q:
        statement = statement.where(Institution.name.contains(q) | Institution.code.contains(q))
    return statement


def page(kind: str | None, q: str | None, number: int, size: int) -> dict:
    """One page of :func:`overview` rows of the institutions the context may see."""
    found = page_of(list_statement(kind, q), number, size)
    return {**found, "items": overview(found["items"])}


def listing(kind: str | None = None, q: str | None = None) -> list[dict]:
    """Every :func:`overview` row the context may see (the institutions page)."""
    return overview(db.session.execute(list_statement(kind, q)).scalars().all())


def detail(institution_id: int) -> dict:
    """One institution and its :func:`overview` row (another tenant's: NotFound)."""
    institution = find(Institution, institution_id)
    return {"institution": institution, "row": overview([institution])[0]}


def overview(institutions: list[Institution], today: date | None = None) -> list[dict]:
    """Each institution with its agreement status, latest score and grade, and this year's
    points, computed for the whole page in three queries (no N+1)."""
    today = today or today_local()
    ids = [i.id for i in institutions]
    agreements = _current_agreements(ids, today)
    latest = _latest_scores(ids)
    points = _points_this_year(ids, today.year, agreements)
    rows = []
    for inst in institutions:
        agreement = agreements.get(inst.id)
        total, grade = latest.get(inst.id, (None, None))
        rows.append({
            "id": inst.id, "code": inst.code, "name": inst.name, "kind": inst.kind,
            "level": inst.level, "credit_code": inst.credit_code,
            "region": {"id": inst.region_id},
            "agreement_status": agreement.status if agreement else None,
            "agreement_id": agreement.id if agreement else None,
            "latest_score": total, "grade": grade,
            "points_this_year": points.get(inst.id, 0),
        })
    return rows


def _current_agreements(ids, today) -> dict:
    """The agreement in force today, else the most recent one."""
    found = {}
    statement = (select(Agreement).where(Agreement.institution_id.in_(ids))
                 .options(selectinload(Agreement.template)).order_by(Agreement.start))
    for agreement in db.session.execute(statement).scalars():
        current = found.get(agreement.institution_id)
        if current is None or agreement.start <= today:
            found[agreement.institution_id] = agreement
    return found


def _latest_scores(ids) -> dict:
    statement = (
        select(Assessment.institution_id, Assessment.total, Assessment.grade)
        .where(Assessment.institution_id.in_(ids), Assessment.total.is_not(None),
               Assessment.kind != "mock")
        .order_by(Assessment.period_end, Assessment.id)
    )
    return {row.institution_id: (row.total, row.grade) for row in db.session.execute(statement)}


def _points_this_year(ids, year, agreements) -> dict:
    statement = (
        select(Finding.institution_id, Finding.severity, Finding.self_reported)
        .join(Assessment, Assessment.id == Finding.assessment_id)
        .where(Finding.institution_id.in_(ids), Finding.status == "confirmed",
               Assessment.kind != "mock", Assessment.period_start >= date(year, 1, 1),
               Assessment.period_start <= date(year, 12, 31))
    )
    rules = {i: PointsRules.from_settings(a.template.settings) for i, a in agreements.items()}
    totals: dict = {}
    for row in db.session.execute(statement):
        points = rules.get(row.institution_id, PointsRules()).points(row.severity,
                                                                     row.self_reported)
        totals[row.institution_id] = totals.get(row.institution_id, 0) + points
    return totals
