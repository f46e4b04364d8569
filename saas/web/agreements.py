"""服务协议 pages: list with status, detail with the signed clauses, history and actions."""

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from saas.domain.lifecycle import DEFAULT_RENEWAL_MONTHS_BEFORE, STATES
from saas.domain.limits import parse_id
from saas.errors import Conflict, Invalid
from saas.i18n import error_texts, text
from saas.services import agreement_requests, agreements
from saas.timeutil import local, today_local
from saas.web import web
from saas.web.templates_pages import flash_invalid

# action → service call taking (agreement_id, reason).
ACTIONS = {
    "sign": lambda agreement_id, _reason: agreements.sign(agreement_id),
}
DONE = {
    "sign": _l("已签订协议 %(number)s"),
}


@web.app_template_filter("local_date")
def local_date(value) -> str:
    """A stored UTC time as its Asia/Shanghai date."""
    return local(value).strftime("%Y-%m-%d") if value else "—"


@web.app_template_filter("local_time")
def local_time(value) -> str:
    """A stored UTC time as Asia/Shanghai wall time."""
    return local(value).strftime("%Y-%m-%d %H:%M") if value else "—"


NEW_FIELDS = ("institution_id", "template_id", "number", "start", "end")


@web.route("/agreements", methods=["GET", "POST"], endpoint="agreements")
def agreement_list():
    form, errors = {}, {}
    if request.method == "POST":
        form = {k: (request.form.get(k) or "").strip() for k in NEW_FIELDS}
        created, errors = _create(form)
        if created is not None:
            flash(_("已新建协议（草拟），请核对后签订"), "success")
            return redirect(url_for("web.agreement", agreement_id=created.id))
    status = request.args.get("status") if request.args.get("status") in STATES else None
    expiring = request.args.get("expiring") == "1"
    page = agreements.list_page(status, request.args.get("after") or None, expiring=expiring)
    args = {k: v for k, v in (("status", status), ("expiring", "1" if expiring else None)) if v}
    return render_template("agreements/list.html", rows=page["items"], page=page,
                           status=status, states=STATES, expiring=expiring,
                           renewal_months=DEFAULT_RENEWAL_MONTHS_BEFORE,
                           choices=agreements.new_agreement_choices(), form=form,
                           errors=errors, endpoint="web.agreements",
                           args=args), (422 if errors else 200)


@web.get("/agreements/institution-choices", endpoint="agreement_institution_choices")
def institution_choices():
    """The new-agreement form's institution options matching what was typed (htmx)."""
    q = (request.args.get("q") or "").strip()[:100] or None
    return render_template("agreements/_institution_options.html",
                           institutions=agreements.institution_choices(q), selected="")


def _create(form: dict):
    """The form's values checked for shape here; everything else by the service."""
    errors = {}
    for field, message in (("institution_id", _("请选择定点机构")),
                           ("template_id", _("请选择协议范本"))):
        if parse_id(form[field]) is None:
            errors[field] = [message]
    terms = {}
    for field in ("start", "end"):
        try:
            terms[field] = date.fromisoformat(form[field])
        except ValueError:
            errors[field] = [_("请填写日期，如 2026-01-01")]
    if errors:
        return None, errors
    try:
        return agreements.create(int(form["institution_id"]), int(form["template_id"]),
                                 form["number"], terms["start"], terms["end"]), {}
    except (Invalid, Conflict) as exc:
        return None, error_texts(exc)


@web.get("/agreements/<int:agreement_id>")
def agreement(agreement_id):
    return render_template("agreements/detail.html", **agreements.detail(agreement_id),
                           today=today_local())


@web.post("/agreements/<int:agreement_id>/actions")
def agreement_action(agreement_id):
    """One form for every action button; NotFound / Forbidden still answer 404 / 403."""
    action = request.form.get("action", "")
    reason = request.form.get("reason", "")
    target = agreement_id
    try:
        if action == "renew":
            target = agreements.renew(agreement_id, reason or None).id
            flash(_("已生成续签协议（草拟），请核对后签订"), "success")
        elif action in ACTIONS:
            done = ACTIONS[action](agreement_id, reason)
            flash(DONE[action] % {"number": done.number}, "success")
        else:
            agreements.get(agreement_id)  # another tenant's agreement is still a 404
            flash(_("未知操作"), "error")
    except Conflict as exc:
        flash(text(exc.detail), "error")
    except Invalid as exc:
        flash_invalid(exc)
    return redirect(url_for("web.agreement", agreement_id=target))


@web.post("/agreements/<int:agreement_id>/changes")
def agreement_change(agreement_id):
    form = request.form
    try:
        changed_on = date.fromisoformat(form.get("changed_on", ""))
    except ValueError:
        changed_on = None  # the service reports it, after the tenant check
    try:
        change = agreements.file_change(agreement_id, form.get("field", ""),
                                        form.get("new_value", ""), changed_on,
                                        form.get("old_value"))
    except Invalid as exc:
        flash_invalid(exc)
    else:
        flash(_("变更已备案，备案期限 %(due)s", due=change.due_on.isoformat()), "success")
    return redirect(url_for("web.agreement", agreement_id=agreement_id))



@web.post("/agreements/<int:agreement_id>/requests")
def agreement_request(agreement_id):
    """The institution's admin asks to suspend, end or not renew (3 months ahead)."""
    form = request.form
    months = form.get("months", "").strip()
    try:
        effective_on = date.fromisoformat(form["effective_on"]) if form.get(
            "effective_on") else None
        agreement_requests.create(agreement_requests.RequestInput(
            agreement_id=agreement_id, kind=form.get("kind", ""), effective_on=effective_on,
            reason=form.get("reason", ""), months=int(months) if months.isdigit() else None))
    except ValueError:
        flash(_("日期格式应为 YYYY-MM-DD"), "error")
    except Invalid as exc:
        flash_invalid(exc)
    except Conflict as exc:
        flash(text(exc.detail), "error")
    else:
        flash(_("申请已提交，待医保局审核"), "success")
    return redirect(url_for("web.agreement", agreement_id=agreement_id))


@web.post("/agreement-requests/<int:request_id>/decide")
def agreement_request_decide(request_id):
    """A bureau admin accepts or refuses an institution's request."""
    back = url_for("web.agreement", agreement_id=agreement_requests.get(request_id).agreement_id)
    try:
        decided = agreement_requests.decide(request_id, request.form.get("decision", ""),
                                            request.form.get("reason", ""))
    except Invalid as exc:
        flash_invalid(exc)
    except Conflict as exc:
        flash(text(exc.detail), "error")
    else:
        flash(_("已同意申请") if decided.status == "accepted" else _("已不同意申请"), "success")
    return redirect(back)
