"""晴雨表 and 年度考核: which assessments are ranked together, the consecutive-period
rules, and how the year's period totals combine. Pure Python.

Every number is a default that a template's settings may override (``settings
["barometer"]`` and ``settings["annual"]``), per domain.md:

* 连续三个月排名后三位 → 帮扶 (assistance): bottom 3 of the region, 3 months running;
* 连续两次检查不达标 → 约谈 (interview): 2 official inspections in a row graded 不合格;
* monthly 晴雨表: ≥ 80 excellent, < 60 starts a special rectification (专项整改);
* annual total = months' mean − points × 1 (1 point of 记分 = 1 point off).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, fields

from saas.domain.messages import N_
from saas.domain.periods import Period
from saas.domain.permissions import KINDS, kind_counts
from saas.domain.scoring import annual_total, bottom_n, consecutive_flag

OFFICIAL_KINDS = ("routine", "special", "flight", "random")
#: Assessments ranked against each other: the official inspections together, every
#: other counting kind on its own. A kind that does not count (mock) has no group.
RANK_GROUPS: Mapping[str, tuple[str, ...]] = {
    kind: OFFICIAL_KINDS if kind in OFFICIAL_KINDS else (kind,)
    for kind in KINDS if kind_counts(kind)
}
#: An assessment's total counts in the ranks once it is submitted or finalized.
RANKED_STATUSES = ("submitted", "finalized")
#: Kinds whose totals make up the year's period totals (official first, then self).
ANNUAL_SOURCES = (OFFICIAL_KINDS, ("self",))


def rank_kinds(kind: str) -> tuple[str, ...]:
    """The kinds an assessment of ``kind`` is ranked with (empty for mock)."""
    return RANK_GROUPS.get(kind, ())


def rank_group(kind: str) -> str | None:
    """The name of the rank group of ``kind`` ("official" for the official inspections,
    else the kind itself; None for mock), as the rank read model stores it."""
    kinds = rank_kinds(kind)
    if not kinds:
        return None
    return "official" if kinds == OFFICIAL_KINDS else kind


@dataclass(frozen=True)
class BarometerRules:
    bottom_n: int = 3                 # 排名后三位
    bottom_run: int = 3               # 连续三个月
    fail_run: int = 2                 # 连续两次检查不达标
    excellent_from: float = 80        # 晴雨表 优
    special_rectification_below: float = 60

    @classmethod
    def from_settings(cls, settings: Mapping | None) -> BarometerRules:
        given = dict((settings or {}).get("barometer") or {})
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in given.items() if k in names})


def in_bottom(totals: Mapping[Hashable, float | None], key: Hashable, n: int) -> bool:
    """Whether ``key`` is among the ``n`` lowest totals (ties at the boundary count).
    When no more than ``n`` have a total, "the bottom n" would be everyone, which says
    nothing, so nobody is in it."""
    known = [t for t in totals.values() if t is not None]
    if totals.get(key) is None or len(known) <= n:
        return False
    return key in bottom_n(totals, n)


def in_bottom_by_counts(own_total: float | None, others: int, below: int, n: int) -> bool:
    """:func:`in_bottom` from what SQL counts without fetching the region's totals: the
    institution has a total, ``others`` other institutions have one and ``below`` of them
    are lower. In the bottom n when more than n have a total and fewer than n are below
    (ties at the boundary count)."""
    return own_total is not None and others + 1 > n and below < n


def monthly_barometer(total: float | None, rules: BarometerRules) -> str | None:
    """晴雨表 of a month: excellent | normal | special_rectification (None: no total)."""
    if total is None:
        return None
    if total >= rules.excellent_from:
        return "excellent"
    if total < rules.special_rectification_below:
        return "special_rectification"
    return "normal"


def flags(*, bottom_history: list[bool], fail_history: list[bool],
          barometer: str | None, rules: BarometerRules) -> list[dict]:
    """The flags a scorecard shows, each ``{code, label}`` (label a Msg: Chinese, and
    translated when shown). Histories are oldest first and end with the assessed period."""
    out = []
    if consecutive_flag(bottom_history, rules.bottom_run):
        out.append({"code": "assistance",
                    "label": N_("连续%(months)s个月排名后%(n)s位，列入帮扶",
                                months=rules.bottom_run, n=rules.bottom_n)})
    if consecutive_flag(fail_history, rules.fail_run):
        out.append({"code": "interview",
                    "label": N_("连续%(times)s次检查不合格，约谈负责人", times=rules.fail_run)})
    if barometer == "special_rectification":
        out.append({"code": "special_rectification",
                    "label": N_("月度得分低于%(score)s分，启动专项整改",
                                score=f"{rules.special_rectification_below:g}")})
    return out


# --------------------------------------------------------------------------- annual


@dataclass(frozen=True)
class AnnualRules:
    points_per_deduction: float = 1.0

    @classmethod
    def from_settings(cls, settings: Mapping | None) -> AnnualRules:
        given = dict((settings or {}).get("annual") or {})
        return cls(points_per_deduction=float(given.get("points_per_deduction", 1.0)))


def month_totals(year: int, totals: Mapping[Period, float | None]) -> dict[int, float]:
    """Each month of ``year`` with the total that covers it: its monthly total, else the
    total of its quarter. A quarter thus weighs as much as the three months it covers."""
    months: dict[int, float] = {}
    for period, total in totals.items():
        if total is None or period.year != year or period.kind != "quarter":
            continue
        for month in range(period.start.month, period.end.month + 1):
            months[month] = total
    for period, total in totals.items():
        if total is not None and period.year == year and period.kind == "month":
            months[period.index] = total
    return dict(sorted(months.items()))


def annual_result(year: int, totals: Mapping[Period, float | None], points: float,
                  rules: AnnualRules = AnnualRules()) -> float | None:
    """年度考核 total: the covered months' mean minus the year's points."""
    covered = month_totals(year, totals)
    return annual_total(list(covered.values()), points, rules.points_per_deduction)
