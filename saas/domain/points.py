"""协议管理记分制: points of a confirmed finding (seed 002 第六篇).

points = severity points (template, default minor 2 / general 5 / serious 8 / fraud 12)
× factor (自查自纠从宽 ×0.5 for self-reported, 检查发现从严 ×1.5 for what the last
self-inspection missed, else ×1). Mock inspections never produce points.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_SEVERITY_POINTS = {"minor": 2, "general": 5, "serious": 8, "fraud": 12}
SEVERITIES = tuple(DEFAULT_SEVERITY_POINTS)


@dataclass(frozen=True)
class PointsRules:
    severity_points: dict = field(default_factory=lambda: dict(DEFAULT_SEVERITY_POINTS))
    self_reported_factor: float = 0.5
    missed_by_self_inspection_factor: float = 1.5

    @classmethod
    def from_settings(cls, settings: dict | None) -> PointsRules:
        settings = settings or {}
        return cls(
            severity_points={**DEFAULT_SEVERITY_POINTS, **(settings.get("points") or {})},
            self_reported_factor=settings.get("self_reported_factor", 0.5),
            missed_by_self_inspection_factor=settings.get("missed_factor", 1.5),
        )

    def factor(self, self_reported: bool, missed_by_self_inspection: bool = False) -> float:
        if self_reported:
            return self.self_reported_factor
        if missed_by_self_inspection:
            return self.missed_by_self_inspection_factor
        return 1.0

    def points(self, severity: str, self_reported: bool, missed: bool = False) -> float:
        if severity not in self.severity_points:
            raise ValueError("unknown severity", severity)
        return self.severity_points[severity] * self.factor(self_reported, missed)


def missed_by_self_inspection(category: str, indicator_id: int | None,
                              self_inspection_done: bool,
                              self_findings: list[tuple[str, int | None]]) -> bool:
    """检查发现从严: a bureau finding the institution's own self-inspection of the same
    period missed. Missed when that self-inspection was done (submitted) and none of its
    findings is of the same category (and, where both name one, the same indicator).
    With no self-inspection there is nothing to have missed: the plain factor applies."""
    if not self_inspection_done:
        return False
    for own_category, own_indicator in self_findings:
        same_indicator = (indicator_id is None or own_indicator is None
                          or own_indicator == indicator_id)
        if own_category == category and same_indicator:
            return False
    return True


# ------------------------------------------------------------------ the points ledger
LEDGER_REASONS: tuple[str, ...] = ("finding_confirmed", "finding_dismissed",
                                   "measure_revoked", "rectification_reopened")


@dataclass(frozen=True)
class LedgerEntry:
    """One line of an agreement's points ledger (记分台账). Lines are only ever added: a
    dismissed finding or a revoked measure adds a line that takes the points back."""

    finding_id: int
    year: int
    points: float
    reason: str = "finding_confirmed"


def confirmation_entry(finding_id: int, decided_on_year: int, severity: str,
                       self_reported: bool, missed: bool, mock: bool,
                       rules: PointsRules) -> LedgerEntry | None:
    """The line a confirmed finding adds, in the calendar year of the decision that
    confirmed it (not the period it was about); none for a mock inspection's finding."""
    if mock:
        return None
    return LedgerEntry(finding_id, decided_on_year,
                       rules.points(severity, self_reported, missed))


def reversal_entry(original: LedgerEntry, reason: str) -> LedgerEntry:
    """The line that takes ``original``'s points back (复核不成立, a revoked measure): in
    the original's year, so that year's total is as if the finding had never counted."""
    if reason not in LEDGER_REASONS or reason == "finding_confirmed":
        raise ValueError("not a reason to take points back", reason)
    return LedgerEntry(original.finding_id, original.year, -original.points, reason)


def reopening_entry(original: LedgerEntry, year: int, factor: float) -> LedgerEntry:
    """整改不力或虚假整改: the line that multiplies a finding's points by ``factor`` (2:
    doubled) when its rectification is reopened on re-check, in the year of that
    re-check (a decision of its own, like a confirmation)."""
    if factor < 1:
        raise ValueError("a reopening never lowers the points", factor)
    return LedgerEntry(original.finding_id, year, original.points * (factor - 1),
                       "rectification_reopened")


def year_total(entries, year: int) -> float:
    """The year's points: every line of that year, reversals included. A new year starts
    at zero; the lines of other years stay as they were."""
    return sum(e.points for e in entries if e.year == year)
