"""整改台账: the ledger items that close every finding (saas.domain.rectification).

A confirmed finding opens its item, in the institution's ledger (a mock inspection's item
stays private to the institution); the institution opens items by hand from its
self-inspection or an internal audit. Items are numbered ``YYYY-category-NNN`` within the
institution and year, due by severity in working days. The unique (institution, number)
index holds the numbering under concurrent confirmations, and against numbers the caller
cannot see (a mock inspection's private items): a collision retries with the next serial
inside a savepoint.

Steps: the institution starts, assigns and submits (with evidence and a statement); the
verifier (a bureau inspector for a bureau finding's item, else the institution admin,
never the submitter) closes it (销号), returns it with a reason, or reopens a closed one
found not really fixed (the finding's points double). Every step is a
RectificationEvent and an audit entry, and tells those it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import func, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from saas.domain import rectification as rules
from saas.domain.findings import CATEGORIES, short_code
from saas.domain.lifecycle import TransitionError
from saas.domain.messages import N_, message_of
from saas.domain.permissions import BUREAU_KINDS
from saas.domain.templates import SEVERITIES
from saas.errors import Conflict, Forbidden, Invalid
from saas.extensions import db
from saas.models import (
    Agreement,
    Assessment,
    Evidence,
    Finding,
    RectificationEvent,
    RectificationItem,
    User,
)
from saas.services import audit, notifications
from saas.services import evidence as evidence_service
from saas.services.base import column_snapshot, find, transaction
from saas.services.workdays import workday_calendar
from saas.timeutil import local, today_local, utcnow
from tenants.context import require

NUMBER_ATTEMPTS = 5
BULK_LIMIT = rules.BULK_LIMIT


# --------------------------------------------------------------------------- reading
@dataclass
class Filters:
    """What a ledger view, the API and the exports filter by (all optional)."""

    status: str | None = None
    overdue: bool | None = None
    institution_id: int | None = None
    finding_id: int | None = None
    assessment_id: int | None = None
    department: str | None = None
    owner_id: int | None = None
    severity: str | None = None
    source: str | None = None
    mine: bool = False  # the acting user's own items (我的整改)

    @classmethod
    def of(cls, values: dict) -> Filters:
        return cls(**{k: v for k, v in values.items() if k in cls.__dataclass_fields__
                      and v not in (None, "")})


def list_statement(filters: Filters | None = None, **given):
    """Items the caller may see (the ORM filter scopes them), by deadline, then id."""
    f = filters or Filters.of(given)
    statement = select(RectificationItem).order_by(RectificationItem.due_date,
                                                   RectificationItem.id)
    for column, value in ((RectificationItem.status, f.status),
                          (RectificationItem.institution_id, f.institution_id),
                          (RectificationItem.finding_id, f.finding_id),
                          (RectificationItem.assessment_id, f.assessment_id),
                          (RectificationItem.department, f.department),
                          (RectificationItem.owner_id, f.owner_id),
                          (RectificationItem.severity, f.severity),
                          (RectificationItem.source, f.source)):
        if value is not None:
            statement = statement.where(column == value)
    if f.mine:
        statement = statement.where(RectificationItem.owner_id == require().user_id)
    if f.overdue is not None:
        late = (RectificationItem.status != "closed") & (RectificationItem.due_date < today_local())
        statement = statement.where(late if f.overdue else ~late)
    return statement


WITH_PARTS = (selectinload(RectificationItem.owner), selectinload(RectificationItem.evidence),
              selectinload(RectificationItem.institution))


def rows(filters: Filters, limit: int | None = None) -> list[RectificationItem]:
    """The filtered items with their owner, evidence and institution loaded."""
    statement = list_statement(filters).options(*WITH_PARTS)
    if limit is not None:
        statement = statement.limit(limit)
    return list(db.session.execute(statement).scalars())


def rows_after(statement, last: RectificationItem | None, limit: int) -> list[RectificationItem]:
    """The next ``limit`` rows of ``statement`` (ordered by deadline, then id) after
    ``last``: keyset chunks for a large export."""
    if last is not None:
        statement = statement.where(tuple_(RectificationItem.due_date, RectificationItem.id)
                                    > tuple_(last.due_date, last.id))
    return list(db.session.execute(statement.options(*WITH_PARTS).limit(limit)).scalars())


def count(filters: Filters) -> int:
    inner = list_statement(filters).order_by(None).with_only_columns(RectificationItem.id)
    return db.session.execute(select(func.count()).select_from(inner.subquery())).scalar()


def counts_by_status(filters: Filters) -> dict[str, int]:
    """How many items in each state, and overdue, under ``filters`` (status aside)."""
    sub = list_statement(replace(filters, status=None)).order_by(None).subquery()
    found = dict(db.session.execute(select(sub.c.status, func.count())
                                    .group_by(sub.c.status)).all())
    late = replace(filters, status=None, overdue=True)
    return {**{s: found.get(s, 0) for s in rules.STATES}, "overdue": count(late)}


def get(item_id: int) -> RectificationItem:
    return find(RectificationItem, item_id)


def is_overdue(item: RectificationItem) -> bool:
    return rules.is_overdue(item.status, item.due_date, today_local())


def steps_for(item: RectificationItem) -> list[str]:
    """The steps the acting user may take on ``item`` now (the page's buttons)."""
    ctx = require()
    return [action for action in ("start", "submit", "verify", "return", "reopen")
            if (item.status, action) in rules.TRANSITIONS
            and rules.may(action, ctx.role, item.bureau_verifies)
            and not (action == "verify" and item.submitted_by == ctx.user_id)]


def may_edit(item: RectificationItem, action: str) -> bool:
    """assign / extend: whether the acting user may change the item's fields."""
    return item.status != "closed" and rules.may(action, require().role, item.bureau_verifies)


def people(institution_id: int) -> list[User]:
    """Who may be made responsible (责任人): the institution's active users."""
    return list(db.session.execute(select(User).where(
        User.institution_id == institution_id, User.active.is_(True))
        .order_by(User.name)).scalars())


# --------------------------------------------------------------------------- opening
def open_for_finding(finding: Finding) -> RectificationItem:
    """The item a confirmed finding opens, inside the caller's transaction."""
    assessment = finding.assessment
    agreement = db.session.get(Agreement, assessment.agreement_id)
    settings = rules.RectificationRules.from_settings(agreement.template.settings)
    opened_on = today_local()
    due = rules.deadline(opened_on, finding.severity, workday_calendar(opened_on), settings)
    return _insert_numbered(local(finding.decided_at).year, dict(
        region_id=finding.region_id, institution_id=finding.institution_id,
        private=finding.private, finding_id=finding.id, assessment_id=assessment.id,
        source="mock_inspection" if finding.private else "finding",
        bureau_verifies=assessment.kind in BUREAU_KINDS,
        category=finding.category, severity=finding.severity,
        description=finding.description, due_date=due, status="open",
        created_by=require().user_id))


@dataclass
class ItemInput:
    """An item opened by hand (from a self-inspection or an internal audit)."""

    source: str
    category: str
    description: str
    severity: str | None = None
    measures_to_take: str | None = None
    department: str | None = None
    owner_id: int | None = None
    assessment_id: int | None = None
    evidence_ids: list[int] = field(default_factory=list)
    files: list = field(default_factory=list)  # evidence_service.Upload, from a form


def open_by_hand(data: ItemInput) -> RectificationItem:
    """The institution's own item: verified by its institution admin."""
    ctx = require()
    if ctx.institution_id is None or not rules.may("assign", ctx.role, False):
        raise Forbidden(N_("只有机构用户可以自行登记整改事项"))
    with transaction():
        errors = _hand_errors(data, ctx.institution_id)
        if errors:
            raise Invalid(N_("请检查标注的字段"), errors)
        opened_on = today_local()
        item = _insert_numbered(opened_on.year, dict(
            region_id=ctx.region_id, institution_id=ctx.institution_id, private=False,
            source=data.source, bureau_verifies=False, category=data.category,
            severity=data.severity, description=data.description.strip(),
            measures_to_take=_blank(data.measures_to_take), department=_blank(data.department),
            owner_id=data.owner_id, assessment_id=data.assessment_id, status="open",
            due_date=rules.deadline(opened_on, data.severity, workday_calendar(opened_on)),
            created_by=ctx.user_id))
        _attach(item, data.evidence_ids)
        for upload in data.files:  # a refused file refuses the item with it
            evidence_service.attach(evidence_service.store(upload, item.institution), item)
        if item.owner_id:
            _tell(item, "assign", [item.owner_id])
    return item


def _hand_errors(data: ItemInput, institution_id: int) -> dict:
    errors: dict = {}
    if data.source not in rules.HAND_SOURCES:
        errors["source"] = [N_("来源应为自查自纠或内部审计")]
    if data.category not in CATEGORIES:
        errors["category"] = [N_("请选择问题类别")]
    if data.severity is not None and data.severity not in SEVERITIES:
        errors["severity"] = [N_("请选择严重程度")]
    errors.update(rules.check_text("description", data.description, required=True))
    errors.update(rules.check_text("measures_to_take", data.measures_to_take))
    errors.update(rules.check_text("department", data.department, limit=rules.MAX_DEPARTMENT))
    errors.update(_owner_errors(data.owner_id, institution_id))
    if data.assessment_id is not None:
        assessment = db.session.execute(select(Assessment).where(
            Assessment.id == data.assessment_id)).scalar_one_or_none()
        if assessment is None or assessment.kind != "self":
            errors["assessment_id"] = [N_("请选择本机构的自查")]
    return errors


def _insert_numbered(year: int, values: dict) -> RectificationItem:
    """Insert the item with the next free number of its institution, year and category."""
    code = short_code(values["category"])
    serial = rules.next_serial(year, code, _taken(values["institution_id"], f"{year}-{code}-"))
    for attempt in range(NUMBER_ATTEMPTS):
        item = RectificationItem(**values, number=rules.item_number(year, code, serial + attempt))
        try:
            with db.session.begin_nested():  # a concurrent twin took the number: next one
                db.session.add(item)
                db.session.flush()
        except IntegrityError:
            continue
        _event(item, "open", None, None)
        audit.record("rectification.opened", item, after=column_snapshot(item))
        return item
    raise RuntimeError("no free rectification number after retries", values["institution_id"])


def _taken(institution_id: int, prefix: str) -> list[str]:
    return list(db.session.execute(select(RectificationItem.number).where(
        RectificationItem.institution_id == institution_id,
        RectificationItem.number.startswith(prefix, autoescape=True))).scalars())


def import_rows(rows, source: str, problems: dict | None = None) -> dict:
    """导入整改台账: the institution's rows, all or none. A row with a 整改编号 of the
    institution updates that item's measures, department and person responsible; the
    others open items by hand (category 其他, due on the row's 整改时限 or by default).
    The person responsible is named as in the institution's accounts."""
    ctx = require()
    if ctx.institution_id is None or not rules.may("assign", ctx.role, False):
        raise Forbidden(N_("只有机构用户可以导入整改台账"))
    if source not in rules.HAND_SOURCES:
        raise Invalid(N_("请检查标注的字段"), {"source": [N_("来源应为自查自纠或内部审计")]})
    with transaction():
        owners = _owners_by_name(ctx.institution_id)
        existing = {i.number: i for i in db.session.execute(select(RectificationItem).where(
            RectificationItem.number.in_([r.number for r in rows if r.number]))
            .with_for_update()).scalars()}
        errors = {**(problems or {})}
        _import_errors(rows, owners, existing, errors)
        if errors:
            count = sum(len(v) for v in errors.values())
            raise Invalid(N_("整改台账有 %(count)s 处错误，未导入任何一行", count=count), errors)
        opened = updated = 0
        for row in rows:
            owner_id = owners[row.owner_name] if row.owner_name else None
            if row.number:
                _assign(existing[row.number], {"measures_to_take": row.measures_to_take,
                                               "department": row.department,
                                               "owner_id": owner_id})
                updated += 1
                continue
            today = today_local()
            _insert_numbered(today.year, dict(
                region_id=ctx.region_id, institution_id=ctx.institution_id, private=False,
                source=source, bureau_verifies=False, category="other", severity=None,
                description=row.description, measures_to_take=row.measures_to_take,
                department=row.department, owner_id=owner_id, status="open",
                statement=row.statement, created_by=ctx.user_id,
                due_date=row.due_date or rules.deadline(today, None, workday_calendar(today))))
            opened += 1
    return {"opened": opened, "updated": updated}


def _owners_by_name(institution_id: int) -> dict[str, int | None]:
    """Name → user id of the institution's active users; None for a name two share."""
    found: dict[str, int | None] = {}
    for user in people(institution_id):
        found[user.name] = None if user.name in found else user.id
    return found


def _import_errors(rows, owners: dict, existing: dict, errors: dict) -> None:
    from saas.services.ledger_files import problem_at

    for row in rows:
        if row.owner_name and owners.get(row.owner_name) is None:
            problem_at(errors, row.cells["责任人"], row.row, "责任人", N_(
                "「%(name)s」不是本机构的在用账号，或有重名", name=row.owner_name))
        if row.number and row.number not in existing:
            problem_at(errors, row.cells["整改编号"], row.row, "整改编号", N_(
                "本机构没有编号为 %(number)s 的整改事项", number=row.number))
        elif row.number and existing[row.number].status == "closed":
            problem_at(errors, row.cells["整改编号"], row.row, "整改编号", N_(
                "整改事项 %(number)s 已销号，不能修改", number=row.number))


# ----------------------------------------------------------------------------- steps
def start(item_id: int) -> RectificationItem:
    """开始整改."""
    with transaction():
        item = _for_step(item_id, "start")
        _step(item, "start")
    return item


def submit(item_id: int, statement: str, evidence_ids: list[int] | None = None,
           files: list | None = None) -> RectificationItem:
    """提交复核: the statement of what was done, with proof (the item's evidence so far
    plus ``evidence_ids`` uploaded before, or ``files`` from the form)."""
    with transaction():
        item = _for_step(item_id, "submit")
        _attach(item, evidence_ids or [])
        for upload in files or []:  # a refused file rolls the whole submission back
            evidence_service.attach(evidence_service.store(upload, item.institution), item)
        db.session.flush()
        errors = rules.check_submission(_evidence_count(item), statement)
        if errors:
            raise Invalid(N_("请检查标注的字段"), errors)
        item.statement = statement.strip()
        item.submitted_by, item.submitted_at = require().user_id, utcnow()
        _step(item, "submit", reason=item.statement)
    return item


def add_evidence(item_id: int, files: list) -> RectificationItem:
    """上传整改证明: files added to an item still being worked on (the person responsible
    collects proof before submitting)."""
    with transaction():
        item = _for_step(item_id, "submit")
        if item.status not in ("open", "in_progress"):
            raise Conflict(N_("整改事项当前状态为「%(state)s」，不能上传材料",
                              state=N_(rules.STATE_LABELS_ZH[item.status])))
        if not files:
            raise Invalid(N_("请选择文件"), {"files": [N_("请选择文件")]})
        for upload in files:  # a refused file rolls them all back
            evidence_service.attach(evidence_service.store(upload, item.institution), item)
        audit.record("rectification.evidence", item, after={"files": len(files)})
    return item


def verify(item_id: int, comment: str | None = None) -> RectificationItem:
    """复核销号: the verifier (right role, not the submitter) closes the item."""
    with transaction():
        item = _for_step(item_id, "verify")
        _check_verifier(item)
        _check_reason(comment, required=False)
        item.closed_by, item.closed_at = require().user_id, utcnow()
        _step(item, "verify", reason=_blank(comment))
    return item


def return_(item_id: int, reason: str) -> RectificationItem:
    """退回: back to in progress, with the reason; its evidence stays."""
    with transaction():
        item = _for_step(item_id, "return")
        _check_reason(reason)
        _step(item, "return", reason=reason.strip())
    return item


def reopen(item_id: int, reason: str) -> RectificationItem:
    """整改不力或虚假整改: a closed item found not really fixed on re-check goes back to
    in progress with a new deadline, and its finding's points double."""
    with transaction():
        item = _for_step(item_id, "reopen")
        _check_reason(reason)
        item.closed_by = item.closed_at = None
        today = today_local()
        item.due_date = rules.deadline(today, item.severity, workday_calendar(today))
        _step(item, "reopen", reason=reason.strip())
        if item.finding_id is not None:
            from saas.services import enforcement  # it opens items: imported here, once used

            enforcement.rectification_reopened(find(Finding, item.finding_id),
                                               rules.REOPEN_POINTS_FACTOR)
    return item


def assign(item_id: int, changes: dict) -> RectificationItem:
    """指派: measures to take, department, person responsible (a user of the institution)."""
    with transaction():
        item = _assign(find(RectificationItem, item_id, for_update=True), changes)
    return item


def extend(item_id: int, due_date: date | None, reason: str) -> RectificationItem:
    """调整整改时限: a new deadline, with its reason (the verifier's decision)."""
    with transaction():
        item = _extend(find(RectificationItem, item_id, for_update=True), due_date, reason)
    return item


def bulk(item_ids: list[int], action: str, **values) -> list[RectificationItem]:
    """批量指派 / 批量延期: one action on many items, all or none (an item the caller may
    not see, or may not change, refuses the whole batch)."""
    wanted = sorted(set(item_ids))
    if not wanted or len(wanted) > BULK_LIMIT:
        raise Invalid(N_("请选择整改事项"), {"item_ids": [N_("请选择 1 至 %(n)s 项", n=BULK_LIMIT)]})
    with transaction():
        items = db.session.execute(select(RectificationItem).where(
            RectificationItem.id.in_(wanted)).order_by(RectificationItem.id)
            .with_for_update()).scalars().all()
        missing = sorted(set(wanted) - {i.id for i in items})
        if missing:
            raise Invalid(N_("请检查标注的字段"), {"item_ids": [
                N_("整改事项 %(id)s 不存在或您无权查看", id=i) for i in missing]})
        for item in items:
            if action == "assign":
                _assign(item, values.get("changes") or {})
            else:
                _extend(item, values.get("due_date"), values.get("reason"))
    return items


def _assign(item: RectificationItem, changes: dict) -> RectificationItem:
    if not rules.may("assign", require().role, item.bureau_verifies):
        raise Forbidden(N_("当前角色无权执行此操作"))
    if item.status == "closed":
        raise Conflict(N_("已销号的整改事项不能修改"))
    wanted = {k: (_blank(v) if isinstance(v, str) else v) for k, v in changes.items()
              if k in rules.EDITABLE}
    errors = {}
    errors.update(rules.check_text("measures_to_take", wanted.get("measures_to_take")))
    errors.update(rules.check_text("department", wanted.get("department"),
                                   limit=rules.MAX_DEPARTMENT))
    errors.update(_owner_errors(wanted.get("owner_id"), item.institution_id))
    if errors:
        raise Invalid(N_("请检查标注的字段"), errors)
    changed = {k: [getattr(item, k), v] for k, v in wanted.items() if getattr(item, k) != v}
    if not changed:
        return item
    before = column_snapshot(item)
    for name, (_old, new) in changed.items():
        setattr(item, name, new)
    _event(item, "assign", item.status, None, changes=changed)
    audit.record("rectification.assign", item, before=before, after=column_snapshot(item))
    if "owner_id" in changed and item.owner_id:
        _tell(item, "assign", [item.owner_id])
    return item


def _extend(item: RectificationItem, due_date: date | None, reason: str | None):
    if not rules.may("extend", require().role, item.bureau_verifies):
        raise Forbidden(N_("当前角色无权执行此操作"))
    if item.status == "closed":
        raise Conflict(N_("已销号的整改事项不能修改"))
    errors = rules.check_extension(item.due_date, due_date, reason, today_local())
    if errors:
        raise Invalid(N_("请检查标注的字段"), errors)
    before = column_snapshot(item)
    changed = {"due_date": [item.due_date.isoformat(), due_date.isoformat()]}
    item.due_date = due_date
    _event(item, "extend", item.status, reason.strip(), changes=changed)
    audit.record("rectification.extend", item, before=before, after=column_snapshot(item))
    _tell(item, "extend", [item.owner_id] if item.owner_id else [])
    return item


# --------------------------------------------------------------------------- helpers
def _for_step(item_id: int, action: str) -> RectificationItem:
    item = find(RectificationItem, item_id, for_update=True)
    if not rules.may(action, require().role, item.bureau_verifies):
        raise Forbidden(N_("当前角色无权执行此操作"))
    return item


def _check_verifier(item: RectificationItem) -> None:
    ctx = require()
    try:
        rules.check_verifier(item.bureau_verifies, ctx.role, ctx.user_id, item.submitted_by)
    except TransitionError as exc:
        raise Conflict(message_of(exc)) from None


def _check_reason(reason: str | None, required: bool = True) -> None:
    errors = rules.check_text("reason", reason, required=required)
    if errors:
        raise Invalid(N_("请检查标注的字段"), errors)


def _step(item: RectificationItem, action: str, reason: str | None = None) -> None:
    """Move the item one step (saas.domain.rectification.next_state), with its event,
    audit entry and notifications."""
    before = column_snapshot(item)
    try:
        item.status = rules.next_state(item.status, action)
    except TransitionError as exc:
        raise Conflict(message_of(exc)) from None
    _event(item, action, before["status"], reason)
    audit.record(f"rectification.{action}", item, before=before, after=column_snapshot(item))
    _tell(item, action)


def _event(item: RectificationItem, action: str, from_status: str | None,
           reason: str | None, changes: dict | None = None) -> RectificationEvent:
    event = RectificationEvent(region_id=item.region_id, institution_id=item.institution_id,
                               private=item.private, item_id=item.id, action=action,
                               from_status=from_status, to_status=item.status, reason=reason,
                               changes=changes, by=require().user_id)
    db.session.add(event)
    db.session.flush()
    return event


def _attach(item: RectificationItem, evidence_ids: list[int]) -> None:
    found, missing = evidence_service.for_institution(evidence_ids, item.institution_id)
    problems = [N_("证据 %(id)s 不存在或不属于本机构", id=i) for i in missing]
    problems += [N_("证据 %(id)s 已关联其他记录", id=e.id) for e in found
                 if not evidence_service.unattached(e)]
    if problems:
        raise Invalid(N_("请检查标注的字段"), {"evidence_ids": problems})
    for evidence in found:
        evidence_service.attach(evidence, item)


def _evidence_count(item: RectificationItem) -> int:
    return db.session.execute(select(func.count()).select_from(Evidence).where(
        Evidence.rectification_item_id == item.id)).scalar()


def _owner_errors(owner_id: int | None, institution_id: int) -> dict:
    if owner_id is None:
        return {}
    # by primary key through the identity map: a bulk action or an import names the same
    # few people on every row (safe here: the institution is compared below)
    owner = db.session.get(User, owner_id)
    if owner is None or owner.institution_id != institution_id or not owner.active:
        return {"owner_id": [N_("责任人须为本机构的在用账号")]}
    return {}


def _blank(text: str | None) -> str | None:
    return (text or "").strip() or None


# ---------------------------------------------------------------------- notifications
#: step → (the notification's kind, its subject)
NEWS = {
    "submit": ("rectification_submitted", N_("整改事项 %(number)s 已提交复核")),
    "verify": ("rectification_closed", N_("整改事项 %(number)s 已复核销号")),
    "return": ("rectification_returned", N_("整改事项 %(number)s 被退回，请继续整改")),
    "reopen": ("rectification_reopened", N_("整改事项 %(number)s 经复查整改不到位，须重新整改，时限 %(deadline)s")),
    "assign": ("rectification_assigned", N_("您是整改事项 %(number)s 的责任人，整改时限 %(deadline)s")),
    "extend": ("rectification_extended", N_("整改事项 %(number)s 的整改时限调整为 %(deadline)s")),
    "due_soon": ("rectification_due", N_("整改事项 %(number)s 将于 %(deadline)s 到期")),
    "overdue": ("rectification_overdue", N_("整改事项 %(number)s 已逾期（整改时限 %(deadline)s）")),
}


def _tell(item: RectificationItem, action: str, users: list[int] | None = None,
          key: str | None = None) -> None:
    """Notify those a step concerns: the verifiers of a submission; the person
    responsible, the submitter and the institution admins of the rest."""
    if action not in NEWS:
        return
    if users is None:
        users = _concerned(item, action)
    kind, subject = NEWS[action]
    notifications.send(users, kind, N_(subject, number=item.number,
                                       deadline=item.due_date.isoformat()),
                       f"/rectifications/{item.id}", key=key)


def _concerned(item: RectificationItem, action: str) -> list[int]:
    if action == "submit":
        if item.bureau_verifies:
            return notifications.users_with_roles(("bureau_inspector",))
        return notifications.users_with_roles(("institution_admin",), item.institution_id)
    admins = notifications.users_with_roles(("institution_admin",), item.institution_id)
    return [u for u in (item.owner_id, item.submitted_by, *admins) if u]


def remind(today: date, private_only: bool = False) -> int:
    """提醒: items due within the reminder window, and overdue ones, tell their person
    responsible and the institution admins once per item and day (a keyed notification,
    unique per user). Runs in the caller's tenant context (``private_only``: an
    institution's pass for its mock inspections' items); returns the items reminded."""
    rules_now = rules.RectificationRules()
    calendar = workday_calendar(today)
    horizon = calendar.add_workdays(today, rules_now.remind_workdays_before)
    statement = select(RectificationItem).where(
        RectificationItem.status != "closed", RectificationItem.due_date <= horizon)
    if private_only:
        statement = statement.where(RectificationItem.private.is_(True))
    due = db.session.execute(statement.order_by(RectificationItem.id)).scalars().all()
    reminded = 0
    with transaction():
        for item in due:
            which = rules.reminder(item.status, item.due_date, today, calendar, rules_now)
            if which is None:
                continue
            users = [u for u in (item.owner_id, *notifications.users_with_roles(
                ("institution_admin",), item.institution_id)) if u]
            _tell(item, which, users, key=rules.reminder_key(item.id, today))
            reminded += 1
    return reminded
