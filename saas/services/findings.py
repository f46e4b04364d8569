"""检查发现的问题: record (with photos), raise from a red indicator, confirm, dismiss.

Recording follows the assessment kind's ``record_finding`` rule and needs the assessment
to be a draft; confirming and dismissing follow ``confirm_finding`` / ``dismiss_finding``
(a bureau user, or the institution's admin for its own mock rehearsal). A finding of a
self-inspection is self-reported (自查自纠从宽).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from saas.domain import findings as rules
from saas.domain.lifecycle import TransitionError
from saas.domain.messages import N_, message_of
from saas.domain.permissions import assessment_is_editable, can
from saas.domain.points import SEVERITIES
from saas.errors import Conflict, Invalid
from saas.extensions import db
from saas.models import Agreement, Assessment, Clause, Finding, Indicator
from saas.services import audit, enforcement, scoring
from saas.services import evidence as evidence_service
from saas.services.assessments import require_can
from saas.services.base import column_snapshot, find, transaction
from saas.timeutil import utcnow
from tenants.context import require

MAX_PHOTOS = 10


@dataclass
class FindingInput:
    """What a finding says, as parsed by a view (API body or web form)."""

    assessment_id: int
    category: str
    severity: str
    description: str
    amount_fen: int = 0
    clause_number: str | None = None
    indicator_code: str | None = None
    location: str | None = None
    evidence_ids: list[int] = field(default_factory=list)


def list_statement(assessment_id=None, institution_id=None, status=None, severity=None,
                   category=None, self_reported=None):
    """Findings the caller may see (the ORM filter scopes them), newest first."""
    statement = select(Finding).order_by(Finding.id.desc())
    for column, value in ((Finding.assessment_id, assessment_id),
                          (Finding.institution_id, institution_id), (Finding.status, status),
                          (Finding.severity, severity), (Finding.category, category),
                          (Finding.self_reported, self_reported)):
        if value is not None:
            statement = statement.where(column == value)
    return statement


def _field_errors(data: FindingInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.category not in rules.CATEGORIES:
        errors["category"] = [N_("请选择问题类别")]
    if data.severity not in SEVERITIES:
        errors["severity"] = [N_("请选择严重程度")]
    if not (data.description or "").strip():
        errors["description"] = [N_("请填写问题描述")]
    elif len(data.description) > rules.MAX_DESCRIPTION:
        errors["description"] = [N_("最多 %(n)s 字", n=rules.MAX_DESCRIPTION)]
    amount = data.amount_fen
    if not isinstance(amount, int) or not 0 <= amount <= rules.MAX_AMOUNT_FEN:
        errors["amount_fen"] = [N_("涉及金额应为 0 至 %(max)s 之间的整数（分）",
                                   max=rules.MAX_AMOUNT_FEN)]
    if data.location and len(data.location) > 200:
        errors["location"] = [N_("最多 %(n)s 字", n=200)]
    return errors


def _targets(data: FindingInput, agreement: Agreement, errors: dict):
    """The clause and indicator named, from the agreement's own template version."""
    clause = indicator = None
    if data.indicator_code:
        indicator = db.session.execute(
            select(Indicator).where(Indicator.template_id == agreement.template_id,
                                    Indicator.code == data.indicator_code)).scalar_one_or_none()
        if indicator is None:
            errors["indicator_code"] = [N_("协议中没有指标 %(code)s", code=data.indicator_code)]
    if data.clause_number:
        clause = db.session.execute(
            select(Clause).where(Clause.template_id == agreement.template_id,
                                 Clause.number == data.clause_number)).scalar_one_or_none()
        if clause is None:
            errors["clause_number"] = [N_("协议中没有条款 %(number)s",
                                          number=data.clause_number)]
    if indicator is not None and clause is None and not data.clause_number:
        clause = indicator.clause
    elif indicator is not None and clause is not None and indicator.clause_id != clause.id:
        errors["indicator_code"] = [N_("指标 %(code)s 不属于条款 %(number)s",
                                       code=indicator.code, number=clause.number)]
    return clause, indicator


