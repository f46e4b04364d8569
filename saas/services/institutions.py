"""Institutions as the API and pages show them: with agreement status, score and points."""

from __future__ import annotations

import functools
from datetime import date

from sqlalchemy import Date, Integer, bindparam, select

from saas.extensions import db
from saas.models import Institution
from saas.services import analytics, scoring
from saas.services.base import find, page_of
from saas.timeutil import today_local


def institution_of(user):
    if user.institution_id is None:
        return None
    return db.session.execute(
        select(Institution).where(Institution.id == user.institution_id)
    ).scalar_one_or_none()


def list_statement(kind: str | None = None, q: str | None = None,
                   attention: str | None = None, period: str | None = None):
    """Institutions the context may see (the ORM filter scopes them), ordered by code
    (unique in a region; the id orders across regions and makes the keyset unique).
    ``attention`` and ``period``: only those a workbench figure counts
    (analytics.institutions_needing_attention)."""
    statement = select(Institution).order_by(Institution.code, Institution.id)
    if attention and period:
        statement = statement.where(Institution.id.in_(
            analytics.institutions_needing_attention(attention, period)))
    if kind:
        statement = statement.where(Institution.kind == kind)
    if q:
        statement = statement.where(Institution.name.contains(q) | Institution.code.contains(q))
    return statement


def page(kind: str | None, q: str | None, number: int, size: int,
         after: str | None = None, attention: str | None = None,
         period: str | None = None) -> dict:
    """One page of :func:`overview` rows of the institutions the context may see."""
    found = page_of(list_statement(kind, q, attention, period), number, size, after)
    return {**found, "items": overview(found["items"])}


def listing(kind: str | None = None, q: str | None = None) -> list[dict]:
    """Every :func:`overview` row the context may see (the institutions page)."""
    return overview(db.session.execute(list_statement(kind, q)).scalars().all())


def detail(institution_id: int) -> dict:
    """One institution and its :func:`overview` row (another tenant's: NotFound)."""
    institution = find(Institution, institution_id)
    return {"institution": institution, "row": overview([institution])[0]}


def overview(institutions: list[Institution], today: date | None = None) -> list[dict]:
    """Each institution with its current agreement's status, its latest score and grade,
    and this year's points of that agreement, for the whole page in one query (no N+1).
    The rules are those of the read models (saas.services.analytics) and of
    saas.services.scoring.points_in_year."""
    today = today or today_local()
    figures = {row.institution_id: row for row in db.session.execute(
        _figures_statement(),
        {"ids": [i.id for i in institutions], "today": today, "year": today.year})}
    rows = []
    for inst in institutions:
        found = figures[inst.id]  # every one: the institutions are outer-joined
        rows.append({
            "id": inst.id, "code": inst.code, "name": inst.name, "kind": inst.kind,
            "level": inst.level, "credit_code": inst.credit_code,
            "region": {"id": inst.region_id},
            "agreement_status": found.status, "agreement_id": found.agreement_id,
            "latest_score": found.total, "grade": found.grade,
            "points_this_year": found.points or 0,
        })
    return rows


@functools.cache
def _figures_statement():
    """Per institution of ``ids``: its current agreement and status, its latest score and
    grade, and that agreement's points in ``year``. Built once, run with each page's ids,
    so neither the statement nor its cache key is rebuilt on every request."""
    ids = bindparam("ids", expanding=True)
    current = analytics.current_agreements(bindparam("today", type_=Date), ids)
    latest = analytics.latest_scores(ids)
    points = scoring.points_in_year(current.c.agreement_id, bindparam("year", type_=Integer))
    return (select(Institution.id.label("institution_id"), current.c.agreement_id,
                   current.c.status, latest.c.total, latest.c.grade, points.label("points"))
            .outerjoin(current, current.c.institution_id == Institution.id)
            .outerjoin(latest, latest.c.institution_id == Institution.id)
            .where(Institution.id.in_(ids)))
