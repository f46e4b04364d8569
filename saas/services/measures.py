"""协议处理: measures under an agreement and their due process.

proposed → notified → (appealed) → decided → effective → lifted or ended; or revoked
(saas.domain.measures). Every step is a MeasureEvent (who, when, why) and an audit entry;
nothing is deleted. A measure is proposed by hand by a bureau user, or by the system
(:func:`propose_automatically`) when points cross a threshold or a ground of rescission
appears; the database keeps one proposal per cause (Measure.proposal_key).

The institution sees a measure once notified, and may appeal within the window (working
days on the official calendar). Suspension, rescission and payment suspension are
decided by a bureau admin other than the proposer (四眼原则).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from saas.domain import lifecycle
from saas.domain import measures as rules
from saas.domain.calendar import DEFAULT_APPEAL_WORKDAYS
from saas.domain.lifecycle import TransitionError
from saas.domain.messages import N_, message_of
from saas.domain.periods import add_months
from saas.errors import Conflict, Forbidden, Invalid
from saas.extensions import db
from saas.models import (
    Agreement,
    Finding,
    Institution,
    Measure,
    MeasureEvent,
    RectificationItem,
)
from saas.models.enforcement import MEASURE_STATUS
from saas.services import agreements, audit, bars, notifications, points
from saas.services import evidence as evidence_service
from saas.services.analytics import WAITING, waiting_condition
from saas.services.base import column_snapshot, find, not_found, transaction
from saas.services.workdays import workday_calendar
from saas.timeutil import today_local, utcnow
from tenants.context import require

MAX_TEXT, MAX_MONTHS, MAX_AMOUNT_FEN = rules.MAX_TEXT, rules.MAX_MONTHS, rules.MAX_AMOUNT_FEN


@dataclass
class MeasureInput:
    """A measure proposed by hand, as parsed by a view (API body or web form)."""

    agreement_id: int
    measure: str
    basis: str
    reason: str | None = None
    months: int | None = None
    amount_fen: int | None = None
    clause_number: str | None = None
    article: str | None = None
    finding_id: int | None = None
    ground: str | None = None


# ------------------------------------------------------------------------------ reading
def list_statement(agreement_id=None, institution_id=None, status=None, measure=None):
    """Measures the caller may see (the ORM filter scopes them: an institution sees its
    own once notified), newest first."""
    statement = select(Measure).order_by(Measure.id.desc())
    for column, value in ((Measure.agreement_id, agreement_id),
                          (Measure.institution_id, institution_id),
                          (Measure.status, status), (Measure.measure, measure)):
        if value is not None:
            statement = statement.where(column == value)
    return statement


def get(measure_id: int) -> Measure:
    """The measure with its history (another tenant's, or a draft the institution may not
    see yet: NotFound)."""
    measure = db.session.execute(
        select(Measure).where(Measure.id == measure_id)
        .options(selectinload(Measure.events).selectinload(MeasureEvent.evidence),
                 selectinload(Measure.events).selectinload(MeasureEvent.user))
    ).scalar_one_or_none()
    if measure is None:
        raise not_found(Measure, measure_id)
    return measure


def page(status=None, measure=None, waiting=None, agreement_id=None, limit: int = 200) -> dict:
    """The measures page: the rows (newest first), how many are at each step and how many
    wait for each next step, in SQL (GROUP BY), for the caller's scope."""
    today = today_local()
    statement = list_statement(agreement_id=agreement_id, status=status, measure=measure)
    if waiting in WAITING:
        statement = statement.where(waiting_condition(waiting, today))
    rows = db.session.execute(statement.options(
        selectinload(Measure.institution), selectinload(Measure.agreement))
        .limit(limit)).scalars().all()
    counts = dict(db.session.execute(
        select(Measure.status, func.count()).group_by(Measure.status)).all())
    waiting_counts = db.session.execute(select(*[  # one pass for every waiting step
        func.count().filter(waiting_condition(step, today)) for step in WAITING])
        .select_from(Measure)).one()
    waits = dict(zip(WAITING, waiting_counts, strict=True))
    return {"rows": rows, "counts": counts, "waiting": waits, "today": today,
            "limit": limit}


DECIDED = ("decided", "effective", "lifted", "ended")


