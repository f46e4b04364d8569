"""Read models: the figures the dashboards (and the overview pages) show, counted in SQL.

Every function runs ORM selects, so the tenant context scopes them like any other read
(the ORM filter, and RLS on PostgreSQL): a bureau user counts its region, an institution
user only itself. Nothing here loads rows into Python to count them; each figure is one
GROUP BY statement whose size does not grow with the region.

Two building blocks name the rules the figures share, as subqueries one can join:

* :func:`latest_scores`: each institution's latest scored assessment of a kind that
  counts (saas.domain.permissions.COUNTING_KINDS);
* :func:`current_agreements`: each institution's agreement in force today, else its
  earliest one still to start.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import case, func, select

from saas.domain.permissions import COUNTING_KINDS
from saas.extensions import db
from saas.models import Agreement, Assessment, Institution
from saas.timeutil import today_local


def latest_scores(institution_ids: Collection[int] | None = None):
    """Subquery ``(institution_id, assessment_id, total, grade)``: per institution (of
    ``institution_ids``, else every one in scope) the scored assessment of a counting kind
    with the latest period end (then the latest id)."""
    ranked = select(
        Assessment.institution_id, Assessment.id.label("assessment_id"), Assessment.total,
        Assessment.grade,
        func.row_number().over(
            partition_by=Assessment.institution_id,
            order_by=(Assessment.period_end.desc(), Assessment.id.desc())).label("n"),
    ).where(Assessment.kind.in_(COUNTING_KINDS), Assessment.total.is_not(None))
    if institution_ids is not None:
        ranked = ranked.where(Assessment.institution_id.in_(institution_ids))
    ranked = ranked.subquery()
    return (select(ranked.c.institution_id, ranked.c.assessment_id, ranked.c.total,
                   ranked.c.grade)
            .where(ranked.c.n == 1).subquery("latest_scores"))


def current_agreements(today: date | None = None,
                       institution_ids: Collection[int] | None = None):
    """Subquery ``(institution_id, agreement_id, status)``: per institution (of
    ``institution_ids``, else every one in scope) the agreement that started last on or
    before ``today``; an institution whose agreements all start later gets the earliest."""
    today = today or today_local()
    started = Agreement.start <= today
    ranked = select(
        Agreement.institution_id, Agreement.id.label("agreement_id"), Agreement.status,
        func.row_number().over(
            partition_by=Agreement.institution_id,
            order_by=(case((started, 0), else_=1), case((started, Agreement.start)).desc(),
                      Agreement.start, Agreement.id.desc())).label("n"),
    )
    if institution_ids is not None:
        ranked = ranked.where(Agreement.institution_id.in_(institution_ids))
    ranked = ranked.subquery()
    return (select(ranked.c.institution_id, ranked.c.agreement_id, ranked.c.status)
            .where(ranked.c.n == 1).subquery("current_agreements"))


def institutions_by_kind() -> dict[str, int]:
    """Institutions the context sees, per kind (hospital, clinic, pharmacy)."""
    rows = db.session.execute(
        select(Institution.kind, func.count()).group_by(Institution.kind)).all()
    return {kind: n for kind, n in rows}


def agreements_by_status(today: date | None = None) -> dict[str | None, int]:
    """Institutions per status of their current agreement (``None``: no agreement)."""
    current = current_agreements(today)
    rows = db.session.execute(
        select(current.c.status, func.count(Institution.id))
        .select_from(Institution)
        .outerjoin(current, current.c.institution_id == Institution.id)
        .group_by(current.c.status)).all()
    return {status: n for status, n in rows}


def grades() -> dict[str | None, int]:
    """Institutions per grade of their latest counting score (``None``: none scored yet)."""
    latest = latest_scores()
    rows = db.session.execute(
        select(latest.c.grade, func.count(Institution.id))
        .select_from(Institution)
        .outerjoin(latest, latest.c.institution_id == Institution.id)
        .group_by(latest.c.grade)).all()
    return {grade: n for grade, n in rows}
