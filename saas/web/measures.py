"""协议处理 pages: the bureau's pipeline (what waits for whom), a measure's page with its
whole history and the step forms (notify, appeal with evidence, decide, lift, revoke), and
the form to propose a measure by hand. The institution's pages work on a phone."""

import io

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from saas.domain.findings import yuan_to_fen
from saas.domain.lifecycle import RESCISSION_GROUNDS
from saas.domain.limits import parse_id
from saas.domain.measures import MEASURES, STATUSES, WITH_AMOUNT, WITH_MONTHS
from saas.domain.messages import N_, message_of
from saas.errors import Conflict, Forbidden, Invalid
from saas.i18n import error_line, error_texts, text
from saas.services import agreements, bars, evidence, measures, notices, points
from saas.web import web

STEP_MESSAGES = {"notify": N_("已告知机构"), "appeal": N_("申诉已提交"),
                 "decide": N_("已作出决定"), "lift": N_("已提前解除"), "revoke": N_("已撤销")}


@web.get("/measures", endpoint="measures")
def measure_list():
    args = request.args
    filters = {"status": args.get("status") if args.get("status") in STATUSES else None,
               "measure": args.get("measure") if args.get("measure") in MEASURES else None,
               "waiting": args.get("waiting") if args.get("waiting") in measures.WAITING else None,
               "agreement_id": parse_id(args.get("agreement_id", ""))}
    return render_template("measures/list.html", **measures.page(**filters), filters=filters,
                           statuses=STATUSES, kinds=MEASURES)


@web.get("/public/rescissions", endpoint="public_rescissions")
def public_rescissions():
    """解除协议公告: every rescission of the deployment, without sign-in."""
    return render_template("measures/public_rescissions.html", rows=bars.public_rescissions())


@web.get("/measures/<int:measure_id>", endpoint="measure")
def measure_page(measure_id):
    measure = measures.get(measure_id)
    return render_template("measures/detail.html", measure=measure,
                           steps=measures.steps_for(measure),
                           ledger=points.ledger(measure.agreement_id))


@web.get("/measures/<int:measure_id>/notice.pdf", endpoint="measure_notice")
def measure_notice(measure_id):
    filename, content = notices.measure_notice(measure_id)
    return send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=True,
                     download_name=filename)


def _take_step(measure_id: int, step: str):
    form = request.form
    try:
        if step == "notify":
            measures.notify(measure_id)
        elif step == "appeal":
            files = [evidence.Upload(f.filename or "", f.read(), f.mimetype or "")
                     for f in request.files.getlist("files") if f and f.filename]
            measures.appeal(measure_id, form.get("statement", ""), files=files)
        elif step == "decide":
            measures.decide(measure_id, form.get("decision", ""), form.get("reason", ""))
        else:
            getattr(measures, step)(measure_id, form.get("reason", ""))
    except (Invalid, Conflict, Forbidden) as exc:
        flash(error_line(exc), "error")
    else:
        flash(text(STEP_MESSAGES[step]), "success")
    return redirect(url_for("web.measure", measure_id=measure_id))


for _step_name in STEP_MESSAGES:  # POST /measures/<id>/notify, /appeal, /decide, …
    web.add_url_rule(f"/measures/<int:measure_id>/{_step_name}", f"measure_{_step_name}",
                     lambda measure_id, step=_step_name: _take_step(measure_id, step),
                     methods=["POST"])


FORM_FIELDS = ("measure", "basis", "reason", "months", "amount_yuan", "clause_number",
               "article", "finding_id", "ground")


@web.route("/agreements/<int:agreement_id>/measures/new", methods=["GET", "POST"])
def new_measure(agreement_id):
    """A bureau user proposes a measure by hand, on the agreement's page."""
    agreement = agreements.get(agreement_id)
    values = {k: request.form.get(k, "") for k in FORM_FIELDS}
    errors = {}
    if request.method == "POST":
        data, errors = _measure_input(agreement_id, values)
        if data is not None:
            try:
                made = measures.propose(data)
            except Forbidden as exc:
                flash(text(exc.detail), "error")
                return redirect(url_for("web.agreement", agreement_id=agreement_id))
            except Invalid as exc:
                errors = error_texts(exc)
            else:
                flash(_("处理已提出，待告知机构"), "success")
                return redirect(url_for("web.measure", measure_id=made.id))
    return render_template("measures/new.html", agreement=agreement, values=values,
                           errors=errors, kinds=MEASURES, with_months=WITH_MONTHS,
                           with_amount=WITH_AMOUNT, grounds=RESCISSION_GROUNDS,
                           findings=measures.confirmed_findings(agreement.institution_id)), (
        422 if errors else 200)


def _measure_input(agreement_id: int, values: dict):
    errors = {}
    amount = None
    if values["measure"] in WITH_AMOUNT:
        try:
            amount = yuan_to_fen(values["amount_yuan"]) or None
        except ValueError as exc:
            errors["amount_yuan"] = [text(message_of(exc))]
    months = values["months"].strip()
    if months and not months.isdigit():
        errors["months"] = [_("请填写整数月数")]
    if errors:
        return None, errors
    return measures.MeasureInput(
        agreement_id=agreement_id, measure=values["measure"], basis=values["basis"],
        reason=values["reason"] or None,
        months=int(months) if months and values["measure"] in WITH_MONTHS else None,
        amount_fen=amount, clause_number=values["clause_number"] or None,
        article=values["article"] or None, finding_id=parse_id(values["finding_id"]),
        ground=values["ground"] or None if values["measure"] == "rescission" else None), {}
