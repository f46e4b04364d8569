"""What follows a finding's decision (协议管理记分制, seed 002 第六篇; 整改台账).

A confirmed finding adds its points to the agreement's ledger for the year of the
decision; the year's total crossing a threshold of the agreement's template proposes its
measure (约谈, 限期整改, 通报批评, 中止协议), once per line and year; a confirmed fraud
finding proposes 解除 directly; every confirmed finding, a mock inspection's too, opens
its rectification item. A confirmed finding dismissed on review takes its points back. Runs inside the finding's decision (saas.services.findings.decide).
"""

from __future__ import annotations

from sqlalchemy import select

from saas.domain import lifecycle
from saas.domain import measures as rules
from saas.domain.messages import N_
from saas.extensions import db
from saas.models import Agreement, Finding, Measure
from saas.services import agreements, measures, points, rectifications
from saas.services.base import find
from saas.timeutil import local, today_local

FRAUD = "fraud"


def finding_decided(finding: Finding, before: str) -> None:
    """The points and proposals a finding's decision brings (``before``: its status
    before the decision)."""
    if finding.status == "confirmed":
        _confirmed(finding)
        rectifications.open_for_finding(finding)
    elif finding.status == "dismissed" and before == "confirmed":
        points.take_back(finding, "finding_dismissed")


def _confirmed(finding: Finding) -> None:
    # The agreement's row lock queues two confirmations of the same agreement, so each
    # reads the other's line in the year's total; the proposal key holds even without it.
    agreement = find(Agreement, finding.assessment.agreement_id, for_update=True)
    year = local(finding.decided_at).year
    before = points.year_total(agreement.id, year)
    line = points.add_confirmation(finding, agreement)
    if line is None:  # a mock inspection's finding never counts
        return
    _propose_for_thresholds(agreement, finding, year, before, before + line.points)
    if finding.severity == FRAUD:
        measures.propose_automatically(
            agreement, "rescission", rules.proposal_key(FRAUD, finding.id),
            N_("经查实存在欺诈骗保行为（问题 #%(id)s）", id=finding.id),
            article=N_("令第2号第四十三条"), finding=finding, ground=FRAUD)


def _propose_for_thresholds(agreement: Agreement, finding: Finding, year: int,
                            before: float, after: float) -> None:
    thresholds = (agreement.template.settings or {}).get("thresholds") or []
    keys = [rules.proposal_key("points", year, f"{t['points']:g}") for t in thresholds]
    proposed = set(db.session.execute(select(Measure.proposal_key).where(
        Measure.agreement_id == agreement.id, Measure.proposal_key.in_(keys))).scalars())
    already = [t["points"] for t, key in zip(thresholds, keys, strict=True) if key in proposed]
    for line in rules.crossed_thresholds(thresholds, before, after, already):
        measures.propose_automatically(
            agreement, line["measure"], rules.proposal_key("points", year, f"{line['points']:g}"),
            N_("%(year)s 年度记分累计 %(total)s 分，达到 %(points)s 分的处理线", year=year,
               total=format(after, "g"), points=format(line["points"], "g")),
            finding=finding, months=line.get("months"), year=year)


def rectification_reopened(finding: Finding, factor: float) -> None:
    """整改不力或虚假整改: the finding's points doubled this year, and the thresholds that
    crossing proposes (saas.services.rectifications.reopen)."""
    agreement = find(Agreement, finding.assessment.agreement_id, for_update=True)
    year = today_local().year
    before = points.year_total(agreement.id, year)
    line = points.add_reopening(finding, factor)
    if line is not None:
        _propose_for_thresholds(agreement, finding, year, before, before + line.points)


def annual_finalized(assessment) -> None:
    """A finalized annual assessment: the second 不合格 in a row of the institution's
    chain proposes 解除 on the agreement now in force (seed 002 第六篇)."""
    agreement = find(Agreement, assessment.agreement_id)
    if not lifecycle.rescission_due(0, agreements.annual_grades(agreement)):
        return
    target = agreements.in_force_successor(agreement)
    if target is None:  # nothing in force to rescind: renewal is refused anyway
        return
    measures.propose_automatically(
        target, "rescission", rules.proposal_key("consecutive_fail", assessment.id),
        N_("连续两个年度考核不合格（%(period)s）", period=assessment.period),
        article=N_("令第2号第四十三条"), ground="consecutive_fail")
