"""服务协议: create, sign, renew, expire, and the effects of measures (suspend, resume,
rescind, terminate: saas.services.measures) — only through here.

Each use case fetches the agreement through the tenant filter (another tenant's answers
404), checks the role (403), asks the state machine in saas.domain.lifecycle (a refused
transition is a 409 with its Chinese message), runs in one transaction and writes one
audit entry. Agreement.status refuses to change anywhere else (models.agreements guard).

Renewal creates the successor agreement in status ``draft``; the bureau then signs it
with :func:`sign` like any other agreement, so the signing step stays explicit.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from saas.domain import lifecycle, limits
from saas.domain import measures as measure_rules
from saas.domain.calendar import DEFAULT_FILING_WORKDAYS, WorkdayCalendar
from saas.domain.messages import N_, message_of
from saas.domain.permissions import can
from saas.errors import Conflict, Forbidden, Invalid, NotFound
from saas.extensions import db
from saas.models import (
    Agreement,
    AgreementRequest,
    Assessment,
    AuditEntry,
    InformationChange,
    Institution,
    Template,
)
from saas.models.agreements import AGREEMENT_STATUS
from saas.services import analytics, audit, bars, points, templates
from saas.services.base import column_snapshot, find, page_of, require_role, transaction
from saas.services.workdays import workday_calendar
from saas.timeutil import local_midnight_utc, today_local, utcnow
from tenants.context import require

# action → the permission (saas.domain.permissions) it needs and its audit verb.
# 中止, 恢复履行 and 解除 are measures' effects (saas.services.measures, with their due
# process: notice, appeal, a second bureau user's decision), never direct actions.
PERMISSIONS = {"sign": "sign_agreement", "renew": "renew"}
AUDIT_VERBS = {"sign": "signed", "suspend": "suspended", "resume": "resumed",
               "rescind": "rescinded", "expire": "expired", "terminate": "terminated"}
NUMBER_LENGTH = 40  # Agreement.number
EXPIRY_NOTE = "协议期限届满，未续签"
_OUT_OF_CALENDAR = N_("日期应在 %(first)s 至 %(last)s 之间", first=str(limits.FIRST_DAY),
                      last=str(limits.LAST_DAY))


# ------------------------------------------------------------------------------ reading


def list_statement(status: str | None = None, institution_id: int | None = None,
                   expiring: bool = False):
    """Agreements the context may see (the ORM filter scopes them), newest first: by
    start, then number, both descending, so that ix_agreements_list serves every page.
    ``expiring``: only those in their renewal window (analytics.expiring_agreements)."""
    # each row's own institution in the same statement; the few templates in one more
    statement = (select(Agreement)
                 .options(joinedload(Agreement.institution), selectinload(Agreement.template))
                 .order_by(Agreement.start.desc(), Agreement.number.desc(),
                           Agreement.id.desc()))
    if status:
        statement = statement.where(Agreement.status == status)
    if institution_id:
        statement = statement.where(Agreement.institution_id == institution_id)
    if expiring:
        statement = statement.where(Agreement.id.in_(
            analytics.expiring_agreements().with_only_columns(Agreement.id)))
    return statement


def get(agreement_id: int) -> Agreement:
    return find(Agreement, agreement_id)


def detail(agreement_id: int) -> dict:
    """What the agreement page shows: the agreement, the exact clauses and indicators of
    the template version it was signed with, its history, related agreements, filings
    and the actions the current role may take."""
    agreement = get(agreement_id)
    clauses = db.session.execute(templates.clauses_statement(agreement.template_id)).scalars()
    changes = db.session.execute(changes_statement(agreement_id)).scalars()
    successor = successor_of(agreement)
    ctx = require()
    actions = available_actions(agreement, ctx.role)
    return {
        "agreement": agreement, "clauses": list(clauses), "history": history(agreement),
        "successor": successor,
        "predecessor": get(agreement.predecessor_id) if agreement.predecessor_id else None,
        "changes": [describe_change(c) for c in changes],
        "actions": [a for a in actions if not (a == "renew" and successor)],
        "last_annual_grade": last_annual_grade(agreement.id),
        "filing_workdays": DEFAULT_FILING_WORKDAYS,
        "ledger": points.ledger(agreement.id),
        "requests": _requests(agreement.id),
        "request_kinds": lifecycle.REQUEST_KINDS,
        "request_months_ahead": lifecycle.DEFAULT_REQUEST_MONTHS_AHEAD,
        "may_propose": measure_rules.may(ctx.role, "propose", "warning"),
    }


def _requests(agreement_id: int) -> list:
    """The institution's requests on the agreement (imported here: agreement_requests
    reaches this module through measures)."""
    from saas.services import agreement_requests

    return db.session.execute(agreement_requests.list_statement(agreement_id)).scalars().all()


def successor_of(agreement: Agreement) -> Agreement | None:
    return db.session.execute(
        select(Agreement).where(Agreement.predecessor_id == agreement.id)
        .order_by(Agreement.id).limit(1)
    ).scalar_one_or_none()


def history(agreement: Agreement) -> list[AuditEntry]:
    """The audit entries about this agreement, oldest first. The audit table is not
    tenant-filtered; the agreement itself was fetched through the filter, and its region
    pins the entries to it."""
    return list(db.session.execute(
        select(AuditEntry).where(AuditEntry.object_type == "Agreement",
                                 AuditEntry.object_id == str(agreement.id),
                                 AuditEntry.region_id == agreement.region_id)
        .order_by(AuditEntry.id)
    ).scalars())


def chain_ids(agreement: Agreement) -> list[int]:
    """The institution's chain of agreements up to this one (续签: each term points to
    the one before), newest first."""
    ids, current = [agreement.id], agreement
    while current.predecessor_id is not None and current.predecessor_id not in ids:
        current = get(current.predecessor_id)
        ids.append(current.id)
    return ids


def annual_grades(agreement: Agreement) -> list[str | None]:
    """The finalized annual grades of the chain, oldest first: renewal and "two
    consecutive annual 不合格" read the institution's terms, never one agreement alone
    (when renewal is decided, this term has no annual grade yet)."""
    return list(db.session.execute(
        select(Assessment.grade)
        .where(Assessment.agreement_id.in_(chain_ids(agreement)), Assessment.kind == "annual",
               Assessment.status == "finalized")
        .order_by(Assessment.period_end, Assessment.id)).scalars())


def last_annual_grade(agreement_id: int) -> str | None:
    """Grade of the latest finalized annual assessment of the agreement's chain (None:
    none yet)."""
    grades = annual_grades(get(agreement_id))
    return grades[-1] if grades else None


def in_force_successor(agreement: Agreement) -> Agreement | None:
    """The newest agreement of the chain from this one on that is in force."""
    newest = agreement
    while (following := successor_of(newest)) is not None:
        newest = following
    return newest if newest.status in ("active", "suspended") else None


def available_actions(agreement: Agreement, role: str | None) -> list[str]:
    """Actions the state allows and the role may take (what the page offers)."""
    return [a for a in lifecycle.allowed_actions(agreement.status)
            if a in PERMISSIONS and can(role, PERMISSIONS[a])]


# ----------------------------------------------------------------------------- creating


def list_page(status: str | None = None, after: str | None = None, size: int = 50,
              expiring: bool = False) -> dict:
    """One page of :func:`list_statement` (keyset paging, a kept count:
    saas.services.paging)."""
    return page_of(list_statement(status, expiring=expiring), 1, size, after)


def new_agreement_choices() -> dict | None:
    """What the new-agreement form offers: the first institutions of the region (the form
    searches the others, :func:`institution_choices`) and its published template versions
    (newest first); None when the caller may not create agreements."""
    ctx = require()
    if not can(ctx.role, "sign_agreement"):
        return None
    versions = db.session.execute(
        select(Template).where(Template.status == "published")
        .order_by(Template.code, Template.version.desc())).scalars().all()
    return {"institutions": institution_choices(), "templates": versions}


def institution_choices(q: str | None = None, limit: int = 20) -> list[Institution]:
    """Institutions matching ``q`` in their code or name, the first ``limit`` by code."""
    statement = select(Institution).order_by(Institution.code, Institution.id).limit(limit)
    if q:
        statement = statement.where(Institution.code.contains(q, autoescape=True)
                                    | Institution.name.contains(q, autoescape=True))
    return db.session.execute(statement).scalars().all()


def create(institution_id: int, template_id: int, number: str, start: date,
           end: date) -> Agreement:
    """A draft agreement for one institution and term (bureau_admin)."""
    _require("sign_agreement")
    with transaction():
        institution = _reference(Institution, institution_id, "institution_id",
                                 N_("机构 %(id)s 不存在"))
        template = _reference(Template, template_id, "template_id", N_("协议范本 %(id)s 不存在"))
        _check_new(institution, template, number.strip(), start, end)
        agreement = _insert(institution, template, number.strip(), start, end)
    return agreement


def create_signed(institution, template, number: str, start: date, end: date) -> Agreement:
    """A new agreement for one institution and term, signed on creation (provisioning).
    A term already under way was signed on paper by its first day: that is its signing
    date (签订日期), not the day it was loaded. Caller owns the transaction."""
    agreement = _insert(institution, template, number, start, end)
    agreement.signed_at = min(utcnow(), local_midnight_utc(start))
    _apply(agreement, "sign")
    return agreement


def _reference(model, object_id: int, field: str, missing: str):
    """An id given in a request body: unknown or another tenant's is a field error."""
    obj = db.session.execute(select(model).where(model.id == object_id)).scalar_one_or_none()
    if obj is None:
        message = N_(missing, id=object_id)
        raise Invalid(message, {field: [message]})
    return obj


