"""整改台账 pages: the ledger (the institution's own, the region's for the bureau) with
its filters, "my items" first for the person responsible, bulk assign and extend; an
item's page with its history, evidence and the step forms; an item opened by hand. The
institution's pages work on a phone."""

import io
from datetime import date

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from saas.domain import rectification as rules
from saas.domain.findings import CATEGORY_CODES
from saas.domain.limits import parse_id
from saas.domain.messages import N_
from saas.domain.templates import SEVERITIES
from saas.errors import Conflict, Forbidden, Invalid
from saas.i18n import error_line, error_texts, text
from saas.services import evidence, exports, ledger_files, rectifications
from saas.services.paging import page_of
from saas.web import web
from tenants.context import require

PAGE_SIZE = 50
FILTERS = ("status", "overdue", "department", "owner_id", "assessment_id", "severity",
           "source", "institution_id", "mine")
STEP_MESSAGES = {"start": N_("已开始整改"), "submit": N_("已提交复核"),
                 "verify": N_("已复核销号"), "return": N_("已退回"), "reopen": N_("已重新整改")}


def filters_from(args) -> tuple[rectifications.Filters, dict]:
    """The ledger's filters from a query string: (for the service, as given for links).
    A value that is not one of the choices is ignored, not an error."""
    def pick(name, allowed):
        value = args.get(name)
        return value if value in allowed else None

    overdue = {"1": True, "0": False}.get(args.get("overdue", ""))
    filters = rectifications.Filters(
        status=pick("status", rules.STATES), overdue=overdue,
        department=(args.get("department") or "").strip()[:rules.MAX_DEPARTMENT] or None,
        owner_id=parse_id(args.get("owner_id")), assessment_id=parse_id(args.get("assessment_id")),
        severity=pick("severity", SEVERITIES), source=pick("source", rules.SOURCES),
        institution_id=parse_id(args.get("institution_id")), mine=args.get("mine") == "1")
    given = {k: args.get(k) for k in FILTERS if args.get(k)}
    return filters, given


@web.get("/rectifications", endpoint="rectifications")
def ledger():
    filters, given = filters_from(request.args)
    ctx = require()
    page = page_of(rectifications.list_statement(filters).options(*rectifications.WITH_PARTS),
                   size=PAGE_SIZE, after=request.args.get("after"))
    mine = []
    if not given and ctx.institution_id is not None:  # 我的整改 first, on the plain ledger
        mine = rectifications.rows(rectifications.Filters(mine=True, overdue=None), limit=20)
        mine = [i for i in mine if i.status != "closed"]
    people = rectifications.people(ctx.institution_id) if ctx.institution_id else []
    return render_template(
        "rectifications/list.html", page=page, mine=mine, filters=filters, given=given,
        counts=rectifications.counts_by_status(filters), people=people,
        overdue=rectifications.is_overdue, states=rules.STATES, severities=SEVERITIES,
        sources=rules.SOURCES, bureau=ctx.institution_id is None,
        may_assign=rules.may("assign", ctx.role, False),
        may_extend=any(rules.may("extend", ctx.role, bureau) for bureau in (True, False)))


@web.post("/rectifications/bulk", endpoint="rectifications_bulk")
def ledger_bulk():
    form = request.form
    ids = [i for i in (parse_id(x) for x in form.getlist("item_ids")) if i]
    action = form.get("action")
    try:
        if action == "assign":
            changes = {k: v for k, v in (("owner_id", parse_id(form.get("owner_id"))),
                                         ("department", form.get("department", "").strip()))
                       if v}
            done = rectifications.bulk(ids, "assign", changes=changes)
        else:
            done = rectifications.bulk(ids, "extend", due_date=_day(form.get("due_date")),
                                       reason=form.get("reason", ""))
    except (Invalid, Conflict, Forbidden) as exc:
        flash(error_line(exc), "error")
    else:
        flash(_("已处理 %(n)s 项", n=len(done)), "success")
    return redirect(url_for("web.rectifications", **filters_from(request.args)[1]))


@web.route("/rectifications/new", methods=["GET", "POST"], endpoint="rectification_new")
def new_item():
    """The institution opens an item by hand, from its self-inspection or an audit."""
    ctx = require()
    values = {k: request.form.get(k, "") for k in (
        "source", "category", "severity", "description", "measures_to_take", "department",
        "owner_id")}
    errors = {}
    if request.method == "POST":
        try:
            item = rectifications.open_by_hand(rectifications.ItemInput(
                source=values["source"], category=values["category"],
                severity=values["severity"] or None, description=values["description"],
                measures_to_take=values["measures_to_take"], department=values["department"],
                owner_id=parse_id(values["owner_id"]), files=_files()))
        except Forbidden as exc:
            flash(text(exc.detail), "error")
            return redirect(url_for("web.rectifications"))
        except Invalid as exc:
            errors = error_texts(exc)
        else:
            flash(_("整改事项 %(number)s 已登记", number=item.number), "success")
            return redirect(url_for("web.rectification", item_id=item.id))
    people = rectifications.people(ctx.institution_id) if ctx.institution_id else []
    return render_template("rectifications/new.html", values=values, errors=errors,
                           people=people, categories=CATEGORY_CODES, severities=SEVERITIES,
                           sources=rules.HAND_SOURCES), 422 if errors else 200


