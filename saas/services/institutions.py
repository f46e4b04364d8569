"""Institutions as the API and pages show them: with agreement status, score and points."""

from __future__ import annotations

import functools
from datetime import date

from sqlalchemy import Date, bindparam, select

from saas.extensions import db
from saas.models import Agreement, Institution
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
    and this year's points of that agreement, for the whole page in four queries (no N+1).
    The rules are those of the read models (saas.services.analytics) and of
    saas.services.scoring.points_by_agreement."""
    today = today or today_local()
    ids = [i.id for i in institutions]
    agreements = _current_agreements(ids, today)
    latest = _latest_scores(ids)
    points = scoring.points_by_agreement([a.id for a in agreements.values()], today.year)
    rows = []
    for inst in institutions:
        agreement = agreements.get(inst.id)
        total, grade = latest.get(inst.id, (None, None))
        events = points.get(agreement.id, []) if agreement else []
        rows.append({
            "id": inst.id, "code": inst.code, "name": inst.name, "kind": inst.kind,
            "level": inst.level, "credit_code": inst.credit_code,
            "region": {"id": inst.region_id},
            "agreement_status": agreement.status if agreement else None,
            "agreement_id": agreement.id if agreement else None,
            "latest_score": total, "grade": grade,
            "points_this_year": sum(e["points"] for e in events),
        })
    return rows


def _current_agreements(ids, today) -> dict:
    statement = _current_agreements_statement()
    return {a.institution_id: a for a in db.session.execute(
        statement, {"ids": ids, "today": today}).scalars()}


def _latest_scores(ids) -> dict:
    return {row.institution_id: (row.total, row.grade) for row in db.session.execute(
        _latest_scores_statement(), {"ids": ids})}


# Built once, run with each page's ids: a page's statements are not rebuilt (nor their
# cache keys computed) on every request.
@functools.cache
def _current_agreements_statement():
    current = analytics.current_agreements(bindparam("today", type_=Date),
                                           bindparam("ids", expanding=True))
    return select(Agreement).join(current, current.c.agreement_id == Agreement.id)


@functools.cache
def _latest_scores_statement():
    latest = analytics.latest_scores(bindparam("ids", expanding=True))
    return select(latest.c.institution_id, latest.c.total, latest.c.grade)