def money(institution_id: int, year: int | None = None) -> dict:
    """协议处理的金额 of one institution and year (the year a measure took effect), in fen:
    clawbacks (追回), refused claims (不予支付), contractual penalties (违约金) and deposit
    deductions (质量保证金), summed per kind, each amount traced to its measure. Fines are
    administrative penalties, outside agreement handling."""
    institution = find(Institution, institution_id)
    year = year or today_local().year
    rows = db.session.execute(select(Measure).where(
        Measure.institution_id == institution.id,
        Measure.measure.in_(sorted(rules.WITH_AMOUNT)), Measure.status.in_(DECIDED),
        Measure.effective_on >= date(year, 1, 1), Measure.effective_on <= date(year, 12, 31))
        .order_by(Measure.effective_on, Measure.id)).scalars().all()
    by_kind = {kind: sum(m.amount_fen or 0 for m in rows if m.measure == kind)
               for kind in sorted(rules.WITH_AMOUNT)}
    return {"institution_id": institution.id, "year": year, "by_measure": by_kind,
            "total_fen": sum(by_kind.values()),
            "measures": [{"measure_id": m.id, "measure": m.measure, "amount_fen": m.amount_fen,
                          "effective_on": m.effective_on, "basis": m.basis} for m in rows]}


def confirmed_findings(institution_id: int, limit: int = 100) -> list[Finding]:
    """The institution's confirmed findings, newest first: a proposal's basis."""
    return db.session.execute(
        select(Finding).where(Finding.institution_id == institution_id,
                              Finding.status == "confirmed")
        .order_by(Finding.id.desc()).limit(limit)).scalars().all()


def steps_for(measure: Measure) -> list[str]:
    """The steps the caller may take on ``measure`` now (the page shows those forms)."""
    ctx, today = require(), today_local()
    steps = []
    for step in ("notify", "appeal", "decide", "lift", "revoke"):
        if not rules.may(ctx.role, step, measure.measure):
            continue
        target = rules.TRANSITIONS.get((measure.status, step))
        if target is None:
            continue
        if step == "appeal" and today > measure.appeal_until:
            continue
        if step == "decide" and (measure.status == "notified" and today <= measure.appeal_until
                                 or _decider_blocked(measure, ctx.user_id)):
            continue
        if step == "revoke" and measure.measure == "rescission" and measure.status == "effective":
            continue
        steps.append(step)
    return steps


def _decider_blocked(measure: Measure, user_id: int) -> bool:
    try:
        rules.check_decider(measure.measure, _responsible(measure), user_id)
    except TransitionError:
        return True
    return False


# ----------------------------------------------------------------------------- proposing
def propose(data: MeasureInput) -> Measure:
    """A bureau user proposes a measure by hand (any of the contract's measures)."""
    ctx = require()
    if not rules.may(ctx.role, "propose", data.measure):
        raise Forbidden(N_("只有医保局用户可以提出协议处理"))
    with transaction():
        agreement = find(Agreement, data.agreement_id, for_update=True)
        errors = _input_errors(data, agreement)
        if errors:
            raise Invalid(N_("请检查标注的字段"), errors)
        measure = Measure(
            region_id=agreement.region_id, institution_id=agreement.institution_id,
            agreement_id=agreement.id, measure=data.measure, status="proposed",
            months=data.months, amount_fen=data.amount_fen, basis=data.basis.strip(),
            clause_number=_blank(data.clause_number),
            article=_blank(data.article) or (lifecycle.RESCISSION_ARTICLE
                                            if data.measure == "rescission" else None),
            finding_id=data.finding_id, ground=_blank(data.ground), proposed_by=ctx.user_id)
        db.session.add(measure)
        db.session.flush()
        _event(measure, "propose", None, _blank(data.reason))
    return measure


def propose_automatically(agreement: Agreement, measure: str, key: str, basis: str, *,
                          article: str | None = None, finding: Finding | None = None,
                          months: int | None = None, year: int | None = None,
                          ground: str | None = None) -> Measure | None:
    """The system proposes ``measure`` for the cause ``key`` (saas.domain.measures.
    proposal_key), once: a second proposal for the same cause inserts nothing (the unique
    index on (agreement_id, proposal_key), ON CONFLICT DO NOTHING), even when two
    confirmations run at the same moment. Runs inside the caller's transaction."""
    values = dict(region_id=agreement.region_id, institution_id=agreement.institution_id,
                  agreement_id=agreement.id, measure=measure, status="proposed",
                  months=months, basis=basis, article=article, ground=ground,
                  finding_id=finding.id if finding else None, proposal_key=key, year=year,
                  clause_number=finding.clause.number if finding and finding.clause else None)
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = db.session.execute(
        dialect.insert(Measure).values(**values)
        .on_conflict_do_nothing(index_elements=["agreement_id", "proposal_key"],
                                index_where=Measure.proposal_key.is_not(None))
        .returning(Measure.id)).scalar()
    if inserted is None:
        return None
    proposed = db.session.execute(select(Measure).where(Measure.id == inserted)).scalar_one()
    _event(proposed, "propose", None, basis, by=None)
    return proposed