def _check_new(institution: Institution, template: Template, number: str, start: date,
               end: date) -> None:
    if not number:
        raise Invalid(N_("协议编号不能为空"), {"number": [N_("协议编号不能为空")]})
    if len(number) > NUMBER_LENGTH:
        raise Invalid(N_("协议编号过长"),
                      {"number": [N_("协议编号最多 %(n)s 个字符", n=NUMBER_LENGTH)]})
    if end <= start:
        raise Invalid(N_("协议终止日期应晚于起始日期"), {"end": [N_("终止日期应晚于起始日期")]})
    for field, day in (("start", start), ("end", end)):
        if not limits.in_calendar(day):
            raise Invalid(_OUT_OF_CALENDAR, {field: [_OUT_OF_CALENDAR]})
    bars.check_not_barred(institution, start)
    if institution.kind not in (template.applies_to or []):
        raise Invalid(N_("协议范本不适用于该类机构"), {"template_id": [
            N_("范本 %(code)s 不适用于该机构类型", code=template.code)]})
    if db.session.execute(select(Agreement.id).where(Agreement.number == number)).first():
        taken = N_("协议编号 %(number)s 已被使用", number=number)
        raise Conflict(taken, {"number": [taken]})
    overlap = db.session.execute(
        select(Agreement).where(Agreement.institution_id == institution.id,
                                Agreement.status != "rescinded",
                                Agreement.start <= end, Agreement.end >= start).limit(1)
    ).scalar_one_or_none()
    if overlap is not None:
        raise Conflict(N_("该机构在 %(start)s 至 %(end)s 已有协议 %(number)s，"
                          "同一期限内只能有一份协议", start=str(overlap.start),
                          end=str(overlap.end), number=overlap.number))