def check_recordable(assessment: Assessment) -> None:
    require_can("record_finding", assessment.kind)
    if not assessment_is_editable(assessment.status):
        raise Conflict(N_("考核已提交或定稿，不能再登记问题"))


def create(data: FindingInput, photos: list | None = None) -> Finding:
    """Record a draft finding (photos: evidence_service.Upload files from the form)."""
    assessment = find(Assessment, data.assessment_id)
    check_recordable(assessment)
    photos = photos or []
    with transaction():
        errors = _field_errors(data)
        clause, indicator = _targets(data, assessment.agreement, errors)
        attached = _evidence(data.evidence_ids, assessment, errors)
        if len(photos) > MAX_PHOTOS:
            errors["photos"] = [N_("最多 %(n)s 张照片", n=MAX_PHOTOS)]
        if errors:
            raise Invalid(N_("请检查标注的字段"), errors)
        finding = _add(assessment, data, clause, indicator)
        for evidence in attached:
            evidence_service.attach(evidence, finding)
        for photo in photos:
            evidence_service.attach(evidence_service.store(photo, assessment.institution), finding)
        db.session.flush()
        audit.record("finding.created", finding, after=column_snapshot(finding) | {
            "evidence_ids": sorted(e.id for e in finding.evidence)})
    return finding


def _evidence(ids: list[int], assessment: Assessment, errors: dict) -> list:
    found, missing = evidence_service.for_institution(ids or [], assessment.institution_id)
    problems = [N_("证据 %(id)s 不存在或不属于本机构", id=i) for i in missing]
    problems += [N_("证据 %(id)s 已关联其他问题", id=e.id) for e in found
                 if e.finding_id is not None]
    if problems:
        errors["evidence_ids"] = problems
    return found


def _add(assessment, data: FindingInput, clause, indicator) -> Finding:
    finding = Finding(
        assessment_id=assessment.id, institution_id=assessment.institution_id,
        region_id=assessment.region_id, clause_id=clause.id if clause else None,
        indicator_id=indicator.id if indicator else None, category=data.category,
        severity=data.severity, self_reported=rules.is_self_reported(assessment.kind),
        amount_fen=data.amount_fen, description=data.description.strip(),
        location=(data.location or "").strip() or None, status="draft",
        found_by=require().user_id, private=assessment.private)
    db.session.add(finding)
    db.session.flush()
    return finding


def prefill(assessment_id: int, indicator_code: str) -> dict:
    """"登记问题" on a red indicator of the scorecard: the form's indicator, clause and a
    description of what was measured. Nothing is saved: the inspector still grades it."""
    assessment = find(Assessment, assessment_id)
    check_recordable(assessment)
    rows = {r["code"]: r for r in scoring.scorecard_rows(assessment)}
    row = rows.get(indicator_code)
    if row is None or row["color"] != "red":
        return {}
    indicator = db.session.execute(
        select(Indicator).where(Indicator.template_id == assessment.agreement.template_id,
                                Indicator.code == indicator_code)).scalar_one()
    return {"indicator_code": indicator_code, "clause_number": indicator.clause.number,
            "description": rules.indicator_description(row["name"], row["value"],
                                                       row["target"], row["unit"],
                                                       row["direction"])}


def input_of(finding: Finding) -> FindingInput:
    """What a finding says now, as a form or a PATCH starts from it."""
    return FindingInput(
        assessment_id=finding.assessment_id, category=finding.category,
        severity=finding.severity, description=finding.description,
        amount_fen=finding.amount_fen, location=finding.location,
        clause_number=finding.clause.number if finding.clause else None,
        indicator_code=finding.indicator.code if finding.indicator else None)


def edit(finding_id: int, changes: dict) -> Finding:
    """PATCH: the draft finding with only the given fields changed (:func:`update`)."""
    return update(finding_id, replace(input_of(get(finding_id)), **changes))


