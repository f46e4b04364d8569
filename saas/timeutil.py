"""Time: stored in UTC (naive), shown in Asia/Shanghai."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def rfc3339(dt: datetime) -> str:
    """A stored (naive UTC) moment as RFC 3339 with its offset, as the API gives times."""
    return dt.replace(tzinfo=UTC).isoformat()


def local(dt: datetime | None) -> datetime | None:
    return dt.replace(tzinfo=UTC).astimezone(SHANGHAI) if dt else None


def today_local() -> date:
    return datetime.now(SHANGHAI).date()


def local_midnight_utc(day: date) -> datetime:
    """The first moment of ``day`` in Asia/Shanghai, as stored (naive UTC)."""
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).astimezone(UTC).replace(
        tzinfo=None)


def local_year_bounds(year: int) -> tuple[datetime, datetime]:
    """[start, end) of calendar ``year`` in Asia/Shanghai, as stored (naive UTC)."""
    def start_of(y: int) -> datetime:
        return datetime(y, 1, 1, tzinfo=SHANGHAI).astimezone(UTC).replace(tzinfo=None)
    return start_of(year), start_of(year + 1)