def _insert(institution, template, number, start, end, predecessor_id=None) -> Agreement:
    agreement = Agreement(institution_id=institution.id, region_id=institution.region_id,
                          template_id=template.id, number=number, start=start, end=end,
                          status="draft", predecessor_id=predecessor_id, suspensions=0)
    db.session.add(agreement)
    db.session.flush()
    audit.record("agreement.created", agreement, after=column_snapshot(agreement))
    return agreement


# --------------------------------------------------------------------------- transitions


def sign(agreement_id: int) -> Agreement:
    return _change(agreement_id, "sign")


def apply_measure(agreement: Agreement, action: str, reason: str) -> None:
    """A decided measure's effect (saas.services.measures): suspend, resume, rescind or
    terminate. The measure's due process (its roles, notice, appeal and the four-eyes
    decision) stands for the role check."""
    _apply(agreement, action, reason)


def _change(agreement_id: int, action: str) -> Agreement:
    with transaction():
        agreement = _locked(agreement_id)
        _require(PERMISSIONS[action])
        _apply(agreement, action)
    return agreement


def _locked(agreement_id: int) -> Agreement:
    """The agreement, row-locked (PostgreSQL) so that two concurrent transitions queue."""
    agreement = db.session.execute(
        select(Agreement).where(Agreement.id == agreement_id).with_for_update()
    ).scalar_one_or_none()
    if agreement is None:
        raise NotFound(N_("未找到该记录（%(table)s #%(id)s），或您无权查看",
                          table="agreements", id=agreement_id))
    return agreement


