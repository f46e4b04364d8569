"""申请: the institution asks to suspend, end (解除) or not renew its agreement.

At least 3 months ahead and within the term; a public (公立) institution may not ask to
suspend or end (saas.domain.lifecycle.check_request). A bureau admin accepts or refuses
with a reason. Accepted, a suspension or rescission becomes a decided measure (its
proposer the institution, its decider the bureau admin) that takes effect on the day
asked (the daily job); rescission at the institution's own request bars no one. Not
renewing is kept on the request, and renewal of the agreement is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from saas.domain import lifecycle
from saas.domain import measures as measure_rules
from saas.domain.messages import N_, message_of
from saas.errors import Conflict, Forbidden, Invalid
from saas.extensions import db
from saas.models import Agreement, AgreementRequest
from saas.services import audit, measures, notifications
from saas.services.base import column_snapshot, find, transaction
from saas.timeutil import today_local, utcnow
from tenants.context import require

MAX_TEXT = measure_rules.MAX_TEXT
DECISIONS = ("accept", "refuse")


@dataclass
class RequestInput:
    agreement_id: int
    kind: str
    effective_on: date | None
    reason: str
    months: int | None = None


def list_statement(agreement_id: int):
    """The agreement's requests the caller may see, newest first."""
    return (select(AgreementRequest).where(AgreementRequest.agreement_id == agreement_id)
            .order_by(AgreementRequest.id.desc()))


def get(request_id: int) -> AgreementRequest:
    return find(AgreementRequest, request_id)


def create(data: RequestInput) -> AgreementRequest:
    """The institution's admin asks; the bureau admins are told."""
    ctx = require()
    if ctx.role != "institution_admin":
        raise Forbidden(N_("只有机构医保办可以提出申请"))
    with transaction():
        agreement = find(Agreement, data.agreement_id, for_update=True)
        effective_on = agreement.end if data.kind == "non_renewal" else data.effective_on
        _check(data, agreement, effective_on)
        request = AgreementRequest(
            region_id=agreement.region_id, institution_id=agreement.institution_id,
            agreement_id=agreement.id, kind=data.kind, effective_on=effective_on,
            months=data.months if data.kind == "suspension" else None,
            reason=data.reason.strip(), status="pending", requested_by=ctx.user_id)
        db.session.add(request)
        db.session.flush()
        audit.record("agreement_request.created", request, after=column_snapshot(request))
        notifications.send(notifications.users_with_roles(("bureau_admin",)),
                           "request_created", N_("%(institution)s 申请「%(kind)s」，待审核",
                                                 institution=agreement.institution.name,
                                                 kind=KIND_WORDS[data.kind]),
                           f"/agreements/{agreement.id}")
    return request


def decide(request_id: int, decision: str, reason: str) -> AgreementRequest:
    """A bureau admin accepts or refuses a pending request, with the reason."""
    ctx = require()
    if ctx.role != "bureau_admin":
        raise Forbidden(N_("只有医保局管理员可以审核申请"))
    reason = (reason or "").strip()
    if decision not in DECISIONS or not reason or len(reason) > MAX_TEXT:
        raise Invalid(N_("请检查标注的字段"), {
            **({"decision": [N_("请选择同意或不同意")]} if decision not in DECISIONS else {}),
            **({"reason": [N_("请填写理由（最多 %(n)s 字）", n=MAX_TEXT)]}
               if not reason or len(reason) > MAX_TEXT else {})})
    with transaction():
        request = find(AgreementRequest, request_id, for_update=True)
        if request.status != "pending":
            raise Conflict(N_("该申请已处理"))
        before = column_snapshot(request)
        request.status = "accepted" if decision == "accept" else "refused"
        request.decided_by, request.decided_at = ctx.user_id, utcnow()
        request.decision_reason = reason
        if decision == "accept" and request.kind != "non_renewal":
            request.measure_id = measures.record_request(
                find(Agreement, request.agreement_id, for_update=True), request.kind,
                request.months, request.effective_on,
                N_("机构申请（%(reason)s）", reason=request.reason), request.requested_by,
                reason).id
        audit.record(f"agreement_request.{request.status}", request, before=before,
                     after=column_snapshot(request))
        notifications.send(notifications.users_with_roles(
            ("institution_admin",), request.institution_id), "request_decided",
            N_("「%(kind)s」申请：%(status)s", kind=KIND_WORDS[request.kind],
               status=STATUS_WORDS[request.status]), f"/agreements/{request.agreement_id}")
    return request


KIND_WORDS = {"suspension": N_("中止协议"), "rescission": N_("解除协议"),
              "non_renewal": N_("不再续签")}
STATUS_WORDS = {"accepted": N_("同意"), "refused": N_("不同意")}


def _check(data: RequestInput, agreement: Agreement, effective_on: date | None) -> None:
    errors: dict[str, list] = {}
    if data.kind not in lifecycle.REQUEST_KINDS:
        errors["kind"] = [N_("请选择申请类型")]
    if effective_on is None:
        errors["effective_on"] = [N_("请填写申请生效日期")]
    if data.kind == "suspension" and not (isinstance(data.months, int)
                                          and 1 <= data.months <= measure_rules.MAX_MONTHS):
        errors["months"] = [N_("月数应为 1 至 %(max)s 之间的整数", max=measure_rules.MAX_MONTHS)]
    if not (data.reason or "").strip() or len(data.reason) > MAX_TEXT:
        errors["reason"] = [N_("请填写理由（最多 %(n)s 字）", n=MAX_TEXT)]
    if errors:
        raise Invalid(N_("请检查标注的字段"), errors)
    if agreement.status != "active":
        raise Conflict(N_("协议不在履行中，不能提出申请"))
    ownership = agreement.institution.ownership
    try:
        lifecycle.check_request(data.kind, ownership, today_local(), effective_on,
                                agreement.end)
    except lifecycle.TransitionError as exc:
        field = "kind" if ownership == "public" and data.kind != "non_renewal" else "effective_on"
        raise Invalid(message_of(exc), {field: [message_of(exc)]}) from None
    pending = db.session.execute(select(AgreementRequest.id).where(
        AgreementRequest.agreement_id == agreement.id,
        AgreementRequest.status == "pending").limit(1)).first()
    if pending is not None:
        raise Conflict(N_("该协议已有待审核的申请"))
