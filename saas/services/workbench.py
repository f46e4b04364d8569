"""工作台: what each role has to do now, as figures the landing page links to filtered lists.

Each figure is ``{"key", "count", "filters"}``: ``filters`` are the list's own query
arguments, so the number on the workbench is the number of rows the list shows (tests
compare the two). The figures follow the tenant context: a bureau user counts the region,
an institution user its own institution.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from saas.domain.periods import last_closed_month
from saas.domain.permissions import BUREAU_ROLES
from saas.extensions import db
from saas.models import Assessment, Finding
from saas.services import analytics, rectifications
from saas.services.scoring import RANKED_STATUSES
from saas.timeutil import today_local
from tenants.context import require


def figures(today: date | None = None) -> dict:
    """``{"period", "role", "items": [figure, …], "self_inspection"}`` for the caller."""
    today = today or today_local()
    period = str(last_closed_month(today))
    role = require().role
    if role in BUREAU_ROLES:
        items = _bureau(period, today)
    elif role == "institution_admin":
        items = _institution_admin(period)
    elif role == "mock_inspector":
        items = [_assessments("mock_drafts", kind="mock", status="draft")]
    else:
        items = [_rectifications("rectifications_mine", mine="1"),
                 _rectifications("rectifications_mine_overdue", mine="1", overdue="1"),
                 _assessments("self_drafts", kind="self", status="draft")]
    own = _own_self_inspection(period) if role == "institution_admin" else None
    return {"period": period, "role": role, "items": items, "self_inspection": own}


def _figure(key: str, count: int, **filters) -> dict:
    return {"key": key, "count": count, "filters": {k: v for k, v in filters.items() if v}}


def _findings(status: str) -> dict:
    found = select(Finding.id).where(Finding.status == status)
    return _figure(f"findings_{status}", analytics.count(found), status=status)


def _assessments(key: str, **filters) -> dict:
    statement = select(Assessment.id).filter_by(**filters)
    return _figure(key, analytics.count(statement), **filters)


def _rectifications(key: str, **filters) -> dict:
    """Ledger items as the ledger counts them (its filters: overdue, status, mine)."""
    wanted = rectifications.Filters(
        overdue=True if filters.get("overdue") else None, status=filters.get("status"),
        mine=bool(filters.get("mine")))
    return _figure(key, rectifications.count(wanted), **filters)


def _bureau(period: str, today: date) -> list[dict]:
    items = [_findings("draft"), _rectifications("rectifications_submitted", status="submitted"),
             _rectifications("rectifications_overdue", overdue="1")]
    for flag in analytics.ATTENTION_FLAGS:
        found = analytics.institutions_needing_attention(flag, period)
        items.append(_figure(f"institutions_{flag}", analytics.count(found),
                             attention=flag, period=period))
    items.append(_figure("agreements_expiring",
                         analytics.count(analytics.expiring_agreements(today)), expiring="1"))
    return items


def _institution_admin(period: str) -> list[dict]:
    items = [_findings("confirmed"), _rectifications("rectifications_overdue", overdue="1"),
             _rectifications("rectifications_submitted", status="submitted")]
    latest = db.session.execute(
        select(Assessment.id).where(Assessment.kind == "self",
                                    Assessment.status.in_(RANKED_STATUSES))
        .order_by(Assessment.period_end.desc(), Assessment.id.desc()).limit(1)).scalar()
    if latest is not None:
        red = db.session.execute(analytics.red_measurements([latest])).first()
        items.append({"key": "red_indicators", "count": red.red if red else 0,
                      "filters": {}, "assessment_id": latest})
    items.append(_assessments("self_drafts", kind="self", status="draft"))
    return items


def _own_self_inspection(period: str) -> dict | None:
    """This period's self-inspection of the caller's institution: its id and state, or
    None when it has not been started."""
    row = db.session.execute(
        select(Assessment.id, Assessment.status)
        .where(Assessment.kind == "self", Assessment.period == period)
        .order_by(Assessment.id.desc()).limit(1)).first()
    return {"id": row.id, "status": row.status} if row else None
