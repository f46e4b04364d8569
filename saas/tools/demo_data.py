"""Believable history for the demo region: monthly self-inspections (自查) from January
to last month for every institution, finalized through the same services a clerk uses,
and one routine inspection (日常检查) with a confirmed finding, whose points propose an
interview (约谈), notified to the institution, and whose rectification item is assigned. Values are seeded, so every demo
looks the same; a region that already has assessments is left alone."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select

from saas.extensions import db
from saas.models import Agreement, Assessment, Institution, Measure, RectificationItem, User
from saas.services import assessments, findings, measures, rectifications, scoring
from saas.services.evidence import Upload, store
from tenants.context import acting_as, for_user

# A one-page PDF: enough to stand for the evidence an indicator requires.
_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]"
        b"/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _value(indicator, rng: random.Random, quality: float):
    """A value near the indicator's target; `quality` 0..1 shifts it toward the good side."""
    if indicator.direction == "boolean":
        return 1 if rng.random() < 0.75 + 0.25 * quality else 0
    target = indicator.target or 0
    zero = indicator.zero if indicator.zero is not None else target * 2 or 1
    spread = abs(zero - target) or 1
    good_side = -1 if indicator.direction == "lower_better" else 1
    offset = rng.gauss(0.35 * quality - 0.1, 0.35) * spread
    value = target + good_side * offset
    if indicator.unit == "%":
        value = min(max(value, 0), 100)
    return round(max(value, 0), 2)


def _user(institution_id: int | None, role: str) -> User | None:
    statement = select(User).where(User.role == role, User.institution_id == institution_id)
    return db.session.execute(statement).scalars().first()


def _months(today: date) -> list[str]:
    return [f"{today.year}-{m:02d}" for m in range(1, today.month)]


def _fill(assessment: Assessment, rng: random.Random, quality: float) -> None:
    due = scoring.due_indicators(assessment)
    rows = [{"indicator_code": i.code, "value": _value(i, rng, quality)} for i in due.indicators]
    assessments.save_measurements(assessment.id, rows)
    values = {r["indicator_code"]: r["value"] for r in rows}
    files = {i.code: store(Upload(f"{assessment.period}-{i.code}.pdf", _PDF, "application/pdf"),
                           assessment.institution)
             for i in due.indicators if i.evidence_required}
    if files:
        db.session.commit()
        assessments.save_measurements(assessment.id, [
            {"indicator_code": code, "value": values[code], "evidence_ids": [evidence.id]}
            for code, evidence in files.items()])


def _self_inspections(institution_id: int, code: str, agreement_id: int, months: list[str]):
    admin = _user(institution_id, "institution_admin")
    rng = random.Random(f"pact-demo-{code}")
    quality = rng.random()
    with acting_as(for_user(admin)):
        for period in months:
            assessment = assessments.create(agreement_id, "self", period)
            _fill(assessment, rng, quality)
            assessments.transition(assessment.id, "submit")
            assessments.transition(assessment.id, "finalize")


def _routine_inspection(code: str, agreement_id: int, period: str, bureau_admin: User,
                        inspector: User) -> None:
    rng = random.Random(f"pact-demo-routine-{code}")
    with acting_as(for_user(inspector)):
        assessment = assessments.create(agreement_id, "routine", period)
        institution_id = assessment.institution_id
        _fill(assessment, rng, 0.2)
        finding = findings.create(findings.FindingInput(
            assessment_id=assessment.id, category="duplicate_charge", severity="general",
            amount_fen=128_000, location="住院部三病区",
            description="抽查 20 份住院病历，3 份存在同一检查项目重复收费。"))
    with acting_as(for_user(bureau_admin)):
        findings.decide(finding.id, "confirm")  # 5 points: an interview is proposed
        proposed = db.session.execute(select(Measure.id).where(
            Measure.agreement_id == agreement_id)).scalars().first()
    if proposed is not None:  # notified: the institution sees it and may appeal
        with acting_as(for_user(inspector)):
            measures.notify(proposed)
    _ledger(institution_id)


def _ledger(institution_id: int) -> None:
    """整改台账: the confirmed finding's item assigned and started by the 医保办, and one
    item of its own self-inspection, so "my items" has something on the first visit."""
    admin, staff = _user(institution_id, "institution_admin"), _user(institution_id,
                                                                     "institution_staff")
    if admin is None or staff is None:
        return
    with acting_as(for_user(admin)):
        item = db.session.execute(select(RectificationItem.id)).scalars().first()
        rectifications.assign(item, {"owner_id": staff.id, "department": "财务科",
                                     "measures_to_take": "逐项核对检查项目收费，退还重复收费并培训收费员"})
        rectifications.start(item)
        rectifications.open_by_hand(rectifications.ItemInput(
            source="self_inspection", category="uninformed_self_pay", severity="minor",
            description="自查发现：部分自费药品未签署知情同意书。", department="药剂科",
            measures_to_take="补签知情同意书，修订自费项目告知流程", owner_id=staff.id))


def seed(today: date) -> int:
    """Create the history if the region has none yet; returns assessments created."""
    bureau_admin = db.session.execute(
        select(User).where(User.role == "bureau_admin")).scalars().first()
    inspector = db.session.execute(
        select(User).where(User.role == "bureau_inspector")).scalars().first()
    with acting_as(for_user(bureau_admin)):
        if db.session.execute(select(Assessment.id).limit(1)).first():
            return 0
        # Plain values: ORM objects would reload under each institution's own context.
        pairs = db.session.execute(
            select(Institution.id, Institution.code, Agreement.id).join(
                Agreement, Agreement.institution_id == Institution.id)
            .where(Agreement.status == "active").order_by(Institution.code)).all()
    months = _months(today)
    for institution_id, code, agreement_id in pairs:
        _self_inspections(institution_id, code, agreement_id, months)
    if months and pairs:
        _, code, agreement_id = pairs[0]
        _routine_inspection(code, agreement_id, months[-1], bureau_admin, inspector)
    return len(months) * len(pairs) + (1 if months and pairs else 0)
