"""Working days on the official Chinese calendar (法定节假日 and 调休).

Order of authority for one day:

1. an admin-entered override (``True`` = working day, e.g. a 调休 Saturday;
   ``False`` = holiday) — always wins;
2. the ``chinesecalendar`` package, for the years it was released with;
3. Monday–Friday, for any other year. Such years are reported by
   :meth:`WorkdayCalendar.years_without_data` so the UI can show a warning: never a crash.

``known_years`` are the years an admin entered completely (the State Council publishes
each next year's schedule around November). They only silence the fallback warning; the
day-by-day answer still comes from the overrides and then Monday–Friday.

Pure Python (standard library + chinesecalendar).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from functools import cache

try:  # the package is a declared dependency; stay importable without it all the same
    import chinese_calendar as _cc
except ImportError:  # pragma: no cover - exercised only on broken installs
    _cc = None

__all__ = [
    "DEFAULT_APPEAL_WORKDAYS",
    "DEFAULT_FILING_WORKDAYS",
    "WorkdayCalendar",
    "official_is_workday",
    "official_knows_year",
]

DEFAULT_FILING_WORKDAYS = 30  # major information change filed within 30 working days
DEFAULT_APPEAL_WORKDAYS = 10  # appeal window against a measure (申诉)

_ONE_DAY = timedelta(days=1)


def _as_date(d: date) -> date:
    if isinstance(d, datetime):
        return d.date()
    if not isinstance(d, date):
        raise TypeError("需要日期（date）", type(d).__name__)
    return d


@cache
def official_knows_year(year: int) -> bool:
    """Whether the installed ``chinesecalendar`` has the official schedule of ``year``."""
    if _cc is None:
        return False
    try:
        _cc.is_workday(date(year, 1, 1))
    except (NotImplementedError, ValueError):
        return False
    return True


def official_is_workday(d: date) -> bool | None:
    """``chinesecalendar``'s answer for ``d``, or ``None`` when it has no data that year."""
    d = _as_date(d)
    if not official_knows_year(d.year):
        return None
    try:
        return bool(_cc.is_workday(d))
    except (NotImplementedError, ValueError):
        return None


class WorkdayCalendar:
    """Working-day arithmetic with admin overrides over the official calendar.

    >>> cal = WorkdayCalendar()
    >>> cal.is_workday(date(2026, 10, 1))      # 国庆节
    False
    >>> cal.is_workday(date(2026, 10, 10))     # 调休上班 (Saturday)
    True
    """

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        known_years: Iterable[int] = (),
    ) -> None:
        self._overrides: dict[date, bool] = {
            _as_date(k): bool(v) for k, v in (overrides or {}).items()
        }
        self._known_years: frozenset[int] = frozenset(int(y) for y in known_years)

    # -- inspection -----------------------------------------------------------------
    @property
    def overrides(self) -> Mapping[date, bool]:
        return dict(self._overrides)

    @property
    def known_years(self) -> frozenset[int]:
        return self._known_years

    def source(self, d: date) -> str:
        """Where the answer for ``d`` comes from: ``override``, ``official`` or
        ``weekday`` (Monday–Friday fallback)."""
        d = _as_date(d)
        if d in self._overrides:
            return "override"
        if official_knows_year(d.year):
            return "official"
        return "weekday"

    def has_data_for_year(self, year: int) -> bool:
        """True when ``year`` does not fall back to Monday–Friday: the library knows it
        or an admin entered it."""
        return year in self._known_years or official_knows_year(year)

    def years_without_data(self, start: date, end: date) -> set[int]:
        """Years touched by ``start..end`` (either order) that fall back to Monday–Friday."""
        a, b = sorted((_as_date(start), _as_date(end)))
        return {y for y in range(a.year, b.year + 1) if not self.has_data_for_year(y)}

    def fallback_warning_zh(self, start: date, end: date) -> str | None:
        """A Chinese warning to show next to a deadline computed over ``start..end``, or
        ``None`` when every year has data."""
        years = sorted(self.years_without_data(start, end))
        if not years:
            return None
        listed = "、".join(f"{y}年" for y in years)
        return f"{listed}的法定节假日及调休安排尚未录入，工作日按周一至周五计算，期限可能不准确"

    # -- single day -------------------------------------------------------------------
    def is_workday(self, d: date) -> bool:
        d = _as_date(d)
        override = self._overrides.get(d)
        if override is not None:
            return override
        official = official_is_workday(d)
        if official is not None:
            return official
        return d.weekday() < 5

    def is_holiday(self, d: date) -> bool:
        return not self.is_workday(d)

    # -- arithmetic -------------------------------------------------------------------
    def add_workdays(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself not counted; it
        need not be a working day). ``n = 0`` returns ``start``; negative ``n`` counts
        backwards (the ``|n|``-th working day before ``start``)."""
        d = _as_date(start)
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError("工作日数必须为整数", n)
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            d += step
            if self.is_workday(d):
                remaining -= 1
        return d

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in the half-open interval ``(a, b]``; negative (``-(b, a]``) when
        ``b < a``. For ``n >= 0``: ``workdays_between(s, add_workdays(s, n)) == n``."""
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.workdays_between(b, a)
        count = 0
        d = a + _ONE_DAY
        while d <= b:
            if self.is_workday(d):
                count += 1
            d += _ONE_DAY
        return count

    # -- deadlines --------------------------------------------------------------------
    def filing_deadline(self, changed_on: date, workdays: int = DEFAULT_FILING_WORKDAYS) -> date:
        """Last day to file a major information change (name, legal representative,
        address, departments, level) made on ``changed_on``: 30 working days by default."""
        return self.add_workdays(changed_on, workdays)

    def appeal_deadline(self, notified_on: date, workdays: int = DEFAULT_APPEAL_WORKDAYS) -> date:
        """Last day to appeal (申诉) a measure notified on ``notified_on``: 10 working
        days by default."""
        return self.add_workdays(notified_on, workdays)

    def __repr__(self) -> str:
        return (
            f"WorkdayCalendar(overrides={len(self._overrides)} days, "
            f"known_years={sorted(self._known_years)})"
        )