def record_request(agreement: Agreement, kind: str, months: int | None, effective_on: date,
                   basis: str, requested_by: int | None, reason: str) -> Measure:
    """An institution's accepted request (saas.services.agreement_requests) as a measure:
    proposed by the requester, decided now by the acting bureau admin, effective on the
    day asked. No notice or appeal window: the institution asked for it."""
    rescission = kind == "rescission"
    measure = Measure(
        region_id=agreement.region_id, institution_id=agreement.institution_id,
        agreement_id=agreement.id, measure=kind, status="proposed", months=months,
        basis=basis, article=lifecycle.RESCISSION_ARTICLE if rescission else None,
        ground="own_request" if rescission else None, proposed_by=requested_by,
        effective_on=effective_on, notified_at=utcnow())
    db.session.add(measure)
    db.session.flush()
    _event(measure, "propose", None, basis, by=requested_by, tell=False)
    _step(measure, "notify", reason=N_("机构自行申请"), tell=False)
    _step(measure, "decide", decision="uphold", reason=reason, tell=False)
    measure.decided_by = require().user_id
    _take_effect(measure, reason)
    return measure


# --------------------------------------------------------------------------- due process
def notify(measure_id: int) -> Measure:
    """告知: the institution sees the measure from now on; its appeal window opens."""
    with transaction():
        measure = _for_step(measure_id, "notify")
        today = today_local()
        measure.notified_at = utcnow()
        measure.appeal_until = workday_calendar(today).appeal_deadline(
            today, _appeal_workdays(measure.agreement))
        _step(measure, "notify")
        for event in measure.events:  # the history is shown with the measure
            event.notified_at = event.notified_at or measure.notified_at
    return measure


def appeal(measure_id: int, statement: str, evidence_ids: list[int] | None = None,
           files: list | None = None) -> Measure:
    """申诉: the institution's statement, with evidence (ids of uploads, or files from the
    form: evidence_service.Upload), within the appeal window."""
    statement = (statement or "").strip()
    with transaction():
        measure = _for_step(measure_id, "appeal")
        if today_local() > measure.appeal_until:
            raise Conflict(N_("申诉期已于 %(deadline)s 结束",
                              deadline=measure.appeal_until.isoformat()))
        errors = {}
        if not statement or len(statement) > MAX_TEXT:
            errors["statement"] = [N_("请填写申诉理由（最多 %(n)s 字）", n=MAX_TEXT)]
        found, missing = evidence_service.for_institution(evidence_ids or [],
                                                          measure.institution_id)
        problems = [N_("证据 %(id)s 不存在或不属于本机构", id=i) for i in missing]
        problems += [N_("证据 %(id)s 已关联其他记录", id=e.id) for e in found
                     if not evidence_service.unattached(e)]
        if problems:
            errors["evidence_ids"] = problems
        if errors:
            raise Invalid(N_("请检查标注的字段"), errors)
        event = _step(measure, "appeal", reason=statement)
        for evidence in found:
            evidence_service.attach(evidence, event)
        for upload in files or []:  # a refused file rolls the whole appeal back
            evidence_service.attach(evidence_service.store(upload, measure.institution), event)
    return measure


def decide(measure_id: int, decision: str, reason: str) -> Measure:
    """决定: uphold (the measure takes effect today) or overturn (it is revoked and its
    finding's points are taken back)."""
    reason = _reason(reason)
    with transaction():
        measure = _for_step(measure_id, "decide")
        try:
            rules.check_decider(measure.measure, _responsible(measure), require().user_id)
            rules.check_decidable(measure.status, measure.appeal_until, today_local())
        except TransitionError as exc:
            raise Conflict(message_of(exc)) from None
        _step(measure, "decide", decision=decision, reason=reason)
        measure.decided_by = require().user_id
        if measure.status == "decided":
            _take_effect(measure, reason)
        else:
            _take_points_back(measure)
    return measure


