"""记分台账: an agreement's points ledger, one calendar year at a time.

A confirmed finding adds a line in the year of the decision that confirmed it (severity
points from the agreement's template × the self/missed factor); a dismissed finding or a
revoked measure adds a reversal line in the original line's year. Lines are never changed
or deleted (saas.domain.points). The caller owns the transaction: these run inside the
finding's decision or the measure's step.
"""

from __future__ import annotations

from sqlalchemy import func, select

from saas.domain import points as rules
from saas.domain.permissions import kind_counts
from saas.extensions import db
from saas.models import Agreement, Assessment, Finding, PointsEntry
from saas.services import audit
from saas.services.base import find
from saas.timeutil import local, today_local
from tenants.context import require

SELF_INSPECTION_DONE = ("submitted", "finalized")


def points_rules(agreement: Agreement) -> rules.PointsRules:
    return rules.PointsRules.from_settings(agreement.template.settings)


def add_confirmation(finding: Finding, agreement: Agreement) -> PointsEntry | None:
    """The line of a just-confirmed finding; none for a mock inspection's."""
    assessment = finding.assessment
    year = local(finding.decided_at).year
    missed = not finding.self_reported and _missed_by_self_inspection(finding, assessment)
    entry = rules.confirmation_entry(finding.id, year, finding.severity, finding.self_reported,
                                     missed, not kind_counts(assessment.kind),
                                     points_rules(agreement))
    if entry is None:
        return None
    factor = points_rules(agreement).factor(finding.self_reported, missed)
    return _write(agreement, finding, entry, factor, kind="confirmation")


def take_back(finding: Finding, reason: str, measure_id: int | None = None) -> PointsEntry | None:
    """The reversal of ``finding``'s line, in that line's year; none when the finding
    never counted or was already taken back (a finding is taken back once)."""
    line = _line(finding.id, "confirmation")
    if line is None or _line(finding.id, "reversal") is not None:
        return None
    original = rules.LedgerEntry(line.finding_id, line.year, line.points)
    agreement = db.session.get(Agreement, line.agreement_id)
    return _write(agreement, finding, rules.reversal_entry(original, reason), line.factor,
                  kind="reversal", measure_id=measure_id)


def add_reopening(finding: Finding, factor: float) -> PointsEntry | None:
    """The line that doubles ``finding``'s points when its rectification is reopened
    (整改不力或虚假整改), in this year; none when it never counted, was taken back, or was
    doubled already (a finding is doubled once)."""
    line = _line(finding.id, "confirmation")
    if line is None or _line(finding.id, "reversal") or _line(finding.id, "reopening"):
        return None
    original = rules.LedgerEntry(line.finding_id, line.year, line.points)
    agreement = db.session.get(Agreement, line.agreement_id)
    entry = rules.reopening_entry(original, today_local().year, factor)
    return _write(agreement, finding, entry, line.factor * factor, kind="reopening")


def year_total(agreement_id: int, year: int) -> float:
    """The year's points: its lines, reversals included (the domain's year_total, summed
    in SQL over the agreement's (agreement_id, year) index)."""
    return db.session.execute(
        select(func.coalesce(func.sum(PointsEntry.points), 0.0))
        .where(PointsEntry.agreement_id == agreement_id, PointsEntry.year == year)).scalar()


def ledger(agreement_id: int, year: int | None = None) -> dict:
    """GET /agreements/{id}/points: the year's total and its lines, oldest first."""
    agreement = find(Agreement, agreement_id)
    year = year or today_local().year
    lines = db.session.execute(
        select(PointsEntry).where(PointsEntry.agreement_id == agreement.id,
                                  PointsEntry.year == year)
        .order_by(PointsEntry.id)).scalars().all()
    return {"year": year, "agreement_id": agreement.id,
            "total": rules.year_total(lines, year),
            "events": [{"finding_id": e.finding_id, "points": e.points, "factor": e.factor,
                        "reason": e.reason, "severity": e.severity,
                        "measure_id": e.measure_id, "at": e.created_at} for e in lines]}


def _write(agreement, finding, entry: rules.LedgerEntry, factor: float, kind: str,
           measure_id: int | None = None) -> PointsEntry:
    line = PointsEntry(region_id=agreement.region_id, institution_id=agreement.institution_id,
                       agreement_id=agreement.id, year=entry.year, finding_id=finding.id,
                       kind=kind, reason=entry.reason, severity=finding.severity,
                       factor=factor, points=entry.points, measure_id=measure_id,
                       created_by=require().user_id)
    db.session.add(line)
    db.session.flush()
    audit.record(f"points.{kind}", line, after={
        "agreement_id": agreement.id, "year": entry.year, "finding_id": finding.id,
        "points": entry.points, "factor": factor, "reason": entry.reason})
    return line


def _line(finding_id: int, kind: str) -> PointsEntry | None:
    return db.session.execute(select(PointsEntry).where(
        PointsEntry.finding_id == finding_id, PointsEntry.kind == kind)).scalar_one_or_none()


def _missed_by_self_inspection(finding: Finding, assessment: Assessment) -> bool:
    """检查发现从严: the institution's last self-inspection of the same period (submitted)
    recorded no finding like this one (saas.domain.points.missed_by_self_inspection)."""
    own = db.session.execute(
        select(Assessment.id).where(Assessment.agreement_id == assessment.agreement_id,
                                    Assessment.kind == "self",
                                    Assessment.period == assessment.period,
                                    Assessment.status.in_(SELF_INSPECTION_DONE))
        .order_by(Assessment.id.desc()).limit(1)).scalar()
    found = [] if own is None else db.session.execute(
        select(Finding.category, Finding.indicator_id).where(
            Finding.assessment_id == own, Finding.status != "dismissed")).all()
    return rules.missed_by_self_inspection(finding.category, finding.indicator_id,
                                           own is not None, [tuple(f) for f in found])
