"""Rectification reminders, daily (整改提醒): items due within 3 working days and overdue
items remind their person responsible and the institution admins, in-app and by e-mail,
once per item, user and day (saas.services.rectifications.remind).

A region's pass sees the items the bureau sees; a mock inspection's items are private to
their institution, so each institution's own pass reminds of those.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from saas.jobs import app_context
from tenants.context import TenantContext, acting_as


def remind_region(region_id: int, today_iso: str) -> int:
    """The region's reminders for ``today_iso``: how many items reminded."""
    from saas.extensions import db
    from saas.models import Institution
    from saas.services import rectifications

    today = date.fromisoformat(today_iso)
    with app_context():
        with acting_as(TenantContext(region_id=region_id)):
            reminded = rectifications.remind(today)
            institution_ids = db.session.execute(select(Institution.id).order_by(
                Institution.id)).scalars().all()
        for institution_id in institution_ids:
            with acting_as(TenantContext(region_id=region_id, institution_id=institution_id)):
                reminded += rectifications.remind(today, private_only=True)
        return reminded


def remind_everywhere(today_iso: str | None = None) -> dict:
    """Queue (or, without Redis, run) every region's reminders for ``today_iso`` (default:
    today in Asia/Shanghai): region id → items reminded, or its rq job."""
    from saas.extensions import db
    from saas.jobs import enqueue
    from saas.models import Region
    from saas.timeutil import today_local

    today_iso = today_iso or today_local().isoformat()
    with app_context():
        region_ids = db.session.execute(select(Region.id).order_by(Region.id)).scalars().all()
        return {rid: enqueue(remind_region, rid, today_iso) for rid in region_ids}