def lift(measure_id: int, reason: str) -> Measure:
    """解除处理: an effective measure ends early; a suspension's agreement resumes."""
    reason = _reason(reason)
    with transaction():
        measure = _for_step(measure_id, "lift")
        _step(measure, "lift", reason=reason)
        _resume_agreement(measure, reason)
    return measure


def revoke(measure_id: int, reason: str) -> Measure:
    """撤销: the measure did not hold. Its finding's points are taken back and a
    suspension's agreement resumes; an effective rescission cannot be revoked here (the
    agreement has ended; 复议 or 诉讼 are the routes)."""
    reason = _reason(reason)
    with transaction():
        measure = _for_step(measure_id, "revoke")
        if measure.measure == "rescission" and measure.status == "effective":
            raise Conflict(N_("解除协议已生效，不能撤销；请通过行政复议或行政诉讼途径处理"))
        was_effective = measure.status == "effective"
        _step(measure, "revoke", reason=reason)
        _take_points_back(measure)
        if was_effective:
            _resume_agreement(measure, reason)
    return measure


def end_due(today: date) -> dict:
    """The daily job (or a bureau admin): decided measures whose day has come take
    effect; effective measures whose months ran out end, a suspension's agreement
    resuming; a suspension running past 180 days or past the term's end terminates its
    agreement instead (自动终止, 令第2号 第四十二条), whichever date comes first.
    Returns {"started": measure ids, "ended": measure ids, "terminated": agreement ids}."""
    ctx = require()
    if ctx.institution_id is not None or ctx.role not in (None, "bureau_admin"):
        raise Forbidden(N_("只有医保局管理员可以执行到期处理"))
    with transaction():
        started = [m.id for m in _due_to_start(today)]
        ended = [m.id for m in _due_measures(today) if _end_measure(m, today)]
        terminated = [a.id for a in _due_terminations(today)]
    return {"started": started, "ended": ended, "terminated": terminated}


def _due_to_start(today: date) -> list[Measure]:
    """Decided measures whose day has come (an institution's request, accepted)."""
    due = db.session.execute(
        select(Measure).where(Measure.status == "decided", Measure.effective_on <= today)
        .order_by(Measure.id).with_for_update()).scalars().all()
    for measure in due:
        _take_effect(measure, N_("按确定的日期生效"), today)
    return due


def _due_measures(today: date) -> list[Measure]:
    return db.session.execute(
        select(Measure).where(Measure.status == "effective", Measure.ends_on.is_not(None),
                              Measure.ends_on <= today)
        .order_by(Measure.id).with_for_update()).scalars().all()


def _end_measure(measure: Measure, today: date) -> bool:
    agreement = find(Agreement, measure.agreement_id, for_update=True)
    if (measure.measure == "suspension" and agreement.status == "suspended"
            and _termination_date(agreement) < measure.ends_on):
        return False  # the agreement ended before the suspension did: terminated instead
    _step(measure, "end", reason=N_("处理期满"), by=None)
    _resume_agreement(measure, N_("中止期满，恢复履行"))
    if measure.measure == "suspension":
        _rescind_if_rectification_incomplete(agreement, measure)
    return True


def _rescind_if_rectification_incomplete(agreement: Agreement, measure: Measure) -> None:
    """中止期间未完成整改 (令第2号第四十三条): a suspension that ends with the
    institution's ledger items still open proposes 解除, once per suspension."""
    open_items = db.session.execute(select(RectificationItem.number).where(
        RectificationItem.institution_id == agreement.institution_id,
        RectificationItem.private.is_(False), RectificationItem.status != "closed")
        .order_by(RectificationItem.due_date, RectificationItem.id).limit(5)).scalars().all()
    if open_items:
        propose_automatically(
            agreement, "rescission", rules.proposal_key("rectification_incomplete", measure.id),
            N_("中止期满，整改事项 %(numbers)s 等尚未销号", numbers="、".join(open_items)),
            article=N_("令第2号第四十三条"), ground="rectification_incomplete")


