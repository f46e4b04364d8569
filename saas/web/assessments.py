"""考核评估 pages: the list with "新建评估", the measurement form (colours as you type,
.xlsx/.csv import, submit / finalize / return) and the balanced scorecard."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from saas.domain.limits import parse_id
from saas.domain.permissions import ASSESSMENT_STATES, KINDS
from saas.errors import Conflict, Invalid
from saas.i18n import error_texts, text, texts
from saas.services import assessments
from saas.services.evidence import Upload
from saas.web import web
from saas.web.charts import radar


@web.app_template_filter("num")
def number_filter(value) -> str:
    """A measured number as typed: 0.45, 100 (no trailing .0), '' for none."""
    if value is None or isinstance(value, bool):
        return ""
    return format(value, ".10g")


def _int_arg(name: str) -> int | None:
    return parse_id(request.args.get(name))


def _list_filters() -> dict:
    kind = request.args.get("kind")
    status = request.args.get("status")
    return {"kind": kind if kind in KINDS else None,
            "status": status if status in ASSESSMENT_STATES else None,
            "period": (request.args.get("period") or "").strip()[:10] or None,
            "institution_id": _int_arg("institution_id")}


@web.route("/assessments", methods=["GET", "POST"], endpoint="assessments")
def assessment_list():
    filters, errors = _list_filters(), {}
    form = {"kind": filters["kind"], "period": filters["period"]}  # a new one of what is shown
    if request.method == "POST":
        form = {k: (request.form.get(k) or "").strip() for k in ("agreement_id", "kind",
                                                                 "period")}
        created, errors = _create(form)
        if created is not None:
            flash(_("已新建评估"), "success")
            return redirect(url_for("web.assessment", assessment_id=created.id))
    after = request.args.get("after") or None
    try:
        page = assessments.list_page(filters, after)
    except Invalid as exc:  # a malformed period filter or page position
        errors, filters["period"] = texts(exc.errors), None
        page = assessments.list_page(filters)
    active = {k: v for k, v in filters.items() if v}
    return render_template("assessments/list.html", page=page, filters=filters,
                           active_filters=active, errors=errors, form=form,
                           endpoint="web.assessments", args=active), (422 if errors else 200)


@web.get("/assessments/agreement-choices", endpoint="assessment_agreement_choices")
def agreement_choices():
    """The new-assessment form's agreement options matching what was typed (htmx)."""
    q = (request.args.get("q") or "").strip()[:100] or None
    return render_template("assessments/_agreement_options.html",
                           agreements=assessments.agreement_choices(q), selected="")


def _create(form: dict):
    if parse_id(form["agreement_id"]) is None:
        return None, {"agreement_id": [_("请选择服务协议")]}
    try:
        return assessments.create(int(form["agreement_id"]), form["kind"], form["period"]), {}
    except (Invalid, Conflict) as exc:
        return None, error_texts(exc)


def _form_rows() -> tuple[list[dict], dict[str, list]]:
    """The measurement form as the service's rows (every indicator of the form: a blank
    value means no data) and the evidence files added per indicator."""
    rows, uploads = [], {}
    for key in request.form:
        if not key.startswith("value-"):
            continue
        code = key.removeprefix("value-")
        rows.append({"indicator_code": code, "value": request.form.get(key),
                     "not_applicable": bool(request.form.get(f"na-{code}")),
                     "note": request.form.get(f"note-{code}")})
        files = [Upload(f.filename or "", f.read(), f.mimetype or "")
                 for f in request.files.getlist(f"evidence-{code}") if f and f.filename]
        if files:
            uploads[code] = files
    return rows, uploads


def _render_detail(assessment_id, errors=None, upload_errors=None, status=200,
                   headline=None, typed=True):
    """The data-entry page; after a refusal, the rows in error highlighted and (``typed``)
    what was typed kept in the form."""
    return render_template("assessments/detail.html", **assessments.detail(assessment_id),
                           errors=errors or {}, upload_errors=upload_errors or {},
                           headline=headline,
                           submitted=request.form if errors and typed else {}), status


@web.route("/assessments/<int:assessment_id>", methods=["GET", "POST"])
def assessment(assessment_id):
    if request.method == "GET":
        return _render_detail(assessment_id)
    rows, uploads = _form_rows()
    try:
        assessments.save_form(assessment_id, rows, uploads)
    except Invalid as exc:
        return _render_detail(assessment_id, errors=error_texts(exc), status=422)
    except Conflict as exc:
        flash(text(exc.detail), "error")
    else:
        flash(_("已保存"), "success")
    return redirect(url_for("web.assessment", assessment_id=assessment_id))


@web.post("/assessments/<int:assessment_id>/upload")
def assessment_upload(assessment_id):
    file = request.files.get("file")
    if not file or not file.filename:
        return _render_detail(assessment_id, upload_errors={"file": [_("请选择文件")]},
                              status=422)
    try:
        assessments.import_measurements(assessment_id, file.filename, file.read())
    except Invalid as exc:
        return _render_detail(assessment_id, upload_errors=error_texts(exc, "file"),
                              status=422)
    except Conflict as exc:
        flash(text(exc.detail), "error")
    else:
        flash(_("已导入"), "success")
    return redirect(url_for("web.assessment", assessment_id=assessment_id))


def _transition(assessment_id: int, action: str, message: str):
    try:
        assessments.transition(assessment_id, action, request.form.get("reason"))
    except Invalid as exc:
        if action == "submit" and exc.errors:  # the rows missing evidence, highlighted
            return _render_detail(assessment_id, errors=texts(exc.errors), status=422,
                                  headline=text(exc.detail), typed=False)
        flash(text(exc.detail), "error")
    except Conflict as exc:
        details = [m for messages in texts(exc.errors).values() for m in messages]
        flash(text(exc.detail) + ("：" + "；".join(details) if details else ""), "error")
    else:
        flash(message, "success")
    return redirect(url_for("web.assessment", assessment_id=assessment_id))


@web.post("/assessments/<int:assessment_id>/submit")
def assessment_submit(assessment_id):
    return _transition(assessment_id, "submit", _("已提交"))


@web.post("/assessments/<int:assessment_id>/finalize")
def assessment_finalize(assessment_id):
    return _transition(assessment_id, "finalize", _("已定稿"))


@web.post("/assessments/<int:assessment_id>/return")
def assessment_return(assessment_id):
    return _transition(assessment_id, "return", _("已退回"))


@web.get("/assessments/<int:assessment_id>/scorecard")
def scorecard(assessment_id):
    page = assessments.scorecard_page(assessment_id)
    return render_template("assessments/scorecard.html", **page,
                           chart=radar(page["card"]["perspectives"]))
