"""The working-day calendar with the days an admin entered (CalendarDay) on top."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from saas.domain.calendar import WorkdayCalendar
from saas.extensions import db
from saas.models import CalendarDay

# 30 working days never span more than this many calendar days, even around 春节.
_HORIZON_DAYS = 120


def workday_calendar(start: date, end: date | None = None) -> WorkdayCalendar:
    """A calendar knowing every admin override between ``start`` and ``end`` (default: a
    horizon long enough for the usual working-day deadlines)."""
    end = end or start + timedelta(days=_HORIZON_DAYS)
    rows = db.session.execute(
        select(CalendarDay).where(CalendarDay.day >= start, CalendarDay.day <= end)
    ).scalars()
    return WorkdayCalendar({row.day: row.is_workday for row in rows})
