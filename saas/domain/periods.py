"""Assessment periods: ``2026-10`` (month), ``2026-Q3`` (quarter), ``2026`` (year).

Pure Python. A :class:`Period` knows its first and last day (both inclusive);
``str(period)`` gives the canonical spelling used by the API (``period`` field of
``/assessments``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from saas.domain.messages import N_

__all__ = [
    "KINDS",
    "KIND_LABELS_ZH",
    "Period",
    "PeriodError",
    "add_months",
    "parse_period",
    "period_contains",
    "period_of",
    "previous_periods",
]

KINDS = ("month", "quarter", "year")
KIND_LABELS_ZH = {"month": "月度", "quarter": "季度", "year": "年度"}

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
_QUARTER_RE = re.compile(r"^(\d{4})-[Qq](\d)$", re.ASCII)
_YEAR_RE = re.compile(r"^(\d{4})$", re.ASCII)
_FORMAT_HINT = N_("应为 YYYY-MM（如 2026-10）、YYYY-Qn（如 2026-Q3）或 YYYY（如 2026）")


class PeriodError(ValueError):
    """A period string or argument that cannot be understood (message in Chinese)."""


def _month_length(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - timedelta(days=1)).day


def add_months(d: date, months: int) -> date:
    """``d`` moved by ``months`` calendar months; the day is clamped to the month's end
    (2026-01-31 + 1 month = 2026-02-28)."""
    total = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise PeriodError(N_("日期超出范围：%(date)s 移动 %(months)s 个月", date=d.isoformat(),
                             months=months))
    last = _month_length(year, month0 + 1)
    return date(year, month0 + 1, min(d.day, last))


def _check_year(year: int) -> None:
    if not 1 <= year <= 9999:
        raise PeriodError(N_("年份无效：%(year)s，应在 0001 至 9999 之间", year=year))


@dataclass(frozen=True)
class Period:
    """One assessment period. ``index`` is the month (1-12), the quarter (1-4) or 1 for a
    year. Build it with :func:`parse_period`, :meth:`month`, :meth:`quarter` or
    :meth:`of_year`."""

    kind: str
    year: int
    index: int
    start: date
    end: date

    # -- constructors -------------------------------------------------------------
    @classmethod
    def month(cls, year: int, month: int) -> Period:
        _check_year(year)
        if not 1 <= month <= 12:
            raise PeriodError(N_("月份无效：%(month)s，应在 1 至 12 之间", month=month))
        last = _month_length(year, month)
        return cls("month", year, month, date(year, month, 1), date(year, month, last))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        _check_year(year)
        if not 1 <= quarter <= 4:
            raise PeriodError(N_("季度无效：Q%(quarter)s，应在 Q1 至 Q4 之间", quarter=quarter))
        first_month = 3 * (quarter - 1) + 1
        last_month = first_month + 2
        last = _month_length(year, last_month)
        return cls(
            "quarter", year, quarter, date(year, first_month, 1), date(year, last_month, last)
        )

    @classmethod
    def of_year(cls, year: int) -> Period:
        _check_year(year)
        return cls("year", year, 1, date(year, 1, 1), date(year, 12, 31))

    # -- behaviour ----------------------------------------------------------------
    def __str__(self) -> str:
        if self.kind == "month":
            return f"{self.year:04d}-{self.index:02d}"
        if self.kind == "quarter":
            return f"{self.year:04d}-Q{self.index}"
        return f"{self.year:04d}"

    @property
    def label_zh(self) -> str:
        """``2026年10月`` / ``2026年第3季度`` / ``2026年度``."""
        if self.kind == "month":
            return f"{self.year}年{self.index}月"
        if self.kind == "quarter":
            return f"{self.year}年第{self.index}季度"
        return f"{self.year}年度"

    def shift(self, k: int) -> Period:
        """The period ``k`` steps later (negative: earlier), of the same kind."""
        if self.kind == "year":
            return Period.of_year(self.year + k)
        per_year = 12 if self.kind == "month" else 4
        year, idx0 = divmod(self.year * per_year + (self.index - 1) + k, per_year)
        if self.kind == "month":
            return Period.month(year, idx0 + 1)
        return Period.quarter(year, idx0 + 1)

    def previous(self) -> Period:
        return self.shift(-1)

    def next(self) -> Period:
        return self.shift(1)

    def contains(self, d: date) -> bool:
        if isinstance(d, datetime):
            d = d.date()
        return self.start <= d <= self.end


def last_closed_month(today: date) -> Period:
    """The month a self-inspection is now due for (本期): the last month that has ended."""
    return Period.month(today.year, today.month).previous()


def parse_period(s: str | Period) -> Period:
    """Parse ``2026-10``, ``2026-Q3`` (``q`` accepted) or ``2026``; surrounding blanks are
    ignored. Raises :class:`PeriodError` (Chinese message) for anything else."""
    if isinstance(s, Period):
        return s
    if not isinstance(s, str):
        raise PeriodError(N_("期间必须是字符串，收到 %(type)s；%(hint)s", type=type(s).__name__,
                             hint=_FORMAT_HINT))
    text = s.strip()
    if not text:
        raise PeriodError(N_("期间不能为空；%(hint)s", hint=_FORMAT_HINT))
    if m := _MONTH_RE.match(text):
        return Period.month(int(m.group(1)), int(m.group(2)))
    if m := _QUARTER_RE.match(text):
        return Period.quarter(int(m.group(1)), int(m.group(2)))
    if m := _YEAR_RE.match(text):
        return Period.of_year(int(m.group(1)))
    raise PeriodError(N_("期间格式无效：「%(text)s」；%(hint)s", text=s, hint=_FORMAT_HINT))


def period_of(kind: str, d: date) -> Period:
    """The period of ``kind`` ('month' | 'quarter' | 'year') that contains ``d``."""
    if isinstance(d, datetime):
        d = d.date()
    if kind == "month":
        return Period.month(d.year, d.month)
    if kind == "quarter":
        return Period.quarter(d.year, (d.month - 1) // 3 + 1)
    if kind == "year":
        return Period.of_year(d.year)
    raise PeriodError(N_("期间类型无效：%(kind)s，应为 month、quarter 或 year", kind=repr(kind)))


def previous_periods(period: Period | str, n: int, *, include_self: bool = False) -> list[Period]:
    """The ``n`` periods immediately before ``period``, oldest first (chronological).

    With ``include_self=True`` the list ends with ``period`` itself and has ``n + 1``
    entries, which is what "连续 N 期" rules want: ``previous_periods(p, 2, include_self=True)``
    is the last three periods ending at ``p``.
    """
    p = parse_period(period)
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise PeriodError(N_("期数无效：%(n)s，应为非负整数", n=repr(n)))
    out = [p.shift(-k) for k in range(n, 0, -1)]
    if include_self:
        out.append(p)
    return out


def period_contains(period: Period | str, d: date) -> bool:
    """Whether ``d`` falls inside ``period`` (both ends inclusive)."""
    return parse_period(period).contains(d)
