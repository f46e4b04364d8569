"""Notification jobs: e-mail the notifications a step made (after its commit)."""

from __future__ import annotations

from saas.jobs import app_context
from tenants.context import TenantContext, acting_as


def email_notifications(region_id: int, ids: list[int]) -> int:
    """E-mail the region's notifications ``ids`` not sent yet; returns how many went."""
    from saas.services import notifications

    with app_context(), acting_as(TenantContext(region_id=region_id)):
        return notifications.email(ids)
