"""整改台账: the ledger items that close every finding (saas.domain.rectification).

A confirmed finding opens its item, in the institution's ledger (a mock inspection's item
stays private to the institution), numbered ``YYYY-category-NNN`` within the institution
and year, due by its severity in working days. The unique (institution, number) index
holds the numbering under concurrent confirmations, and against numbers the caller cannot
see (a mock inspection's private items): a collision retries with the next serial inside a
savepoint.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from saas.domain import rectification as rules
from saas.domain.findings import short_code
from saas.extensions import db
from saas.models import Agreement, Finding, RectificationItem
from saas.services import audit
from saas.services.base import column_snapshot, find
from saas.services.workdays import workday_calendar
from saas.timeutil import local, today_local
from tenants.context import require

NUMBER_ATTEMPTS = 5


def list_statement(status=None, institution_id=None, finding_id=None):
    """Items the caller may see (the ORM filter scopes them), by deadline, then number."""
    statement = select(RectificationItem).order_by(RectificationItem.due_date,
                                                   RectificationItem.id)
    for column, value in ((RectificationItem.status, status),
                          (RectificationItem.institution_id, institution_id),
                          (RectificationItem.finding_id, finding_id)):
        if value is not None:
            statement = statement.where(column == value)
    return statement


def get(item_id: int) -> RectificationItem:
    return find(RectificationItem, item_id)


def is_overdue(item: RectificationItem) -> bool:
    return rules.is_overdue(item.status, item.due_date, today_local())


def open_for_finding(finding: Finding) -> RectificationItem:
    """The item a confirmed finding opens, inside the caller's transaction."""
    assessment = finding.assessment
    agreement = db.session.get(Agreement, assessment.agreement_id)
    settings = rules.RectificationRules.from_settings(agreement.template.settings)
    opened_on = today_local()
    due = rules.deadline(opened_on, finding.severity, workday_calendar(opened_on), settings)
    year, code = local(finding.decided_at).year, short_code(finding.category)
    serial = rules.next_serial(year, code, _taken(finding.institution_id, f"{year}-{code}-"))
    for attempt in range(NUMBER_ATTEMPTS):
        number = rules.item_number(year, code, serial + attempt)
        item = RectificationItem(
            region_id=finding.region_id, institution_id=finding.institution_id,
            private=finding.private, number=number, finding_id=finding.id,
            source="mock_inspection" if finding.private else "finding",
            category=finding.category, severity=finding.severity,
            description=finding.description, due_date=due, status="open",
            created_by=require().user_id)
        try:
            with db.session.begin_nested():  # a concurrent twin took the number: next one
                db.session.add(item)
                db.session.flush()
        except IntegrityError:
            continue
        audit.record("rectification.opened", item, after=column_snapshot(item))
        return item
    raise RuntimeError("no free rectification number after retries", finding.id)


def _taken(institution_id: int, prefix: str) -> list[str]:
    return list(db.session.execute(select(RectificationItem.number).where(
        RectificationItem.institution_id == institution_id,
        RectificationItem.number.startswith(prefix, autoescape=True))).scalars())