def update(finding_id: int, data: FindingInput) -> Finding:
    """Correct a draft finding (待确认): the same checks as :func:`create`; a decided one
    is kept as it was decided."""
    finding = get(finding_id)
    check_recordable(finding.assessment)
    if finding.status != "draft":
        raise Conflict(N_("只有待确认的问题可以修改"))
    with transaction():
        errors = _field_errors(data)
        clause, indicator = _targets(data, finding.assessment.agreement, errors)
        attached = _evidence([i for i in data.evidence_ids
                              if i not in {e.id for e in finding.evidence}],
                             finding.assessment, errors)
        if errors:
            raise Invalid(N_("请检查标注的字段"), errors)
        before = column_snapshot(finding)
        finding.category, finding.severity = data.category, data.severity
        finding.description = data.description.strip()
        finding.amount_fen = data.amount_fen
        finding.location = (data.location or "").strip() or None
        finding.clause_id = clause.id if clause else None
        finding.indicator_id = indicator.id if indicator else None
        for evidence in attached:
            evidence_service.attach(evidence, finding)
        db.session.flush()
        audit.record("finding.updated", finding, before=before,
                     after=column_snapshot(finding) | {
                         "evidence_ids": sorted(e.id for e in finding.evidence)})
    return finding


def get(finding_id: int) -> Finding:
    return find(Finding, finding_id)


def decide(finding_id: int, action: str, reason: str | None = None) -> Finding:
    """confirm or dismiss (dismiss needs a reason); decisions are kept, never deleted. The
    row is locked first: of two identical decisions at once, the second gets a 409."""
    finding = find(Finding, finding_id, for_update=True)
    require_can(f"{action}_finding", finding.assessment.kind)
    try:
        new_state = rules.next_state(finding.status, action)
    except TransitionError as exc:
        raise Conflict(message_of(exc)) from None
    reason = (reason or "").strip()
    if action == "dismiss" and not reason:
        raise Invalid(N_("请填写驳回原因"), {"reason": [N_("请填写驳回原因")]})
    if len(reason) > rules.MAX_DESCRIPTION:
        raise Invalid(N_("原因过长"), {"reason": [N_("最多 %(n)s 字", n=rules.MAX_DESCRIPTION)]})
    with transaction():
        before = column_snapshot(finding)
        finding.status = new_state
        finding.decided_by = require().user_id
        finding.decided_at = utcnow()
        finding.dismiss_reason = (reason or None) if action == "dismiss" else None
        audit.record(f"finding.{new_state}", finding, before=before,
                     after=column_snapshot(finding))
        enforcement.finding_decided(finding, before["status"])
    return finding


def form_options(assessment_id: int) -> dict:
    """The new-finding form: the agreement's clauses and the period's indicators."""
    assessment = find(Assessment, assessment_id)
    check_recordable(assessment)
    clauses = db.session.execute(
        select(Clause.number, Clause.title)
        .where(Clause.template_id == assessment.agreement.template_id)
        .order_by(Clause.position)).all()
    indicators = scoring.due_indicators(assessment).indicators
    return {"assessment": assessment, "clauses": clauses,
            "indicators": [{"code": i.code, "name": i.name, "name_en": i.name_en}
                           for i in indicators],
            "categories": list(rules.CATEGORIES.values()), "severities": SEVERITIES}


def list_page(filters: dict, limit: int = 200) -> dict:
    """The findings page: findings with their assessment and institution, and the ids
    the caller may confirm or dismiss now."""
    statement = list_statement(**filters).options(
        selectinload(Finding.assessment).selectinload(Assessment.institution),
        selectinload(Finding.clause), selectinload(Finding.indicator),
        selectinload(Finding.evidence)).limit(limit)
    rows = db.session.execute(statement).scalars().all()
    role = require().role
    decidable = {f.id for f in rows if f.status == "draft"
                 and can(role, "confirm_finding", f.assessment.kind)}
    editable = {f.id for f in rows if f.status == "draft"
                and can(role, "record_finding", f.assessment.kind)
                and assessment_is_editable(f.assessment.status)}
    # 复核不成立: a confirmed finding dismissed on review, its points taken back
    reviewable = {f.id for f in rows if f.status == "confirmed"
                  and can(role, "dismiss_finding", f.assessment.kind)}
    return {"rows": rows, "decidable": decidable, "editable": editable,
            "reviewable": reviewable, "limit": limit}