def _require(permission: str):
    ctx = require()
    if not can(ctx.role, permission):
        raise Forbidden(N_("只有医保局管理员可以执行此操作"))
    return ctx


def _apply(agreement: Agreement, action: str, reason: str | None = None,
           today: date | None = None) -> None:
    """Move the agreement through the state machine and write the audit entry."""
    try:
        state = lifecycle.next_state(agreement.status, action, today=today, end=agreement.end)
    except lifecycle.TransitionError as exc:
        raise Conflict(message_of(exc)) from exc
    before = column_snapshot(agreement)
    with AGREEMENT_STATUS.allowed():
        agreement.status = state
    extra = _effects(agreement, action, reason)
    db.session.flush()
    audit.record(f"agreement.{AUDIT_VERBS[action]}", agreement, before=before,
                 after={**column_snapshot(agreement), **extra})


def _effects(agreement: Agreement, action: str, reason: str | None) -> dict:
    """The columns each transition sets besides the status; returns audit extras."""
    agreement.status_reason = reason
    if action == "sign":
        agreement.signed_at = agreement.signed_at or utcnow()  # a draft has none yet
    elif action == "suspend":
        agreement.suspensions = (agreement.suspensions or 0) + 1
        agreement.suspended_at = today_local()
        proposals = lifecycle.rescission_due(agreement.suspensions)
        return {"rescission_proposed": proposals} if proposals else {}
    elif action == "resume":
        agreement.suspended_at = None
    elif action == "expire":
        agreement.status_reason = EXPIRY_NOTE
    return {}


# ------------------------------------------------------------------------------ renewal


def renew(agreement_id: int, override_reason: str | None = None,
          number: str | None = None) -> Agreement:
    """续签: create the successor (status draft, signed later with :func:`sign`) on the
    latest published version of the same template, for the next term.

    Refused (409) when the last annual grade is 不合格 unless a bureau admin gives an
    override reason, and when the agreement was already renewed."""
    with transaction():
        agreement = _locked(agreement_id)
        ctx = _require("renew")
        grade = last_annual_grade(agreement.id)
        _check_renewal(agreement, grade, ctx.role, override_reason)
        successor = _successor(agreement, (number or "").strip())
        overridden = grade == lifecycle.FAIL_GRADE  # refused otherwise, see _check_renewal
        audit.record("agreement.renewed", agreement, after={
            "successor_id": successor.id, "successor_number": successor.number,
            "last_annual_grade": grade,
            "override_reason": (override_reason or "").strip() if overridden else None})
    return successor


def _check_renewal(agreement: Agreement, grade: str | None, role: str,
                   override_reason: str | None) -> None:
    try:
        lifecycle.next_state(agreement.status, "renew")
        lifecycle.renewal_decision(grade, override_reason, role)
    except lifecycle.TransitionError as exc:
        raise Conflict(message_of(exc)) from exc
    declined = db.session.execute(select(AgreementRequest.id).where(
        AgreementRequest.agreement_id == agreement.id, AgreementRequest.kind == "non_renewal",
        AgreementRequest.status == "accepted").limit(1)).first()
    if declined is not None:
        raise Conflict(N_("机构已申请不再续签，该申请已获同意"))
    existing = successor_of(agreement)
    if existing is not None:
        raise Conflict(N_("协议已续签（后续协议 %(number)s），不能重复续签",
                          number=existing.number))


