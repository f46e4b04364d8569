"""Time: stored in UTC (naive), shown in Asia/Shanghai."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def local(dt: datetime | None) -> datetime | None:
    return dt.replace(tzinfo=UTC).astimezone(SHANGHAI) if dt else None


def today_local() -> date:
    return datetime.now(SHANGHAI).date()
