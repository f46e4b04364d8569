"""协议范本 pages: list (with the .xlsx/.yaml upload for bureau admins), detail with the
clause tree and its indicators, version diff, .xlsx export."""

from io import BytesIO

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from saas.domain.filetypes import XLSX
from saas.domain.limits import parse_id
from saas.errors import Invalid
from saas.extensions import db
from saas.i18n import text, texts
from saas.services import templates
from saas.web import web

MAX_FLASHED_ERRORS = 20


@web.app_template_filter("plain_value")
def plain_value(value) -> str:
    """A setting or field value as people read it (no JSON escapes, 25 not 25.0)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return ", ".join(f"{k}={plain_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(plain_value(v) for v in value)
    return str(value)


@web.get("/templates", endpoint="templates")
def template_list():
    rows = db.session.execute(templates.list_statement()).scalars().all()
    return render_template("templates/list.html", rows=rows)


@web.post("/templates/import")
def template_import():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("请选择要导入的 .xlsx 或 .yaml 文件"), "error")
        return redirect(url_for("web.templates"))
    try:
        template, created = templates.import_file(upload.filename, upload.read())
    except Invalid as exc:
        flash_invalid(exc)
        return redirect(url_for("web.templates"))
    if created:
        flash(_("已发布 %(code)s 第 %(version)s 版", code=template.code,
                version=template.version), "success")
    else:
        flash(_("内容与最新版本相同，未生成新版本"), "info")
    return redirect(url_for("web.template", template_id=template.id))


def flash_invalid(exc: Invalid) -> None:
    """The summary and each field problem as flash messages (capped)."""
    flash(text(exc.detail), "error")
    messages = [m for msgs in texts(exc.errors).values() for m in msgs]
    for message in messages[:MAX_FLASHED_ERRORS]:
        flash(message, "error")
    if len(messages) > MAX_FLASHED_ERRORS:
        flash(_("……另有 %(n)s 处错误未显示", n=len(messages) - MAX_FLASHED_ERRORS), "error")


@web.get("/templates/<int:template_id>")
def template(template_id):
    return render_template("templates/detail.html", **templates.detail(template_id))


@web.get("/templates/<int:template_id>/diff")
def template_diff(template_id):
    against = parse_id(request.args.get("against"))
    try:
        result = templates.diff(template_id, against)
    except Invalid as exc:
        flash(texts(exc.errors).get("against", [text(exc.detail)])[0], "info")
        return redirect(url_for("web.template", template_id=template_id))
    return render_template("templates/diff.html", **result)


@web.get("/templates/<int:template_id>/export.xlsx")
def template_export(template_id):
    filename, data = templates.export_workbook(template_id)
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=filename)