def _due_terminations(today: date) -> list[Agreement]:
    suspended = db.session.execute(
        select(Agreement).where(Agreement.status == "suspended")
        .order_by(Agreement.id).with_for_update()).scalars().all()
    due = [a for a in suspended if _termination_date(a) <= today]
    for agreement in due:
        agreements.apply_measure(agreement, "terminate", N_("中止超过180日或协议期满，协议自动终止"))
        for measure in db.session.execute(select(Measure).where(
                Measure.agreement_id == agreement.id, Measure.measure == "suspension",
                Measure.status == "effective")).scalars():
            _step(measure, "end", reason=N_("协议自动终止"), by=None)
    return due


def _termination_date(agreement: Agreement) -> date:
    return lifecycle.suspension_termination_date(agreement.suspended_at or today_local(),
                                                 agreement.end)


# ------------------------------------------------------------------------------ helpers
def _for_step(measure_id: int, step: str) -> Measure:
    measure = find(Measure, measure_id, for_update=True)
    if not rules.may(require().role, step, measure.measure):
        raise Forbidden(N_("当前角色无权执行此操作"))
    return measure


def _step(measure: Measure, action: str, *, decision: str | None = None,
          reason: str | None = None, by: int | None | bool = True,
          tell: bool = True) -> MeasureEvent:
    """Move the measure one step (saas.domain.measures.next_status), with its event and
    audit entry. ``by``: the acting user (default), or None for the system."""
    before = column_snapshot(measure)
    try:
        status = rules.next_status(measure.status, action, decision)
    except TransitionError as exc:
        raise Conflict(message_of(exc)) from None
    with MEASURE_STATUS.allowed():
        measure.status = status
    event = _event(measure, action, before["status"], reason, decision=decision,
                   by=require().user_id if by is True else by, tell=tell)
    audit.record(f"measure.{action}", measure, before=before, after=column_snapshot(measure))
    return event


def _event(measure: Measure, action: str, from_status: str | None, reason: str | None, *,
           decision: str | None = None, by: int | None | bool = True,
           tell: bool = True) -> MeasureEvent:
    event = MeasureEvent(region_id=measure.region_id, institution_id=measure.institution_id,
                         measure_id=measure.id, action=action, from_status=from_status,
                         to_status=measure.status, decision=decision, reason=reason,
                         by=require().user_id if by is True else by,
                         notified_at=measure.notified_at)
    db.session.add(event)
    db.session.flush()
    if action == "propose":
        audit.record("measure.proposed", measure, after=column_snapshot(measure))
    if tell:
        _tell(measure, action)
    return event


BUREAU = ("bureau_admin", "bureau_inspector")
#: step → (who hears of it, the notification's kind, its subject)
NEWS = {
    "propose": (BUREAU, "measure_proposed", N_("拟对 %(institution)s 作出「%(measure)s」处理，待告知")),
    "notify": (("institution_admin",), "measure_notified",
               N_("「%(measure)s」处理告知：申诉截止 %(deadline)s")),
    "appeal": (BUREAU, "measure_appealed", N_("%(institution)s 对「%(measure)s」提出申诉")),
    "decide": (("institution_admin",), "measure_decided", N_("「%(measure)s」已作出决定：%(status)s")),
    "lift": (("institution_admin",), "measure_closed", N_("「%(measure)s」%(status)s")),
    "end": (("institution_admin",), "measure_closed", N_("「%(measure)s」%(status)s")),
    "revoke": (("institution_admin",), "measure_closed", N_("「%(measure)s」%(status)s")),
}
STATUS_WORDS = {"effective": N_("执行中"), "revoked": N_("已撤销"), "lifted": N_("已提前解除"),
                "ended": N_("已期满"), "decided": N_("已决定")}


def _tell(measure: Measure, action: str) -> None:
    """Notify those a step concerns (the institution only once it was notified)."""
    if action not in NEWS:
        return
    roles, kind, subject = NEWS[action]
    institution_side = "institution_admin" in roles
    if institution_side and measure.notified_at is None:
        return
    users = notifications.users_with_roles(
        roles, measure.institution_id if institution_side else None)
    notifications.send(users, kind, N_(
        subject, institution=measure.institution.name,
        measure=rules.MEASURE_LABELS_ZH[measure.measure],
        deadline=measure.appeal_until.isoformat() if measure.appeal_until else "",
        status=STATUS_WORDS.get(measure.status, measure.status)),
        f"/measures/{measure.id}")


