"""Agreement jobs, daily: the expiry of agreements whose term is over (到期终止), and
measures whose months ran out (a suspension past its limit terminates the agreement).

Jobs take ids and ISO dates, never ORM objects, and run the service in the region's
tenant context (no user: the audit trail names the actor "system").
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from saas.jobs import app_context
from tenants.context import TenantContext, acting_as


def expire_due_agreements(region_id: int, today_iso: str) -> list[int]:
    """Expire the region's active agreements whose term ended before ``today_iso``;
    returns their ids."""
    from saas.services import agreements

    with app_context(), acting_as(TenantContext(region_id=region_id)):
        return agreements.expire_due(date.fromisoformat(today_iso))


def end_due_measures(region_id: int, today_iso: str) -> dict:
    """End the region's measures whose months ran out, terminate agreements suspended past
    their limit: {"ended": measure ids, "terminated": agreement ids}."""
    from saas.services import measures

    with app_context(), acting_as(TenantContext(region_id=region_id)):
        return measures.end_due(date.fromisoformat(today_iso))


def expire_due_everywhere(today_iso: str) -> dict[int, list[int]]:
    """Queue (or, without Redis, run) the expiry of every region: region id → result
    (expired ids when run inline, the rq job when queued)."""
    from saas.extensions import db
    from saas.jobs import enqueue
    from saas.models import Region

    with app_context():
        region_ids = db.session.execute(select(Region.id).order_by(Region.id)).scalars().all()
        for rid in region_ids:  # measures first: a suspension ending today resumes the agreement
            enqueue(end_due_measures, rid, today_iso)
        return {rid: enqueue(expire_due_agreements, rid, today_iso) for rid in region_ids}


def carry_over_rescission(origin_region_id: int, credit_code: str, basis: str) -> dict:
    """A rescission carried over to the institution's agreements in the other regions
    (saas.services.bars.carry_over): region id → agreement ids rescinded."""
    from saas.services import bars

    with app_context():
        return bars.carry_over(origin_region_id, credit_code, basis)


def expire_due_everywhere_today() -> dict:
    """The scheduler's daily run of :func:`expire_due_everywhere`, for today in
    Asia/Shanghai (a cron job's arguments are fixed when it is registered)."""
    from saas.timeutil import today_local

    with app_context():
        return expire_due_everywhere(today_local().isoformat())
