"""考核评估: create, enter measurements, submit, finalize, return — only through here.

Who may do what to which kind is saas.domain.permissions; the state machine is
draft → submitted → finalized (submitted → draft by return). Measurements are saved all
or nothing: every row is checked first, and one bad row saves none.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from saas.domain.filetypes import XLSX, sniff
from saas.domain.measurements import IndicatorSpec, validate_rows
from saas.domain.messages import N_, Name, message_of
from saas.domain.periods import Period, PeriodError, parse_period
from saas.domain.permissions import (
    ASSESSMENT_ACTION_LABELS_ZH,
    KIND_LABELS_ZH,
    KINDS,
    ONE_PER_PERIOD,
    TransitionError,
    assessment_is_editable,
    assessment_next_state,
    can,
    kind_is_private,
)
from saas.errors import Conflict, Forbidden, Invalid
from saas.extensions import db
from saas.models import (
    Agreement,
    Assessment,
    AuditEntry,
    Evidence,
    Finding,
    Indicator,
    Institution,
    Measurement,
)
from saas.models.assessments import ASSESSMENT_STATUS
from saas.services import audit, enforcement, measurement_files, scoring
from saas.services import evidence as evidence_service
from saas.services.base import column_snapshot, find, page_of, transaction
from saas.timeutil import utcnow
from tenants.context import require

TRANSITION_AUDIT = {"submit": "assessment.submitted", "finalize": "assessment.finalized",
                    "return": "assessment.returned"}
MAX_REASON = 2000
#: Agreements under which assessments are opened (a draft is not signed yet).
OPEN_AGREEMENT_STATES = ("active", "suspended", "expired", "rescinded")


def require_can(action: str, kind: str) -> None:
    if not can(require().role, action, kind):
        raise Forbidden(N_("当前角色无权%(action)s「%(kind)s」",
                           action=N_(ASSESSMENT_ACTION_LABELS_ZH[action]),
                           kind=N_(KIND_LABELS_ZH[kind])))


def allowed_actions(assessment: Assessment) -> set[str]:
    """What the caller may do to this assessment now (buttons on the pages)."""
    role = require().role
    out = {a for a in ("submit", "finalize", "return")
           if can(role, a, assessment.kind) and _transition_ok(assessment.status, a)}
    if assessment_is_editable(assessment.status):
        out |= {a for a in ("edit", "record_finding") if can(role, a, assessment.kind)}
    out |= {a for a in ("confirm_finding", "dismiss_finding") if can(role, a, assessment.kind)}
    return out


def _transition_ok(state: str, action: str) -> bool:
    try:
        assessment_next_state(state, action)
    except TransitionError:
        return False
    return True


def list_statement(institution_id=None, kind=None, period=None, status=None,
                   agreement_id=None):
    """Assessments the caller may see (the ORM filter scopes them), newest period first."""
    statement = select(Assessment).order_by(Assessment.period_start.desc(),
                                            Assessment.id.desc())
    for column, value in ((Assessment.institution_id, institution_id),
                          (Assessment.kind, kind), (Assessment.status, status),
                          (Assessment.agreement_id, agreement_id)):
        if value is not None:
            statement = statement.where(column == value)
    if period:
        try:
            statement = statement.where(Assessment.period == str(parse_period(period)))
        except PeriodError as exc:
            raise Invalid(message_of(exc), {"period": [message_of(exc)]}) from None
    return statement


# --------------------------------------------------------------------------- create


def _period_for(kind: str, text: str, agreement: Agreement):
    try:
        period = parse_period(text)
    except PeriodError as exc:
        raise Invalid(message_of(exc), {"period": [message_of(exc)]}) from None
    if kind == "annual" and period.kind != "year":
        raise Invalid(N_("年度考核的期间应为年份"), {"period": [N_("年度考核的期间应为年份，如 2026")]})
    if period.end < agreement.start or period.start > agreement.end:
        message = N_("期间 %(period)s 不在协议期限（%(start)s 至 %(end)s）内", period=str(period),
                     start=str(agreement.start), end=str(agreement.end))
        raise Invalid(message, {"period": [message]})
    return period


def create(agreement_id: int, kind: str, period_text: str) -> Assessment:
    """A new draft assessment of ``kind`` for ``period`` under one agreement; the
    institution is the agreement's."""
    if kind not in KINDS:
        raise Invalid(N_("考核类型无效"), {"kind": [N_("应为 %(kinds)s 之一", kinds=", ".join(KINDS))]})
    require_can("create", kind)
    agreement = find(Agreement, agreement_id)
    period = _period_for(kind, period_text, agreement)
    if agreement.status not in OPEN_AGREEMENT_STATES:
        raise Conflict(N_("协议尚未签订，不能开展考核"))
    exists = N_("%(period)s 的「%(kind)s」已存在", period=str(period),
                kind=N_(KIND_LABELS_ZH[kind]))
    if kind in ONE_PER_PERIOD and _exists(agreement.id, kind, str(period)):
        raise Conflict(exists)
    with transaction():
        assessment = Assessment(
            agreement_id=agreement.id, institution_id=agreement.institution_id,
            region_id=agreement.region_id, kind=kind, period=str(period),
            period_start=period.start, period_end=period.end, status="draft",
            created_by=require().user_id, private=kind_is_private(kind))
        db.session.add(assessment)
        try:
            db.session.flush()
        except IntegrityError:  # the same one created at the same moment (the unique index)
            raise Conflict(exists) from None
        scoring.recompute(assessment)
        audit.record("assessment.created", assessment, after=column_snapshot(assessment))
    return assessment


def _exists(agreement_id: int, kind: str, period: str) -> bool:
    return db.session.execute(
        select(Assessment.id).where(Assessment.agreement_id == agreement_id,
                                    Assessment.kind == kind, Assessment.period == period)
    ).first() is not None


# --------------------------------------------------------------------------- transitions


def get(assessment_id: int, *options) -> Assessment:
    return find(Assessment, assessment_id, *options)


def transition(assessment_id: int, action: str, reason: str | None = None) -> Assessment:
    """submit / finalize / return (return needs a reason). The row is locked first, so of
    two identical requests at once the second sees the new state and gets a 409."""
    assessment = find(Assessment, assessment_id, for_update=True)
    require_can(action, assessment.kind)
    try:
        new_state = assessment_next_state(assessment.status, action)
    except TransitionError as exc:
        raise Conflict(message_of(exc)) from None
    reason = (reason or "").strip()
    if action == "return" and not reason:
        raise Invalid(N_("请填写退回原因"), {"reason": [N_("请填写退回原因")]})
    if len(reason) > MAX_REASON:
        raise Invalid(N_("原因过长"), {"reason": [N_("最多 %(n)s 字", n=MAX_REASON)]})
    if action == "submit":
        _check_evidence(assessment)
    with transaction():
        before = column_snapshot(assessment)
        with ASSESSMENT_STATUS.allowed():
            assessment.status = new_state
        now = utcnow()
        if action == "submit":
            assessment.submitted_at = now
        elif action == "finalize":
            assessment.finalized_at = now
        else:
            assessment.submitted_at = None
        scoring.recompute(assessment)
        after = column_snapshot(assessment) | ({"reason": reason} if reason else {})
        audit.record(TRANSITION_AUDIT[action], assessment, before=before, after=after)
        if action == "finalize" and assessment.kind == "annual":
            enforcement.annual_finalized(assessment)
    return assessment


def _check_evidence(assessment: Assessment) -> None:
    """An indicator that requires evidence and has a value needs at least one file."""
    due = scoring.due_indicators(assessment)
    required = {i.id: i for i in due.indicators if i.evidence_required}
    if not required:
        return
    rows = db.session.execute(
        select(Measurement.indicator_id, func.count(Evidence.id))
        .outerjoin(Evidence, Evidence.measurement_id == Measurement.id)
        .where(Measurement.assessment_id == assessment.id,
               Measurement.indicator_id.in_(required), Measurement.value.is_not(None),
               Measurement.not_applicable.is_(False))
        .group_by(Measurement.indicator_id)
    ).all()
    missing = {required[i].code: [N_("%(name)s：该指标要求上传证据材料",
                                     name=Name(required[i].name, required[i].name_en))]
               for i, count in rows if count == 0}
    if missing:
        raise Invalid(N_("%(n)s 项指标缺少证据材料，不能提交", n=len(missing)), missing)


def last_return_reason(assessment: Assessment) -> str | None:
    """Why the assessment was last sent back (kept in the audit trail)."""
    after = db.session.execute(
        select(AuditEntry.after)
        .where(AuditEntry.object_type == "Assessment",
               AuditEntry.object_id == str(assessment.id),
               AuditEntry.action == TRANSITION_AUDIT["return"])
        .order_by(AuditEntry.id.desc()).limit(1)
    ).scalar()
    return (after or {}).get("reason")


# --------------------------------------------------------------------------- measurements


def _editable(assessment: Assessment) -> None:
    require_can("edit", assessment.kind)
    if not assessment_is_editable(assessment.status):
        raise Conflict(N_("考核已提交或定稿，不能修改数据（如需修改请先退回）"))


def save_measurements(assessment_id: int, rows: list[dict], answer: bool = True) -> dict | None:
    """Bulk upsert ``[{indicator_code, value, note, evidence_ids, not_applicable}]``
    (listed indicators only; a null value clears one). Errors are keyed "row N" (the
    position in the list, from 1). Returns the scorecard, unless ``answer`` is false."""
    assessment = get(assessment_id)
    _editable(assessment)
    return _save(assessment, [(f"row {n}", row) for n, row in enumerate(rows, start=1)], {},
                 source="api", answer=answer)


def save_form(assessment_id: int, rows: list[dict], uploads: dict[str, list]) -> None:
    """The web form: like the bulk PUT, errors keyed by indicator code, and ``uploads``
    (evidence_service.Upload per indicator code) added as new evidence files."""
    assessment = get(assessment_id)
    _editable(assessment)
    _save(assessment, [(str(row.get("indicator_code")), row) for row in rows], uploads,
          source="form")


def import_measurements(assessment_id: int, filename: str, data: bytes,
                        answer: bool = True) -> dict | None:
    """A filled-in template (.xlsx or .csv); errors per sheet row, nothing saved if any.
    Returns the scorecard, unless ``answer`` is false."""
    assessment = get(assessment_id)
    _editable(assessment)
    evidence_service.check_size(data)
    media_type = sniff(data, filename)
    if media_type not in (XLSX, "text/csv"):
        raise Invalid(N_("只接受 .xlsx 或 .csv 文件"), {"file": [N_("只接受 .xlsx 或 .csv 文件")]})
    try:
        rows = measurement_files.read_rows(filename, data, media_type)
    except measurement_files.FileError as exc:
        raise Invalid(message_of(exc), {"file": [message_of(exc)]}) from None
    if not rows:
        raise Invalid(N_("文件中没有数据行"), {"file": [N_("文件中没有数据行")]})
    return _save(assessment, rows, {}, source=f"file {filename}"[:100], answer=answer)


def _save(assessment: Assessment, labelled: list, uploads: dict, source: str,
          answer: bool = False) -> dict | None:
    """Validate and write the rows, score the assessment; with ``answer``, its scorecard."""
    with transaction():
        due = scoring.due_indicators(assessment)
        by_code = {i.code: i for i in due.indicators}
        specs = {c: IndicatorSpec(c, i.direction, i.unit, Name(i.name, i.name_en),
                                  i.value_min, i.value_max)
                 for c, i in by_code.items()}
        result = validate_rows(labelled, specs)
        measurements = scoring.measurements_of(assessment)
        linked = _evidence_checks(result, assessment, by_code, measurements)
        if result.errors:
            raise Invalid(N_("%(n)s 行有错误，未保存任何数据", n=len(result.errors)),
                          result.errors)
        before, after = _apply(assessment, result.rows, by_code, measurements, linked, uploads)
        scoring.recompute(assessment, due, measurements)
        # read in the transaction, from what it holds, before the audit chain's lock: the
        # lock is held no longer, and nothing is read again after the commit
        card = scoring.scorecard(assessment, due, measurements) if answer else None
        if after:
            audit.record("measurements.saved", assessment, before=before,
                         after={"source": source, "values": after})
    return card


def _evidence_checks(result, assessment, by_code, measurements) -> dict[int, Evidence]:
    """Evidence ids must be files of the assessment's institution not proving another
    measurement; problems are added to the row's errors."""
    ids = [i for row in result.rows for i in (row.evidence_ids or [])]
    found, _ = evidence_service.for_institution(ids, assessment.institution_id)
    by_id = {e.id: e for e in found}
    for row in result.rows:
        own = measurements.get(by_code[row.indicator_code].id)
        for evidence_id in row.evidence_ids or []:
            evidence = by_id.get(evidence_id)
            if evidence is None:
                result.add(row.label, N_("证据 %(id)s 不存在或不属于本机构", id=evidence_id))
            elif evidence.measurement_id not in (None, own.id if own else None):
                result.add(row.label, N_("证据 %(id)s 已关联其他指标", id=evidence_id))
    return by_id


def _stored(measurement: Measurement | None) -> dict | None:
    if measurement is None:
        return None
    return {"value": measurement.value, "not_applicable": measurement.not_applicable,
            "note": measurement.note}


def _apply(assessment, rows, by_code, measurements, linked, uploads) -> tuple[dict, dict]:
    """Write the clean rows; returns the audit's before/after of what changed."""
    user_id = require().user_id
    before, after, touched = {}, {}, []
    for row in rows:
        indicator = by_code[row.indicator_code]
        measurement = measurements.get(indicator.id)
        old = _stored(measurement)
        if measurement is None:
            measurement = Measurement(assessment_id=assessment.id, indicator_id=indicator.id,
                                      institution_id=assessment.institution_id,
                                      region_id=assessment.region_id,
                                      private=assessment.private)
            db.session.add(measurement)
            measurements[indicator.id] = measurement
        value = row.value
        measurement.value = float(value) if value is not None else None
        measurement.not_applicable = row.not_applicable
        measurement.note = row.note
        new = _stored(measurement)
        if new != old or row.evidence_ids is not None or uploads.get(row.indicator_code):
            measurement.updated_by = user_id
            before[row.indicator_code], after[row.indicator_code] = old, new
        touched.append((row, measurement))
    try:
        db.session.flush()  # new measurements get their ids
    except IntegrityError:  # someone saved the same indicator at the same moment
        raise Conflict(N_("数据已被他人同时修改，请刷新后重试")) from None
    for row, measurement in touched:
        _link_evidence(measurement, row.evidence_ids, linked, after.get(row.indicator_code))
        for upload in uploads.get(row.indicator_code, []):
            stored = evidence_service.store(upload, assessment.institution)
            evidence_service.attach(stored, measurement)
            after[row.indicator_code].setdefault("evidence_added", []).append(stored.id)
    return before, after


def _link_evidence(measurement, evidence_ids, linked, change: dict | None) -> None:
    if evidence_ids is None:
        return
    wanted = set(evidence_ids)
    for evidence in list(measurement.evidence):
        if evidence.id not in wanted:
            evidence.measurement_id = None
    for evidence_id in wanted:
        evidence_service.attach(linked[evidence_id], measurement)
    if change is not None:
        change["evidence_ids"] = sorted(wanted)


# --------------------------------------------------------------------------- reading


def measurement_template(assessment_id: int, fmt: str) -> tuple[bytes, str, str]:
    """(content, mimetype, filename) of the template prefilled with the due indicators."""
    assessment = get(assessment_id)
    card = scoring.scorecard_rows(assessment)
    name = f"指标数据-{assessment.institution.code}-{assessment.period}-{assessment.kind}"
    if fmt == "csv":
        return measurement_files.template_csv(card), "text/csv; charset=utf-8", f"{name}.csv"
    title = f"{assessment.institution.name} {assessment.period} {KIND_LABELS_ZH[assessment.kind]}"
    return measurement_files.template_xlsx(title, card), XLSX, f"{name}.xlsx"


def detail(assessment_id: int) -> dict:
    """What the measurement form shows: the scorecard rows, each indicator's evidence,
    the caller's allowed actions and the last return reason."""
    assessment = get(assessment_id, joinedload(Assessment.institution))  # its header
    card, _due = scoring.measurement_card(assessment)
    files = db.session.execute(
        select(Evidence, Indicator.code)
        .join(Measurement, Measurement.id == Evidence.measurement_id)
        .join(Indicator, Indicator.id == Measurement.indicator_id)
        .where(Measurement.assessment_id == assessment.id).order_by(Evidence.id)
    ).all()
    evidence: dict[str, list] = {}
    for file, code in files:
        evidence.setdefault(code, []).append(file)
    return {"assessment": assessment, "card": card, "evidence": evidence,
            "actions": allowed_actions(assessment),
            "return_reason": last_return_reason(assessment)
            if assessment.status == "draft" else None,
            "quarter": quarter_note(assessment)}


def quarter_note(assessment: Assessment) -> dict | None:
    """A month that ends a quarter: the template's quarterly indicators are not asked
    here but in the quarter's own assessment. ``{period, indicators, assessment_id}``
    (the quarter's assessment of the same kind when it exists), or None."""
    period = parse_period(assessment.period)
    if period.kind != "month" or period.index % 3:
        return None
    quarterly = db.session.execute(
        select(Indicator).where(Indicator.template_id == assessment.agreement.template_id,
                                Indicator.frequency == "quarterly")
        .order_by(Indicator.position)).scalars().all()
    if not quarterly:
        return None
    quarter = str(Period.quarter(period.year, period.index // 3))
    existing = db.session.execute(
        select(Assessment.id).where(Assessment.agreement_id == assessment.agreement_id,
                                    Assessment.kind == assessment.kind,
                                    Assessment.period == quarter).limit(1)).scalar()
    return {"period": quarter, "indicators": quarterly, "assessment_id": existing}


def list_page(filters: dict, after: str | None = None, size: int = 50) -> dict:
    """The assessments page: one page of assessments with their institutions (keyset
    paging, a kept count: saas.services.paging), the first agreements a new assessment
    may be opened on (the form searches the others) and the kinds the caller may create."""
    statement = list_statement(**filters).options(joinedload(Assessment.institution))
    found = page_of(statement, 1, size, after)
    role = require().role
    return {"rows": found["items"], "total": found["total"],
            "total_counted_at": found["total_counted_at"], "page": found["page"],
            "size": size, "next": found["next"], "agreements": agreement_choices(),
            "kinds": [k for k in KINDS if can(role, "create", k)]}


def agreement_choices(q: str | None = None, limit: int = 20) -> list:
    """Agreements a new assessment may be opened on, matching ``q`` in the agreement's
    number or the institution's code or name; the first ``limit`` by number (the form
    searches as you type). Rows of ``(id, number, institution_name)``: an option needs no
    more, and no entities are built for it.

    The first ``limit`` agreements are chosen in a subquery and only they are joined to
    their institutions: joined first, the planner (blind to the table sizes under
    row-level security) joined the whole region before sorting."""
    first = (select(Agreement.id, Agreement.number, Agreement.institution_id)
             .where(Agreement.status.in_(OPEN_AGREEMENT_STATES))
             .order_by(Agreement.number).limit(limit))
    if q:
        first = (first.join(Institution, Institution.id == Agreement.institution_id)
                 .where(Agreement.number.contains(q, autoescape=True)
                        | Institution.code.contains(q, autoescape=True)
                        | Institution.name.contains(q, autoescape=True)))
    first = first.subquery()
    return db.session.execute(
        select(first.c.id, first.c.number, Institution.name.label("institution_name"))
        .join(Institution, Institution.id == first.c.institution_id)
        .order_by(first.c.number)).all()


def scorecard(assessment_id: int) -> dict:
    """The contract's scorecard of one assessment (saas.services.scoring.scorecard)."""
    return scoring.scorecard(get(assessment_id))


def annual_scorecard(agreement_id: int, year: int) -> dict:
    """年度考核 of one agreement (saas.services.scoring.annual_scorecard)."""
    return scoring.annual_scorecard(find(Agreement, agreement_id), year)


def scorecard_page(assessment_id: int) -> dict:
    """The scorecard page: the scorecard, what the caller may do, and which indicators
    already have an open or confirmed finding in this assessment."""
    assessment = get(assessment_id, joinedload(Assessment.institution))  # its header
    card = scoring.scorecard(assessment)
    raised = set(db.session.execute(
        select(Indicator.code).join(Finding, Finding.indicator_id == Indicator.id)
        .where(Finding.assessment_id == assessment.id, Finding.status != "dismissed")
    ).scalars())
    return {"assessment": assessment, "card": card, "actions": allowed_actions(assessment),
            "raised": raised}