def _successor(agreement: Agreement, number: str) -> Agreement:
    template = templates.latest_version(agreement.template.code)
    start, end = lifecycle.successor_term(agreement.end)
    if not number:
        base = agreement.number.rsplit("-R", 1)[0]
        taken = set(db.session.execute(
            select(Agreement.number).where(Agreement.number.startswith(base, autoescape=True))
        ).scalars())
        number = lifecycle.successor_number(agreement.number, taken)
    _check_new(agreement.institution, template, number, start, end)
    return _insert(agreement.institution, template, number, start, end,
                   predecessor_id=agreement.id)


# ------------------------------------------------------------------------------- expiry


def expire_due(today: date) -> list[int]:
    """到期终止: every active agreement of the region whose term ended before ``today``.
    Run by the daily job (no user) or by a bureau admin."""
    ctx = require()
    if ctx.institution_id is not None or ctx.role not in (None, "bureau_admin"):
        raise Forbidden(N_("只有医保局管理员可以执行到期处理"))
    with transaction():
        due = db.session.execute(
            select(Agreement).where(Agreement.status == "active", Agreement.end < today)
            .order_by(Agreement.id).with_for_update()
        ).scalars().all()
        ids = [a.id for a in due]
        for agreement in due:
            _apply(agreement, "expire", today=today)
    return ids


# ------------------------------------------------------------- 重大信息变更备案


def changes_statement(agreement_id: int):
    """Changes filed by the agreement's institution (they concern the institution, so
    every agreement of it shows them), latest first."""
    agreement = get(agreement_id)
    return (select(InformationChange)
            .where(InformationChange.institution_id == agreement.institution_id)
            .order_by(InformationChange.changed_on.desc(), InformationChange.id.desc()))


def file_change(agreement_id: int, field: str, new_value: str, changed_on: date | None,
                old_value: str | None = None) -> InformationChange:
    """重大信息变更备案: due ``30`` working days after the change (official calendar with
    the admin's CalendarDay entries); a late filing is accepted and shows as late."""
    with transaction():
        agreement = get(agreement_id)
        require_role("bureau_admin", "institution_admin")
        new_value = _check_change(field, new_value, changed_on)
        change = InformationChange(
            institution_id=agreement.institution_id, region_id=agreement.region_id,
            field=field, old_value=(old_value or "").strip() or None, new_value=new_value,
            changed_on=changed_on, due_on=workday_calendar(changed_on).filing_deadline(changed_on),
            filed_on=today_local())
        db.session.add(change)
        db.session.flush()
        audit.record("information_change.filed", change,
                     after={**column_snapshot(change), "agreement_id": agreement.id})
    return change


def _check_change(field: str, new_value: str | None, changed_on: date | None) -> str:
    errors = {}
    if field not in lifecycle.MAJOR_CHANGE_FIELDS:
        errors["field"] = [N_("应为 %(choices)s",
                              choices=" / ".join(lifecycle.MAJOR_CHANGE_FIELDS))]
    if not (new_value or "").strip():
        errors["new_value"] = [N_("变更后的内容不能为空")]
    if changed_on is None:
        errors["changed_on"] = [N_("请填写正确的变更日期")]
    elif changed_on > today_local():
        errors["changed_on"] = [N_("变更日期不能晚于今天")]
    elif not limits.in_calendar(changed_on):
        errors["changed_on"] = [_OUT_OF_CALENDAR]
    if errors:
        raise Invalid(N_("变更备案信息有误"), errors)
    return new_value.strip()


def describe_change(change: InformationChange) -> dict:
    """The change as the API and pages show it: with lateness and the calendar warning."""
    return {
        "id": change.id, "institution_id": change.institution_id, "field": change.field,
        "field_label": lifecycle.MAJOR_CHANGE_FIELDS.get(change.field, change.field),
        "old_value": change.old_value, "new_value": change.new_value,
        "changed_on": change.changed_on, "due_on": change.due_on, "filed_on": change.filed_on,
        "late": bool(change.filed_on and change.filed_on > change.due_on),
        "calendar_warning": WorkdayCalendar().fallback_warning_zh(change.changed_on,
                                                                  change.due_on),
    }