def _take_effect(measure: Measure, reason: str, today: date | None = None) -> None:
    """生效: the decision applies today, or on the day set for it (an institution's own
    request; the daily job applies it then); a suspension pauses the agreement for its
    months, a rescission ends it."""
    today = today or today_local()
    if measure.effective_on is not None and measure.effective_on > today:
        return  # decided; it takes effect on its day (end_due)
    measure.effective_on = measure.effective_on or today
    if measure.months:
        measure.ends_on = add_months(measure.effective_on, measure.months)
    _step(measure, "take_effect", reason=reason, by=None)
    agreement = find(Agreement, measure.agreement_id, for_update=True)
    if measure.measure == "suspension":
        _agreement_step(agreement, "suspend", reason)
        if agreement.suspensions > 1:  # 同一协议期内第二次中止 → 解除 proposed
            propose_automatically(agreement, "rescission",
                                  rules.proposal_key("repeat_suspension", agreement.id),
                                  N_("同一协议期内第二次中止协议"),
                                  article=N_("令第2号第四十三条"),
                                  ground="repeat_suspension")
    elif measure.measure == "rescission":
        _agreement_step(agreement, "rescind", reason)
        bars.after_rescission(agreement, measure, measure.basis)


def _resume_agreement(measure: Measure, reason: str) -> None:
    if measure.measure != "suspension":
        return
    agreement = find(Agreement, measure.agreement_id, for_update=True)
    if agreement.status == "suspended":
        _agreement_step(agreement, "resume", reason)


def _agreement_step(agreement: Agreement, action: str, reason: str) -> None:
    agreements.apply_measure(agreement, action, reason)


def _take_points_back(measure: Measure) -> None:
    if measure.finding_id is not None:
        finding = find(Finding, measure.finding_id)
        points.take_back(finding, "measure_revoked", measure_id=measure.id)


def _responsible(measure: Measure) -> int | None:
    """Who answers for the proposal in the four-eyes rule: its proposer, or for a
    system proposal the bureau user who notified it."""
    if measure.proposed_by is not None:
        return measure.proposed_by
    return next((e.by for e in measure.events if e.action == "notify"), None)


def _appeal_workdays(agreement: Agreement) -> int:
    return int((agreement.template.settings or {}).get("appeal_workdays",
                                                       DEFAULT_APPEAL_WORKDAYS))


def _input_errors(data: MeasureInput, agreement: Agreement) -> dict:
    errors: dict[str, list] = {}
    if data.measure not in rules.MEASURES:
        errors["measure"] = [N_("请选择处理方式")]
    if not (data.basis or "").strip() or len(data.basis) > MAX_TEXT:
        errors["basis"] = [N_("请填写处理依据（最多 %(n)s 字）", n=MAX_TEXT)]
    if data.measure in rules.WITH_MONTHS:
        if not isinstance(data.months, int) or not 1 <= data.months <= MAX_MONTHS:
            errors["months"] = [N_("月数应为 1 至 %(max)s 之间的整数", max=MAX_MONTHS)]
    elif data.months is not None:
        errors["months"] = [N_("此处理方式没有期限")]
    if data.measure in rules.WITH_AMOUNT:
        if not isinstance(data.amount_fen, int) or not 0 < data.amount_fen <= MAX_AMOUNT_FEN:
            errors["amount_fen"] = [N_("金额应为大于 0 的整数（分）")]
    elif data.amount_fen is not None:
        errors["amount_fen"] = [N_("此处理方式没有金额")]
    if data.measure == "rescission" and data.ground not in lifecycle.RESCISSION_GROUNDS:
        errors["ground"] = [N_("请选择解除原因（令第2号第四十三条）")]
    elif data.measure != "rescission" and data.ground:
        errors["ground"] = [N_("只有解除协议需要解除原因")]
    if data.finding_id is not None:
        finding = db.session.execute(select(Finding).where(
            Finding.id == data.finding_id,
            Finding.institution_id == agreement.institution_id)).scalar_one_or_none()
        if finding is None or finding.status != "confirmed":
            errors["finding_id"] = [N_("问题 %(id)s 不存在、未确认或不属于本机构",
                                       id=data.finding_id)]
    if agreement.status not in ("active", "suspended"):
        errors["agreement_id"] = [N_("协议不在履行中，不能提出处理")]
    return errors


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_TEXT:
        raise Invalid(N_("请填写理由"), {"reason": [N_("请填写理由（最多 %(n)s 字）", n=MAX_TEXT)]})
    return reason


def _blank(text: str | None) -> str | None:
    return (text or "").strip() or None