@web.get("/rectifications/<int:item_id>", endpoint="rectification")
def item_page(item_id):
    item = rectifications.get(item_id)
    return render_template(
        "rectifications/detail.html", item=item, steps=rectifications.steps_for(item),
        overdue=rectifications.is_overdue(item), people=rectifications.people(item.institution_id),
        may_assign=rectifications.may_edit(item, "assign"),
        may_extend=rectifications.may_edit(item, "extend"),
        may_upload="submit" in rectifications.steps_for(item))


def _take_step(item_id: int, step: str):
    form = request.form
    try:
        if step == "submit":
            rectifications.submit(item_id, form.get("statement", ""), files=_files())
        elif step == "verify":
            rectifications.verify(item_id, form.get("comment"))
        elif step == "start":
            rectifications.start(item_id)
        elif step == "return":
            rectifications.return_(item_id, form.get("reason", ""))
        else:
            rectifications.reopen(item_id, form.get("reason", ""))
    except (Invalid, Conflict, Forbidden) as exc:
        flash(error_line(exc), "error")
    else:
        flash(text(STEP_MESSAGES[step]), "success")
    return redirect(url_for("web.rectification", item_id=item_id))


for _step_name in STEP_MESSAGES:  # POST /rectifications/<id>/start, /submit, /verify, …
    web.add_url_rule(f"/rectifications/<int:item_id>/{_step_name}",
                     f"rectification_{_step_name}",
                     lambda item_id, step=_step_name: _take_step(item_id, step),
                     methods=["POST"])


@web.post("/rectifications/<int:item_id>/assign", endpoint="rectification_assign")
def item_assign(item_id):
    form = request.form
    return _change(item_id, lambda: rectifications.assign(item_id, {
        "owner_id": parse_id(form.get("owner_id")), "department": form.get("department", ""),
        "measures_to_take": form.get("measures_to_take", "")}), _("已保存"))


@web.post("/rectifications/<int:item_id>/extend", endpoint="rectification_extend")
def item_extend(item_id):
    return _change(item_id, lambda: rectifications.extend(
        item_id, _day(request.form.get("due_date")), request.form.get("reason", "")),
        _("整改时限已调整"))


@web.post("/rectifications/<int:item_id>/evidence", endpoint="rectification_evidence")
def item_evidence(item_id):
    return _change(item_id, lambda: rectifications.add_evidence(item_id, _files()),
                   _("材料已上传"))


def _change(item_id: int, call, message: str):
    try:
        call()
    except (Invalid, Conflict, Forbidden) as exc:
        flash(error_line(exc), "error")
    else:
        flash(message, "success")
    return redirect(url_for("web.rectification", item_id=item_id))


def _files() -> list:
    return [evidence.Upload(f.filename or "", f.read(), f.mimetype or "")
            for f in request.files.getlist("files") if f and f.filename]


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _export(fmt: str):
    filters, given = filters_from(request.args)
    made = exports.ledger(filters, fmt)
    if made[0] == "job":
        return redirect(url_for("web.export", export_id=made[1].id))
    _kind, filename, data = made
    return send_file(io.BytesIO(data), mimetype=exports.MEDIA_TYPES[fmt], as_attachment=True,
                     download_name=filename)


for _fmt in exports.FORMATS:  # GET /rectifications/export.xlsx, /rectifications/export.pdf
    web.add_url_rule(f"/rectifications/export.{_fmt}", "rectifications_export", _export,
                     defaults={"fmt": _fmt})


@web.get("/exports/<int:export_id>", endpoint="export")
def export_page(export_id):
    """A large export's progress (the page refreshes itself), then its download."""
    return render_template("rectifications/export.html", export=exports.get(export_id))


@web.get("/exports/<int:export_id>/file", endpoint="export_file")
def export_file(export_id):
    export, data = exports.content(export_id)
    return send_file(io.BytesIO(data), mimetype=exports.MEDIA_TYPES[export.fmt],
                     as_attachment=True, download_name=export.filename)


@web.route("/rectifications/import", methods=["GET", "POST"], endpoint="rectifications_import")
def ledger_import():
    """导入整改台账: the institution's own .xlsx in the export's layout, all rows or none."""
    errors, source = {}, request.form.get("source", "internal_audit")
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            rows, skipped, problems = ledger_files.read_workbook(upload.read() if upload else b"")
            done = rectifications.import_rows(rows, source, problems)
        except Forbidden as exc:
            flash(text(exc.detail), "error")
            return redirect(url_for("web.rectifications"))
        except Invalid as exc:
            errors = {"detail": text(exc.detail), "rows": error_texts(exc)}
        else:
            flash(_("已导入：新增 %(opened)s 项，更新 %(updated)s 项，跳过已销号 %(skipped)s 项",
                    skipped=skipped, **done), "success")
            return redirect(url_for("web.rectifications"))
    return render_template("rectifications/import.html", errors=errors, source=source,
                           sources=rules.HAND_SOURCES), 422 if errors else 200
