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


def _finding_input(assessment_id: int) -> tuple[findings.FindingInput | None, dict]:
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
        location=form.get("location") or None), {}


def _photos() -> list[evidence.Upload]:
    return [evidence.Upload(f.filename or "", f.read(), f.mimetype or "")
            for f in request.files.getlist("photos") if f and f.filename]


@web.route("/assessments/<int:assessment_id>/findings/new", methods=["GET", "POST"])
def new_finding(assessment_id):
    try:
        options = findings.form_options(assessment_id)
    except Conflict as exc:
        flash(text(exc.detail), "error")
        return redirect(url_for("web.assessment", assessment_id=assessment_id))
    values = {k: request.values.get(k, "") for k in FORM_FIELDS}
    errors = {}
    if request.method == "POST":
        data, errors = _finding_input(assessment_id)
        if data is not None:
            try:
                findings.create(data, _photos())
            except Invalid as exc:
                errors = error_texts(exc)
            else:
                flash(_("问题已登记，待确认"), "success")
                return redirect(url_for("web.findings", assessment_id=assessment_id))
    return render_template("findings/new.html", **options, values=values,
                           errors=errors), (422 if errors else 200)


@web.get("/evidence/<int:evidence_id>")
def evidence_file(evidence_id):
    item, url, data = evidence.content(evidence_id)
    if url:
        return redirect(url)
    inline = item.content_type.startswith("image/") or item.content_type == "application/pdf"
    return send_file(io.BytesIO(data), mimetype=item.content_type, as_attachment=not inline,
                     download_name=item.filename)
