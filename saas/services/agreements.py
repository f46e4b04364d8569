"""服务协议: sign, renew, suspend, resume, rescind, expire — only through here."""

from __future__ import annotations

from datetime import date

from saas.domain import lifecycle
from saas.extensions import db
from saas.models import Agreement
from saas.services import audit
from saas.services.base import column_snapshot
from saas.timeutil import utcnow


def create_signed(institution, template, number: str, start: date, end: date) -> Agreement:
    """A new agreement for one institution and term, signed on creation (provisioning).
    Caller owns the transaction."""
    agreement = Agreement(institution_id=institution.id, region_id=institution.region_id,
                          template_id=template.id, number=number, start=start, end=end,
                          status="draft")
    db.session.add(agreement)
    db.session.flush()
    audit.record("agreement.created", agreement, after=column_snapshot(agreement))
    before = column_snapshot(agreement)
    agreement.status = lifecycle.next_state(agreement.status, "sign")
    agreement.signed_at = utcnow()
    db.session.flush()
    audit.record("agreement.signed", agreement, before=before, after=column_snapshot(agreement))
    return agreement
