"""The ranges every input must fit before it reaches the database or a date computation."""

from __future__ import annotations

from datetime import date

INT_MAX = 2**31 - 1  # an INTEGER column on PostgreSQL: every id and count fits
# Dates the app computes with: terms, deadlines and periods stay far from date.max.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def parse_id(text: str | None) -> int | None:
    """A row id typed into a query or form (digits, 1 to INT_MAX), else None."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 1 <= value <= INT_MAX else None


def in_calendar(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY
