"""检查发现 pages: the list (confirm / dismiss for those who decide), the phone-friendly
form inspectors fill in on site, and evidence downloads."""

import io

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from saas.domain.findings import CATEGORY_CODES, STATES, yuan_to_fen
from saas.domain.limits import parse_id
from saas.domain.messages import message_of
from saas.domain.points import SEVERITIES
from saas.errors import Conflict, Invalid
from saas.i18n import error_texts, text
from saas.services import evidence, findings
from saas.web import web

FORM_FIELDS = ("category", "severity", "clause_number", "indicator_code", "amount_yuan",
               "description", "location")


def _filters() -> dict:
    def pick(name, allowed):
        value = request.args.get(name)
        return value if value in allowed else None

    assessment_id = request.args.get("assessment_id", "")
    return {"status": pick("status", STATES), "severity": pick("severity", SEVERITIES),
            "category": pick("category", CATEGORY_CODES),
            "assessment_id": parse_id(assessment_id)}


@web.get("/findings", endpoint="findings")
def finding_list():
    filters = _filters()
    return render_template("findings/list.html", **findings.list_page(filters),
                           filters=filters)


def _decide(finding_id: int, action: str, message: str):
    try:
        findings.decide(finding_id, action, request.form.get("reason"))
    except (Invalid, Conflict) as exc:
        flash(text(exc.detail), "error")
    else:
        flash(message, "success")
    return redirect(url_for("web.findings", **{k: v for k, v in request.args.items()
                                               if k in ("status", "assessment_id")}))


@web.post("/findings/<int:finding_id>/confirm")
def finding_confirm(finding_id):
    return _decide(finding_id, "confirm", _("已确认"))


@web.post("/findings/<int:finding_id>/dismiss")
def finding_dismiss(finding_id):
    return _decide(finding_id, "dismiss", _("已驳回"))


def _finding_input(assessment_id: int, kept: list[int]) -> tuple[findings.FindingInput | None, dict]:
    form = request.form
    try:
        amount = yuan_to_fen(form.get("amount_yuan"))
    except ValueError as exc:
        return None, {"amount_yuan": [text(message_of(exc))]}
    return findings.FindingInput(
        assessment_id=assessment_id, category=form.get("category") or "",
        severity=form.get("severity") or "", description=form.get("description") or "",
        amount_fen=amount, clause_number=form.get("clause_number") or None,
        indicator_code=form.get("indicator_code") or None,
        location=form.get("location") or None, evidence_ids=kept), {}


def _photos() -> list[evidence.Upload]:
    return [evidence.Upload(f.filename or "", f.read(), f.mimetype or "")
            for f in request.files.getlist("photos") if f and f.filename]


def _keep_photos(institution_id: int, errors: dict) -> list:
    """Photos chosen with a form that was refused: stored now, so the inspector need not
    choose them again (a browser cannot refill a file input); the form carries their ids."""
    ids = [i for i in map(parse_id, request.form.getlist("kept_photo")) if i]
    kept = [e for e in evidence.for_institution(ids, institution_id)[0] if e.finding_id is None]
    for photo in _photos():
        try:
            kept.append(evidence.upload(photo, institution_id))
        except Invalid as exc:
            errors.update(error_texts(exc, "photos"))
    return kept


def _finding_form(assessment_id: int, save, values: dict, title: str, finding=None):
    """The phone-friendly finding form, new or editing a draft: on a refusal what was
    typed and the photos chosen are kept."""
    options = findings.form_options(assessment_id)
    errors, kept = {}, []
    if request.method == "POST":
        kept = _keep_photos(options["assessment"].institution_id, errors)
        values = {k: request.form.get(k, "") for k in FORM_FIELDS}
        data, input_errors = _finding_input(assessment_id, [e.id for e in kept])
        errors.update(input_errors)
        if data is not None and not errors:
            try:
                saved = save(data)
            except Invalid as exc:
                errors = error_texts(exc)
            else:
                return saved
    return render_template("findings/new.html", **options, values=values, errors=errors,
                           kept=kept, title=title, finding=finding), (422 if errors else 200)


@web.route("/assessments/<int:assessment_id>/findings/new", methods=["GET", "POST"])
def new_finding(assessment_id):
    try:
        values = {k: request.args.get(k, "") for k in FORM_FIELDS}
        if request.args.get("indicator_code"):  # "登记问题" on a red row of the scorecard
            values.update(findings.prefill(assessment_id, request.args["indicator_code"]))
        result = _finding_form(assessment_id, findings.create, values, _("登记问题"))
    except Conflict as exc:
        flash(text(exc.detail), "error")
        return redirect(url_for("web.assessment", assessment_id=assessment_id))
    if isinstance(result, tuple):
        return result
    flash(_("问题已登记，待确认"), "success")
    return redirect(url_for("web.findings", assessment_id=assessment_id))


@web.route("/findings/<int:finding_id>/edit", methods=["GET", "POST"])
def edit_finding(finding_id):
    finding = findings.get(finding_id)
    current = findings.input_of(finding)
    values = {k: getattr(current, k, None) or "" for k in FORM_FIELDS}
    values["amount_yuan"] = f"{current.amount_fen / 100:.2f}" if current.amount_fen else ""
    try:
        if finding.status != "draft":
            raise Conflict(_("只有待确认的问题可以修改"))
        result = _finding_form(finding.assessment_id,
                               lambda data: findings.update(finding_id, data),
                               values, _("修改问题"), finding)
    except Conflict as exc:
        flash(text(exc.detail), "error")
        return redirect(url_for("web.findings", assessment_id=finding.assessment_id))
    if isinstance(result, tuple):
        return result
    flash(_("问题已修改"), "success")
    return redirect(url_for("web.findings", assessment_id=finding.assessment_id))


@web.get("/evidence/<int:evidence_id>")
def evidence_file(evidence_id):
    item, url, data = evidence.content(evidence_id)
    if url:
        return redirect(url)
    inline = item.content_type.startswith("image/") or item.content_type == "application/pdf"
    return send_file(io.BytesIO(data), mimetype=item.content_type, as_attachment=not inline,
                     download_name=item.filename)
